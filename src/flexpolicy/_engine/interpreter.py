"""The reference evaluator: walks the typed tree and can say what it saw.

The compiled back end is the fast path; this one is the *explaining* path.  It
re-evaluates only when a trace, a rationale or a counterfactual is asked for,
and records the value of every field, fact and param a condition reads.  A
property test keeps the two evaluators in agreement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic, Protocol, TypeVar

from .._facts.typed import coerce_attribute
from .._ir import Fact
from .._lang import checked as c
from .._lang import runtime as rt
from .._lang.catalog import ATTRIBUTE_KINDS
from .._lang.values import ParamMap

_UNSET = object()
# The (name, node) pairs a condition reads, in walk order: what `Evaluator.leaves`
# reports.  A policy that explains many decisions passes one that remembers each
# condition's walk; the evaluator itself knows nothing of who keeps it.
Leaves = Callable[[c.Expr], Iterable[tuple[str, c.Expr]]]


class FactSource(Protocol):
    """Where an evaluation reads its roots (`customer`, `case`, ...) and built-in facts."""

    def root(self, name: str) -> Any: ...

    def builtin(self, name: str) -> Any: ...


S = TypeVar("S", bound=FactSource)


class Evaluator(Generic[S]):
    """Evaluates expressions against one context, remembering facts it computed."""

    def __init__(self, facts: dict[str, Fact], ctx: S, leaves: Leaves | None = None) -> None:
        self.facts = facts
        self.ctx = ctx
        # Where `leaves` finds a condition's leaves; None: walk the tree each time.
        self._leaves = leaves
        self._memo: dict[str, Any] = {}
        # Explaining one decision asks for the same sub-expressions again and again
        # (the trace, its words, the rationale, the alternatives): remember each
        # node's value by identity.  The nodes belong to the policy, which outlives
        # this evaluator, so an id is never reused while the memo is alive.
        self._values: dict[int, Any] = {}

    def fact(self, name: str) -> Any:
        found = self._memo.get(name, _UNSET)
        if found is _UNSET:
            found = self.value(self.facts[name].expr)
            self._memo[name] = found
        return found

    def value(self, expr: c.Expr) -> Any:
        key = id(expr)
        values = self._values
        found = values.get(key, _UNSET)
        if found is _UNSET:
            step = _STEPS.get(type(expr))
            found = values[key] = self._compute(expr) if step is None else step(self, expr)
        return found

    def _compute(self, expr: c.Expr) -> Any:
        match expr:
            case c.Const(value=value):
                return value
            case c.Field(root=root, path=path):
                current = self.ctx.root(root)
                for name in path:
                    if current is None:
                        return None
                    if isinstance(current, dict):  # customer.attributes
                        current = current.get(name)
                    else:
                        current = getattr(current, name)
                return _declared(expr, current)
            case c.Root(root=root):
                return self.ctx.root(root)
            case c.Builtin(name=name):
                return self.ctx.builtin(name)
            case c.FactRef(name=name):
                return self.fact(name)
            case c.ListExpr(items=items):
                return tuple(self.value(i) for i in items)
            case c.Not(operand=operand):
                inner = self.value(operand)
                return None if inner is None else not inner
            case c.Neg(operand=operand):
                return rt.negate(self.value(operand))
            case c.And(operands=operands):
                return rt.kleene_and(self.value(o) for o in operands)
            case c.Or(operands=operands):
                return rt.kleene_or(self.value(o) for o in operands)
            case c.Arith(op=op, left=left, right=right):
                return rt.arith(op, self.value(left), self.value(right))
            case c.Cmp(op=op, left=left, right=right):
                return rt.compare(op, self.value(left), self.value(right))
            case c.Call(func=func, args=args):
                return rt.call(func, [self.value(a) for a in args])
            case c.If():
                return _if(self, expr)
        raise TypeError(f"cannot evaluate {type(expr).__name__}")  # a new node kind: map it

    def truth(self, expr: c.Expr) -> bool | None:
        # Explaining asks again and again about nodes already valued: look in the memo first.
        value = self._values.get(id(expr), _UNSET)
        if value is _UNSET:
            value = self.value(expr)
        return value if isinstance(value, bool) else None

    def leaves(self, expr: c.Expr) -> dict[str, Any]:
        """The values a condition reads, by the name an author wrote."""
        if self._leaves is not None:
            value = self.value
            return {name: value(node) for name, node in self._leaves(expr)}
        out: dict[str, Any] = {}
        for node in c.walk(expr):
            match node:
                case c.Field():
                    out[node.dotted] = self.value(node)
                case c.Builtin(name=name) | c.FactRef(name=name):
                    out[name] = self.value(node)
                case c.Call(func="lookup", args=(c.Const(origin=str() as origin), *_)):
                    out[origin] = self.value(node)  # a map param shows the value it gave
                case c.Const(origin=str() as origin) if not isinstance(node.value, ParamMap):
                    out[origin] = node.value
        return out


# `_compute`, one function per node type: a dict lookup instead of trying each
# `case` in turn, since explaining a decision evaluates a few hundred nodes.
# Each computes exactly what its `case` above does (`_compute` stays the
# reference, and handles any node type not listed here).
def _field(ev: Evaluator[Any], expr: c.Field) -> Any:
    current = ev.ctx.root(expr.root)
    for name in expr.path:
        if current is None:
            return None
        # customer.attributes is a dict; everything else a record
        current = current.get(name) if isinstance(current, dict) else getattr(current, name)
    return _declared(expr, current)


def _declared(expr: c.Field, value: Any) -> Any:
    """A declared attribute read at its type (`attributes:`); anything else as it is."""
    kind = ATTRIBUTE_KINDS.get(expr.type.kind)
    path = expr.path
    if kind is None or len(path) < 2 or path[-2] != "attributes":
        return value
    return coerce_attribute(value, kind, f"{expr.root}.attributes.{path[-1]}")


def _not(ev: Evaluator[Any], expr: c.Not) -> Any:
    inner = ev.value(expr.operand)
    return None if inner is None else not inner


def _and(ev: Evaluator[Any], expr: c.And) -> Any:
    value = ev.value
    return rt.kleene_and(value(o) for o in expr.operands)


def _or(ev: Evaluator[Any], expr: c.Or) -> Any:
    value = ev.value
    return rt.kleene_or(value(o) for o in expr.operands)


def _if(ev: Evaluator[Any], expr: c.If) -> Any:
    """Only the branch taken is evaluated (and so recorded), as the native code does."""
    taken = ev.value(expr.cond)
    if taken is None:
        return None
    return ev.value(expr.then if taken is True else expr.other)


_STEPS: dict[type, Callable[[Evaluator[Any], Any], Any]] = {
    c.Const: lambda ev, e: e.value,
    c.Field: _field,
    c.Root: lambda ev, e: ev.ctx.root(e.root),
    c.Builtin: lambda ev, e: ev.ctx.builtin(e.name),
    c.FactRef: lambda ev, e: ev.fact(e.name),
    c.ListExpr: lambda ev, e: tuple(ev.value(i) for i in e.items),
    c.Not: _not,
    c.Neg: lambda ev, e: rt.negate(ev.value(e.operand)),
    c.And: _and,
    c.Or: _or,
    c.Arith: lambda ev, e: rt.arith(e.op, ev.value(e.left), ev.value(e.right)),
    c.Cmp: lambda ev, e: rt.compare(e.op, ev.value(e.left), ev.value(e.right)),
    c.Call: lambda ev, e: rt.call(e.func, [ev.value(a) for a in e.args]),
    c.If: _if,
}
