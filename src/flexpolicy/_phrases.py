"""Conditions into plain words: "bought 92 days ago; the window is 30 days".

Used when a policy gives no template, for every line of the trace, and for the
unmet conditions of counterfactuals.  Staff words may name scores and flags;
customer words never do (`describe(..., audience="customer")` returns None for
a condition that reads an internal field, and the caller leaves it out).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from ._expr import _checked as c
from ._expr import _types as t
from ._expr._catalog import BUILTINS, RECORDS, ROOTS, FieldSpec
from ._interpret import Evaluator
from ._runtime import DECIMALS

Audience = Literal["staff", "customer"]

_MIRROR = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_OPS: dict[str, tuple[str, str]] = {
    "<=": ("{n} is {v}, within {c}", "{n} is {v}, over the limit of {c}"),
    "<": ("{n} is {v}, under {c}", "{n} is {v}, not under {c}"),
    ">=": ("{n} is {v}, at least {c}", "{n} is {v}, below the {c} needed"),
    ">": ("{n} is {v}, above {c}", "{n} is {v}, not above {c}"),
    "==": ("{n} is {c}", "{n} is {v}, not {c}"),
    "!=": ("{n} is not {c}", "{n} is {v}"),
}


def humanize(name: str) -> str:
    return name.replace("_", " ").replace("-", " ")


def fmt(value: Any, kind: t.Type | None = None, unit: str | None = None) -> str:
    """A value as a person would write it."""
    if value is None:
        return "not known"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | Decimal):
        text = _number(value, money=kind is not None and kind.kind is t.Kind.MONEY)
        return f"{text} {unit}" if unit else text
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return humanize(value) if value.replace("_", "").isalnum() and value.islower() else value
    if isinstance(value, frozenset | set | tuple | list):
        items = sorted(fmt(v) for v in value)
        return ", ".join(items) if items else "none"
    return str(value)


# Beyond these a number is shown in scientific notation (`1.235E+30`): no till
# holds one, a rule that computes one is wrong, and writing it out in full could take
# a million digits (Python refuses to print an int of more than 4,300).
_WRITTEN_OUT = 10**21
_SMALLEST_WRITTEN_OUT = Decimal("1E-12")


def _number(value: int | Decimal, *, money: bool) -> str:
    if isinstance(value, int) and -_WRITTEN_OUT < value < _WRITTEN_OUT:
        return str(value)
    exact = Decimal(value)  # exact for an int of any size
    size = exact.copy_abs()  # no context: it cannot overflow
    if size >= _WRITTEN_OUT or (size and size < _SMALLEST_WRITTEN_OUT and not money):
        return f"{exact:.3E}"
    if money:
        return f"{exact.quantize(Decimal('0.01'), context=DECIMALS):,}"
    return f"{exact.normalize(DECIMALS):f}"


def money(value: Any) -> str:
    return fmt(value, t.MONEY)


def field_spec(expr: c.Expr) -> FieldSpec | None:
    if not isinstance(expr, c.Field):
        return None
    record = ROOTS[expr.root].record
    spec: FieldSpec | None = None
    for name in expr.path:
        if record is None or record == "attributes":
            return spec
        spec = RECORDS[record].get(name)
        if spec is None:
            return None
        record = spec.type.record if spec.type.kind is t.Kind.RECORD else None
    return spec


def noun(expr: c.Expr) -> str:
    match expr:
        case c.Field(root="customer", path=("attributes", name)):
            return f"customer attribute {humanize(name)}"
        case c.Field():
            spec = field_spec(expr)
            return spec.noun if spec else humanize(expr.path[-1])
        case c.Builtin(name=name):
            return BUILTINS[name].noun
        case c.FactRef(name=name):
            return humanize(name)
        case c.Const(origin=str() as origin):
            return humanize(origin)
    return unparse(expr)


def unit_of(expr: c.Expr) -> str | None:
    if isinstance(expr, c.Builtin):
        return BUILTINS[expr.name].unit
    spec = field_spec(expr)
    return spec.unit if spec else None


def is_internal(expr: c.Expr, facts: dict[str, Any], seen: set[str] | None = None) -> bool:
    """Whether an expression reads a score, flag or other field customers never see.

    Each fact is followed once (`seen`), so facts built on facts cost linear time.
    """
    seen = set() if seen is None else seen
    for node in c.walk(expr):
        if isinstance(node, c.Field):
            spec = field_spec(node)
            if (spec is not None and spec.internal) or node.root == "actor":
                return True
            if node.path[:1] == ("attributes",):
                return True
        if isinstance(node, c.FactRef) and node.name in facts and node.name not in seen:
            seen.add(node.name)
            if is_internal(facts[node.name].expr, facts, seen):
                return True
    return False


# The explaining functions below ask static questions of the policy's nodes; an
# evaluator carrying the policy's `ExplainCache` answers them once per policy.
def _internal(expr: c.Expr, ev: Evaluator[Any]) -> bool:
    cache = ev.cache
    return is_internal(expr, ev.facts) if cache is None else cache.is_internal(expr)


def _spec(expr: c.Expr, ev: Evaluator[Any]) -> FieldSpec | None:
    cache = ev.cache
    return field_spec(expr) if cache is None else cache.field_spec(expr)


def _noun(expr: c.Expr, ev: Evaluator[Any]) -> str:
    cache = ev.cache
    return noun(expr) if cache is None else cache.noun(expr)


def _unit(expr: c.Expr, ev: Evaluator[Any]) -> str | None:
    cache = ev.cache
    return unit_of(expr) if cache is None else cache.unit_of(expr)


def _walk(expr: c.Expr, ev: Evaluator[Any]) -> Sequence[c.Expr]:
    cache = ev.cache
    return c.walk(expr) if cache is None else cache.walk(expr)


def describe(
    expr: c.Expr, ev: Evaluator[Any], passed: bool | None, audience: Audience = "staff"
) -> str | None:
    """Words for `expr` having come out `passed` (None: unknown)."""
    if audience == "customer" and _internal(expr, ev):
        return None
    if passed is None:
        missing = _first_missing(expr, ev)
        return (
            f"{_noun(missing, ev)} is not known"
            if missing is not None
            else f"`{unparse(expr)}` is unknown"
        )
    match expr:
        case c.Not(operand=operand):
            return describe(operand, ev, not passed, audience)
        case c.And(operands=ops) | c.Or(operands=ops):
            return _junction(isinstance(expr, c.And), ops, ev, passed, audience)
        case c.FactRef(name=name):
            return _fact(name, ev, passed, audience)
        case c.Cmp():
            return _compare(expr, ev, passed)
        case c.Field() if expr.type.kind is t.Kind.BOOL:
            spec = _spec(expr, ev)
            if spec is not None and spec.yes and spec.no:
                return spec.yes if passed else spec.no
            return f"{_noun(expr, ev)}: {'yes' if passed else 'no'}"
        case c.Call(func="coalesce", args=(first, fallback)) if expr.type.kind is t.Kind.BOOL:
            if ev.value(first) is None:
                said = describe(first, ev, None, audience)
                return f"{said}, so it counts as {fmt(ev.value(fallback))}" if said else None
            return describe(first, ev, passed, audience)
        case c.Call(func="known", args=(arg,)):
            return f"{_noun(arg, ev)} is {'known' if passed else 'not known'}"
        case c.Call(func="as_bool", args=(arg,)):
            return f"{_noun(arg, ev)}: {'yes' if passed else 'no'}"
        case c.Const(value=bool()):
            return "always" if passed else "never"
    return f"`{unparse(expr)}` is {'true' if passed else 'false'}"


_NEEDS = {
    "<=": "at most {c}",
    "<": "under {c}",
    ">=": "at least {c}",
    ">": "above {c}",
    "==": "is {c}",
    "!=": "is not {c}",
}


def requirement(expr: c.Expr, ev: Evaluator[Any], audience: Audience = "staff") -> str | None:
    """Words for what must hold for `expr` to be true ("the original packaging is intact")."""
    if audience == "customer" and _internal(expr, ev):
        return None
    match expr:
        case c.Not(operand=c.Field() as field) if field.type.kind is t.Kind.BOOL:
            spec = _spec(field, ev)
            return spec.no if spec and spec.no else f"{_noun(field, ev)}: no"
        case c.Field() if expr.type.kind is t.Kind.BOOL:
            spec = _spec(expr, ev)
            return spec.yes if spec and spec.yes else f"{_noun(expr, ev)}: yes"
        case c.FactRef(name=name):
            return requirement(ev.facts[name].expr, ev, audience)
        case c.Call(func="coalesce", args=(first, _)) if expr.type.kind is t.Kind.BOOL:
            return requirement(first, ev, audience)
        case c.Call(func="known", args=(arg,)):
            return f"{_noun(arg, ev)} is known"
        case c.Call(func="as_bool", args=(arg,)):
            return f"{_noun(arg, ev)}: yes"
        case c.And(operands=ops):
            parts = [requirement(o, ev, audience) for o in ops if ev.truth(o) is not True]
            return "; ".join(p for p in parts if p) or None
        case c.Or(operands=ops):
            parts = [requirement(o, ev, audience) for o in ops]
            return " or ".join(p for p in parts if p) or None
        case c.Cmp(op=op, left=left, right=right) if op in ("in", "not in"):
            wanted = op == "in"
            if right.type.kind is t.Kind.SET:
                item = fmt(ev.value(left))
                if isinstance(right, c.Field) and right.dotted == "customer.flags":
                    return f"the account is {'' if wanted else 'not '}flagged {item}"
                return f"{_noun(right, ev)} {'include' if wanted else 'do not include'} {item}"
            options = fmt(ev.value(right))
            return f"{_noun(left, ev)} is {'' if wanted else 'not '}one of {options}"
        case c.Cmp(op=op, left=left, right=right):
            if isinstance(left, c.Const) and not isinstance(right, c.Const):
                left, right, op = right, left, _MIRROR[op]
            limit = ev.value(right)
            if (
                isinstance(left, c.Builtin)
                and left.name == "days_since_purchase"
                and op
                in (
                    "<=",
                    "<",
                )
            ):
                return f"bought within the last {fmt(limit)} days"
            unit = _unit(left, ev)
            shown = fmt(limit, right.type if isinstance(right, c.Const) else left.type, unit)
            return f"{_noun(left, ev)} {_NEEDS[op].format(c=shown)}"
    return f"`{unparse(expr)}`"


def _first_missing(expr: c.Expr, ev: Evaluator[Any]) -> c.Expr | None:
    for node in _walk(expr, ev):
        if isinstance(node, c.Field | c.Builtin | c.FactRef) and ev.value(node) is None:
            return node
    return None


def _junction(
    is_and: bool, ops: tuple[c.Expr, ...], ev: Evaluator[Any], passed: bool, audience: Audience
) -> str | None:
    results = [(op, ev.truth(op)) for op in ops]
    if is_and == passed:  # all held (and), or none held (or): mention every part
        parts = [describe(op, ev, value, audience) for op, value in results]
    elif is_and:  # an `and` that failed: the parts that failed
        parts = [describe(op, ev, value, audience) for op, value in results if value is not True]
    else:  # an `or` that held: the first part that held
        parts = [next(describe(op, ev, True, audience) for op, value in results if value is True)]
    words = [p for p in parts if p]
    if not words:
        return None
    joiner = "; " if is_and or passed else ", and "
    text = joiner.join(words)
    return text if is_and or passed else f"none of these hold: {text}"


def _fact(name: str, ev: Evaluator[Any], passed: bool, audience: Audience) -> str | None:
    fact = ev.facts[name]
    if fact.expr.type.kind is not t.Kind.BOOL:
        return f"{humanize(name)} is {fmt(ev.fact(name))}"
    if passed:
        return humanize(name)
    if _INSIDE_FACT.get():
        # The reasons of a fact are given one level deep: the facts they name are named,
        # not opened in turn (facts that each use the last twice would write out
        # exponentially many words).
        return f"not {humanize(name)}"
    token = _INSIDE_FACT.set(True)
    try:
        inner = describe(fact.expr, ev, False, audience)
    finally:
        _INSIDE_FACT.reset(token)
    return f"not {humanize(name)} ({inner})" if inner else f"not {humanize(name)}"


# Whether words for a false fact are being written (per thread and task, never shared).
_INSIDE_FACT: ContextVar[bool] = ContextVar("flexpolicy_inside_fact", default=False)


def _compare(expr: c.Cmp, ev: Evaluator[Any], passed: bool) -> str:
    left, right, op = expr.left, expr.right, expr.op
    if op in ("in", "not in"):
        return _membership(expr, ev, passed)
    if isinstance(left, c.Const) and not isinstance(right, c.Const):
        left, right, op = right, left, _MIRROR[op]
    value = ev.value(left)
    unit = _unit(left, ev)
    if isinstance(left, c.Builtin) and left.name == "days_since_purchase" and op in ("<=", "<"):
        limit = fmt(ev.value(right))
        if passed:
            return f"bought {value} days ago, within the {limit}-day window"
        return f"bought {value} days ago; the window is {limit} days"
    target = fmt(
        ev.value(right), right.type, unit if isinstance(right, c.Const) else _unit(right, ev)
    )
    if not isinstance(right, c.Const) or right.origin:
        label = _noun(right, ev)
        target = f"{label} ({target})" if label != target else target
    template = _OPS[op][0 if passed else 1]
    return template.format(n=_noun(left, ev), v=fmt(value, left.type, unit), c=target)


def _membership(expr: c.Cmp, ev: Evaluator[Any], passed: bool) -> str:
    holds = passed if expr.op == "in" else not passed
    left, right = expr.left, expr.right
    if right.type.kind is t.Kind.SET:
        item = fmt(ev.value(left))
        if isinstance(right, c.Field) and right.dotted == "customer.flags":
            return f"the account is {'' if holds else 'not '}flagged {item}"
        return f"{_noun(right, ev)} {'include' if holds else 'do not include'} {item}"
    value = fmt(ev.value(left), left.type)
    options = fmt(ev.value(right))
    if holds:
        return f"{_noun(left, ev)} is {value}" + ("" if passed else f", one of {options}")
    return f"{_noun(left, ev)} is {value}, not one of {options}"


def unparse(expr: c.Expr) -> str:
    """Source-like text for a typed tree (used where no source text is at hand)."""
    match expr:
        case c.Const(origin=str() as origin):
            return origin
        case c.Const(value=value):
            if isinstance(value, str):
                return f'"{value}"'
            if isinstance(value, bool):
                return "true" if value else "false"
            if isinstance(value, tuple):
                return "[" + ", ".join(unparse(c.Const(t.ANY, 0, 0, v)) for v in value) + "]"
            if isinstance(value, date):
                return f'date("{value.isoformat()}")'
            return str(value)
        case c.Field():
            return expr.dotted
        case c.Root(root=name) | c.Builtin(name=name) | c.FactRef(name=name):
            return name
        case c.ListExpr(items=items):
            return "[" + ", ".join(unparse(i) for i in items) + "]"
        case c.Not(operand=operand):
            return f"not {_wrap(operand)}"
        case c.Neg(operand=operand):
            return f"-{_wrap(operand)}"
        case c.And(operands=ops):
            return " and ".join(_wrap(o) for o in ops)
        case c.Or(operands=ops):
            return " or ".join(_wrap(o) for o in ops)
        case c.Arith(op=op, left=left, right=right) | c.Cmp(op=op, left=left, right=right):
            return f"{_wrap(left)} {op} {_wrap(right)}"
        case c.Call(func="as_bool", args=(arg,)):
            return unparse(arg)
        case c.Call(func=func, args=args):
            return f"{func}({', '.join(unparse(a) for a in args)})"
    return "?"


def _wrap(expr: c.Expr) -> str:
    text = unparse(expr)
    return f"({text})" if isinstance(expr, c.And | c.Or | c.Arith | c.Cmp) else text
