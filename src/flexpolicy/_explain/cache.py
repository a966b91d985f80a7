"""What explaining asks of a policy's expressions, worked out once per policy.

Every decision's trace, rationale and alternatives ask the same static
questions of the same nodes: which leaves a condition reads (a walk of its
tree), whether it reads an internal field, the noun and unit of a field, whether
a customer could change it.  None of that depends on the facts of a decision,
so a policy keeps one `ExplainCache` and every explanation reads from it.

Thread safety: the tables are only ever filled, never changed, and a fill is
idempotent (every thread computes the same value for the same node), like
`VerdictCache`.  Entries are keyed by the node's id and keep the node itself,
so an id can never be reused by another object while its entry lives; the
nodes belong to the policy's IR, which the policy keeps for as long as the cache.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .._ir import Fact, PolicyIR
from .._lang import checked as c
from .._lang.catalog import FieldSpec
from .._lang.values import ParamMap
from . import words as w

V = TypeVar("V")
Table = dict[int, tuple[c.Expr, Any]]
Leaves = tuple[tuple[str, c.Expr], ...]


def leaf_nodes(expr: c.Expr) -> Leaves:
    """The (name, node) pairs `Evaluator.leaves` reports, in walk order."""
    out: list[tuple[str, c.Expr]] = []
    for node in c.walk(expr):
        match node:
            case c.Field():
                out.append((node.dotted, node))
            case c.Builtin(name=name) | c.FactRef(name=name):
                out.append((name, node))
            case c.Call(func="lookup", args=(c.Const(origin=str() as origin), *_)):
                out.append((origin, node))  # a map param shows the value it gave
            case c.Const(origin=str() as origin) if not isinstance(node.value, ParamMap):
                out.append((origin, node))
    return tuple(out)


class ExplainCache:
    """Per-policy answers to the static questions explanations ask of expressions."""

    __slots__ = (
        "_changeable",
        "_internal",
        "_leaves",
        "_nouns",
        "_specs",
        "_units",
        "_walks",
        "facts",
        "public",
    )

    def __init__(self, ir: PolicyIR) -> None:
        self._fill(ir.facts)
        self.public = ir.attribute_public

    @classmethod
    def for_facts(cls, facts: dict[str, Fact]) -> ExplainCache:
        """A cache for expressions outside a policy (an escalations file's): its facts."""
        cache = cls.__new__(cls)
        cache._fill(facts)
        cache.public = None
        return cache

    def _fill(self, facts: dict[str, Fact]) -> None:
        self.facts = facts
        self._walks: Table = {}
        self._leaves: Table = {}
        self._internal: Table = {}
        self._specs: Table = {}
        self._nouns: Table = {}
        self._units: Table = {}
        self._changeable: Table = {}

    @staticmethod
    def _memo(table: Table, expr: c.Expr, compute: Callable[[c.Expr], V]) -> V:
        hit = table.get(id(expr))
        if hit is not None:
            value: V = hit[1]
            return value
        value = compute(expr)
        table[id(expr)] = (expr, value)
        return value

    def walk(self, expr: c.Expr) -> tuple[c.Expr, ...]:
        hit = self._walks.get(id(expr))
        if hit is not None:
            nodes: tuple[c.Expr, ...] = hit[1]
            return nodes
        return self._memo(self._walks, expr, lambda e: tuple(c.walk(e)))

    def leaves(self, expr: c.Expr) -> Leaves:
        hit = self._leaves.get(id(expr))
        if hit is not None:
            found: Leaves = hit[1]
            return found
        return self._memo(self._leaves, expr, leaf_nodes)

    def is_internal(self, expr: c.Expr) -> bool:
        hit = self._internal.get(id(expr))
        if hit is not None:
            internal: bool = hit[1]
            return internal
        return self._memo(
            self._internal, expr, lambda e: w.is_internal(e, self.facts, None, self.public)
        )

    def field_spec(self, expr: c.Expr) -> FieldSpec | None:
        hit = self._specs.get(id(expr))
        if hit is not None:
            spec: FieldSpec | None = hit[1]
            return spec
        return self._memo(self._specs, expr, w.field_spec)

    def noun(self, expr: c.Expr) -> str:
        hit = self._nouns.get(id(expr))
        if hit is not None:
            noun: str = hit[1]
            return noun
        return self._memo(self._nouns, expr, w.noun)

    def unit_of(self, expr: c.Expr) -> str | None:
        hit = self._units.get(id(expr))
        if hit is not None:
            unit: str | None = hit[1]
            return unit
        return self._memo(self._units, expr, w.unit_of)

    def changeable(self, expr: c.Expr, compute: Callable[[c.Expr], bool]) -> bool:
        """Whether a customer could make `expr` hold (`counterfactual.changeable`)."""
        return self._memo(self._changeable, expr, compute)
