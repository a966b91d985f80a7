"""The facts of one decision, checked for consistency, with built-in facts.

`make_context` is the gate between a caller's facts and the evaluators: it
accepts models or plain mappings, and refuses facts that contradict each other
(a sku that is not on the transaction, a role that is not on the ladder, a
decision date before the purchase) with an `InputError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .._diagnostics.suggest import closest, hint_for
from .._facts.consistency import check_facts
from .._facts.numbers import DECIMALS
from ..errors import InputError
from ..models import Actor, CaseFacts, Customer, LineItem, Request, Transaction

_M = TypeVar("_M", bound=BaseModel)


@dataclass(slots=True)
class Context:
    """Never mutated after `make_context`; not frozen because frozen init is slow."""

    request: Request
    customer: Customer
    transaction: Transaction | None
    actor: Actor
    case: CaseFacts | None
    as_of: date
    item: LineItem | None
    rank: int  # the actor's rung on the ladder

    def root(self, name: str) -> Any:
        return getattr(self, name)

    def builtin(self, name: str) -> Any:
        if name == "days_since_purchase":
            return (
                None
                if self.transaction is None
                else (self.as_of - self.transaction.purchased_at).days
            )
        if name == "item_price":
            return None if self.item is None else self.item.unit_price
        if name == "days_since_received":
            sale = self.transaction
            if sale is None:
                return None
            received = sale.delivered_at if sale.delivered_at is not None else sale.purchased_at
            return (self.as_of - received).days
        if name == "item_total":
            item = self.item
            return (
                None if item is None else DECIMALS.multiply(item.unit_price, self.request.quantity)
            )
        if name == "transaction_total":
            if self.transaction is None:
                return None
            total = Decimal(0)
            for line in self.transaction.items:
                total = DECIMALS.add(total, DECIMALS.multiply(line.unit_price, line.quantity))
            return total
        if name == "customer_tenure_days":
            since = self.customer.member_since
            return None if since is None else (self.as_of - since).days
        if name == "today":
            return self.as_of
        raise KeyError(name)


def coerce(value: Any, model: type[_M], what: str) -> _M:
    """Accept a model instance or a mapping; anything else is an `InputError`."""
    if isinstance(value, model):
        return value
    if isinstance(value, Mapping):
        try:
            return model.model_validate(value)
        except ValidationError as exc:
            raise InputError.from_validation(exc, f"invalid {what}", model=model) from None
    raise InputError(
        f"{what} must be a {model.__name__} or a mapping, not {type(value).__name__}",
        code="invalid-facts",
    )


def unknown_role(role: str, roles: tuple[str, ...]) -> InputError:
    suggestion = closest(role, roles)
    return InputError(
        f"role `{role}` is not on this policy's authority ladder",
        code="unknown-role",
        hint=hint_for(suggestion)
        if suggestion
        else "roles are: " + ", ".join(f"`{r}`" for r in roles),
        field=("actor", "role"),
        suggestion=suggestion,
    )


def make_context(  # noqa: PLR0917 - the facts of one decision, in DESIGN.md's order
    roles: tuple[str, ...],
    rank: Mapping[str, int],
    request: Request,
    customer: Customer,
    transaction: Transaction | None,
    actor: Actor | None,
    as_of: date | None,
    case: CaseFacts | None,
) -> Context:
    """Cross-check the facts of one decision and resolve the line item."""
    as_of = decision_date(as_of, request)
    actor, actor_rank = actor_rank_of(actor, roles, rank)
    item = check_facts(request, customer, transaction, as_of, case)
    return Context(request, customer, transaction, actor, case, as_of, item, actor_rank)


def decision_date(as_of: Any, request: Request) -> date:
    """The day a decision is made: `as_of`, or the request's date when it is left out."""
    if as_of is None:
        return request.requested_at
    if isinstance(as_of, datetime):
        return as_of.date()  # decisions are by day; the time of day never matters
    if not isinstance(as_of, date):
        raise InputError(
            f"`as_of` must be a date, not {type(as_of).__name__}",
            code="invalid-facts",
            field=("as_of",),
        )
    return as_of


def actor_rank_of(
    actor: Actor | None, roles: tuple[str, ...], rank: Mapping[str, int]
) -> tuple[Actor, int]:
    """The actor and their rung; no actor means the lowest role of the ladder."""
    if actor is None:
        return Actor(id="unknown", role=roles[0]), 0
    found = rank.get(actor.role)
    if found is None:
        raise unknown_role(actor.role, roles)
    return actor, found
