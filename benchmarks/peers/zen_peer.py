"""zen-engine 2.1.3: the policy as a JDM graph with one first-hit decision table.

GoRules' JSON Decision Model is what its editor saves: an input node, a decision table
with hit policy `first` (a row per rule, in the workload's order, the catch-all row
last), and an output node.  Each cell is a zen unary expression over its column (`$` is
the column's value; an empty cell matches anything).  `ZenEngine.evaluate` is called
once per situation with the flat dict, through a static loader holding the one graph,
as a service calling the engine by decision key would.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import zen

from .workload import Workload

__all__ = ["GRAPH", "decide", "inputs"]

KEY = "returns.json"
COLUMNS = (
    "flags",
    "kind",
    "days",
    "tier",
    "condition",
    "store_at_fault",
    "exceptions_90d",
    "amount",
)
# One row per rule, first hit wins: (cells by column, outcome).
ROWS: tuple[tuple[dict[str, str], str], ...] = (
    ({"flags": 'contains($, "abusive")'}, "escalate"),
    ({"kind": '"return"', "days": "<= 30"}, "approve"),
    (
        {
            "kind": '"return"',
            "days": "<= 120",
            "tier": ">= 4",
            "condition": '"unused"',
            "store_at_fault": "true",
            "exceptions_90d": "< 2",
        },
        "exception",
    ),
    (
        {
            "kind": '"return"',
            "days": "<= 90",
            "tier": ">= 3",
            "condition": '"unused"',
            "amount": "<= 100",
        },
        "escalate",
    ),
    ({"kind": '"exchange"', "days": "<= 45"}, "approve"),
    ({}, "deny"),
)


def _graph() -> dict[str, Any]:
    inputs_ = [{"id": f"in-{c}", "name": c, "field": c} for c in COLUMNS]
    rules = []
    for i, (cells, outcome) in enumerate(ROWS):
        rule = {"_id": f"rule-{i + 1}", "out-outcome": json.dumps(outcome)}
        rule.update({f"in-{c}": cells.get(c, "") for c in COLUMNS})
        rules.append(rule)
    table = {
        "id": "table",
        "type": "decisionTableNode",
        "name": "returns",
        "position": {"x": 300, "y": 0},
        "content": {
            "hitPolicy": "first",
            "inputs": inputs_,
            "outputs": [{"id": "out-outcome", "name": "outcome", "field": "outcome"}],
            "rules": rules,
        },
    }
    return {
        "nodes": [
            {"id": "request", "type": "inputNode", "name": "request", "position": {"x": 0, "y": 0}},
            table,
            {
                "id": "response",
                "type": "outputNode",
                "name": "response",
                "position": {"x": 600, "y": 0},
            },
        ],
        "edges": [
            {"id": "e1", "sourceId": "request", "targetId": "table", "type": "edge"},
            {"id": "e2", "sourceId": "table", "targetId": "response", "type": "edge"},
        ],
    }


GRAPH = _graph()
ENGINE = zen.ZenEngine({"loader": {"type": "static", "content": {KEY: GRAPH}}})


def inputs(workload: Workload) -> Sequence[dict[str, Any]]:
    return workload.rows


def decide(batch: Sequence[dict[str, Any]]) -> list[str]:
    evaluate = ENGINE.evaluate
    return [evaluate(KEY, s)["result"]["outcome"] for s in batch]
