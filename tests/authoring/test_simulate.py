"""The simulated history: deterministic, lazy, realistic, and decidable by the shipped rules."""

from __future__ import annotations

import itertools
import time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flexpolicy
from flexpolicy._authoring.simulate import simulate

N = 3_000


@pytest.fixture(scope="module")
def history() -> list[flexpolicy.Situation]:
    return list(simulate(N, seed=11))


def test_same_seed_same_history() -> None:
    first = [s.model_dump_json() for s in simulate(300, seed=7)]
    second = [s.model_dump_json() for s in simulate(300, seed=7)]
    assert first == second


def test_different_seeds_differ() -> None:
    a = [s.model_dump_json() for s in simulate(50, seed=1)]
    b = [s.model_dump_json() for s in simulate(50, seed=2)]
    assert sum(x != y for x, y in zip(a, b, strict=True)) > 40


def test_every_situation_is_decided_by_the_shipped_rules(
    history: list[flexpolicy.Situation], policies: flexpolicy.PolicySet
) -> None:
    outcomes: Counter[str] = Counter()
    by_kind: dict[str, set[str]] = {}
    for situation in history:
        decision = policies.decide_situation(situation)  # raises on any inconsistency
        outcomes[decision.outcome] += 1
        by_kind.setdefault(situation.request.kind, set()).add(decision.outcome)
    assert set(outcomes) == {"approve", "deny", "refer"}
    assert all(count >= N // 50 for count in outcomes.values()), outcomes
    assert by_kind["return"] == {"approve", "deny", "refer"}


def test_actor_roles_are_on_every_shipped_ladder(
    history: list[flexpolicy.Situation], policies: flexpolicy.PolicySet
) -> None:
    roles = {s.actor.role for s in history if s.actor is not None}
    assert roles == {"associate", "supervisor", "store_manager"}
    for policy in policies:
        assert roles <= set(policy.roles), policy.id


def test_kinds_mix_is_roughly_as_documented(history: list[flexpolicy.Situation]) -> None:
    kinds = Counter(s.request.kind for s in history)
    documented = {
        "return": 0.50,
        "exchange": 0.15,
        "refund": 0.10,
        "price_adjustment": 0.10,
        "fee_waiver": 0.10,
        "goodwill": 0.05,
    }
    assert set(kinds) == set(documented)
    for kind, share in documented.items():
        assert abs(kinds[kind] / N - share) < 0.04, (kind, kinds[kind])


def test_roles_and_tiers_are_skewed_as_documented(history: list[flexpolicy.Situation]) -> None:
    roles = Counter(s.actor.role for s in history if s.actor is not None)
    assert 0.68 < roles["associate"] / N < 0.82
    assert 0.14 < roles["supervisor"] / N < 0.26
    assert 0.02 < roles["store_manager"] / N < 0.09
    tiers = Counter(s.customer.tier for s in history)
    assert tiers[3] > tiers[1]
    assert tiers[3] > tiers[5]
    assert all(tiers[t] > 0 for t in range(1, 6))


def test_ids_are_unique(history: list[flexpolicy.Situation]) -> None:
    requests = [s.request.id for s in history]
    assert len(set(requests)) == len(requests)
    transactions = [s.transaction.id for s in history if s.transaction is not None]
    assert len(set(transactions)) == len(transactions)


def test_customers_repeat_with_stable_ids(history: list[flexpolicy.Situation]) -> None:
    seen: dict[str, tuple[int, date | None]] = {}
    for s in history:
        profile = (s.customer.tier, s.customer.member_since)
        assert seen.setdefault(s.customer.id, profile) == profile
    assert 50 <= len(seen) <= N // 4
    visits = Counter(s.customer.id for s in history)
    assert visits.most_common(1)[0][1] >= 5  # some customers come back often
    assert all("fee_waivers_12m" in s.customer.attributes for s in history)


def test_dates_fit_the_window_and_run_in_order(history: list[flexpolicy.Situation]) -> None:
    start = date(2025, 11, 1)
    dates = [s.request.requested_at for s in history]
    assert dates == sorted(dates)
    assert dates[0] == start
    assert dates[-1] < start + timedelta(days=365)
    ages = [
        (s.request.requested_at - s.transaction.purchased_at).days
        for s in history
        if s.transaction is not None
    ]
    assert min(ages) >= 0
    assert max(ages) <= 200
    assert sum(age <= 30 for age in ages) > len(ages) / 2


def test_transactions_fit_their_requests(history: list[flexpolicy.Situation]) -> None:
    for s in history:
        txn = s.transaction
        if txn is None:
            assert s.request.kind in ("fee_waiver", "goodwill")
            continue
        assert txn.customer_id == s.customer.id
        assert s.request.transaction_id == txn.id
        assert 1 <= len(txn.items) <= 3
        assert s.request.sku in {item.sku for item in txn.items}
        for item in txn.items:
            assert Decimal(5) <= item.unit_price <= Decimal(1500)
            assert item.unit_price.as_tuple().exponent == -2
    assert any(item.final_sale for s in history if s.transaction for item in s.transaction.items)


def test_amounts_fit_the_kind(history: list[flexpolicy.Situation]) -> None:
    for s in history:
        amount = s.request.amount
        if s.request.kind in ("refund", "price_adjustment", "fee_waiver"):
            assert amount is not None
            assert amount > 0
        if s.request.kind == "fee_waiver":
            assert amount is not None
            assert amount < 100
        if s.request.kind == "return":
            assert amount is None  # the policy refunds the item's price


def test_lazy_and_flat() -> None:
    began = time.perf_counter()
    first = list(itertools.islice(simulate(10**9, seed=3), 10))
    assert time.perf_counter() - began < 1.0
    assert len(first) == 10
    assert first[0].request.requested_at == date(2025, 11, 1)


def test_bad_arguments_are_refused_at_once() -> None:
    with pytest.raises(ValueError, match="n must be"):
        simulate(-1)
    with pytest.raises(ValueError, match="days must be"):
        simulate(5, days=0)
    assert list(simulate(0)) == []


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(0, 60),
    seed=st.integers(-(2**40), 2**40),
    start=st.dates(date(2000, 1, 1), date(2090, 1, 1)),
    days=st.integers(1, 800),
)
def test_any_arguments_give_decidable_situations(
    policies: flexpolicy.PolicySet, n: int, seed: int, start: date, days: int
) -> None:
    situations = list(simulate(n, seed=seed, start=start, days=days))
    assert len(situations) == n
    for situation in situations:
        assert start <= situation.request.requested_at < start + timedelta(days=days)
        policies.decide_situation(situation)
