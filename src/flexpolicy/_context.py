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
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ._expr._checker import did_you_mean
from .errors import InputError
from .models import Actor, CaseFacts, Customer, LineItem, Request, Transaction

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
            raise InputError.from_validation(exc, f"invalid {what}") from None
    raise InputError(
        f"{what} must be a {model.__name__} or a mapping, not {type(value).__name__}",
        code="invalid-facts",
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
    if as_of is None:
        as_of = request.requested_at
    elif isinstance(as_of, datetime):
        as_of = as_of.date()  # decisions are by day; the time of day never matters
    elif not isinstance(as_of, date):
        raise InputError(
            f"`as_of` must be a date, not {type(as_of).__name__}", code="invalid-facts"
        )
    if actor is None:
        actor = Actor(id="unknown", role=roles[0])
        actor_rank = 0
    else:
        found = rank.get(actor.role)
        if found is None:
            raise InputError(
                f"role `{actor.role}` is not on this policy's authority ladder",
                code="unknown-role",
                hint=did_you_mean(actor.role, roles)
                or "roles are: " + ", ".join(f"`{r}`" for r in roles),
            )
        actor_rank = found
    if as_of < request.requested_at:
        raise InputError(
            f"`as_of` {as_of} is before the request was made ({request.requested_at})",
            code="contradictory-facts",
            hint="leave `as_of` out to decide as of the request date",
        )
    item: LineItem | None = None
    if transaction is not None:
        if request.transaction_id is not None and request.transaction_id != transaction.id:
            raise InputError(
                f"the request is about transaction `{request.transaction_id}`, "
                f"but transaction `{transaction.id}` was given",
                code="contradictory-facts",
            )
        if transaction.customer_id is not None and transaction.customer_id != customer.id:
            raise InputError(
                f"transaction `{transaction.id}` belongs to customer "
                f"`{transaction.customer_id}`, not `{customer.id}`",
                code="contradictory-facts",
            )
        if as_of < transaction.purchased_at or request.requested_at < transaction.purchased_at:
            raise InputError(
                f"the purchase date {transaction.purchased_at} is after the request "
                f"({request.requested_at}) or the decision date ({as_of})",
                code="contradictory-facts",
            )
        sku = request.sku
        if sku is not None:
            for line in transaction.items:  # a loop, not `next(genexpr)`: this is the hot path
                if line.sku == sku:
                    item = line
                    break
            if item is None:
                skus = [line.sku for line in transaction.items]
                raise InputError(
                    f"sku `{sku}` is not on transaction `{transaction.id}`",
                    code="contradictory-facts",
                    hint=did_you_mean(sku, skus)
                    or ("its skus are: " + ", ".join(f"`{s}`" for s in skus) if skus else None),
                )
    if case is not None and request.case_id is not None and request.case_id != case.id:
        raise InputError(
            f"the request belongs to case `{request.case_id}`, but case `{case.id}` was given",
            code="contradictory-facts",
        )
    return Context(request, customer, transaction, actor, case, as_of, item, actor_rank)
