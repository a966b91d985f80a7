"""flexpolicy's batch path: `Policy.decide_all` over pre-built `Situation` models.

This is the row issue 7's main target is about (at most 1 µs a decision, within 5x of
the hand-written function).  The policy is loaded once, as a POS backend does at start;
nothing else survives between runs: each run builds a fresh `Decision` per situation,
with its trace and rationale still available on demand.
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
    return [label(d) for d in POLICY.decide_all(batch)]
