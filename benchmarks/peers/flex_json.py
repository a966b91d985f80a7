"""flexpolicy from JSON text: parse, validate and decide each situation (target: 5 µs).

The replay and HTTP path: a situation arrives as JSON text (one line of a JSON Lines
history), `Situation.model_validate_json` parses and validates it into the models, and
`Policy.decide_situation` decides it.  The texts are built once; the parsing is timed.
"""

from __future__ import annotations

from collections.abc import Sequence

from flexpolicy import Situation, load_policy

from ._flex import POLICY_FILE, label
from .workload import Workload

__all__ = ["POLICY", "decide", "inputs"]

POLICY = load_policy(POLICY_FILE)


def inputs(workload: Workload) -> Sequence[str]:
    return workload.json_lines


def decide(batch: Sequence[str]) -> list[str]:
    parse = Situation.model_validate_json
    decide_one = POLICY.decide_situation
    return [label(decide_one(parse(text))) for text in batch]
