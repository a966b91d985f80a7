"""`flexpolicy doc` states release 2's terms, in words (DESIGN 2.2-2.4).

The published policies (`examples/published/*/policy.yaml`) are real stores' pages encoded
in the language: each one's customer page must state every fee, every membership level's
window, the holiday season's dates, and the customer's choices and promises, and show no
expression, identifier or ISO date.  The numbers checked are read from the policy's params,
so a changed window that the page failed to follow fails here.  Small policies pin the
wording of each construct on its own.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

import flexpolicy
from flexpolicy._authoring.doc import summarize, to_markdown
from flexpolicy._ir import PolicyIR
from tests.support.paths import POLICY_FILES, ROOT

PUBLISHED = sorted((ROOT / "examples" / "published").glob("*/policy.yaml"))
PUBLISHED_IDS = [p.parent.name for p in PUBLISHED]
# What a customer must never read: expression syntax, identifiers, ISO dates.
RAW = [
    r"lookup\(",
    r"\bif\b.*\bthen\b",
    r"\bitem_total\b",
    r"\btransaction_total\b",
    r"\b[a-z]+_[a-z_]+\b",  # any `_`-joined identifier
    r"\b\d{4}-\d{2}-\d{2}\b",  # an ISO date
    r"\d{2}-\d{2}\"",  # a month-day literal
    r"`",
    r"[<>]=?|==|!=",
    r"\bcoalesce\b|\bin_season\b|\bnext_date\b|\bbusiness_days_between\b",
]


def _doc(path: Path, audience: str = "customer") -> str:
    policy = flexpolicy.load_policy(path)
    return to_markdown(summarize(policy, audience=audience))  # type: ignore[arg-type]


def _yaml(body: str, audience: str = "customer") -> str:
    policy = flexpolicy.Policy.from_yaml(body, file="terms.yaml")
    return to_markdown(summarize(policy, audience=audience))  # type: ignore[arg-type]


def _money(value: object) -> str:
    return f"{Decimal(str(value)):.2f}"


def _ir(path: Path) -> PolicyIR:
    return flexpolicy.load_policy(path)._core.ir


@pytest.mark.parametrize(
    "path", [*PUBLISHED, *POLICY_FILES], ids=[*PUBLISHED_IDS, *(p.stem for p in POLICY_FILES)]
)
def test_customer_page_shows_no_raw_expression(path: Path) -> None:
    text = _doc(path)
    body = text.split("\n", 1)[1]  # the title is the author's
    for pattern in RAW:
        found = re.search(pattern, body)
        assert found is None, f"{pattern!r} matched {found.group(0)!r} in:\n{text}"


def test_electronics_page_states_fees_windows_and_season() -> None:
    path = ROOT / "examples" / "published" / "electronics-returns" / "policy.yaml"
    params = _ir(path).params
    text = _doc(path)
    for level, days in params["windows"].items():
        if level != "standard":
            assert f"{days} days for {level.replace('_', ' ')} members" in text, text
    assert f"within {params['windows']['standard']} days of receiving it" in text
    assert f"{params['activatable_days']} days for cell phone" in text
    assert f"{_money(params['activation_fee'])} for cell phone" in text
    rate = Decimal(params["restocking_rate"]) * 100
    assert f"{rate.normalize():f}% of the item's price for drone" in text
    assert "bought between October 13 and January 2" in text
    assert "returned through January 16" in text
    assert "bought and returned in AL, CO, HI, IA, MS, OH, OK or SC" in text
    assert "a refund or an exchange, your choice" in text
    assert "a replacement or a refund, your choice" in text
    assert "Our promise: a refund check in the mail within 10 business days." in text
    assert "with all contents" in text
    assert "worn or tags not attached" in text  # a public guard on declared attributes
    assert "paid by cash and the purchase total over 800.00" in text
    assert "…and" not in text  # every rule is on the page (DESIGN 2.4)


def test_coop_page_states_each_membership_window() -> None:
    path = ROOT / "examples" / "published" / "coop-member-returns" / "policy.yaml"
    params = _ir(path).params
    text = _doc(path)
    assert f"within {params['standard_days']} days of purchase" in text
    assert f"{params['member_days']} days for members" in text
    assert f"{params['electronics_days']} days for activity monitor" in text
    assert "for everyone" in text  # electronics override the member window
    assert f"returned by mail, within {params['used_gear_days']} days of receiving it" in text
    assert "a free repair or a replacement, your choice" in text
    assert "Used gear, bought in a store." in text


def test_bank_page_states_the_fee_left_in_place() -> None:
    path = ROOT / "examples" / "published" / "bank-overdraft-fee" / "policy.yaml"
    params = _ir(path).params
    text = _doc(path)
    assert f"An overdraft fee of {_money(params['fee'])} applies." in text
    assert f"Item amount at most {_money(params['small_item'])}" in text
    assert f"a fee waiver of {_money(params['fee'])}" in text


def test_staff_page_names_rules_and_states_the_same_terms() -> None:
    path = ROOT / "examples" / "published" / "electronics-returns" / "policy.yaml"
    text = _doc(path, "staff")
    assert "`in-period`" in text
    assert "a refund or an exchange, the customer's choice" in text
    assert "Promise: a refund check in the mail within 10 business days." in text
    assert "30 days for elite members" in text


_BASE = """
policy: terms
version: "1"
applies_to: [return]
roles: [associate, supervisor]
"""


@pytest.mark.parametrize(
    ("fee", "said"),
    [
        ("45.00", "A restocking fee of 45.00 applies."),
        ("round(item_total * restocking_rate, 2)", "A 15% restocking fee applies."),
        ("item_total * restocking_rate", "A 15% restocking fee applies."),
        ("min(10.00, item_total)", "A restocking fee of the lesser of 10.00 and the item's price"),
        ("transaction_total * restocking_rate", "of 15% of the purchase total applies."),
    ],
)
def test_a_fee_is_an_amount_a_percentage_or_words(fee: str, said: str) -> None:
    text = _yaml(
        _BASE
        + f"""
params: {{restocking_rate: 0.15}}
facts: {{restocking_fee: '{fee}'}}
rules:
  - id: opened
    when: days_since_purchase <= 30
    outcome: approve
    remedy: refund
    fee: restocking_fee
"""
    )
    assert said in text, text


def test_internal_window_levels_are_not_published() -> None:
    body = (
        _BASE
        + """
params: {windows: {gold: 60}}
facts: {window: 'lookup(windows, customer.segment, 30)'}
rules:
  - id: in-window
    when: days_since_purchase <= window
    outcome: approve
    remedy: refund
    promise: {what: refunded to the original payment, within_business_days: 5}
"""
    )
    customer, staff = _yaml(body), _yaml(body, "staff")
    assert "Within 30 days of purchase (conditions apply): a refund." in customer
    for secret in ("60", "gold", "segment"):
        assert secret not in customer
    assert "60 days for customer segment gold" in staff
    assert "Our promise: refunded to the original payment within 5 business days." in customer


def test_if_then_else_window_and_dates_in_words() -> None:
    text = _yaml(
        _BASE
        + """
attributes: {request.data_wiped: bool}
params: {last_day: 2026-12-24}
facts:
  window: 'if customer.membership == "plus" then 30 else 15'
rules:
  - id: in-window
    when:
      - days_since_purchase <= window
      - request.attributes.data_wiped
      - request.requested_at <= last_day
      - business_days_between(transaction.purchased_at, today) <= 10
    outcome: approve
    remedy: [store_credit, refund]
"""
    )
    assert "Within 15 days of purchase (30 days for plus members)" in text, text
    assert "data wiped" in text
    assert "December 24, 2026" in text
    assert "at most 10 business days since the purchase date" in text
    assert "store credit or a refund, your choice" in text
