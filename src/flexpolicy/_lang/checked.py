"""The typed tree: every name resolved, every operation type-checked.

This is the intermediate form both back ends and the explainer consume.  Params
are already folded into `Const` nodes (keeping their name in `origin`, so "the
window is 30 days" can still say which param it was); chained comparisons are
already split into `And` of `Cmp`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._facts.labels import normalise_label
from .types import Type
from .values import ParamMap


@dataclass(frozen=True, slots=True)
class Expr:
    type: Type
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Const(Expr):
    value: Any
    origin: str | None = None  # the param name a constant came from
    spans: tuple[tuple[int, int], ...] | None = None  # of each item of a list literal


@dataclass(frozen=True, slots=True)
class ListExpr(Expr):
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Field(Expr):
    """`root.a.b`: root is one of the catalog's roots; `path` is never empty."""

    root: str
    path: tuple[str, ...]

    @property
    def dotted(self) -> str:
        return ".".join((self.root, *self.path))


@dataclass(frozen=True, slots=True)
class Root(Expr):
    """A bare root such as `item`, used by `known(item)`."""

    root: str


@dataclass(frozen=True, slots=True)
class Builtin(Expr):
    name: str


@dataclass(frozen=True, slots=True)
class FactRef(Expr):
    name: str


@dataclass(frozen=True, slots=True)
class Call(Expr):
    func: str
    args: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Not(Expr):
    operand: Expr


@dataclass(frozen=True, slots=True)
class Neg(Expr):
    operand: Expr


@dataclass(frozen=True, slots=True)
class And(Expr):
    operands: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Or(Expr):
    operands: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Arith(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Cmp(Expr):
    op: str  # "==" "!=" "<" "<=" ">" ">=" "in" "not in"
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class If(Expr):
    """`if cond then then else other`: unknown when `cond` is (three-valued logic)."""

    cond: Expr
    then: Expr
    other: Expr


def children(node: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of a node, for generic walks."""
    match node:
        case ListExpr(items=items):
            return items
        case Call(args=args):
            return args
        case Not(operand=x) | Neg(operand=x):
            return (x,)
        case And(operands=ops) | Or(operands=ops):
            return ops
        case Arith(left=left, right=right) | Cmp(left=left, right=right):
            return (left, right)
        case If(cond=cond, then=then, other=other):
            return (cond, then, other)
    return ()


def walk(node: Expr) -> list[Expr]:
    """All nodes of a tree, parents before children."""
    out: list[Expr] = []
    stack = [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(children(current)))
    return out


def depth(node: Expr, fact_depths: Mapping[str, int]) -> int:
    """How deep `node` nests once the facts it names are written out (no recursion).

    `fact_depths` gives the same measure for every fact `node` may name; a fact
    missing from it counts as one level.  Walkers of the typed tree (the
    explainer, the analysis, the durable back end) recurse through facts, so it
    is this depth, not the depth of the text, that must stay bounded.
    """
    deepest = 0
    stack = [(node, 1)]
    while stack:
        current, level = stack.pop()
        if isinstance(current, FactRef):
            level += fact_depths.get(current.name, 1) - 1
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children(current))
    return deepest


def normalised(expr: Expr) -> Expr:
    """A string constant (or the strings of a list) as a label is compared: the
    literal a policy writes meets the facts in the form the facts are kept in,
    so every back end compares normalised text with normalised text."""
    if isinstance(expr, Const):
        value = expr.value
        if isinstance(value, str):
            return dataclasses.replace(expr, value=normalise_label(value))
        if isinstance(value, tuple):
            return dataclasses.replace(
                expr,
                value=tuple(normalise_label(v) if isinstance(v, str) else v for v in value),
            )
    if isinstance(expr, ListExpr):
        return dataclasses.replace(expr, items=tuple(normalised(i) for i in expr.items))
    # The text an `if` or a map may give, compared with a label, is compared as one too.
    if isinstance(expr, If):
        return dataclasses.replace(expr, then=normalised(expr.then), other=normalised(expr.other))
    if isinstance(expr, Call) and expr.func == "lookup":
        table, key, default = expr.args
        if isinstance(table, Const) and isinstance(table.value, ParamMap):
            labels = {
                k: normalise_label(v) if isinstance(v, str) else v for k, v in table.value.items()
            }
            table = dataclasses.replace(table, value=ParamMap(labels))
        return dataclasses.replace(expr, args=(table, key, normalised(default)))
    return expr
