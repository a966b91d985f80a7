"""The date functions of the language: parts of a date, seasons, business days.

Every function is total: a missing date, or a result outside the calendar
(years 1 to 9999), is unknown (`None`), as date arithmetic already is.

A month-day (`"MM-DD"`) is checked when the policy loads (`month_day`).
`"02-29"` is allowed: in a year without a 29 February it falls on the 28th
(the last day of February), so a season ending on `"02-29"` always takes the
whole of February and `next_date(d, "02-29")` is never more than a year away.
"""

from __future__ import annotations

import calendar as _cal
from datetime import date, timedelta
from typing import Any

from .values import Calendar

__all__ = [
    "add_days",
    "business_days_between",
    "in_season",
    "month_day",
    "next_date",
    "on_day",
]

_LEAP = 2024  # a leap year: which month-days exist at all


def month_day(text: str) -> tuple[int, int] | None:
    """`"10-28"` as (10, 28); None for text that is not a day of the year."""
    if len(text) != 5 or text[2] != "-" or not (text[:2] + text[3:]).isdigit():
        return None
    month, day = int(text[:2]), int(text[3:])
    if not 1 <= month <= 12 or not 1 <= day <= _cal.monthrange(_LEAP, month)[1]:
        return None
    return month, day


def on_day(year: int, md: tuple[int, int]) -> date:
    """The month-day `md` in `year` (29 February falls on the 28th in other years)."""
    month, day = md
    return date(year, month, min(day, _cal.monthrange(year, month)[1]))


def _md(value: Any) -> tuple[int, int] | None:
    return month_day(value) if isinstance(value, str) else None


def in_season(d: Any, start: Any, end: Any) -> bool | None:
    """Whether `d` falls from `start` to `end` (inclusive); a start after the end wraps
    the new year (`"12-01"` to `"01-15"`)."""
    first, last = _md(start), _md(end)
    if not isinstance(d, date) or first is None or last is None:
        return None
    low, high = on_day(d.year, first), on_day(d.year, last)
    if first <= last:
        return low <= d <= high
    return d >= low or d <= high


def next_date(d: Any, md_text: Any) -> date | None:
    """The first `md_text` day on or after `d`."""
    md = _md(md_text)
    if not isinstance(d, date) or md is None:
        return None
    found = on_day(d.year, md)
    if found >= d:
        return found
    return None if d.year >= 9999 else on_day(d.year + 1, md)


def add_days(d: Any, n: Any) -> date | None:
    if not isinstance(d, date) or not isinstance(n, int) or isinstance(n, bool):
        return None
    try:
        return d + timedelta(days=n)
    except OverflowError:
        return None


def _working(start: date, end: date, cal: Calendar) -> int:
    """Working days in (start, end], start <= end."""
    span = (end - start).days
    weeks, rest = divmod(span, 7)
    count = weeks * (7 - len(cal.weekend))
    day = start.isoweekday()
    for _ in range(rest):
        day = day % 7 + 1
        if day not in cal.weekend:
            count += 1
    count -= sum(1 for h in cal.holidays if start < h <= end and h.isoweekday() not in cal.weekend)
    return count


def business_days_between(a: Any, b: Any, cal: Any) -> int | None:
    """Working days after `a` up to and including `b` (weekends and the calendar's
    holidays left out); negative when `b` is before `a`."""
    if not isinstance(a, date) or not isinstance(b, date) or not isinstance(cal, Calendar):
        return None
    return _working(a, b, cal) if a <= b else -_working(b, a, cal)
