"""Reading situation files: one situation (YAML or JSON) or many (JSON Lines).

Situation files are data from outside, so problems are `InputError`s that name
the file and, for JSON Lines, the line.  YAML numbers with a decimal point are
read as exact `Decimal`s (`129.00` is 129.00, never the float 129.0), and JSON
numbers likewise.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import yaml
from pydantic import ValidationError

from ._fact_numbers import (
    MAX_DIGITS,
    NumberOutOfRangeError,
    bounded_int,
    exact_decimal,
    out_of_range_error,
)
from .errors import InputError
from .models import Situation

__all__ = ["read_situations"]

MAX_SITUATION_BYTES = 5_000_000
# Generous for the longer YAML spellings of an int (binary, hex, sexagesimal); the
# value is bounded again by the field it goes to.
MAX_INT_TEXT = 4 * MAX_DIGITS


class _ExactLoader(yaml.SafeLoader):
    """A safe loader whose floats are exact decimals."""


class _YamlNumberOutOfRangeError(NumberOutOfRangeError):
    """A YAML number no fact can hold, with the line it is on."""

    def __init__(self, text: str, line: int) -> None:
        super().__init__(text)
        self.line = line


def _exact_float(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")  # type: ignore[arg-type]  # scalar node
    try:
        return exact_decimal(text)
    except NumberOutOfRangeError:
        raise _YamlNumberOutOfRangeError(text, node.start_mark.line + 1) from None


def _bounded_yaml_int(loader: yaml.SafeLoader, node: yaml.Node) -> int:
    text = str(loader.construct_scalar(node)).replace("_", "")  # type: ignore[arg-type]  # scalar node
    if len(text.lstrip("+-")) > MAX_INT_TEXT:  # `0b`, `0x` and `1:30` forms are longer
        raise _YamlNumberOutOfRangeError(text, node.start_mark.line + 1)
    return loader.construct_yaml_int(node)  # type: ignore[arg-type]  # scalar node


_ExactLoader.add_constructor("tag:yaml.org,2002:float", _exact_float)
_ExactLoader.add_constructor("tag:yaml.org,2002:int", _bounded_yaml_int)


# A bare JSON number with a fraction or exponent (`"amount": 12.5`): pydantic's JSON
# parser reads it as a float first, so a line with one takes the exact path.  Money
# written as text (`"amount": "12.50"`, as `model_dump_json` writes it) does not.
# Text in quotes may match too (`"note": "a,1.5"`); that only costs the slow path.
# (One regular expression over the line was measured cheaper than looking up the
# money keys and the store attributes one by one.)
_BARE_FRACTION = re.compile(r"[:,\[]\s*-?\d+[.eE]")


def parse_fast(text: str | bytes) -> Situation | None:
    """A situation from JSON text in one step, or None when the exact path must decide.

    Most lines carry money as strings (as `model_dump_json` writes it); those are
    parsed and validated at once by pydantic's JSON parser, several times faster
    than `json.loads` and then validating the objects.  None for text with a bare
    number in a money field (pydantic would read it as a float) and for text pydantic
    rejects: the exact path then says what is wrong, in its own words.  Facts
    that contradict each other raise `InputError` here as anywhere.
    """
    if _BARE_FRACTION.search(text if isinstance(text, str) else text.decode("utf-8", "replace")):
        return None
    try:
        return Situation.model_validate_json(text)
    except ValidationError:
        return None


def parse_line(line: str, where: str) -> Situation:
    """One JSON Lines situation; numbers with a decimal point are read as exact decimals."""
    found = parse_fast(line)
    if found is not None:
        return found
    return _validate(_load_json(line, where), where)


def _load_json(text: str, where: str) -> object:
    """JSON text with exact, bounded numbers; every failure an `InputError` naming `where`."""
    try:
        return json.loads(text, parse_float=exact_decimal, parse_int=bounded_int)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: not JSON ({exc.msg})", code="bad-file") from None
    except NumberOutOfRangeError as exc:
        raise out_of_range_error(where, exc) from None
    except RecursionError:
        raise _too_deep(where) from None


def _too_deep(where: str) -> InputError:
    return InputError(
        f"{where}: nested too deeply to be a situation",
        code="bad-file",
        hint="a situation is a few levels deep: request, customer, transaction and its items",
    )


def _validate(data: object, where: str) -> Situation:
    try:
        return Situation.model_validate(data)
    except ValidationError as exc:
        raise InputError.from_validation(exc, where) from None


def read_situations(path: str | Path) -> Iterator[Situation]:
    """Yield the situations in a `.yaml`/`.yml`/`.json` or `.jsonl` file."""
    file = Path(path)
    try:
        if file.suffix == ".jsonl":
            with file.open("r", encoding="utf-8") as handle:
                for number, line in enumerate(handle, start=1):
                    if not line.strip():
                        continue
                    yield parse_line(line, f"{file}:{number}")
            return
        if file.stat().st_size > MAX_SITUATION_BYTES:
            raise InputError(f"{file}: larger than {MAX_SITUATION_BYTES:,} bytes", code="bad-file")
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read `{file}`: {exc.strerror or exc}", code="bad-file") from None
    except UnicodeDecodeError:
        raise InputError(f"{file}: not UTF-8 text", code="bad-file") from None
    data = _load_json(text, str(file)) if file.suffix == ".json" else _load_yaml(text, file)
    if isinstance(data, list):
        for i, item in enumerate(data):
            yield _validate(item, f"{file}[{i}]")
    else:
        yield _validate(data, str(file))


def _load_yaml(text: str, file: Path) -> object:
    try:
        return yaml.load(text, Loader=_ExactLoader)
    except yaml.YAMLError as exc:
        raise InputError(f"{file}: cannot parse: {exc}", code="bad-file") from None
    except _YamlNumberOutOfRangeError as exc:
        raise out_of_range_error(f"{file}:{exc.line}", exc) from None
    except RecursionError:
        raise _too_deep(str(file)) from None
