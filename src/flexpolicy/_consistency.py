"""The facts of one decision must not contradict each other, whatever the policy.

Why a module of its own: the same checks run in two places.  A `Situation`
runs them when it is built (a model validator), so a batch of pre-built
situations is consistent by construction and `Policy.decide_all` does not pay
for them again on every decision; `Policy.decide`, which takes the records one
by one, runs them through `make_context`.  Only the checks that depend on the
policy (the request kind, the actor's role) are left to the decision itself.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from .errors import InputError

if TYPE_CHECKING:
    from .models import CaseFacts, Customer, LineItem, Request, Transaction


def find_item(request: Request, transaction: Transaction | None) -> LineItem | None:
    """The line the request is about: its sku on the transaction (None when either is absent)."""
    sku = request.sku
    if transaction is None or sku is None:
        return None
    for line in transaction.items:  # a loop, not `next(genexpr)`: this is a hot path
        if line.sku == sku:
            return line
    return None


def check_facts(
    request: Request,
    customer: Customer,
    transaction: Transaction | None,
    as_of: date,
    case: CaseFacts | None,
) -> LineItem | None:
    """Raise `InputError` (`contradictory-facts`) if the facts disagree; return the line item.

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
        )
    item: LineItem | None = None
    if transaction is not None:
        t = transaction.__dict__
        transaction_id = r["transaction_id"]
        if transaction_id is not None and transaction_id != t["id"]:
            raise InputError(
                f"the request is about transaction `{transaction_id}`, "
                f"but transaction `{t['id']}` was given",
                code="contradictory-facts",
            )
        customer_id = t["customer_id"]
        if customer_id is not None and customer_id != customer.id:
            raise InputError(
                f"transaction `{t['id']}` belongs to customer `{customer_id}`, not `{customer.id}`",
                code="contradictory-facts",
            )
        purchased_at: date = t["purchased_at"]
        if as_of < purchased_at or requested_at < purchased_at:
            raise InputError(
                f"the purchase date {purchased_at} is after the request "
                f"({requested_at}) or the decision date ({as_of})",
                code="contradictory-facts",
            )
        sku = r["sku"]
        if sku is not None:
            for line in t["items"]:
                if line.sku == sku:
                    item = line
                    break
            else:
                raise _sku_not_on(sku, transaction)
    if case is not None:
        case_id = r["case_id"]
        if case_id is not None and case_id != case.id:
            raise InputError(
                f"the request belongs to case `{case_id}`, but case `{case.id}` was given",
                code="contradictory-facts",
            )
    return item


def _sku_not_on(sku: str, transaction: Transaction) -> InputError:
    # Imported here: the checker's catalog imports the models, which import us.
    from ._expr._checker import did_you_mean  # noqa: PLC0415

    skus = [line.sku for line in transaction.items]
    return InputError(
        f"sku `{sku}` is not on transaction `{transaction.id}`",
        code="contradictory-facts",
        hint=did_you_mean(sku, skus)
        or ("its skus are: " + ", ".join(f"`{s}`" for s in skus) if skus else None),
    )
