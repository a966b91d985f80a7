"""Where the shipped policies and example situations live, and a reader for the examples."""

from __future__ import annotations

from pathlib import Path

import yaml

import flexpolicy

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules"
EXAMPLES = ROOT / "examples" / "situations"
# The shipped policies; `rules/escalations.yaml` beside them holds case escalation rules.
POLICY_FILES = sorted(
    p for p in RULES.glob("*.yaml") if not flexpolicy.policy._is_escalations_file(p)
)


def example(name: str) -> flexpolicy.Situation:
    """The example situation `examples/situations/<name>.yaml`."""
    data = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
    return flexpolicy.Situation.model_validate(data)
