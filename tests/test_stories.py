"""The stories flexpolicy exists for, end to end on the shipped rules and examples."""

from __future__ import annotations

from decimal import Decimal

import flexpolicy
from conftest import EXAMPLES, example


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
