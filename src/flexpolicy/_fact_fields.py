"""Did-you-mean for a misspelt key in the facts (`custmer:`, `request.skuu`).

pydantic reports an unknown key as `extra_forbidden` at a location such as
`("request", "skuu")` or `("transaction", "items", 0, "prise")`; this module walks
the models along that location to the record the key was written in and
suggests the closest of its fields.  Kept apart from `errors` so that the error
classes import no models.
"""

from __future__ import annotations

import typing

from pydantic import BaseModel

from ._expr._checker import did_you_mean
from .models import Actor, CaseFacts, Customer, LineItem, Request, Situation, Transaction

_MODELS: dict[str, type[BaseModel]] = {
    m.__name__: m for m in (Actor, CaseFacts, Customer, LineItem, Request, Situation, Transaction)
}


def did_you_mean_field(model_name: str, loc: tuple[int | str, ...]) -> str | None:
    """A hint naming the field closest to the unknown key at `loc`, or None."""
    model = _MODELS.get(model_name)
    if model is None or not loc or not isinstance(loc[-1], str):
        return None
    for part in loc[:-1]:
        if isinstance(part, int):
            continue  # an item of a list: the list's own model holds on
        field = model.model_fields.get(part)
        found = None if field is None else _model_in(field.annotation)
        if found is None:
            return None  # a store attribute, or a path pydantic made up
        model = found
    return did_you_mean(loc[-1], model.model_fields)


def _model_in(annotation: object) -> type[BaseModel] | None:
    """The fact model an annotation holds (`Transaction | None`, `tuple[LineItem, ...]`)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
