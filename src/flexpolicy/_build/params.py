"""Map params (issue 16): `windows: {standard: 15, plus: 30}`, checked and frozen.

A map is one level deep, its keys text normalised as labels are (so a key
meets `customer.membership` in the form facts are kept in), its values of one
type (numbers may mix whole and decimal).  Anything else is a `bad-map-param`
at the entry that breaks the rule, so `lookup` can give its result one type.
"""

from __future__ import annotations

from typing import Any

from .._facts.labels import normalise_label
from .._lang.runtime import value_kind
from .._lang.values import ParamMap
from ..errors import Problem
from .located import LoadedYaml

__all__ = ["map_params"]


def map_params(
    loaded: LoadedYaml, params: dict[str, Any], problems: list[Problem]
) -> dict[str, Any]:
    """`params` with each map frozen as a `ParamMap`; a broken map is reported and left out."""
    out: dict[str, Any] = {}
    for name, value in params.items():
        if not isinstance(value, dict):
            out[name] = value
            continue
        broken = _problems(loaded, name, value)
        problems.extend(broken)
        if not broken:
            out[name] = ParamMap(value)
    return out


def _problems(loaded: LoadedYaml, name: str, value: dict[str, Any]) -> list[Problem]:
    def problem(message: str, key: str | None, hint: str) -> Problem:
        span = loaded.span(("params", name) if key is None else ("params", name, key))
        return Problem("bad-map-param", message, loaded.file, span.line, span.column, hint)

    if not value:
        return [problem(f"map param `{name}` is empty", None, "give it at least one entry")]
    first: str | None = None
    seen: dict[str, str] = {}
    for key, item in value.items():
        kind = value_kind(item)
        if kind is None:
            shape = (
                "a map"
                if isinstance(item, dict)
                else "a list"
                if isinstance(item, list)
                else "a value"
            )
            return [
                problem(
                    f"`params.{name}.{key}` is {shape}; a map param holds plain values",
                    key,
                    "maps are one level deep: name a second map param for the inner one",
                )
            ]
        if first is None:
            first = kind
        elif kind != first:
            return [
                problem(
                    f"`params.{name}.{key}` is {kind}, but the map holds {first}",
                    key,
                    "every value of a map param has one type",
                )
            ]
        label = normalise_label(key)
        if label in seen:
            return [
                problem(
                    f"`params.{name}` has the key `{key}` twice (as `{seen[label]}`)",
                    key,
                    "keys are compared as labels: case and spaces do not tell them apart",
                )
            ]
        seen[label] = key
    return []
