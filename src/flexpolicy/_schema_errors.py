"""Turn pydantic's validation errors on a policy file into located `Problem`s.

pydantic says `('rules', 2, 'outcme'): Extra inputs are not permitted`; an
author needs `returns.yaml:41:5: unknown key `outcme` ... did you mean
`outcome`?`.  This module does that translation and nothing else.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from . import schema
from ._expr._checker import did_you_mean
from ._yaml import LoadedYaml, Path
from .errors import Problem


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
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(out)


def _model_branches(errors: list[Any], data: Any) -> set[Path]:
    """Where a value's union has a model branch (`ExplainSpec`) that reported an error."""
    found: set[Path] = set()
    for item in errors:
        raw = item["loc"]
        for i, part in enumerate(raw):
            if isinstance(part, str) and _is_marker(part) and part[:1].isupper():
                found.add(_clean_loc(raw[:i], data))
                break
    return found


def _other_branch(
    raw_loc: tuple[int | str, ...], value: Any, model_branches: set[Path], data: Any
) -> bool:
    """An error from a union branch that the value plainly was not meant for.

    For `explain: {staf: hi}` pydantic reports both "not a string" and "unknown
    key `staf`"; the mapping was clearly meant as the mapping branch.  Only when
    there is a mapping branch: `version: {}` (text or a number) is reported.
    """
    markers = [p for p in raw_loc if isinstance(p, str) and _is_marker(p)]
    if not markers or any(m[:1].isupper() for m in markers):
        return False
    first = next(i for i, p in enumerate(raw_loc) if isinstance(p, str) and _is_marker(p))
    return isinstance(value, dict) and _clean_loc(raw_loc[:first], data) in model_branches


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
    errors = error.errors(include_url=False)
    model_branches = _model_branches(errors, loaded.data)
    for item in errors:
        loc = _clean_loc(item["loc"], loaded.data)
        kind = item["type"]
        if _other_branch(item["loc"], item["input"], model_branches, loaded.data):
            continue
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
                    f"unknown key `{key}`",
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
        span = loaded.span(loc)
        message = str(item["msg"])
        message = message[:1].lower() + message[1:]
        shown = _dotted(loc)
        problems.append(
            Problem(
                "bad-value",
                f"`{shown}`: {message}",
                loaded.file,
                span.line,
                span.column,
                _hint_for(kind, loc, item["input"]),
                rule_id,
            )
        )
    return problems


def _hint_for(kind: str, loc: Path, value: Any) -> str | None:
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
