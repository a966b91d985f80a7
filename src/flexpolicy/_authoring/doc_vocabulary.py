"""The vocabulary of a policy's page: nouns, channels, verbs and how values are shown.

Kept apart from `doc_phrase`'s walk of the checked tree so the words a page uses can be
read (and changed) in one place: money with its cents, dates as people write them,
labels and attributes as modifiers, shares of a price as percentages.
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal
from typing import Any

from .._explain import words as w
from .._lang import checked as c
from .._lang import types as t

# Nouns a page uses where the catalog's are a developer's ("transaction total").
NOUNS = {
    "item_total": "the item's price",
    "item_price": "the item's unit price",
    "transaction_total": "the purchase total",
}
# A document's words for channels, by what the channel is of (`request.channel`: how it
# came back; `transaction.channel`: how it was bought), and the verb of each.
CHANNELS = {"mail": "by mail", "in_store": "in a store", "online": "online",
             "phone": "by phone", "store": "in a store"}  # fmt: skip
VERBS = {
    "request.channel": "returned",
    "transaction.channel": "bought",
    "request.region": "returned in",
    "transaction.region": "bought in",
    "transaction.payment_method": "paid by",
}
# Irregular past participles: a true/false attribute named by a state ("worn").
STATES = frozenset(
    ("worn", "torn", "broken", "seen", "given", "taken", "written", "done", "gone", "known",
     "shown", "sold", "paid", "made", "kept", "lost", "sent", "bought", "left")
)  # fmt: skip
ARITH = {"+": "plus", "-": "minus", "*": "times", "/": "divided by"}
RATED = ("item_total", "item_price", "transaction_total")  # prices a fee can be a share of


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def dedupe(words: list[str]) -> list[str]:
    return list(dict.fromkeys(words))


def date_words(value: date) -> str:
    """A date as people write it: "November 26, 2020", never `2020-11-26` (DESIGN 2.4)."""
    return f"{calendar.month_name[value.month]} {value.day}, {value.year}"


def shown(value: Any, kind: t.Type | None = None) -> str:
    """A param's value on the page: money with its cents ("45.00"), dates in words."""
    if isinstance(value, date):
        return date_words(value)
    money = kind is not None and kind.kind is t.Kind.MONEY
    if money and isinstance(value, int | Decimal) and not isinstance(value, bool):
        return f"{Decimal(value):.2f}"
    return w.param_words(value)


def literal(expr: c.Expr) -> tuple[Any, ...] | None:
    """The constant values of a literal or a list of literals; None if not constant."""
    if isinstance(expr, c.Const):
        return tuple(expr.value) if isinstance(expr.value, tuple | list) else (expr.value,)
    if isinstance(expr, c.ListExpr) and all(isinstance(i, c.Const) for i in expr.items):
        return tuple(i.value for i in expr.items if isinstance(i, c.Const))
    return None


def labels(values: tuple[Any, ...], holds: bool) -> str:
    """Labels as modifiers: "faulty or delivered damaged", "neither ... nor ..."."""
    words = dedupe([w.LABELS.get(str(v), w.humanize(str(v))) for v in values])
    if holds:
        return w.either(words)
    return f"not {words[0]}" if len(words) == 1 else f"neither {' nor '.join(words)}"


def attribute(name: str, holds: bool, *, thing: bool) -> str:
    """A true/false attribute from its name: "worn", "tags not attached", "with all contents".

    A name ending in a state (a past participle) reads as that state; any other is what
    the item is (`item.used_gear`: "used gear") or what the request comes with.
    """
    words = w.humanize(name).split()
    last = words[-1]
    if last.endswith("ed") or last in STATES:
        if holds:
            return " ".join(words)
        return " ".join([*words[:-1], "not", last])
    if thing:
        return " ".join(words) if holds else f"not {' '.join(words)}"
    return f"{'with' if holds else 'without'} {' '.join(words)}"


def categories(values: tuple[Any, ...], holds: bool) -> str:
    """An item's category is named by it: "cell phone or camera", "other than apparel"."""
    return f"{'' if holds else 'other than '}{w.param_words(values)}"


def same(a: c.Expr, b: c.Expr) -> bool:
    return isinstance(a, c.Const) and isinstance(b, c.Const) and a.value == b.value


def rated(expr: c.Expr) -> tuple[str, Decimal] | None:
    """(`item_total`, 0.15) for `item_total * 0.15`: a share of a price, at most all of it."""
    if not (isinstance(expr, c.Arith) and expr.op == "*"):
        return None
    for base, rate in ((expr.left, expr.right), (expr.right, expr.left)):
        if isinstance(base, c.Builtin) and base.name in RATED and isinstance(rate, c.Const):
            value = rate.value
            if isinstance(value, Decimal) and 0 < value <= 1:
                return base.name, value
    return None


def percent(rate: Decimal | int) -> str:
    share = (Decimal(rate) * 100).normalize()
    return f"{share:f}%"


def shared_place(parts: list[str]) -> str | None:
    """ "bought in AL or CO" and "returned in AL or CO" as "bought and returned in AL or CO"."""
    if len(parts) < 2:
        return None
    split = [p.partition(" in ") for p in parts]
    if all(sep and rest == split[0][2] for _, sep, rest in split):
        return f"{w.either([head for head, _, _ in split], 'and')} in {split[0][2]}"
    return None
