"""The explainer's shortcuts change nothing a decision says.

The per-policy `ExplainCache`, the unvalidated output models (`_explain.outputs.made`)
and the denial rationale worded without re-deciding the alternatives must give
exactly what the plain paths give: the same models, equal, with the same
`repr`, fields set and JSON.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel

import flexpolicy
from flexpolicy._engine.interpreter import Evaluator
from flexpolicy._explain import phrases as ph
from flexpolicy._explain.cache import ExplainCache
from flexpolicy._explain.outputs import made
from flexpolicy.authoring import simulate
from flexpolicy.decision import (
    Alternative,
    ConditionTrace,
    Rationale,
    Requirement,
    RuleTrace,
)


def _situations(n: int = 400) -> list[flexpolicy.Situation]:
    return [s for s in simulate(n, seed=3) if s.request.kind == "return"]


def _rendered(d: flexpolicy.Decision) -> tuple[str, ...]:
    return (repr(d.rationale), repr(d.trace), repr(d.alternatives), repr(d.levers))


CONDITION = {
    "source": "days_since_purchase <= window_days",
    "passed": False,
    "values": {"days_since_purchase": 40, "window_days": 30, "flags": ["a", "b"]},
    "text": "bought 40 days ago; the window is 30 days",
}
REQUIREMENT = {
    "condition": "request.has_receipt",
    "text": "the receipt is at hand",
    "now": "no receipt",
    "customer_text": None,
    "customer_can_change": True,
    "change": {"request.has_receipt": True, "transaction.purchased_at": "2026-10-21"},
}
SAMPLES: list[tuple[type[BaseModel], dict[str, Any]]] = [
    (Rationale, {"staff": "Deny under rule `x`.", "customer": "Sorry."}),
    (ConditionTrace, CONDITION),
    (
        RuleTrace,
        {
            "rule_id": "window",
            "kind": "standard",
            "matched": False,
            "conditions": [ConditionTrace(**CONDITION)],
            "note": None,
        },
    ),
    (Requirement, REQUIREMENT),
    (
        Alternative,
        {
            "rule_id": "window",
            "outcome": "refer",
            "remedy": "refund",
            "required_role": "supervisor",
            "exception": True,
            "unmet": [Requirement(**REQUIREMENT)],
            "customer_can_act": True,
            "changes": None,
        },
    ),
]


@pytest.mark.parametrize(("cls", "values"), SAMPLES, ids=[c.__name__ for c, _ in SAMPLES])
def test_made_models_are_the_validated_ones(cls: type[BaseModel], values: dict[str, Any]) -> None:
    fast, checked = made(cls, dict(values)), cls(**values)
    assert fast == checked
    assert repr(fast) == repr(checked)
    assert fast.model_fields_set == checked.model_fields_set
    assert fast.model_dump(mode="json") == checked.model_dump(mode="json")
    assert fast.model_dump_json() == checked.model_dump_json()
    assert fast.model_copy(update={}) == checked.model_copy(update={})
    with pytest.raises(ValueError, match="frozen"):
        fast.__setattr__(next(iter(values)), None)


def test_cached_words_are_the_uncached_words(returns_policy: flexpolicy.Policy) -> None:
    """Every condition of the policy, worded with and without the policy's cache."""
    ir = returns_policy._core.ir
    cache = ExplainCache(ir)
    conditions = [x for rule in (*ir.rules, ir.default) for x in rule.conditions]
    conditions += [x for lever in ir.levers for x in lever.conditions]
    for situation in _situations(200):
        d = returns_policy.decide_situation(situation)
        ctx = returns_policy._core.explain(d._verdict, d._facts).ctx
        plain, cached = Evaluator(ir.facts, ctx), Evaluator(ir.facts, ctx, cache.leaves)
        words = ph.Phrases(cached, cache)
        for condition in conditions:
            expr = condition.expr
            truth = plain.truth(expr)
            assert cached.truth(expr) is truth
            assert cached.leaves(expr) == plain.leaves(expr)
            assert list(cached.leaves(expr)) == list(plain.leaves(expr))
            for audience in ("staff", "customer"):
                assert words.describe(expr, truth, audience) == ph.describe(
                    expr, plain, truth, audience
                )
                assert words.said(expr, audience) == ph.describe(expr, plain, truth, audience)
                assert words.requirement(expr, audience) == ph.requirement(expr, plain, audience)
                assert words.needs(expr, audience) == ph.requirement(expr, plain, audience)


def test_one_cache_per_policy(returns_policy: flexpolicy.Policy) -> None:
    first, second = (returns_policy.decide_situation(s) for s in _situations(20)[:2])
    one = returns_policy._core.explain(first._verdict, first._facts)
    two = returns_policy._core.explain(second._verdict, second._facts)
    assert one.cache is two.cache


def test_rationale_does_not_depend_on_reading_alternatives_first(
    returns_policy: flexpolicy.Policy,
) -> None:
    """A denial is worded from the alternatives' requirements, read or not."""
    situations = _situations()
    for situation in situations:
        plain = returns_policy.decide_situation(situation)
        rationale = plain.rationale
        alternatives = plain.alternatives
        other = returns_policy.decide_situation(situation)
        assert other.alternatives == alternatives
        assert other.rationale == rationale
        assert repr(other.rationale) == repr(rationale)


def test_explanations_agree_across_threads() -> None:
    """Threads filling one fresh policy's cache at once say what one thread says."""
    situations = _situations()
    policy = flexpolicy.load_policy("rules/returns.yaml")
    expected = [
        _rendered(flexpolicy.load_policy("rules/returns.yaml").decide_situation(s))
        for s in situations
    ]
    results: dict[int, list[tuple[str, ...]]] = {}
    barrier = threading.Barrier(4)

    def work(index: int) -> None:
        barrier.wait()
        results[index] = [_rendered(policy.decide_situation(s)) for s in situations]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(found == expected for found in results.values())


def test_lever_caps_stay_decimals(returns_policy: flexpolicy.Policy) -> None:
    for situation in _situations(100):
        for lever in returns_policy.decide_situation(situation).levers:
            assert type(lever.cap) is Decimal
