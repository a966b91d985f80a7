"""How large a number in the facts may be, checked before anything expands it.

Why a module of its own: a number can hang or crash the reading of facts before
any rule runs, and it can arrive three ways - as a Python value in a mapping, as
JSON text, or as YAML text - so the bound is stated once and checked at each door.

- pydantic turns a `Decimal` into an `int` by expanding it: `Decimal("4e2205784847214335")`
  given for `customer.tier` (or `4e-2205784847214335`) never finishes.  A whole
  number field therefore refuses, in Python mode only, a `Decimal` whose exponent
  is out of range before pydantic converts it; JSON text cannot carry a `Decimal`
  to pydantic's own parser, so JSON validation pays nothing for the check.
- Python refuses to read an integer of more than 4,300 digits from text with a
  plain `ValueError`, and formatting one fails the same way, so JSON and YAML
  numbers are bounded when they are read (`exact_decimal`, `bounded_int`).

The bound, `MAX_DIGITS` (28, the precision of the decimal arithmetic rules use),
is far beyond any count or sum a till sees: money is checked more tightly by its
own type (18 digits, 4 places).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import PydanticCustomError, core_schema

from ._runtime import DECIMALS
from .errors import InputError

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


def _refuse_expanding_decimal(value: Any) -> Any:
    if type(value) is int:  # the common case, first
        return value
    if isinstance(value, Decimal) and not in_range(value):
        raise PydanticCustomError(
            "number_out_of_range",
            "Input should be a number of at most {max_digits} digits",
            {"max_digits": MAX_DIGITS},
        )
    return value


class RefuseExpandingDecimal:
    """`Annotated` marker: refuse an out-of-range `Decimal` before pydantic expands it.

    Only Python input is checked; JSON text reaches pydantic as JSON numbers, which
    it reads without expanding (its own parser), so the JSON path stays as fast.
    """

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        inner = handler(source)
        return core_schema.json_or_python_schema(
            json_schema=inner,
            python_schema=core_schema.no_info_before_validator_function(
                _refuse_expanding_decimal, inner
            ),
        )
