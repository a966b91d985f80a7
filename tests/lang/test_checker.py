"""The type checker on its own, against the real catalog of fields and built-ins.

A well-typed expression gets a type (its kind and whether it may be missing,
which is what makes a comparison *unknown*); an ill-typed one gets every problem
at once, each with a stable `code`, the offset it points at and, where the
checker has one, a hint (a did-you-mean suggestion is checked by the name it
suggests, not by its wording).
"""

from __future__ import annotations

import decimal
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from flexpolicy._lang import checked as c
from flexpolicy._lang import types as t
from flexpolicy._lang.checker import Checked, Scope, check_text
from flexpolicy._lang.values import ParamMap

PARAMS: dict[str, Any] = {
    "window_days": 30,
    "rate": Decimal("0.15"),
    "label": "x",
    "kinds": ["return", "exchange"],
    "flag": True,
    "windows": ParamMap({"standard": 15, "Plus": 30}),
    "fees": ParamMap({"phone": Decimal("35.00")}),
}


def scope(roots: frozenset[str] | None = None) -> Scope:
    """Five params and one true/false fact, `loyal`."""
    return Scope(
        params=PARAMS,
        fact_names=frozenset({"loyal"}),
        fact_type=lambda _name: t.BOOL,
        roots=roots,
    )


def checked(text: str, *, want_bool: bool = False) -> c.Expr:
    result = check_text(text, scope(), want_bool=want_bool)
    assert result.problems == [], [(p.code, p.message) for p in result.problems]
    assert result.expr is not None
    return result.expr


def problems(result: Checked) -> list[tuple[str, int]]:
    return [(p.code, p.start) for p in result.problems]


# -- types of well-typed expressions ---------------------------------------------------

K = t.Kind

# (text, kind, nullable)
TYPES = [
    pytest.param("customer.tier >= 4", K.BOOL, False, id="tier-compare"),
    pytest.param("customer.segment", K.STR, True, id="optional-field"),
    pytest.param('customer.segment == "vip"', K.BOOL, True, id="compare-optional-is-nullable"),
    pytest.param('"abusive" in customer.flags', K.BOOL, False, id="membership"),
    pytest.param("customer.attributes.vip", K.ANY, True, id="attribute-is-any"),
    pytest.param("request.amount", K.MONEY, True, id="optional-money"),
    pytest.param("request.store_at_fault", K.BOOL, False, id="flag-with-default"),
    pytest.param('request.item_condition == "used"', K.BOOL, True, id="choice-compare"),
    pytest.param("item", K.RECORD, True, id="item-root-may-be-missing"),
    pytest.param("item.unit_price", K.MONEY, True, id="field-of-optional-root"),
    pytest.param("transaction.purchased_at", K.DATE, True, id="date-of-optional-root"),
    pytest.param("item.unit_price * 2", K.MONEY, True, id="money-times-int"),
    pytest.param("if flag then 1 else 2", K.INT, False, id="if-int"),
    pytest.param("if flag then 1 else rate", K.NUMBER, False, id="if-widens"),
    pytest.param("if loyal then item.unit_price else 0", K.MONEY, True, id="if-nullable-branch"),
    pytest.param('if customer.tier > 3 then "a" else "b"', K.STR, False, id="if-text"),
    pytest.param('if customer.segment == "x" then 1 else 2', K.INT, True, id="if-unknown-cond"),
    pytest.param("if flag then 1 else if loyal then 2 else 3", K.INT, False, id="else-if"),
    pytest.param("if flag then loyal else false", K.BOOL, False, id="if-bool"),
    pytest.param("lookup(windows, customer.segment, 10)", K.INT, False, id="lookup"),
    pytest.param("lookup(windows, customer.segment, rate)", K.NUMBER, False, id="lookup-widens"),
    pytest.param("lookup(fees, item.category, 0)", K.NUMBER, False, id="lookup-decimal"),
    pytest.param(
        'lookup(windows, "plus", item.unit_price)', K.MONEY, True, id="lookup-null-default"
    ),
    pytest.param("year(transaction.purchased_at)", K.INT, True, id="year"),
    pytest.param("weekday(today)", K.INT, False, id="weekday"),
    pytest.param("add_days(today, 3)", K.DATE, True, id="add-days-may-leave-the-calendar"),
    pytest.param('in_season(today, "10-28", "01-12")', K.BOOL, False, id="in-season"),
    pytest.param('next_date(today, "02-29")', K.DATE, True, id="next-date-leap-day"),
    pytest.param("business_days_between(today, today)", K.INT, False, id="business-days"),
    pytest.param("item.unit_price % 2", K.MONEY, True, id="money-modulo"),
    pytest.param("customer.tier / 2", K.NUMBER, True, id="int-over-int-is-number"),
    pytest.param("customer.tier % 2", K.INT, True, id="int-modulo-int"),
    pytest.param("customer.tier + 1.5", K.NUMBER, False, id="int-plus-number"),
    pytest.param("-customer.tier", K.INT, False, id="negation"),
    pytest.param("request.requested_at - customer.member_since", K.INT, True, id="date-minus-date"),
    pytest.param("request.requested_at + 3", K.DATE, True, id="date-plus-days-may-leave-calendar"),
    pytest.param("3 + request.requested_at", K.DATE, True, id="days-plus-date"),
    pytest.param("days_since_purchase", K.INT, True, id="builtin-days"),
    pytest.param("today", K.DATE, False, id="builtin-today"),
    pytest.param("customer.tier < 3 < 5", K.BOOL, False, id="chain"),
    pytest.param("not request.has_receipt", K.BOOL, True, id="not-keeps-nullable"),
    pytest.param("loyal and customer.tier > 1", K.BOOL, False, id="fact-and-compare"),
    pytest.param("customer.attributes.vip and true", K.BOOL, True, id="attribute-as-condition"),
    pytest.param("params.window_days", K.INT, False, id="params-dot"),
    pytest.param("rate", K.NUMBER, False, id="decimal-param-is-number"),
    pytest.param("[1, 2.5]", K.LIST, False, id="list-widens"),
    pytest.param("min(1, 2.5)", K.NUMBER, False, id="min-widens"),
    pytest.param("round(2.5)", K.INT, False, id="round-to-whole"),
    pytest.param("round(item.unit_price, 2)", K.MONEY, True, id="round-places-keeps-type"),
    pytest.param(
        "days_between(customer.member_since, request.requested_at)", K.INT, True, id="days-between"
    ),
    pytest.param("known(item)", K.BOOL, False, id="known-never-missing"),
    pytest.param('coalesce(customer.segment, "none")', K.STR, False, id="coalesce-fills-in"),
    pytest.param("coalesce(customer.tier, 1.5)", K.NUMBER, False, id="coalesce-widens"),
]


@pytest.mark.parametrize(("text", "kind", "nullable"), TYPES)
def test_type(text: str, kind: t.Kind, nullable: bool) -> None:
    expr = checked(text)
    assert (expr.type.kind, expr.type.nullable) == (kind, nullable)


# -- the typed tree --------------------------------------------------------------------

TREES = [
    pytest.param('date("2026-01-31")', c.Const(t.DATE, 0, 18, date(2026, 1, 31)), id="date-folded"),
    pytest.param("-1.5", c.Const(t.NUMBER, 0, 4, Decimal("-1.5")), id="negative-literal-folded"),
    pytest.param("window_days", c.Const(t.INT, 0, 11, 30, "window_days"), id="param-folded"),
    pytest.param(
        "[1, 2.5]",
        c.Const(t.list_of(t.NUMBER), 0, 8, (1, Decimal("2.5")), spans=((1, 2), (4, 7))),
        id="constant-list",
    ),
    pytest.param("[]", c.Const(t.list_of(t.STR), 0, 2, ()), id="empty-list-is-text"),
    pytest.param(
        "customer.attributes.vip",
        c.Call(
            t.BOOL.maybe(),
            0,
            23,
            "as_bool",
            (c.Field(t.ANY, 0, 23, "customer", ("attributes", "vip")),),
        ),
        id="attribute-as-condition-is-as-bool",
    ),
    pytest.param(
        "1 < customer.tier < 5",
        c.And(
            t.BOOL,
            0,
            21,
            (
                c.Cmp(
                    t.BOOL,
                    0,
                    17,
                    "<",
                    c.Const(t.INT, 0, 1, 1),
                    c.Field(t.INT, 4, 17, "customer", ("tier",)),
                ),
                c.Cmp(
                    t.BOOL,
                    4,
                    21,
                    "<",
                    c.Field(t.INT, 4, 17, "customer", ("tier",)),
                    c.Const(t.INT, 20, 21, 5),
                ),
            ),
        ),
        id="chain-becomes-and",
    ),
]


@pytest.mark.parametrize(("text", "expected"), TREES)
def test_tree(text: str, expected: c.Expr) -> None:
    assert checked(text, want_bool=expected.type.kind is t.Kind.BOOL) == expected


# Label fields are compared normalised: the literal is normalised, not the field.
LABELS = [
    pytest.param("customer.segment == 'VIP '", "vip", id="label-equality"),
    pytest.param("'Wrong_Item_Sold' == request.reason", "wrong_item_sold", id="label-on-right"),
    pytest.param("coalesce(customer.segment, 'X') == 'Y'", "y", id="through-coalesce"),
    pytest.param("actor.role == 'X'", "X", id="role-is-not-a-label"),
]


@pytest.mark.parametrize(("text", "literal"), LABELS)
def test_label_literal(text: str, literal: object) -> None:
    expr = checked(text)
    assert isinstance(expr, c.Cmp)
    const = expr.right if isinstance(expr.right, c.Const) else expr.left
    assert isinstance(const, c.Const)
    assert const.value == literal


# -- ill-typed expressions -------------------------------------------------------------

# (text, code, start, hint): the hint is a part of the hint text, or None for none.
REFUSED = [
    pytest.param("customer.teir", "unknown-field", 9, "`tier`", id="field-typo"),
    pytest.param("custmer.tier", "unknown-name", 0, "`customer`", id="root-typo"),
    pytest.param("days_since_purchas", "unknown-name", 0, "`days_since_purchase`", id="builtin"),
    pytest.param("window_dayz > 1", "unknown-name", 0, "`window_days`", id="param-typo"),
    pytest.param("lyoal", "unknown-name", 0, "`loyal`", id="fact-typo"),
    pytest.param("params.window_dys", "unknown-param", 7, "`window_days`", id="params-dot-typo"),
    pytest.param("lenn(customer.flags)", "unknown-function", 0, "`len`", id="function-typo"),
    pytest.param('request.item_condition == "usedd"', "invalid-value", 26, "`used`", id="choice"),
    pytest.param(
        'request.item_condition in ["used", "brokn"]',
        "invalid-value",
        35,
        "possible values: `unused`, `opened`, `used`, `damaged`, `defective`",
        id="choice-in-list",
    ),
    pytest.param("customer.zzzzzz", "unknown-field", 9, "fields are: `id`, `tier`", id="far-off"),
    pytest.param("nope(1)", "unknown-function", 0, "functions are: `abs`", id="unknown-function"),
    pytest.param("customer.name", "hidden-field", 9, "names are for people", id="hidden-name"),
    pytest.param("customer.flags.x", "unknown-field", 15, None, id="field-of-a-set"),
    pytest.param("max(1, 2).real", "unknown-field", 10, None, id="field-of-a-call"),
    pytest.param("params.window_days.x", "unknown-field", 19, None, id="field-of-a-param"),
    pytest.param("abs", "unknown-name", 0, "call it: `abs(...)`", id="function-not-called"),
    pytest.param(
        "customer.tier == null", "null-comparison", 0, "`known(customer.tier)`", id="null"
    ),
    pytest.param('customer.tier > "4"', "type-mismatch", 0, "from 1 to 5", id="int-vs-text"),
    pytest.param('"a" < "b"', "type-mismatch", 0, "use `==` or `!=`", id="ordering-text"),
    pytest.param("customer.tier in 4", "type-mismatch", 17, "e.g. `request.reason in", id="in-int"),
    pytest.param('customer.tier in ["a"]', "type-mismatch", 0, None, id="never-in"),
    pytest.param('[1, "a"]', "type-mismatch", 4, None, id="mixed-list"),
    pytest.param("3 - request.requested_at", "type-mismatch", 1, None, id="int-minus-date"),
    pytest.param("not customer.tier", "type-mismatch", 4, "compare it with", id="not-an-int"),
    pytest.param("1 / 0", "division-by-zero", 4, None, id="divide-by-zero"),
    pytest.param('abs("x")', "type-mismatch", 4, "abs(n)", id="abs-text"),
    pytest.param("abs(1, 2)", "bad-arguments", 0, "abs(n)", id="abs-arity"),
    pytest.param("round(1, -1)", "bad-arguments", 9, None, id="round-negative-places"),
    pytest.param("len(1)", "type-mismatch", 4, "len(x)", id="len-int"),
    pytest.param("days_between(1, 2)", "type-mismatch", 13, "days_between(a, b)", id="days-ints"),
    pytest.param("coalesce(customer.segment, 1)", "type-mismatch", 27, None, id="coalesce-types"),
    pytest.param('date("2026-13-01")', "bad-arguments", 5, None, id="date-month-13"),
    pytest.param('if flag then 1 else "a"', "type-mismatch", 20, "both must be", id="if-mixed"),
    pytest.param("if 1 then 1 else 2", "type-mismatch", 3, "compare it with", id="if-int-cond"),
    pytest.param(
        'if flag then [1] else ["a"]', "type-mismatch", 22, "both must be", id="if-mixed-lists"
    ),
    pytest.param('lookup(rate, "a", 1)', "type-mismatch", 7, "under `params:`", id="lookup-no-map"),
    pytest.param("lookup(windows, 1, 1)", "type-mismatch", 16, "lookup(map", id="lookup-int-key"),
    pytest.param(
        'lookup(windows, "a", "b")', "type-mismatch", 21, "both must be", id="lookup-text-default"
    ),
    pytest.param('lookup(windows, "a")', "bad-arguments", 0, "lookup(map", id="lookup-arity"),
    pytest.param("year(1)", "type-mismatch", 5, "year(d)", id="year-of-int"),
    pytest.param("add_days(today, rate)", "type-mismatch", 16, "add_days(d, n)", id="add-decimal"),
    pytest.param(
        'in_season(today, "02-30", "03-01")', "bad-month-day", 17, "last day", id="feb-30"
    ),
    pytest.param(
        'in_season(today, "13-01", "03-01")',
        "bad-month-day",
        17,
        "month then the day",
        id="month-13",
    ),
    pytest.param(
        'in_season(today, "1-5", "03-01")', "bad-month-day", 17, "month then the day", id="short-md"
    ),
    pytest.param(
        'in_season(today, label, "03-01")', "bad-month-day", 17, "month then the day", id="md-param"
    ),
    pytest.param(
        'next_date(today, "04-31")', "bad-month-day", 17, "month then the day", id="april-31"
    ),
    pytest.param(
        'in_season(today, customer.segment, "03-01")',
        "bad-month-day",
        17,
        "in_season(d",
        id="md-not-literal",
    ),
    pytest.param("in_season(today)", "bad-arguments", 0, "in_season(d", id="season-arity"),
    pytest.param(
        "business_days_between(today, 1)",
        "type-mismatch",
        29,
        "business_days_between(a, b)",
        id="bdays-int",
    ),
]


@pytest.mark.parametrize(("text", "code", "start", "hint"), REFUSED)
def test_refused(text: str, code: str, start: int, hint: str | None) -> None:
    result = check_text(text, scope(), want_bool=False)
    assert result.expr is None
    assert problems(result) == [(code, start)]
    found = result.problems[0].hint
    if hint is None:
        assert found is None
    else:
        assert found is not None
        assert hint in found


# A condition must be true or false; `want_bool` is the default.
NOT_CONDITIONS = [
    pytest.param("customer.tier", "a whole number", "compare it with something", id="int"),
    pytest.param("customer.flags", "set of text", 'test membership, e.g. `"abusive"', id="set"),
    pytest.param("item", "a line item record", "compare it with something", id="record"),
]


@pytest.mark.parametrize(("text", "described", "hint"), NOT_CONDITIONS)
def test_not_a_condition(text: str, described: str, hint: str) -> None:
    result = check_text(text, scope())
    assert problems(result) == [("type-mismatch", 0)]
    error = result.problems[0]
    assert error.message.startswith("a condition must be true or false, but `")
    assert error.message.endswith(f"` is {described}")
    assert error.hint is not None
    assert error.hint.startswith(hint)


# Every problem at once, but no follow-on problem from a part that already failed.
MANY = [
    pytest.param(
        "customer.teir > 1 and request.kindd == 'x' or nope(1)",
        [("unknown-field", 9), ("unknown-field", 30), ("unknown-function", 46)],
        id="three-at-once",
    ),
    pytest.param("customer.teir + 1 > 'a'", [("unknown-field", 9)], id="no-follow-on"),
    pytest.param("not custmer.tier", [("unknown-name", 4)], id="none-through-not"),
]


@pytest.mark.parametrize(("text", "expected"), MANY)
def test_many_problems(text: str, expected: list[tuple[str, int]]) -> None:
    assert problems(check_text(text, scope())) == expected


# -- scope -----------------------------------------------------------------------------

ROOTS = frozenset({"customer", "today"})

# (text, code or None): a file may read only some roots and built-ins.
LIMITED = [
    pytest.param("customer.tier > 1", None, id="allowed-root"),
    pytest.param("request.kind == 'x'", "unknown-name", id="other-root"),
    pytest.param("days_since_purchase > 1", "unknown-name", id="other-builtin"),
]


@pytest.mark.parametrize(("text", "code"), LIMITED)
def test_limited_roots(text: str, code: str | None) -> None:
    result = check_text(text, scope(ROOTS))
    assert [p.code for p in result.problems] == ([] if code is None else [code])
    if code is not None:
        assert (
            result.problems[0].hint == "these rules can read `customer`, `today`, params and facts"
        )


def test_suggestions_come_only_from_what_the_file_may_read() -> None:
    hint = check_text("requst.kind == 'x'", scope(ROOTS)).problems[0].hint
    assert hint is not None
    assert "`request`" not in hint


def test_used_names_are_recorded() -> None:
    used = scope()
    assert check_text("loyal and params.window_days > rate", used).problems == []
    assert used.used == {"loyal", "window_days", "rate"}


# -- bugs probing found, fixed ----------------------------------------------------------


def test_negative_literal_ignores_the_callers_decimal_context() -> None:
    with decimal.localcontext() as ctx:
        ctx.prec = 4
        expr = checked("-1.23456789")
    assert isinstance(expr, c.Const)
    assert str(expr.value) == "-1.23456789"


def test_field_of_an_unknown_param_reports_the_param() -> None:
    assert problems(check_text("params.x.y", scope(), want_bool=False)) == [("unknown-param", 7)]


# -- labels and fixed values through `if` and `lookup` (issue 16) ----------------------------

LABEL_PARAMS: dict[str, Any] = {
    **PARAMS,
    "by_condition": ParamMap({"unused": 30, "opened": 15}),
    "typo_keys": ParamMap({"unused": 30, "opned": 15}),
    "names": ParamMap({"loyal": "Plus", "new": "member"}),
    "conditions": ParamMap({"loyal": "used", "new": "usd"}),
}


def label_checked(text: str) -> Checked:
    return check_text(text, Scope(LABEL_PARAMS, frozenset(), lambda _name: None), want_bool=False)


def _texts(expr: c.Expr) -> list[object]:
    """The text constants in `expr`, the map values of a `lookup` included, in order."""
    found: list[object] = []
    for node in c.walk(expr):
        if isinstance(node, c.Const) and isinstance(node.value, str):
            found.append(node.value)
        if isinstance(node, c.Const) and isinstance(node.value, ParamMap):
            found.extend(v for v in node.value.values() if isinstance(v, str))
    return found


# A label chosen or compared through an `if` or a map is normalised like a direct one.
LABELS_THROUGH = [
    pytest.param(
        "(if flag then customer.segment else customer.membership) == 'Plus '",
        ["plus"],
        id="if-chooses-the-label",
    ),
    pytest.param(
        "customer.membership == (if flag then 'Plus ' else 'EXECUTIVE')",
        ["plus", "executive"],
        id="if-chooses-the-text",
    ),
    pytest.param(
        "(if flag then customer.segment else 'None') == 'NONE'",
        ["none", "none"],
        id="text-branch-of-a-label-if",
    ),
    pytest.param(
        "customer.membership == lookup(names, customer.segment, 'Member')",
        ["plus", "member", "member"],
        id="map-values-and-default",
    ),
    pytest.param(
        "customer.membership in [if flag then 'Plus' else 'Total']",
        ["plus", "total"],
        id="if-in-a-list",
    ),
    pytest.param(
        "(if flag then actor.role else actor.role) == 'X'", ["X"], id="role-if-is-not-a-label"
    ),
    pytest.param(
        "(if flag then customer.segment else actor.role) == 'X'", ["X"], id="mixed-if-is-not-one"
    ),
]


@pytest.mark.parametrize(("text", "literals"), LABELS_THROUGH)
def test_a_label_through_if_and_lookup_is_compared_normalised(
    text: str, literals: list[object]
) -> None:
    result = label_checked(text)
    assert result.problems == [], [(p.code, p.message) for p in result.problems]
    assert result.expr is not None
    assert _texts(result.expr) == literals


# (text, offset, message, part of the hint): each is the `invalid-value` of a direct comparison.
NEVER_VALUES = [
    pytest.param(
        '(if flag then request.item_condition else request.item_condition) == "opned"',
        69,
        "`opned` is never a value of `request.item_condition`",
        "`opened`",
        id="if-chooses-the-field",
    ),
    pytest.param(
        'request.item_condition == (if flag then "opened" else "usd")',
        54,
        "`usd` is never a value of `request.item_condition`",
        "`used`",
        id="if-branch-text",
    ),
    pytest.param(
        'request.item_condition == (if flag then "opened" else if flag then "used" else "nw")',
        79,
        "`nw` is never a value of `request.item_condition`",
        "possible values: `unused`",
        id="else-if-chain",
    ),
    pytest.param(
        "lookup(typo_keys, request.item_condition, 0) > 1",
        7,
        "key `opned` of `typo_keys` is never a value of `request.item_condition`",
        "`opened`",
        id="map-keyed-by-the-field",
    ),
    pytest.param(
        "request.item_condition == lookup(conditions, customer.segment, 'used')",
        33,
        "`usd` is never a value of `request.item_condition`",
        "`used`",
        id="map-value",
    ),
    pytest.param(
        "request.item_condition == lookup(conditions, customer.segment, 'brokn')",
        33,
        "`usd` is never a value of `request.item_condition`",
        "`used`",
        id="map-value-and-default",
    ),
]


@pytest.mark.parametrize(("text", "start", "message", "hint"), NEVER_VALUES)
def test_a_value_never_taken_through_if_and_lookup_is_refused(
    text: str, start: int, message: str, hint: str
) -> None:
    result = label_checked(text)
    assert [(p.code, p.start, p.message) for p in result.problems][:1] == [
        ("invalid-value", start, message)
    ]
    assert result.problems[0].hint is not None
    assert hint in result.problems[0].hint


def test_a_default_never_taken_is_refused_after_the_map_values() -> None:
    result = label_checked(
        "request.item_condition == lookup(conditions, customer.segment, 'brokn')"
    )
    assert [(p.code, p.start) for p in result.problems] == [
        ("invalid-value", 33),
        ("invalid-value", 63),
    ]


# What a fixed-value field can be, through an `if` or a map, is not refused.
TAKEN_VALUES = [
    '(if flag then request.item_condition else "none") == "none"',
    'coalesce(request.item_condition, "none") == "none"',
    "lookup(by_condition, request.item_condition, 0) > 1",
    "lookup(windows, customer.membership, 15) > 1",
    '(if flag then request.item_condition else customer.segment) == "gold"',
    'request.item_condition == (if flag then "Opened " else "used")',
]


@pytest.mark.parametrize("text", TAKEN_VALUES)
def test_a_value_the_field_takes_through_if_and_lookup_is_accepted(text: str) -> None:
    result = label_checked(text)
    assert result.problems == [], [(p.code, p.message) for p in result.problems]
