"""Regression tests of what the million-input `make fuzz` run found (FLEXPOLICY_FUZZ_SEED
20261120), after the CI-sized runs had come back clean.  Earlier findings are in
tests/build/test_sandbox.py and tests/facts/test_fact_numbers.py.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from flexpolicy import Policy, PolicyError
from tests.support.paths import ROOT

REQUEST = {"id": "R-1", "kind": "return", "requested_at": "2026-11-20"}
AMOUNT_FROM_ATTRIBUTE = """\
policy: attribute-amount
version: "1"
applies_to: [return]
roles: [associate]
rules:
  - id: r
    when: customer.tier >= 1
    outcome: approve
    remedy: refund
    amount: customer.attributes.credit
"""


@pytest.mark.parametrize(
    ("credit", "amount"),
    [("x" * 40, None), (True, None), (12, Decimal(12)), (Decimal("12.50"), Decimal("12.50"))],
)
def test_an_amount_read_from_a_store_attribute_is_a_number_or_unknown(
    credit: object, amount: Decimal | None
) -> None:
    """Input 165,794 of `bulk-expressions`: an `amount:` reading a store attribute that
    held text raised `decimal.InvalidOperation` in the compiled policy."""
    policy = Policy.from_yaml(AMOUNT_FROM_ATTRIBUTE)
    decision = policy.decide(
        REQUEST, customer={"id": "C", "tier": 1, "attributes": {"credit": credit}}
    )
    assert decision.rule_id == "r"
    assert decision.amount == amount
    assert type(decision.amount) is type(amount)
    decision.rationale  # noqa: B018 - rendering it must not raise either


def test_a_version_that_is_a_mapping_is_reported() -> None:
    """Input 14,158 of `bulk-near-valid`: `version: {}` made the loader raise
    `ValueError("PolicyError needs at least one problem")`: every error pydantic gave
    came from a branch of the `str | int | Decimal` union, and a mapping given to a
    union was taken to mean its mapping branch, which this union does not have."""
    text = (ROOT / "rules" / "price_adjustments.yaml").read_text(encoding="utf-8")
    text = text.replace('version: "2026.11"', "version: {}", 1)
    with pytest.raises(PolicyError) as caught:
        Policy.from_yaml(text, file=str(Path("rules", "price_adjustments.yaml")))
    (problem,) = caught.value.problems
    assert (problem.code, problem.line, problem.column) == ("bad-value", 4, 10)
    assert problem.message == "`version`: input should be a valid string"
    assert problem.hint == 'write the version as text or a number, e.g. `version: "2026.11"`'


def test_a_mapping_meant_for_a_mapping_branch_still_reports_only_that_branch() -> None:
    """The other side of the fix above: `explain: {staf: ...}` is still one problem."""
    text = AMOUNT_FROM_ATTRIBUTE + "    explain: {staf: hello}\n"
    with pytest.raises(PolicyError) as caught:
        Policy.from_yaml(text)
    assert [p.code for p in caught.value.problems] == ["unknown-key"]
