"""Store attributes read at their declared type (a policy's `attributes:` block).

Why a module of its own: a situation reaches a policy from YAML, from JSON text or
from Python objects, and the same fact arrives as a different kind from each door:
YAML reads `2024-03-05` as a date and `40.00` as a number, JSON as text when the
till quotes them.  Without a declaration the language compares only values of one
kind, so the same situation could be approved from YAML and denied from JSON,
silently.  A declared attribute is read at its type whatever the door, and a value
that cannot be read so is an `InputError` (`invalid-attribute`) naming the path.

The coercions, stated once here and in docs/policy-language.md:

- `bool`: only true and false (text `"true"`, `1` or `"yes"` is refused, as every
  true/false fact in the models is strict);
- `int`: a whole number, or text of one (`"3"`), or a decimal with no fraction (`3.0`);
- `decimal`: a number, or text of one (`"0.25"`);
- `money`: as `decimal`, at most 4 decimal places;
- `date`: a date, or ISO text `YYYY-MM-DD`;
- `text`: text only (a number is not text: `5` for a text attribute is refused);
- `list`: a list of text, read as a set of labels as `customer.flags` is (each
  member NFKC-normalised, trimmed and case-folded, so `["Gift ", "GIFT"]` is the
  one label `gift`); a lone text is not a one-element list, and a member that is
  not text, or is blank, is refused.  An empty list is a known, empty set.

A missing attribute (absent or null) stays missing: conditions on it are unknown.
Nothing here runs for a policy without declarations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from ..errors import InputError
from .consistency import find_item
from .labels import normalise_label
from .numbers import MAX_DIGITS, in_range

ATTRIBUTE_TYPES: tuple[str, ...] = ("bool", "int", "decimal", "money", "date", "text", "list")
# The records whose attributes a policy may declare, as a declaration names them.
ATTRIBUTE_RECORDS: tuple[str, ...] = ("customer", "request", "item", "transaction")

_WHOLE = re.compile(r"[+-]?[0-9]{1,28}")
_DECIMAL = re.compile(r"[+-]?[0-9]{1,28}(\.[0-9]{1,28})?")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MONEY_PLACES = 4
_LABEL_LENGTH = 200  # as `models.Label`: a list member is a label like a flag
_NO_VALUE = object()


def _number(value: Any) -> Decimal | int | object:
    if isinstance(value, bool):
        return _NO_VALUE
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _WHOLE.fullmatch(text):
            return int(text)
        if _DECIMAL.fullmatch(text):
            number = Decimal(text)
            return number if in_range(number) else _NO_VALUE
    return _NO_VALUE


def _as_int(value: Any) -> Any:
    number = _number(value)
    if isinstance(number, Decimal):
        if number != number.to_integral_value():
            return _NO_VALUE
        return int(number)
    return number


def _as_decimal(value: Any) -> Any:
    number = _number(value)
    if isinstance(number, int) and abs(number) >= 10**MAX_DIGITS:
        return _NO_VALUE
    return number


def _as_money(value: Any) -> Any:
    number = _number(value)
    if isinstance(number, int):
        return Decimal(number) if abs(number) < 10**MAX_DIGITS else _NO_VALUE
    if isinstance(number, Decimal):
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -_MONEY_PLACES:
            return _NO_VALUE
    return number


def _as_date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return _NO_VALUE
    return _NO_VALUE


def _as_list(value: Any) -> Any:
    """A list of text as a set of labels; a lone text is not a list (it would turn
    `"gift, final"` into one label nobody means)."""
    if not isinstance(value, tuple | list | frozenset | set):
        return _NO_VALUE
    labels: set[str] = set()
    for member in value:
        if type(member) is not str or len(member) > _LABEL_LENGTH:
            return _NO_VALUE
        label = normalise_label(member)
        if not label or len(label) > _LABEL_LENGTH:
            return _NO_VALUE
        labels.add(label)
    return frozenset(labels)


def _exactly(kind: type) -> Callable[[Any], Any]:
    def read(value: Any) -> Any:
        return value if type(value) is kind else _NO_VALUE

    return read


_READERS: dict[str, Callable[[Any], Any]] = {
    "bool": _exactly(bool),
    "int": _as_int,
    "decimal": _as_decimal,
    "money": _as_money,
    "date": _as_date,
    "text": _exactly(str),
    "list": _as_list,
}
_SHOWN: dict[str, str] = {
    "bool": "true or false",
    "int": "a whole number",
    "decimal": "a number",
    "money": "an amount (at most 4 decimal places)",
    "date": "a date (`YYYY-MM-DD`)",
    "text": "text",
    "list": "a list of text (each at most 200 characters, none blank)",
}


def coerce_attribute(value: Any, kind: str, path: str) -> Any:
    """`value` read as a `kind` attribute at `path` (`customer.attributes.cure_date`).

    None stays None (a missing fact).  The error names the path and the type, never
    the value: an attribute may hold a customer's personal data.
    """
    if value is None:
        return None
    read = _READERS[kind](value)
    if read is _NO_VALUE:
        raise InputError(
            f"`{path}` must be {_SHOWN[kind]}: this policy declares it `{kind}`",
            code="invalid-attribute",
            hint=f"send `{path}` as {_SHOWN[kind]}, or leave it out when it is not known",
            field=tuple(path.split(".")),
        )
    return read


def check_attributes(
    declared: Mapping[str, str], request: Any, customer: Any, transaction: Any
) -> None:
    """Raise `InputError` if a declared attribute present in the facts does not fit.

    Run before any rule, whichever engine decides, so that a bad value is refused
    whether or not the rules that read it are reached (a short-circuit must not
    decide whether a situation is valid).  `declared` maps `root.name` to its type.
    """
    records: dict[str, Any] = {
        "customer": customer,
        "request": request,
        "transaction": transaction,
        "item": find_item(request, transaction),
    }
    for key, kind in declared.items():
        root, _, name = key.partition(".")
        record = records[root]
        if record is None:
            continue
        value = record.__dict__["attributes"].get(name)
        if value is not None:
            coerce_attribute(value, kind, f"{root}.attributes.{name}")


def valid_types() -> str:
    """The declarable types, for messages: "`bool`, `int`, ... or `text`"."""
    shown = [f"`{k}`" for k in ATTRIBUTE_TYPES]
    return ", ".join(shown[:-1]) + " or " + shown[-1]


__all__ = [
    "ATTRIBUTE_RECORDS",
    "ATTRIBUTE_TYPES",
    "check_attributes",
    "coerce_attribute",
    "valid_types",
]
