"""What the four flexpolicy rows share: the policy file and the outcome vocabulary.

flexpolicy answers `approve` / `deny` / `refer` with an `exception` flag; the table's
common vocabulary folds that into one label: a `refer` (the abusive guard, or the
store-manager review an associate cannot grant) is "escalate", an approval that bends
the default is "exception".
"""

from __future__ import annotations

from pathlib import Path

from flexpolicy import Decision

__all__ = ["POLICY_FILE", "label"]

POLICY_FILE = Path(__file__).with_name("policy.yaml")


def label(decision: Decision) -> str:
    outcome = decision.outcome
    if outcome == "approve":
        return "exception" if decision.exception else "approve"
    return "escalate" if outcome == "refer" else "deny"
