"""What one decision saw, as data: the values its conditions read and what each came to.

The engines decide fast and keep nothing but the verdict.  When someone asks a
decision why, its `Record` re-evaluates the policy's conditions against the same
facts with the reference evaluator (`_engine.interpreter`) and keeps what it saw:
every node's value, and for each rule the decision went through, each condition,
whether it held (None: a value it reads is missing) and the leaf values it read.
The record holds no words.  The trace, the rationale, the levers and the
alternatives read it, and the wording layer (`phrases`, `words`) says it; so
what was seen is worked out once per decision however many ways it is told.

Like OPA's trace events (`v1/topdown/trace.go`, rendered apart by `PrettyTrace`),
with one difference: values are recorded on demand, node by node, because a
decision's explanation reads a few hundred nodes and a policy holds thousands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .._engine.context import Context
from .._engine.interpreter import Evaluator
from .._engine.semantics import STAGE_DEFAULT, STAGE_GUARD, STAGE_STANDARD, Verdict
from .._facts.jsonvalue import to_json_value
from .._ir import Condition, Fact, PolicyIR, Rule
from .cache import ExplainCache

RuleKind = Literal["guard", "standard", "flex", "default"]

# The two records below are slotted dataclasses, not frozen ones: a frozen dataclass
# sets each field through `object.__setattr__`, and a trace makes a couple of dozen
# records per decision.  Nothing changes them once they are made.


@dataclass(slots=True)
class ConditionSeen:
    """One condition of a rule, as the decision found it (never changed once made)."""

    condition: Condition
    passed: bool | None  # None: unknown, because a value it reads is missing
    values: dict[str, Any]  # the leaves it read, by the names an author wrote (JSON values)


@dataclass(slots=True)
class RuleSeen:
    """One rule the decision went through (never changed once made)."""

    rule: Rule
    kind: RuleKind
    matched: bool  # every condition held
    conditions: tuple[ConditionSeen, ...]
    decides: bool  # this rule decided (a flex rule: it bent the denial)


class Record:
    """What one decision saw; values are worked out the first time they are read.

    `value` and `truth` are the reference evaluator's, remembered by node, so the
    trace, the words for it and the alternatives never evaluate a node twice.
    `cache` is the policy's answers to the static questions wording asks (nouns,
    units, walks), shared by its decisions.
    """

    __slots__ = ("cache", "ctx", "fact", "facts", "ir", "stage", "truth", "value", "verdict")

    def __init__(self, ir: PolicyIR, ctx: Context, verdict: Verdict, cache: ExplainCache) -> None:
        self.ir = ir
        self.ctx = ctx
        self.verdict = verdict
        self.stage = verdict.stage
        self.cache = cache
        self.facts: dict[str, Fact] = ir.facts
        evaluator = Evaluator(ir.facts, ctx, cache.leaves)
        self.value = evaluator.value
        self.truth = evaluator.truth
        self.fact = evaluator.fact

    def rule(self, rule: Rule, kind: RuleKind, decides: bool = False) -> RuleSeen:
        """What each of `rule`'s conditions came to, and the values it read."""
        value, truth, leaves = self.value, self.truth, self.cache.leaves
        conditions: list[ConditionSeen] = []
        matched = True
        for condition in rule.conditions:
            expr = condition.expr
            passed = truth(expr)
            matched = matched and passed is True
            values = {name: to_json_value(value(node)) for name, node in leaves(expr)}
            conditions.append(ConditionSeen(condition, passed, values))
        return RuleSeen(rule, kind, matched, tuple(conditions), decides)

    def holds(self, conditions: Sequence[Condition]) -> bool:
        """Whether every condition held (unknown is not held)."""
        truth = self.truth
        return all(truth(x.expr) is True for x in conditions)

    def unmet(self, conditions: Sequence[Condition]) -> list[Condition]:
        """The conditions that did not hold (false or unknown), in order."""
        truth = self.truth
        return [x for x in conditions if truth(x.expr) is not True]

    def path(self) -> list[RuleSeen]:
        """The rules the decision went through, in order: the guards until one decided,
        the standard rules until one decided, the default if it decided, then (for a
        denial) every flex rule that could bend the rule that denied."""
        out: list[RuleSeen] = []
        v = self.verdict
        for guard in self.ir.guards:
            decided = self.stage == STAGE_GUARD and guard is v.decided_by
            out.append(self.rule(guard, "guard", decided))
            if decided:
                return out
        for rule in self.ir.standard:
            decided = self.stage == STAGE_STANDARD and rule is v.decided_by
            out.append(self.rule(rule, "standard", decided))
            if decided:
                break
        if self.stage == STAGE_DEFAULT:
            out.append(RuleSeen(self.ir.default, "default", True, (), True))
        if v.decided_by.outcome == "deny":
            for flex in self.ir.flex:
                if v.decided_by.id in flex.bends:
                    chosen = v.exception and flex is v.rule
                    out.append(self.rule(flex, "flex", chosen))
        return out
