"""A decision's JSON form is complete, stable and reads back equal."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import flexpolicy
from tests.support.paths import EXAMPLES

FILES = sorted(EXAMPLES.glob("*.yaml"))


@pytest.mark.parametrize("file", FILES, ids=[f.stem for f in FILES])
def test_records_read_back_equal(policies: flexpolicy.PolicySet, file: Path) -> None:
    (situation,) = flexpolicy.read_situations(file)
    decision = policies.decide_situation(situation)
    text = decision.model_dump_json()
    assert flexpolicy.DecisionRecord.model_validate_json(text) == decision.to_record()
    data = json.loads(text)
    assert data == decision.model_dump(mode="json")
    for key in ("outcome", "exception", "remedy", "amount", "required_role", "rule_id"):
        assert key in data
    assert {"bends", "rationale", "trace", "alternatives", "levers"} <= set(data)
    assert data["policy_digest"].startswith("sha256:")


def test_situation_files_keep_money_exact(tmp_path: Path) -> None:
    (situation,) = flexpolicy.read_situations(EXAMPLES / "double-charge.yaml")
    assert situation.request.amount == Decimal("129.00")
    assert str(situation.request.amount) == "129.00"


def test_decision_key_ignores_the_explanation(policies: flexpolicy.PolicySet) -> None:
    (situation,) = flexpolicy.read_situations(EXAMPLES / "power-adapter-associate.yaml")
    first = policies.decide_situation(situation)
    second = policies.decide_situation(situation)
    assert first.key() == second.key()
    assert first.key() == (
        "refer",
        True,
        "store_credit",
        Decimal("59.99"),
        "supervisor",
        "loyal-store-fault",
        ("past-window",),
        None,
        ("store_credit",),
    )


def test_lever_customer_text_is_offered(policies: flexpolicy.PolicySet) -> None:
    (situation,) = flexpolicy.read_situations(EXAMPLES / "exchange.yaml")
    decision = policies.decide_situation(situation)
    lever = next(x for x in decision.levers if x.id == "price-difference")
    assert lever.cap == Decimal("10")
    assert lever.higher_role == "supervisor"
    assert lever.customer_text is not None
    assert "tier" not in lever.customer_text.lower()


def test_a_fact_that_reads_a_score_may_not_reach_customer_text() -> None:
    text = """
policy: p
version: "1"
applies_to: [return]
roles: [associate]
facts:
  tier_now: customer.tier
rules:
  - id: r
    when: true
    outcome: approve
    explain:
      staff: fine {tier_now}
      customer: Your tier is {tier_now}, handled by {actor.id}.
"""
    with pytest.raises(flexpolicy.PolicyError) as info:
        flexpolicy.Policy.from_yaml(text, file="p.yaml")
    codes = [p.code for p in info.value.problems]
    assert codes == ["internal-in-customer-text", "internal-in-customer-text"]
    assert "fact `tier_now`, which reads `customer.tier`" in info.value.problems[0].message
    assert (info.value.problems[0].line, info.value.problems[0].column) == (
        14,
        31,
    )  # the `t` of `tier_now`
