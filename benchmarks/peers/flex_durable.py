"""flexpolicy's second back end: the same YAML compiled to a durable-rules ruleset.

`load_policy(path, engine="durable")` asks durable-rules' Rete matcher which rules
match (one asserted fact per decision, deleted again) and shares everything after that
with the native back end.  The row shows what the adapter's safety costs next to the
durable-rules peer, which is a ruleset written by hand for this one policy.
"""

from __future__ import annotations

from collections.abc import Sequence

from flexpolicy import Situation, load_policy

from ._flex import POLICY_FILE, label
from .workload import Workload

__all__ = ["POLICY", "decide", "inputs"]

POLICY = load_policy(POLICY_FILE, engine="durable")


def inputs(workload: Workload) -> Sequence[Situation]:
    return workload.situations


def decide(batch: Sequence[Situation]) -> list[str]:
    return [label(d) for d in POLICY.decide_all(batch)]
