"""Checked expressions and decision semantics, as z3 formulas over a `Space`.

The translation follows `_lang.runtime` rule by rule, so a formula is true
exactly when the native evaluator would say so: missing values are unknown and
propagate, comparisons across kinds are unknown, `"150" > 100` is unknown, a
rule matches only when each condition is definitely true.

Where the language does something z3 cannot state exactly (`lower()`, the
size of a set, `%` on store attributes) the encoder uses a fresh, unconstrained
value instead.  That can only *add* behaviours, never remove one, so "no
situation does X" stays a proof; a situation the solver proposes is always
replayed on the real evaluator before anyone sees it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from .._ir import PolicyIR, Rule
from .._lang import checked as c
from .._lang import types as t
from .._lang.catalog import ATTRIBUTE_KINDS
from . import branches
from .encode_calls import FAMILY_TAG, CallEncoding, known_of, real
from .solver import TAG_BOOL, TAG_DATE, TAG_NUMBER, TAG_TEXT, Dynamic, Sym, Truth, Value
from .space import Space

DENY, REFER, APPROVE = 0, 1, 2
OUTCOME_CODES = {"deny": DENY, "refer": REFER, "approve": APPROVE}


class Encoder(CallEncoding):
    """Translates one policy's expressions over one `Space`."""

    def __init__(self, ir: PolicyIR, space: Space) -> None:
        self.ir = ir
        self.space = space
        self.z = space.z3
        self.ctx = space.ctx
        self._facts: dict[str, Sym] = {}
        self._fresh = 0
        z, ctx = self.z, self.ctx
        role = space.role
        assert isinstance(role, Value)
        space.domain.append(z.Or(*(role.term == space.code(r) for r in ir.roles)))
        kind = space.kind
        assert isinstance(kind, Value)
        space.domain.append(z.Or(*(kind.term == space.code(k) for k in ir.applies_to)))
        self.rank = z.IntVal(0, ctx)
        for index, name in reversed(list(enumerate(ir.roles))):
            self.rank = z.If(role.term == space.code(name), z.IntVal(index, ctx), self.rank)
        self.true = z.BoolVal(True, ctx)
        self.false = z.BoolVal(False, ctx)
        self.approximate = False  # set when a fresh value stood in for something

    # -- conditions --------------------------------------------------------------
    def holds(self, expr: c.Expr) -> Any:
        """`expr` is definitely true."""
        return self.truth(expr).t

    def matches(self, conditions: tuple[Any, ...]) -> Any:
        return self.z.And(self.true, *(self.holds(x.expr) for x in conditions))

    def applies(self, rule: Rule) -> Any:
        """`rule` decides where it is reached: its conditions hold or, for a guard that
        fails closed (DESIGN 2.3), none of them is definitely false."""
        if not rule.fails_closed:
            return self.matches(rule.conditions)
        return self.not_ruled_out(rule.conditions)

    def not_ruled_out(self, conditions: tuple[Any, ...]) -> Any:
        """No condition is definitely false: each holds or is unknown."""
        z = self.z
        return z.And(self.true, *(z.Not(self.truth(x.expr).f) for x in conditions))

    def truth(self, expr: c.Expr) -> Truth:
        sym = self.expr(expr)
        if isinstance(sym, Truth):
            return sym
        if isinstance(sym, Dynamic):
            return self._as_bool(sym)
        return self._fresh_truth()

    # -- expressions ---------------------------------------------------------------
    def expr(self, node: c.Expr) -> Sym:
        z = self.z
        match node:
            case c.Const(value=value):
                return self.const(value)
            case c.Field(root=root, path=path):
                if len(path) > 2 or (len(path) == 2 and path[0] != "attributes"):
                    return self._fresh_value(node.type)
                declared = node.type if node.type.kind in ATTRIBUTE_KINDS else None
                return self.space.field(root, path, declared if len(path) == 2 else None)
            case c.Root(root=root):
                return Value("record", self.space.present[root])
            case c.Builtin(name=name):
                return self.space.builtin(name)
            case c.FactRef(name=name):
                found = self._facts.get(name)
                if found is None:
                    found = self._facts[name] = self.expr(self.ir.facts[name].expr)
                return found
            case c.ListExpr():
                return self._fresh_value(node.type)  # only ever the right of `in`
            case c.Not(operand=operand):
                inner = self.truth(operand)
                return Truth(inner.f, inner.t)
            case c.Neg(operand=operand):
                value = self.expr(operand)
                if isinstance(value, Value) and value.kind in ("int", "real"):
                    return Value(value.kind, value.known, -value.term)
                return self._fresh_value(node.type)
            case c.And(operands=operands):
                parts = [self.truth(o) for o in operands]
                return Truth(z.And(*(p.t for p in parts)), z.Or(*(p.f for p in parts)))
            case c.Or(operands=operands):
                parts = [self.truth(o) for o in operands]
                return Truth(z.Or(*(p.t for p in parts)), z.And(*(p.f for p in parts)))
            case c.Arith(op=op, left=left, right=right):
                return self._arith(node, op, self.expr(left), self.expr(right))
            case c.Cmp(op=op, left=left, right=right):
                if op in ("in", "not in"):
                    found = self._member(left, right)
                    return found if op == "in" else Truth(found.f, found.t)
                return self.compare(op, self.expr(left), self.expr(right))
            case c.Call(func=func, args=args):
                return self._call(node, func, args)
            case c.If(cond=cond, then=then, other=other):
                return self._if(node, self.truth(cond), self.expr(then), self.expr(other))
        return self._fresh_value(node.type)

    def _if(self, node: c.Expr, cond: Truth, then: Sym, other: Sym) -> Sym:
        found = branches.if_value(self.z, cond, then, other)
        return self._fresh_value(node.type) if found is None else found

    def _lookup(self, node: c.Call, table: c.Expr, key: Sym, default: Sym) -> Sym:
        found = None
        if isinstance(table, c.Const):
            found = branches.lookup_value(
                self.z, self.space.code, self.const, table=table.value, key=key, default=default
            )
        return self._fresh_value(node.type) if found is None else found

    def const(self, value: Any) -> Sym:
        z, ctx = self.z, self.ctx
        if value is None:
            return Value("null", self.false, None)
        if isinstance(value, bool):
            return Truth(z.BoolVal(value, ctx), z.BoolVal(not value, ctx))
        if isinstance(value, int):
            return Value("int", self.true, z.IntVal(value, ctx))
        if isinstance(value, Decimal):
            return Value("real", self.true, z.RealVal(str(value), ctx))
        if isinstance(value, str):
            return Value("text", self.true, self.space.code(value))
        if isinstance(value, date):
            return Value("date", self.true, z.IntVal(value.toordinal(), ctx))
        return Value("list", self.true, None)

    # -- comparisons ----------------------------------------------------------------
    def compare(self, op: str, left: Sym, right: Sym) -> Truth:
        z = self.z
        if isinstance(left, Dynamic) or isinstance(right, Dynamic):
            return self._compare_dynamic(op, left, right)
        if _opaque(left) or _opaque(right):
            return self._fresh_truth()
        known = z.And(known_of(left), known_of(right))
        holds = self._relation(op, left, right)
        if holds is None:
            return Truth(self.false, self.false)  # e.g. text ordering: always unknown
        return Truth(z.And(known, holds), z.And(known, z.Not(holds)))

    def _relation(self, op: str, left: Sym, right: Sym) -> Any:
        """`left op right` when both are known and of one family, else None."""
        z = self.z
        if isinstance(left, Truth) and isinstance(right, Truth):
            if op not in ("==", "!="):
                return None
            same = left.t == right.t
            return same if op == "==" else z.Not(same)
        if not (isinstance(left, Value) and isinstance(right, Value)):
            return None
        a, b = left.term, right.term
        numeric = {"int", "real"}
        if left.kind in numeric and right.kind in numeric:
            if left.kind != right.kind:
                a, b = real(z, a, left.kind), real(z, b, right.kind)
        elif (
            left.kind != right.kind
            or left.kind not in ("text", "date")
            or (left.kind == "text" and op not in ("==", "!="))
        ):
            return None
        return _apply(op, a, b)

    def _compare_dynamic(self, op: str, left: Sym, right: Sym) -> Truth:
        z = self.z
        cases_t: list[Any] = []
        cases_f: list[Any] = []
        for tag in (TAG_BOOL, TAG_NUMBER, TAG_TEXT, TAG_DATE):
            if tag in (TAG_BOOL, TAG_TEXT) and op not in ("==", "!="):
                continue
            a, a_ok = self._as_tag(left, tag)
            b, b_ok = self._as_tag(right, tag)
            if a is None or b is None:
                continue
            holds = self._relation(op, a, b)
            if holds is None:
                continue
            ok = z.And(a_ok, b_ok, known_of(a), known_of(b))
            cases_t.append(z.And(ok, holds))
            cases_f.append(z.And(ok, z.Not(holds)))
        return Truth(z.Or(self.false, *cases_t), z.Or(self.false, *cases_f))

    def _as_tag(self, sym: Sym, tag: int) -> tuple[Sym | None, Any]:
        """`sym` viewed as a value of kind `tag`, with the condition that it is one."""
        z = self.z
        if isinstance(sym, Dynamic):
            is_tag = z.And(sym.known, sym.tag == tag)
            if tag == TAG_BOOL:
                return Truth(z.And(is_tag, sym.boolean), z.And(is_tag, z.Not(sym.boolean))), is_tag
            term = {TAG_NUMBER: sym.number, TAG_TEXT: sym.text, TAG_DATE: sym.day}[tag]
            kind = {TAG_NUMBER: "real", TAG_TEXT: "text", TAG_DATE: "date"}[tag]
            return Value(kind, is_tag, term), is_tag
        if isinstance(sym, Truth):
            return (sym, self.true) if tag == TAG_BOOL else (None, self.false)
        if FAMILY_TAG.get(sym.kind) == tag:
            if sym.kind == "int":
                return Value("real", sym.known, real(z, sym.term, "int")), self.true
            return sym, self.true
        return None, self.false

    def _member(self, item_node: c.Expr, container_node: c.Expr) -> Truth:
        z = self.z
        item = self.expr(item_node)
        if isinstance(container_node, c.ListExpr):
            options = [self.expr(x) for x in container_node.items]
        elif isinstance(container_node, c.Const) and isinstance(container_node.value, tuple):
            options = [self.const(x) for x in container_node.value]
        else:
            container = self.expr(container_node)
            if isinstance(container, Value) and container.kind == "set":
                text, text_ok = self._as_tag(item, TAG_TEXT)
                if text is None:
                    return Truth(self.false, z.And(known_of(item), container.known))
                known = z.And(known_of(item), container.known)
                assert isinstance(text, Value)
                inside = z.And(text_ok, z.IsMember(text.term, container.term))
                return Truth(z.And(known, inside), z.And(known, z.Not(inside)))
            return self._fresh_truth()
        hits = [self.compare("==", item, option).t for option in options]
        known = known_of(item)
        return Truth(z.And(known, z.Or(self.false, *hits)), z.And(known, z.Not(z.Or(*hits))))

    # -- arithmetic and functions -----------------------------------------------------
    def _arith(self, node: c.Expr, op: str, left: Sym, right: Sym) -> Sym:
        z = self.z
        if not (isinstance(left, Value) and isinstance(right, Value)):
            return self._fresh_value(node.type)
        known = z.And(left.known, right.known)
        kinds = (left.kind, right.kind)
        if kinds == ("date", "date") and op == "-":
            return Value("int", known, left.term - right.term)
        if kinds in (("date", "int"), ("int", "date")) and op in ("+", "-"):
            if kinds == ("int", "date") and op == "-":
                return self._fresh_value(node.type)
            return Value(
                "date", known, left.term + right.term if op == "+" else left.term - right.term
            )
        if not (left.kind in ("int", "real") and right.kind in ("int", "real")):
            return self._fresh_value(node.type)
        whole = kinds == ("int", "int")
        a = left.term if whole else real(z, left.term, left.kind)
        b = right.term if whole else real(z, right.term, right.kind)
        kind = "int" if whole else "real"
        if op == "+":
            return Value(kind, known, a + b)
        if op == "-":
            return Value(kind, known, a - b)
        if op == "*":
            return Value(kind, known, a * b)
        nonzero = z.And(known, b != 0)
        if op == "/":
            return Value("real", nonzero, real(z, a, kind) / real(z, b, kind))
        if whole:  # Python's `%` on whole numbers: the result has the divisor's sign
            quotient = z.ToInt(real(z, a, "int") / real(z, b, "int"))
            return Value("int", nonzero, a - b * quotient)
        ratio = a / b  # Decimal's `%` truncates toward zero
        return Value(
            "real",
            nonzero,
            a - b * z.If(ratio >= 0, z.ToReal(z.ToInt(ratio)), -z.ToReal(z.ToInt(-ratio))),
        )

    def _as_bool(self, sym: Dynamic) -> Truth:
        z = self.z
        is_bool = z.And(sym.known, sym.tag == TAG_BOOL)
        return Truth(z.And(is_bool, sym.boolean), z.And(is_bool, z.Not(sym.boolean)))

    # -- stand-ins -----------------------------------------------------------------------
    def _fresh_truth(self) -> Truth:
        z = self.z
        self.approximate = True
        self._fresh += 1
        a = z.Bool(f"~t{self._fresh}{self.space.suffix}", self.ctx)
        b = z.Bool(f"~f{self._fresh}{self.space.suffix}", self.ctx)
        self.space.domain.append(z.Not(z.And(a, b)))
        return Truth(a, b)

    def _fresh_value(self, typ: t.Type, known: Any = None) -> Sym:
        z = self.z
        self.approximate = True
        self._fresh += 1
        name = f"~v{self._fresh}{self.space.suffix}"
        if typ.kind is t.Kind.BOOL:
            return self._fresh_truth()
        present = (
            z.Bool(name + "?", self.ctx)
            if known is None
            else z.And(known, z.Bool(name + "?", self.ctx))
        )
        if typ.kind is t.Kind.INT:
            return Value("int", present, z.Int(name, self.ctx))
        if typ.numeric:
            return Value("real", present, z.Real(name, self.ctx))
        if typ.kind is t.Kind.STR:
            return Value("text", present, z.Int(name, self.ctx))
        if typ.kind is t.Kind.DATE:
            return Value("date", present, z.Int(name, self.ctx))
        return Value("opaque", present, None)

    # -- decisions -------------------------------------------------------------------------
    def decision(self) -> tuple[Any, Any]:
        """The outcome code and the index (in `rule_table`) of the rule a decision stands for."""
        z, ctx = self.z, self.ctx
        table = rule_table(self.ir)
        index = {rule.id: i for i, rule in enumerate(table)}

        def grant(rule: Rule) -> tuple[Any, Any]:
            code = z.IntVal(APPROVE, ctx)
            if rule.authority is not None:
                code = z.If(
                    z.IntVal(rule.authority_rank, ctx) > self.rank, z.IntVal(REFER, ctx), code
                )
            return code, z.IntVal(index[rule.id], ctx)

        def settle(decided: Rule) -> tuple[Any, Any]:
            if decided.outcome == "approve":
                return grant(decided)
            result = (
                z.IntVal(OUTCOME_CODES[decided.outcome], ctx),
                z.IntVal(index[decided.id], ctx),
            )
            if decided.outcome != "deny":
                return result
            benders = sorted(
                (f for f in self.ir.flex if decided.id in f.bends),
                key=lambda r: (r.authority_rank, r.position),
            )
            for flex in reversed(benders):
                result = _choose(z, self.matches(flex.conditions), grant(flex), result)
            return result

        result = settle(self.ir.default)
        for rule in reversed(self.ir.standard):
            result = _choose(z, self.matches(rule.conditions), settle(rule), result)
        for guard in reversed(self.ir.guards):
            decided = (z.IntVal(OUTCOME_CODES[guard.outcome], ctx), z.IntVal(index[guard.id], ctx))
            result = _choose(z, self.applies(guard), decided, result)
        return result


def rule_table(ir: PolicyIR) -> list[Rule]:
    return [*ir.guards, *ir.standard, *ir.flex, ir.default]


def _choose(z: Any, when: Any, then: tuple[Any, Any], other: tuple[Any, Any]) -> tuple[Any, Any]:
    return z.If(when, then[0], other[0]), z.If(when, then[1], other[1])


def _opaque(sym: Sym) -> bool:
    """A value the encoder does not model: comparing it proves nothing."""
    return isinstance(sym, Value) and (sym.term is None and sym.kind != "null")


def _apply(op: str, a: Any, b: Any) -> Any:
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b
