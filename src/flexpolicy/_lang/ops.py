"""The comparison operators as tables, and typed trees back into source-like text.

Every stage that rewrites a comparison needs the same two facts about its
operator: what it becomes when its sides swap (`30 >= days` is `days <= 30`) and
what it becomes under `not` (`not days <= 30` is `days > 30`).  The engines use
them to push negation down, the explainers and the document writer to put the
constant on the right before they word a comparison.  They live here, with the
language, so that no back end has to import the wording layer to get them.
"""

from __future__ import annotations

from datetime import date

from . import checked as c
from . import types as t
from .values import ParamMap

__all__ = ["COMPARISONS", "MEMBERSHIP", "MIRROR", "NEGATE", "constant_right", "unparse"]

COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")  # the ordering and equality operators
MEMBERSHIP = ("in", "not in")

# `a op b` is `b MIRROR[op] a`.  Membership has no mirror: `x in xs` is not `xs in x`.
MIRROR: dict[str, str] = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
# `not (a op b)` is `a NEGATE[op] b` (when both sides are known: unknown stays unknown).
NEGATE: dict[str, str] = {
    "==": "!=",
    "!=": "==",
    "<": ">=",
    ">=": "<",
    ">": "<=",
    "<=": ">",
    "in": "not in",
    "not in": "in",
}


def constant_right(op: str, left: c.Expr, right: c.Expr) -> tuple[str, c.Expr, c.Expr]:
    """`left op right` with a lone constant on the right: `30 >= days` as `days <= 30`.

    Only a comparison with a mirror is turned round, and only when the constant
    is alone (two constants, or none, stay as written).
    """
    if isinstance(left, c.Const) and not isinstance(right, c.Const) and op in MIRROR:
        return MIRROR[op], right, left
    return op, left, right


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
            if isinstance(value, ParamMap):
                return (
                    "{"
                    + ", ".join(
                        f"{k}: {unparse(c.Const(t.ANY, 0, 0, v))}" for k, v in value.items()
                    )
                    + "}"
                )
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
        case c.Call(func="business_days_between", args=(a, b, *_)):  # the calendar is implied
            return f"business_days_between({unparse(a)}, {unparse(b)})"
        case c.If(cond=cond, then=then, other=other):
            return f"if {unparse(cond)} then {unparse(then)} else {unparse(other)}"
        case c.Call(func=func, args=args):
            return f"{func}({', '.join(unparse(a) for a in args)})"
    return "?"


def _wrap(expr: c.Expr) -> str:
    text = unparse(expr)
    return f"({text})" if isinstance(expr, c.And | c.Or | c.Arith | c.Cmp | c.If) else text
