"""Issue 16's language: `if`/`then`/`else`, map params with `lookup`, date functions
and the policy calendar, decided alike by every back end and checked at load time."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

import flexpolicy
from tests.support.backends import verdicts
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

    @settings(
        max_examples=300,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(threshold_situations(native))
    def check(situation: flexpolicy.Situation) -> None:
        found = verdicts(durable, situation)
        assert all(v is found["reference"] for v in found.values()), found
        assert native.decide_situation(situation).key() == durable.decide_situation(situation).key()

    check()
