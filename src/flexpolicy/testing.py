"""Test helpers for policy authors: hypothesis strategies and ready-made properties.

A property test for your own policy is three lines::

    policy = flexpolicy.load_policy("rules/returns.yaml")

    @given(flexpolicy.testing.situations(policy))
    def test_returns(situation):
        flexpolicy.testing.check_all(policy, situation)

`situations(policy)` aims at the policy's thresholds: when a rule says
`days_since_purchase <= 30`, it generates purchases 29, 30 and 31 days old (and
a tier of 3, 4 and 5 when a rule says `customer.tier >= 4`), so boundary mistakes
show up in the first hundred examples rather than the millionth.  Each `check_*`
raises `AssertionError` with the offending decision when a property fails.
Needs hypothesis (`pip install 'flexpolicy[testing]'`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from ._lang import checked as c
from ._lang.dates import month_day, on_day
from ._situations.placing import QUANTITY_SHAPE
from ._situations.placing import with_thresholds as _with_thresholds
from .decision import Decision
from .errors import InputError
from .models import Actor, CaseFacts, Customer, LineItem, Request, Situation, Transaction
from .policy import Policy

__all__ = [
    "check_all",
    "check_counterfactuals",
    "check_deterministic",
    "check_explained",
    "check_monotone",
    "check_total",
    "situations",
    "thresholds",
]

TODAY = date(2026, 11, 20)
# (request.quantity, the line's quantity): one unit of one, one of several, the whole
# line, and a line holding one over the request (more than the line is an InputError).
QUANTITY_SHAPES: tuple[tuple[int, int], ...] = ((1, 1), (1, 3), (3, 3), (2, 3))
_QUANTITY_ORDER = {QUANTITY_SHAPE: 0, "request.quantity": 0, "item_total": 2}
_QUANTITY_ORDER["transaction_total"] = 2
_RANK = {"deny": 0, "refer": 1, "approve": 2}
_CONDITIONS = [None, "unused", "opened", "used", "damaged", "defective"]
_REASONS = [None, "wrong_item_sold", "defective", "changed_mind", "double_charge", "price_drop"]
_REASONS += ["new_customer_offer", "late_delivery", "damaged_in_transit"]
_MONEY = st.one_of(
    st.sampled_from([Decimal(x) for x in ("0", "9.99", "10", "25", "25.01", "49.99", "50")]),
    st.sampled_from([Decimal(x) for x in ("100", "100.01", "150", "250", "500", "500.01")]),
    st.decimals(min_value=0, max_value=2000, places=2, allow_nan=False, allow_infinity=False),
)


def thresholds(policy: Policy, *, today: date = TODAY) -> dict[str, list[Any]]:
    """Every constant the policy compares a field or built-in fact with, by name.

    Beside the numbers and texts of comparisons: each key of a map param a field is
    looked up by, each value an `if` or a map may give, the fee amounts a rule charges
    (under `item_total`: where the refund net of the fee reaches zero), and the first
    and last days of `in_season` and `next_date`, as dates in the years around
    `today` (a season that wraps the new year adds 31 December and 1 January).

    >>> thresholds(load_policy("rules/returns.yaml"))["days_since_purchase"]   # doctest: +SKIP
    [30, 90, 120, ...]
    """
    ir = policy._core.ir
    rules = (*ir.rules, ir.default)
    exprs = _expressions(policy)
    found: dict[str, list[Any]] = {}

    def add(name: str, values: Any) -> None:
        fresh = [v for v in dict.fromkeys(values) if v not in found.get(name, [])]
        if fresh:
            found.setdefault(name, []).extend(fresh)

    for expr in exprs:
        for node in c.walk(expr):
            if isinstance(node, c.Call) and node.func == "lookup":
                table, key, _ = node.args
                if isinstance(key, c.Field) and isinstance(table, c.Const):
                    add(key.dotted, table.value)  # each key of a map param
            if not isinstance(node, c.Cmp):
                continue
            for subject, other in ((node.left, node.right), (node.right, node.left)):
                name = (
                    subject.dotted
                    if isinstance(subject, c.Field)
                    else subject.name
                    if isinstance(subject, c.Builtin)
                    else None
                )
                if name is not None:
                    add(name, _constants(other, ir.facts))
        for name, days in _season_days(expr, ir.facts, today):
            add(name, days)
    for rule in rules:
        if rule.fee is not None:
            # Money, so a whole-number fee is met a cent either side, not a dollar.
            fees = _constants(rule.fee, ir.facts)
            add("item_total", [Decimal(v) if type(v) is int else v for v in fees])
    return found


def _expressions(policy: Policy) -> list[c.Expr]:
    """Every expression a decision may evaluate: conditions, facts, amounts and fees."""
    ir = policy._core.ir
    rules = (*ir.rules, ir.default)
    exprs = [x.expr for rule in rules for x in rule.conditions]
    exprs += [x.expr for lever in ir.levers for x in lever.conditions]
    exprs += [fact.expr for fact in ir.facts.values()]
    exprs += [e for rule in rules for e in (rule.amount, rule.fee) if e is not None]
    return exprs


def _season_days(
    expr: c.Expr, facts: Mapping[str, Any], today: date
) -> list[tuple[str, list[date]]]:
    """For each `in_season(d, ...)` and `next_date(d, ...)` in `expr` whose date is a
    field, `today` or one moved by `add_days(d, n)`: the dates `d` takes on each bound."""
    out: list[tuple[str, list[date]]] = []
    years = range(today.year - 2, today.year + 2)
    for node in c.walk(expr):
        if not (isinstance(node, c.Call) and node.func in ("in_season", "next_date")):
            continue
        subject = _date_subject(node.args[0], facts, 0)
        bounds = [
            md
            for arg in node.args[1:]
            if isinstance(arg, c.Const)
            and isinstance(arg.value, str)
            and (md := month_day(arg.value)) is not None
        ]
        if subject is None or not bounds:
            continue
        if node.func == "in_season" and len(bounds) == 2 and bounds[0] > bounds[1]:
            bounds += [(12, 31), (1, 1)]  # a season over the new year: both sides of it
        name, offset = subject
        out.append((name, [on_day(y, md) - timedelta(days=offset) for y in years for md in bounds]))
    return out


def _date_subject(expr: c.Expr, facts: Mapping[str, Any], depth: int) -> tuple[str, int] | None:
    """The date field (or `today`) `expr` reads, and the days `add_days` moves it by."""
    if depth > 8:
        return None
    match expr:
        case c.Field():
            return expr.dotted, 0
        case c.Builtin(name="today"):
            return "today", 0
        case c.FactRef(name=name) if name in facts:
            return _date_subject(facts[name].expr, facts, depth + 1)
        case c.Call(func="add_days", args=(inner, c.Const(value=int() as days))):
            found = _date_subject(inner, facts, depth + 1)
            return None if found is None else (found[0], found[1] + days)
    return None


def _reads_quantities(policy: Policy) -> bool:
    """Whether a decision may turn on quantities: the policy reads them, or an approval
    without `amount:` stands for `item_total` (DESIGN 2.3)."""
    ir = policy._core.ir
    if any(r.amount is None and r.outcome == "approve" for r in (*ir.rules, ir.default)):
        return True
    for expr in _expressions(policy):
        for node in c.walk(expr):
            if isinstance(node, c.Builtin) and node.name in ("item_total", "transaction_total"):
                return True
            if isinstance(node, c.Field) and node.dotted in ("request.quantity", "item.quantity"):
                return True
    return False


def _constants(expr: c.Expr, facts: Mapping[str, Any], depth: int = 0) -> list[Any]:
    """The constants `expr` may stand for: itself, or (through facts) the branches of an
    `if` and the values and default of a `lookup` - a window chosen by membership."""
    if depth > 8:
        return []
    match expr:
        case c.Const(value=value) if value is not None:
            if isinstance(value, tuple):
                return list(value)
            return [] if isinstance(value, Mapping) else [value]
        case c.FactRef(name=name) if name in facts:
            return _constants(facts[name].expr, facts, depth + 1)
        case c.If(then=then, other=other):
            return [*_constants(then, facts, depth + 1), *_constants(other, facts, depth + 1)]
        case c.Call(func="lookup", args=(c.Const(value=table), _, default)):
            return [*table.values(), *_constants(default, facts, depth + 1)]
    return []


def _near(value: Any) -> list[Any]:
    if isinstance(value, date):
        day = timedelta(days=1)
        return [value - day, value, value + day]
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return [value]
    step: int | Decimal = 1 if isinstance(value, int) else Decimal("0.01")
    return [value - step, value, value + step]


@st.composite
def _base(
    draw: st.DrawFn,
    policy: Policy,
    today: date,
    attributes: st.SearchStrategy[dict[str, Any]] | None = None,
) -> Situation:
    """Any consistent situation for `policy` (`attributes`: store data to draw, if any)."""
    kind = draw(st.sampled_from(policy.applies_to))
    days = draw(st.integers(0, 500))
    has_transaction = draw(st.booleans()) if kind in ("fee_waiver", "goodwill") else True
    customer = Customer(
        id="C-1",
        tier=draw(st.integers(1, 5)),
        segment=draw(st.sampled_from([None, "loyal", "new", "business"])),
        lifetime_value=draw(st.one_of(st.none(), _MONEY)),
        purchases_12m=draw(st.integers(0, 12)),
        returns_12m=draw(st.integers(0, 12)),
        exceptions_90d=draw(st.integers(0, 4)),
        member_since=draw(st.sampled_from([None, date(2015, 1, 1), today - timedelta(days=30)])),
        flags=frozenset(
            draw(
                st.sets(st.sampled_from(["abusive", "fraud_watch", "vip", "employee"]), max_size=2)
            )
        ),
        attributes=draw(attributes) if attributes is not None else {},
    )
    transaction = None
    if has_transaction:
        item = LineItem(
            sku="SKU-1",
            unit_price=draw(_MONEY),
            description="item",
            category=draw(st.sampled_from([None, "electronics", "apparel", "gift_card"])),
            final_sale=draw(st.booleans()),
        )
        transaction = Transaction(
            id="T-1",
            customer_id="C-1",
            purchased_at=today - timedelta(days=days),
            channel=draw(st.sampled_from([None, "in_store", "online", "phone"])),
            items=(item,),
        )
    request = Request(
        id="R-1",
        kind=kind,
        requested_at=today,
        transaction_id="T-1" if transaction else None,
        sku="SKU-1" if transaction else None,
        item_condition=draw(st.sampled_from(_CONDITIONS)),
        packaging_intact=draw(st.sampled_from([None, True, False])),
        has_receipt=draw(st.sampled_from([None, True, False])),
        reason=draw(st.sampled_from(_REASONS)),
        store_at_fault=draw(st.booleans()),
        requested_remedy=draw(st.sampled_from([None, "refund", "store_credit", "exchange"])),
        amount=draw(st.one_of(st.none(), _MONEY)),
    )
    case = None
    if draw(st.booleans()):
        case = CaseFacts(
            id="CASE-1",
            contacts_total=draw(st.integers(0, 6)),
            contacts_14d=draw(st.integers(0, 5)),
            days_open=draw(st.integers(0, 40)),
            open_promises=draw(st.integers(0, 2)),
            overdue_promises=draw(st.integers(0, 2)),
        )
    role = draw(st.one_of(st.none(), st.sampled_from(policy.roles)))
    actor = Actor(id="E-1", role=role) if role else None
    customer, transaction, request = _release_two(draw, customer, transaction, request, days)
    return Situation(
        request=request, customer=customer, transaction=transaction, actor=actor, case=case
    )


def _release_two(
    draw: st.DrawFn,
    customer: Customer,
    transaction: Transaction | None,
    request: Request,
    days: int,
) -> tuple[Customer, Transaction | None, Request]:
    """The facts of DESIGN 2.1 (drawn after the others, so earlier draws keep their
    meaning): membership, delivery, regions, channel and quantities."""
    customer = customer.model_copy(
        update={"membership": draw(st.sampled_from([None, "member", "plus", "executive"]))}
    )
    request = request.model_copy(
        update={
            "channel": draw(st.sampled_from([None, "in_store", "mail", "online"])),
            "region": draw(st.sampled_from([None, "ca", "ny", "tx"])),
        }
    )
    if transaction is None:
        return customer, transaction, request
    quantity = draw(st.integers(1, 3))
    line = transaction.items[0].model_copy(update={"quantity": quantity})
    delivered = draw(st.one_of(st.none(), st.integers(0, days)))
    transaction = transaction.model_copy(
        update={
            "items": (line,),
            "region": draw(st.sampled_from([None, "ca", "ny", "tx"])),
            "delivered_at": None
            if delivered is None
            else transaction.purchased_at + timedelta(days=delivered),
        }
    )
    request = request.model_copy(update={"quantity": draw(st.integers(1, quantity))})
    return customer, transaction, request


@st.composite
def situations(draw: st.DrawFn, policy: Policy, *, today: date = TODAY) -> Situation:
    """Consistent situations for `policy`, with values on, just below and just above
    every threshold the policy tests (and plain random values in between)."""
    situation = draw(_base(policy, today))
    changes: dict[str, Any] = {}
    lists = _list_attributes(policy)
    for name, values in sorted(thresholds(policy, today=today).items()):
        if not draw(st.booleans()):
            continue
        if name in lists:  # `"gift" in request.attributes.tags`: a list holding it or not
            labels = [*(v for v in values if isinstance(v, str)), "other"]
            changes[name] = draw(st.lists(st.sampled_from(labels), max_size=3))
        else:
            changes[name] = draw(st.sampled_from([v for value in values for v in _near(value)]))
    if _reads_quantities(policy) and draw(st.booleans()):
        changes[QUANTITY_SHAPE] = draw(st.sampled_from(QUANTITY_SHAPES))
    # Quantities first and totals last, so a total's threshold is met at the quantity.
    ordered = sorted(changes, key=lambda n: (_QUANTITY_ORDER.get(n, 1), n))
    return _with_thresholds(situation, {n: changes[n] for n in ordered}, today)


def _list_attributes(policy: Policy) -> frozenset[str]:
    """The policy's `list` attributes as conditions read them: `request.attributes.tags`."""
    declared = policy._core.ir.attribute_types
    return frozenset(
        f"{root}.attributes.{name}"
        for root, _, name in (
            key.partition(".") for key, kind in declared.items() if kind == "list"
        )
    )


# -- properties ---------------------------------------------------------------------


def _expect(holds: bool, detail: object) -> None:
    """Like `assert`, but still checked under `python -O`."""
    if not holds:
        raise AssertionError(detail)


def check_total(policy: Policy, situation: Situation) -> Decision:
    """Every situation gets exactly one well-formed decision."""
    decision = policy.decide_situation(situation)
    ids = {*policy.rule_ids, "default"}
    _expect(decision.outcome in _RANK, decision)
    _expect(decision.rule_id in ids, decision)
    _expect((decision.required_role is not None) == (decision.outcome == "refer"), decision)
    if decision.outcome == "deny":
        _expect(decision.remedy is None, decision)
        _expect(not decision.exception, decision)
    if decision.exception:
        _expect(bool(decision.bends), decision)
    return decision


def check_deterministic(policy: Policy, situation: Situation) -> None:
    """The same situation always gets the same decision, explanation included."""
    first = policy.decide_situation(situation)
    again = policy.decide_situation(situation.model_copy(deep=True))
    _expect(first.model_dump_json() == again.model_dump_json(), (first, again))


def check_explained(policy: Policy, situation: Situation) -> None:
    """The rationale cites the deciding rule for staff, and never fills the customer's
    text with rule ids or unfilled placeholders."""
    decision = policy.decide_situation(situation)
    staff, customer = decision.rationale.staff, decision.rationale.customer
    _expect(f"`{decision.rule_id}`" in staff, staff)
    _expect(bool(customer.strip()), decision)
    for text in (staff, customer):
        _expect("{" not in text, text)
        _expect("}" not in text, text)
    for rule_id in (*policy.rule_ids, "default"):
        _expect(f"`{rule_id}`" not in customer, customer)


def check_counterfactuals(policy: Policy, situation: Situation) -> None:
    """Every alternative offered is better than the decision, and its changes really flip it."""
    decision = policy.decide_situation(situation)
    for alternative in decision.alternatives:
        _expect(_RANK[alternative.outcome] > _RANK[decision.outcome], alternative)
        _expect(bool(alternative.unmet), alternative)
        if alternative.changes is not None:
            flipped = policy.decide_situation(situation.with_changes(alternative.changes))
            _expect(_RANK[flipped.outcome] >= _RANK[alternative.outcome], (alternative, flipped))


def check_monotone(
    policy: Policy, situation: Situation, field: str = "customer.tier", step: int = 1
) -> None:
    """Raising `field` by `step` never gives a worse outcome ("a better customer is never
    treated worse")."""
    root, _, name = field.partition(".")
    record = getattr(situation, root, None)
    current = getattr(record, name, None) if record is not None else None
    if not isinstance(current, int) or isinstance(current, bool):
        return
    try:
        better = situation.with_changes({field: current + step})
    except InputError:  # already at the top of the field's range
        return
    low = policy.decide_situation(situation)
    high = policy.decide_situation(better)
    _expect(
        _RANK[high.outcome] >= _RANK[low.outcome],
        f"raising {field} from {current} to {current + step} turned "
        f"{low.outcome} ({low.rule_id}) into {high.outcome} ({high.rule_id})",
    )


def check_all(policy: Policy, situation: Situation, *, monotone_in: str = "customer.tier") -> None:
    """Every property above, on one situation."""
    check_total(policy, situation)
    check_deterministic(policy, situation)
    check_explained(policy, situation)
    check_counterfactuals(policy, situation)
    check_monotone(policy, situation, monotone_in)
