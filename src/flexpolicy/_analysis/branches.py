"""`if` and `lookup` as z3 terms: a value chosen by a condition, or by a key.

Each gives None where the branches cannot be one z3 term (a list, a record, a
store attribute); the encoder then stands a fresh value in, as for anything
else it cannot state exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .solver import Sym, Truth, Value

__all__ = ["if_value", "lookup_value", "merge_values"]

_NO_TERM = ("null", "list", "set", "opaque", "record")


def _real(z: Any, term: Any, kind: str) -> Any:
    return z.ToReal(term) if kind == "int" else term


def merge_values(z: Any, a: Sym, b: Sym) -> tuple[str, Value, Value] | None:
    """Two values of one kind (whole numbers widened to reals where they meet), or None."""
    if not (isinstance(a, Value) and isinstance(b, Value)):
        return None
    if a.term is None or b.term is None or a.kind in _NO_TERM:
        return None
    if a.kind == b.kind:
        return a.kind, a, b
    if {a.kind, b.kind} == {"int", "real"}:
        return (
            "real",
            Value("real", a.known, _real(z, a.term, a.kind)),
            Value("real", b.known, _real(z, b.term, b.kind)),
        )
    return None


def if_value(z: Any, cond: Truth, then: Sym, other: Sym) -> Sym | None:
    """`if cond then then else other`: unknown when `cond` is, else the branch it picks."""
    if isinstance(then, Truth) and isinstance(other, Truth):
        return Truth(
            z.Or(z.And(cond.t, then.t), z.And(cond.f, other.t)),
            z.Or(z.And(cond.t, then.f), z.And(cond.f, other.f)),
        )
    merged = merge_values(z, then, other)
    if merged is None:
        return None
    kind, a, b = merged
    known = z.Or(z.And(cond.t, a.known), z.And(cond.f, b.known))
    return Value(kind, known, z.If(cond.t, a.term, b.term))


def lookup_value(
    z: Any,
    code: Callable[[str], Any],
    const: Callable[[Any], Sym],
    *,
    table: Mapping[str, Any],
    key: Sym,
    default: Sym,
) -> Sym | None:
    """`lookup(table, key, default)` as a chain of `If`s over the key's text code."""
    if not isinstance(key, Value) or key.kind != "text" or key.term is None:
        return None
    result = default
    for name, value in reversed(list(table.items())):
        merged = merge_values(z, const(value), result)
        if merged is None:
            return None
        kind, here, rest = merged
        hit = z.And(key.known, key.term == code(name))
        result = Value(kind, z.Or(hit, rest.known), z.If(hit, here.term, rest.term))
    return result
