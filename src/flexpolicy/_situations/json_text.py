"""Situations from JSON text: numbers exact and bounded, a key written twice refused.

Two paths.  `parse_fast` hands the text to pydantic's JSON parser, which reads
and validates in one step, and declines (returns None) whenever that could be
wrong: a bare fractional number (pydantic would read a float), a key that may be
written twice (pydantic would keep the last), or text it rejects.  `load_json`
is the exact path, which says what is wrong in its own words.
"""

from __future__ import annotations

import json
import operator
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from .._facts.numbers import NumberOutOfRangeError, bounded_int, exact_decimal, out_of_range_error
from ..errors import InputError
from ..models import Situation
from .where import DUPLICATE_HINT, line_column, too_deep

__all__ = ["load_json", "parse_fast"]


# A bare JSON number with a fraction or exponent (`"amount": 12.5`): pydantic's JSON
# parser reads it as a float first, so a line with one takes the exact path.  Money
# written as text (`"amount": "12.50"`, as `model_dump_json` writes it) does not.
# Text in quotes may match too (`"note": "a,1.5"`); that only costs the slow path.
# (One regular expression over the line was measured cheaper than looking up the
# money keys and the store attributes one by one.)
_BARE_FRACTION = re.compile(r"[:,\[]\s*-?\d+[.eE]")
# The end of a JSON key: its closing quote, then the colon.  Each key of the text
# matches once; quotes and colons inside strings can only add matches.
_KEY_END = re.compile(r'"\s*:')


def parse_fast(text: str | bytes) -> Situation | None:
    """A situation from JSON text in one step, or None when the exact path must decide.

    Most lines carry money as strings (as `model_dump_json` writes it); those are
    parsed and validated at once by pydantic's JSON parser, several times faster
    than `json.loads` and then validating the objects.  None for text with a bare
    number in a money field (pydantic would read it as a float), for text that may
    hold a key twice (pydantic would keep the last) and for text pydantic rejects:
    the exact path then says what is wrong, in its own words.  Facts that
    contradict each other raise `InputError` here as anywhere.
    """
    line = text if isinstance(text, str) else text.decode("utf-8", "replace")
    if _BARE_FRACTION.search(line):
        return None
    try:
        situation = Situation.model_validate_json(text)
    except ValidationError:
        return None
    # Every key of the text is a field or a store attribute of the situation, so
    # the text holds a key twice exactly when it has more keys than the situation
    # took.  Each key has one colon after it: when the colons are no more than the
    # keys taken, no key was repeated (the common case, at the cost of a count).
    given = _keys_taken(situation)
    if line.count(":") == given or len(_KEY_END.findall(line)) == given:
        return situation
    return None


def _keys_taken(situation: Situation) -> int:
    """How many keys the text of `situation` had: the fields it set, and attributes.

    (One loop without calls: this runs for every line the fast path reads.)
    """
    taken = len(situation.__pydantic_fields_set__)
    records = situation.__dict__
    transaction = records["transaction"]
    items: tuple[BaseModel, ...] = () if transaction is None else transaction.__dict__["items"]
    for record in (*_records(records), *items):
        if record is None:
            continue
        taken += len(record.__pydantic_fields_set__)
        attributes = record.__dict__.get("attributes")
        if attributes:
            taken += len(attributes)
    return taken


_records = operator.itemgetter("request", "customer", "transaction", "actor", "case")


class _DuplicateKeyError(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKeyError(key)
            seen.add(key)
    return result


def load_json(text: str, where: str, *, one_line: bool = False) -> object:
    """JSON text with exact, bounded numbers; every failure an `InputError` naming `where`
    and, when it is known, the line (unless `one_line`: `where` names it) and column."""
    try:
        return json.loads(
            text, parse_float=exact_decimal, parse_int=bounded_int, object_pairs_hook=_unique_keys
        )
    except json.JSONDecodeError as exc:
        # One line: the column, however far the parser read (the line's own newline).
        at = (
            f"column {min(exc.pos, len(text.rstrip())) + 1}"
            if one_line
            else f"line {exc.lineno}, column {exc.colno}"
        )
        raise InputError(f"{where}: not JSON ({exc.msg}, {at})", code="bad-file") from None
    except _DuplicateKeyError as exc:
        line, column = _duplicate_key_at(text)
        at = f"{column}" if one_line else f"{line}:{column}"
        raise InputError(
            f"{where}:{at}: key `{exc.key}` appears twice in one object",
            code="duplicate-key",
            hint=DUPLICATE_HINT,
        ) from None
    except NumberOutOfRangeError as exc:
        raise out_of_range_error(where, exc) from None
    except RecursionError:
        raise too_deep(where) from None


def _duplicate_key_at(text: str) -> tuple[int, int]:
    """Line and column of the first key repeated in its object, in JSON text that
    `json` read up to that key (so its strings and brackets are well formed)."""
    scan = json.decoder.scanstring  # type: ignore[attr-defined]  # C speed-up, documented
    keys: list[set[str] | None] = []  # per open bracket: the object's keys, or None
    expect_key = False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            value, end = scan(text, i + 1)
            current = keys[-1] if keys else None
            if expect_key and current is not None:
                if value in current:
                    return line_column(text, i)
                current.add(value)
                expect_key = False
            i = end
            continue
        if ch == "{":
            keys.append(set())
            expect_key = True
        elif ch == "[":
            keys.append(None)
        elif ch in "}]":
            if keys:
                keys.pop()
        elif ch == ",":
            expect_key = bool(keys) and keys[-1] is not None
        i += 1
    return 1, 1
