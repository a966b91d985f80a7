"""Situations as a record stores them: canonical JSON, masked, and their hash.

Why only what a policy can never read may be masked, and why the hash is taken
after masking, is told in `log`'s docstring.
"""

from __future__ import annotations

import hashlib
import json
import typing
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel

from .._lang.catalog import HIDDEN
from ..models import Situation
from .kinds import attribute_tagged as _attribute
from .kinds import tagged as _tagged
from .record import AuditError

MARKER = "***"
DEFAULT_MASK: tuple[str, ...] = ("customer.name", "customer.email")
# What a policy can never read: the catalog's hidden fields, and a situation's title.
MASKABLE: frozenset[str] = frozenset(
    {f"{record}.{name}" for record, names in HIDDEN.items() for name in names} | {"title"}
)


def check_mask(mask: Iterable[str]) -> tuple[str, ...]:
    """The mask, sorted, after refusing any field a policy can read (or that does not exist)."""
    paths = tuple(sorted(set(mask)))
    for path in paths:
        if path in MASKABLE:
            continue
        why = (
            "policies can read it, so masked records could not be replayed"
            if _exists(path)
            else "no such field"
        )
        raise AuditError(
            f"cannot mask `{path}`: {why}",
            code="unmaskable-field",
            hint="fields that can be masked: " + ", ".join(f"`{p}`" for p in sorted(MASKABLE)),
        )
    return paths


def _exists(path: str) -> bool:
    """Whether `path` names a field of a situation (`customer.attributes.x` included)."""
    root, _, rest = path.partition(".")
    info = Situation.model_fields.get(root)
    if info is None or not rest:
        return info is not None
    kinds = typing.get_args(info.annotation) or (info.annotation,)
    model = next((k for k in kinds if isinstance(k, type) and issubclass(k, BaseModel)), None)
    return model is not None and rest.partition(".")[0] in model.model_fields


def stored_situation(situation: Situation, mask: Iterable[str] = DEFAULT_MASK) -> dict[str, Any]:
    """The situation as a record stores it: exact JSON (money and dates as text), `mask` blanked.

    Built by pydantic's JSON serialiser (the fast path); the one set among the
    facts, `customer.flags`, is sorted, so the same facts give the same text in
    every process whatever the hash seed.
    """
    data: dict[str, Any] = situation.model_dump(mode="json")
    customer = data["customer"]
    customer["flags"] = sorted(situation.customer.flags)
    if situation.customer.attributes:
        customer["attributes"] = {
            k: _attribute(v) for k, v in situation.customer.attributes.items()
        }
    # The request's, the sale's and each line's attributes keep their kinds the same way.
    if situation.request.attributes:
        data["request"]["attributes"] = _tagged(situation.request.attributes)
    sale = situation.transaction
    if sale is not None:
        if sale.attributes:
            data["transaction"]["attributes"] = _tagged(sale.attributes)
        for line, item in zip(data["transaction"]["items"], sale.items, strict=True):
            if item.attributes:
                line["attributes"] = _tagged(item.attributes)
    for path in mask:
        root, _, name = path.partition(".")
        if not name:
            if data.get(root) is not None:
                data[root] = MARKER
            continue
        record = data.get(root)
        if isinstance(record, dict) and record.get(name) is not None:
            record[name] = MARKER
    return data


def stored_sha256(stored: Mapping[str, Any]) -> str:
    text = json.dumps(stored, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def situation_sha256(situation: Situation, mask: Iterable[str] = DEFAULT_MASK) -> str:
    """The hash a record of `situation` carries: SHA-256 of its canonical, masked JSON."""
    return stored_sha256(stored_situation(situation, check_mask(mask)))
