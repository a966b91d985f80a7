"""`flexpolicy.testing`: the strategies aim at thresholds, and the properties can fail."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import flexpolicy
from flexpolicy import testing
from tests.support.paths import POLICY_FILES, RULES

RETURNS = flexpolicy.load_policy(RULES / "returns.yaml")


@given(testing.situations(RETURNS))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_three_line_property_test_passes_on_returns(situation: flexpolicy.Situation) -> None:
    testing.check_all(RETURNS, situation)


@pytest.mark.parametrize("path", POLICY_FILES, ids=[p.stem for p in POLICY_FILES])
def test_every_shipped_policy_passes_every_property(path: object) -> None:
    policy = flexpolicy.load_policy(path)  # type: ignore[arg-type]  # a Path from the list

    @given(testing.situations(policy))
    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def check(situation: flexpolicy.Situation) -> None:
        testing.check_all(policy, situation)

    check()


def test_thresholds_are_read_from_the_policy() -> None:
    found = testing.thresholds(RETURNS)
    assert {30, 90, 120} <= set(found["days_since_purchase"])
    assert 4 in found["customer.tier"]


def test_situations_sit_on_the_thresholds() -> None:
    seen: set[int] = set()

    @given(testing.situations(RETURNS))
    @settings(max_examples=300, deadline=None, database=None, derandomize=True)
    def collect(situation: flexpolicy.Situation) -> None:
        assert situation.transaction is not None
        seen.add((situation.request.requested_at - situation.transaction.purchased_at).days)

    collect()
    assert {29, 30, 31} <= seen


UNFAIR = """
policy: unfair
version: "1"
applies_to: [return]
roles: [associate]
rules:
  - id: only-tier-four
    when: customer.tier == 4
    outcome: approve
    remedy: refund
"""


def test_check_monotone_catches_a_policy_that_treats_better_customers_worse() -> None:
    policy = flexpolicy.Policy.from_yaml(UNFAIR)
    situation = flexpolicy.Situation.model_validate(
        {
            "request": {"id": "r", "kind": "return", "requested_at": "2026-11-20"},
            "customer": {"id": "c", "tier": 4},
        }
    )
    with pytest.raises(AssertionError, match=r"customer\.tier from 4 to 5"):
        testing.check_monotone(policy, situation)
    testing.check_monotone(policy, situation.with_changes({"customer.tier": 2}))


@given(st.data())
@settings(max_examples=50, deadline=None, database=None)
def test_hypothesis_finds_the_unfair_policy(data: st.DataObject) -> None:
    policy = flexpolicy.Policy.from_yaml(UNFAIR)
    situation = data.draw(testing.situations(policy))
    if situation.customer.tier == 4:
        with pytest.raises(AssertionError):
            testing.check_monotone(policy, situation)
