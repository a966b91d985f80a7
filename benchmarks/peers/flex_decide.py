"""flexpolicy one request at a time: `Policy.decide` with keyword facts, as a till calls it.

The same pre-built models as the `decide_all` row, passed the way DESIGN.md's public
signature takes them (`decide(request, customer=..., transaction=..., actor=...)`), so
the row measures the per-call overhead a POS backend pays (target: at most 2 µs).
"""

from __future__ import annotations

from collections.abc import Sequence

from flexpolicy import Situation, load_policy

from ._flex import POLICY_FILE, label
from .workload import Workload

__all__ = ["POLICY", "decide", "inputs"]

POLICY = load_policy(POLICY_FILE)


def inputs(workload: Workload) -> Sequence[Situation]:
    return workload.situations


def decide(batch: Sequence[Situation]) -> list[str]:
    decide_one = POLICY.decide
    return [
        label(decide_one(s.request, customer=s.customer, transaction=s.transaction, actor=s.actor))
        for s in batch
    ]
