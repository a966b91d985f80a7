"""Reading situation files: one situation (YAML or JSON) or many (JSON Lines).

Situation files are data from outside, so problems are `InputError`s that name
the file and where in it: the line (and column) for YAML, for JSON Lines and for
JSON syntax.  YAML numbers with a decimal point are read as exact `Decimal`s
(`129.00` is 129.00, never the float 129.0), and JSON numbers likewise.

Situations carry personal data (names, emails, notes), so an error never quotes
the text of a situation file: a syntax error gives the line and column, a bad
value the field's path.  A key written twice in one mapping is refused
(`duplicate-key`), as policy files refuse it: YAML and JSON would silently keep
the last one.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ._facts.numbers import (
    MAX_DIGITS,
    NumberOutOfRangeError,
    bounded_int,
    exact_decimal,
    out_of_range_error,
)
from .errors import InputError
from .models import Situation

__all__ = ["read_situations"]

MAX_SITUATION_BYTES = 5_000_000  # a file of one or more situations, or one JSON line
# Generous for the longer YAML spellings of an int (binary, hex, sexagesimal); the
# value is bounded again by the field it goes to.
MAX_INT_TEXT = 4 * MAX_DIGITS

_DUPLICATE_HINT = "only the last would be kept; remove or rename one of them"


class _YamlValueError(Exception):
    """A YAML scalar or mapping that cannot be a fact, with where it is."""

    def __init__(self, message: str, node: yaml.Node, code: str = "invalid-facts") -> None:
        super().__init__(message)
        self.message = message
        self.line = node.start_mark.line + 1
        self.column = node.start_mark.column + 1
        self.code = code


class _YamlNumberOutOfRangeError(NumberOutOfRangeError):
    """A YAML number no fact can hold, with the line it is on."""

    def __init__(self, text: str, line: int) -> None:
        super().__init__(text)
        self.line = line


class _ExactLoader(yaml.SafeLoader):
    """A safe loader whose floats are exact decimals, and which refuses a key
    written twice in one mapping and a date that does not exist."""

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue  # `<<` merges: the keys written out may override them
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:
                    continue  # an unhashable key: PyYAML refuses it in its own words
                if first is not None:
                    raise _YamlValueError(
                        f"key `{key}` appears twice in one mapping (first at line {first})",
                        key_node,
                        code="duplicate-key",
                    )
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)  # type: ignore[arg-type]


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


def _real_timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> date:
    """A YAML date (or date and time) that exists: `2026-02-30` is refused, located."""
    try:
        value: date = loader.construct_yaml_timestamp(node)  # type: ignore[arg-type]  # scalar node
    except (ValueError, OverflowError):
        raise _YamlValueError(
            f"`{node.value}` is not a date that exists", node, code="invalid-facts"
        ) from None
    return value


_ExactLoader.add_constructor("tag:yaml.org,2002:float", _exact_float)
_ExactLoader.add_constructor("tag:yaml.org,2002:int", _bounded_yaml_int)
_ExactLoader.add_constructor("tag:yaml.org,2002:timestamp", _real_timestamp)


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


def parse_line(line: str, where: str) -> Situation:
    """One JSON Lines situation; numbers with a decimal point are read as exact decimals.

    Every `InputError` names `where` (`file:line`), whatever is wrong with the line.
    """
    try:
        found = parse_fast(line)
    except InputError as exc:
        raise _at(where, exc) from None
    if found is not None:
        return found
    return _validate(_load_json(line, where, one_line=True), where)


def _at(where: str, exc: InputError) -> InputError:
    """`exc` prefixed with where it was read (facts that contradict each other)."""
    return exc.prefixed(f"{where}: ")


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


def _load_json(text: str, where: str, *, one_line: bool = False) -> object:
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
            hint=_DUPLICATE_HINT,
        ) from None
    except NumberOutOfRangeError as exc:
        raise out_of_range_error(where, exc) from None
    except RecursionError:
        raise _too_deep(where) from None


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
                    return _line_column(text, i)
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


def _line_column(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _too_deep(where: str) -> InputError:
    return InputError(
        f"{where}: nested too deeply to be a situation",
        code="bad-file",
        hint="a situation is a few levels deep: request, customer, transaction and its items",
    )


def _validate(
    data: object, where: str, locate: Callable[[tuple[int | str, ...]], str] | None = None
) -> Situation:
    """`data` as a situation; `locate` names the line of a bad field (YAML)."""
    try:
        return Situation.model_validate(data)
    except ValidationError as exc:
        raise InputError.from_validation(exc, where, model=Situation, locate=locate) from None
    except InputError as exc:
        raise _at(where, exc) from None


def read_situations(path: str | Path) -> Iterator[Situation]:
    """Yield the situations in a `.yaml`/`.yml`/`.json` or `.jsonl` file.

    Raises `InputError`: `bad-file` (unreadable, too large, not UTF-8, not YAML or
    JSON, nested too deeply), `duplicate-key`, and the codes of the facts
    (`invalid-facts`, `contradictory-facts`, `ambiguous-item`), each message
    starting with where: `file:line:column`, `file:line` or `file[i]`.
    """
    file = Path(path)
    if file.suffix == ".jsonl":
        yield from _read_lines(file)
        return
    try:
        if file.stat().st_size > MAX_SITUATION_BYTES:
            raise InputError(f"{file}: larger than {MAX_SITUATION_BYTES:,} bytes", code="bad-file")
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise _unreadable(file, exc) from None
    except UnicodeDecodeError:
        raise InputError(f"{file}: not UTF-8 text", code="bad-file") from None
    if file.suffix == ".json":
        data = _load_json(text, str(file))
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield _validate(item, f"{file}[{i}]")
        else:
            yield _validate(data, str(file))
        return
    data, node = _load_yaml(text, file)
    if isinstance(data, list) and isinstance(node, yaml.SequenceNode):
        for item, item_node in zip(data, node.value, strict=True):
            yield _validate(item, f"{file}:{_line_of(item_node, ())}", _locator(file, item_node))
    else:
        yield _validate(data, str(file), None if node is None else _locator(file, node))


def _unreadable(file: Path, exc: OSError) -> InputError:
    return InputError(f"cannot read `{file}`: {exc.strerror or exc}", code="bad-file")


def _read_lines(file: Path) -> Iterator[Situation]:
    """The situations of a JSON Lines file, each error naming its line."""
    try:
        handle = file.open("rb")
    except OSError as exc:
        raise _unreadable(file, exc) from None
    with handle:
        number = 0
        while True:
            try:
                raw = handle.readline(MAX_SITUATION_BYTES + 1)
            except OSError as exc:
                raise _unreadable(file, exc) from None
            if not raw:
                return
            number += 1
            if len(raw) > MAX_SITUATION_BYTES:
                raise InputError(
                    f"{file}:{number}: a line longer than {MAX_SITUATION_BYTES:,} bytes",
                    code="bad-file",
                    hint="a JSON Lines file holds one situation per line",
                )
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise InputError(f"{file}:{number}: not UTF-8 text", code="bad-file") from None
            yield parse_line(line, f"{file}:{number}")


def _load_yaml(text: str, file: Path) -> tuple[object, yaml.Node | None]:
    """The data of a YAML situation file and its node tree (to locate bad fields)."""
    loader = _ExactLoader(text)
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    except _YamlValueError as exc:
        raise InputError(
            f"{file}:{exc.line}:{exc.column}: {exc.message}",
            code=exc.code,
            hint=_DUPLICATE_HINT if exc.code == "duplicate-key" else None,
        ) from None
    except _YamlNumberOutOfRangeError as exc:
        raise out_of_range_error(f"{file}:{exc.line}", exc) from None
    except yaml.MarkedYAMLError as exc:
        raise _yaml_syntax(file, exc) from None
    except yaml.reader.ReaderError as exc:
        line, column = _line_column(text, exc.position)
        raise InputError(
            f"{file}:{line}:{column}: not YAML (a control character)",
            code="bad-file",
            hint="remove it, or write it as an escape inside double quotes",
        ) from None
    except yaml.YAMLError:
        raise InputError(f"{file}: not YAML", code="bad-file") from None
    except RecursionError:
        raise _too_deep(str(file)) from None
    finally:
        loader.dispose()
    return data, node


# A quoted piece of a PyYAML complaint that may come from the file (an alias or a
# tag name): never shown.  Token names such as '<block end>' and one character are.
_QUOTED_INPUT = re.compile(r"'(?!<)[^']{3,}'|\"[^\"]{3,}\"")


def _yaml_syntax(file: Path, exc: yaml.MarkedYAMLError) -> InputError:
    """A YAML syntax error as line, column and PyYAML's complaint, never the text."""
    mark = exc.problem_mark or exc.context_mark
    where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(file)
    problem = _QUOTED_INPUT.sub("'…'", exc.problem or exc.context or "invalid YAML")
    return InputError(
        f"{where}: not YAML ({problem[:80]})",
        code="bad-file",
        hint="situation text is not shown in errors (it may hold personal data): "
        "look at that line and column",
    )


def _locator(file: Path, node: yaml.Node) -> Callable[[tuple[int | str, ...]], str]:
    return lambda loc: f"{file}:{_line_of(node, loc)}"


def _line_of(node: yaml.Node, loc: tuple[int | str, ...]) -> int:
    """The line of the field at `loc` under `node` (its key's line), or of the
    nearest part of the path that exists (the record missing a field)."""
    line = int(node.start_mark.line) + 1
    for part in loc:
        key: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            key, child = next(
                (
                    (k, v)
                    for k, v in node.value
                    if isinstance(k, yaml.ScalarNode) and k.value == part
                ),
                (None, node),
            )
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            key = child = node.value[part]
        if key is None:
            break
        line, node = int(key.start_mark.line) + 1, child
    return line
