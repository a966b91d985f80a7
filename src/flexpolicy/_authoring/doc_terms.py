"""The terms of a decision on a policy's page: fees, the customer's choice, promises.

Why they are on the page (DESIGN 2.3, 2.4): a restocking fee, a fee a denial leaves in
place, "a refund or an exchange, your choice" and "a refund check within 10 business days"
are what a customer most needs to know before they come in, and a page that leaves them
out is not faithful.  Each is said from the checked rule, so a changed rate or promise
changes the page:

- a constant fee as an amount: "A restocking fee of 45.00 applies.";
- a share of the price (`round(item_total * restocking_rate, 2)`) as a percentage:
  "A 15% restocking fee applies.";
- a fee that depends on the case, per case in the policy's order (the first that holds
  wins): "A restocking fee applies: none if unused; 45.00 for cell phone; 15% of the
  item's price for drone.";
- other fees in words ("the lesser of 10.00 and the item's price"); a fee with no words
  is "a fee may apply" for customers and its source for staff, never a raw expression
  on the customer's page.

Money is written with its cents and no currency sign: formatting by `currency` and
`locale` is a later step (DESIGN 2.2).
"""

from __future__ import annotations

from decimal import Decimal

from .._explain import words as w
from .._ir import PolicyIR, Promise, Rule
from .._lang import checked as c
from .._lang.ops import unparse
from .doc_phrase import Phraser
from .doc_vocabulary import cap


def fee_name(expr: c.Expr, ir: PolicyIR) -> str:
    """What the fee is called: its fact's or param's name when that says "fee"."""
    name = expr.name if isinstance(expr, c.FactRef) else getattr(expr, "origin", None)
    if name and "fee" in name and name != "fee":
        return w.humanize(name)
    kinds = [k for k in ir.applies_to if k.endswith("fee")]
    return w.humanize(kinds[0]) if kinds else "fee"


def _zero(expr: c.Expr) -> bool:
    return isinstance(expr, c.Const) and expr.value in (0, Decimal(0))


def _article(words: str) -> str:
    return f"{'an' if words[:1].lower() in 'aeiou8' else 'a'} {words}"


def fee_cases(fee: c.Expr, phraser: Phraser) -> str | None:
    """A fee that depends on the case, in the policy's order: "none if unused; 45.00 for ..."."""
    ordered = _in_order(fee, phraser)
    if ordered is None or len(ordered) < 2:
        return None
    parts: list[str] = []
    for when, value in ordered:
        said = "none" if _zero(value) else phraser.amount(value)
        if said is None:
            return None
        if when is None:
            parts.append(f"{said} otherwise")
        elif said == "none":
            parts.append(f"none if {when}")
        else:
            parts.append(f"{said} {when if when.startswith('for ') else 'for ' + when}")
    return "; ".join(parts)


def fee_sentence(rule: Rule, phraser: Phraser, defined: frozenset[str] = frozenset()) -> str:
    """The rule's `fee:` as a sentence, or "" when it has none.

    `defined`: fee facts the page states once above (several rules charge them).
    """
    if rule.fee is None:
        return ""
    name = fee_name(rule.fee, phraser.ir)
    if isinstance(rule.fee, c.FactRef) and rule.fee.name in defined:
        return f"{cap(_article(name))} applies (see above)."
    cases = fee_cases(rule.fee, phraser)
    if cases is not None:
        return f"{cap(_article(name))} applies: {cases}."
    share = phraser.share(rule.fee)
    if share is not None:
        return f"{cap(_article(share))} {name} applies."  # "A 15% restocking fee applies."
    fee = phraser.value_of(rule.fee)
    asked = isinstance(fee, c.Field) and fee.dotted == "request.amount"
    if asked and rule.outcome == "deny":  # the fee the customer asked about
        return f"The {name} stays in place."
    said = phraser.amount(rule.fee)
    if said is not None:
        said = said if said[:1].isdigit() or said.startswith("the ") else f"the {said}"
        return f"{cap(_article(name))} of {said} applies."
    if phraser.customer:
        return f"{cap(_article(name))} may apply."
    return f"{cap(_article(name))} applies: `{unparse(rule.fee)}`."


def _in_order(expr: c.Expr, phraser: Phraser) -> list[tuple[str | None, c.Expr]] | None:
    """An `if` chain's cases in the policy's order, the final `else` (None) left out if 0.

    The first case that holds decides, so the page reads them in that order.  None for a
    fee that is not an `if` chain, or one with a case that has no words.
    """
    while isinstance(expr, c.FactRef) and expr.name in phraser.ir.facts:
        expr = phraser.ir.facts[expr.name].expr
    out: list[tuple[str | None, c.Expr]] = []
    while isinstance(expr, c.If):
        if phraser.internal(expr.cond):
            return None
        when = phraser.say(expr.cond)
        if when is None:
            return None
        out.append((when, expr.then))
        expr = expr.other
    if out and not _zero(expr):
        out.append((None, expr))
    return out or None


def choice(rule: Rule, customer: bool) -> str | None:
    """Several remedies as the customer's choice: "a refund or an exchange, your choice"."""
    if len(rule.remedies) < 2:
        return None
    offered = w.either([w.remedy_words(r) for r in rule.remedies])
    whose = "your" if customer else "the customer's"
    return f"{offered}, {whose} choice"


def promise_sentence(promises: tuple[Promise, ...], customer: bool) -> str:
    """ "Our promise: a refund check in the mail within 10 business days." """
    said = []
    for promise in promises:
        unit = "business day" if promise.business else "day"
        said.append(f"{promise.what} within {promise.days} {unit}{'s' * (promise.days != 1)}")
    if not said:
        return ""
    return f"{'Our promise' if customer else 'Promise'}: {w.either(said, 'and')}."
