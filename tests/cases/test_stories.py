"""The stories flexpolicy exists for, end to end on the shipped rules and examples."""

from __future__ import annotations

from decimal import Decimal

import flexpolicy
from tests.support.paths import EXAMPLES, example


def test_power_adapter_associate_refers_to_a_supervisor(policies: flexpolicy.PolicySet) -> None:
    decision = policies.decide_situation(example("power-adapter-associate"))
    assert decision.outcome == "refer"
    assert decision.required_role == "supervisor"
    assert decision.rule_id == "loyal-store-fault"
    assert decision.remedy == "store_credit"
    assert decision.exception is True
    assert decision.bends == ("past-window",)
    assert decision.amount == Decimal("59.99")
    staff = decision.rationale.staff
    assert "supervisor" in staff
    assert "`loyal-store-fault`" in staff
    assert "Tier 4" in staff
    customer = decision.rationale.customer
    assert "store credit" in customer
    assert "supervisor" in customer
    assert "loyal-store-fault" not in customer
    assert "tier" not in customer.lower()


def test_power_adapter_supervisor_approves_store_credit(policies: flexpolicy.PolicySet) -> None:
    decision = policies.decide_situation(example("power-adapter-supervisor"))
    assert decision.outcome == "approve"
    assert decision.required_role is None
    assert decision.rule_id == "loyal-store-fault"
    assert decision.remedy == "store_credit"
    assert decision.exception is True
    assert "`loyal-store-fault`" in decision.rationale.staff
    assert "exception to `past-window`" in decision.rationale.staff


def test_the_associate_decision_says_who_can_approve_and_why(
    policies: flexpolicy.PolicySet,
) -> None:
    decision = policies.decide_situation(example("power-adapter-associate"))
    flex = [t for t in decision.trace if t.rule_id == "loyal-store-fault"]
    assert flex
    assert flex[0].matched
    assert flex[0].note == "bends the denial"
    window = next(t for t in decision.trace if t.rule_id == "standard-window")
    failed = [c for c in window.conditions if c.passed is False]
    assert failed
    assert "92 days" in failed[0].text


def test_double_charge_is_refunded_whatever_the_window(policies: flexpolicy.PolicySet) -> None:
    decision = policies.decide_situation(example("double-charge"))
    assert (decision.outcome, decision.rule_id, decision.remedy) == (
        "approve",
        "double-charge",
        "refund",
    )
    assert decision.amount == Decimal("129.00")
    assert {lever.id for lever in decision.levers} >= {"repeat-contact-card"}


def test_abusive_account_is_reviewed_by_a_manager(policies: flexpolicy.PolicySet) -> None:
    decision = policies.decide_situation(example("abusive-customer"))
    assert decision.outcome == "refer"
    assert decision.required_role == "store_manager"
    assert decision.exception is False
    assert decision.alternatives == []
    assert decision.levers == []
    assert "abusive" not in decision.rationale.customer


def test_loyal_customer_gets_the_new_customer_deal(policies: flexpolicy.PolicySet) -> None:
    decision = policies.decide_situation(example("loyal-new-customer-deal"))
    assert decision.outcome == "approve"
    assert decision.exception is True
    assert decision.remedy == "price_adjustment"


def test_late_return_explains_the_window_and_what_could_change(
    policies: flexpolicy.PolicySet,
) -> None:
    situation = example("late-return-denied")
    decision = policies.decide_situation(situation)
    assert decision.outcome == "deny"
    assert "45" in decision.rationale.staff
    assert "30" in decision.rationale.staff


def test_every_example_is_decided(policies: flexpolicy.PolicySet) -> None:
    files = sorted(EXAMPLES.glob("*.yaml"))
    assert len(files) >= 8
    for file in files:
        decision = policies.decide_situation(example(file.stem))
        assert decision.rationale.staff
        assert decision.rationale.customer


def test_a_missing_box_is_something_the_customer_can_fix(policies: flexpolicy.PolicySet) -> None:
    situation = example("exchange").with_changes({"customer.tier": 2})
    decision = policies.decide_situation(situation)
    assert (decision.outcome, decision.rule_id) == ("deny", "missing-packaging")
    first = decision.alternatives[0]
    assert first.rule_id == "standard-exchange"
    assert first.customer_can_act
    assert first.unmet[0].customer_text == "the original packaging is intact"
    assert first.changes == {"request.packaging_intact": True}
    assert "We could help if the original packaging is intact" in decision.rationale.customer
    flipped = policies.decide_situation(situation.with_changes(first.changes))
    assert (flipped.outcome, flipped.rule_id) == ("approve", "standard-exchange")


def test_tier_is_a_counterfactual_the_customer_cannot_change(
    policies: flexpolicy.PolicySet,
) -> None:
    situation = example("exchange").with_changes({"customer.tier": 2})
    decision = policies.decide_situation(situation)
    by_rule = {a.rule_id: a for a in decision.alternatives}
    tier = by_rule["regular-no-box"]
    assert not tier.customer_can_act
    assert tier.unmet[0].customer_text is None  # never tell a customer their score
    assert tier.changes == {"customer.tier": 3}
    assert tier.exception
    flipped = policies.decide_situation(situation.with_changes(tier.changes))
    assert flipped.rule_id == "regular-no-box"
    assert flipped.outcome == "approve"


def test_the_window_counterfactual_moves_the_purchase_date(
    policies: flexpolicy.PolicySet,
) -> None:
    situation = example("late-return-denied")
    decision = policies.decide_situation(situation)
    window = next(a for a in decision.alternatives if a.rule_id == "standard-window")
    assert window.unmet[0].text == "bought within the last 30 days"
    assert window.changes is not None
    flipped = policies.decide_situation(situation.with_changes(window.changes))
    assert flipped.outcome == "approve"
