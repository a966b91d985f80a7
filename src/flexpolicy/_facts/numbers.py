"""How large a number in the facts may be, checked before anything expands it.

Why a module of its own: a number can hang or crash the reading of facts before
any rule runs, and it can arrive three ways - as a Python value in a mapping, as
JSON text, or as YAML text - so the bound is stated once and checked at each door.

- pydantic turns a `Decimal` into an `int` by expanding it: `Decimal("4e2205784847214335")`
  given for `customer.tier` (or `4e-2205784847214335`) never finishes.  A whole
  number field therefore refuses a `Decimal` whose exponent is out of range
  before pydantic converts it (`WholeNumber`).
- Python refuses to read an integer of more than 4,300 digits from text with a
  plain `ValueError`, and formatting one fails the same way, so JSON and YAML
  numbers are bounded when they are read (`exact_decimal`, `bounded_int`).

The same markers make numbers strict and alike at every door: pydantic's lax
mode reads `True` as the tier 1, `b"4"` as 4 and `"٤"` (an Arabic-Indic four)
as the amount 4; a fact takes none of them, from Python objects or JSON text.
A negative zero amount is zero, so it never prints as "-0.00".

The bound, `MAX_DIGITS` (28, the precision of the decimal arithmetic rules use),
is far beyond any count or sum a till sees: money is checked more tightly by its
own type (18 digits, 4 places).
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal, DivisionByZero, InvalidOperation, Overflow
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import PydanticCustomError, core_schema

from ..errors import EXACT_BRANCH, FAST_BRANCH, InputError

# The context every rule computes in, declared with the bounds of the facts because
# they are one number: a fact holds no more digits than arithmetic keeps.  Only its
# methods are used, so the calling thread's context is never read; they set the
# (never read) flags on it and nothing else.
DECIMALS = Context(
    prec=28,
    rounding=ROUND_HALF_EVEN,
    Emin=-999_999,
    Emax=999_999,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)
# The precision rules compute in: a fact holds no more digits than arithmetic keeps.
MAX_DIGITS = DECIMALS.prec
# The largest whole number a store attribute may hold (28 digits).
MAX_WHOLE = 10**MAX_DIGITS - 1


class NumberOutOfRangeError(ValueError):
    """A number in JSON or YAML text with more digits than a fact can hold."""

    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__(text)


def in_range(value: Decimal) -> bool:
    """False for a finite decimal whose exponent would make it expand past `MAX_DIGITS`."""
    if not value.is_finite():
        return True  # pydantic refuses NaN and infinity itself, without expanding them
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):  # only NaN and infinity have a letter for exponent
        return True
    return -MAX_DIGITS <= exponent <= MAX_DIGITS and value.adjusted() < MAX_DIGITS


def exact_decimal(text: str) -> Decimal:
    """A JSON or YAML number with a point or an exponent, as an exact decimal."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise NumberOutOfRangeError(text) from None
    if not in_range(value):
        raise NumberOutOfRangeError(text)
    return value


def bounded_int(text: str) -> int:
    """A JSON integer, refused beyond `MAX_DIGITS` digits before Python reads it."""
    if len(text.lstrip("+-")) > MAX_DIGITS:
        raise NumberOutOfRangeError(text)
    return int(text)


def out_of_range_error(where: str, exc: NumberOutOfRangeError) -> InputError:
    """The one message for a number no fact can hold, wherever it was read."""
    shown = exc.text if len(exc.text) <= 24 else f"{exc.text[:20]}..."
    return InputError(
        f"{where}: the number `{shown}` is out of range",
        code="invalid-facts",
        hint=f"numbers in the facts have at most {MAX_DIGITS} digits before and after the point",
    )


def _not_a_number(kind: str) -> PydanticCustomError:
    return PydanticCustomError(
        "number_type", "Input should be a number, not {kind}", {"kind": kind}
    )


def _plain_text_number(value: str) -> None:
    """Refuse number text that JSON and YAML would not read as a number.

    Python reads Arabic-Indic and full-width digits, and `4_2`, as 42; a fact
    takes the digits 0-9 only, whichever door the number comes through.
    """
    if not value.isascii() or "_" in value:
        raise PydanticCustomError(
            "number_text", "Input should be a number written with the digits 0-9"
        )


def _whole_number(value: Any) -> Any:
    if type(value) is int:  # the common case, first
        return value
    if isinstance(value, bool):
        raise _not_a_number("true or false")
    if isinstance(value, bytes | bytearray | memoryview):
        raise _not_a_number("bytes")
    if isinstance(value, str):
        _plain_text_number(value)
    elif isinstance(value, Decimal) and not in_range(value):
        raise PydanticCustomError(
            "number_out_of_range",
            "Input should be a number of at most {max_digits} digits",
            {"max_digits": MAX_DIGITS},
        )
    return value


def _money(value: Any) -> Any:
    kind = type(value)
    if kind is Decimal:
        return value.copy_abs() if value.is_zero() and value.is_signed() else value
    if kind is str:
        _plain_text_number(value)
        if "-" in value:  # `-0.00` is 0.00: a negative zero never prints as "-0.00"
            try:
                number = Decimal(value)
            except ArithmeticError:
                return value  # pydantic says what is wrong with it
            if number.is_zero():
                return number.copy_abs()
        return value
    if kind is float and value == 0:
        return 0.0  # -0.0 too
    return value


def _attribute(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is bool or kind is int or value is None:
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        raise PydanticCustomError(
            "attribute_type", "Input should be text, a number, true/false or a date, not bytes"
        )
    if isinstance(value, Decimal):
        if not in_range(value):
            raise PydanticCustomError(
                "number_out_of_range",
                "Input should be a number of at most {max_digits} digits",
                {"max_digits": MAX_DIGITS},
            )
        return value.copy_abs() if value.is_zero() and value.is_signed() else value
    if kind is float and value == 0:
        return 0.0
    return value


class _Before:
    """`Annotated` marker: one plain function checks the value before pydantic reads it.

    The same check runs for Python objects and for JSON text (a JSON `true` is no
    more a tier than Python's `True`), so the two doors decide alike.  With
    `fast`, a plain `int` is taken by pydantic's strict integer check without
    calling Python (nearly every whole number); only the rest reaches the check.
    """

    __slots__ = ("_check", "_fast")

    def __init__(self, check: Any, *, fast: bool = False) -> None:
        self._check = check
        self._fast = fast

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        inner = handler(source)
        exact = core_schema.no_info_before_validator_function(self._check, inner)
        if not self._fast or inner["type"] != "int":
            return exact
        fast = core_schema.int_schema(
            strict=True,
            **{k: v for k, v in inner.items() if k in ("ge", "gt", "le", "lt", "multiple_of")},
        )
        return core_schema.union_schema(
            [(fast, FAST_BRANCH), (exact, EXACT_BRANCH)], mode="left_to_right"
        )


def WholeNumber() -> _Before:  # noqa: N802 - reads as the marker it makes
    """A whole number: an `int` (or an integral `Decimal`, float or digit text);
    never `True`/`False`, bytes, digits other than 0-9, or a `Decimal` that
    would expand past `MAX_DIGITS`."""
    return _Before(_whole_number, fast=True)


def PlainMoney() -> _Before:  # noqa: N802
    """Money: digits 0-9 only, and a negative zero is zero (`-0.00` is `0.00`)."""
    return _Before(_money)


def AttributeNumber() -> _Before:  # noqa: N802
    """A store attribute: bytes are refused (not read as text), numbers bounded,
    a negative zero is zero."""
    return _Before(_attribute)
