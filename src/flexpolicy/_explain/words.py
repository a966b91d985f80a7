"""The vocabulary: every word flexpolicy uses for values, fields, remedies, roles and comparisons.

One place, so that a decision's rationale, the one-page document of `flexpolicy doc` and
the terminal say the same thing the same way: "a free repair", "store manager", "days
since purchase", "at least 4".  Two wording engines read it - `phrases` words a decision
(clauses with the values it saw: "bought 40 days ago; the window is 30 days") and
`_authoring.doc` words a policy (value-free modifiers: "within 30 days of purchase") -
and the terminal reads the remedy and role words.

The nouns of the fields, their yes/no clauses, their units, and which are internal or
changeable by a customer are data of the catalog (`_lang.catalog`), next to the types;
the functions here look them up.  What a field needs beyond its noun (a document's
modifiers, labels with words of their own, a level that is never counted) is
`FIELD_WORDS`, keyed by the dotted path an author writes.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from .._facts.numbers import DECIMALS
from .._lang import checked as c
from .._lang import types as t
from .._lang.catalog import BUILTINS, RECORDS, ROOTS, FieldSpec, attribute_is_internal
from .._lang.ops import unparse

Audience = Literal["staff", "customer"]


def humanize(name: str) -> str:
    """An identifier as words: `store_credit` is "store credit"."""
    return name.replace("_", " ").replace("-", " ")


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def known_words(known: bool) -> str:
    return "known" if known else "not known"


def always_never(holds: bool) -> str:
    """A condition that is a constant: `when: true` holds "always"."""
    return "always" if holds else "never"


# -- values --------------------------------------------------------------------------


def fmt(value: Any, kind: t.Type | None = None, unit: str | None = None) -> str:
    """A value a decision saw, as a person would write it."""
    if value is None:
        return "not known"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | Decimal):
        text = _number(value, money=kind is not None and kind.kind is t.Kind.MONEY)
        return f"{text} {unit}" if unit else text
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return humanize(value) if value.replace("_", "").isalnum() and value.islower() else value
    if isinstance(value, frozenset | set | tuple | list):
        items = sorted(fmt(v) for v in value)
        return ", ".join(items) if items else "none"
    return str(value)


# Beyond these a number is shown in scientific notation (`1.235E+30`): no till
# holds one, a rule that computes one is wrong, and writing it out in full could take
# a million digits (Python refuses to print an int of more than 4,300).
_WRITTEN_OUT = 10**21
_SMALLEST_WRITTEN_OUT = Decimal("1E-12")


def _number(value: int | Decimal, *, money: bool) -> str:
    if isinstance(value, int) and -_WRITTEN_OUT < value < _WRITTEN_OUT:
        return str(value)
    exact = Decimal(value)  # exact for an int of any size
    size = exact.copy_abs()  # no context: it cannot overflow
    if size >= _WRITTEN_OUT or (size and size < _SMALLEST_WRITTEN_OUT and not money):
        return f"{exact:.3E}"
    if money:
        return f"{exact.quantize(Decimal('0.01'), context=DECIMALS):,}"
    return f"{exact.normalize(DECIMALS):f}"


def money(value: Any) -> str:
    return fmt(value, t.MONEY)


def param_words(value: Any) -> str:
    """A param's value in a policy's document: 30, 12.50, yes, 2026-11-01, wrong item sold.

    Not `fmt`: a document shows the author's numbers without thousands separators, and
    a list of values as the choice it offers ("opened or used").
    """
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() else f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list | frozenset | set):
        return either([param_words(v) for v in value])
    return str(value) if isinstance(value, int) else humanize(str(value))


def either(words: list[str], joiner: str = "or") -> str:
    """ "a, b or c" (or "and"); "none" for an empty list (a param the store has yet to fill)."""
    if not words:
        return "none"
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {joiner} {words[-1]}"


# -- remedies and roles --------------------------------------------------------------

REMEDY_WORDS: dict[str, str] = {
    "refund": "a refund",
    "store_credit": "store credit",
    "exchange": "an exchange",
    "replacement": "a replacement",
    "repair": "a free repair",
    "price_adjustment": "a price adjustment",
    "fee_waiver": "to waive the fee",
    "gift_card": "a gift card",
    "complimentary_item": "a complimentary item",
    "callback": "a call back",
}


def remedy_words(remedy: str | None) -> str:
    """What is offered: "a free repair", "store credit"; "this" for no remedy."""
    if remedy is None:
        return "this"
    return REMEDY_WORDS.get(remedy, humanize(remedy))


def role_words(role: str) -> str:
    """A role of the ladder as staff say it: "store manager"."""
    return humanize(role)


def a_role(role: str) -> str:
    """ "a store manager", "an assistant manager"."""
    word = role_words(role)
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def role_for_customers(role: str, roles: tuple[str, ...], rank: dict[str, int]) -> str:
    """Who, in a customer's words: "a member of staff", "a supervisor" or "a manager".

    A customer needs to know whom to ask, not the store's ladder: the lowest rung is
    staff, the top rung and any manager a manager, anything between a supervisor.
    """
    if rank.get(role, 0) == 0 and len(roles) > 1:
        return "a member of staff"
    if "supervisor" in role or ("manager" not in role and role != roles[-1]):
        return "a supervisor"
    return "a manager"


# -- fields, built-ins and facts -------------------------------------------------------


def field_spec(expr: c.Expr) -> FieldSpec | None:
    """The catalog's entry for a field (its noun, yes/no, unit, visibility)."""
    if not isinstance(expr, c.Field):
        return None
    record = ROOTS[expr.root].record
    spec: FieldSpec | None = None
    for name in expr.path:
        if record is None or record == "attributes":
            return spec
        spec = RECORDS[record].get(name)
        if spec is None:
            return None
        record = spec.type.record if spec.type.kind is t.Kind.RECORD else None
    return spec


def noun(expr: c.Expr) -> str:
    """What a value is called: "days since purchase", "customer tier", "receipt"."""
    match expr:
        case c.Field(root="customer", path=("attributes", name)):
            return f"customer attribute {humanize(name)}"
        case c.Field(path=("attributes", name)):
            return humanize(name)  # the request's, item's or sale's: "data wiped"
        case c.Field():
            spec = field_spec(expr)
            return spec.noun if spec else humanize(expr.path[-1])
        case c.Builtin(name=name):
            return BUILTINS[name].noun
        case c.FactRef(name=name):
            return humanize(name)
        case c.Const(origin=str() as origin):
            return humanize(origin)
        case c.Call():
            found = _call_noun(expr)
            if found is not None:
                return found
        case c.If(then=then, other=other):
            return f"{noun(then)} or {noun(other)}, as the case may be"
    return unparse(expr)


_DATE_PARTS = {"year": "year", "month": "month", "day": "day of the month", "weekday": "weekday"}


def month_day_words(text: Any) -> str:
    """`"10-28"` as "October 28"."""
    if not isinstance(text, str) or len(text) != 5:
        return str(text)
    return f"{_calendar.month_name[int(text[:2])]} {int(text[3:])}"


def _call_noun(expr: c.Call) -> str | None:
    """Nouns for the date, map and size functions: "the month of the purchase date"."""
    args = expr.args
    if expr.func in _DATE_PARTS:
        return f"the {_DATE_PARTS[expr.func]} of the {noun(args[0])}"
    if expr.func == "add_days":
        days = args[1].value if isinstance(args[1], c.Const) else None
        count = f"{days} days" if days is not None else noun(args[1])
        return f"{count} after the {noun(args[0])}"
    if expr.func == "next_date" and isinstance(args[1], c.Const):
        return f"the first {month_day_words(args[1].value)} from the {noun(args[0])}"
    if expr.func == "business_days_between":
        return f"business days from the {noun(args[0])} to {noun(args[1])}"
    if expr.func == "lookup":
        return f"the {noun(args[0])} for the {noun(args[1])}"
    if expr.func == "len" and isinstance(args[0], c.Field | c.FactRef):
        # `len(request.attributes.tags)`: "the number of tags", never the expression.
        return f"the number of {noun(args[0])}"
    return None


def unit_of(expr: c.Expr) -> str | None:
    """The unit a number is shown with ("92 days"), if any."""
    if isinstance(expr, c.Builtin):
        return BUILTINS[expr.name].unit
    spec = field_spec(expr)
    return spec.unit if spec else None


def is_internal(
    expr: c.Expr,
    facts: dict[str, Any],
    seen: set[str] | None = None,
    public: Mapping[str, bool] | None = None,
) -> bool:
    """Whether an expression reads a score, flag or other field customers never see.

    Each fact is followed once (`seen`), so facts built on facts cost linear time.
    `public` is the policy's `attributes:` (`PolicyIR.attribute_public`): a store
    attribute is internal as declared, else when it is the customer's.
    """
    seen = set() if seen is None else seen
    for node in c.walk(expr):
        if isinstance(node, c.Field):
            if node.path[:1] == ("attributes",):
                if len(node.path) < 2 or attribute_is_internal(node.root, node.path[1], public):
                    return True
                continue
            spec = field_spec(node)
            if (spec is not None and spec.internal) or node.root == "actor":
                return True
        if isinstance(node, c.FactRef) and node.name in facts and node.name not in seen:
            seen.add(node.name)
            if is_internal(facts[node.name].expr, facts, seen, public):
                return True
    return False


@dataclass(frozen=True, slots=True)
class FieldWords:
    """How one field is worded beyond its noun (see `FIELD_WORDS`)."""

    # A true/false field as a document's modifier, true then false ("with a receipt").
    # Decisions use the catalog's yes/no clauses ("there is a receipt") instead.
    modifiers: tuple[str, str] | None = None
    # `item in field` for a set field, holding then not, with `{item}` for the item:
    # as a clause for decisions, as a modifier for documents.
    includes: tuple[str, str] | None = None
    includes_modifier: tuple[str, str] | None = None
    # Its values are labels with words of their own (`LABELS`): "a duplicate charge".
    labels: bool = False
    # A level, compared as written ("customer tier at least 4"): never counted
    # ("4 or more ...") and never "no ..." for a zero.
    level: bool = False


FIELD_WORDS: dict[str, FieldWords] = {
    "request.store_at_fault": FieldWords(modifiers=("the mistake was ours", "not our mistake")),
    "request.has_receipt": FieldWords(modifiers=("with a receipt", "without a receipt")),
    "request.packaging_intact": FieldWords(
        modifiers=("with the original packaging", "without the original packaging")
    ),
    "item.final_sale": FieldWords(modifiers=("sold as final sale", "not sold as final sale")),
    "request.reason": FieldWords(labels=True),
    "request.item_condition": FieldWords(labels=True),
    "customer.tier": FieldWords(level=True),
    "customer.flags": FieldWords(
        includes=("the account is flagged {item}", "the account is not flagged {item}"),
        includes_modifier=("account flagged {item}", "account not flagged {item}"),
    ),
}
NO_WORDS = FieldWords()


def field_words(expr: c.Expr) -> FieldWords:
    """`FIELD_WORDS` for a field; the empty entry for anything else."""
    return FIELD_WORDS.get(expr.dotted, NO_WORDS) if isinstance(expr, c.Field) else NO_WORDS


# Request reasons and item conditions as modifiers ("a duplicate charge: a refund").
LABELS = {
    "defective": "faulty", "double_charge": "a duplicate charge", "overcharged": "an overcharge",
    "price_error": "a price error", "price_drop": "our price dropped",
    "new_customer_offer": "a new-customer offer", "damaged_in_transit": "delivered damaged",
    "late_delivery": "delivered late", "wrong_item_sold": "we sold the wrong item",
    "changed_mind": "a change of mind",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class WindowWords:
    """A count of days people say as a window rather than as a number."""

    held: str  # a decision, the window kept: `{v}` the days, `{c}` the window
    missed: str  # a decision, the window missed
    needs: str  # what must hold for a decision to keep it
    modifiers: dict[str, str]  # a document, by operator (`{n}` the window)
    counted: str  # a document, any other operator: counted in these words


WINDOWS: dict[str, WindowWords] = {
    "days_since_purchase": WindowWords(
        held="bought {v} days ago, within the {c}-day window",
        missed="bought {v} days ago; the window is {c} days",
        needs="bought within the last {c} days",
        modifiers={"<=": "within {n} days of purchase", ">": "more than {n} days after purchase"},
        counted="days after purchase",
    ),
    # "The return period begins the day you receive your product."
    "days_since_received": WindowWords(
        held="received {v} days ago, within the {c}-day window",
        missed="received {v} days ago; the window is {c} days",
        needs="received within the last {c} days",
        modifiers={
            "<=": "within {n} days of receiving it",
            ">": "more than {n} days after receiving it",
        },
        counted="days since it was received",
    ),
}
# The operators a decision words as a window kept or missed (`days <= 30`).
WITHIN = ("<=", "<")

# Facts named for a period ("waivers_12m") as "waivers in the last 12 months".
PERIODS = {"12m": "in the last 12 months", "90d": "in the last 90 days",
           "14d": "in the last 14 days"}  # fmt: skip


# -- comparisons -----------------------------------------------------------------------

# A decision's comparison as it came out, held then not: `{n}` the noun, `{v}` its
# value, `{c}` what it was compared with.
CLAUSES: dict[str, tuple[str, str]] = {
    "<=": ("{n} is {v}, within {c}", "{n} is {v}, over the limit of {c}"),
    "<": ("{n} is {v}, under {c}", "{n} is {v}, not under {c}"),
    ">=": ("{n} is {v}, at least {c}", "{n} is {v}, below the {c} needed"),
    ">": ("{n} is {v}, above {c}", "{n} is {v}, not above {c}"),
    "==": ("{n} is {c}", "{n} is {v}, not {c}"),
    "!=": ("{n} is not {c}", "{n} is {v}"),
}
# What a decision's comparison needs to hold (after the noun).
NEEDS = {
    "<=": "at most {c}",
    "<": "under {c}",
    ">=": "at least {c}",
    ">": "above {c}",
    "==": "is {c}",
    "!=": "is not {c}",
}
# A document's comparison of a noun with a value, a count, or a date.
BOUNDS = {"<=": "at most", "<": "under", ">=": "at least", ">": "over", "==": "is",
          "!=": "is not"}  # fmt: skip
COUNTS = {"<=": "at most {n} {w}", "<": "fewer than {n} {w}", ">=": "{n} or more {w}",
          ">": "more than {n} {w}", "==": "exactly {n} {w}",
          "!=": "not exactly {n} {w}"}  # fmt: skip
DATES = {"<": "before", "<=": "on or before", ">": "after", ">=": "on or after", "==": "on",
         "!=": "not on"}  # fmt: skip


def includes(holds: bool) -> str:
    """A set field's noun holding an item or not: "account flags include ..."."""
    return "include" if holds else "do not include"
