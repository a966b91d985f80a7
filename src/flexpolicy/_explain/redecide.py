"""Deciding a decision's situation again with some fields changed (to check an alternative).

An alternative never promises what the policy would not do: the changes it
proposes are applied to the situation the decision saw and decided again, by the
policy itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from .._engine.context import Context
from ..errors import FlexPolicyError
from ..models import Situation
from .outputs import made

if TYPE_CHECKING:
    from ..decision import Decision

setattr_ = object.__setattr__
DecideSituation = Callable[[Situation], "Decision"]


def _updated(record: BaseModel, fields: dict[str, Any]) -> Any:
    """`record.model_copy(update=fields)` for the situation's records (no extras, no
    private attributes): a new instance with the new values and the same fields set."""
    copied = type(record).__new__(type(record))
    setattr_(copied, "__dict__", {**record.__dict__, **fields})
    setattr_(copied, "__pydantic_fields_set__", record.model_fields_set | fields.keys())
    setattr_(copied, "__pydantic_extra__", None)
    setattr_(copied, "__pydantic_private__", None)
    return copied


def redecide(ctx: Context, decide: DecideSituation, changes: dict[str, Any]) -> Decision | None:
    """The decision on `ctx`'s situation with `changes` applied; None if they do not fit.

    The changes come from the solver, already typed (dates, decimals, sets), so
    the records are copied with the new values rather than re-validated (as
    `model_copy(update=...)` does, without its generic copying); the
    decision's own consistency checks still run on the result.
    """
    updates: dict[str, dict[str, Any]] = {}
    for path, value in changes.items():
        root, _, name = path.partition(".")
        fields = updates.setdefault(root, {})
        head, _, attribute = name.partition(".")
        if head == "attributes" and attribute:  # `request.attributes.all_contents`
            fields.setdefault("attributes", {})[attribute] = value
        else:
            fields[name] = value
    records: dict[str, Any] = {
        "request": ctx.request,
        "customer": ctx.customer,
        "transaction": ctx.transaction,
        "case": ctx.case,
    }
    for root, fields in updates.items():
        record = records.get(root)
        if record is None:
            return None
        if "attributes" in fields:  # the record's other attributes stay as they were
            fields["attributes"] = {**record.attributes, **fields["attributes"]}
        records[root] = _updated(record, fields)
    changed = made(
        Situation,
        {
            "request": records["request"],
            "customer": records["customer"],
            "transaction": records["transaction"],
            "actor": ctx.actor,
            "as_of": ctx.as_of,
            "case": records["case"],
            "title": None,
        },
    )
    try:
        return decide(changed)
    except (FlexPolicyError, ValidationError):
        return None
