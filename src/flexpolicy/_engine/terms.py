"""The money and dates of a decision's terms (DESIGN.md 2.3), in one place for every engine.

- `item_total`: what the customer paid for the units being returned;
- `default_amount`: what an approval stands for when its rule says no `amount:` -
  the item's total less the fee (never below zero), lowered (never raised) by
  `request.amount`; without an item, `request.amount`.  Asking for more than was
  paid never gets more;
- `due_date`: when a promise falls due, counted from `as_of` in calendar days or
  in business days (weekends and the policy's holidays skipped).

The generated matcher's amount functions call these, so the native and durable
engines (which share those functions) and the explanation agree by construction.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from .._facts.numbers import DECIMALS

__all__ = ["WEEKEND", "default_amount", "due_date", "item_total"]

ZERO = Decimal(0)
WEEKEND = frozenset({5, 6})  # Saturday, Sunday (`date.weekday()`)


def item_total(request: Any, item: Any) -> Decimal | None:
    """The item's price times the units the request is about (`Request.quantity`,
    1 unless it says more), as the built-in fact `item_total` reads it (`context`)."""
    if item is None:
        return None
    quantity: int = request.quantity
    price: Decimal = item.unit_price
    return price if quantity == 1 else DECIMALS.multiply(price, Decimal(quantity))


def default_amount(request: Any, item: Any, fee: Decimal | None) -> Decimal | None:
    """What an approval without `amount:` stands for (see the module's docstring)."""
    asked: Decimal | None = request.amount
    total = item_total(request, item)
    if total is None:
        return None if asked is None else Decimal(asked)
    if fee is not None and fee > 0:  # a negative fee never raises the amount
        total = max(ZERO, DECIMALS.subtract(total, fee))
    if asked is not None and asked < total:
        return Decimal(asked)
    return total


def due_date(
    start: date,
    days: int,
    *,
    business: bool,
    holidays: Collection[date] = (),
    weekend: Collection[int] = WEEKEND,
) -> date:
    """`days` after `start`; business days skip the weekend and `holidays`.

    Zero business days is `start` itself, even on a weekend: the promise is
    "today".
    """
    if not business:
        return start + timedelta(days=days)
    current, left = start, days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() not in weekend and current not in holidays:
            left -= 1
    return current
