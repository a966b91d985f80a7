"""A decision's terms (DESIGN.md 2.3): fees, safe default amounts, remedy options,
promises, and guards that fail closed - loaded, decided alike by every back end,
and serialised."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flexpolicy
from flexpolicy import PolicyError
from flexpolicy._engine.terms import default_amount, due_date, item_total
from tests.support.backends import DIFFERENTIAL, NAMES, verdicts
from tests.support.paths import POLICY_FILES
from tests.support.strategies import threshold_situations

HEAD = """\
policy: terms
version: "1"
applies_to: [return]
roles: [associate, supervisor]
rules:
"""

TERMS = (
    HEAD
    + """\
  - id: final-sale
    kind: guard
    when: item.final_sale and request.packaging_intact
    outcome: deny
  - id: flagged
    kind: guard
    unknown: skip
    when: customer.segment == "watch"
    outcome: refer
    authority: supervisor
  - id: opened
    when: request.item_condition == "opened"
    outcome: approve
    remedy: [refund, exchange]
    fee: round(item_price * 0.15, 2)
    promise: {what: refund to the original payment, within_business_days: 5}
  - id: unused
    when: request.item_condition == "unused"
    outcome: approve
    remedy: refund
    promise: [{what: a call back, within_days: 2}]
default: {outcome: deny, fee: 10}
"""
)


def _situation(**request: Any) -> flexpolicy.Situation:
    final_sale = request.pop("final_sale", False)
    segment = request.pop("segment", None)
    return flexpolicy.Situation.model_validate(
        {
            "request": {
                "id": "R-1",
                "kind": "return",
                "transaction_id": "T-1",
                "sku": "HP",
                "requested_at": "2026-11-27",  # a Friday
                **request,
            },
            "customer": {"id": "C-1", "tier": 3, "segment": segment},
            "transaction": {
                "id": "T-1",
                "customer_id": "C-1",
                "purchased_at": "2026-11-01",
                "items": [{"sku": "HP", "unit_price": "199.00", "final_sale": final_sale}],
            },
        }
    )


@pytest.fixture(scope="module")
def policy() -> flexpolicy.Policy:
    return flexpolicy.Policy.from_yaml(TERMS)


# -- bad terms: table tests with the exact code -------------------------------------------
BAD = [
    ("amount on a denial", "  - {id: r, when: true, outcome: deny, amount: 5}\n", "bad-amount"),
    ("amount on the default", "default: {outcome: deny, amount: 5}\n", "bad-amount"),
    (
        "amount on a referring guard",
        "  - {id: g, kind: guard, when: true, outcome: refer, amount: 5}\n",
        "bad-amount",
    ),
    ("fee on a referral", "default: {outcome: refer, fee: 5}\n", "bad-fee"),
    (
        "fee that is no number",
        "  - {id: r, when: true, outcome: deny, fee: customer.segment}\n",
        "type-mismatch",
    ),
    (
        "promise on a denial",
        "  - {id: r, when: true, outcome: deny, promise: {what: x, within_days: 1}}\n",
        "bad-promise",
    ),
    (
        "promise with both counts",
        "  - {id: r, when: true, outcome: approve, remedy: refund,"
        " promise: {what: x, within_days: 1, within_business_days: 1}}\n",
        "bad-promise",
    ),
    (
        "promise with no count",
        "  - {id: r, when: true, outcome: approve, remedy: refund, promise: {what: x}}\n",
        "bad-promise",
    ),
    (
        "unknown on a standard rule",
        "  - {id: r, when: true, outcome: deny, unknown: skip}\n",
        "bad-unknown",
    ),
    (
        "unknown with a typo",
        "  - {id: g, kind: guard, when: true, outcome: deny, unknown: skp}\n",
        "bad-unknown",
    ),
    (
        "a remedy offered twice",
        "  - {id: r, when: true, outcome: approve, remedy: [refund, refund]}\n",
        "bad-remedy",
    ),
    (
        "an unknown remedy in a list",
        "  - {id: r, when: true, outcome: approve, remedy: [refund, refnd]}\n",
        "bad-remedy",
    ),
    (
        "a list of remedies on a denial",
        "  - {id: r, when: true, outcome: deny, remedy: [refund]}\n",
        "bad-remedy",
    ),
]


@pytest.mark.parametrize(("text", "code"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_terms_are_located_errors(text: str, code: str) -> None:
    body = text if text.startswith("  ") else "  - {id: ok, when: true, outcome: deny}\n" + text
    with pytest.raises(PolicyError) as info:
        flexpolicy.Policy.from_yaml(HEAD + body)
    codes = [p.code for p in info.value.problems]
    assert code in codes, codes
    problem = next(p for p in info.value.problems if p.code == code)
    assert problem.line >= 6
    assert problem.hint


# -- decisions -----------------------------------------------------------------------------
def test_the_issue_example_never_refunds_more_than_was_paid() -> None:
    returns = flexpolicy.load_policy("rules/returns.yaml")
    situation = _situation(item_condition="unused", packaging_intact=True, amount="999")
    decision = returns.decide_situation(situation)
    assert decision.outcome == "approve"
    assert decision.amount == Decimal("199.00")


def test_fee_remedies_and_promises(policy: flexpolicy.Policy) -> None:
    decision = policy.decide_situation(_situation(item_condition="opened"))
    assert decision.outcome == "approve"
    assert decision.fee == Decimal("29.85")
    assert decision.amount == Decimal("169.15")  # the item's total, net of the fee
    assert decision.remedies == ("refund", "exchange")
    assert decision.remedy == "refund"
    (promise,) = decision.promises
    assert isinstance(promise, flexpolicy.PromiseTerm)
    assert promise.what == "refund to the original payment"
    assert promise.due == date(2026, 12, 4)  # five business days after Friday 27 November
    staff, customer = decision.rationale.staff, decision.rationale.customer
    assert "A fee of 29.85 applies." in staff
    assert "You may choose a refund or an exchange." in customer
    assert "by 4 December 2026" in customer
    assert "2026-12-04" not in customer


def test_the_request_amount_only_lowers_the_default(policy: flexpolicy.Policy) -> None:
    lower = policy.decide_situation(_situation(item_condition="opened", amount="20"))
    assert lower.amount == Decimal("20")
    higher = policy.decide_situation(_situation(item_condition="opened", amount="500"))
    assert higher.amount == Decimal("169.15")


def test_a_denial_keeps_its_fee_and_offers_nothing(policy: flexpolicy.Policy) -> None:
    decision = policy.decide_situation(_situation(item_condition="used"))
    assert (decision.outcome, decision.rule_id) == ("deny", "default")
    assert decision.fee == Decimal("10")
    assert decision.amount is None
    assert decision.remedies == ()
    assert decision.promises == ()
    assert "The fee of 10.00 still applies." in decision.rationale.customer


def test_calendar_day_promises(policy: flexpolicy.Policy) -> None:
    decision = policy.decide_situation(_situation(item_condition="unused"))
    assert [(p.what, p.due) for p in decision.promises] == [("a call back", date(2026, 11, 29))]


def test_a_guard_fails_closed_and_says_what_was_missing(policy: flexpolicy.Policy) -> None:
    decision = policy.decide_situation(_situation(item_condition="unused", final_sale=True))
    assert (decision.outcome, decision.rule_id) == ("deny", "final-sale")
    assert decision.missing == ("request.packaging_intact",)
    ruled_out = policy.decide_situation(
        _situation(item_condition="unused", final_sale=True, packaging_intact=False, segment="x")
    )
    assert ruled_out.rule_id == "unused"
    assert ruled_out.missing == ()


def test_unknown_skip_restores_the_first_release(policy: flexpolicy.Policy) -> None:
    # `flagged` reads a segment the till did not send: skipped, as before.
    decision = policy.decide_situation(_situation(item_condition="unused", packaging_intact=True))
    assert decision.rule_id == "unused"
    assert "customer.segment" in decision.missing


def test_the_json_form_holds_the_terms(policy: flexpolicy.Policy) -> None:
    record = json.loads(
        policy.decide_situation(_situation(item_condition="opened")).model_dump_json()
    )
    assert record["fee"] == "29.85"
    assert record["remedies"] == ["refund", "exchange"]
    assert record["promises"] == [{"what": "refund to the original payment", "due": "2026-12-04"}]
    assert "missing" in record
    plain = json.loads(
        policy.decide_situation(
            _situation(item_condition="used", packaging_intact=True)
        ).model_dump_json()
    )
    assert plain["promises"] == []
    assert plain["remedies"] == []


# -- every back end alike on the new constructs ---------------------------------------------
@pytest.mark.parametrize("text", [TERMS], ids=["terms"])
def test_every_back_end_fails_closed_alike(text: str) -> None:
    native = flexpolicy.Policy.from_yaml(text)
    durable = flexpolicy.Policy.from_yaml(text, engine="durable")

    @settings(DIFFERENTIAL, max_examples=300)
    @given(threshold_situations(native))
    def check(situation: flexpolicy.Situation) -> None:
        found = verdicts(native, situation, NAMES)
        assert all(v is found["reference"] for v in found.values()), found
        a, b = native.decide_situation(situation), durable.decide_situation(situation)
        assert a.key() == b.key()
        assert a.promises == b.promises
        assert a.missing == b.missing

    check()


# -- the money and the dates, as properties ------------------------------------------------
MONEY = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False)


class _Item:
    def __init__(self, price: Decimal) -> None:
        self.unit_price = price


class _Request:
    def __init__(self, amount: Decimal | None, quantity: int = 1) -> None:
        self.amount = amount
        self.quantity = quantity


@given(MONEY, st.none() | MONEY, st.none() | MONEY, st.integers(1, 5))
def test_the_default_amount_never_exceeds_the_item_total(
    price: Decimal, asked: Decimal | None, fee: Decimal | None, quantity: int
) -> None:
    request, item = _Request(asked, quantity), _Item(price)
    amount = default_amount(request, item, fee)
    total = item_total(request, item)
    assert amount is not None
    assert total is not None
    assert Decimal(0) <= amount <= total
    if asked is not None:
        assert amount <= asked  # the request only lowers it
        assert amount == min(asked, default_amount(_Request(None, quantity), item, fee))


@given(st.none() | MONEY, st.none() | MONEY)
def test_without_an_item_the_amount_is_the_request(
    asked: Decimal | None, fee: Decimal | None
) -> None:
    assert default_amount(_Request(asked), None, fee) == asked


@given(st.dates(date(2000, 1, 1), date(2100, 1, 1)), st.integers(0, 60))
def test_business_days_land_on_a_weekday_after_enough_weekdays(start: date, days: int) -> None:
    due = due_date(start, days, business=True, holidays={date(2026, 12, 25)})
    if days:
        assert due.weekday() < 5
        assert due != date(2026, 12, 25)
        counted = sum(
            1
            for n in range(1, (due - start).days + 1)
            if (d := start + timedelta(days=n)).weekday() < 5 and d != date(2026, 12, 25)
        )
        assert counted == days
    else:
        assert due == start
    assert due_date(start, days, business=False) == start + timedelta(days=days)


@pytest.mark.parametrize("path", POLICY_FILES, ids=[p.stem for p in POLICY_FILES])
def test_shipped_approvals_without_an_amount_never_exceed_the_item_total(path: Path) -> None:
    """Over every shipped policy: an approval whose rule writes no `amount:` stands for at
    most what was paid for the item, and at most what the request asks."""
    policy = flexpolicy.load_policy(path)

    @settings(DIFFERENTIAL, max_examples=300)
    @given(threshold_situations(policy))
    def check(situation: flexpolicy.Situation) -> None:
        decision = policy.decide_situation(situation)
        rule = decision._verdict.rule
        if decision.amount is None or rule.amount is not None:
            return
        asked = situation.request.amount
        if asked is not None:
            assert decision.amount <= asked
        items = [] if situation.transaction is None else situation.transaction.items
        paid = [x.unit_price for x in items if x.sku == situation.request.sku]
        if paid:
            assert decision.amount <= paid[0] * getattr(situation.request, "quantity", 1)

    check()


def test_a_param_read_only_by_a_fee_is_used() -> None:
    from flexpolicy.analysis import check  # noqa: PLC0415 - the analysis, for this test only

    policy = flexpolicy.Policy.from_yaml(
        HEAD.replace("rules:\n", "params: {restocking_rate: 0.15}\nrules:\n")
        + """\
  - id: opened
    when: request.item_condition == "opened"
    outcome: approve
    remedy: refund
    fee: round(item_price * restocking_rate, 2)
"""
    )
    assert [f.code for f in check(policy)] == []
