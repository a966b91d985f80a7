"""Turn pydantic's validation errors on a policy file into located `Problem`s.

pydantic says `('rules', 2, 'outcme'): Extra inputs are not permitted`; an
author needs `returns.yaml:41:5: unknown key `outcme` ... did you mean
`outcome`?`.  This module does that translation and nothing else.

A value of a union type (a param: true/false, a number, a date, text or a list)
that fits no branch gets an error from every branch; only the branch meant for the
value's own type is reported (`params.x: 1,001 entries, over the limit of 1,000`,
not "input should be a valid boolean").
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ValidationError

from .. import schema
from .._diagnostics.suggest import did_you_mean
from ..errors import Problem
from .located import NUMBER_HINT, LoadedYaml, Path, shown


def _model_at(loc: Path, root: type[BaseModel] = schema.PolicySpec) -> type[BaseModel] | None:
    """Which spec model describes the mapping at `loc` (for listing its keys)."""
    if root is schema.EscalationsSpec:
        match loc:
            case ():
                return root
            case ("rules", int()):
                return schema.EscalationRuleSpec
            case ("rules", int(), "explain"):
                return schema.ExplainSpec
        return None
    match loc:
        case ():
            return schema.PolicySpec
        case ("rules", int()):
            return schema.RuleSpec
        case ("levers", int()):
            return schema.LeverSpec
        case ("default",):
            return schema.DefaultSpec
        case ("rules" | "levers", int(), "explain") | ("default", "explain"):
            return schema.ExplainSpec
    return None


def _rule_id(data: Any, loc: Path) -> str | None:
    if len(loc) >= 2 and loc[0] in ("rules", "levers") and isinstance(loc[1], int):
        try:
            found = data[loc[0]][loc[1]]["id"]
        except (KeyError, IndexError, TypeError):
            return None
        return found if isinstance(found, str) else None
    return "default" if loc[:1] == ("default",) else None


_TYPE_MARKERS = ("str", "int", "bool", "date", "decimal", "float", "list", "dict")
_MARKER_PREFIXES = ("list[", "dict[", "function-", "constrained-", "union[", "json-or-python")


def _is_marker(part: int | str) -> bool:
    """Whether a loc part is one of pydantic's union-branch markers, not a key."""
    if not isinstance(part, str):
        return False
    return part in _TYPE_MARKERS or part.startswith(_MARKER_PREFIXES) or part.endswith("Spec")


def _clean_loc(loc: tuple[int | str, ...], data: Any = None) -> Path:
    """Drop pydantic's union-branch markers (`str`, `ExplainSpec`) but keep real keys.

    A part is a user's key when the data at that point is a mapping holding it, so
    an author's `Outcome:` or `str:` key is never mistaken for a marker.
    """
    out: list[int | str] = []
    node = data
    for part in loc:
        is_key = isinstance(node, dict) and part in node
        if not is_key and _is_marker(part):
            continue
        out.append(part)
        node = _step(node, part)
    return tuple(out)


def _step(node: Any, part: int | str) -> Any:
    """The data one loc part below `node` (None where the data has nothing there)."""
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def _markers(raw: tuple[int | str, ...], data: Any) -> list[tuple[int, str, Any]]:
    """The union-branch markers of a loc: (position, marker, the value the union got)."""
    found: list[tuple[int, str, Any]] = []
    node = data
    for i, part in enumerate(raw):
        if not (isinstance(node, dict) and part in node) and _is_marker(part):
            found.append((i, str(part), node))
            continue
        node = _step(node, part)
    return found


def _fits(marker: str, value: Any) -> bool:
    """Whether a union branch is the one meant for a value of this Python type."""
    if isinstance(value, bool):
        return marker == "bool"
    if isinstance(value, int | Decimal):
        return marker in ("int", "decimal")
    if isinstance(value, str):
        return marker in ("str", "constrained-str")
    if isinstance(value, date):
        return marker == "date"
    if isinstance(value, list):
        return marker.startswith("list[")
    if isinstance(value, dict):
        return marker.startswith("dict[") or marker[:1].isupper()  # a `...Spec` model
    return False


def _meant_branches(errors: list[Any], data: Any) -> list[Any]:
    """Keep, at every union, only the errors of the branch meant for the value.

    When no branch fits the value's type (`version: {}`), the first branch's errors
    stand for the union, as pydantic lists them.
    """
    branches: dict[tuple[int | str, ...], tuple[Any, list[str]]] = {}
    for item in errors:
        raw = item["loc"]
        for i, marker, value in _markers(raw, data):
            names = branches.setdefault(raw[:i], (value, []))[1]
            if marker not in names:
                names.append(marker)
    chosen = {
        site: next((m for m in names if _fits(m, value)), names[0])
        for site, (value, names) in branches.items()
    }
    return [
        item
        for item in errors
        if all(chosen[item["loc"][:i]] == m for i, m, _ in _markers(item["loc"], data))
    ]


def _dotted(loc: Path) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "the file"


def problems_from_validation(
    error: ValidationError, loaded: LoadedYaml, root: type[BaseModel] = schema.PolicySpec
) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[Path, str]] = set()
    for item in _meant_branches(error.errors(include_url=False), loaded.data):
        loc = _clean_loc(item["loc"], loaded.data)
        kind = item["type"]
        if (loc, kind) in seen or (loc, "*") in seen:
            continue
        seen.add((loc, kind))
        if len(loc) < len(item["loc"]) and kind != "extra_forbidden":
            seen.add((loc, "*"))  # one message per union-typed value is enough
        rule_id = _rule_id(loaded.data, loc)
        if kind == "extra_forbidden" and loc:
            key = str(loc[-1])
            model = _model_at(loc[:-1], root)
            allowed = list(model.model_fields) if model else []
            span = loaded.span(loc, key=True)
            problems.append(
                Problem(
                    "unknown-key",
                    f"unknown key `{shown(key)}`",
                    loaded.file,
                    span.line,
                    span.column,
                    did_you_mean(key, allowed)
                    or (
                        "allowed keys: " + ", ".join(f"`{k}`" for k in allowed) if allowed else None
                    ),
                    rule_id,
                )
            )
            continue
        if kind == "missing" and loc:
            span = loaded.span(loc[:-1])
            problems.append(
                Problem(
                    "missing-key",
                    f"missing required key `{loc[-1]}` in {_dotted(loc[:-1])}",
                    loaded.file,
                    span.line,
                    span.column,
                    None,
                    rule_id,
                )
            )
            continue
        where = f"`{_dotted(loc)}`"
        if loc[-1:] == ("[key]",) and len(loc) >= 2:  # pydantic's loc of a bad mapping key
            loc = loc[:-1]
            span = loaded.span(loc, key=True)
            where = f"`{_dotted(loc[:-1])}`, key `{shown(str(loc[-1]))}`"
        else:
            span = loaded.span(loc)
        code = "bad-number" if kind == "number_out_of_range" else "bad-value"
        problems.append(
            Problem(
                code,
                f"{where}: {_message(kind, loc, item)}",
                loaded.file,
                span.line,
                span.column,
                _hint_for(kind, loc, item["input"]),
                rule_id,
            )
        )
    return problems


def _message(kind: str, loc: Path, item: Any) -> str:
    """pydantic's complaint in the loader's words, with the limit a value is over."""
    value, ctx = item["input"], item.get("ctx") or {}
    if kind == "string_too_long" and isinstance(value, str):
        return f"{len(value):,} characters, over the limit of {ctx['max_length']:,}"
    if kind == "too_long" and "actual_length" in ctx:
        return f"{ctx['actual_length']:,} entries, over the limit of {ctx['max_length']:,}"
    if kind == "string_pattern_mismatch" and loc[:1] == ("applies_to",):
        return f"no request can have the kind `{shown(str(value))}`"
    if kind == "number_out_of_range":
        return f"`{shown(str(value))}` is out of range"
    message = str(item["msg"])
    return message[:1].lower() + message[1:]


_TOO_LONG_HINTS: dict[Path, str] = {
    ("version",): 'a version is a short label, e.g. `version: "2026.11"`',
    ("applies_to",): "split the policy by request kind into files of one directory",
    ("roles",): "the ladder lists the roles that grant or cap something, lowest first",
    ("remedies",): "declare only the remedies this store's rules grant",
}


def _hint_for(kind: str, loc: Path, value: Any) -> str | None:
    if kind == "number_out_of_range":
        return NUMBER_HINT
    if kind == "string_pattern_mismatch" and loc[:1] == ("applies_to",):
        usual = str(value).strip().lower()
        if re.fullmatch(schema.KIND_PATTERN, usual):
            return f"write `{shown(usual)}`: request kinds are lowercase"
        return (
            "a request kind is lowercase letters, digits and `_`, starting with a letter "
            "(as `request.kind` is), e.g. `price_adjustment`"
        )
    if kind in ("too_long", "string_too_long"):
        if loc[:1] == ("params",):
            return "a param holds one value or a short list; long data belongs in the facts"
        if loc[:1] == ("applies_to",) and len(loc) == 2:
            return f"a request kind has at most {schema.MAX_KIND} characters, as `request.kind`"
        return _TOO_LONG_HINTS.get(loc, "the limits are listed in docs/policy-language.md")
    if loc and loc[-1] in ("staff", "customer", "explain") and isinstance(value, dict | list):
        return 'YAML read `{...}` or `[...]` as data; quote the sentence: `"{window_days} days"`'
    if loc and loc[-1] == "explain":
        return "write one sentence, or `staff:` and `customer:` sentences"
    if loc == ("version",):
        return 'write the version as text or a number, e.g. `version: "2026.11"`'
    if kind == "string_pattern_mismatch":
        return "ids start with a letter and use letters, digits, `-` and `_`"
    if kind in ("list_type", "too_short") and loc and loc[-1] in ("roles", "applies_to"):
        return "write a list, e.g. `roles: [associate, supervisor, store_manager]`"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "write a mapping of `key: value` lines here"
    return None
