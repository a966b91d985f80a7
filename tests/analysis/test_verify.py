"""`flexpolicy verify`: properties proved for every situation, or refuted with situations
the real policy confirms."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import flexpolicy
from flexpolicy.analysis import compare, verify_invariant, verify_monotone
from tests.support.cli import run
from tests.support.paths import POLICY_FILES, RULES

UNFAIR = """
policy: unfair
version: "1"
applies_to: [return]
roles: [associate, supervisor]
rules:
  - id: loyal
    when: [customer.tier == 4, days_since_purchase <= 60]
    outcome: approve
    remedy: refund
  - id: standard
    when: days_since_purchase <= 30
    outcome: approve
    remedy: refund
"""


def _returns_with(tmp_path: Path, old: str, new: str) -> Path:
    text = (RULES / "returns.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "returns.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.stem)
def test_shipped_policies_are_monotone_in_tier(path: Path) -> None:
    result = verify_monotone(flexpolicy.load_policy(path), "customer.tier")
    assert result.status == "proved", result
    assert result.holds is True
    assert result.counterexample == ()


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.stem)
def test_shipped_policies_never_favour_an_older_purchase(path: Path) -> None:
    result = verify_monotone(flexpolicy.load_policy(path), "days_since_purchase", increasing=False)
    assert result.status == "proved", result


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.stem)
def test_shipped_policies_ignore_the_sales_channel(path: Path) -> None:
    assert verify_invariant(flexpolicy.load_policy(path), "transaction.channel").holds is True


def test_an_unfair_policy_is_refuted_with_a_confirmed_pair() -> None:
    policy = flexpolicy.Policy.from_yaml(UNFAIR)
    result = verify_monotone(policy, "customer.tier")
    assert result.status == "refuted"
    low, high = result.counterexample
    assert low.customer.tier < high.customer.tier
    assert low.model_copy(update={"customer": high.customer}) == high  # only the tier differs
    first, second = (policy.decide_situation(s) for s in (low, high))
    assert (first.outcome, second.outcome) == result.outcomes == ("approve", "deny")


def test_lower_is_better_fields() -> None:
    policy = flexpolicy.load_policy(RULES / "goodwill.yaml")
    result = verify_monotone(policy, "customer.exceptions_90d", increasing=False)
    # More gestures already this quarter sends a request to a supervisor (refer) where fewer
    # gets the plain default denial: the property fails, and the pair shows how.
    assert result.status == "refuted"
    low, high = result.counterexample
    assert high.customer.exceptions_90d < low.customer.exceptions_90d
    assert result.outcomes == ("refer", "deny")


def test_a_field_that_matters_is_not_invariant() -> None:
    result = verify_invariant(flexpolicy.load_policy(RULES / "returns.yaml"), "customer.tier")
    assert result.status == "refuted"
    a, b = result.outcomes
    assert a != b


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("customer.teir", "did you mean `tier`?"),
        ("custmer.tier", "did you mean `customer`?"),
        ("customer.segment", "which has no order"),
    ],
)
def test_bad_fields_are_input_errors(path: str, message: str) -> None:
    policy = flexpolicy.load_policy(RULES / "returns.yaml")
    with pytest.raises(flexpolicy.InputError) as info:
        verify_monotone(policy, path)
    assert message in str(info.value)


def test_a_stricter_version_is_caught(tmp_path: Path) -> None:
    old = flexpolicy.load_policy(RULES / "returns.yaml")
    new = flexpolicy.load_policy(_returns_with(tmp_path, "window_days: 30", "window_days: 14"))
    comparison = compare(old, new)
    assert comparison.only_more_generous.status == "refuted"
    (situation,) = comparison.only_more_generous.counterexample
    before, after = old.decide_situation(situation), new.decide_situation(situation)
    order = ["deny", "refer", "approve"]
    assert order.index(after.outcome) < order.index(before.outcome)
    assert not comparison.unchanged


def test_a_more_generous_version_is_proved_so(tmp_path: Path) -> None:
    old = flexpolicy.load_policy(RULES / "returns.yaml")
    new = flexpolicy.load_policy(_returns_with(tmp_path, "window_days: 30", "window_days: 45"))
    comparison = compare(old, new)
    assert comparison.only_more_generous.status == "proved"
    changed = {r.name: r for r in comparison.changes if r.status == "refuted"}
    assert "never deny -> approve" in changed
    (example,) = changed["never deny -> approve"].counterexample
    assert old.decide_situation(example).outcome == "deny"
    assert new.decide_situation(example).outcome == "approve"


def test_a_policy_against_itself_is_unchanged() -> None:
    policy = flexpolicy.load_policy(RULES / "refunds.yaml")
    assert compare(policy, policy).unchanged


# -- the command line ---------------------------------------------------------------------


def test_cli_proves_tier_monotonicity_of_returns() -> None:
    result = run("verify", "rules/returns.yaml", "--property", "monotone:customer.tier")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("proved   monotone:customer.tier")


def test_cli_refutes_with_json_counterexamples(tmp_path: Path) -> None:
    path = tmp_path / "unfair.yaml"
    path.write_text(UNFAIR, encoding="utf-8")
    result = run("verify", str(path), "--property", "monotone:customer.tier", "--format", "json")
    assert result.returncode == 1
    (found,) = json.loads(result.stdout)["properties"]
    assert found["status"] == "refuted"
    assert [s["customer"]["tier"] for s in found["counterexample"]] == [4, 5]


def test_cli_against_an_older_version(tmp_path: Path) -> None:
    stricter = _returns_with(tmp_path, "window_days: 30", "window_days: 14")
    result = run("verify", str(stricter), "--against", "rules/returns.yaml")
    assert result.returncode == 1
    assert "approve to deny" in result.stdout or "refer to deny" in result.stdout
    assert "the new version is stricter for some situations" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("verify", "rules/returns.yaml"),
        ("verify", "rules/returns.yaml", "--property", "fair:customer.tier"),
    ],
)
def test_cli_usage_errors(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert "hint:" in result.stderr


WINDOW = """
policy: window
version: "1"
applies_to: [return]
roles: [associate]
rules:
  - id: in-window
    when: [days_since_purchase <= 30, item_price <= 50]
    outcome: approve
    remedy: refund
"""


@pytest.mark.parametrize(
    ("field", "increasing", "status"),
    [
        ("days_since_purchase", False, "proved"),  # a more recent purchase is never worse
        ("days_since_purchase", True, "refuted"),
        ("item_price", False, "proved"),
        ("item_price", True, "refuted"),
    ],
)
def test_built_in_facts_as_properties(field: str, increasing: bool, status: str) -> None:
    policy = flexpolicy.Policy.from_yaml(WINDOW)
    result = verify_monotone(policy, field, increasing=increasing)
    assert result.status == status
    if status == "refuted":
        first, second = result.counterexample
        assert (
            policy.decide_situation(first).outcome,
            policy.decide_situation(second).outcome,
        ) == (
            "approve",
            "deny",
        )


def test_the_cli_verifies_a_declared_attribute() -> None:
    """`--property` may name a store attribute the policy declares, at its type."""
    bank = "examples/published/bank-overdraft-fee/policy.yaml"
    proved = run("verify", bank, "--property", "monotone:request.attributes.fees_today")
    assert proved.returncode == 0, proved.stderr
    assert proved.stdout.startswith("proved   monotone:request.attributes.fees_today")
    refuted = run("verify", bank, "--property", "invariant:request.attributes.item_amount")
    assert refuted.returncode == 1, refuted.stderr
    assert refuted.stdout.startswith("refuted  invariant:request.attributes.item_amount")
    undeclared = run("verify", bank, "--property", "invariant:request.attributes.nope")
    assert undeclared.returncode == 2
    assert "is not declared under the policy's `attributes:`" in undeclared.stderr
