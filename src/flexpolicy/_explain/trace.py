"""The trace: the rules a decision went through, each condition with its values and words.

The record says what was seen (`Record.path`); this module only tells it: each
condition's `text` is the wording layer's (`Phrases.said`), falling back to the
condition's source when there are no words for it, and each rule's note says
what it did.
"""

from __future__ import annotations

from ..decision import ConditionTrace, RuleTrace
from .outputs import made
from .phrases import Phrases
from .record import Record, RuleSeen

# What a rule that decided did, by its kind.
NOTES = {
    "guard": "decides",
    "standard": "decides",
    "default": "no standard rule matched",
    "flex": "bends the denial",
}


def rule_trace(seen: RuleSeen, phrases: Phrases) -> RuleTrace:
    said = phrases.said
    conditions = [
        made(
            ConditionTrace,
            {
                "source": x.condition.source,
                "passed": x.passed,
                "values": x.values,
                "text": said(x.condition.expr) or x.condition.source,
            },
        )
        for x in seen.conditions
    ]
    return made(
        RuleTrace,
        {
            "rule_id": seen.rule.id,
            "kind": seen.kind,
            "matched": seen.matched,
            "conditions": conditions,
            "note": _note(seen),
        },
    )


# A guard that decided without matching: it failed closed on an unknown condition.
FAILED_CLOSED = "applies: it cannot be ruled out while a fact it reads is missing"


def _note(seen: RuleSeen) -> str | None:
    if not seen.decides:
        return None
    if seen.kind == "guard" and not seen.matched:
        return FAILED_CLOSED
    return NOTES[seen.kind]


def trace(record: Record, phrases: Phrases) -> list[RuleTrace]:
    return [rule_trace(seen, phrases) for seen in record.path()]
