"""The built-in functions as z3 formulas: the `Encoder`'s calls, kept apart.

Each function follows `_lang.runtime.call`: `known`, `as_bool`, `lookup` and
`coalesce` see unknown values; the others are unknown when an argument is.
Arithmetic on numbers, dates and list sizes is exact; what z3 cannot state
(`lower()`, `in_season`, a call on a store attribute) is a fresh value, which
only adds behaviours (see `encode`).
"""

from __future__ import annotations

import abc
from typing import Any

from .._lang import checked as c
from .._lang import types as t
from .solver import TAG_BOOL, TAG_DATE, TAG_NUMBER, TAG_TEXT, Dynamic, Sym, Truth, Value

__all__ = ["FAMILY_TAG", "CallEncoding", "known_of", "real"]

# A typed value's kind as the tag a store attribute carries.
FAMILY_TAG = {"int": TAG_NUMBER, "real": TAG_NUMBER, "text": TAG_TEXT, "date": TAG_DATE}


class CallEncoding(abc.ABC):
    """The call half of the encoder, for `Encoder` to inherit."""

    z: Any
    ctx: Any
    true: Any

    @abc.abstractmethod
    def expr(self, node: c.Expr) -> Sym:
        """`node` as a symbolic value."""

    @abc.abstractmethod
    def truth(self, expr: c.Expr) -> Truth:
        """`expr` as a three-valued condition."""

    @abc.abstractmethod
    def _lookup(self, node: c.Call, table: c.Expr, key: Sym, default: Sym) -> Sym:
        """`lookup(table, key, default)` over a map param."""

    @abc.abstractmethod
    def _as_bool(self, sym: Dynamic) -> Truth:
        """A store attribute used as a condition."""

    @abc.abstractmethod
    def _fresh_value(self, typ: t.Type, known: Any = None) -> Sym:
        """An unconstrained value of `typ` (the encoding is approximate from then on)."""

    def _call(self, node: c.Call, func: str, args: tuple[c.Expr, ...]) -> Sym:
        z = self.z
        if func == "known":
            known = known_of(self.expr(args[0]))
            return Truth(known, z.Not(known))
        if func == "as_bool":
            value = self.expr(args[0])
            return self._as_bool(value) if isinstance(value, Dynamic) else self.truth(args[0])
        values = [self.expr(a) for a in args]
        if func == "lookup":
            return self._lookup(node, args[0], values[1], values[2])
        if func == "coalesce":
            first, second = values
            if isinstance(first, Dynamic) or isinstance(second, Dynamic):
                return self._coalesce_dynamic(node, first, second)
            if isinstance(first, Truth) and isinstance(second, Truth):
                return Truth(
                    z.Or(first.t, z.And(z.Not(first.known), second.t)),
                    z.Or(first.f, z.And(z.Not(first.known), second.f)),
                )
            if isinstance(first, Value) and isinstance(second, Value) and first.term is not None:
                if first.kind == second.kind:
                    return Value(
                        first.kind,
                        z.Or(first.known, second.known),
                        z.If(first.known, first.term, second.term),
                    )
                if {first.kind, second.kind} == {"int", "real"}:
                    return Value(
                        "real",
                        z.Or(first.known, second.known),
                        z.If(
                            first.known,
                            real(z, first.term, first.kind),
                            real(z, second.term, second.kind),
                        ),
                    )
            return self._fresh_value(node.type)
        if not all(isinstance(v, Value) and v.term is not None for v in values):
            return self._fresh_value(node.type)
        plain: list[Value] = [v for v in values if isinstance(v, Value)]
        known = z.And(self.true, *(v.known for v in plain))
        if func in ("abs", "min", "max", "round") and all(v.kind in ("int", "real") for v in plain):
            kind = "int" if all(v.kind == "int" for v in plain) else "real"
            terms = [v.term if kind == "int" else real(z, v.term, v.kind) for v in plain]
            if func == "abs":
                return Value(kind, known, z.If(terms[0] >= 0, terms[0], -terms[0]))
            if func in ("min", "max"):
                best = terms[0]
                for term in terms[1:]:
                    best = (
                        z.If(term < best, term, best)
                        if func == "min"
                        else z.If(term > best, term, best)
                    )
                return Value(kind, known, best)
            return self._round(node, plain, known)
        if func == "add_days" and plain[0].kind == "date" and plain[1].kind == "int":
            # Leaving the calendar (year 1 to 9999) is not modelled: no policy reaches it.
            return Value("date", known, plain[0].term + plain[1].term)
        if func == "days_between" and all(v.kind == "date" for v in plain):
            return Value("int", known, plain[1].term - plain[0].term)
        if func == "len" and plain[0].kind == "list" and plain[0].term is not None:
            return Value("int", known, plain[0].term)
        return self._fresh_value(node.type, known)

    def _coalesce_dynamic(self, node: c.Expr, first: Sym, second: Sym) -> Sym:
        a, b = self._dynamic(first), self._dynamic(second)
        if a is None or b is None:
            return self._fresh_value(node.type)
        z = self.z
        pick = a.known

        def merge(x: Any, y: Any) -> Any:
            return z.If(pick, x, y)

        return Dynamic(
            known=z.Or(a.known, b.known),
            tag=merge(a.tag, b.tag),
            boolean=merge(a.boolean, b.boolean),
            number=merge(a.number, b.number),
            text=merge(a.text, b.text),
            day=merge(a.day, b.day),
        )

    def _dynamic(self, sym: Sym) -> Dynamic | None:
        """A typed value seen as a store attribute (its kind tag fixed), for `coalesce`."""
        if isinstance(sym, Dynamic):
            return sym
        z, ctx = self.z, self.ctx
        blank = {
            "boolean": z.BoolVal(False, ctx),
            "number": z.RealVal(0, ctx),
            "text": z.IntVal(0, ctx),
            "day": z.IntVal(0, ctx),
        }
        if isinstance(sym, Truth):
            return Dynamic(
                **{**blank, "known": sym.known, "tag": z.IntVal(TAG_BOOL, ctx), "boolean": sym.t}
            )
        tag = FAMILY_TAG.get(sym.kind)
        if tag is None or sym.term is None:
            return None
        slot = {TAG_NUMBER: "number", TAG_TEXT: "text", TAG_DATE: "day"}[tag]
        term = real(z, sym.term, sym.kind) if tag == TAG_NUMBER else sym.term
        return Dynamic(**{**blank, "known": sym.known, "tag": z.IntVal(tag, ctx), slot: term})

    def _round(self, node: c.Expr, values: list[Value], known: Any) -> Sym:
        z = self.z
        number = values[0]
        if number.kind == "int":
            return number
        places = 0
        if len(values) > 1:
            literal = values[1].term
            if not z.is_int_value(literal):
                return self._fresh_value(node.type, known)
            places = literal.as_long()
        scale = (
            z.RealVal(10**places, self.ctx)
            if places >= 0
            else z.RealVal(f"1/{10**-places}", self.ctx)
        )
        x = number.term * scale
        half = z.RealVal("1/2", self.ctx)
        rounded = z.If(x >= 0, z.ToInt(x + half), -z.ToInt(-x + half))
        if len(values) == 1:
            return Value("int", known, rounded)
        return Value("real", known, z.ToReal(rounded) / scale)


def known_of(sym: Sym) -> Any:
    """Whether `sym` is known, as a z3 formula."""
    return sym.known


def real(z: Any, term: Any, kind: str) -> Any:
    """`term` as a real, a whole number converted."""
    return z.ToReal(term) if kind == "int" else term
