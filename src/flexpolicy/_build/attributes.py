"""A policy's `attributes:` block (DESIGN 2.2), checked into `_ir.Attribute`s.

Why a module of its own: the block is small but has its own rules - which records
carry attributes, which types exist, who may read them by default - and the
builder stays a list of the policy's parts.  Each problem is located at its key
(`bad-attribute`), with the valid choices as the hint.

Defaults: customer attributes are internal (scores and history are for staff)
unless `public: true`; request, item and transaction attributes describe what the
customer brought and bought, so customer text may show them unless `public: false`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from .._facts.typed import ATTRIBUTE_RECORDS, ATTRIBUTE_TYPES
from .._ir import Attribute, Location
from ..schema import AttributeSpec
from .located import Path

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# report(code, message, path, hint)
Report = Callable[[str, str, Path, str], None]


def declared_attributes(
    block: Mapping[str, str | AttributeSpec] | None,
    report: Report,
    location: Callable[[Path], Location],
) -> dict[str, Attribute] | None:
    """The declarations by key, or None when the policy has no `attributes:` block."""
    if block is None:
        return None
    out: dict[str, Attribute] = {}
    for key, value in block.items():
        path: Path = ("attributes", key)
        record, _, name = key.partition(".")
        if record not in ATTRIBUTE_RECORDS or not _NAME.fullmatch(name):
            report(
                "bad-attribute",
                f"`{key}` is not `record.name`",
                path,
                "declare e.g. `request.data_wiped: bool`; records are "
                + ", ".join(f"`{r}`" for r in ATTRIBUTE_RECORDS),
            )
            continue
        spec = value if isinstance(value, AttributeSpec) else AttributeSpec(type=value)
        if spec.type not in ATTRIBUTE_TYPES:
            report(
                "bad-attribute",
                f"`{key}` has type `{spec.type}`, which does not exist",
                (*path, "type") if isinstance(value, AttributeSpec) else path,
                "types are " + ", ".join(f"`{k}`" for k in ATTRIBUTE_TYPES),
            )
            continue
        public = spec.public if spec.public is not None else record != "customer"
        out[key] = Attribute(key, spec.type, public, location(path))
    return out
