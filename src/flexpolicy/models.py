"""The typed facts a POS or CRM backend hands to `Policy.decide`.

Only what DESIGN.md calls required is required (ids, `tier`, `kind`,
`purchased_at`, `requested_at`, each item's sku and price); everything else is
optional or has a default, because a till often does not know a customer's
segment and a fee waiver has no item.  Money is `Decimal`, dates are `date`,
and every model is frozen: a decision can never change the facts it was given.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
    StringConstraints,
    ValidationError,
    model_validator,
)

from ._facts.consistency import check_facts
from ._facts.labels import LabelChoice, LabelText
from ._facts.numbers import MAX_DIGITS, MAX_WHOLE, AttributeNumber, PlainMoney, WholeNumber
from .errors import InputError

__all__ = [
    "ITEM_CONDITIONS",
    "MAX_ATTRIBUTES",
    "MAX_FLAGS",
    "MAX_ITEMS",
    "Actor",
    "CaseFacts",
    "Customer",
    "ItemCondition",
    "Label",
    "LineItem",
    "Request",
    "Situation",
    "Transaction",
]

# How much one situation may hold: far beyond any till, small enough that reading,
# checking and explaining a situation stay cheap whatever a backend sends.
MAX_ITEMS = 10_000  # lines per transaction
MAX_FLAGS = 1_000  # flags per customer
MAX_ATTRIBUTES = 200  # store attributes per record

# Text is `str` only (bytes are not text), each kind with its own length bound.
Id = Annotated[
    str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True, strict=True)
]
Text = Annotated[str, StringConstraints(min_length=1, max_length=200, strict=True)]
# A label is compared as a name: NFKC, trimmed, case-folded, look-alikes folded
# (`_facts.labels`).  One type, so every label field normalises alike.
Label = Annotated[str, LabelText(200)]
Flags = Annotated[
    frozenset[Label],
    Field(max_length=MAX_FLAGS),
    # Sorted in JSON, so a dump is the same in every process (a set's order is not).
    PlainSerializer(sorted, return_type=list[str], when_used="json"),
]
Money = Annotated[
    Decimal, Field(ge=0, max_digits=18, decimal_places=4, allow_inf_nan=False), PlainMoney()
]
Count = Annotated[int, Field(ge=0, le=1_000_000_000), WholeNumber()]
# true/false facts take only true and false: never `"off"`, `"yes"`, `1` or `"true"`.
Flag = Annotated[bool, Strict()]
# A store attribute's number holds at most 28 digits, so that reading, comparing and
# formatting it stay cheap whatever a backend sends (see `_facts.numbers`).
AttributeScalar = Annotated[
    Annotated[str, StringConstraints(strict=True)]
    | Annotated[bool, Strict()]  # lax, `1.0` would be read as true
    | Annotated[int, Field(ge=-MAX_WHOLE, le=MAX_WHOLE)]
    | Annotated[Decimal, Field(max_digits=MAX_DIGITS, allow_inf_nan=False)]
    | date,
    AttributeNumber(),
]
# A list (for an attribute a policy declares `list`, DESIGN 2.2) holds scalars, one
# level deep, kept as a tuple so the facts stay frozen; the declaration decides
# whether its members fit (`_facts.typed`: text only), so a number among them is
# `invalid-attribute` naming the path, as any other misfit is.
AttributeValue = Annotated[
    AttributeScalar | Annotated[tuple[AttributeScalar, ...], Field(max_length=MAX_FLAGS)] | None,
    AttributeNumber(),
]
Attributes = Annotated[dict[Text, AttributeValue], Field(max_length=MAX_ATTRIBUTES)]

ItemCondition = Literal["unused", "opened", "used", "damaged", "defective"]
ITEM_CONDITIONS: tuple[str, ...] = ("unused", "opened", "used", "damaged", "defective")


class _Facts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_max_length=10_000)


class Customer(_Facts):
    """Who is asking: how valuable they are to the store and what we know of them."""

    id: Id
    tier: Annotated[
        int, Field(ge=1, le=5, description="profitability score, 5 is best"), WholeNumber()
    ]
    segment: Label | None = Field(None, description="persona label, free text")
    lifetime_value: Money | None = None
    purchases_12m: Count = 0
    returns_12m: Count = 0
    exceptions_90d: Count = Field(0, description="exceptions already granted in 90 days")
    member_since: date | None = None
    membership: Label | None = Field(
        None, description="public membership level (`plus`, `executive`): customer text may show it"
    )
    flags: Flags = Field(
        frozenset(), description="account flags such as `abusive` or `fraud_watch`"
    )
    attributes: Attributes = Field(
        default_factory=dict, description="store-specific data, read as customer.attributes.NAME"
    )
    name: Text | None = Field(None, description="for people, never for decisions")
    email: Text | None = Field(None, description="for people, never for decisions")


class LineItem(_Facts):
    """One line of a transaction."""

    sku: Id
    unit_price: Money
    description: Annotated[str, StringConstraints(max_length=500, strict=True)] | None = None
    quantity: Annotated[int, Field(ge=1, le=1_000_000), WholeNumber()] = 1
    category: Label | None = None
    final_sale: Flag = False
    attributes: Attributes = Field(
        default_factory=dict, description="store-specific data, read as item.attributes.NAME"
    )


class Transaction(_Facts):
    """The purchase a request is about."""

    id: Id
    purchased_at: date
    customer_id: Id | None = None
    store_id: Id | None = None
    channel: Label | None = Field(None, description="`in_store`, `online`, `phone`, ...")
    items: Annotated[tuple[LineItem, ...], Field(max_length=MAX_ITEMS)] = ()
    payment_method: Label | None = None
    delivered_at: date | None = Field(None, description="the day the customer received it")
    region: Label | None = Field(None, description="state, province or country code of the sale")
    attributes: Attributes = Field(
        default_factory=dict, description="store-specific data, read as transaction.attributes.NAME"
    )


class Request(_Facts):
    """What the customer asks for."""

    id: Id
    kind: Annotated[
        str,
        LabelText(64, pattern=r"[a-z][a-z0-9_]*"),
        Field(description="`return`, `exchange`, `refund`, `price_adjustment`, ..."),
    ]
    requested_at: date
    transaction_id: Id | None = None
    sku: Id | None = None
    line: Annotated[int, Field(ge=1, le=MAX_ITEMS), WholeNumber()] | None = Field(
        None, description="1-based position in `transaction.items`: picks the sku's line"
    )
    item_condition: Annotated[ItemCondition, LabelChoice()] | None = None
    packaging_intact: Flag | None = None
    has_receipt: Flag | None = None
    reason: Label | None = Field(None, description="`wrong_item_sold`, `double_charge`, ...")
    store_at_fault: Flag = False
    requested_remedy: Label | None = None
    amount: Money | None = None
    case_id: Id | None = None
    quantity: Annotated[int, Field(ge=1, le=1_000_000), WholeNumber()] = Field(
        1, description="units of the line being returned (at most the line's quantity)"
    )
    channel: Label | None = Field(None, description="`in_store`, `mail`, `online`, `phone`, ...")
    store_id: Id | None = None
    region: Label | None = Field(None, description="where the request is made")
    attributes: Attributes = Field(
        default_factory=dict, description="store-specific data, read as request.attributes.NAME"
    )


class Actor(_Facts):
    """The employee acting; `role` must be a rung of the policy's authority ladder."""

    id: Id
    role: Text


class CaseFacts(_Facts):
    """What a case tells a decision about the customer's history with one problem.

    Read in policies as `case.contacts_14d`, `case.overdue_promises`, and so on.
    """

    id: Id
    contacts_total: Count = 0
    contacts_14d: Count = 0
    days_open: Count = 0
    steps: Count = 0
    open_promises: Count = 0
    overdue_promises: Count = 0
    resolved: Flag = False
    promises_kept: Count = 0
    days_since_last_contact: Count = 0


class Situation(_Facts):
    """Everything one decision needs, as read from a situation file."""

    request: Request
    customer: Customer
    transaction: Transaction | None = None
    actor: Actor | None = None
    as_of: date | None = None
    case: CaseFacts | None = None
    title: Annotated[str, StringConstraints(max_length=300, strict=True)] | None = Field(
        None, description="a label for people, ignored by decisions"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Situation:
        """A situation whose facts contradict each other cannot be built.

        Raises `InputError` (`contradictory-facts`, not pydantic's error: the
        fields are each valid, their combination is not).  Checked once here,
        so `Policy.decide_all` need not check every situation again.
        """
        as_of = self.request.requested_at if self.as_of is None else self.as_of
        check_facts(self.request, self.customer, self.transaction, as_of, self.case)
        return self

    def with_changes(self, changes: Mapping[str, Any]) -> Situation:
        """A copy with fields replaced, e.g. `{"request.has_receipt": True}`.

        Paths are `record.field` for `request`, `customer`, `transaction` and
        `case`, or `record.attributes.name` for a store attribute - the forms
        `Alternative.changes` uses - and the result is validated like any situation.
        """
        data = self.model_dump()
        for path, value in changes.items():
            root, _, name = path.partition(".")
            record = (
                data.get(root) if root in ("request", "customer", "transaction", "case") else None
            )
            head, _, attribute = name.partition(".")
            is_attribute = head == "attributes" and attribute and "." not in attribute
            if is_attribute and root != "case" and isinstance(record, dict):
                record["attributes"][attribute] = value
                continue
            if not isinstance(record, dict) or not name or "." in name or name not in record:
                raise InputError(
                    f"cannot change `{path}`: not a field of this situation",
                    code="unknown-field",
                    hint="paths look like `request.has_receipt`, `customer.tier` or "
                    "`request.attributes.NAME`",
                )
            record[name] = value
        try:
            return Situation.model_validate(data)
        except ValidationError as exc:
            raise InputError.from_validation(
                exc, "changes make an invalid situation", model=Situation
            ) from None
