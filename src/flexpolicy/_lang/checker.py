"""Resolve names and check types: syntax tree in, typed tree (`_checked`) out.

Problems are collected, not raised one at a time, so an author sees every
mistake in an expression at once; a node that failed to check gets the ERROR
type, which silences the follow-on errors it would otherwise cause.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from .._diagnostics.suggest import did_you_mean
from . import checked as c
from . import syntax as s
from . import types as t
from .calls import CallChecks
from .catalog import BUILTINS, FUNCTIONS, HIDDEN, RECORDS, ROOTS
from .lexer import ExprError
from .parser import parse
from .runtime import negate
from .values import Calendar, ParamMap


def type_of_value(value: Any) -> t.Type:
    """The language type of a param value from YAML."""
    if isinstance(value, bool):
        return t.BOOL
    if isinstance(value, int):
        return t.INT
    if isinstance(value, Decimal):
        return t.NUMBER
    if isinstance(value, str):
        return t.STR
    if isinstance(value, date):
        return t.DATE
    if isinstance(value, ParamMap):
        kinds = [type_of_value(v) for v in value.values()]
        elem = kinds[0] if kinds else t.INT
        for other in kinds[1:]:
            elem = t.wider_numeric(elem, other) if elem.numeric and other.numeric else elem
        return t.map_of(elem)
    if isinstance(value, list | tuple):
        elems = [type_of_value(v) for v in value]
        elem = elems[0] if elems else t.STR
        if any(e.kind is not elem.kind for e in elems):
            elem = t.NUMBER if all(e.numeric for e in elems) else t.ANY
        return t.list_of(elem)
    return t.ANY


@dataclass(slots=True)
class Scope:
    """What bare names mean in one policy: its params and its derived facts.

    `fact_type` resolves a fact on demand (the policy loader checks facts in
    dependency order and reports cycles); it returns None for an unusable fact.
    """

    params: Mapping[str, Any]
    fact_names: frozenset[str]
    fact_type: Callable[[str], t.Type | None]
    used: set[str] = field(default_factory=set)
    fact_expr: Callable[[str], c.Expr | None] = lambda _name: None
    roots: frozenset[str] | None = None  # the roots and built-ins a file may read (None: all)
    # A policy's `attributes:` as language types, by `record.name`; None when it has no
    # such block, and then an attribute reads as any value (checked when deciding).
    attributes: Mapping[str, t.Type] | None = None
    public_attributes: Mapping[str, bool] | None = None  # `record.name` -> `public:`
    calendar: Calendar = field(default_factory=Calendar)  # for `business_days_between`


@dataclass(slots=True)
class Checked:
    expr: c.Expr | None
    problems: list[ExprError]


def check_text(text: str, scope: Scope, *, want_bool: bool = True) -> Checked:
    """Parse and check one expression."""
    try:
        tree = parse(text)
    except ExprError as exc:
        return Checked(None, [exc])
    checker = _Checker(scope)
    expr = checker.check(tree)
    if want_bool and not checker.problems:
        expr = checker.require_bool(expr, "a condition")
    if checker.problems:
        return Checked(None, checker.problems)
    return Checked(expr, [])


def const_expr(value: Any, start: int = 0, end: int = 0, origin: str | None = None) -> c.Expr:
    """A constant (or a list of constants) as a typed node."""
    if isinstance(value, list | tuple):
        return c.Const(type_of_value(value), start, end, tuple(value), origin)
    return c.Const(type_of_value(value), start, end, value, origin)


class _Checker(CallChecks):
    """Names resolved and types checked, node by node (the built-in functions' checks
    are `CallChecks`', one per function)."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.problems: list[ExprError] = []

    def error(self, code: str, message: str, at: int, hint: str | None = None) -> c.Expr:
        self.problems.append(ExprError(code, message, at, hint))
        return c.Const(t.ERROR, at, at, None)

    def _calendar(self) -> Calendar:
        return self.scope.calendar

    def require_bool(self, expr: c.Expr, what: str) -> c.Expr:
        """`expr` as a condition; a store attribute counts only when it is true/false.

        `customer.attributes.vip` may hold `0` or `"yes"`; neither is a truth value,
        so `as_bool` makes them unknown rather than Python-truthy.
        """
        if expr.type.kind is t.Kind.BOOL or expr.type.kind is t.Kind.ERROR:
            return expr
        if expr.type.kind is t.Kind.ANY:
            return c.Call(t.BOOL.maybe(), expr.start, expr.end, "as_bool", (expr,))
        shown = _describe_node(expr)
        hint = "compare it with something, e.g. `customer.tier >= 4`"
        if expr.type.kind in (t.Kind.SET, t.Kind.LIST):
            hint = 'test membership, e.g. `"abusive" in customer.flags`'
        self.error(
            "type-mismatch",
            f"{what} must be true or false, but {shown} is {expr.type.describe()}",
            expr.start,
            hint,
        )
        return expr

    # -- dispatch ---------------------------------------------------------------
    def check(self, node: s.Node) -> c.Expr:
        match node:
            case s.Literal(value=value):
                if value is None:
                    return c.Const(t.NULL, node.start, node.end, None)
                return c.Const(type_of_value(value), node.start, node.end, value)
            case s.ListLit(items=items):
                return self._list(node, items)
            case s.Name(name=name):
                return self._name(node, name)
            case s.Attr():
                return self._attr(node)
            case s.Call():
                return self._call(node)
            case s.Unary(op="not", operand=operand):
                inner = self.require_bool(self.check(operand), "the operand of `not`")
                return c.Not(t.BOOL.maybe(inner.type.nullable), node.start, node.end, inner)
            case s.Unary(op="-", operand=operand):
                return self._negate(node, self.check(operand))
            case s.BoolOp(op=op, operands=operands):
                parts = tuple(
                    self.require_bool(self.check(o), f"each side of `{op}`") for o in operands
                )
                nullable = any(p.type.nullable for p in parts)
                cls = c.And if op == "and" else c.Or
                return cls(t.BOOL.maybe(nullable), node.start, node.end, parts)
            case s.Arith():
                return self._arith(node)
            case s.Compare():
                return self._compare(node)
            case s.If():
                return self._if(node)
        return self.error("expression-syntax", "unsupported expression", node.start)

    # -- names ------------------------------------------------------------------
    def _candidates(self) -> list[str]:
        names = [*ROOTS, *BUILTINS]
        if self.scope.roots is not None:
            names = [n for n in names if n in self.scope.roots]
        return [*names, *self.scope.fact_names, *self.scope.params]

    def _available(self, node: s.Node, name: str) -> bool:
        if self.scope.roots is None or name in self.scope.roots:
            return True
        allowed = ", ".join(f"`{r}`" for r in sorted(self.scope.roots))
        self.error(
            "unknown-name",
            f"`{name}` is not available here",
            node.start,
            f"these rules can read {allowed}, params and facts",
        )
        return False

    def _name(self, node: s.Node, name: str) -> c.Expr:
        if (name in ROOTS or name in BUILTINS) and not self._available(node, name):
            return c.Const(t.ERROR, node.start, node.end, None)
        if name in ROOTS:
            return c.Root(ROOTS[name], node.start, node.end, name)
        if name in BUILTINS:
            return c.Builtin(BUILTINS[name].type, node.start, node.end, name)
        if name in self.scope.fact_names:
            self.scope.used.add(name)
            fact_type = self.scope.fact_type(name)
            if fact_type is None:
                return c.Const(t.ERROR, node.start, node.end, None)
            return c.FactRef(fact_type, node.start, node.end, name)
        if name in self.scope.params:
            self.scope.used.add(name)
            return const_expr(self.scope.params[name], node.start, node.end, origin=name)
        if name == "params":
            return self.error(
                "unknown-name", "`params` must be followed by a param name", node.start
            )
        if name in FUNCTIONS:
            return self.error(
                "unknown-name", f"`{name}` is a function", node.start, f"call it: `{name}(...)`"
            )
        return self.error(
            "unknown-name",
            f"unknown name `{name}`",
            node.start,
            did_you_mean(name, self._candidates())
            or "names are params, facts, built-in facts or customer/request/transaction/"
            "item/actor/case fields",
        )

    def _attr(self, node: s.Attr) -> c.Expr:
        parts: list[tuple[str, int]] = []
        base: s.Node = node
        while isinstance(base, s.Attr):
            parts.append((base.name, base.name_start))
            base = base.obj
        parts.reverse()
        if not isinstance(base, s.Name):
            return self.error(
                "unknown-field",
                "only fields of customer, request, transaction, item, actor and case "
                "can be read with `.`",
                parts[0][1],
            )
        if base.name == "params":
            name, at = parts[0]
            if name not in self.scope.params:
                return self.error(
                    "unknown-param",
                    f"unknown param `{name}`",
                    at,
                    did_you_mean(name, self.scope.params) or "declare it under `params:`",
                )
            if len(parts) > 1:
                return self.error("unknown-field", f"param `{name}` has no fields", parts[1][1])
            self.scope.used.add(name)
            return const_expr(self.scope.params[name], node.start, node.end, origin=name)
        if base.name in ROOTS and not self._available(base, base.name):
            return c.Const(t.ERROR, node.start, node.end, None)
        if base.name not in ROOTS:
            head = self._name(base, base.name)
            if head.type.kind is t.Kind.ERROR:
                return head
            return self.error(
                "unknown-field",
                f"`{base.name}` is {head.type.describe()} and has no fields",
                parts[0][1],
            )
        current = ROOTS[base.name]
        nullable = current.nullable
        path: list[str] = []
        for name, at in parts:
            dotted = ".".join((base.name, *path))
            record_name = current.record
            if current.kind is not t.Kind.RECORD or record_name is None:
                return self.error(
                    "unknown-field",
                    f"`{dotted}` is {current.describe()} and has no field `{name}`",
                    at,
                )
            if record_name == "attributes":
                path.append(name)
                current = self._attribute(base.name, name, at)
                if current.kind is t.Kind.ERROR:
                    return c.Const(t.ERROR, node.start, node.end, None)
                nullable = True
                continue
            fields = RECORDS[record_name]
            if name not in fields:
                hidden = HIDDEN.get(record_name, {})
                if name in hidden:
                    return self.error(
                        "hidden-field", f"`{dotted}.{name}` is not available", at, hidden[name]
                    )
                return self.error(
                    "unknown-field",
                    f"`{dotted}` has no field `{name}`",
                    at,
                    did_you_mean(name, fields)
                    or "fields are: " + ", ".join(f"`{f}`" for f in fields),
                )
            path.append(name)
            current = fields[name].type
            nullable = nullable or current.nullable
        return c.Field(current.maybe(nullable), node.start, node.end, base.name, tuple(path))

    def _attribute(self, root: str, name: str, at: int) -> t.Type:
        """The type of `root.attributes.name`: declared, or any value without `attributes:`."""
        declared = self.scope.attributes
        if declared is None:
            return t.ANY
        found = declared.get(f"{root}.{name}")
        if found is not None:
            return found
        self.error(
            "undeclared-attribute",
            f"`{root}.attributes.{name}` is not declared under `attributes:`",
            at,
            f"add the line `{root}.{name}: TYPE` under `attributes:` "
            "(TYPE: bool, int, decimal, money, date, text or list)",
        )
        return t.ERROR

    # -- composite nodes --------------------------------------------------------
    def _list(self, node: s.Node, items: tuple[s.Node, ...]) -> c.Expr:
        checked = tuple(self.check(i) for i in items)
        if not checked:
            return c.Const(t.list_of(t.STR), node.start, node.end, ())
        elem = checked[0].type.maybe(False)
        for item in checked[1:]:
            if item.type.lenient or elem.lenient:
                continue
            if item.type.numeric and elem.numeric:
                elem = t.wider_numeric(elem, item.type)
            elif item.type.kind is not elem.kind:
                return self.error(
                    "type-mismatch",
                    f"a list mixes {elem.describe()} and {item.type.describe()}",
                    item.start,
                )
        if all(isinstance(i, c.Const) for i in checked):
            values = tuple(i.value for i in checked if isinstance(i, c.Const))
            spans = tuple((i.start, i.end) for i in checked)
            return c.Const(t.list_of(elem), node.start, node.end, values, spans=spans)
        return c.ListExpr(t.list_of(elem), node.start, node.end, checked)

    def _negate(self, node: s.Node, inner: c.Expr) -> c.Expr:
        if inner.type.lenient:
            return c.Neg(inner.type, node.start, node.end, inner)
        if not inner.type.numeric:
            return self.error("type-mismatch", f"cannot negate {inner.type.describe()}", node.start)
        if isinstance(inner, c.Const):
            # In the rules' own context, never the loading thread's (`prec=4` would round).
            return c.Const(inner.type, node.start, node.end, negate(inner.value))
        return c.Neg(inner.type, node.start, node.end, inner)

    def _arith(self, node: s.Arith) -> c.Expr:
        left, right = self.check(node.left), self.check(node.right)
        result = t.arith_type(node.op, left.type, right.type)
        if result is None:
            return self.error(
                "type-mismatch",
                f"cannot apply `{node.op}` to {left.type.describe()} and {right.type.describe()}",
                node.left.end,
            )
        if (
            node.op in ("/", "%")
            and isinstance(right, c.Const)
            and isinstance(right.value, int | Decimal)
            and right.value == 0
        ):
            return self.error("division-by-zero", "division by zero", node.right.start)
        # A date moved by a number of days may leave the calendar (year 1 to 9999):
        # unknown then, like a division by zero.
        nullable = (
            left.type.nullable
            or right.type.nullable
            or node.op in ("/", "%")
            or result.kind is t.Kind.DATE
        )
        return c.Arith(result.maybe(nullable), node.start, node.end, node.op, left, right)

    def _compare(self, node: s.Compare) -> c.Expr:
        operands = [self.check(o) for o in node.operands]
        parts: list[c.Expr] = []
        for i, op in enumerate(node.ops):
            left, right = operands[i], operands[i + 1]
            parts.append(self._compare_pair(op, left, right))
        if len(parts) == 1:
            return parts[0]
        nullable = any(p.type.nullable for p in parts)
        return c.And(t.BOOL.maybe(nullable), node.start, node.end, tuple(parts))

    def _compare_pair(self, op: str, left: c.Expr, right: c.Expr) -> c.Expr:
        start, end = left.start, right.end
        if t.Kind.NULL in (left.type.kind, right.type.kind):
            other = right if left.type.kind is t.Kind.NULL else left
            return self.error(
                "null-comparison",
                "compare with `null` is not allowed",
                start,
                f"use `known({_source_hint(other)})` or `not known(...)`",
            )
        if op in ("in", "not in"):
            return self._membership(op, left, right)
        if op in ("==", "!=") and (self._is_label(left) or self._is_label(right)):
            # Both sides: a label chosen by an `if` may have a text branch of its own.
            left, right = c.normalised(left), c.normalised(right)
        if not t.comparable(left.type, right.type, op):
            if left.type.kind is right.type.kind and left.type.kind in (t.Kind.STR, t.Kind.BOOL):
                return self.error(
                    "type-mismatch",
                    f"`{op}` cannot order {left.type.describe_plural()}",
                    start,
                    "use `==` or `!=`",
                )
            return self.error(
                "type-mismatch",
                f"cannot compare {_describe_node(left)} ({left.type.describe()}) "
                f"with {_describe_node(right)} ({right.type.describe()})",
                start,
                _field_hint(left) or _field_hint(right),
            )
        self._check_choice(left, right)
        self._check_choice(right, left)
        nullable = left.type.nullable or right.type.nullable
        return c.Cmp(t.BOOL.maybe(nullable), start, end, op, left, right)

    def _membership(self, op: str, left: c.Expr, right: c.Expr) -> c.Expr:
        start, end = left.start, right.end
        if self._is_label(left) or self._is_label(right):
            left, right = c.normalised(left), c.normalised(right)
        if right.type.lenient or left.type.lenient:
            return c.Cmp(t.BOOL.maybe(True), start, end, op, left, right)
        if right.type.kind not in (t.Kind.SET, t.Kind.LIST) or right.type.elem is None:
            return self.error(
                "type-mismatch",
                f"`{op}` needs a list or a set on its right, not {right.type.describe()}",
                right.start,
                'e.g. `request.reason in ["defective", "wrong_item_sold"]`',
            )
        if not t.member_compatible(left.type, right.type.elem):
            return self.error(
                "type-mismatch",
                f"{_describe_node(left)} ({left.type.describe()}) can never be in "
                f"{right.type.describe()}",
                start,
            )
        if isinstance(right, c.Const) and self._choices(left):
            spans = right.spans or tuple((right.start, right.end) for _ in right.value)
            for value, (start, end) in zip(right.value, spans, strict=True):
                self._check_choice(left, c.Const(t.STR, start, end, value))
        nullable = left.type.nullable or right.type.nullable
        return c.Cmp(t.BOOL.maybe(nullable), start, end, op, left, right)

    def _fact_expr(self, name: str) -> c.Expr | None:
        return self.scope.fact_expr(name)

    def _describe(self, expr: c.Expr) -> str:
        return _describe_node(expr)


def _describe_node(expr: c.Expr) -> str:
    match expr:
        case c.Field():
            return f"`{expr.dotted}`"
        case c.Builtin(name=name) | c.FactRef(name=name) | c.Root(root=name):
            return f"`{name}`"
        case c.Const(origin=str() as origin):
            return f"`{origin}`"
        case c.Const(value=value) if isinstance(value, str):
            return f'`"{value}"`'
        case c.Const(value=value):
            return f"`{value}`"
    return "the expression"


def _source_hint(expr: c.Expr) -> str:
    return _describe_node(expr).strip("`") if not isinstance(expr, c.Const) else "x"


def _field_hint(expr: c.Expr) -> str | None:
    if isinstance(expr, c.Field) and expr.dotted == "customer.tier":
        return "`customer.tier` is a whole number from 1 to 5 (5 is best)"
    if isinstance(expr, c.Field | c.Builtin):
        return f"{_describe_node(expr)} is {expr.type.describe()}"
    return None
