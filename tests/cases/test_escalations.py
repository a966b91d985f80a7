"""Escalation rules: the policy language over case facts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import flexpolicy
from flexpolicy.cases._escalations import load_escalations, parse_escalations

RULES = Path(__file__).resolve().parents[2] / "rules"
TODAY = date(2026, 11, 20)


def facts(**values: object) -> flexpolicy.CaseFacts:
    return flexpolicy.CaseFacts.model_validate({"id": "CASE-1", **values})


def test_the_shipped_escalations_load_and_fire_on_the_double_charge_story() -> None:
    rules = load_escalations(RULES / "escalations.yaml")
    due = rules.due(facts(contacts_14d=3, overdue_promises=1, days_open=6), TODAY)
    assert [(d.rule_id, d.escalate_to, d.action) for d in due] == [
        ("third-contact", "senior_manager", "callback"),
        ("promise-overdue", "store_manager", "refund_check"),
    ]
    assert due[0].staff.startswith("3 contacts in the last 14 days")
    assert "senior manager will call you back" in due[0].customer


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"contacts_14d": 2}, []),
        ({"contacts_14d": 3}, ["third-contact"]),
        ({"days_open": 10}, []),
        ({"days_open": 11}, ["slow-case"]),
        ({"days_open": 30, "resolved": True}, []),
        ({"overdue_promises": 1}, ["promise-overdue"]),
    ],
)
def test_each_rule_fires_exactly_at_its_threshold(
    values: dict[str, object], expected: list[str]
) -> None:
    rules = load_escalations(RULES / "escalations.yaml")
    assert [d.rule_id for d in rules.due(facts(**values), TODAY)] == expected


BASE = """escalations: e
version: "1"
roles: [associate, store_manager]
rules:
  - id: r
    when: {when}
    escalate_to: {role}
    explain:
      staff: {staff}
"""


@pytest.mark.parametrize(
    ("when", "role", "staff", "code", "hint"),
    [
        ("case.contact_14d >= 3", "store_manager", "x", "unknown-field", "did you mean"),
        ("customer.tier >= 4", "store_manager", "x", "unknown-name", "can read `case`"),
        ("days_since_purchase > 3", "store_manager", "x", "unknown-name", "can read"),
        ("case.contacts_14d >= 3", "store_manger", "x", "unknown-role", "store_manager"),
        (
            "case.contacts_14d >= 3",
            "store_manager",
            "'{case.dayz_open}'",
            "unknown-field",
            "days_open",
        ),
        ('case.contacts_14d >= "three"', "store_manager", "x", "type-mismatch", None),
    ],
)
def test_authoring_errors_are_located(
    when: str, role: str, staff: str, code: str, hint: str | None
) -> None:
    with pytest.raises(flexpolicy.PolicyError) as info:
        parse_escalations(BASE.format(when=when, role=role, staff=staff), file="e.yaml")
    problem = info.value.problems[0]
    assert problem.code == code
    assert problem.file == "e.yaml"
    assert problem.line >= 5
    assert problem.rule_id == "r"
    if hint:
        assert hint in (problem.hint or "")


def test_load_policies_leaves_the_escalations_file_alone() -> None:
    policies = flexpolicy.load_policies(RULES)
    assert "case-escalations" not in {p.id for p in policies}
    assert (RULES / "escalations.yaml").is_file()


def test_a_misspelt_key_gets_the_escalation_rule_keys_as_hints() -> None:
    text = BASE.format(when="case.days_open > 3", role="store_manager", staff="x")
    text = text.replace("escalate_to:", "escalate_too:")
    with pytest.raises(flexpolicy.PolicyError) as info:
        parse_escalations(text, file="e.yaml")
    codes = {p.code: p for p in info.value.problems}
    assert codes["unknown-key"].hint == "did you mean `escalate_to`?"
    assert (codes["unknown-key"].line, codes["unknown-key"].column) == (7, 5)
    assert "missing-key" in codes
