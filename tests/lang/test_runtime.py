"""The run-time semantics the engines share, on plain Python values.

`None` is *unknown*: it propagates through arithmetic, comparisons and most
functions, and `and` / `or` follow Kleene's three-valued logic.  Numbers are
exact: whole numbers stay `int`, anything with a point is a `Decimal` computed in
the runtime's own 28-digit context (never the calling thread's), and what that
context cannot hold, like a division by zero, is unknown.  Results are compared
exactly: `Decimal("2.50")` is not `Decimal("2.5")` here, and `1` is not `1.0`.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from flexpolicy._engine.interpreter import Evaluator  # for `not`, which each engine writes
from flexpolicy._lang import checked as c
from flexpolicy._lang import runtime as rt
from flexpolicy._lang import types as t
from flexpolicy._lang.values import Calendar, ParamMap

D = Decimal
JAN1 = date(2026, 1, 1)
WINDOWS = ParamMap({"standard": 15, "Plus": 30})
CAL = Calendar(holidays=frozenset({date(2026, 12, 25)}))  # 2026-12-25 is a Friday


def exactly(actual: object, expected: object) -> bool:
    """Equal, of the same type, and for a `Decimal` with the same digits and places."""
    if type(actual) is not type(expected):
        return False
    if isinstance(expected, Decimal):
        return str(actual) == str(expected)
    return actual == expected


# -- three-valued logic ----------------------------------------------------------------

T, F, U = True, False, None

# (operands, `and` of them, `or` of them)
LOGIC = [
    pytest.param([T, T], T, T, id="T-T"),
    pytest.param([T, F], F, T, id="T-F"),
    pytest.param([T, U], U, T, id="T-U"),
    pytest.param([F, T], F, T, id="F-T"),
    pytest.param([F, F], F, F, id="F-F"),
    pytest.param([F, U], F, U, id="F-U"),
    pytest.param([U, T], U, T, id="U-T"),
    pytest.param([U, F], F, U, id="U-F"),
    pytest.param([U, U], U, U, id="U-U"),
    pytest.param([], T, F, id="no-operands"),
    pytest.param([T, U, F], F, T, id="three-operands"),
]


@pytest.mark.parametrize(("values", "conjunction", "disjunction"), LOGIC)
def test_and_or(
    values: list[bool | None], conjunction: bool | None, disjunction: bool | None
) -> None:
    assert rt.kleene_and(values) is conjunction
    assert rt.kleene_or(values) is disjunction


def _then_fail(first: bool) -> Iterator[bool | None]:
    yield first
    raise AssertionError("read past the value that settles it")


@pytest.mark.parametrize(
    ("combine", "settles"),
    [(rt.kleene_and, False), (rt.kleene_or, True)],
    ids=["and-stops-at-false", "or-stops-at-true"],
)
def test_short_circuit(combine: Any, settles: bool) -> None:
    """The engines pass generators: operands after the deciding one are never computed."""
    assert combine(_then_fail(settles)) is settles


class _NoFacts:
    def root(self, name: str) -> Any:
        raise AssertionError(name)

    def builtin(self, name: str) -> Any:
        raise AssertionError(name)


@pytest.mark.parametrize(("value", "expected"), [(T, F), (F, T), (U, U)], ids=["T", "F", "U"])
def test_not(value: bool | None, expected: bool | None) -> None:
    """`not` is not in the runtime: each engine writes it; this is the reference evaluator's."""
    operand = c.Const(t.BOOL.maybe(), 0, 0, value)
    assert Evaluator({}, _NoFacts()).value(c.Not(t.BOOL.maybe(), 0, 0, operand)) is expected


@pytest.mark.parametrize(
    ("cond", "expected"), [(T, "yes"), (F, "no"), (U, None)], ids=["T", "F", "U"]
)
def test_if(cond: bool | None, expected: str | None) -> None:
    """`if` is written by each engine; unknown condition, unknown value, and only the
    branch taken is evaluated (so a branch that reads a missing record costs nothing)."""
    test = c.Const(t.BOOL.maybe(), 0, 0, cond)
    yes, no = c.Const(t.STR, 0, 0, "yes"), c.Const(t.STR, 0, 0, "no")
    ev = Evaluator({}, _NoFacts())
    assert ev.value(c.If(t.STR.maybe(), 0, 0, test, yes, no)) == expected
    taken = {id(yes), id(no)} & set(ev._values)
    assert taken == ({id(yes)} if cond is T else {id(no)} if cond is F else set())


# -- arithmetic ------------------------------------------------------------------------

ARITH = [
    pytest.param("+", D("0.1"), D("0.2"), D("0.3"), id="tenths-add-exactly"),
    pytest.param("*", D("1.10"), 3, D("3.30"), id="places-kept"),
    pytest.param("+", D("1"), D("1.00"), D("2.00"), id="most-places-win"),
    pytest.param("*", 10**30, 10**30, 10**60, id="ints-exact-whatever-size"),
    pytest.param("/", 6, 3, D("2"), id="division-is-decimal"),
    pytest.param("/", D("10.00"), 4, D("2.50"), id="division-keeps-places"),
    pytest.param("/", 1, 3, D("0." + "3" * 28), id="third-28-digits"),
    pytest.param("/", 2, 3, D("0." + "6" * 27 + "7"), id="two-thirds-rounded"),
    pytest.param("+", D(10**28), D("0.5"), D("1.000000000000000000000000000E+28"), id="28-digits"),
    pytest.param("%", D("7.5"), 2, D("1.5"), id="decimal-modulo"),
    pytest.param("/", 1, 0, None, id="divide-by-zero"),
    pytest.param("%", 7, 0, None, id="int-modulo-zero"),
    pytest.param("%", D("7.5"), 0, None, id="decimal-modulo-zero"),
    pytest.param("*", D("9E+999999"), 10, None, id="overflow-is-unknown"),
    pytest.param("+", None, 1, None, id="unknown-left"),
    pytest.param("+", True, 1, None, id="bool-is-not-a-number"),
    pytest.param("-", date(2026, 3, 1), date(2026, 2, 1), 28, id="date-minus-date"),
    pytest.param("+", date(2026, 2, 27), 2, date(2026, 3, 1), id="date-plus-days"),
    pytest.param("+", 2, date(2026, 2, 27), date(2026, 3, 1), id="days-plus-date"),
    pytest.param("+", JAN1, JAN1, None, id="date-plus-date"),
    pytest.param("+", date(9999, 12, 31), 1, None, id="past-the-calendar"),
]


@pytest.mark.parametrize(("op", "left", "right", "expected"), ARITH)
def test_arith(op: str, left: Any, right: Any, expected: Any) -> None:
    result = rt.arith(op, left, right)
    assert exactly(result, expected), repr(result)


def test_arithmetic_ignores_the_callers_decimal_context() -> None:
    with decimal.localcontext() as ctx:
        ctx.prec = 4
        ctx.traps[decimal.Inexact] = True
        assert str(rt.arith("+", D("1.23456789"), 1)) == "2.23456789"
        assert str(rt.arith("/", 1, 3)) == "0." + "3" * 28
        assert str(rt.negate(D("1.23456789"))) == "-1.23456789"
        assert str(rt.round_half_up(D("1.23456789"), 6)) == "1.234568"


@pytest.mark.xfail(
    strict=True,
    reason="`%` of a negative number follows Python's floor rule for ints (-7 % 3 == 2) "
    "but decimal's truncating rule for Decimals (-7.0 % 3 == -1.0)",
)
def test_modulo_agrees_for_ints_and_decimals() -> None:
    assert rt.arith("%", -7, 3) == rt.arith("%", D("-7.0"), 3)


# -- comparisons -----------------------------------------------------------------------

COMPARE = [
    pytest.param("<", 1, D("1.5"), T, id="int-vs-decimal"),
    pytest.param("==", 1, D("1.0"), T, id="one-is-one-point-oh"),
    pytest.param(">=", D("2.50"), D("2.5"), T, id="places-do-not-matter"),
    pytest.param("<", JAN1, date(2026, 1, 2), T, id="dates-order"),
    pytest.param("!=", T, F, T, id="bools-differ"),
    pytest.param("==", None, 1, U, id="unknown-left"),
    pytest.param("!=", 1, None, U, id="unknown-right"),
    pytest.param("==", 1, T, U, id="bool-is-not-one"),
    pytest.param("==", "150", 150, U, id="text-vs-number"),
    pytest.param(">", "150", 100, U, id="text-never-ordered-with-number"),
    pytest.param("<", "a", "b", U, id="text-not-ordered"),
    pytest.param("<", T, F, U, id="bools-not-ordered"),
    pytest.param("in", 1, [1, 2], T, id="in-list"),
    pytest.param("in", D("1.0"), [1], T, id="in-across-number-types"),
    pytest.param("in", 1, [None, 1], T, id="unknown-items-skipped"),
    pytest.param("in", T, [1, 2], F, id="bool-not-in-numbers"),
    pytest.param("not in", 3, [1, 2], T, id="not-in"),
    pytest.param("in", 1, None, U, id="in-unknown-container"),
]


@pytest.mark.parametrize(("op", "left", "right", "expected"), COMPARE)
def test_compare(op: str, left: Any, right: Any, expected: bool | None) -> None:
    assert rt.compare(op, left, right) is expected


# -- functions -------------------------------------------------------------------------

CALLS = [
    pytest.param("known", [None], F, id="known-missing"),
    pytest.param("known", [0], T, id="known-zero"),
    pytest.param("as_bool", [0], None, id="as-bool-zero-is-unknown"),
    pytest.param("as_bool", ["yes"], None, id="as-bool-text-is-unknown"),
    pytest.param("coalesce", [None, 1], 1, id="coalesce-fallback"),
    pytest.param("coalesce", [0, 1], 0, id="coalesce-keeps-zero"),
    pytest.param("coalesce", [None, None], None, id="coalesce-both-missing"),
    pytest.param("abs", [-3], 3, id="abs-int"),
    pytest.param("abs", [D("-1.50")], D("1.50"), id="abs-decimal-keeps-places"),
    pytest.param("abs", [None], None, id="abs-unknown"),
    pytest.param("min", [1, D("0.5")], D("0.5"), id="min-mixed"),
    pytest.param("min", [1, None], None, id="min-unknown"),
    pytest.param("max", [1, "2"], None, id="max-text"),
    pytest.param("round", [D("2.5")], 3, id="round-half-up"),
    pytest.param("round", [D("-2.5")], -3, id="round-half-away-from-zero"),
    pytest.param("round", [D("1.005"), 2], D("1.01"), id="round-places-half-up"),
    pytest.param("round", [D("1.004"), 2], D("1.00"), id="round-places-pads"),
    pytest.param("round", [D("1.5"), 2], D("1.5"), id="round-already-exact"),
    pytest.param("round", [D("2.5"), 0], D("3"), id="round-zero-places-is-decimal"),
    pytest.param("round", [D("1.23"), 30], D("1.23"), id="round-more-places-than-kept"),
    pytest.param("round", [D("1" * 27 + ".5"), 2], D("1" * 27 + ".5"), id="round-no-widening"),
    pytest.param("round", [None, 2], None, id="round-unknown"),
    pytest.param("len", ["abc"], 3, id="len-text"),
    pytest.param("len", [frozenset({"a", "b"})], 2, id="len-set"),
    pytest.param("len", [None], None, id="len-unknown"),
    pytest.param(
        "len",
        [5],
        None,
        id="len-number-attribute",
    ),
    pytest.param("lower", ["ABC"], "abc", id="lower"),
    pytest.param("upper", ["stra\u00dfe"], "STRASSE", id="upper-sharp-s"),
    pytest.param("days_between", [JAN1, date(2026, 3, 1)], 59, id="days-between"),
    pytest.param("days_between", [date(2026, 1, 31), JAN1], -30, id="days-between-backwards"),
    pytest.param("days_between", ["2026-01-01", JAN1], None, id="days-between-text"),
    pytest.param("lookup", [WINDOWS, "plus", 1], 30, id="lookup-found"),
    pytest.param("lookup", [WINDOWS, " PLUS ", 1], 30, id="lookup-key-normalised"),
    pytest.param("lookup", [WINDOWS, "gold", 1], 1, id="lookup-absent-key"),
    pytest.param("lookup", [WINDOWS, None, 1], 1, id="lookup-unknown-key"),
    pytest.param("lookup", [WINDOWS, None, None], None, id="lookup-unknown-default"),
    pytest.param("lookup", [WINDOWS, 5, 1], 1, id="lookup-number-key-attribute"),
    pytest.param("year", [date(2026, 3, 5)], 2026, id="year"),
    pytest.param("month", [date(2026, 3, 5)], 3, id="month"),
    pytest.param("day", [date(2026, 3, 5)], 5, id="day"),
    pytest.param("weekday", [date(2026, 3, 2)], 1, id="weekday-monday-is-1"),
    pytest.param("weekday", [date(2026, 3, 8)], 7, id="weekday-sunday-is-7"),
    pytest.param("year", ["2026-03-05"], None, id="year-of-text-attribute"),
    pytest.param("year", [None], None, id="year-unknown"),
    pytest.param("add_days", [JAN1, 31], date(2026, 2, 1), id="add-days"),
    pytest.param("add_days", [JAN1, -1], date(2025, 12, 31), id="add-days-back"),
    pytest.param("add_days", [date(9999, 12, 31), 1], None, id="add-days-past-9999"),
    pytest.param("add_days", [date(1, 1, 1), -1], None, id="add-days-before-year-1"),
    pytest.param("in_season", [date(2026, 11, 1), "10-28", "12-28"], T, id="season-inside"),
    pytest.param("in_season", [date(2026, 10, 28), "10-28", "12-28"], T, id="season-first-day"),
    pytest.param("in_season", [date(2026, 12, 28), "10-28", "12-28"], T, id="season-last-day"),
    pytest.param("in_season", [date(2026, 12, 29), "10-28", "12-28"], F, id="season-after"),
    pytest.param("in_season", [date(2027, 1, 5), "12-01", "01-12"], T, id="season-wraps"),
    pytest.param("in_season", [date(2026, 6, 5), "12-01", "01-12"], F, id="season-wraps-out"),
    pytest.param("in_season", [date(2026, 2, 28), "02-01", "02-29"], T, id="season-feb-29-end"),
    pytest.param("in_season", [date(2026, 2, 28), "02-29", "03-05"], T, id="season-feb-29-start"),
    pytest.param("in_season", [None, "02-01", "02-29"], None, id="season-unknown"),
    pytest.param("next_date", [date(2026, 11, 1), "01-12"], date(2027, 1, 12), id="next-year"),
    pytest.param("next_date", [date(2026, 1, 12), "01-12"], date(2026, 1, 12), id="next-same"),
    pytest.param("next_date", [date(2026, 1, 1), "02-29"], date(2026, 2, 28), id="next-feb-29"),
    pytest.param("next_date", [date(2028, 1, 1), "02-29"], date(2028, 2, 29), id="next-leap"),
    pytest.param("next_date", [date(9999, 12, 31), "01-01"], None, id="next-past-9999"),
    pytest.param(
        "business_days_between", [date(2026, 12, 24), date(2026, 12, 28), CAL], 1, id="bdays"
    ),
    pytest.param(
        "business_days_between", [date(2026, 12, 28), date(2026, 12, 24), CAL], -1, id="bdays-back"
    ),
    pytest.param(
        "business_days_between", [date(2026, 12, 4), date(2026, 12, 4), CAL], 0, id="bdays-same"
    ),
    pytest.param(
        "business_days_between",
        [date(2026, 12, 4), date(2026, 12, 7), Calendar()],
        1,
        id="bdays-friday-to-monday",
    ),
    pytest.param(
        "business_days_between",
        [date(2026, 12, 4), date(2026, 12, 7), Calendar(weekend=frozenset({5}))],
        3,
        id="bdays-own-weekend",
    ),
]


@pytest.mark.parametrize(("func", "args", "expected"), CALLS)
def test_call(func: str, args: list[Any], expected: Any) -> None:
    result = rt.call(func, args)
    assert exactly(result, expected), repr(result)


def test_unknown_function_is_a_key_error() -> None:
    """`date(...)` is folded by the checker, so the runtime has no `date` to call."""
    with pytest.raises(KeyError):
        rt.call("date", ["2026-01-01"])


# -- the smaller helpers ---------------------------------------------------------------

HELPERS = [
    pytest.param(rt.negate, (1,), -1, id="negate-int"),
    pytest.param(rt.negate, (D("1.50"),), D("-1.50"), id="negate-decimal"),
    pytest.param(rt.negate, (T,), None, id="negate-bool"),
    pytest.param(rt.money, (D("1.50"),), D("1.50"), id="money-decimal"),
    pytest.param(rt.money, (T,), None, id="money-bool"),
    pytest.param(rt.number, (F,), F, id="number-false"),
]


@pytest.mark.parametrize(("helper", "args", "expected"), HELPERS)
def test_helper(helper: Any, args: tuple[Any, ...], expected: Any) -> None:
    result = helper(*args)
    assert exactly(result, expected), repr(result)
