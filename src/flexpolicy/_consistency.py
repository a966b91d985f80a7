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
    """Raise `InputError` (`contradictory-facts`) if the facts disagree; return the line item."""
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
        item = find_item(request, transaction)
        if item is None and request.sku is not None:
            # Imported here: the checker's catalog imports the models, which import us.
            from ._expr._checker import did_you_mean  # noqa: PLC0415

            skus = [line.sku for line in transaction.items]
            raise InputError(
                f"sku `{request.sku}` is not on transaction `{transaction.id}`",
                code="contradictory-facts",
                hint=did_you_mean(request.sku, skus)
                or ("its skus are: " + ", ".join(f"`{s}`" for s in skus) if skus else None),
            )
    if case is not None and request.case_id is not None and request.case_id != case.id:
        raise InputError(
            f"the request belongs to case `{request.case_id}`, but case `{case.id}` was given",
            code="contradictory-facts",
        )
    return item
