"""`flexpolicy.testing`: the strategies aim at thresholds, and the properties can fail."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import flexpolicy
from flexpolicy import testing
from flexpolicy.testing import _near
from tests.support.paths import POLICY_FILES, RULES

RETURNS = flexpolicy.load_policy(RULES / "returns.yaml")


@given(testing.situations(RETURNS))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_three_line_property_test_passes_on_returns(situation: flexpolicy.Situation) -> None:
    testing.check_all(RETURNS, situation)


@pytest.mark.parametrize("path", POLICY_FILES, ids=[p.stem for p in POLICY_FILES])
def test_every_shipped_policy_passes_every_property(path: object) -> None:
    policy = flexpolicy.load_policy(path)  # type: ignore[arg-type]  # a Path from the list

    @given(testing.situations(policy))
    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def check(situation: flexpolicy.Situation) -> None:
        testing.check_all(policy, situation)

    check()


def test_thresholds_are_read_from_the_policy() -> None:
    found = testing.thresholds(RETURNS)
    assert {30, 90, 120} <= set(found["days_since_purchase"])
    assert 4 in found["customer.tier"]


def test_situations_sit_on_the_thresholds() -> None:
    seen: set[int] = set()

    @given(testing.situations(RETURNS))
    @settings(max_examples=300, deadline=None, database=None, derandomize=True)
    def collect(situation: flexpolicy.Situation) -> None:
        assert situation.transaction is not None
        seen.add((situation.request.requested_at - situation.transaction.purchased_at).days)

    collect()
    assert {29, 30, 31} <= seen


UNFAIR = """
policy: unfair
version: "1"
applies_to: [return]
roles: [associate]
rules:
  - id: only-tier-four
    when: customer.tier == 4
    outcome: approve
    remedy: refund
"""


def test_check_monotone_catches_a_policy_that_treats_better_customers_worse() -> None:
    policy = flexpolicy.Policy.from_yaml(UNFAIR)
    situation = flexpolicy.Situation.model_validate(
        {
            "request": {"id": "r", "kind": "return", "requested_at": "2026-11-20"},
            "customer": {"id": "c", "tier": 4},
        }
    )
    with pytest.raises(AssertionError, match=r"customer\.tier from 4 to 5"):
        testing.check_monotone(policy, situation)
    testing.check_monotone(policy, situation.with_changes({"customer.tier": 2}))


@given(st.data())
@settings(max_examples=50, deadline=None, database=None)
def test_hypothesis_finds_the_unfair_policy(data: st.DataObject) -> None:
    policy = flexpolicy.Policy.from_yaml(UNFAIR)
    situation = data.draw(testing.situations(policy))
    if situation.customer.tier == 4:
        with pytest.raises(AssertionError):
            testing.check_monotone(policy, situation)


# -- release 2: the strategies aim at map values, season bounds, quantities and fees -----
AIMS = """
policy: aims
version: "1"
applies_to: [return]
roles: [associate]
params:
  windows: {standard: 15, elite: 30}
  fees: {phone: 12.50}
facts:
  window: lookup(windows, customer.membership, 15)
  holiday: in_season(transaction.purchased_at, "10-28", "12-28")
  winter: in_season(request.requested_at, "12-15", "01-15")
rules:
  - id: holiday
    when: holiday
    outcome: approve
  - id: winter
    when: [winter, request.item_condition == "unused"]
    outcome: approve
  - id: bulk
    when: [request.quantity >= 2, item_total >= 100]
    outcome: deny
  - id: in-window
    when: days_since_received <= window
    outcome: approve
    fee: lookup(fees, request.channel, 5)
default: {outcome: deny}
"""
AIMED = flexpolicy.Policy.from_yaml(AIMS)


def _aimed(examples: int = 600) -> list[flexpolicy.Situation]:
    """What `situations(AIMED)` generates first, the same on every run."""
    drawn: list[flexpolicy.Situation] = []

    @given(testing.situations(AIMED))
    @settings(max_examples=examples, deadline=None, database=None, derandomize=True)
    def collect(situation: flexpolicy.Situation) -> None:
        drawn.append(situation)

    collect()
    return drawn


@pytest.fixture(scope="module")
def aimed() -> list[flexpolicy.Situation]:
    return _aimed()


def _received(s: flexpolicy.Situation) -> int:
    assert s.transaction is not None
    return (
        s.request.requested_at - (s.transaction.delivered_at or s.transaction.purchased_at)
    ).days


def test_thresholds_hold_map_keys_values_season_days_and_fees() -> None:
    found = testing.thresholds(AIMED)
    assert {"standard", "elite"} <= set(found["customer.membership"])
    assert {15, 30} <= set(found["days_since_received"])
    assert "phone" in found["request.channel"]
    assert {Decimal("12.50"), 5} <= set(found["item_total"])  # a fee, by channel or default
    purchases = set(found["transaction.purchased_at"])
    assert {date(2025, 10, 28), date(2025, 12, 28), date(2026, 10, 28)} <= purchases
    requests = set(found["request.requested_at"])
    assert {date(2026, 12, 15), date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 15)} <= requests


def test_both_sides_of_a_map_window_are_generated(aimed: list[flexpolicy.Situation]) -> None:
    """`elite` maps to 30 days: received 29, 30 and 31 days ago, each by an elite member."""
    seen = {_received(s) for s in aimed if s.transaction and s.customer.membership == "elite"}
    assert {29, 30, 31} <= seen


def test_every_map_value_is_a_seed_on_both_sides() -> None:
    """`standard` maps to 15, the default too: the seeds hold 14, 15 and 16 beside 29-31."""
    seeds = {v for value in testing.thresholds(AIMED)["days_since_received"] for v in _near(value)}
    assert {14, 15, 16, 29, 30, 31} <= seeds


def test_each_season_bound_is_generated_on_both_sides_in_several_years(
    aimed: list[flexpolicy.Situation],
) -> None:
    decided = {
        (s.transaction.purchased_at, AIMED.decide_situation(s).rule_id == "holiday")
        for s in aimed
        if s.transaction is not None
    }
    years = {day.year for day, _ in decided if (day.month, day.day) == (10, 28)}
    assert len(years) >= 2, years
    for year in years:  # a day out, then the first day in; the last day in, then out
        assert (date(year, 10, 27), False) in decided or (date(year, 10, 28), True) not in decided
    assert {(10, 27, False), (10, 28, True), (12, 28, True), (12, 29, False)} <= {
        (day.month, day.day, inside) for day, inside in decided
    }


def test_a_season_over_the_new_year_is_generated_on_both_sides_of_it(
    aimed: list[flexpolicy.Situation],
) -> None:
    days = {(s.request.requested_at.month, s.request.requested_at.day) for s in aimed}
    assert {(12, 14), (12, 15), (12, 31), (1, 1), (1, 15), (1, 16)} <= days


def test_quantities_take_one_the_whole_line_and_less_than_the_line(
    aimed: list[flexpolicy.Situation],
) -> None:
    shapes = {
        (s.request.quantity, s.transaction.items[0].quantity)
        for s in aimed
        if s.transaction is not None
    }
    assert {(1, 1), (1, 3), (3, 3), (2, 3)} <= shapes
    totals = {
        (s.request.quantity > 1, s.request.quantity * s.transaction.items[0].unit_price)
        for s in aimed
        if s.transaction is not None
    }
    assert (True, Decimal("100")) in totals  # `item_total >= 100` met at two or three units


def test_item_totals_meet_each_fee_so_the_net_refund_reaches_zero(
    aimed: list[flexpolicy.Situation],
) -> None:
    totals = {
        s.request.quantity * s.transaction.items[0].unit_price
        for s in aimed
        if s.transaction is not None
    }
    fees = (Decimal("12.50"), Decimal(5))
    assert {fee + d for fee in fees for d in (Decimal("-0.01"), 0, Decimal("0.01"))} <= totals


def test_days_since_received_is_met_with_and_without_a_delivery_date(
    aimed: list[flexpolicy.Situation],
) -> None:
    seen = {
        (s.transaction.delivered_at is not None, _received(s))
        for s in aimed
        if s.transaction is not None
    }
    assert {(True, 30), (False, 30), (True, 15), (False, 15)} <= seen


def test_the_aimed_policy_passes_every_property(aimed: list[flexpolicy.Situation]) -> None:
    for situation in aimed[:150]:
        testing.check_all(AIMED, situation)
