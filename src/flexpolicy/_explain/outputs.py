"""Explanation models built from values that already have their fields' types.

Rendering one decision's trace makes a dozen `ConditionTrace` and `RuleTrace`
models; validating each costs more than working out what it says.  The
explainer builds every value with exactly the type its field declares (text,
booleans, JSON-native mappings from `_facts.jsonvalue`, lists of models it just
built), so `made` sets them as they are: the same state pydantic's own
constructor leaves (fields in declaration order, the given fields marked set,
no extras, no private attributes), so equality, `repr`, `model_fields_set` and
`model_dump` cannot tell the difference.  `tests/explain/test_explain_cache.py` holds
it to that.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
_set = object.__setattr__


def made(cls: type[M], values: dict[str, Any]) -> M:
    """`cls(**values)` without validation: `values` names every field, in declaration order."""
    model = cls.__new__(cls)
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", set(values))
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model
