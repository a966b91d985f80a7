"""Run-time semantics of the expression language, shared by both evaluators.

Missing values are *unknown* (`None`) and propagate: a comparison with a missing
segment is unknown, `not unknown` is unknown, and a rule only matches when its
conditions are definitely true (Kleene logic).  Values of the dynamic
`customer.attributes` are compared only with values of the same kind: `"150" >
100` is unknown here, never silently true.

Decimal arithmetic runs in one fixed context (`DECIMALS`: 28 digits, half-even
rounding), never the calling thread's: an application that sets
`decimal.getcontext().prec = 4` for its own reports must not change a refund.  A
result the context cannot hold (an overflow, `round` to more digits than it
keeps) is unknown, like a division by zero.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .._facts.numbers import DECIMALS  # the context every rule computes in
from . import dates

_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def value_kind(value: Any) -> str | None:
    """A plain value's kind: `true/false`, `number`, `text` or `date`; None for any other.

    The one classification of values: comparisons and `in` meet values of one kind
    only, and a map param (`_build.params`) holds values of one kind.
    """
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | Decimal):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, date):
        return "date"
    return None


def _family(value: Any) -> str:
    """The kind a value compares as: another type (a list, a map) is a kind of its own."""
    return value_kind(value) or type(value).__name__


def compare(op: str, left: Any, right: Any) -> bool | None:
    """`left op right` with unknowns and kind mismatches giving None."""
    if left is None or right is None:
        return None
    if op in ("in", "not in"):
        found = member(left, right)
        if found is None:
            return None
        return found if op == "in" else not found
    kind = _family(left)
    if kind != _family(right):
        return None
    if kind in ("true/false", "text") and op not in ("==", "!="):
        return None
    return _ORDER[op](left, right)


def member(item: Any, container: Iterable[Any]) -> bool | None:
    """`item in container`; unknown when the container is not a list or a set.

    Only a store attribute read without a declaration can be something else, and
    `"a" in customer.attributes.note` must not look for the letter in the text.
    """
    if item is None or not isinstance(container, tuple | frozenset | list):
        return None
    kind = _family(item)
    return any(_family(x) == kind and x == item for x in container)


def number(value: Any) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def arith(op: str, left: Any, right: Any) -> Any:
    """`left op right`; None for unknowns, kind mismatches and division by zero."""
    if left is None or right is None:
        return None
    try:
        if isinstance(left, date) and isinstance(right, date):
            return (left - right).days if op == "-" else None
        if isinstance(left, date) and number(right) and op in ("+", "-"):
            delta = timedelta(days=int(right))
            return left + delta if op == "+" else left - delta
        if number(left) and isinstance(right, date) and op == "+":
            return right + timedelta(days=int(left))
        if not (number(left) and number(right)):
            return None
        if op == "/":
            return None if right == 0 else DECIMALS.divide(Decimal(left), Decimal(right))
        if type(left) is int and type(right) is int:  # exact, whatever their size
            return _INT_OPS[op](left, right) if right or op != "%" else None
        if op == "%" and right == 0:
            return None
        return _DECIMAL_OPS[op](Decimal(left), Decimal(right))
    except (ArithmeticError, ValueError):  # decimal's signals are ArithmeticErrors
        return None


_INT_OPS: dict[str, Callable[[int, int], int]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "%": operator.mod,
}
_DECIMAL_OPS: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
    "+": DECIMALS.add,
    "-": DECIMALS.subtract,
    "*": DECIMALS.multiply,
    "%": DECIMALS.remainder,
}


def money(value: Any) -> Decimal | None:
    """An amount as a `Decimal`; None when it is unknown or not a number (an attribute)."""
    return Decimal(value) if number(value) else None


def negate(value: Any) -> Any:
    if not number(value):
        return None
    return -value if isinstance(value, int) else DECIMALS.minus(value)


def days_between(start: Any, end: Any) -> int | None:
    if not isinstance(start, date) or not isinstance(end, date):
        return None
    return (end - start).days


def round_half_up(value: Any, places: int | None = None) -> Any:
    """`round(value)` (a whole number) or `round(value, places)`; half rounds away from 0.

    A value with no more places than asked for is returned as it is, so
    `round(amount, 30)` is the amount; one the context cannot hold to that many
    places (more than 28 digits in all) is unknown.
    """
    if not number(value):
        return None
    if isinstance(value, int):
        return value
    exponent = value.as_tuple().exponent
    wanted = -(places or 0)
    try:
        if not isinstance(exponent, int) or exponent >= wanted:
            rounded = value  # already that exact (or not finite, which facts never are)
        else:
            step = DECIMALS.scaleb(Decimal(1), wanted)
            rounded = value.quantize(step, rounding=ROUND_HALF_UP, context=DECIMALS)
        return int(rounded) if places is None else rounded
    except (ArithmeticError, ValueError):
        return None


def call(func: str, args: list[Any]) -> Any:
    """Apply a named function (the checker has already vetted name and arity)."""
    if func == "known":
        return args[0] is not None
    if func == "as_bool":  # a store attribute used as a condition
        return args[0] if isinstance(args[0], bool) else None
    if func == "coalesce":
        return args[0] if args[0] is not None else args[1]
    if func == "lookup":  # a missing or unknown key gives the default
        found = args[0].find(args[1])
        return args[2] if found is None else found
    if any(a is None for a in args):
        return None
    if func == "abs":
        if not number(args[0]):
            return None
        return abs(args[0]) if isinstance(args[0], int) else DECIMALS.abs(args[0])
    if func in ("min", "max"):
        if not all(number(a) for a in args):
            return None
        return min(args) if func == "min" else max(args)
    if func == "round":
        return round_half_up(args[0], args[1] if len(args) > 1 else None)
    if func == "len":  # an attribute holding a number or a date has no length: unknown
        return len(args[0]) if isinstance(args[0], str | tuple | list | frozenset) else None
    if func == "lower":
        return args[0].lower() if isinstance(args[0], str) else None
    if func == "upper":
        return args[0].upper() if isinstance(args[0], str) else None
    if func == "days_between":
        return days_between(args[0], args[1])
    return _date_call(func, args)


def _date_call(func: str, args: list[Any]) -> Any:
    """The date functions (`dates`), their arguments all known."""
    first = args[0]
    if func in _DATE_PARTS:
        return _DATE_PARTS[func](first) if isinstance(first, date) else None
    if func == "add_days":
        return dates.add_days(first, args[1])
    if func == "in_season":
        return dates.in_season(first, args[1], args[2])
    if func == "next_date":
        return dates.next_date(first, args[1])
    if func == "business_days_between":
        return dates.business_days_between(first, args[1], args[2])
    raise KeyError(func)  # unreachable: the checker only lets known functions through


_DATE_PARTS: dict[str, Callable[[date], int]] = {
    "year": lambda d: d.year,
    "month": lambda d: d.month,
    "day": lambda d: d.day,
    "weekday": date.isoweekday,
}


def kleene_and(values: Iterable[bool | None]) -> bool | None:
    unknown = False
    for value in values:
        if value is False:
            return False
        if value is None:
            unknown = True
    return None if unknown else True


def kleene_or(values: Iterable[bool | None]) -> bool | None:
    unknown = False
    for value in values:
        if value is True:
            return True
        if value is None:
            unknown = True
    return None if unknown else False


def transaction_total(transaction: Any) -> Decimal:
    """`transaction_total`: the sum of unit price times quantity over the lines."""
    total = Decimal(0)
    for item in transaction.items:  # a loop: a transaction may hold 10,000 lines
        total = DECIMALS.add(total, DECIMALS.multiply(item.unit_price, item.quantity))
    return total
