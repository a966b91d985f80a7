"""Shared fixtures: the shipped policies, loaded once a session."""

from __future__ import annotations

import pytest

import flexpolicy
from tests.support.paths import RULES


@pytest.fixture(scope="session")
def policies() -> flexpolicy.PolicySet:
    return flexpolicy.load_policies(RULES)


@pytest.fixture(scope="session")
def returns_policy() -> flexpolicy.Policy:
    return flexpolicy.load_policy(RULES / "returns.yaml")
