"""Writing one threshold value into a situation: the other half of `flexpolicy.testing`.

`flexpolicy.testing.situations` draws a consistent situation and then moves it onto
the values a policy tests: 30 days since purchase, a tier of 4, a purchase on the day
a season starts, a request for every unit of a line.  Each value is written where it
belongs and the situation validated again; one that does not fit the models (a tier of
6, a purchase after the request) is skipped, never forced.  Kept apart from the
strategies so the writing needs neither hypothesis nor the policy's internals.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ..models import Situation

__all__ = ["QUANTITY_SHAPE", "with_thresholds"]

# The name under which a (request quantity, line quantity) pair is placed.
QUANTITY_SHAPE = "request.quantity/line"
# The dates of a situation that keep their order: moving one past another moves them all.
_DATES = (
    ("request", "requested_at"),
    ("transaction", "purchased_at"),
    ("transaction", "delivered_at"),
    ("customer", "member_since"),
)
_DATE_FIELDS = {f"{root}.{name}" for root, name in _DATES} | {"today"}
_CENT = Decimal("0.01")


def with_thresholds(situation: Situation, changes: Mapping[str, Any], today: date) -> Situation:
    """Apply each threshold value that fits the models; skip the ones that do not
    (a tier of 6 just above `tier >= 5`, a count of -1 just below `>= 0`)."""
    for name, value in changes.items():
        data = situation.model_dump()
        if not _place(data, name, value, today):
            continue
        try:
            situation = Situation.model_validate(data)
        except ValueError:
            continue
    return situation


def _place(data: dict[str, Any], name: str, value: Any, today: date) -> bool:
    """Write one threshold value into a situation's data; False if it has no place."""
    root, _, field = name.partition(".")
    transaction = data["transaction"]
    if name in _DATE_FIELDS:
        return _place_date(data, name, value)
    if name in ("days_since_purchase", "customer_tenure_days"):
        if not isinstance(value, int) or value < 0:
            return False
        moment = today - timedelta(days=value)
        if name == "customer_tenure_days":
            data["customer"]["member_since"] = moment
            return True
        if transaction is None:
            return False
        transaction["purchased_at"] = moment
        if transaction.get("delivered_at") is not None:  # received on or after the purchase
            transaction["delivered_at"] = max(transaction["delivered_at"], moment)
        return True
    if name == "days_since_received":
        return _place_received(transaction, value, today)
    if name in ("item_total", "transaction_total", "request.quantity", QUANTITY_SHAPE):
        return _place_quantity(data, name, value)
    if field.startswith("attributes."):
        record = transaction["items"][0] if root == "item" and transaction else data.get(root)
        if not isinstance(record, dict):
            return False
        record["attributes"][field.split(".", 1)[1]] = value
        return True
    if name in ("item_price", "item.unit_price") or root == "item":
        if transaction is None:
            return False
        transaction["items"][0][field if root == "item" else "unit_price"] = value
        return True
    if root in ("customer", "request", "case") and data.get(root) is not None and "." not in field:
        data[root][field] = value
        return True
    return False


def _place_date(data: dict[str, Any], name: str, value: Any) -> bool:
    """A date the policy tests (a season's first or last day, a day either side):
    written as it is when it keeps the situation's dates in order (a purchase before
    the request), else every date moved by the same number of days, so the days since
    purchase, delivery and membership stay what they were drawn as."""
    if not isinstance(value, date):
        return False
    root, _, field = ("request.requested_at" if name == "today" else name).partition(".")
    record = data.get(root)
    current = record.get(field) if isinstance(record, dict) else None
    if not isinstance(record, dict) or not isinstance(current, date):
        return False
    record[field] = value
    if not _in_order(data):
        record[field] = current
        try:
            _move(data, value - current)
        except OverflowError:
            return False
    return True


def _in_order(data: dict[str, Any]) -> bool:
    requested: date = data["request"]["requested_at"]
    since = data["customer"].get("member_since")
    if since is not None and since > requested:
        return False
    transaction = data["transaction"]
    if transaction is None:
        return True
    purchased, delivered = transaction["purchased_at"], transaction.get("delivered_at")
    return purchased <= requested and (delivered is None or purchased <= delivered)


def _move(data: dict[str, Any], delta: timedelta) -> None:
    for root, field in _DATES:
        record = data.get(root)
        if isinstance(record, dict) and isinstance(record.get(field), date):
            record[field] += delta
    if isinstance(data.get("as_of"), date):
        data["as_of"] += delta


def _place_received(transaction: dict[str, Any] | None, value: Any, today: date) -> bool:
    """`days_since_received`: a delivery that many days ago (and a purchase no later);
    on a sale with no delivery date, the purchase that many days ago, which the fact
    falls back to, so both ways of counting meet each threshold."""
    if transaction is None or not isinstance(value, int) or value < 0:
        return False
    moment = today - timedelta(days=value)
    if transaction.get("delivered_at") is None:
        transaction["purchased_at"] = moment
        return True
    transaction["delivered_at"] = moment
    transaction["purchased_at"] = min(transaction["purchased_at"], moment)
    return True


def _place_quantity(data: dict[str, Any], name: str, value: Any) -> bool:
    """`request.quantity`, `item_total`, `transaction_total` and a (request, line)
    quantity pair: the one line's quantity and price.  A total is met at a quantity
    above one when the price divides into whole cents (so `item_price` times
    `request.quantity` is what is tested), else one unit at the total's price."""
    transaction = data["transaction"]
    if transaction is None:
        return False
    line, request = transaction["items"][0], data["request"]
    if name == QUANTITY_SHAPE:
        asked, held = value
        line["quantity"], request["quantity"] = held, asked
        return True
    if name == "request.quantity":
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            return False
        line["quantity"] = max(line["quantity"], value)
        request["quantity"] = value
        return True
    if not isinstance(value, int | Decimal) or isinstance(value, bool) or value < 0:
        return False
    units = request["quantity"] if name == "item_total" else line["quantity"]
    price = Decimal(value) / units
    if units > 1 and price == price.quantize(_CENT):
        line["unit_price"] = price.quantize(_CENT)
        return True
    line["unit_price"], line["quantity"], request["quantity"] = value, 1, 1
    return True
