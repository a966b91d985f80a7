"""The peer benchmark of issue 7: one 5-rule return policy, written once per engine.

Each peer module gives the same policy in that engine's own form and two functions:
`inputs(workload)` builds, once and outside the timing, the batch in the form the
engine takes (pydantic models for flexpolicy, plain dicts for most peers, JSON text for
the JSON path), and `decide(batch) -> list[str]` decides every situation of the batch,
answering in the common vocabulary "escalate" / "approve" / "exception" / "deny".
`benchmarks/peers.py` checks every peer against the hand-written function on every
situation before it times anything, so a fast wrong answer can never make the table.

`PEERS` lists them in table order, with the import name and the distribution each one
needs, so the runner can say "not installed" instead of crashing.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LABELS", "PEERS", "Peer"]

LABELS = ("escalate", "approve", "exception", "deny")


@dataclass(frozen=True, slots=True)
class Peer:
    """One row of the table."""

    key: str  # what `--peers` names
    title: str  # the row's label
    module: str  # the module of this package that implements it
    requires: str | None = None  # the import the peer needs, None for flexpolicy alone
    distribution: str | None = None  # whose version the table reports (None: plain Python)


PEERS: tuple[Peer, ...] = (
    Peer("hand", "hand-written Python (the ceiling)", "handwritten"),
    Peer("hand-models", "hand-written Python on Situation models", "handwritten_models"),
    Peer(
        "flexpolicy",
        "flexpolicy decide_all (pre-built models)",
        "flex_native",
        distribution="flexpolicy",
    ),
    Peer(
        "flexpolicy-decide",
        "flexpolicy decide (one at a time)",
        "flex_decide",
        distribution="flexpolicy",
    ),
    Peer(
        "flexpolicy-json",
        "flexpolicy from JSON text (parse+validate+decide)",
        "flex_json",
        distribution="flexpolicy",
    ),
    Peer(
        "flexpolicy-durable",
        "flexpolicy durable engine decide_all",
        "flex_durable",
        "durable",
        "flexpolicy",
    ),
    Peer(
        "durable-rules", "durable-rules (own ruleset)", "durable_peer", "durable", "durable-rules"
    ),
    Peer("zen-engine", "zen-engine ZenEngine.evaluate", "zen_peer", "zen", "zen-engine"),
    Peer(
        "business-rules",
        "business-rules run_all",
        "business_rules_peer",
        "business_rules",
        "business-rules",
    ),
    Peer(
        "rule-engine", "rule-engine Rule.matches", "rule_engine_peer", "rule_engine", "rule-engine"
    ),
    Peer(
        "json-logic",
        "panzi-json-logic jsonLogic",
        "json_logic_peer",
        "json_logic",
        "panzi-json-logic",
    ),
    Peer(
        "datalogic",
        "datalogic-py Rule.evaluate (dicts)",
        "datalogic_peer",
        "datalogic_py",
        "datalogic-py",
    ),
    Peer(
        "datalogic-batch",
        "datalogic-py Session.evaluate_batch (pre-parsed)",
        "datalogic_batch_peer",
        "datalogic_py",
        "datalogic-py",
    ),
    Peer("cedarpy", "cedarpy is_authorized_batch", "cedar_peer", "cedarpy", "cedarpy"),
)
