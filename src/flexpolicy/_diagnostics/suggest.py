"""Did-you-mean: the closest of the names an author or a caller could have meant.

At the bottom of the package because every stage suggests: the loader for a
misspelt key, the type checker for a field, the builder for a role, the facts
for a sku, the errors for a misspelt key in the facts.  It imports nothing of
flexpolicy (pydantic only, to walk a model's fields), so a suggestion never
pulls in the layer that first needed one.

The suggestion is data first (`closest`, `closest_field`: the name itself, as
`InputError.suggestion` keeps it), and words second (`did_you_mean`: the hint
line that says it).
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Iterable

from pydantic import BaseModel

__all__ = ["closest", "closest_field", "did_you_mean", "did_you_mean_field", "hint_for"]


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to `name` (difflib's ratio of 0.6 or more, else a match
    ignoring case), or None when nothing is close."""
    pool = sorted(set(candidates))
    close = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    if close:
        return close[0]
    lowered = {p.lower(): p for p in pool}
    return lowered.get(name.lower())


def hint_for(suggestion: str) -> str:
    """The hint line that offers `suggestion`, in the style of rule-engine and Cedar."""
    return f"did you mean `{suggestion}`?"


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the closest candidate, or None when nothing is close."""
    found = closest(name, candidates)
    return None if found is None else hint_for(found)


def closest_field(model: type[BaseModel], loc: tuple[int | str, ...]) -> str | None:
    """The field closest to the unknown key at `loc` of a `model` (pydantic's location
    of an `extra_forbidden` complaint, such as `("request", "skuu")` or
    `("transaction", "items", 0, "prise")`), or None.

    The location is walked along the model's fields to the record the key was
    written in, through optional fields and lists of records alike.
    """
    if not loc or not isinstance(loc[-1], str):
        return None
    for part in loc[:-1]:
        if isinstance(part, int):
            continue  # an item of a list: the list's own model holds on
        field = model.model_fields.get(part)
        found = None if field is None else _model_in(field.annotation)
        if found is None:
            return None  # a mapping of attributes, or a path pydantic made up
        model = found
    return closest(loc[-1], model.model_fields)


def did_you_mean_field(model: type[BaseModel], loc: tuple[int | str, ...]) -> str | None:
    """A hint naming the field closest to the unknown key at `loc`, or None."""
    found = closest_field(model, loc)
    return None if found is None else hint_for(found)


def _model_in(annotation: object) -> type[BaseModel] | None:
    """The model an annotation holds (`Transaction | None`, `tuple[LineItem, ...]`)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
