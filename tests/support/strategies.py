"""Hypothesis strategies for situations that sit near the thresholds of shipped policies."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import strategies as st

import flexpolicy
from flexpolicy import testing
from flexpolicy.testing import _base, _near, _with_thresholds

TODAY = date(2026, 11, 20)

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


def situations(policy: flexpolicy.Policy) -> st.SearchStrategy[flexpolicy.Situation]:
    """`flexpolicy.testing`'s situations, with store attributes of mixed kinds (`"150"`
    next to `150`), which only the differential tests of the durable back end need."""
    return _base(policy, TODAY, attributes=ATTRIBUTES)


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
