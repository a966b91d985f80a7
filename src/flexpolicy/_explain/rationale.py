"""The rationale: why, in two voices, from what the decision saw.

Staff read the rule and the facts ("Deny under rule `window`: bought 40 days ago;
the window is 30 days"); customers read a plain, polite answer and, for a denial,
what they could do about it.  An author's `explain` template wins when it has one;
otherwise the words are the conditions', from `Phrases`.  A denial is worded from
the alternatives' requirements (the candidates `counterfactual.ranked` keeps),
without solving or re-deciding them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

from .._build.templates import render
from .._engine.semantics import STAGE_GUARD
from .._ir import Condition, Rule, Template
from ..decision import Rationale
from . import words as w
from .counterfactual import Candidate
from .outputs import made
from .phrases import Phrases
from .record import Record
from .terms import with_terms


def clause(text: str) -> str:
    return text.strip().rstrip(".")


def sentence(text: str) -> str:
    """`text` as a sentence: a capital first, a full stop last unless it has one."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def reasons(
    phrases: Phrases,
    template: Template | None,
    conditions: Sequence[Condition],
    audience: w.Audience,
) -> str:
    """The author's template filled in, or else the words for the conditions (which
    held: a rule decides, a lever is offered, only when all of them did)."""
    if template is not None:
        return render(template, phrases.value_text)
    said = phrases.said
    return "; ".join(words for x in conditions if (words := said(x.expr, audience)))


def usable(record: Record, template: Template | None) -> Template | None:
    """A template, unless a value it shows is missing ("a refund of not known").

    Without it the text is generated from the conditions, which say plainly
    which fact is not known.
    """
    if template is None:
        return None
    for part in template.parts:
        if not isinstance(part, str) and record.value(part.expr) is None:
            return None
    return template


def rationale(
    record: Record,
    phrases: Phrases,
    amount: Decimal | None,
    ranked: Callable[[], list[Candidate]],
    *,
    fee: Decimal | None = None,
    promises: Sequence[tuple[str, date]] = (),
) -> Rationale:
    v = record.verdict
    rule = v.rule
    what = w.remedy_words(v.rule.remedy)
    if amount is not None and rule.remedy is not None:
        what += f" of {w.money(amount)}"
    # Staff keep the author's words even when a value is missing ("unknown");
    # customers get generated words instead of a sentence with a hole in it.
    staff_reason = clause(reasons(phrases, rule.explain.staff, rule.conditions, "staff"))
    customer_template = usable(record, rule.explain.customer)
    customer_reason = reasons(phrases, customer_template, rule.conditions, "customer")
    bent = f", an exception to `{v.bends[0]}`" if v.exception else ""
    if v.outcome == "approve":
        staff = f"Approve {what} under rule `{rule.id}`{bent}: {staff_reason}"
        customer = (
            customer_reason
            if customer_template
            else (
                f"Good news: we can offer you {what}. {sentence(customer_reason)}"
                if customer_reason
                else f"Good news: we can offer you {what}."
            )
        )
    elif v.outcome == "refer" and record.stage != STAGE_GUARD and rule.outcome == "approve":
        role = w.role_words(v.required_role or "")
        staff = (
            f"A {role} can approve {what} under rule `{rule.id}`{bent}: {staff_reason}. "
            f"Ask a {role} to approve it; your role is {w.role_words(record.ctx.actor.role)}"
        )
        offer = customer_reason if customer_template else f"We can offer you {what}."
        customer = f"{sentence(offer)} A {role} will confirm this with you."
    elif record.stage == STAGE_GUARD and not record.holds(rule.conditions):
        unknown = clause(reasons(phrases, None, record.unmet(rule.conditions), "staff"))
        staff, customer = _failed_closed(rule, v.outcome, v.required_role, unknown)
    elif v.outcome == "refer":
        role = w.role_words(v.required_role or "")
        staff = f"Refer to a {role} under rule `{rule.id}`: {staff_reason}"
        customer = (
            customer_reason
            if customer_template
            else (f"A {role} will look at your request personally.")
        )
    else:
        staff, customer = _denial(
            phrases,
            rule,
            staff_reason,
            customer_reason,
            from_template=customer_template is not None,
            candidates=ranked(),
        )
    staff, customer = sentence(staff), sentence(customer)
    if fee is not None or len(v.remedies) > 1 or promises:
        staff, customer = (
            with_terms(
                text,
                outcome=v.outcome,
                fee=fee,
                remedies=v.remedies,
                promises=promises,
                audience=audience,
            )
            for text, audience in _voices(staff, customer)
        )
    return made(Rationale, {"staff": staff, "customer": customer})


def _voices(staff: str, customer: str) -> tuple[tuple[str, w.Audience], ...]:
    return ((staff, "staff"), (customer, "customer"))


def _failed_closed(
    rule: Rule, outcome: str, role: str | None, staff_reason: str
) -> tuple[str, str]:
    """A guard that applied because it could not be ruled out (DESIGN 2.3): staff learn
    what is missing; the customer is asked for more, not told a rule they may not meet."""
    verb = "Deny" if outcome == "deny" else f"Refer to a {w.role_words(role or '')}"
    staff = (
        f"{verb} under rule `{rule.id}`, which applies while it cannot be ruled out: "
        f"{staff_reason}. Find out the missing facts and decide again"
    )
    customer = (
        "We can't approve this request yet. We need a few more details from you first."
        if outcome == "deny"
        else "We need a few more details, so a colleague will look at your request."
    )
    return staff, customer


def _now(phrases: Phrases, condition: Condition) -> str:
    """What holds now, for staff (`Requirement.now`)."""
    return phrases.said(condition.expr) or condition.source


def _denial(
    phrases: Phrases,
    rule: Rule,
    staff_reason: str,
    customer_reason: str,
    *,
    from_template: bool,
    candidates: list[Candidate],
) -> tuple[str, str]:
    """The denial's words, from the alternatives' requirements.

    Only their words are needed, not the changes that would satisfy them nor
    the re-decision that checks those: the candidates (`ranked`) and the
    words (`said`, `needs`) are what `decision.alternatives` is made of.
    """
    unmet_staff = ""
    unmet_customer = ""
    if candidates:
        best = candidates[0].unmet
        unmet_staff = "; ".join(_now(phrases, x) for x in best)
        unmet_customer = "; ".join(
            _now(phrases, x) for x in best if phrases.needs(x.expr, "customer") is not None
        )
    if rule.kind == "default" and not rule.explain.staff:
        staff_reason = f"no rule approves this{': ' + unmet_staff if unmet_staff else ''}"
    staff = f"Deny under rule `{rule.id}`: {staff_reason}"
    if from_template:
        customer = customer_reason
    else:
        reason = customer_reason if rule.kind != "default" else unmet_customer
        customer = "We're sorry, we can't approve this request."
        if reason:
            customer += f" {sentence(reason)}"
    for candidate in candidates:
        if candidate.customer_can_act:
            needs = " and ".join(
                phrases.needs(x.expr, "customer") or phrases.needs(x.expr) or x.source
                for x in candidate.unmet
            )
            customer = f"{sentence(customer)} We could help if {needs}"
            break
    return staff, customer
