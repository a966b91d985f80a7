"""Counterfactuals: which better outcomes are within reach, and what stands in the way.

For a denial (or a referral the actor cannot grant), the candidates are the
approving rules that could still have decided: standard approvals before the
deciding rule, and flex rules that bend it.  For each, the unmet conditions are
put in plain words, marked as something the customer can change (bring the
receipt, take store credit) or not (their tier, the calendar), and - where the
condition is simple enough - solved into concrete changes to the situation.
Every proposed set of changes is *checked* by deciding the changed situation
again: an alternative never promises what the policy would not do.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from .._engine.semantics import OUTCOME_RANK, STAGE_GUARD, STAGE_STANDARD
from .._facts.jsonvalue import to_json_mapping
from .._ir import Condition, Rule
from .._lang import checked as c
from .._lang import runtime as rt
from .._lang import types as t
from .._lang.catalog import ATTRIBUTE_KINDS
from .._lang.ops import NEGATE, constant_right
from ..decision import Alternative, Requirement
from . import words as w
from .outputs import made
from .phrases import Phrases
from .record import Record

if TYPE_CHECKING:
    from ..decision import Decision

MAX_ALTERNATIVES = 3
_BOUNDS = {"customer.tier": (1, 5), "request.quantity": (1, 1_000_000)}
Changes = dict[str, Any]


class Candidate(NamedTuple):
    """A rule an alternative stands for, before it is worded and checked."""

    rule: Rule
    outcome: str  # "approve" or "refer"
    unmet: list[Condition]
    customer_can_act: bool  # every unmet condition is the customer's to change


Redecide = Callable[[Changes], "Decision | None"]


def alternatives(
    record: Record, phrases: Phrases, candidates: list[Candidate], redecide: Redecide
) -> list[Alternative]:
    """Each candidate worded, solved and checked (`redecide`), best first."""
    return [_alternative(record, phrases, redecide, candidate) for candidate in candidates]


def ranked(record: Record) -> list[Candidate]:
    """The best `MAX_ALTERNATIVES` candidates: fewest unmet conditions, then the ones
    the customer can act on, then file order.

    The order needs only which conditions are unmet and whether the customer
    could change them, so only the alternatives kept are worded and checked;
    a denial's rationale needs their words and not even that.
    """
    v = record.verdict
    if record.stage == STAGE_GUARD or v.outcome == "approve":
        return []
    ir = record.ir
    rank = record.ctx.rank
    decided = v.decided_by
    limit = decided.position if record.stage == STAGE_STANDARD else len(ir.standard)
    candidates: list[Rule] = [r for r in ir.standard[:limit] if r.outcome == "approve"]
    if decided.outcome == "deny":
        candidates += [f for f in ir.flex if decided.id in f.bends]
    current = OUTCOME_RANK[v.outcome]
    found: list[tuple[tuple[int, int, int], Candidate]] = []
    for order, rule in enumerate(candidates):
        outcome = "approve" if rule.authority_rank <= rank else "refer"
        if OUTCOME_RANK[outcome] <= current:
            continue
        unmet = record.unmet(rule.conditions)
        if not unmet:
            continue
        can_act = all(changeable(x.expr, record) for x in unmet)
        key = (len(unmet), 0 if can_act else 1, order)
        found.append((key, Candidate(rule, outcome, unmet, can_act)))
    found.sort(key=lambda pair: pair[0])
    return [candidate for _, candidate in found[:MAX_ALTERNATIVES]]


def _alternative(
    record: Record, phrases: Phrases, redecide: Redecide, candidate: Candidate
) -> Alternative:
    rule, outcome, unmet, can_act = candidate
    requirements: list[Requirement] = []
    merged: Changes | None = {}
    for condition in unmet:
        expr = condition.expr
        change = solve(expr, record, want=True)
        requirements.append(
            made(
                Requirement,
                {
                    "condition": condition.source,
                    "text": phrases.needs(expr) or condition.source,
                    "now": phrases.said(expr) or condition.source,
                    "customer_text": phrases.needs(expr, "customer"),
                    "customer_can_change": changeable(expr, record),
                    "change": to_json_mapping(change) if change is not None else None,
                },
            )
        )
        merged = _merge(merged, change)
    if merged is not None:
        flipped = redecide(merged)
        if flipped is None or OUTCOME_RANK[flipped.outcome] < OUTCOME_RANK[outcome]:
            merged = None
    return made(
        Alternative,
        {
            "rule_id": rule.id,
            "outcome": "approve" if outcome == "approve" else "refer",
            "remedy": rule.remedy,
            "required_role": rule.authority if outcome == "refer" else None,
            "exception": rule.kind == "flex",
            "unmet": requirements,
            "customer_can_act": can_act,
            "changes": to_json_mapping(merged) if merged is not None else None,
        },
    )


def _merge(into: Changes | None, more: Changes | None) -> Changes | None:
    if into is None or more is None:
        return None
    for key, value in more.items():
        if key in into and into[key] != value:
            return None
        into[key] = value
    return into


def changeable(expr: c.Expr, record: Record) -> bool:
    """Whether the customer could make this condition hold (every input is theirs to change).

    Static (it reads the policy, not the facts): the policy's cache keeps it.
    """
    return record.cache.changeable(expr, lambda e: _changeable(e, record))


def _changeable(expr: c.Expr, record: Record) -> bool:
    inputs = False
    for node in c.walk(expr):
        if isinstance(node, c.Builtin):
            return False
        if isinstance(node, c.FactRef):
            if not changeable(record.facts[node.name].expr, record):
                return False
            inputs = True
        if isinstance(node, c.Field):
            spec = w.field_spec(node)
            if spec is None or not spec.changeable:
                return False
            inputs = True
    return inputs


def solve(expr: c.Expr, record: Record, *, want: bool) -> Changes | None:
    """Situation changes (field path -> value) that make `expr` come out `want`."""
    if record.truth(expr) is want:
        return {}
    match expr:
        case c.Const(value=bool() as value):
            return {} if value is want else None
        case c.Not(operand=operand):
            return solve(operand, record, want=not want)
        case c.FactRef(name=name):
            return solve(record.facts[name].expr, record, want=want)
        case c.And(operands=ops) | c.Or(operands=ops):
            every = isinstance(expr, c.And) == want
            if every:
                merged: Changes | None = {}
                for op in ops:
                    merged = _merge(merged, solve(op, record, want=want))
                return merged
            for op in ops:
                found = solve(op, record, want=want)
                if found is not None:
                    return found
            return None
        case c.Field() if expr.type.kind is t.Kind.BOOL:
            return _assign(expr, want, record)
        case c.Call(func="coalesce", args=(first, fallback)) if expr.type.kind is t.Kind.BOOL:
            if record.value(first) is None and record.truth(fallback) is want:
                return {}
            return solve(first, record, want=want)
        case c.Cmp():
            wanted = expr.op if want else NEGATE[expr.op]
            return _solve_compare(wanted, expr.left, expr.right, record)
        case c.If(cond=cond, then=then, other=other):
            # The branch taken, made to come out `want`; else the other branch, with the
            # condition turned round to take it.
            taken = record.truth(cond)
            if taken is not None:
                here = solve(then if taken else other, record, want=want)
                if here is not None:
                    return here
            there = then if taken is False else other
            return _merge(solve(cond, record, want=taken is False), solve(there, record, want=want))
    return None


def _chosen(expr: c.Expr, record: Record) -> tuple[c.Call, int] | None:
    """The `lookup` a limit reads (through facts, the branch each `if` took, and sums),
    with the limit's offset from it (the rest of a sum), if it reads one."""
    seen: set[str] = set()
    offset: Any = 0
    while True:
        if isinstance(expr, c.FactRef) and expr.name not in seen:
            seen.add(expr.name)
            expr = record.facts[expr.name].expr
        elif isinstance(expr, c.If) and (taken := record.truth(expr.cond)) is not None:
            expr = expr.then if taken else expr.other
        elif (
            isinstance(expr, c.Arith) and expr.op in ("+", "-") and _reads_lookup(expr.left, record)
        ):
            rest = record.value(expr.right)
            if not rt.number(rest):
                return None
            offset = rt.arith(expr.op, offset, rest)
            expr = expr.left
        elif isinstance(expr, c.Arith) and expr.op == "+" and _reads_lookup(expr.right, record):
            rest = record.value(expr.left)
            if not rt.number(rest):
                return None
            offset = rt.arith("+", offset, rest)
            expr = expr.right
        else:
            break
    if isinstance(expr, c.Call) and expr.func == "lookup" and offset is not None:
        return expr, offset
    return None


def _reads_lookup(expr: c.Expr, record: Record) -> bool:
    """Whether `expr` reads a `lookup`, itself or through the facts it names."""
    pending, seen = [expr], set()
    while pending:
        for node in c.walk(pending.pop()):
            if isinstance(node, c.Call) and node.func == "lookup":
                return True
            if isinstance(node, c.FactRef) and node.name not in seen:
                seen.add(node.name)
                pending.append(record.facts[node.name].expr)
    return False


def _by_key(op: str, left: c.Expr, right: c.Expr, record: Record) -> Changes | None:
    """`left op lookup(map, key, default)` (plus a constant offset) made to hold by
    another key: "if the membership were plus" (the first key, in the map's order,
    whose value does)."""
    found = _chosen(right, record)
    if found is None:
        return None
    (table, key, _), offset = found[0].args, found[1]
    subject = record.value(left)
    if not isinstance(table, c.Const) or not isinstance(key, c.Field) or subject is None:
        return None
    for name, value in table.value.items():
        if rt.compare(op, subject, rt.arith("+", value, offset)) is True:
            return _assign(key, name, record)
    return None


def _solve_compare(op: str, left: c.Expr, right: c.Expr, record: Record) -> Changes | None:
    if op in ("in", "not in"):
        if isinstance(right, c.Field) and right.type.kind is t.Kind.SET:
            item = record.value(left)
            current = record.value(right) or frozenset()
            if item is None:
                return None
            updated = current | {item} if op == "in" else current - {item}
            return _assign(right, frozenset(updated), record)
        options = record.value(right)
        if options is None or not isinstance(left, c.Field | c.Builtin):
            return None
        if op == "in":
            return _target(left, next(iter(sorted(options, key=str)), None), record)
        choices = left.type.choices or ()
        spare = [x for x in choices if x not in options]
        return _target(left, spare[0], record) if spare else None
    op, left, right = constant_right(op, left, right)
    by_key = _by_key(op, left, right, record)
    if by_key is not None:
        return by_key
    if not isinstance(right, c.Const) and not isinstance(right, c.Builtin | c.Field | c.FactRef):
        return None
    limit = record.value(right)
    if limit is None or not isinstance(left, c.Field | c.Builtin):
        return None
    if op == "!=":
        if left.type.kind is t.Kind.BOOL:
            return _target(left, not limit, record)
        spare = [x for x in (left.type.choices or ()) if x != limit]
        return _target(left, spare[0], record) if spare else None
    if op == "==":
        return _target(left, limit, record)
    return _target(left, _nudge(limit, op, left.type), record)


def _nudge(limit: Any, op: str, kind: t.Type) -> Any:
    """The nearest value that satisfies `x op limit`."""
    if op in ("<=", ">="):
        return limit
    if isinstance(limit, date):
        step: Any = timedelta(days=1)
    elif kind.kind is t.Kind.INT or (isinstance(limit, int) and kind.kind is not t.Kind.MONEY):
        step = 1
    else:
        step = Decimal("0.01")
    return limit - step if op == "<" else limit + step


def _target(subject: c.Expr, value: Any, record: Record) -> Changes | None:
    if value is None:
        return None
    if isinstance(subject, c.Builtin):
        return _builtin_target(subject.name, value, record)
    if isinstance(subject, c.Field):
        return _assign(subject, value, record)
    return None


def _builtin_target(name: str, days: Any, record: Record) -> Changes | None:
    ctx = record.ctx
    if not isinstance(days, int) or days < 0:
        return None
    moment = ctx.as_of - timedelta(days=days)
    if name == "days_since_purchase" and ctx.transaction is not None:
        if moment > ctx.request.requested_at:
            return None
        return {"transaction.purchased_at": moment}
    if name == "customer_tenure_days":
        return {"customer.member_since": moment}
    if name == "days_since_received" and ctx.transaction is not None:
        if moment < ctx.transaction.purchased_at or moment > ctx.request.requested_at:
            return None
        return {"transaction.delivered_at": moment}
    return None


def _assign(field: c.Field, value: Any, record: Record) -> Changes | None:
    if field.root in ("item", "actor"):
        return None  # only the situation's own records (a line is the transaction's)
    if len(field.path) != 1 and not _declared_attribute(field):
        return None  # direct fields, and store attributes read at a declared type
    bounds = _BOUNDS.get(field.dotted)
    if bounds is not None and not (bounds[0] <= value <= bounds[1]):
        return None
    if record.ctx.root(field.root) is None:
        return None
    if isinstance(value, int | Decimal) and not isinstance(value, bool) and value < 0:
        return None
    return {field.dotted: value}


def _declared_attribute(field: c.Field) -> bool:
    """`request.attributes.all_contents` under `attributes:`: its value has a known type,
    so "if it were true" can be tried (an undeclared one may hold any kind)."""
    return (
        len(field.path) == 2
        and field.path[0] == "attributes"
        and field.type.kind in ATTRIBUTE_KINDS
    )
