"""How the checker tells a label and the values a fixed-value field can take, through
`if ... then ... else` and `lookup(map, key, default)`.

A label (`customer.membership`, `request.reason`, ...) is compared normalised, and a
field with a fixed set of values (`request.item_condition`) is checked against that
set when the policy loads (`invalid-value`).  Release 2 lets a policy choose the
value it compares with (`if C then "opened" else "used"`), choose the field
(`if C then customer.segment else customer.membership`) or compare through a map
keyed by a field's values (`lookup(windows, request.item_condition, 15)`).  Each of
these is checked here exactly like the direct comparison it stands for, so a typo
in a map key or in an `if` branch fails to load instead of silently never matching.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator

from .._diagnostics.suggest import did_you_mean
from . import checked as c
from . import types as t
from .catalog import RECORDS, ROOTS
from .values import ParamMap

__all__ = ["LabelChecks"]

_DEPTH = 32  # facts naming facts: deeper than any policy writes, and never a cycle


class LabelChecks(abc.ABC):
    """The label half of the checker: what reads a label, and what values it may take."""

    @abc.abstractmethod
    def error(self, code: str, message: str, at: int, hint: str | None = None) -> c.Expr:
        """Record a problem at `at`; an ERROR-typed node to go on with."""

    @abc.abstractmethod
    def _fact_expr(self, name: str) -> c.Expr | None:
        """The typed definition of fact `name`, if it is checked already."""

    @abc.abstractmethod
    def _describe(self, expr: c.Expr) -> str:
        """`expr` as a message names it (`request.item_condition` in backticks)."""

    # -- labels -------------------------------------------------------------------
    def _is_label(self, expr: c.Expr) -> bool:
        """Whether `expr` reads a label field (or a set of labels): directly, through
        facts defined as one, as the value of `coalesce(label, fallback)`, as an `if`
        whose every branch is a label or text (one at least a label), or as a
        `lookup` whose default is a label."""
        return self._label(expr, 0)

    def _label(self, expr: c.Expr, depth: int) -> bool:
        if depth > _DEPTH:
            return False
        match expr:
            case c.Field(root=root, path=(name,)):
                record = ROOTS[root].record if root in ROOTS else None
                spec = RECORDS[record].get(name) if record in RECORDS else None
                return spec is not None and spec.label
            case c.Field(path=("attributes", _), type=typ):
                # A declared `list` attribute holds labels, as `customer.flags` does.
                return typ.kind is t.Kind.SET
            case c.FactRef(name=name):
                inner = self._fact_expr(name)
                return inner is not None and self._label(inner, depth + 1)
            case c.Call(func="coalesce", args=(first, _)):
                return self._label(first, depth + 1)
            case c.Call(func="lookup", args=(_, _, default)):
                return self._label(default, depth + 1)
            case c.If(then=then, other=other):
                branches = [b for b in (then, other) if not _is_text(b)]
                return bool(branches) and all(self._label(b, depth + 1) for b in branches)
        return False

    # -- fixed values ---------------------------------------------------------------
    def _choices(self, expr: c.Expr, depth: int = 0) -> tuple[str, ...] | None:
        """The values `expr` can take when they are a fixed set, else None: a field's
        own choices, or those of every branch of an `if` (a text branch adds itself) and
        of `coalesce`'s value and fallback (`coalesce(request.item_condition, "none")`
        is `"none"` too, though its type keeps the field's choices)."""
        if depth > _DEPTH:
            return None
        match expr:
            case c.FactRef(name=name):
                inner = self._fact_expr(name)
                return None if inner is None else self._choices(inner, depth + 1)
            case c.Call(func="coalesce", args=(first, fallback)):
                first_choices = self._choices(first, depth + 1)
                return None if first_choices is None else _with_texts(first_choices, fallback)
            case c.If(then=then, other=other):
                fixed = [b for b in (then, other) if not _is_text(b)]
                if not fixed:
                    return None
                found: list[str] = []
                for branch in fixed:
                    choices = self._choices(branch, depth + 1)
                    if choices is None:
                        return None
                    found.extend(choices)
                return _with_texts(tuple(dict.fromkeys(found)), then, other)
        return expr.type.choices or None

    def _subject(self, expr: c.Expr, depth: int = 0) -> str:
        """How a message names what takes the values: the field an `if` chooses, when
        every branch that is no text is that one field."""
        if isinstance(expr, c.If) and depth <= _DEPTH:
            names = {
                self._subject(b, depth + 1) for b in (expr.then, expr.other) if not _is_text(b)
            }
            if len(names) == 1:
                return names.pop()
        return self._describe(expr)

    def _check_choice(self, subject: c.Expr, other: c.Expr) -> None:
        """Each text `other` may be (itself, an `if` branch, a map value or default)
        must be one of the values `subject` takes, when those are a fixed set."""
        choices = self._choices(subject)
        if not choices:
            return
        for value, at in _texts(other, 0):
            if value not in choices:
                self._never(f"`{value}`", value, subject, choices, at)

    def _check_keys(self, table: c.Expr, key: c.Expr) -> None:
        """`lookup(map, key, default)`: each key of the map is compared with `key`, so
        each must be a value `key` takes (a key it never takes is a window never used)."""
        choices = self._choices(key)
        if not choices or not isinstance(table, c.Const) or not isinstance(table.value, ParamMap):
            return
        name = f"`{table.origin}`" if table.origin else "the map"
        for value in table.value:
            if value not in choices:
                self._never(f"key `{value}` of {name}", value, key, choices, table.start)

    def _never(
        self, noun: str, value: str, subject: c.Expr, choices: tuple[str, ...], at: int
    ) -> None:
        hints = (
            did_you_mean(value, choices),
            "possible values: " + ", ".join(f"`{x}`" for x in choices),
        )
        self.error(
            "invalid-value",
            f"{noun} is never a value of {self._subject(subject)}",
            at,
            " ".join(x for x in hints if x),
        )


def _is_text(expr: c.Expr) -> bool:
    return isinstance(expr, c.Const) and isinstance(expr.value, str)


def _with_texts(choices: tuple[str, ...], *exprs: c.Expr) -> tuple[str, ...]:
    """`choices` and the text constants among `exprs` (what an `if` branch may give)."""
    extra = [e.value for e in exprs if isinstance(e, c.Const) and isinstance(e.value, str)]
    return tuple(dict.fromkeys((*choices, *extra)))


def _texts(expr: c.Expr, depth: int) -> Iterator[tuple[str, int]]:
    """The text constants `expr` may stand for, each with where it is written."""
    if depth > _DEPTH:
        return
    match expr:
        case c.Const(value=str() as value):
            yield value, expr.start
        case c.If(then=then, other=other):
            yield from _texts(then, depth + 1)
            yield from _texts(other, depth + 1)
        case c.Call(func="lookup", args=(c.Const(value=ParamMap() as table), _, default)):
            for value in table.values():
                if isinstance(value, str):
                    yield value, expr.args[0].start
            yield from _texts(default, depth + 1)
        case c.Call(func="coalesce", args=(_, fallback)):
            yield from _texts(fallback, depth + 1)
