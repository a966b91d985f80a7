"""How a decision record keeps the kinds of store attributes (money, dates) in JSON.

Why a module of its own: an attribute is compared only with values of its own
kind, so a record replayed must give back a `Decimal` and a `date` where the
decision saw them, on the customer, the request, the transaction and each line.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any


def attribute_tagged(value: Any) -> Any:
    """Money and dates among a record's `attributes` keep their kind: `{"decimal": "1.5"}`.

    An attribute is compared only with values of its own kind, so `1.5` read
    back as the text `"1.5"` could decide differently; the tag prevents that.
    """
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, tuple):  # a list attribute: each member keeps its kind too
        return [attribute_tagged(v) for v in value]
    return value


def tagged(attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {k: attribute_tagged(v) for k, v in attributes.items()}


def decode(stored: Mapping[str, Any]) -> dict[str, Any]:
    """The stored situation with tagged attributes turned back into money and dates."""
    data = dict(stored)
    for root in ("customer", "request", "transaction"):
        record = data.get(root)
        if isinstance(record, dict):
            data[root] = record = decoded_attributes(record)
            items = record.get("items") if root == "transaction" else None
            if isinstance(items, list):
                record["items"] = [
                    decoded_attributes(i) if isinstance(i, dict) else i for i in items
                ]
    return data


def decoded_attributes(record: dict[str, Any]) -> dict[str, Any]:
    """One record (customer, request, transaction or line) with its tags read back."""
    if not isinstance(record.get("attributes"), dict):
        return record
    attributes: dict[str, Any] = {}
    for key, value in record["attributes"].items():
        attributes[key] = (
            [_untagged(v) for v in value] if isinstance(value, list) else _untagged(value)
        )
    return {**record, "attributes": attributes}


def _untagged(value: Any) -> Any:
    tag = set(value) if isinstance(value, dict) else None
    if tag == {"decimal"}:
        return Decimal(value["decimal"])
    if tag == {"date"}:
        return date.fromisoformat(value["date"])
    return value
