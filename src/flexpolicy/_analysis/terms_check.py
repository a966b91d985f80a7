"""The findings about a decision's terms and missing facts (DESIGN.md 2.3).

* `amount-over-price`: an approval's own `amount:` can exceed what was paid for
  the item (`item_total`) while granting a refund, store credit or an exchange.
  Without `amount:` an approval is safe by default (`_engine.terms`); with one,
  the author takes it on, and this says where that can go wrong.
* `missing-skips-denial`: a standard rule that denies is skipped when a fact
  it reads is missing (an unknown condition never matches), and a later rule
  then approves.  A guard would fail closed; a standard denial does not.

Each is a question to the solver with a counterexample replayed on the real
policy, like the rule checks (`check.RuleChecks`), whose state these share.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any, Protocol

from .._ir import PolicyIR, Rule
from ..decision import Decision
from ..policy import Policy
from .encode import Encoder
from .findings import Finding, finding_at
from .session import Session
from .solver import Sym

# Remedies that hand back what was paid: more than the item's total is a gift.
PAID_BACK = frozenset({"refund", "store_credit", "exchange"})


class _Checks(Protocol):
    """What these checks read of `check.RuleChecks` (declared here: no import cycle)."""

    policy: Policy
    ir: PolicyIR
    session: Session
    enc: Encoder
    z: Any
    matches: dict[str, Any]

    def _decides(self, target: str) -> Any: ...
    def _confirmed(self, rule: Rule, expect: Callable[[Decision], bool], *a: Any) -> Any: ...


def term_findings(checks: _Checks) -> Iterator[Finding]:
    """Both findings, in file order of the rules they are about."""
    yield from _amounts_over_price(checks)
    yield from _denials_skipped(checks)


def item_total_sym(checks: _Checks) -> Sym:
    """The solver's `item_total`: the item's price times the request's quantity."""
    return checks.enc.space.builtin("item_total")


def _amounts_over_price(checks: _Checks) -> Iterator[Finding]:
    ir, session = checks.ir, checks.session
    for rule in (*ir.standard, *ir.flex, ir.default):
        paid_back = PAID_BACK.intersection(rule.remedies or (rule.remedy,))
        if rule.outcome != "approve" or rule.amount is None or not paid_back:
            continue
        over = checks.enc.compare(">", checks.enc.expr(rule.amount), item_total_sym(checks)).t
        reached = checks.matches[rule.id] if rule.kind == "flex" else checks._decides(rule.id)
        literal = session.literal(f"over:{rule.id}", checks.z.And(reached, over))
        if session.ask(literal) != "sat":
            continue
        witness = checks._confirmed(rule, partial(_over, rule=rule), literal)
        yield finding_at(
            rule.location,
            "amount-over-price",
            "warning",
            f"rule `{rule.id}` can grant {_words(paid_back)} of more than the item's total: "
            "its `amount:` is not capped by what was paid",
            "leave `amount:` out (an approval then stands for the item's total less the fee), "
            "or cap it: `amount: min(..., item_price)`",
            rule_id=rule.id,
            counterexample=witness,
        )


def _denials_skipped(checks: _Checks) -> Iterator[Finding]:
    ir, session, enc, z = checks.ir, checks.session, checks.enc, checks.z
    for i, denial in enumerate(ir.standard):
        if denial.outcome != "deny" or not denial.conditions:
            continue
        unknown = z.And(z.Not(checks.matches[denial.id]), enc.not_ruled_out(denial.conditions))
        for later in ir.standard[i + 1 :]:
            if later.outcome != "approve":
                continue
            literal = session.literal(
                f"skips:{denial.id}:{later.id}", z.And(unknown, checks._decides(later.id))
            )
            if session.ask(literal) != "sat":
                continue
            witness = checks._confirmed(later, partial(_approves, rule=later), literal)
            yield finding_at(
                denial.location,
                "missing-skips-denial",
                "warning",
                f"rule `{denial.id}` denies, but when a fact it reads is missing it is skipped "
                f"and `{later.id}` approves instead",
                "make it a guard (guards fail closed: `kind: guard`), or make the approval "
                "ask for the fact: `known(...)`",
                rule_id=denial.id,
                related=(later.id,),
                counterexample=witness,
            )
            break


def _approves(decision: Decision, *, rule: Rule) -> bool:
    return decision.rule_id == rule.id and decision.outcome != "deny"


def _over(decision: Decision, *, rule: Rule) -> bool:
    if decision.rule_id != rule.id or decision.amount is None:
        return False
    request, _, transaction, *_ = decision._records()
    items = [] if transaction is None else [x for x in transaction.items if x.sku == request.sku]
    return bool(items) and decision.amount > items[0].unit_price


def _words(remedies: frozenset[str]) -> str:
    return " or ".join(sorted(r.replace("_", " ") for r in remedies))
