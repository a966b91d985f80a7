"""One situation from JSON Lines, and any parsed data as a checked `Situation`.

Situation files are data from outside, so problems are `InputError`s that name
the file and where in it: the line (and column) for YAML, for JSON Lines and for
JSON syntax.  Numbers with a decimal point are read as exact `Decimal`s, in YAML
(`yaml_text`) as in JSON (`json_text`).

Situations carry personal data (names, emails, notes), so an error never quotes
the text of a situation file: a syntax error gives the line and column, a bad
value the field's path.  A key written twice in one mapping is refused
(`duplicate-key`), as policy files refuse it: YAML and JSON would silently keep
the last one.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError

from ..errors import InputError
from ..models import Situation
from .json_text import load_json, parse_fast
from .where import at

__all__ = ["parse_fast", "parse_line", "validate"]


def parse_line(line: str, where: str) -> Situation:
    """One JSON Lines situation; numbers with a decimal point are read as exact decimals.

    Every `InputError` names `where` (`file:line`), whatever is wrong with the line.
    """
    try:
        found = parse_fast(line)
    except InputError as exc:
        raise at(where, exc) from None
    if found is not None:
        return found
    return validate(load_json(line, where, one_line=True), where)


def validate(
    data: object, where: str, locate: Callable[[tuple[int | str, ...]], str] | None = None
) -> Situation:
    """`data` as a situation; `locate` names the line of a bad field (YAML)."""
    try:
        return Situation.model_validate(data)
    except ValidationError as exc:
        raise InputError.from_validation(exc, where, model=Situation, locate=locate) from None
    except InputError as exc:
        raise at(where, exc) from None
