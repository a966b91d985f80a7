"""rule-engine 5.1.0 (zeroSteiner's): one `Rule` expression per policy rule, tried in order.

rule-engine compiles a typed expression language (`'abusive' in flags and ...`) into a
`Rule` whose `matches(thing)` reads the thing's attributes through a resolver, here the
default one for mappings.  It has no rule *sets*, so first-match-wins is the loop over
the five rules in the workload's order, "deny" when none matches.  The context declares
each field's type, so type errors are caught when the rules compile.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import rule_engine

from .workload import Workload

__all__ = ["RULES", "decide", "inputs"]

TYPES = {
    "kind": rule_engine.DataType.STRING,
    "flags": rule_engine.DataType.ARRAY(rule_engine.DataType.STRING),
    "tier": rule_engine.DataType.FLOAT,
    "days": rule_engine.DataType.FLOAT,
    "condition": rule_engine.DataType.STRING,
    "store_at_fault": rule_engine.DataType.BOOLEAN,
    "exceptions_90d": rule_engine.DataType.FLOAT,
    "amount": rule_engine.DataType.FLOAT,
}
CONTEXT = rule_engine.Context(type_resolver=rule_engine.type_resolver_from_dict(TYPES))
SOURCES: tuple[tuple[str, str], ...] = (
    ("'abusive' in flags", "escalate"),
    ("kind == 'return' and days <= 30", "approve"),
    (
        "kind == 'return' and days <= 120 and tier >= 4 and condition == 'unused'"
        " and store_at_fault and exceptions_90d < 2",
        "exception",
    ),
    (
        "kind == 'return' and days <= 90 and tier >= 3 and condition == 'unused' and amount <= 100",
        "escalate",
    ),
    ("kind == 'exchange' and days <= 45", "approve"),
)
RULES = tuple((rule_engine.Rule(text, context=CONTEXT), outcome) for text, outcome in SOURCES)


def inputs(workload: Workload) -> Sequence[dict[str, Any]]:
    return workload.rows


def decide_one(s: dict[str, Any]) -> str:
    for rule, outcome in RULES:
        if rule.matches(s):
            return outcome
    return "deny"


def decide(batch: Sequence[dict[str, Any]]) -> list[str]:
    return [decide_one(s) for s in batch]
