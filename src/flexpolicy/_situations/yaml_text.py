"""Situations from YAML text: exact decimals, real dates, a key written twice refused.

PyYAML's safe loader, with three constructors changed: a number with a decimal
point is an exact `Decimal` (`129.00` is 129.00, never the float 129.0), an
integer is bounded before it is built, and a date that does not exist
(`2026-02-30`) is refused with its line.  The node tree is kept, so that a bad
field is reported at the line of its key.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from .._facts.numbers import MAX_DIGITS, NumberOutOfRangeError, exact_decimal, out_of_range_error
from ..errors import InputError
from .where import DUPLICATE_HINT, line_column, too_deep

__all__ = ["line_of", "load_yaml", "locator"]

# Generous for the longer YAML spellings of an int (binary, hex, sexagesimal); the
# value is bounded again by the field it goes to.
MAX_INT_TEXT = 4 * MAX_DIGITS


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


def load_yaml(text: str, file: Path) -> tuple[object, yaml.Node | None]:
    """The data of a YAML situation file and its node tree (to locate bad fields)."""
    loader = _ExactLoader(text)
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    except _YamlValueError as exc:
        raise InputError(
            f"{file}:{exc.line}:{exc.column}: {exc.message}",
            code=exc.code,
            hint=DUPLICATE_HINT if exc.code == "duplicate-key" else None,
        ) from None
    except _YamlNumberOutOfRangeError as exc:
        raise out_of_range_error(f"{file}:{exc.line}", exc) from None
    except yaml.MarkedYAMLError as exc:
        raise _yaml_syntax(file, exc) from None
    except yaml.reader.ReaderError as exc:
        line, column = line_column(text, exc.position)
        raise InputError(
            f"{file}:{line}:{column}: not YAML (a control character)",
            code="bad-file",
            hint="remove it, or write it as an escape inside double quotes",
        ) from None
    except yaml.YAMLError:
        raise InputError(f"{file}: not YAML", code="bad-file") from None
    except RecursionError:
        raise too_deep(str(file)) from None
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


def locator(file: Path, node: yaml.Node) -> Callable[[tuple[int | str, ...]], str]:
    return lambda loc: f"{file}:{line_of(node, loc)}"


def line_of(node: yaml.Node, loc: tuple[int | str, ...]) -> int:
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
