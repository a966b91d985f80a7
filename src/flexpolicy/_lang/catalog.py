"""Every name an expression may read, with the words used to explain it.

Record types come from the pydantic models in `flexpolicy.models`, so the
language can never drift from the facts a backend sends.  On top of the types
sits the vocabulary for rationales: a noun for each field, phrases for true and
false, whether the field is internal (never shown to a customer) and whether the
customer could change it (bring the receipt, take store credit instead).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from .. import models
from .._facts.labels import is_label
from . import types as t


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    type: t.Type
    noun: str
    internal: bool = False
    changeable: bool = False
    yes: str | None = None  # phrase when a true/false field is true
    no: str | None = None
    unit: str | None = None  # "days" renders `92` as "92 days"
    # A label (`_facts.labels`): compared normalised, so the checker normalises the
    # literals it meets (`"Fraud_Watch" in customer.flags` tests `fraud_watch`).
    label: bool = False


@dataclass(frozen=True, slots=True)
class Vocabulary:
    noun: str | None = None
    internal: bool = False
    changeable: bool = False
    yes: str | None = None
    no: str | None = None
    unit: str | None = None


# Words for fields, by record and field name.  Anything not listed gets its name
# with underscores as spaces; customer fields default to internal (scores and
# flags are for staff), request fields to customer-visible.
_WORDS: dict[str, dict[str, Vocabulary]] = {
    "customer": {
        "id": Vocabulary("customer id"),
        "tier": Vocabulary("customer tier", internal=True),
        "segment": Vocabulary("customer segment", internal=True),
        "lifetime_value": Vocabulary("lifetime value", internal=True),
        "purchases_12m": Vocabulary("purchases in the last 12 months", internal=True),
        "returns_12m": Vocabulary("returns in the last 12 months", internal=True),
        "exceptions_90d": Vocabulary("exceptions granted in the last 90 days", internal=True),
        "member_since": Vocabulary("member since"),
        # The programme level the customer knows they have: public, unlike `tier`.
        "membership": Vocabulary("membership level"),
        "flags": Vocabulary("account flags", internal=True),
        "attributes": Vocabulary("customer attributes", internal=True),
    },
    "request": {
        "kind": Vocabulary("request type", changeable=True),
        "item_condition": Vocabulary("item condition", changeable=True),
        "packaging_intact": Vocabulary(
            "packaging",
            changeable=True,
            yes="the original packaging is intact",
            no="the original packaging is not intact",
        ),
        "has_receipt": Vocabulary(
            "receipt",
            changeable=True,
            yes="there is a receipt",
            no="there is no receipt",
        ),
        "reason": Vocabulary("reason"),
        "store_at_fault": Vocabulary(
            "store at fault", yes="the mistake was the store's", no="the store made no mistake"
        ),
        "requested_remedy": Vocabulary("requested remedy", changeable=True),
        "amount": Vocabulary("amount requested"),
        "requested_at": Vocabulary("request date"),
        "quantity": Vocabulary("quantity returned", changeable=True),
        "channel": Vocabulary("return channel", changeable=True),
        "store_id": Vocabulary("store"),
        "region": Vocabulary("region of the request"),
        "attributes": Vocabulary("request details"),
    },
    "line_item": {
        "unit_price": Vocabulary("item price"),
        "final_sale": Vocabulary(
            "final sale", yes="the item was sold as final sale", no="the item was not final sale"
        ),
        "category": Vocabulary("item category"),
        "description": Vocabulary("item"),
        "quantity": Vocabulary("quantity bought"),
        "attributes": Vocabulary("item details"),
    },
    "transaction": {
        "purchased_at": Vocabulary("purchase date"),
        "channel": Vocabulary("sales channel"),
        "payment_method": Vocabulary("payment method"),
        "store_id": Vocabulary("store"),
        "delivered_at": Vocabulary("delivery date"),
        "region": Vocabulary("region of the sale"),
        "attributes": Vocabulary("sale details"),
    },
    "case": {
        "contacts_total": Vocabulary("contacts about this case", unit="contacts"),
        "contacts_14d": Vocabulary("contacts in the last 14 days", unit="contacts"),
        "days_open": Vocabulary("days the case has been open", unit="days"),
        "overdue_promises": Vocabulary("overdue promises"),
        "open_promises": Vocabulary("open promises"),
        "resolved": Vocabulary(
            "case resolved", yes="the case is resolved", no="the case is still open"
        ),
    },
    "actor": {"role": Vocabulary("employee role", internal=True)},
}

# Fields that exist on the models for people but are never read by decisions.
HIDDEN: dict[str, dict[str, str]] = {
    "customer": {
        "name": "names are for people; decisions never depend on them",
        "email": "contact details are for people; decisions never depend on them",
    },
}

MODELS: dict[str, type[BaseModel]] = {
    "customer": models.Customer,
    "request": models.Request,
    "transaction": models.Transaction,
    "line_item": models.LineItem,
    "actor": models.Actor,
    "case": models.CaseFacts,
}


def _type_of(annotation: object) -> t.Type:
    """Map a model field annotation to a language type."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _type_of(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(annotation))
        inner = _type_of(args[0]) if len(args) == 1 else t.ANY
        return inner.maybe(nullable or inner.nullable)
    if origin is typing.Literal:
        return t.Type(t.Kind.STR, choices=tuple(str(a) for a in typing.get_args(annotation)))
    if origin is frozenset:
        return t.set_of(_type_of(typing.get_args(annotation)[0]))
    if origin is tuple:
        return t.list_of(_type_of(typing.get_args(annotation)[0]))
    if origin is dict:
        return t.record("attributes")
    if annotation is bool:
        return t.BOOL
    if annotation is int:
        return t.INT
    if annotation is Decimal:
        return t.MONEY
    if annotation is str:
        return t.STR
    if annotation is date:
        return t.DATE
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        name = next(k for k, v in MODELS.items() if v is annotation)
        return t.record(name)
    alias = getattr(annotation, "__value__", None)  # a `type X = ...` alias
    if alias is not None:
        return _type_of(alias)
    raise TypeError(f"no language type for {annotation!r}")  # a models.py change we must map


def _fields(record_name: str) -> dict[str, FieldSpec]:
    model = MODELS[record_name]
    words = _WORDS.get(record_name, {})
    hidden = HIDDEN.get(record_name, {})
    result: dict[str, FieldSpec] = {}
    for name, info in model.model_fields.items():
        if name in hidden:
            continue
        vocab = words.get(name, Vocabulary())
        field_type = _type_of(info.annotation)
        if info.default is None:
            field_type = field_type.maybe()
        result[name] = FieldSpec(
            name=name,
            type=field_type,
            noun=vocab.noun or name.replace("_", " "),
            internal=vocab.internal,
            changeable=vocab.changeable,
            yes=vocab.yes,
            no=vocab.no,
            unit=vocab.unit,
            label=is_label(info.annotation, info.metadata),
        )
    return result


RECORDS: dict[str, dict[str, FieldSpec]] = {name: _fields(name) for name in MODELS}

# The roots an expression starts from.  `transaction`, `item` and `case` may be
# absent (a fee waiver has no item, most requests have no case).
ROOTS: dict[str, t.Type] = {
    "customer": t.record("customer"),
    "request": t.record("request"),
    "transaction": t.record("transaction", nullable=True),
    "item": t.record("line_item", nullable=True),
    "actor": t.record("actor"),
    "case": t.record("case", nullable=True),
}


@dataclass(frozen=True, slots=True)
class BuiltinSpec:
    name: str
    type: t.Type
    noun: str
    doc: str
    internal: bool = False
    unit: str | None = None


BUILTINS: dict[str, BuiltinSpec] = {
    spec.name: spec
    for spec in (
        BuiltinSpec(
            "days_since_purchase",
            t.INT.maybe(),
            "days since purchase",
            "`as_of` minus `transaction.purchased_at`, in days",
            unit="days",
        ),
        BuiltinSpec(
            "days_since_received",
            t.INT.maybe(),
            "days since delivery",
            "`as_of` minus `transaction.delivered_at` (or `purchased_at` when it is missing),"
            " in days",
            unit="days",
        ),
        BuiltinSpec(
            "item_price",
            t.MONEY.maybe(),
            "item price",
            "unit price of the transaction line whose sku is `request.sku`",
        ),
        BuiltinSpec(
            "item_total",
            t.MONEY.maybe(),
            "item total",
            "`item_price` times `request.quantity`",
        ),
        BuiltinSpec(
            "transaction_total",
            t.MONEY.maybe(),
            "transaction total",
            "the sum of unit price times quantity over `transaction.items`",
        ),
        BuiltinSpec(
            "customer_tenure_days",
            t.INT.maybe(),
            "days as a member",
            "`as_of` minus `customer.member_since`, in days",
            unit="days",
        ),
        BuiltinSpec("today", t.DATE, "today", "the decision date, `as_of`"),
    )
}

FUNCTIONS: dict[str, str] = {
    "abs": "abs(n): the absolute value of a number",
    "min": "min(a, b, ...): the smallest of numbers",
    "max": "max(a, b, ...): the largest of numbers",
    "round": "round(n, places): a number rounded half-up to whole `places` decimals",
    "len": "len(x): how many items a list or set holds, or characters in text",
    "lower": "lower(s): text in lower case",
    "upper": "upper(s): text in upper case",
    "days_between": "days_between(a, b): days from date `a` to date `b`",
    "known": "known(x): true when the value is present",
    "coalesce": "coalesce(x, fallback): `x`, or `fallback` when `x` is missing",
    "date": 'date("2026-01-31"): a date literal',
    "lookup": "lookup(map, key, default): the map param's value at `key`, "
    "or `default` when the key is absent or unknown",
    "year": "year(d): the year of a date",
    "month": "month(d): the month of a date, 1 to 12",
    "day": "day(d): the day of the month of a date, 1 to 31",
    "weekday": "weekday(d): the day of the week of a date, 1 = Monday to 7 = Sunday",
    "add_days": "add_days(d, n): the date `n` days after `d` (before it when `n` is negative)",
    "in_season": 'in_season(d, "10-28", "12-28"): whether `d` falls between two days '
    "of the year (inclusive; a start after the end wraps the new year)",
    "next_date": 'next_date(d, "01-12"): the first such day of the year on or after `d`',
    "business_days_between": "business_days_between(a, b): working days after `a` up to "
    "and including `b`, less weekends and `calendar.holidays`",
}

RESERVED = frozenset(ROOTS) | frozenset(BUILTINS) | frozenset(FUNCTIONS) | {"params"}


def attribute_is_internal(root: str, name: str, public: Mapping[str, bool] | None) -> bool:
    """Whether customer text may not show `root.attributes.name`.

    Declared (`public` maps `root.name` to its `public:`): as declared.  Otherwise
    customer attributes are internal (scores and history are for staff) and the
    request's, item's and transaction's are not (they describe what was bought).
    """
    if public is not None:
        found = public.get(f"{root}.{name}")
        if found is not None:
            return not found
    return root == "customer"


# The language type of each type an `attributes:` declaration may give
# (`_facts.typed` reads the values at these types when deciding).
ATTRIBUTE_TYPES: dict[str, t.Type] = {
    "bool": t.BOOL,
    "int": t.INT,
    "decimal": t.NUMBER,
    "money": t.MONEY,
    "date": t.DATE,
    "text": t.STR,
    # A list of text is a set of labels, typed and compared as `customer.flags` is.
    "list": t.set_of(t.STR),
}
# The declared type a language kind stands for, for the engines' decision-time reads.
ATTRIBUTE_KINDS: dict[t.Kind, str] = {
    t.Kind.BOOL: "bool",
    t.Kind.INT: "int",
    t.Kind.NUMBER: "decimal",
    t.Kind.MONEY: "money",
    t.Kind.DATE: "date",
    t.Kind.STR: "text",
    t.Kind.SET: "list",
}
