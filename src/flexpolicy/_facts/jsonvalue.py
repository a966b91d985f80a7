"""Values shown in traces and counterfactual changes, in JSON-native form.

A decision record must read back equal to what was written, so the free-form
values inside it (a trace's field values, an alternative's changes) hold only
what JSON holds: text, whole numbers, true/false, null and lists.  Money and
dates become their exact text (`"59.99"`, `"2026-10-21"`), which
`Situation.with_changes` reads back as money and dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

JsonValue = str | bool | int | list[Any] | None


def to_json_value(value: Any) -> JsonValue:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted((to_json_value(v) for v in value), key=str)
    if isinstance(value, tuple | list):
        return [to_json_value(v) for v in value]
    return str(value)


def to_json_mapping(values: Mapping[str, Any]) -> dict[str, JsonValue]:
    return {str(k): to_json_value(v) for k, v in values.items()}
