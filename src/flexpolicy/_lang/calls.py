"""The built-in functions' checks: arity, argument types, the result's type.

One method `_fn_<name>` per function of `catalog.FUNCTIONS`, found by name, so a
new function is its catalog entry (the hint), a check here and its run-time
meaning in `runtime`.  `CallChecks` is the half of the checker that knows the
functions; the checker (`checker._Checker`) is the other half, and provides the
three things a function's check needs of it: checking an argument, reporting a
problem, and telling a label.  `if` is checked here too: its two branches, like a
map's values and `lookup`'s default, must make one type (`branches_type`).
"""

from __future__ import annotations

import abc
from datetime import date

from .._diagnostics.suggest import did_you_mean
from . import checked as c
from . import syntax as s
from . import types as t
from .catalog import FUNCTIONS
from .dates import month_day
from .label_checks import LabelChecks
from .values import Calendar

__all__ = ["CallChecks"]


class CallChecks(LabelChecks):
    """The checks of the built-in functions, for the checker to inherit (with the label
    checks, which `lookup` and `coalesce` need)."""

    @abc.abstractmethod
    def check(self, node: s.Node) -> c.Expr:
        """The typed form of `node` (problems collected, not raised)."""

    @abc.abstractmethod
    def require_bool(self, expr: c.Expr, what: str) -> c.Expr:
        """`expr` as a condition (a problem recorded when it cannot be one)."""

    @abc.abstractmethod
    def _calendar(self) -> Calendar:
        """The policy's calendar, for `business_days_between`."""

    # -- functions --------------------------------------------------------------
    def _call(self, node: s.Call) -> c.Expr:
        name = node.func
        if name not in FUNCTIONS:
            return self.error(
                "unknown-function",
                f"`{name}` is not a function of the policy language",
                node.start,
                did_you_mean(name, FUNCTIONS)
                or "functions are: " + ", ".join(f"`{f}`" for f in FUNCTIONS),
            )
        args = tuple(self.check(a) for a in node.args)
        if any(a.type.kind is t.Kind.ERROR for a in args):
            return c.Const(t.ERROR, node.start, node.end, None)
        checker = getattr(self, f"_fn_{name}")
        result: c.Expr = checker(node, args)
        return result

    # -- if/then/else, here with the other value that is one of two -------------------
    def _if(self, node: s.If) -> c.Expr:
        cond = self.require_bool(self.check(node.cond), "the condition of `if`")
        then, other = self.check(node.then), self.check(node.other)
        result = self.branches_type(then, other, "`if`")
        if result is None:
            return c.Const(t.ERROR, node.start, node.end, None)
        nullable = result.nullable or cond.type.nullable
        return c.If(result.maybe(nullable), node.start, node.end, cond, then, other)

    def branches_type(self, first: c.Expr, second: c.Expr, what: str) -> t.Type | None:
        """The type of a value that is `first` or `second` (the branches of `if`, a
        map's values and `lookup`'s default): numbers widen as in `coalesce`, other
        kinds must agree; None (reported) when they cannot."""
        a, b = first.type, second.type
        nullable = a.nullable or b.nullable
        if t.Kind.ERROR in (a.kind, b.kind):
            return t.ERROR
        if a.kind is t.Kind.ANY or b.kind is t.Kind.ANY:
            return t.ANY
        if a.kind is t.Kind.NULL or b.kind is t.Kind.NULL:
            other = b if a.kind is t.Kind.NULL else a
            return other.maybe(True)
        if a.numeric and b.numeric:
            return t.wider_numeric(a, b).maybe(nullable)
        if a.kind is b.kind and a.kind not in (t.Kind.SET, t.Kind.LIST, t.Kind.MAP):
            return t.Type(a.kind, nullable).maybe(nullable)
        if a.kind is b.kind and a.elem == b.elem:
            return a.maybe(nullable)
        self.error(
            "type-mismatch",
            f"{what} gives {a.describe()} one way and {b.describe()} the other",
            second.start,
            "both must be numbers, or of one kind (text and text, dates and dates)",
        )
        return None

    def _arity(self, node: s.Call, args: tuple[c.Expr, ...], low: int, high: int) -> bool:
        if low <= len(args) <= high:
            return True
        want = str(low) if low == high else f"{low} to {high}" if high < 99 else f"{low} or more"
        self.error(
            "bad-arguments",
            f"`{node.func}` takes {want} argument{'s' if high != 1 else ''}, got {len(args)}",
            node.start,
            FUNCTIONS[node.func],
        )
        return False

    def _want(self, node: s.Call, arg: c.Expr, ok: bool, what: str) -> bool:
        if ok or arg.type.lenient:
            return True
        self.error(
            "type-mismatch",
            f"`{node.func}` needs {what}, not {arg.type.describe()}",
            arg.start,
            FUNCTIONS[node.func],
        )
        return False

    def _make(self, node: s.Call, result: t.Type, args: tuple[c.Expr, ...]) -> c.Expr:
        nullable = result.nullable or any(a.type.nullable for a in args)
        return c.Call(result.maybe(nullable), node.start, node.end, node.func, args)

    def _fn_abs(self, node: s.Call, args: tuple[c.Expr, ...]) -> c.Expr:
        if not self._arity(node, args, 1, 1) or not self._want(
            node, args[0], args[0].type.numeric, "a number"
        ):
            return c.Const(t.ERROR, node.start, node.end, None)
        return self._make(node, args[0].type.maybe(False), args)

    def _min_max(self, node: s.Call, args: tuple[c.Expr, ...]) -> c.Expr:
        if not self._arity(node, args, 2, 99):
            return c.Const(t.ERROR, node.start, node.end, None)
        result = t.INT
        for arg in args:
            if not self._want(node, arg, arg.type.numeric, "numbers"):
                return c.Const(t.ERROR, node.start, node.end, None)
            if arg.type.numeric:
                result = t.wider_numeric(result, arg.type)
        return self._make(node, result, args)

    _fn_min = _min_max
    _fn_max = _min_max

    def _fn_round(self, node: s.Call, args: tuple[c.Expr, ...]) -> c.Expr:
        if not self._arity(node, args, 1, 2):
            return c.Const(t.ERROR, node.start, node.end, None)
        if not self._want(node, args[0], args[0].type.numeric, "a number"):
            return c.Const(t.ERROR, node.start, node.end, None)
        if len(args) == 2 and not (
            isinstance(args[1], c.Const) and type(args[1].value) is int and args[1].value >= 0
        ):
            self.error("bad-arguments", "`round` places must be a whole number", args[1].start)
            return c.Const(t.ERROR, node.start, node.end, None)
        result = t.INT if len(args) == 1 else args[0].type.maybe(False)
        return self._make(node, result, args)

    def _fn_len(self, node: s.Call, args: tuple[c.Expr, ...]) -> c.Expr:
        kinds = (t.Kind.STR, t.Kind.SET, t.Kind.LIST)
        if not self._arity(node, args, 1, 1) or not self._want(
            node, args[0], args[0].type.kind in kinds, "text, a list or a set"
        ):
            return c.Const(t.ERROR, node.start, node.end, None)
        return self._make(node, t.INT, args)

    def _text_fn(self, node: s.Call, args: tuple[c.Expr, ...]) -> c.Expr:
        if not self._arity(node, args, 1, 1) or not self._want(
            node, args[0], args[0].type.kind is t.Kind.STR, "text"
        ):
            return c.Const(t.ERROR, node.start, node.end, None)
        return self._make(node, t.STR, args)

    _fn_lower = _text_fn
    _fn_upper = _text_fn

    def _fn_days_between(self, node: s.Call, args: tuple[c.Expr, ...]) -> c.Expr:
        if not self._arity(node, args, 2, 2):
            return c.Const(t.ERROR, node.start, node.end, None)
        for arg in args:
            if not self._want(node, arg, arg.type.kind is t.Kind.DATE, "dates"):
                return c.Const(t.ERROR, node.start, node.end, None)
        return self._make(node, t.INT, args)

    def _fn_known(self, node: s.Call, args: tuple[c.Expr, ...]) -> c.Expr:
        if not self._arity(node, args, 1, 1):
            return c.Const(t.ERROR, node.start, node.end, None)
        return c.Call(t.BOOL, node.start, node.end, "known", args)

    def _fn_coalesce(self, node: s.Call, args: tuple[c.Expr, ...]) -> c.Expr:
        if not self._arity(node, args, 2, 2):
            return c.Const(t.ERROR, node.start, node.end, None)
        first, fallback = args
        if self._is_label(first):
            fallback = c.normalised(fallback)
            args = (first, fallback)
        if not (t.comparable(first.type, fallback.type, "==") or first.type.kind is t.Kind.SET):
            self.error(
                "type-mismatch",
                f"`coalesce` fallback is {fallback.type.describe()}, "
                f"but the value is {first.type.describe()}",
                fallback.start,
            )
            return c.Const(t.ERROR, node.start, node.end, None)
        result = first.type.maybe(fallback.type.nullable)
        if first.type.numeric and fallback.type.numeric:
            result = t.wider_numeric(first.type, fallback.type).maybe(fallback.type.nullable)
        return c.Call(result, node.start, node.end, "coalesce", args)

    def _fn_date(self, node: s.Call, args: tuple[c.Expr, ...]) -> c.Expr:
        if not self._arity(node, args, 1, 1):
            return c.Const(t.ERROR, node.start, node.end, None)
        arg = args[0]
        if not (isinstance(arg, c.Const) and isinstance(arg.value, str)):
            self.error("bad-arguments", '`date` needs text such as `"2026-01-31"`', arg.start)
            return c.Const(t.ERROR, node.start, node.end, None)
        try:
            value = date.fromisoformat(arg.value)
        except ValueError:
            self.error("bad-arguments", f"`{arg.value}` is not a date (YYYY-MM-DD)", arg.start)
            return c.Const(t.ERROR, node.start, node.end, None)
        return c.Const(t.DATE, node.start, node.end, value)

    # -- dates and maps (issue 16) -------------------------------------------------
    def _dates(self, node: s.Call, args: tuple[c.Expr, ...], count: int) -> bool:
        """`count` arguments, the first a date."""
        return self._arity(node, args, count, count) and self._want(
            node, args[0], args[0].type.kind is t.Kind.DATE, "a date"
        )

    def _date_part(self, node: s.Call, args: tuple[c.Expr, ...]) -> c.Expr:
        if not self._dates(node, args, 1):
            return c.Const(t.ERROR, node.start, node.end, None)
        return self._make(node, t.INT, args)

    _fn_year = _date_part
    _fn_month = _date_part
    _fn_day = _date_part
    _fn_weekday = _date_part

    def _fn_add_days(self, node: s.Call, args: tuple[c.Expr, ...]) -> c.Expr:
        if not self._dates(node, args, 2) or not self._want(
            node, args[1], args[1].type.kind is t.Kind.INT, "a whole number of days"
        ):
            return c.Const(t.ERROR, node.start, node.end, None)
        return self._make(node, t.DATE.maybe(), args)  # may leave the calendar: unknown

    def _month_days(self, node: s.Call, args: tuple[c.Expr, ...]) -> bool:
        """The `"MM-DD"` arguments after the date: text literals naming a day of the year."""
        ok = True
        for arg in args[1:]:
            if not (isinstance(arg, c.Const) and isinstance(arg.value, str)):
                self.error(
                    "bad-month-day",
                    f'`{node.func}` needs a day of the year written as text, such as `"10-28"`',
                    arg.start,
                    FUNCTIONS[node.func],
                )
                ok = False
            elif month_day(arg.value) is None:
                self.error(
                    "bad-month-day",
                    f"`{arg.value}` is not a day of the year (MM-DD)",
                    arg.start,
                    'write the month then the day, e.g. `"12-28"`; `"02-29"` is the last '
                    "day of February",
                )
                ok = False
        return ok

    def _fn_in_season(self, node: s.Call, args: tuple[c.Expr, ...]) -> c.Expr:
        if not self._dates(node, args, 3) or not self._month_days(node, args):
            return c.Const(t.ERROR, node.start, node.end, None)
        return self._make(node, t.BOOL, args)

    def _fn_next_date(self, node: s.Call, args: tuple[c.Expr, ...]) -> c.Expr:
        if not self._dates(node, args, 2) or not self._month_days(node, args):
            return c.Const(t.ERROR, node.start, node.end, None)
        return self._make(node, t.DATE.maybe(), args)  # none after year 9999: unknown

    def _fn_business_days_between(self, node: s.Call, args: tuple[c.Expr, ...]) -> c.Expr:
        if not self._arity(node, args, 2, 2):
            return c.Const(t.ERROR, node.start, node.end, None)
        for arg in args:
            if not self._want(node, arg, arg.type.kind is t.Kind.DATE, "dates"):
                return c.Const(t.ERROR, node.start, node.end, None)
        # The calendar rides along as a constant: the decision needs no shared state.
        cal = c.Const(t.ANY.maybe(False), node.end, node.end, self._calendar())
        return self._make(node, t.INT, (*args, cal))

    def _fn_lookup(self, node: s.Call, args: tuple[c.Expr, ...]) -> c.Expr:
        if not self._arity(node, args, 3, 3):
            return c.Const(t.ERROR, node.start, node.end, None)
        table, key, default = args
        if table.type.kind is not t.Kind.MAP or table.type.elem is None:
            self.error(
                "type-mismatch",
                f"`lookup` needs a map param first, not {table.type.describe()}",
                table.start,
                "declare one under `params:`, e.g. `windows: {standard: 15, plus: 30}`",
            )
            return c.Const(t.ERROR, node.start, node.end, None)
        if not self._want(node, key, key.type.kind is t.Kind.STR, "text as the key"):
            return c.Const(t.ERROR, node.start, node.end, None)
        if isinstance(key, c.Const):
            key = c.normalised(key)
        self._check_keys(table, key)
        value = c.Const(table.type.elem, table.start, table.end, None)
        result = self.branches_type(value, default, "`lookup`")
        if result is None:
            return c.Const(t.ERROR, node.start, node.end, None)
        return c.Call(
            result.maybe(default.type.nullable),
            node.start,
            node.end,
            "lookup",
            (table, key, default),
        )
