"""The solver's picture of a policy is the policy: pinned to a real situation, the z3
formulas give exactly the decision the native evaluator gives.

This is what makes `flexpolicy check` and `verify` trustworthy: an "unsat" answer is only
a proof if the formulas describe every real decision, and a real situation must satisfy
the domain constraints (a domain that is too tight would "prove" anything).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import z3
from hypothesis import given, settings
from hypothesis import strategies as st

import flexpolicy
from flexpolicy._analysis.encode import OUTCOME_CODES, rule_table
from flexpolicy._analysis.session import Session
from tests.support.backends import DIFFERENTIAL
from tests.support.paths import POLICY_FILES
from tests.support.policy_gen import policies as generated_policies
from tests.support.strategies import threshold_situations


class Pinned:
    """One policy's decision formulas, ready to be pinned to situations."""

    def __init__(self, policy: flexpolicy.Policy) -> None:
        self.policy = policy
        self.session = Session()
        self.encoder = self.session.encoder(policy._core.ir)
        self.outcome, self.rule = self.encoder.decision()
        self.table = [r.id for r in rule_table(policy._core.ir)]
        self.solver = z3.Solver(ctx=self.session.ctx)
        self.solver.add(*self.session.space.domain)

    def check(self, situation: flexpolicy.Situation) -> None:
        decision = self.policy.decide_situation(situation)
        expected = z3.And(
            self.outcome == OUTCOME_CODES[decision.outcome],
            self.rule == self.table.index(decision.rule_id),
        )
        self.solver.push()
        try:
            self.solver.add(*self.session.space.pin(situation, lowest_role=self.policy.roles[0]))
            answer = self.solver.check()
            assert answer == z3.sat, f"the domain excludes a real situation: {situation}"
            assert self.solver.check(expected) == z3.sat, (decision.outcome, decision.rule_id)
            if not self.encoder.approximate:
                wrong = self.solver.check(z3.Not(expected))
                assert wrong == z3.unsat, (self.solver.model(), decision.rule_id)
        finally:
            self.solver.pop()


@cache
def _pinned(path: Path) -> Pinned:
    return Pinned(flexpolicy.load_policy(path))


@settings(max_examples=300, deadline=None, database=None)
@given(st.sampled_from(POLICY_FILES), st.data())
def test_formulas_decide_like_the_policy_on_shipped_policies(path: Path, data: Any) -> None:
    pinned = _pinned(path)
    pinned.check(data.draw(threshold_situations(pinned.policy)))


@settings(DIFFERENTIAL, max_examples=100)
@given(generated_policies(), st.data())
def test_formulas_decide_like_the_policy_on_generated_policies(text: str, data: Any) -> None:
    pinned = Pinned(flexpolicy.Policy.from_yaml(text))
    for _ in range(5):
        pinned.check(data.draw(threshold_situations(pinned.policy)))


def test_shipped_policies_are_encoded_exactly() -> None:
    """No shipped policy needs a stand-in value, so every answer about them is exact."""
    for path in POLICY_FILES:
        assert not _pinned(path).encoder.approximate, path.name
