"""Shared fixtures: the shipped policies and example situations."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import flexpolicy

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"
EXAMPLES = ROOT / "examples" / "situations"
# The shipped policies; `rules/escalations.yaml` beside them holds case escalation rules.
POLICY_FILES = sorted(
    p for p in RULES.glob("*.yaml") if not flexpolicy.policy.is_escalations_file(p)
)


@pytest.fixture(scope="session")
def policies() -> flexpolicy.PolicySet:
    return flexpolicy.load_policies(RULES)


@pytest.fixture(scope="session")
def returns_policy() -> flexpolicy.Policy:
    return flexpolicy.load_policy(RULES / "returns.yaml")


def example(name: str) -> flexpolicy.Situation:
    data = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
    return flexpolicy.Situation.model_validate(data)
