"""The ceiling again, reading the flexpolicy `Situation` models instead of flat dicts.

Why a second hand-written row: the peers get `days` precomputed in a flat dict, while
flexpolicy reads pydantic models and subtracts two dates per decision.  This row is the
same if-chain over the same models flexpolicy gets, so the gap between it and
`decide_all` is the engine's own cost, not the input's shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from flexpolicy import Situation

from .workload import Workload

__all__ = ["decide", "decide_one", "inputs"]

HUNDRED = Decimal(100)


def inputs(workload: Workload) -> Sequence[Situation]:
    return workload.situations


def decide_one(s: Situation) -> str:
    request, customer = s.request, s.customer
    if "abusive" in customer.flags:
        return "escalate"
    assert s.transaction is not None  # the workload always has one
    days = (request.requested_at - s.transaction.purchased_at).days
    if request.kind == "return":
        if days <= 30:
            return "approve"
        unused = request.item_condition == "unused"
        tier = customer.tier
        if (
            days <= 120
            and tier >= 4
            and unused
            and request.store_at_fault
            and customer.exceptions_90d < 2
        ):
            return "exception"
        amount = request.amount
        if days <= 90 and tier >= 3 and unused and amount is not None and amount <= HUNDRED:
            return "escalate"
        return "deny"
    if request.kind == "exchange" and days <= 45:
        return "approve"
    return "deny"


def decide(batch: Sequence[Situation]) -> list[str]:
    return [decide_one(s) for s in batch]
