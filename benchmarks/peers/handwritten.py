"""The ceiling: the five rules as the plain Python function a developer would write.

No engine, no objects: an if-chain over the flat dicts, first match wins.  Every other
peer is checked against this function on every situation before anything is timed,
and every row's ratio is to this row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .workload import Workload

__all__ = ["decide", "decide_one", "inputs"]


def inputs(workload: Workload) -> Sequence[dict[str, Any]]:
    return workload.rows


def decide_one(s: dict[str, Any]) -> str:
    if "abusive" in s["flags"]:
        return "escalate"
    days = s["days"]
    if s["kind"] == "return":
        if days <= 30:
            return "approve"
        unused = s["condition"] == "unused"
        tier = s["tier"]
        if days <= 120 and tier >= 4 and unused and s["store_at_fault"] and s["exceptions_90d"] < 2:
            return "exception"
        if days <= 90 and tier >= 3 and unused and s["amount"] <= 100:
            return "escalate"
        return "deny"
    if s["kind"] == "exchange" and days <= 45:
        return "approve"
    return "deny"


def decide(batch: Sequence[dict[str, Any]]) -> list[str]:
    return [decide_one(s) for s in batch]
