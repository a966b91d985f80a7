"""Safe YAML loading that remembers where every value came from.

PyYAML's `safe_load` forgets locations and silently keeps the last of two
duplicate keys; both are unacceptable for error messages that must point at
file:line:column.  We compose the node graph with `SafeLoader` (no Python tags,
no arbitrary objects), then build plain Python data ourselves, recording the
span of every value and key by its path (`("rules", 2, "when")`).

Hostile input is refused before it costs much: a size cap on the text, a depth
cap checked on the event stream (so the recursive composer never sees deep
nesting) and again while building (aliases can nest, or contain themselves),
and a budget on nodes built (so an alias "billion laughs" stops after a bounded
amount of work).  Floats become `Decimal` from their source text, so
`0.1` means exactly one tenth.

Numbers are bounded as they are read, as the facts' are (`_facts.numbers`): no more
than `MAX_DIGITS` (28) digits before the point or after it.  Past that a number is
`bad-number` before anything expands it - pydantic turns `1.0e+999999999` into an
int digit by digit for an `int | Decimal` union, and Python will not print (so
`digest_of` cannot hash) an int of more than 4,300 digits, as a 5,000-digit `0xfff...`
is.  Messages echo at most `_diagnostics.quote.MAX_QUOTED` characters of the input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from .._diagnostics.quote import quoted
from .._facts.numbers import MAX_DIGITS, MAX_WHOLE, in_range
from ..errors import PolicyError, Problem

MAX_BYTES = 1_000_000
MAX_DEPTH = 64
MAX_NODES = 200_000
# How many digits (leading zeros aside) an int may be written with before it is
# refused unread: 10**28 takes 94 binary digits.
_MAX_INT_DIGITS = 4 * MAX_DIGITS
NUMBER_HINT = (
    f"numbers in a policy have at most {MAX_DIGITS} digits before the point "
    f"and {MAX_DIGITS} after it"
)
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"

Path = tuple[str | int, ...]

_STANDARD_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
}


@dataclass(frozen=True, slots=True)
class Span:
    """A 1-based position in the source, with the raw slice of a scalar."""

    line: int
    column: int
    start: int = 0
    end: int = 0
    style: str | None = None


@dataclass(slots=True)
class LoadedYaml:
    """Plain data plus the location of every value and mapping key in it."""

    data: Any
    file: str
    source: str
    spans: dict[Path, Span] = field(default_factory=dict)
    key_spans: dict[Path, Span] = field(default_factory=dict)

    def span(self, path: Path, *, key: bool = False) -> Span:
        """The span at `path`, or of its nearest recorded ancestor."""
        table = self.key_spans if key else self.spans
        probe = path
        while True:
            found = table.get(probe) or self.spans.get(probe)
            if found is not None:
                return found
            if not probe:
                return Span(1, 1)
            probe = probe[:-1]

    def position(self, path: Path, offset: int) -> tuple[int, int]:
        """Line and column of character `offset` inside the string value at `path`.

        Exact for plain and quoted single- or multi-line scalars whose source text
        equals their value (no escapes, no folding); otherwise the scalar's start.
        """
        span = self.span(path)
        value = _get(self.data, path)
        if not isinstance(value, str) or span.end <= span.start:
            return span.line, span.column
        raw = self.source[span.start : span.end]
        quote = 1 if span.style in ("'", '"') else 0
        body = raw[quote : len(raw) - quote] if quote else raw
        if span.style in (None, "'", '"') and body == value:
            return _advance(self.source, span.start + quote, offset, span.line, span.column + quote)
        if span.style == "|":
            return _literal_block_position(self.source, span, value, offset)
        return span.line, span.column


def _advance(source: str, start: int, offset: int, line: int, column: int) -> tuple[int, int]:
    chunk = source[start : start + offset]
    newlines = chunk.count("\n")
    if newlines == 0:
        return line, column + offset
    return line + newlines, len(chunk) - chunk.rfind("\n")


def _literal_block_position(source: str, span: Span, value: str, offset: int) -> tuple[int, int]:
    before = value[:offset]
    row = before.count("\n")
    col_in_line = len(before) - (before.rfind("\n") + 1)
    raw_lines = source[span.start : span.end].split("\n")
    content_lines = raw_lines[1:]  # the first raw line holds the `|` indicator
    if row >= len(content_lines):
        return span.line, span.column
    text = content_lines[row]
    indent = len(text) - len(text.lstrip(" "))
    return span.line + 1 + row, indent + col_in_line + 1


def _get(data: Any, path: Path) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


class _Builder:
    """Turns a composed node graph into plain data, recording spans and problems."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.spans: dict[Path, Span] = {}
        self.key_spans: dict[Path, Span] = {}
        self.problems: list[Problem] = []
        self.budget = MAX_NODES
        self._constructor = yaml.constructor.SafeConstructor()

    def problem(self, node: yaml.Node, code: str, message: str, hint: str | None = None) -> None:
        mark = node.start_mark
        self.problems.append(
            Problem(code, message, self.file, mark.line + 1, mark.column + 1, hint)
        )

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _TooLargeError(node)
        self.spans[path] = _span_of(node)
        if not self._tag_ok(node):
            return None
        if len(path) >= MAX_DEPTH and isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            # Only aliases get here (the event stream was checked): a chain of them
            # nesting deeper and deeper, or one that contains itself (`a: &a [*a]`).
            raise _TooDeepError(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        return self._scalar(node)

    def _tag_ok(self, node: yaml.Node) -> bool:
        tag = node.tag or ""
        if tag in _STANDARD_TAGS:
            return True
        if "python/" in tag:
            self.problem(
                node,
                "python-tag",
                f"python-specific tag `{shown(tag.rsplit(':', 1)[-1])}` is not allowed",
                "policy files are plain data; remove the `!!python/...` tag",
            )
        else:
            self.problem(
                node,
                "unsupported-tag",
                f"unsupported YAML tag `{shown(tag)}`",
                "use plain strings, numbers, lists and mappings",
            )
        return False

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problem(
                    key_node,
                    "merge-key",
                    "YAML merge keys (`<<`) are not supported",
                    "write the keys out; policies should read top to bottom",
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, "bad-key", "a mapping key must be a plain name")
                continue
            numeric = key_node.tag in (_INT_TAG, _FLOAT_TAG)
            key = 0 if numeric else self._scalar(key_node)
            if not isinstance(key, str):
                text = shown(key_node.value or "null")
                self.problem(
                    key_node,
                    "bad-key",
                    f"a key must be a name, not `{text}` (YAML reads it as {_kind_name(key)})",
                    f'quote it if you mean the text: `"{text}":`',
                )
                continue
            if key in result:
                first = self.key_spans.get((*path, key))
                where = f" (first at line {first.line})" if first else ""
                self.problem(
                    key_node,
                    "duplicate-key",
                    f"key `{key}` appears twice in one mapping{where}",
                    "YAML keeps only the last; remove or rename one of them",
                )
                continue
            self.key_spans[(*path, key)] = _span_of(key_node)
            result[key] = self.build(value_node, (*path, key))
        return result

    def _scalar(self, node: yaml.Node) -> Any:
        assert isinstance(node, yaml.ScalarNode)
        tag = node.tag
        if tag == _FLOAT_TAG:
            return self._float(node)
        if tag == _INT_TAG:
            return self._int(node)
        try:
            return self._constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError, AttributeError, KeyError, TypeError):
            self._bad_scalar(node)
            return None

    def _bad_scalar(self, node: yaml.ScalarNode) -> None:
        self.problem(
            node,
            "bad-scalar",
            f"`{shown(node.value)}` is not a valid {node.tag.rsplit(':', 1)[-1]}",
            "remove the explicit `!!` tag, or write a valid value",
        )

    def _out_of_range(self, node: yaml.ScalarNode) -> None:
        self.problem(node, "bad-number", f"`{shown(node.value)}` is out of range", NUMBER_HINT)

    def _float(self, node: yaml.ScalarNode) -> Decimal | None:
        text = node.value.replace("_", "")
        try:
            number = Decimal(text) if text.isascii() else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.problem(node, "bad-number", f"`{shown(node.value)}` is not a finite number")
            return None
        if not in_range(number):
            self._out_of_range(node)
            return None
        return number

    def _int(self, node: yaml.ScalarNode) -> int | None:
        """YAML 1.1's ints, as PyYAML reads them, but bounded before they are converted."""
        text = node.value.replace("_", "")
        sign = -1 if text[:1] == "-" else 1
        text = text[1:] if text[:1] in ("-", "+") else text
        base, digits = 10, text
        if text[:2] in ("0b", "0x"):
            base, digits = (2 if text[1] == "b" else 16), text[2:]
        elif text[:1] == "0" and len(text) > 1:
            base = 8
        if len(digits.lstrip("0")) > _MAX_INT_DIGITS:
            self._out_of_range(node)
            return None
        try:
            if not digits.isascii():  # Python's int() also reads `١٢`; YAML does not
                raise ValueError(digits)
            if ":" in digits and base == 10:  # sexagesimal: 1:30 is 90
                value = 0
                for part in digits.split(":"):
                    value = value * 60 + int(part)
            else:
                value = int(digits.lstrip("0") or ("0" if digits else ""), base)
        except ValueError:
            self._bad_scalar(node)
            return None
        if abs(value) > MAX_WHOLE:  # abs: `!!int "+-9..."` reads as negative
            self._out_of_range(node)
            return None
        return sign * value


class _ExpansionLimitError(Exception):
    """Expanding aliases hit a limit at `node`; says which, as a policy problem would."""

    code = ""
    hint = ""

    def __init__(self, node: yaml.Node) -> None:
        self.node = node

    def message(self) -> str:
        raise NotImplementedError


class _TooLargeError(_ExpansionLimitError):
    code = "too-many-nodes"
    hint = "YAML aliases (`*name`) are expanded in full; a policy never needs this many"

    def message(self) -> str:
        return f"the document expands to more than {MAX_NODES:,} values"


class _TooDeepError(_ExpansionLimitError):
    code = "too-deep"
    hint = "an alias (`*name`) may not contain itself; write the values out"

    def message(self) -> str:
        return f"nesting deeper than {MAX_DEPTH} levels once aliases are expanded"


def shown(text: str) -> str:
    """Input as a message may quote it (`quoted`), its control characters escaped."""
    cut = quoted(text)
    if cut.isprintable():
        return cut
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in cut)


def _kind_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | Decimal):
        return "a number"
    return f"a {type(value).__name__}"


def _span_of(node: yaml.Node) -> Span:
    mark, end = node.start_mark, node.end_mark
    style = node.style if isinstance(node, yaml.ScalarNode) else None
    return Span(mark.line + 1, mark.column + 1, mark.index, end.index, style)


def _check_depth(text: str, file: str) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                raise PolicyError.single(
                    "too-deep",
                    f"nesting deeper than {MAX_DEPTH} levels",
                    file=file,
                    line=mark.line + 1 if mark else 0,
                    column=mark.column + 1 if mark else 0,
                    hint="a policy never needs this much nesting; flatten the structure",
                )
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1


def _line_column(text: str, index: int) -> tuple[int, int]:
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def _syntax_hint(text: str, line: int) -> str:
    lines = text.splitlines()
    if 0 < line <= len(lines):
        content = lines[line - 1].strip()
        _, _, after = content.partition(": ")
        candidate = after or content.lstrip("- ")
        if candidate[:1] in ("'", '"'):
            return (
                "a value that starts with a quote but goes on after it must be quoted as a "
                "whole, e.g. `'\"abusive\" in customer.flags'`"
            )
    return "check the indentation and quoting around this line"


def load_yaml(data: bytes | str, file: str) -> LoadedYaml:
    """Parse one YAML document safely; raise `PolicyError` listing every problem."""
    size = len(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    if size > MAX_BYTES:
        raise PolicyError.single(
            "too-large",
            f"policy file is {size:,} bytes, over the limit of {MAX_BYTES:,}",
            file=file,
            line=1,
            column=1,
            hint="split the policy into several files, one per request kind",
        )
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            before = data[: exc.start]
            line = before.count(b"\n") + 1
            column = exc.start - (before.rfind(b"\n") + 1) + 1
            raise PolicyError.single(
                "encoding",
                f"file is not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be read",
                file=file,
                line=line,
                column=column,
                hint="save the file as UTF-8",
            ) from None
    else:
        text = data
        bad = next((i for i, ch in enumerate(text) if 0xD800 <= ord(ch) <= 0xDFFF), None)
        if bad is not None:
            line, column = _line_column(text, bad)
            raise PolicyError.single(
                "encoding",
                "text holds a lone surrogate, which is not valid Unicode",
                file=file,
                line=line,
                column=column,
                hint="save the file as UTF-8",
            )
    try:
        _check_depth(text, file)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.reader.ReaderError as exc:
        line, column = _line_column(text, exc.position)
        raise PolicyError.single(
            "yaml-syntax",
            f"YAML cannot contain the control character U+{exc.character:04X}"
            if isinstance(exc.character, int)
            else "YAML cannot contain this character",
            file=file,
            line=line,
            column=column,
            hint="remove it, or write it as an escape inside double quotes",
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and (mark is None or mark.index >= len(text)):
            mark = exc.context_mark  # "found end of stream": the opening is more useful
        line = mark.line + 1 if mark else 0
        column = mark.column + 1 if mark else 0
        what = exc.problem or exc.context or "invalid YAML"
        raise PolicyError.single(
            "yaml-syntax",
            f"YAML syntax error: {what}",
            file=file,
            line=line,
            column=column,
            hint=_syntax_hint(text, line),
        ) from None
    except yaml.YAMLError as exc:
        raise PolicyError.single("yaml-syntax", f"YAML error: {exc}", file=file) from None
    loaded = LoadedYaml(None, file, text)
    if node is None:
        return loaded
    builder = _Builder(file)
    try:
        loaded.data = builder.build(node, ())
    except _ExpansionLimitError as exc:
        mark = exc.node.start_mark
        raise PolicyError.single(
            exc.code,
            exc.message(),
            file=file,
            line=mark.line + 1,
            column=mark.column + 1,
            hint=exc.hint,
        ) from None
    if builder.problems:
        raise PolicyError(builder.problems)
    loaded.spans = builder.spans
    loaded.key_spans = builder.key_spans
    return loaded
