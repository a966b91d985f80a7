"""The facts of one decision must not contradict each other, whatever the policy.

Why a module of its own: the same checks run in two places.  A `Situation`
runs them when it is built (a model validator), so a batch of pre-built
situations is consistent by construction and `Policy.decide_all` does not pay
for them again on every decision; `Policy.decide`, which takes the records one
by one, runs them through `make_context`.  Only the checks that depend on the
policy (the request kind, the actor's role) are left to the decision itself.

The module sits below the models that call it, so it names them only by the
attributes it reads (the protocols below): the models import it, never the
other way round.  Every `InputError` names the `field` it is about.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol, TypeVar

from .._diagnostics.suggest import closest, hint_for
from ..errors import InputError

# A request is read only from its `__dict__` (see `check_facts`), so any object does.
Request = object


class Identified(Protocol):
    """A customer or a case: what the checks read of it besides its `__dict__`."""

    @property
    def id(self) -> str: ...


class Line(Protocol):
    """A line item: the sku it is of."""

    @property
    def sku(self) -> str: ...

    @property
    def quantity(self) -> int: ...


_L_co = TypeVar("_L_co", bound=Line, covariant=True)
_L = TypeVar("_L", bound=Line)  # the models' own line type, handed back to the caller


class Sale(Protocol[_L_co]):
    """A transaction: its id and its lines."""

    @property
    def id(self) -> str: ...

    @property
    def items(self) -> tuple[_L_co, ...]: ...


def find_item(request: Request, transaction: Sale[_L] | None) -> _L | None:
    """The line the request is about (None when the request or the sale has none).

    `request.line` picks it when given; otherwise the line holding `request.sku`.
    `check_facts` has already refused a line that does not hold the sku and a sku
    on several lines without `line`, so this never guesses.
    """
    if transaction is None:
        return None
    r = request.__dict__
    sku = r["sku"]
    if sku is None:
        return None
    line: int | None = r["line"]
    items: tuple[_L, ...] = transaction.__dict__["items"]
    if line is not None:
        if line <= len(items) and items[line - 1].sku == sku:
            return items[line - 1]
        return None
    for item in items:  # a loop, not `next(genexpr)`: this is a hot path
        if item.sku == sku:
            return item
    return None


def check_facts(
    request: Request,
    customer: Identified,
    transaction: Sale[_L] | None,
    as_of: date,
    case: Identified | None,
) -> _L | None:
    """Raise `InputError` if the facts disagree; return the line item.

    Codes: `contradictory-facts` (the facts contradict each other),
    `ambiguous-item` (the sku is on several lines and `request.line` does not say
    which), `invalid-facts` (`request.line` without `request.sku`).

    Fields are read from the models' `__dict__`: this runs for every situation
    built and every `decide`, and a pydantic attribute read costs several dict reads.
    """
    r = request.__dict__
    requested_at: date = r["requested_at"]
    if as_of < requested_at:
        raise InputError(
            f"`as_of` {as_of} is before the request was made ({requested_at})",
            code="contradictory-facts",
            hint="leave `as_of` out to decide as of the request date",
            field=("as_of",),
        )
    since: date | None = customer.__dict__["member_since"]
    if since is not None and since > requested_at:
        raise InputError(
            f"the customer became a member on {since}, after the request ({requested_at})",
            code="contradictory-facts",
            hint="`customer.member_since` is the day the membership began",
            field=("customer", "member_since"),
        )
    sku = r["sku"]
    line: int | None = r["line"]
    if line is not None and sku is None:
        raise InputError(
            f"`request.line` {line} is given without `request.sku`",
            code="invalid-facts",
            hint="`line` says which of the sku's lines is meant: give the sku too",
            field=("request", "sku"),
        )
    item: _L | None = None
    if transaction is not None:
        t = transaction.__dict__
        transaction_id = r["transaction_id"]
        if transaction_id is not None and transaction_id != t["id"]:
            raise InputError(
                f"the request is about transaction `{transaction_id}`, "
                f"but transaction `{t['id']}` was given",
                code="contradictory-facts",
                field=("request", "transaction_id"),
            )
        customer_id = t["customer_id"]
        if customer_id is not None and customer_id != customer.id:
            raise InputError(
                f"transaction `{t['id']}` belongs to customer `{customer_id}`, not `{customer.id}`",
                code="contradictory-facts",
                field=("transaction", "customer_id"),
            )
        purchased_at: date = t["purchased_at"]
        if as_of < purchased_at or requested_at < purchased_at:
            raise InputError(
                f"the purchase date {purchased_at} is after the request "
                f"({requested_at}) or the decision date ({as_of})",
                code="contradictory-facts",
                field=("transaction", "purchased_at"),
            )
        delivered_at: date | None = t["delivered_at"]
        if delivered_at is not None and delivered_at < purchased_at:
            raise InputError(
                f"the delivery date {delivered_at} is before the purchase ({purchased_at})",
                code="contradictory-facts",
                hint="`transaction.delivered_at` is the day the customer received it",
                field=("transaction", "delivered_at"),
            )
        if sku is not None:
            item = _line_of(sku, line, transaction)
            quantity: int = r["quantity"]
            if quantity > item.quantity:
                raise InputError(
                    f"`request.quantity` {quantity} is more than line "
                    f"`{sku}` of transaction `{t['id']}` holds ({item.quantity})",
                    code="contradictory-facts",
                    hint="`request.quantity` counts the units returned, at most the line's",
                    field=("request", "quantity"),
                )
    if case is not None:
        case_id = r["case_id"]
        if case_id is not None and case_id != case.id:
            raise InputError(
                f"the request belongs to case `{case_id}`, but case `{case.id}` was given",
                code="contradictory-facts",
                field=("request", "case_id"),
            )
    return item


def _line_of(sku: str, line: int | None, transaction: Sale[_L]) -> _L:
    """The line `request.sku` (and `request.line`, when given) names, or `InputError`."""
    items: tuple[_L, ...] = transaction.__dict__["items"]
    if line is not None:
        if line > len(items):
            raise InputError(
                f"`request.line` {line} is past the last line of transaction "
                f"`{transaction.id}` ({len(items)} line{'s' if len(items) != 1 else ''})",
                code="contradictory-facts",
                hint="`line` counts the transaction's items from 1",
                field=("request", "line"),
            )
        chosen = items[line - 1]
        if chosen.sku != sku:
            raise InputError(
                f"line {line} of transaction `{transaction.id}` is sku `{chosen.sku}`, not `{sku}`",
                code="contradictory-facts",
                hint=_lines_hint(sku, items),
                field=("request", "line"),
            )
        return chosen
    found: _L | None = None
    for item in items:
        if item.sku == sku:
            if found is not None:
                raise _ambiguous(sku, transaction)
            found = item
    if found is None:
        raise _sku_not_on(sku, transaction)
    return found


def _lines_of(sku: str, items: tuple[Line, ...]) -> list[int]:
    return [n for n, item in enumerate(items, start=1) if item.sku == sku]


def _lines_hint(sku: str, items: tuple[Line, ...]) -> str | None:
    lines = _lines_of(sku, items)
    if not lines:
        return None
    return f"sku `{sku}` is on {_listed([str(n) for n in lines], 'line')}"


def _ambiguous(sku: str, transaction: Sale[Line]) -> InputError:
    lines = _lines_of(sku, transaction.items)
    return InputError(
        f"sku `{sku}` is on {len(lines)} lines of transaction `{transaction.id}`",
        code="ambiguous-item",
        hint=f"give `request.line`: {_listed([str(n) for n in lines], 'line')}",
        field=("request", "line"),
    )


# How many of a transaction's skus (or lines) an error lists: a 50,000-line
# transaction must not make a 10 MB message.
MAX_LISTED = 5


def _listed(values: list[str], noun: str) -> str:
    """`line 1, 3, 7, 9, 12 and 4 more`: at most `MAX_LISTED` values, then a count."""
    plural = noun if len(values) == 1 else noun + "s"
    shown = ", ".join(values[:MAX_LISTED])
    more = len(values) - MAX_LISTED
    return f"{plural} {shown}" + (f" and {more} more" if more > 0 else "")


def _sku_not_on(sku: str, transaction: Sale[Line]) -> InputError:
    skus = list(dict.fromkeys(line.sku for line in transaction.items))
    suggestion = closest(sku, skus) if len(skus) <= _MAX_SUGGEST_FROM else None
    hint = None if suggestion is None else hint_for(suggestion)
    if hint is None and skus:
        listed = ", ".join(f"`{s}`" for s in skus[:MAX_LISTED])
        more = len(skus) - MAX_LISTED
        hint = f"its skus are: {listed}" + (f" and {more} more" if more > 0 else "")
    return InputError(
        f"sku `{sku}` is not on transaction `{transaction.id}`",
        code="contradictory-facts",
        hint=hint,
        field=("request", "sku"),
        suggestion=suggestion,
    )


# A did-you-mean compares the sku with each of the transaction's: bounded, so a
# long transaction cannot make an error slow to build.
_MAX_SUGGEST_FROM = 1_000
