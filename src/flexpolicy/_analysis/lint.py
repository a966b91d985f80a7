"""Checks that need no solver: dead params and facts, empty levers, customer wording.

These run on every install (z3 is optional): a param nothing reads is a number
an author believes matters and does not; a customer sentence that says "tier"
shows a customer how the store scores them.
"""

from __future__ import annotations

from collections.abc import Iterator

from .._ir import Explain, Location, Placeholder, PolicyIR, Template
from .._lang import checked as c
from .._lang.catalog import RECORDS
from .findings import Finding, Level, finding_at
from .wording import check_customer_text

# The nouns of internal fields ("customer tier", "lifetime value"): a customer never sees them.
INTERNAL_NOUNS: tuple[str, ...] = tuple(
    sorted({spec.noun for fields in RECORDS.values() for spec in fields.values() if spec.internal})
)


def lint(ir: PolicyIR) -> Iterator[Finding]:
    yield from _unused(ir)
    yield from _empty_levers(ir)
    yield from _wording(ir)


def _expressions(ir: PolicyIR) -> Iterator[tuple[str, c.Expr]]:
    """Every expression the policy evaluates, by its owner (facts come in `_reachable_facts`)."""
    for rule in (*ir.rules, ir.default):
        for condition in rule.conditions:
            yield rule.id, condition.expr
        if rule.amount is not None:
            yield rule.id, rule.amount
        if rule.fee is not None:
            yield rule.id, rule.fee
        for template in _templates(rule.explain):
            for part in template.parts:
                if isinstance(part, Placeholder):
                    yield rule.id, part.expr
    for lever in ir.levers:
        for condition in lever.conditions:
            yield lever.id, condition.expr
        for template in _templates(lever.explain):
            for part in template.parts:
                if isinstance(part, Placeholder):
                    yield lever.id, part.expr


def _templates(explain: Explain) -> Iterator[Template]:
    if explain.staff is not None:
        yield explain.staff
    if explain.customer is not None:
        yield explain.customer


def _reachable_facts(ir: PolicyIR) -> set[str]:
    used: set[str] = set()
    stack = [expr for _, expr in _expressions(ir)]
    while stack:
        for node in c.walk(stack.pop()):
            if isinstance(node, c.FactRef) and node.name not in used:
                used.add(node.name)
                stack.append(ir.facts[node.name].expr)
    return used


def _unused(ir: PolicyIR) -> Iterator[Finding]:
    facts = _reachable_facts(ir)
    params: set[str] = set()
    exprs = [e for _, e in _expressions(ir)] + [ir.facts[name].expr for name in facts]
    for expr in exprs:
        for node in c.walk(expr):
            if isinstance(node, c.Const) and node.origin is not None:
                params.add(node.origin)
    for name in ir.params:
        if name not in params:
            yield _at(
                ir.param_locations.get(name),
                ir.file,
                code="unused-param",
                message=f"param `{name}` is never used",
                hint="remove it, or use it in a rule: an unused number misleads the next reader",
            )
    for name, fact in ir.facts.items():
        if name not in facts:
            yield _at(
                fact.location,
                ir.file,
                code="unused-fact",
                message=f"fact `{name}` is never used",
                hint="remove it, or use it in a rule, lever or rationale",
            )


def _empty_levers(ir: PolicyIR) -> Iterator[Finding]:
    for lever in ir.levers:
        if lever.caps and all(cap == 0 for _, _, cap in lever.caps):
            yield _at(
                lever.location,
                ir.file,
                code="lever-offers-nothing",
                message=f"lever `{lever.id}` offers nothing: every cap is 0",
                hint="give at least one role a cap above 0, or remove the lever",
                owner=lever.id,
            )


def _wording(ir: PolicyIR) -> Iterator[Finding]:
    ids = [r.id for r in ir.rules] + [lv.id for lv in ir.levers]
    owners = [(r.id, r.explain, r.location) for r in (*ir.rules, ir.default)]
    owners += [(lv.id, lv.explain, lv.location) for lv in ir.levers]
    for owner, explain, location in owners:
        template = explain.customer
        if template is None:
            continue
        where = template.location or location
        for issue in check_customer_text(
            template.source, rule_ids=ids, internal_terms=INTERNAL_NOUNS
        ):
            level: Level = "error" if issue.code == "customer-text-leak" else "warning"
            yield finding_at(where, issue.code, level, issue.message, issue.hint, rule_id=owner)


def _at(
    location: Location | None,
    file: str,
    *,
    code: str,
    message: str,
    hint: str,
    owner: str | None = None,
) -> Finding:
    where = location or Location(file, 0, 0)
    return finding_at(where, code, "warning", message, hint, rule_id=owner)
