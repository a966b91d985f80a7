"""Issue 14, the facts: labels normalised, the line of a sku, strict numbers, bounds.

Each table row is a defect found by probing the facts: before the fix it slipped
through (a flag spelt `Abusive`, a tier of `True`, a sku on two lines deciding by
line order) or ended badly (a message of megabytes); now it is normalised, or an
`InputError` with the exact code in the row.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import flexpolicy
from flexpolicy import (
    Customer,
    InputError,
    LineItem,
    Policy,
    Request,
    Situation,
    Transaction,
)
from flexpolicy._diagnostics.quote import MAX_QUOTED
from flexpolicy._engine.context import coerce
from flexpolicy._facts.labels import normalise_label
from flexpolicy.models import MAX_ATTRIBUTES, MAX_FLAGS, MAX_ITEMS
from tests.support.errors import input_error
from tests.support.paths import ROOT

ENGINES = ["native", "durable"]

GUARDED = """\
policy: guarded
version: "1"
applies_to: [return]
roles: [associate, store_manager]
params:
  watched_segments: [Reseller, "VIP "]
facts:
  why: request.reason
  reason_or_none: coalesce(request.reason, "None_Given")
rules:
  - id: abusive
    kind: guard
    when: '"abusive" in customer.flags'
    outcome: refer
    authority: store_manager
  - id: watched
    kind: guard
    unknown: skip  # most situations here send no segment: the guard must not fail closed
    when: '"Fraud_Watch" in customer.flags or customer.segment in watched_segments'
    outcome: refer
    authority: store_manager
  - id: defective
    when: ['why == "Defective"', 'item.category in ["Electronics"]', 'request.kind == "Return"']
    outcome: approve
    remedy: refund
    explain: Returned as {request.reason}.
  - id: unused
    when: ['request.item_condition == "Unused"', 'reason_or_none == "none_given"']
    outcome: approve
    remedy: store_credit
default: {outcome: deny}
"""


@pytest.fixture(scope="module", params=ENGINES)
def guarded(request: pytest.FixtureRequest) -> Policy:
    return Policy.from_yaml(GUARDED, file="guarded.yaml", engine=request.param)


def facts(
    request: dict[str, Any] | None = None,
    customer: dict[str, Any] | None = None,
    transaction: dict[str, Any] | None = None,
    items: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A situation's data: a return of sku `A`, with the changes given."""
    return {
        "request": {
            "id": "R",
            "kind": "return",
            "requested_at": "2026-01-20",
            "sku": "A",
            **(request or {}),
        },
        "customer": {"id": "C", "tier": 3, **(customer or {})},
        "transaction": {
            "id": "T",
            "purchased_at": "2026-01-10",
            "items": items or [{"sku": "A", "unit_price": "10.00", "category": "electronics"}],
            **(transaction or {}),
        },
    }


def situation(**changes: Any) -> Situation:
    """The situation, read as `decide_situation` and `decide_all` read a mapping."""
    return coerce(facts(**changes), Situation, "situation")


# -- labels -----------------------------------------------------------------------

FLAG_SPELLINGS = [
    pytest.param("abusive", id="plain"),
    pytest.param("Abusive", id="capital"),
    pytest.param("ABUSIVE ", id="upper-and-space"),
    pytest.param("\tabusive\n", id="tab-and-newline"),
    pytest.param("\u0430busive", id="cyrillic-a"),
    pytest.param("\u0410BUSIVE", id="cyrillic-capital-a"),
    pytest.param("abus\u0456v\u0435", id="cyrillic-i-and-ie"),
    pytest.param("\uff21\uff42\uff55\uff53\uff49\uff56\uff45", id="full-width"),
    pytest.param("abu\u200bsive", id="zero-width-space"),
    pytest.param("abu\u00adsive", id="soft-hyphen"),
]


@pytest.mark.parametrize("flag", FLAG_SPELLINGS)
def test_every_spelling_of_a_flag_meets_the_guard(guarded: Policy, flag: str) -> None:
    decision = guarded.decide_situation(situation(customer={"flags": [flag]}))
    assert (decision.outcome, decision.rule_id) == ("refer", "abusive")


LABELS = [
    pytest.param("customer", "segment", " Loyal ", "loyal", id="segment"),
    pytest.param("customer", "flags", ["Fraud_Watch", "fraud_watch "], {"fraud_watch"}, id="flags"),
    pytest.param("request", "kind", "Return", "return", id="kind"),
    pytest.param("request", "kind", "\uff32eturn", "return", id="kind-full-width"),
    pytest.param("request", "reason", "Wrong_Item_Sold", "wrong_item_sold", id="reason"),
    pytest.param("request", "requested_remedy", "Store_Credit ", "store_credit", id="remedy"),
    pytest.param("request", "item_condition", " Unused", "unused", id="item-condition"),
    pytest.param("transaction", "channel", "IN_STORE", "in_store", id="channel"),
    pytest.param("transaction", "payment_method", "Visa", "visa", id="payment-method"),
    pytest.param("item", "category", "Electr\u043enics", "electronics", id="category-cyrillic-o"),
    pytest.param(
        "customer",
        "segment",
        "\u041c\u043e\u0441\u043a\u0432\u0430",
        "\u043c\u043e\u0441\u043a\u0432\u0430",
        id="wholly-cyrillic",
    ),
    pytest.param("customer", "segment", "stra\u00dfe", "strasse", id="case-folded"),
]


@pytest.mark.parametrize(("record", "field", "given", "kept"), LABELS)
def test_label_facts_are_kept_normalised(record: str, field: str, given: Any, kept: Any) -> None:
    if record == "item":
        built = situation(items=[{"sku": "A", "unit_price": "1", field: given}])
        assert built.transaction is not None
        value = getattr(built.transaction.items[0], field)
    else:
        built = situation(**{record: {field: given}})
        value = getattr(getattr(built, record), field)
    assert value == (frozenset(kept) if isinstance(kept, set) else kept)


def test_policy_literals_meet_the_facts_normalised(guarded: Policy) -> None:
    flagged = guarded.decide_situation(situation(customer={"flags": ["fraud_watch"]}))
    assert flagged.rule_id == "watched"
    watched = guarded.decide_situation(situation(customer={"segment": "vip"}))
    assert watched.rule_id == "watched"  # a param list compared with a label
    defective = guarded.decide_situation(situation(request={"reason": "defective"}))
    assert (defective.outcome, defective.rule_id) == ("approve", "defective")
    unused = guarded.decide_situation(situation(request={"item_condition": "unused"}))
    assert unused.rule_id == "unused"  # a Literal field and a `coalesce` fallback


def test_a_rationale_shows_the_label_as_normalised(guarded: Policy) -> None:
    decision = guarded.decide_situation(situation(request={"reason": " DEFECTIVE"}))
    assert decision.rationale.staff.endswith(": Returned as defective.")


@given(st.text(max_size=30))
def test_normalising_twice_changes_nothing(text: str) -> None:
    once = normalise_label(text)
    assert normalise_label(once) == once


@given(st.text(max_size=30))
def test_the_model_keeps_what_normalise_label_makes(text: str) -> None:
    """pydantic's fast path (ASCII) and Python's (the rest) agree with the checker's."""
    try:
        segment = Customer(id="C", tier=1, segment=text).segment
    except ValueError:
        assert not normalise_label(text)
        return
    assert segment == normalise_label(text)


BAD_LABELS = [
    pytest.param("customer", {"segment": "   "}, "customer.segment", id="blank"),
    pytest.param("customer", {"flags": [" "]}, "customer.flags.0", id="blank-flag"),
    pytest.param("customer", {"segment": "x" * 201}, "customer.segment", id="too-long"),
    pytest.param("customer", {"segment": "\ufdfa" * 12}, "customer.segment", id="nfkc-too-long"),
    pytest.param("customer", {"segment": b"loyal"}, "customer.segment", id="bytes"),
    pytest.param("request", {"kind": "Return!"}, "request.kind", id="kind-pattern"),
    pytest.param("request", {"item_condition": "Unusd"}, "request.item_condition", id="condition"),
]


@pytest.mark.parametrize(("record", "changes", "where"), BAD_LABELS)
def test_bad_labels_are_one_invalid_facts_error(
    record: str, changes: dict[str, Any], where: str
) -> None:
    exc = input_error(lambda: situation(**{record: changes}))
    assert exc.code == "invalid-facts"
    assert f"`{where}`" in exc.message, exc.message
    assert "more)" not in exc.message  # one complaint, not one per branch


# -- the line of a sku ------------------------------------------------------------

TWO_LINES = [
    {"sku": "A", "unit_price": "10.00", "category": "electronics"},
    {"sku": "B", "unit_price": "5.00"},
    {"sku": "A", "unit_price": "99.00", "category": "toys"},
]

BAD_LINES = [
    pytest.param({}, "ambiguous-item", id="sku-on-two-lines"),
    pytest.param({"line": 4}, "contradictory-facts", id="line-past-the-end"),
    pytest.param({"line": 2}, "contradictory-facts", id="line-of-another-sku"),
    pytest.param({"line": 0}, "invalid-facts", id="line-zero"),
    pytest.param({"line": True}, "invalid-facts", id="line-true"),
    pytest.param({"line": 1, "sku": None}, "invalid-facts", id="line-without-sku"),
]


@pytest.mark.parametrize(("changes", "code"), BAD_LINES)
def test_a_request_line_that_does_not_pick_one_line(changes: dict[str, Any], code: str) -> None:
    exc = input_error(lambda: situation(request=changes, items=TWO_LINES))
    assert exc.code == code


@pytest.mark.parametrize("engine", ENGINES)
def test_ambiguity_is_refused_before_any_rule_runs(engine: str) -> None:
    """`decide`, which takes the records one by one, refuses it too, even for a
    policy that never reads the item."""
    policy = Policy.from_yaml(GUARDED.replace("item.category in", "request.sku in"), engine=engine)
    data = facts(items=TWO_LINES)
    request = Request.model_validate(data["request"])
    customer = Customer.model_validate(data["customer"])
    transaction = Transaction.model_validate(data["transaction"])
    exc = input_error(lambda: policy.decide(request, customer=customer, transaction=transaction))
    assert exc.code == "ambiguous-item"
    assert exc.hint is not None
    assert "`request.line`" in exc.hint
    assert "lines 1, 3" in exc.hint


@pytest.mark.parametrize("line", [1, 3])
def test_request_line_picks_the_line_whatever_the_order(guarded: Policy, line: int) -> None:
    request = {"line": line, "reason": "defective"}
    decision = guarded.decide_situation(situation(request=request, items=TWO_LINES))
    expected = ("approve", Decimal("10.00")) if line == 1 else ("deny", None)
    assert (decision.outcome, decision.amount) == expected
    swapped = list(reversed(TWO_LINES))
    again = guarded.decide_situation(
        situation(request={**request, "line": 4 - line}, items=swapped)
    )
    assert (again.outcome, again.amount) == expected


def test_membership_beginning_after_the_request_is_contradictory() -> None:
    exc = input_error(lambda: situation(customer={"member_since": "2026-02-01"}))
    assert exc.code == "contradictory-facts"
    assert "2026-02-01" in exc.message
    assert situation(customer={"member_since": "2026-01-20"}).customer.member_since == date(
        2026, 1, 20
    )


# -- numbers and true/false, strict and alike ---------------------------------------

BAD_VALUES = [
    pytest.param("customer", "tier", True, id="tier-true"),
    pytest.param("customer", "tier", b"4", id="tier-bytes"),
    pytest.param("customer", "tier", "\u0664", id="tier-arabic-indic"),
    pytest.param("customer", "purchases_12m", False, id="count-false"),
    pytest.param("customer", "purchases_12m", "\uff13", id="count-full-width"),
    pytest.param("customer", "lifetime_value", "\u0664\u0665", id="money-arabic-indic"),
    pytest.param("customer", "lifetime_value", "\uff11\uff12.5", id="money-full-width"),
    pytest.param("customer", "lifetime_value", "1_000", id="money-underscores"),
    pytest.param("customer", "lifetime_value", b"12", id="money-bytes"),
    pytest.param("customer", "attributes", {"n": b"3"}, id="attribute-bytes"),
    pytest.param("request", "amount", "\u0665", id="amount-arabic-indic"),
    pytest.param("request", "packaging_intact", "off", id="bool-off"),
    pytest.param("request", "packaging_intact", "yes", id="bool-yes"),
    pytest.param("request", "packaging_intact", "true", id="bool-text-true"),
    pytest.param("request", "has_receipt", 1, id="bool-one"),
    pytest.param("request", "store_at_fault", 0.0, id="bool-zero-float"),
    pytest.param("request", "line", b"1", id="line-bytes"),
]


@pytest.mark.parametrize(("record", "field", "value"), BAD_VALUES)
def test_lax_coercions_are_refused(record: str, field: str, value: Any) -> None:
    exc = input_error(lambda: situation(**{record: {field: value}}))
    assert exc.code == "invalid-facts"
    assert f"`{record}.{field}" in exc.message, exc.message
    if not isinstance(value, bytes | dict):  # JSON text refuses it alike
        text = json.dumps(facts(**{record: {field: value}}))
        with pytest.raises(ValueError, match=field):
            Situation.model_validate_json(text)


GOOD_VALUES = [
    pytest.param("customer", "tier", Decimal("4"), 4, id="tier-decimal"),
    pytest.param("customer", "tier", "4", 4, id="tier-digits"),
    pytest.param("customer", "tier", 4.0, 4, id="tier-whole-float"),
    pytest.param("customer", "lifetime_value", "-0", Decimal("0"), id="money-minus-zero"),
    pytest.param("request", "amount", "-0.00", Decimal("0.00"), id="amount-minus-zero"),
    pytest.param("request", "amount", Decimal("-0.0"), Decimal("0.0"), id="amount-decimal-minus-0"),
    pytest.param("request", "packaging_intact", False, False, id="bool"),
]


@pytest.mark.parametrize(("record", "field", "value", "kept"), GOOD_VALUES)
def test_python_values_still_read(record: str, field: str, value: Any, kept: Any) -> None:
    built = situation(**{record: {field: value}})
    found = getattr(getattr(built, record), field)
    assert (found, str(found)) == (kept, str(kept))  # `-0` is not `0` as text


def test_a_negative_zero_amount_prints_as_zero() -> None:
    built = situation(request={"amount": "-0.00"}, customer={"lifetime_value": Decimal("-0")})
    dumped = json.loads(built.model_dump_json())
    assert (dumped["request"]["amount"], dumped["customer"]["lifetime_value"]) == ("0.00", "0")


# -- bounds -----------------------------------------------------------------------

BOUNDS = [
    pytest.param(
        "transaction",
        "items",
        [{"sku": f"S{i}", "unit_price": "1"} for i in range(MAX_ITEMS + 1)],
        id="items",
    ),
    pytest.param("customer", "flags", [f"f{i}" for i in range(MAX_FLAGS + 1)], id="flags"),
    pytest.param(
        "customer", "attributes", {f"a{i}": i for i in range(MAX_ATTRIBUTES + 1)}, id="attributes"
    ),
]


@pytest.mark.parametrize(("record", "field", "value"), BOUNDS)
def test_what_a_situation_holds_is_bounded(record: str, field: str, value: Any) -> None:
    exc = input_error(lambda: situation(**{record: {field: value}}))
    assert exc.code == "invalid-facts"
    assert f"`{record}.{field}`" in exc.message


def test_a_sku_missing_from_a_long_transaction_makes_a_short_message() -> None:
    items = [{"sku": f"SKU-{i:05d}", "unit_price": "1"} for i in range(MAX_ITEMS)]
    exc = input_error(lambda: situation(request={"sku": "NOPE"}, items=items))
    assert exc.code == "contradictory-facts"
    assert len(str(exc)) < 300
    assert exc.hint is not None
    assert exc.hint.endswith(f"and {MAX_ITEMS - 5} more")


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: situation(request={"sku": "9" * 200}), id="sku"),
        pytest.param(lambda: situation(request={"transaction_id": "T" * 200}), id="transaction-id"),
        pytest.param(lambda: InputError(f"number `{'9' * 4301}` is wrong"), id="any-message"),
    ],
)
def test_quoted_input_is_capped(make: Any) -> None:
    try:
        exc = make()
    except InputError as raised:
        exc = raised
    assert isinstance(exc, InputError)
    quoted = exc.message.split("`")[1::2]
    assert quoted
    assert all(len(q) <= MAX_QUOTED for q in quoted), exc.message
    assert any(q.endswith("…") for q in quoted)


def test_a_did_you_mean_for_a_misspelt_key() -> None:
    data = facts()
    data["custmer"] = data.pop("customer")
    exc = input_error(lambda: coerce(data, Situation, "situation"))
    assert (exc.code, exc.hint) == ("invalid-facts", "did you mean `customer`?")
    data = facts()
    data["request"]["skuu"] = data["request"].pop("sku")
    exc = input_error(lambda: coerce(data, Situation, "situation"))
    assert "`request.skuu`" in exc.message
    assert exc.hint == "did you mean `sku`?"


# -- output -----------------------------------------------------------------------

_DUMP = """
from flexpolicy import Customer, Request, Situation
flags = [f"flag_{i}" for i in range(40)]
s = Situation(request=Request(id="R", kind="return", requested_at="2026-01-01"),
              customer=Customer(id="C", tier=1, flags=flags))
print(s.model_dump_json())
print(s.customer.model_dump(mode="json")["flags"])
"""


def test_flags_are_dumped_sorted_in_every_process() -> None:
    outputs = set()
    for seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-c", _DUMP],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={"PYTHONHASHSEED": seed, "PYTHONPATH": str(Path(flexpolicy.__file__).parents[1])},
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1
    flags = json.loads(outputs.pop().splitlines()[0])["customer"]["flags"]
    assert flags == sorted(flags)


def test_request_transaction_and_line_items_still_build_from_python() -> None:
    Request(id="R", kind="return", requested_at=date(2026, 1, 1), amount=Decimal("1.50"))
    Transaction(id="T", purchased_at=date(2026, 1, 1), items=(LineItem(sku="A", unit_price=1),))
