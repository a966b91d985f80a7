"""The reference evaluator: walks the typed tree and can say what it saw.

The compiled back end is the fast path; this one is the *explaining* path.  It
re-evaluates only when a trace, a rationale or a counterfactual is asked for,
and records the value of every field, fact and param a condition reads.  A
property test keeps the two evaluators in agreement.
"""

from __future__ import annotations

from typing import Any, Generic, Protocol, TypeVar

from . import _runtime as rt
from ._expr import _checked as c
from ._ir import Fact

_UNSET = object()


class FactSource(Protocol):
    """Where an evaluation reads its roots (`customer`, `case`, ...) and built-in facts."""

    def root(self, name: str) -> Any: ...

    def builtin(self, name: str) -> Any: ...


S = TypeVar("S", bound=FactSource)


class Evaluator(Generic[S]):
    """Evaluates expressions against one context, remembering facts it computed."""

    def __init__(self, facts: dict[str, Fact], ctx: S) -> None:
        self.facts = facts
        self.ctx = ctx
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
        found = self._values.get(key, _UNSET)
        if found is _UNSET:
            found = self._values[key] = self._compute(expr)
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
                return current
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
        raise TypeError(f"cannot evaluate {type(expr).__name__}")  # a new node kind: map it

    def truth(self, expr: c.Expr) -> bool | None:
        value = self.value(expr)
        return value if isinstance(value, bool) else None

    def leaves(self, expr: c.Expr) -> dict[str, Any]:
        """The values a condition reads, by the name an author wrote."""
        out: dict[str, Any] = {}
        for node in c.walk(expr):
            match node:
                case c.Field():
                    out[node.dotted] = self.value(node)
                case c.Builtin(name=name) | c.FactRef(name=name):
                    out[name] = self.value(node)
                case c.Const(origin=str() as origin):
                    out[origin] = node.value
        return out
