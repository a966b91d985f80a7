"""What a decision saw is recorded as data, and the trace only tells it.

The record (`_explain.record`) holds each rule the decision went through, each
condition's outcome and the values it read, and no words; the trace is that
record with the wording layer's text and notes added.  These tests hold the two
to each other, on the shipped returns policy and simulated requests.
"""

from __future__ import annotations

import dataclasses

import flexpolicy
from flexpolicy._engine.interpreter import Evaluator
from flexpolicy._explain.cache import ExplainCache
from flexpolicy._explain.record import ConditionSeen, RuleSeen
from flexpolicy._explain.trace import NOTES
from flexpolicy._lang import checked as c
from flexpolicy.authoring import simulate


def _decisions(policy: flexpolicy.Policy, n: int = 300) -> list[flexpolicy.Decision]:
    return [policy.decide_situation(s) for s in simulate(n, seed=5) if s.request.kind == "return"]


def test_the_record_holds_no_words() -> None:
    assert [f.name for f in dataclasses.fields(ConditionSeen)] == ["condition", "passed", "values"]
    assert [f.name for f in dataclasses.fields(RuleSeen)] == [
        "rule",
        "kind",
        "matched",
        "conditions",
        "decides",
    ]


def test_the_trace_is_the_record_worded(returns_policy: flexpolicy.Policy) -> None:
    for decision in _decisions(returns_policy):
        evaluation = returns_policy._core.explain(decision._verdict, decision._facts)
        path = evaluation.record.path()
        trace = decision.trace
        assert len(trace) == len(path)
        for seen, told in zip(path, trace, strict=True):
            assert (told.rule_id, told.kind) == (seen.rule.id, seen.kind)
            assert told.matched is seen.matched
            assert told.note == (NOTES[seen.kind] if seen.decides else None)
            for condition, line in zip(seen.conditions, told.conditions, strict=True):
                assert line.source == condition.condition.source
                assert line.passed is condition.passed
                assert line.values == condition.values
                words = evaluation.phrases.said(condition.condition.expr)
                assert line.text == (words or condition.condition.source)


def test_the_deciding_rule_is_recorded_once(returns_policy: flexpolicy.Policy) -> None:
    for decision in _decisions(returns_policy):
        path = returns_policy._core.explain(decision._verdict, decision._facts).record.path()
        deciders = [seen for seen in path if seen.decides and seen.kind != "flex"]
        assert [seen.rule.id for seen in deciders] == [decision._verdict.decided_by.id]
        assert all(seen.matched for seen in deciders)


def test_the_evaluator_takes_its_leaves_from_whoever_keeps_them(
    returns_policy: flexpolicy.Policy,
) -> None:
    """The reference evaluator knows nothing of the explanation cache: it is handed a
    function for a condition's leaves, and reports the same values with or without it."""
    ir = returns_policy._core.ir
    cache = ExplainCache(ir)
    asked: list[c.Expr] = []

    def leaves(expr: c.Expr) -> tuple[tuple[str, c.Expr], ...]:
        asked.append(expr)
        return cache.leaves(expr)

    decision = _decisions(returns_policy, 20)[0]
    ctx = returns_policy._core.explain(decision._verdict, decision._facts).ctx
    plain, handed = Evaluator(ir.facts, ctx), Evaluator(ir.facts, ctx, leaves)
    for rule in ir.rules:
        for condition in rule.conditions:
            assert handed.leaves(condition.expr) == plain.leaves(condition.expr)
    assert asked
