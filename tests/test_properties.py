"""Properties every shipped policy must have, on generated situations near its thresholds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import flexpolicy
from tests.support.backends import verdicts
from tests.support.paths import POLICY_FILES
from tests.support.strategies import situations

RULES = Path(__file__).resolve().parents[1] / "rules"
POLICIES = {p.stem: flexpolicy.load_policy(p) for p in POLICY_FILES}
RANK = {"deny": 0, "refer": 1, "approve": 2}
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
policy_names = pytest.mark.parametrize("name", sorted(POLICIES))


@policy_names
def test_every_situation_gets_exactly_one_decision(name: str) -> None:
    policy = POLICIES[name]
    ids = {*policy.rule_ids, "default"}

    @SETTINGS
    @given(situations(policy))
    def check(situation: flexpolicy.Situation) -> None:
        decision = policy.decide_situation(situation)
        assert decision.outcome in ("approve", "deny", "refer")
        assert decision.rule_id in ids
        assert (decision.required_role is not None) == (decision.outcome == "refer")
        if decision.outcome == "deny":
            assert decision.remedy is None
            assert not decision.exception
        if decision.exception:
            assert decision.bends
            assert decision.outcome in ("approve", "refer")

    check()


@policy_names
def test_decisions_are_deterministic(name: str) -> None:
    policy = POLICIES[name]

    @SETTINGS
    @given(situations(policy))
    def check(situation: flexpolicy.Situation) -> None:
        first = policy.decide_situation(situation)
        again = policy.decide_situation(situation.model_copy(deep=True))
        assert first.key() == again.key()
        assert first.model_dump_json() == again.model_dump_json()

    check()


@policy_names
def test_compiled_code_agrees_with_the_reference_evaluator(name: str) -> None:
    """The native back end and the reference one, through the one back-end contract."""
    policy = POLICIES[name]

    @SETTINGS
    @given(situations(policy))
    def check(s: flexpolicy.Situation) -> None:
        found = verdicts(policy, s, ("native", "reference"))
        assert found["native"] is found["reference"]

    check()


@policy_names
def test_counterfactuals_really_flip_the_decision(name: str) -> None:
    policy = POLICIES[name]
    seen = {"with_changes": 0}

    @SETTINGS
    @given(situations(policy))
    def check(situation: flexpolicy.Situation) -> None:
        decision = policy.decide_situation(situation)
        for alternative in decision.alternatives:
            assert RANK[alternative.outcome] > RANK[decision.outcome]
            assert alternative.unmet
            if alternative.changes is None:
                continue
            seen["with_changes"] += 1
            flipped = policy.decide_situation(situation.with_changes(alternative.changes))
            assert RANK[flipped.outcome] >= RANK[alternative.outcome], (
                alternative.rule_id,
                alternative.changes,
                flipped,
            )

    check()


@policy_names
def test_rationale_is_explained_for_both_audiences(name: str) -> None:
    policy = POLICIES[name]
    internal = ("tier", "lifetime value", "exceptions_90d", "flagged", "fraud_watch")

    @SETTINGS
    @given(situations(policy))
    def check(situation: flexpolicy.Situation) -> None:
        decision = policy.decide_situation(situation)
        staff, customer = decision.rationale.staff, decision.rationale.customer
        assert f"`{decision.rule_id}`" in staff
        assert staff
        assert customer
        assert "{" not in staff
        assert "{" not in customer
        for rule_id in (*policy.rule_ids, "default"):
            assert f"`{rule_id}`" not in customer
        lowered = customer.lower()
        assert not any(word in lowered for word in internal), customer
        json.loads(decision.model_dump_json())

    check()


@given(st.integers(1, 4), st.data())
@settings(max_examples=300, deadline=None)
def test_a_better_tier_is_never_treated_worse_on_returns(tier: int, data: st.DataObject) -> None:
    policy = POLICIES["returns"]
    situation = data.draw(situations(policy))
    worse = situation.model_copy(
        update={"customer": situation.customer.model_copy(update={"tier": tier})}
    )
    better = situation.model_copy(
        update={"customer": situation.customer.model_copy(update={"tier": tier + 1})}
    )
    low = policy.decide_situation(worse)
    high = policy.decide_situation(better)
    assert RANK[high.outcome] >= RANK[low.outcome], (low, high)
