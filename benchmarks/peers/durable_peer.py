"""durable-rules 2.0.28 used directly: the five rules as a hand-written ruleset.

The ruleset is durable-rules' own dict format (what its `ruleset` / `when_all` DSL
compiles to), one single-fact rule per policy rule plus a catch-all.  Durable-rules has
no "first match wins": asserting a fact fires every rule it matches, so each action
records its rule and the lowest-numbered hit decides, which is the workload's order.

The traps DESIGN.md lists (and `flexpolicy._engine.durable` contains) shape this module too:
a private `Host` that starts no dispatch threads and registers nothing process-wide;
`assert_fact` rather than `post`, because an event is consumed by the first rule that
matches it; a unique sid per decision whose state is deleted right after, because a
ruleset holds at most 1,024 live sids; and a catch-all rule, because a fact nothing
matches raises `MessageNotHandledException` and deleting its state crashes the
process (it tests `kind`: an `$ex` on `sid` never returns).  Flag membership uses
`$iany` over the `flags` list, durable-rules' own array operator.  This peer takes no
lock and records hits in a module-level list: the benchmark is single-threaded, and a
lock would only slow the peer down.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from durable import engine

from .workload import Workload

__all__ = ["RULESET", "decide", "inputs"]

NAME = "peer-returns"
# (rule name, condition, outcome) in the workload's order; the catch-all comes last.
RULES: tuple[tuple[str, dict[str, Any], str], ...] = (
    ("r1", {"$iany": {"flags": {"$i": "abusive"}}}, "escalate"),
    ("r2", {"$and": [{"kind": "return"}, {"$lte": {"days": 30}}]}, "approve"),
    (
        "r3",
        {
            "$and": [
                {"kind": "return"},
                {"$lte": {"days": 120}},
                {"$gte": {"tier": 4}},
                {"condition": "unused"},
                {"store_at_fault": True},
                {"$lt": {"exceptions_90d": 2}},
            ]
        },
        "exception",
    ),
    (
        "r4",
        {
            "$and": [
                {"kind": "return"},
                {"$lte": {"days": 90}},
                {"$gte": {"tier": 3}},
                {"condition": "unused"},
                {"$lte": {"amount": 100}},
            ]
        },
        "escalate",
    ),
    ("r5", {"$and": [{"kind": "exchange"}, {"$lte": {"days": 45}}]}, "approve"),
    # The catch-all: every fact has a kind (an `$ex` on `sid` never returns).
    ("r6", {"$ex": {"kind": 1}}, "deny"),
)
OUTCOMES = {name: outcome for name, _, outcome in RULES}
ORDER = {name: i for i, (name, _, _) in enumerate(RULES)}


class _QuietHost(engine.Host):  # type: ignore[misc]  # durable-rules ships no type stubs
    """A host of our own that never starts durable-rules' background dispatch threads."""

    def _run(self) -> None:
        return None


_hits: list[str] = []


def _action(name: str) -> Any:
    def fired(_closure: Any) -> None:
        _hits.append(name)

    return fired


RULESET = {name: {"all": [{"m": cond}], "run": _action(name)} for name, cond, _ in RULES}
HOST = _QuietHost()
HOST.set_rulesets({NAME: RULESET})
_sids = itertools.count()


def inputs(workload: Workload) -> Sequence[dict[str, Any]]:
    return workload.rows


def decide_one(s: dict[str, Any]) -> str:
    sid = f"s{next(_sids)}"
    _hits.clear()
    HOST.assert_fact(NAME, {**s, "sid": sid})
    HOST.delete_state(NAME, sid)
    return OUTCOMES[min(_hits, key=ORDER.__getitem__)]


def decide(batch: Sequence[dict[str, Any]]) -> list[str]:
    return [decide_one(s) for s in batch]
