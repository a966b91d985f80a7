"""panzi-json-logic 1.0.1: the shared JsonLogic rule, interpreted in pure Python.

`jsonLogic(rule, data)` walks the rule's JSON tree for every situation; there is no
compile step to hoist out of the loop.  The rule is the same one the datalogic-py peers
run (see `jsonlogic_rule`), so the two rows compare interpreters, not policies.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from json_logic import jsonLogic

from .jsonlogic_rule import RULE
from .workload import Workload

__all__ = ["decide", "inputs"]


def inputs(workload: Workload) -> Sequence[dict[str, Any]]:
    return workload.rows


def decide(batch: Sequence[dict[str, Any]]) -> list[str]:
    rule = RULE
    return [jsonLogic(rule, s) for s in batch]
