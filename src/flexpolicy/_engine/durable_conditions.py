"""The language as durable-rules conditions: one single-fact condition per rule.

The durable adapter (`durable`) asserts one fact per decision; this module
decides what that fact holds and what each rule's condition says about it, so
the translation can be read (and tested) apart from the traps of the host.

* Every operand a comparison reads - a field, a built-in fact, or a computed
  value such as `item_price * 2` or `len(transaction.items)` - is one attribute
  of the fact (`a0`, `a1`, ...), computed by the shared evaluator.  Comparisons,
  `and` / `or` / `not` and membership are durable-rules conditions.
* Missing values are left out of the fact, so no comparison on them matches;
  negation is pushed down to the comparisons (`not x < 3` is `x >= 3`), which
  is exact under the language's three-valued logic.  `known(x)` and `coalesce`
  read a presence flag (`p0`, ...) that is always present - durable-rules'
  `$nex` hangs, so it is never used.
* `in [a, b]` is an OR chain (durable-rules has no list membership); `"x" in
  customer.flags` reads one true/false attribute per member the policy asks
  about (`m0`, ...).  Store-specific attributes (`customer.attributes.*`) are
  split by kind (`a3n`, `a3s`, ...) so a text is never compared with a number -
  durable-rules would say `'150' > 100`.
* Money is sent as a JSON number; a value with more than 15 significant digits
  cannot be compared exactly as binary floating point and is refused with an
  `InputError` rather than decided approximately.  Dates are day numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from .._ir import PolicyIR
from .._lang import checked as c
from .._lang import runtime as rt
from .._lang import types as t
from .._lang.ops import MIRROR, NEGATE, unparse
from ..errors import InputError

Cond = dict[str, Any]
# The most condition nodes one policy's ruleset may take (the shipped policies take
# a few hundred), and the largest true/false fact written out into it.
MAX_CONDITION_NODES = 200_000
MAX_INLINED_FACT = 64


class TooComplexError(Exception):
    """The conditions being written out ran past `MAX_CONDITION_NODES`."""


TRUE: Cond = {"t": 1}
FALSE: Cond = {"t": 0}
MAX_DIGITS = 15  # what a binary float compares exactly (`encode`)
_OPS = {"==": "$eq", "!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}
KINDS = {"number": "n", "text": "s", "bool": "b", "date": "d"}


def _all(parts: list[Cond]) -> Cond:
    parts = [p for p in parts if p is not TRUE]
    if any(p is FALSE for p in parts):
        return FALSE
    if not parts:
        return TRUE
    return parts[0] if len(parts) == 1 else {"$and": parts}


def _any(parts: list[Cond]) -> Cond:
    parts = [p for p in parts if p is not FALSE]
    if any(p is TRUE for p in parts):
        return TRUE
    if not parts:
        return FALSE
    return parts[0] if len(parts) == 1 else {"$or": parts}


@dataclass(slots=True)
class Operand:
    """One attribute of the asserted fact."""

    name: str
    expr: c.Expr
    lenient: bool  # ANY-typed: sent split by kind


@dataclass(slots=True)
class ConditionCompiler:
    """Turns typed trees into durable-rules conditions, collecting the fact's attributes."""

    ir: PolicyIR
    operands: dict[str, Operand] = field(default_factory=dict)
    presence: dict[str, str] = field(default_factory=dict)  # operand name -> flag name
    members: dict[tuple[str, Any], str] = field(default_factory=dict)
    member_exprs: dict[str, tuple[c.Expr, Any]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    # Condition nodes still to be made: three-valued logic doubles the work at each
    # `and`/`or` under a `not` or a `known`, so a deep condition could grow without end.
    budget: int = MAX_CONDITION_NODES
    _fact_sizes: dict[str, int] = field(default_factory=dict)

    def _spend(self) -> None:
        self.budget -= 1
        if self.budget < 0:
            raise TooComplexError

    def inlined(self, name: str) -> bool:
        """Whether a true/false fact is matched by durable-rules itself, written out.

        A larger one (counting the facts it uses, written out) is one attribute of
        the fact, computed by the shared evaluator: a chain of facts that each use
        the last twice would otherwise write out exponentially many conditions.
        """
        return self._fact_size(name) <= MAX_INLINED_FACT

    def _fact_size(self, name: str) -> int:
        found = self._fact_sizes.get(name)
        if found is None:
            size = 0
            for node in c.walk(self.ir.facts[name].expr):  # the facts it uses came first
                size += self._fact_size(node.name) if isinstance(node, c.FactRef) else 1
            found = self._fact_sizes[name] = min(size, MAX_INLINED_FACT + 1)
        return found

    # -- attributes ---------------------------------------------------------------
    def operand(self, expr: c.Expr) -> Operand:
        key = unparse(expr) + "|" + expr.type.kind.name
        found = self.operands.get(key)
        if found is None:
            found = Operand(f"a{len(self.operands)}", expr, expr.type.kind is t.Kind.ANY)
            self.operands[key] = found
        return found

    def present(self, expr: c.Expr) -> str:
        operand = self.operand(expr)
        flag = self.presence.get(operand.name)
        if flag is None:
            flag = self.presence[operand.name] = f"p{len(self.presence)}"
        return flag

    def member(self, set_expr: c.Expr, item: Any) -> str:
        key = (unparse(set_expr), item)
        name = self.members.get(key)
        if name is None:
            name = self.members[key] = f"m{len(self.members)}"
            self.member_exprs[name] = (set_expr, item)
        return name

    # -- truth: T(e), F(e) and U(e), all as positive conditions --------------------
    def truth(self, expr: c.Expr, want: bool) -> Cond:
        """A condition that holds exactly when `expr` is definitely `want`."""
        self._spend()
        match expr:
            case c.Const(value=bool() as value):
                return TRUE if value is want else FALSE
            case c.Not(operand=operand):
                return self.truth(operand, not want)
            case c.And(operands=ops) | c.Or(operands=ops):
                parts = [self.truth(o, want) for o in ops]
                return _all(parts) if isinstance(expr, c.And) == want else _any(parts)
            case c.FactRef(name=name) if expr.type.kind is t.Kind.BOOL and self.inlined(name):
                return self.truth(self.ir.facts[name].expr, want)
            case c.Call(func="known", args=(arg,)):
                return self.known(arg) if want else self.unknown(arg)
            case c.Call(func="as_bool", args=(arg,)):
                return self.equals_value(arg, want)
            case c.Call(func="coalesce", args=(first, fallback)) if expr.type.kind is t.Kind.BOOL:
                return _any(
                    [
                        self.truth(first, want),
                        _all([self.unknown(first), self.truth(fallback, want)]),
                    ]
                )
            case c.Cmp():
                return self.compare(expr, want)
        if expr.type.kind in (t.Kind.BOOL, t.Kind.ANY):
            return self.equals_value(expr, want)
        self.problems.append(f"`{unparse(expr)}` is not a condition")
        return FALSE

    def possibly(self, expr: c.Expr, want: bool) -> Cond:
        """A condition that holds when `expr` is `want` or unknown: not definitely the
        opposite.  A guard that fails closed applies under it, so its durable rule fires
        only when the guard applies (as a standard rule's does), never on every fact."""
        self._spend()
        match expr:
            case c.Const(value=bool() as value):
                return TRUE if value is want else FALSE
            case c.Not(operand=operand):
                return self.possibly(operand, not want)
            case c.And(operands=ops) | c.Or(operands=ops):
                parts = [self.possibly(o, want) for o in ops]
                return _all(parts) if isinstance(expr, c.And) == want else _any(parts)
            case c.FactRef(name=name) if expr.type.kind is t.Kind.BOOL and self.inlined(name):
                return self.possibly(self.ir.facts[name].expr, want)
        return _any([self.truth(expr, want), self.unknown(expr)])

    def known(self, expr: c.Expr) -> Cond:
        if expr.type.kind is t.Kind.BOOL and not isinstance(expr, c.Field):
            return _any([self.truth(expr, True), self.truth(expr, False)])
        if not expr.type.nullable:
            return TRUE
        return {self.present(expr): True}

    def unknown(self, expr: c.Expr) -> Cond:
        """Positive form of "expr is unknown" (three-valued logic, no negation)."""
        self._spend()
        match expr:
            case c.Not(operand=operand):
                return self.unknown(operand)
            case c.And(operands=ops) | c.Or(operands=ops):
                # and: every part true or unknown, and some part unknown;
                # or: every part false or unknown, and some part unknown.
                other = isinstance(expr, c.And)
                none_decisive = _all([_any([self.truth(o, other), self.unknown(o)]) for o in ops])
                return _all([none_decisive, _any([self.unknown(o) for o in ops])])
            case c.FactRef(name=name) if expr.type.kind is t.Kind.BOOL and self.inlined(name):
                return self.unknown(self.ir.facts[name].expr)
            case c.Const():
                return TRUE if expr.value is None else FALSE
            case c.Cmp(left=left, right=right):
                return _any([self.unknown(left), self.unknown(right), *self._kind_mismatch(expr)])
            case c.Call(func="known"):
                return FALSE
            case c.Call(func="coalesce", args=(first, fallback)):
                return _all([self.unknown(first), self.unknown(fallback)])
        if not expr.type.nullable:
            return FALSE
        return {self.present(expr): False}

    def _kind_mismatch(self, expr: c.Cmp) -> list[Cond]:
        """Conditions under which a comparison of store attributes is unknown although
        both values are present: they are of different kinds, or text and true/false
        are being ordered."""
        sides = [s for s in (expr.left, expr.right) if s.type.kind is t.Kind.ANY]
        if not sides or expr.op in ("in", "not in"):
            return []
        left, right = expr.left, expr.right
        if left.type.kind is not t.Kind.ANY:
            left, right = right, left
        flag = self.operand(left).name + "k"
        out: list[Cond] = []
        if isinstance(right, c.Const):
            out.append({"$neq": {flag: KINDS[kind_of(right.value)]}})
        elif right.type.kind is t.Kind.ANY:
            out.append({"$neq": {flag: {"$m": self.operand(right).name + "k"}}})
        else:
            out.append({"$neq": {flag: KINDS[_family_of(right.type)]}})
        if expr.op not in ("==", "!="):
            out += [{flag: "s"}, {flag: "b"}]
        return out

    def equals_value(self, expr: c.Expr, want: bool) -> Cond:
        """A true/false operand (a field, or a store attribute) being `want`."""
        operand = self.operand(expr)
        name = operand.name + ("b" if operand.lenient else "")
        return {name: want}

    # -- comparisons --------------------------------------------------------------
    def compare(self, expr: c.Cmp, want: bool) -> Cond:
        op = expr.op
        if op in ("in", "not in"):
            holds = (op == "in") == want
            return self.membership(expr.left, expr.right, holds)
        if not want:
            op = NEGATE[op]
        left, right = expr.left, expr.right
        if isinstance(left, c.Const) and isinstance(right, c.Const):
            return TRUE if rt.compare(op, left.value, right.value) is True else FALSE
        if isinstance(left, c.Const):
            left, right, op = right, left, MIRROR[op]
        return self.atom(op, left, right)

    def atom(self, op: str, left: c.Expr, right: c.Expr) -> Cond:
        """`left op right` where `left` is not a constant."""
        subject = self.operand(left)
        if isinstance(right, c.Const):
            if right.value is None:
                return FALSE
            kind = kind_of(right.value)
            name = subject.name + (KINDS[kind] if subject.lenient else "")
            if subject.lenient and kind in ("text", "bool") and op not in ("==", "!="):
                return FALSE  # ordering text or true/false is unknown, never true
            return {_OPS[op]: {name: encode(right.value)}}
        other = self.operand(right)
        if not subject.lenient and not other.lenient:
            return _between(op, subject.name, other.name)
        kinds = (
            [KINDS[_family_of(left.type if not subject.lenient else right.type)]]
            if not (subject.lenient and other.lenient)
            else ["n", "s", "b", "d"]
        )
        parts = []
        for kind in kinds:
            if kind in ("s", "b") and op not in ("==", "!="):
                continue
            a = subject.name + (kind if subject.lenient else "")
            b = other.name + (kind if other.lenient else "")
            parts.append(_between(op, a, b))
        return _any(parts)

    def membership(self, item: c.Expr, container: c.Expr, holds: bool) -> Cond:
        if container.type.kind is t.Kind.SET:
            if not isinstance(item, c.Const):
                self.problems.append(
                    f"`{unparse(item)} in {unparse(container)}`: the durable engine can only "
                    "test a fixed value against a set"
                )
                return FALSE
            return {self.member(container, item.value): holds}
        options: list[c.Expr]
        if isinstance(container, c.Const):
            options = [c.Const(t.ANY, 0, 0, v) for v in container.value]
        elif isinstance(container, c.ListExpr):
            options = list(container.items)
        else:
            self.problems.append(
                f"`{unparse(item)} in {unparse(container)}`: the durable engine needs the list "
                "written out"
            )
            return FALSE
        if isinstance(item, c.Const):
            # `3 in [a, b]`: compare each element with the constant.
            parts = [self.compare(c.Cmp(t.BOOL, 0, 0, "==", o, item), holds) for o in options]
        else:
            parts = [self.compare(c.Cmp(t.BOOL, 0, 0, "==", item, o), holds) for o in options]
        if holds:
            return _any(parts)
        if item.type.kind is t.Kind.ANY and not isinstance(item, c.Const):
            # A store attribute of another kind is simply not in the list.
            flag = self.operand(item).name + "k"
            parts = [
                _any([part, {"$neq": {flag: KINDS[kind_of(o.value)]}}])
                if isinstance(o, c.Const)
                else part
                for part, o in zip(parts, options, strict=True)
            ]
        # `x not in []` is true whenever x is known.
        return _all([self.known(item), *parts])


def _between(op: str, a: str, b: str) -> Cond:
    """`a op b` for two attributes of the fact.

    durable-rules may match a comparison whose right-hand attribute is missing
    (`0 > missing` matched in testing), so both must be present explicitly.
    """
    return {"$and": [{"$ex": {a: 1}}, {"$ex": {b: 1}}, {_OPS[op]: {a: {"$m": b}}}]}


def _family_of(kind: t.Type) -> str:
    if kind.numeric:
        return "number"
    return {t.Kind.STR: "text", t.Kind.BOOL: "bool", t.Kind.DATE: "date"}.get(kind.kind, "text")


def kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | Decimal):
        return "number"
    if isinstance(value, date):
        return "date"
    return "text"


def encode(value: Any) -> Any:
    """A value as durable-rules compares it: numbers, text, true/false, day numbers."""
    if isinstance(value, bool | str | int):
        return value
    if isinstance(value, Decimal):
        if value == value.to_integral_value() and abs(value) < 2**63:
            return int(value)
        if len(value.normalize().as_tuple().digits) > MAX_DIGITS:
            raise InputError(
                f"`{value}` has more than {MAX_DIGITS} significant digits; the durable engine "
                "compares numbers as binary floating point and cannot decide it exactly",
                code="durable-precision",
                hint='round the value, or use engine="native"',
            )
        return float(value)
    if isinstance(value, date):
        return value.toordinal()
    raise TypeError(f"cannot send {type(value).__name__} to durable-rules")
