"""Issue 16's language: `if`/`then`/`else`, map params with `lookup`, date functions
and the policy calendar, decided alike by every back end and checked at load time."""

from __future__ import annotations

import calendar as _cal
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flexpolicy
from flexpolicy import analysis
from flexpolicy._lang import dates
from flexpolicy._lang.values import Calendar
from tests.support.backends import DIFFERENTIAL, verdicts
from tests.support.strategies import threshold_situations

POLICY = """
policy: issue16
version: 1
applies_to: [return]
roles: [associate, manager]
calendar: {holidays: [2026-12-25, 2027-01-01]}
params:
  windows: {standard: 15, Plus: 30, total: 45}
facts:
  window: lookup(windows, customer.segment, 20)
  holiday: in_season(transaction.purchased_at, "10-28", "12-28")
  bd: business_days_between(transaction.purchased_at, today)
  allowed: if holiday then 45 else if customer.tier >= 4 then window + 5 else window
rules:
  - id: january
    when:
      - holiday
      - 'today <= next_date(transaction.purchased_at, "01-12")'
    outcome: approve
  - id: in-window
    when: [days_since_purchase <= allowed, bd < 40]
    outcome: approve
  - id: weekday
    when: [weekday(transaction.purchased_at) == 1, month(today) == 3, year(today) > 2000]
    outcome: approve
  - id: soon
    when: 'add_days(transaction.purchased_at, 10) >= today and day(today) != 31'
    outcome: approve
  - id: choose
    when: 'if request.has_receipt then customer.tier >= 3 else customer.tier >= 5'
    outcome: approve
default: {outcome: deny}
"""


def _both() -> tuple[flexpolicy.Policy, flexpolicy.Policy]:
    return (
        flexpolicy.Policy.from_yaml(POLICY),
        flexpolicy.Policy.from_yaml(POLICY, engine="durable"),
    )


def test_every_back_end_decides_the_new_constructs_alike() -> None:
    native, durable = _both()

    @settings(DIFFERENTIAL, max_examples=300)
    @given(threshold_situations(native))
    def check(situation: flexpolicy.Situation) -> None:
        found = verdicts(durable, situation)
        assert all(v is found["reference"] for v in found.values()), found
        assert native.decide_situation(situation).key() == durable.decide_situation(situation).key()

    check()


# -- properties of the date functions, against day-by-day models ----------------------

DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))
MONTH_DAYS = st.integers(1, 12).flatmap(
    lambda m: st.integers(1, _cal.monthrange(2024, m)[1]).map(lambda d: f"{m:02d}-{d:02d}")
)


def _season_model(day: date, start: str, end: str) -> bool:
    """Walk each season that may hold `day` (the one starting last year, this year's),
    day by day from its first day to its last (next year's when the season wraps)."""
    first, last = dates.month_day(start), dates.month_day(end)
    assert first is not None
    assert last is not None
    for year in (day.year - 1, day.year):
        current = dates.on_day(year, first)
        stop = dates.on_day(year + (1 if first > last else 0), last)
        while current <= stop:
            if current == day:
                return True
            current += timedelta(days=1)
    return False


@settings(max_examples=300, deadline=None)
@given(DAYS, MONTH_DAYS, MONTH_DAYS)
def test_in_season_is_the_walk_from_start_to_end(day: date, start: str, end: str) -> None:
    assert dates.in_season(day, start, end) is _season_model(day, start, end)


@settings(max_examples=300, deadline=None)
@given(DAYS, MONTH_DAYS)
def test_next_date_is_on_or_after_and_within_a_year(day: date, md: str) -> None:
    found = dates.next_date(day, md)
    assert found is not None
    assert day <= found < date(day.year + 1, 12, 31)
    assert (found - day).days <= 366
    wanted = dates.month_day(md)
    assert wanted is not None
    assert found == dates.on_day(found.year, wanted)
    # nothing between `day` and `found` is such a day
    assert all(
        d != dates.on_day(d.year, wanted)
        for d in (day + timedelta(n) for n in range((found - day).days))
    )


HOLIDAYS = st.frozensets(
    st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)), max_size=8
)
WEEKENDS = st.frozensets(st.integers(1, 7), max_size=6)
NEAR = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))


@settings(max_examples=300, deadline=None)
@given(NEAR, NEAR, HOLIDAYS, WEEKENDS)
def test_business_days_count_day_by_day(
    a: date, b: date, holidays: frozenset[date], weekend: frozenset[int]
) -> None:
    cal = Calendar(holidays, weekend)
    low, high = min(a, b), max(a, b)
    count = sum(
        1
        for n in range(1, (high - low).days + 1)
        if (d := low + timedelta(n)).isoweekday() not in weekend and d not in holidays
    )
    assert dates.business_days_between(a, b, cal) == (count if a <= b else -count)


# -- load-time errors, located -------------------------------------------------------------

BASE = """policy: p
version: 1
applies_to: [return]
roles: [associate]
"""


@pytest.mark.parametrize(
    ("extra", "code", "line"),
    [
        pytest.param("params:\n  w: {a: 1, b: x}\n", "bad-map-param", 6, id="mixed-values"),
        pytest.param("params:\n  w: {a: {b: 1}}\n", "bad-map-param", 6, id="nested-map"),
        pytest.param("params:\n  w: {a: [1]}\n", "bad-map-param", 6, id="list-value"),
        pytest.param("params:\n  w: {}\n", "bad-map-param", 6, id="empty-map"),
        pytest.param("params:\n  w: {Plus: 1, plus: 2}\n", "bad-map-param", 6, id="same-label"),
        pytest.param(
            "rules:\n  - id: r\n    when: in_season(today, '02-30', '03-01')\n"
            "    outcome: approve\n",
            "bad-month-day",
            7,
            id="feb-30",
        ),
        pytest.param(
            "params:\n  w: {unused: 30, opned: 15}\nrules:\n  - id: r\n"
            "    when: lookup(w, request.item_condition, 0) > 1\n    outcome: approve\n",
            "invalid-value",
            9,
            id="map-key-never-a-condition",
        ),
        pytest.param(
            "rules:\n  - id: r\n"
            "    when: request.item_condition ==\n"
            "      (if today > date('2026-01-01') then 'usd' else 'used')\n"
            "    outcome: approve\n",
            "invalid-value",
            7,
            id="if-branch-never-a-condition",
        ),
        pytest.param("calendar: {weekend: [8]}\n", "bad-value", 5, id="weekend-8"),
        pytest.param("calendar: {holidays: [soon]}\n", "bad-value", 5, id="holiday-not-a-date"),
    ],
)
def test_bad_maps_and_month_days_are_located(extra: str, code: str, line: int) -> None:
    with pytest.raises(flexpolicy.PolicyError) as caught:
        flexpolicy.Policy.from_yaml(BASE + extra, file="p.yaml")
    found = [(p.code, p.line) for p in caught.value.problems]
    assert (code, line) in found, found


def test_a_map_param_is_read_only_through_lookup() -> None:
    text = BASE + "params:\n  w: {a: 1}\nrules:\n  - id: r\n    when: w > 1\n    outcome: approve\n"
    with pytest.raises(flexpolicy.PolicyError) as caught:
        flexpolicy.Policy.from_yaml(text, file="p.yaml")
    assert [p.code for p in caught.value.problems] == ["type-mismatch"]


def test_the_calendar_travels_with_its_policy() -> None:
    """Two policies with different holidays decide side by side: no shared state."""
    rule = (
        "rules:\n  - id: r\n"
        "    when: business_days_between(date('2026-12-24'), today) >= 2\n"
        "    outcome: approve\ndefault: {outcome: deny}\n"
    )
    plain = flexpolicy.Policy.from_yaml(BASE + rule)
    festive = flexpolicy.Policy.from_yaml(
        BASE + "calendar: {holidays: [2026-12-25, 2026-12-28]}\n" + rule
    )
    situation = _situations(plain)[0].model_copy(update={"as_of": date(2026, 12, 28)})
    assert plain.decide_situation(situation).outcome == "approve"  # Friday 25th, Monday 28th
    assert festive.decide_situation(situation).outcome == "deny"  # both holidays


def _situations(policy: flexpolicy.Policy) -> list[flexpolicy.Situation]:
    found: list[flexpolicy.Situation] = []

    @settings(max_examples=1, deadline=None, database=None)
    @given(threshold_situations(policy))
    def draw(situation: flexpolicy.Situation) -> None:
        found.append(situation)

    draw()
    return found


# -- analysis and explanation ----------------------------------------------------------

CHOSEN = BASE + (
    "params:\n  windows: {standard: 15, plus: 30}\n"
    "facts:\n  window: lookup(windows, customer.segment, 10)\n"
    "  extra: if request.has_receipt then 5 else 0\n"
    "rules:\n  - id: in-window\n    when: days_since_purchase <= window + extra\n"
    "    outcome: approve\ndefault: {outcome: deny}\n"
)


def test_verify_settles_policies_with_if_and_lookup() -> None:
    """z3 states `if` and `lookup` exactly (chains of `If`): proofs, not `unknown`."""
    policy = flexpolicy.Policy.from_yaml(CHOSEN)
    assert analysis.verify_monotone(policy, "days_since_purchase", increasing=False).holds is True
    assert analysis.verify_monotone(policy, "customer.tier").holds is True
    assert analysis.verify_invariant(policy, "customer.segment").holds is False


def test_an_alternative_names_the_key_and_tries_another() -> None:
    policy = flexpolicy.Policy.from_yaml(CHOSEN)
    situation = _situations(policy)[0]
    data = situation.model_dump()
    data["customer"]["segment"] = "standard"
    data["request"]["has_receipt"] = False
    data["as_of"] = data["request"]["requested_at"] = date(2026, 3, 20)
    data["transaction"]["purchased_at"] = date(2026, 2, 28)  # 20 days: over 10 and 15
    decision = policy.decide_situation(flexpolicy.Situation.model_validate(data))
    assert decision.outcome == "deny"
    (alternative,) = decision.alternatives
    (unmet,) = alternative.unmet
    assert "for a customer segment of standard" in unmet.text
    assert alternative.changes == {"customer.segment": "plus"}


def test_the_trace_shows_the_value_a_map_gave_and_the_branch_an_if_took() -> None:
    policy = flexpolicy.Policy.from_yaml(
        BASE + "params:\n  windows: {standard: 15, plus: 30}\n"
        "rules:\n  - id: in-window\n"
        "    when: days_since_purchase <= lookup(windows, customer.segment, 10)\n"
        "    outcome: approve\n"
        "  - id: choose\n"
        "    when: if request.has_receipt then customer.tier >= 3 else customer.tier >= 5\n"
        "    outcome: approve\n"
        "default: {outcome: deny}\n"
    )
    data = _situations(policy)[0].model_dump()
    data["customer"].update(segment="standard", tier=4)
    data["request"]["has_receipt"] = False
    data["as_of"] = data["request"]["requested_at"] = date(2026, 3, 20)
    data["transaction"]["purchased_at"] = date(2026, 2, 28)
    decision = policy.decide_situation(flexpolicy.Situation.model_validate(data))
    window, choose = (rule.conditions[0] for rule in decision.trace[:2])
    assert window.values["windows"] == 15
    assert "customer segment of standard" in window.text
    assert choose.passed is False
    assert "there is no receipt" in choose.text  # the branch taken, and why


LABELS_CHOSEN = (
    BASE
    + """params:
  names: {loyal: Plus}
rules:
  - id: chosen
    when: "(if customer.tier >= 4 then customer.membership else customer.segment) == 'PLUS '"
    outcome: approve
  - id: mapped
    when: customer.membership == lookup(names, customer.segment, 'Total')
    outcome: approve
default: {outcome: deny}
"""
)


@pytest.mark.parametrize(
    ("tier", "membership", "segment", "rule"),
    [
        (4, "Plus", None, "chosen"),
        (2, None, " plus", "chosen"),
        (2, "PLUS", "Loyal", "mapped"),
        (2, "total", "new", "mapped"),
        (4, "member", "plus", "default"),
    ],
)
def test_labels_chosen_by_if_and_lookup_decide_normalised_on_every_back_end(
    tier: int, membership: str | None, segment: str | None, rule: str
) -> None:
    situation = flexpolicy.Situation.model_validate(
        {
            "request": {"id": "r", "kind": "return", "requested_at": "2026-11-20"},
            "customer": {"id": "c", "tier": tier, "membership": membership, "segment": segment},
        }
    )
    for engine in ("native", "durable"):
        policy = flexpolicy.Policy.from_yaml(LABELS_CHOSEN, engine=engine)
        assert policy.decide_situation(situation).rule_id == rule, engine
        found = verdicts(policy, situation)
        assert all(v is found["reference"] for v in found.values()), found
