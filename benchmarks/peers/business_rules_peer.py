"""business-rules 1.1.1 (Venmo's): the five rules as its JSON-shaped rule list.

business-rules reads facts through a `BaseVariables` class whose typed methods wrap one
situation, and acts through a `BaseActions` class; `run_all(..., stop_on_first_trigger=
True)` gives first-match-wins in list order.  The flags are a `select` variable tested
with `contains`; the other facts are numeric, string and boolean variables.  No rule
triggered means the default, "deny".  Both wrapper objects are made per situation, as
the library's design requires.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from business_rules import run_all
from business_rules.actions import BaseActions, rule_action
from business_rules.fields import FIELD_TEXT
from business_rules.variables import (
    BaseVariables,
    boolean_rule_variable,
    numeric_rule_variable,
    select_rule_variable,
    string_rule_variable,
)

from .workload import Workload

__all__ = ["RULES", "decide", "inputs"]


def _is(name: str, value: Any) -> dict[str, Any]:
    return {"name": name, "operator": "equal_to", "value": value}


def _cmp(name: str, operator: str, value: Any) -> dict[str, Any]:
    return {"name": name, "operator": operator, "value": value}


def _rule(outcome: str, *conditions: dict[str, Any]) -> dict[str, Any]:
    return {
        "conditions": {"all": list(conditions)},
        "actions": [{"name": "decide", "params": {"outcome": outcome}}],
    }


LE, GE, LT = "less_than_or_equal_to", "greater_than_or_equal_to", "less_than"
RULES = [
    _rule("escalate", _cmp("flags", "contains", "abusive")),
    _rule("approve", _is("kind", "return"), _cmp("days", LE, 30)),
    _rule(
        "exception",
        _is("kind", "return"),
        _cmp("days", LE, 120),
        _cmp("tier", GE, 4),
        _is("condition", "unused"),
        _cmp("store_at_fault", "is_true", ""),
        _cmp("exceptions_90d", LT, 2),
    ),
    _rule(
        "escalate",
        _is("kind", "return"),
        _cmp("days", LE, 90),
        _cmp("tier", GE, 3),
        _is("condition", "unused"),
        _cmp("amount", LE, 100),
    ),
    _rule("approve", _is("kind", "exchange"), _cmp("days", LE, 45)),
]


class Facts(BaseVariables):
    def __init__(self, s: dict[str, Any]) -> None:
        self.s = s

    @select_rule_variable(options=["abusive", "fraud_watch"])
    def flags(self) -> list[str]:
        return self.s["flags"]

    @string_rule_variable()
    def kind(self) -> str:
        return self.s["kind"]

    @numeric_rule_variable()
    def days(self) -> int:
        return self.s["days"]

    @numeric_rule_variable()
    def tier(self) -> int:
        return self.s["tier"]

    @string_rule_variable()
    def condition(self) -> str:
        return self.s["condition"]

    @boolean_rule_variable()
    def store_at_fault(self) -> bool:
        return self.s["store_at_fault"]

    @numeric_rule_variable()
    def exceptions_90d(self) -> int:
        return self.s["exceptions_90d"]

    @numeric_rule_variable()
    def amount(self) -> float:
        return self.s["amount"]


class Outcome(BaseActions):
    def __init__(self) -> None:
        self.outcome = "deny"

    @rule_action(params={"outcome": FIELD_TEXT})
    def decide(self, outcome: str) -> None:
        self.outcome = outcome


def inputs(workload: Workload) -> Sequence[dict[str, Any]]:
    return workload.rows


def decide_one(s: dict[str, Any]) -> str:
    actions = Outcome()
    run_all(RULES, Facts(s), actions, stop_on_first_trigger=True)
    return actions.outcome


def decide(batch: Sequence[dict[str, Any]]) -> list[str]:
    return [decide_one(s) for s in batch]
