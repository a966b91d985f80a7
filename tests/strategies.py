"""Hypothesis strategies for situations that sit near the thresholds of shipped policies."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

import flexpolicy
from flexpolicy import testing
from flexpolicy.testing import _near, _with_thresholds

TODAY = date(2026, 11, 20)
REASONS = [
    "wrong_item_sold",
    "defective",
    "changed_mind",
    "double_charge",
    "price_drop",
    "new_customer_offer",
    "late_delivery",
    "damaged_in_transit",
    None,
]
# Days around every window the shipped rules use (14, 30, 45, 90, 120, 365, ...).
DAY_POINTS = [0, 1, 13, 14, 15, 29, 30, 31, 44, 45, 46, 59, 60, 61, 89, 90, 91, 119, 120, 121]
DAY_POINTS += [179, 180, 181, 364, 365, 366, 400]
MONEY = st.one_of(
    st.sampled_from([Decimal(x) for x in ("0", "9.99", "10", "25", "25.01", "49.99", "50")]),
    st.sampled_from([Decimal(x) for x in ("100", "100.01", "150", "250", "500", "500.01")]),
    st.decimals(min_value=0, max_value=2000, places=2, allow_nan=False, allow_infinity=False),
)


ATTRIBUTE_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1, 6),
    st.sampled_from(["150", "gold", "silver", "", "1", "true"]),
    st.sampled_from([Decimal("2.5"), Decimal("3"), Decimal("100.01")]),
    st.sampled_from([date(2026, 1, 1), TODAY]),
)
ATTRIBUTES = st.dictionaries(
    st.sampled_from(["score", "vip", "level", "fee_waivers_12m"]), ATTRIBUTE_VALUES, max_size=4
)


@st.composite
def situations(draw: st.DrawFn, policy: flexpolicy.Policy) -> flexpolicy.Situation:
    days = draw(st.one_of(st.sampled_from(DAY_POINTS), st.integers(0, 500)))
    purchased = TODAY - timedelta(days=days)
    price = draw(MONEY)
    kind = draw(st.sampled_from(policy.applies_to))
    with_transaction = draw(st.booleans()) if kind in ("fee_waiver", "goodwill") else True
    flags = draw(
        st.sets(st.sampled_from(["abusive", "fraud_watch", "vip", "employee"]), max_size=2)
    )
    customer = flexpolicy.Customer(
        id="c1",
        tier=draw(st.integers(1, 5)),
        segment=draw(st.sampled_from([None, "loyal", "new", "business"])),
        lifetime_value=draw(st.one_of(st.none(), MONEY)),
        purchases_12m=draw(st.integers(0, 12)),
        returns_12m=draw(st.integers(0, 12)),
        exceptions_90d=draw(st.integers(0, 4)),
        member_since=draw(st.sampled_from([None, date(2015, 1, 1), TODAY - timedelta(days=30)])),
        flags=frozenset(flags),
        attributes=draw(ATTRIBUTES),
    )
    transaction = None
    if with_transaction:
        transaction = flexpolicy.Transaction(
            id="t1",
            customer_id="c1",
            purchased_at=purchased,
            channel=draw(st.sampled_from([None, "in_store", "online", "phone"])),
            items=(
                flexpolicy.LineItem(
                    sku="SKU1",
                    unit_price=price,
                    description="USB-C power adapter",
                    category=draw(st.sampled_from([None, "electronics", "apparel", "gift_card"])),
                    final_sale=draw(st.booleans()),
                ),
            ),
        )
    request = flexpolicy.Request(
        id="r1",
        kind=kind,
        requested_at=TODAY,
        transaction_id="t1" if transaction else None,
        sku="SKU1" if transaction else None,
        item_condition=draw(
            st.sampled_from([None, "unused", "opened", "used", "damaged", "defective"])
        ),
        packaging_intact=draw(st.sampled_from([None, True, False])),
        has_receipt=draw(st.sampled_from([None, True, False])),
        reason=draw(st.sampled_from(REASONS)),
        store_at_fault=draw(st.booleans()),
        requested_remedy=draw(st.sampled_from([None, "refund", "store_credit", "exchange"])),
        amount=draw(st.one_of(st.none(), MONEY)),
    )
    case = None
    if draw(st.booleans()):
        case = flexpolicy.CaseFacts(
            id="case-1",
            contacts_total=draw(st.integers(0, 6)),
            contacts_14d=draw(st.integers(0, 5)),
            days_open=draw(st.integers(0, 40)),
            open_promises=draw(st.integers(0, 2)),
            overdue_promises=draw(st.integers(0, 2)),
        )
    role = draw(st.one_of(st.none(), st.sampled_from(policy.roles)))
    actor = flexpolicy.Actor(id="e1", role=role) if role else None
    return flexpolicy.Situation(
        request=request, customer=customer, transaction=transaction, actor=actor, case=case
    )


# -- aiming at a policy's thresholds ------------------------------------------------


@st.composite
def threshold_situations(draw: st.DrawFn, policy: flexpolicy.Policy) -> flexpolicy.Situation:
    """`situations` (store attributes included) moved onto the policy's thresholds,
    the way `flexpolicy.testing.situations` does it."""
    situation = draw(situations(policy))
    changes: dict[str, object] = {}
    for name, values in sorted(testing.thresholds(policy).items()):
        if draw(st.booleans()):
            changes[name] = draw(st.sampled_from([v for c in values for v in _near(c)]))
    return _with_thresholds(situation, changes, TODAY)
