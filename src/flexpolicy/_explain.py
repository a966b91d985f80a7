"""Explanations rendered on demand: rationale, trace, levers and amount.

An `Evaluation` keeps what a decision needs to explain itself (the IR, the
checked facts, the verdict) and re-evaluates with the reference evaluator only
when someone reads `decision.rationale`, `.trace`, `.levers` or `.amount`.
Counterfactuals live in `_counterfactual`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from . import _phrases as ph
from ._context import Context
from ._counterfactual import Candidate, ranked
from ._counterfactual import alternatives as find_alternatives
from ._explain_cache import ExplainCache
from ._expr import _checked as c
from ._interpret import Evaluator
from ._ir import Condition, PolicyIR, Rule, Template
from ._jsonvalue import to_json_value
from ._outputs import made
from ._semantics import STAGE_DEFAULT, STAGE_GUARD, STAGE_STANDARD, Verdict
from ._template import render
from .decision import Alternative, ConditionTrace, Lever, Rationale, RuleTrace
from .errors import FlexPolicyError
from .models import Situation

if TYPE_CHECKING:
    from .decision import Decision

setattr_ = object.__setattr__
DecideSituation = Callable[[Situation], "Decision"]


def _clause(text: str) -> str:
    return text.strip().rstrip(".")


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
    if remedy is None:
        return "this"
    return REMEDY_WORDS.get(remedy, ph.humanize(remedy))


def role_words(role: str) -> str:
    return ph.humanize(role)


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def _updated(record: BaseModel, fields: dict[str, Any]) -> Any:
    """`record.model_copy(update=fields)` for the situation's records (no extras, no
    private attributes): a new instance with the new values and the same fields set."""
    copied = type(record).__new__(type(record))
    setattr_(copied, "__dict__", {**record.__dict__, **fields})
    setattr_(copied, "__pydantic_fields_set__", record.model_fields_set | fields.keys())
    setattr_(copied, "__pydantic_extra__", None)
    setattr_(copied, "__pydantic_private__", None)
    return copied


class Evaluation:
    """What one decision saw; explains it lazily."""

    __slots__ = (
        "_ev",
        "_needs",
        "_ranked",
        "_said",
        "cache",
        "ctx",
        "decide",
        "ir",
        "stage",
        "verdict",
    )

    def __init__(
        self,
        ir: PolicyIR,
        ctx: Context,
        verdict: Verdict,
        decide: DecideSituation,
        cache: ExplainCache | None = None,
    ) -> None:
        self.ir = ir
        self.ctx = ctx
        self.stage = verdict.stage
        self.verdict = verdict
        self.decide = decide
        # The policy's static answers (walks, nouns, units), shared by its decisions.
        self.cache = ExplainCache(ir) if cache is None else cache
        self._ev: Evaluator[Context] | None = None
        # The trace, the rationale and the alternatives word the same conditions:
        # each is worded once per decision, by audience (keyed by node id; the IR
        # keeps the nodes).  Plain int keys and text values keep these dicts out of
        # the garbage collector's way while the decision lives.
        self._said: dict[str, dict[int, str | None]] = {"staff": {}, "customer": {}}
        self._needs: dict[str, dict[int, str | None]] = {"staff": {}, "customer": {}}
        self._ranked: list[Candidate] | None = None

    @property
    def ev(self) -> Evaluator[Context]:
        if self._ev is None:
            self._ev = Evaluator(self.ir.facts, self.ctx, self.cache)
        return self._ev

    def said(self, expr: c.Expr, audience: ph.Audience = "staff") -> str | None:
        """`describe` of `expr` as it came out in this decision (memoised)."""
        memo = self._said[audience]
        try:
            return memo[id(expr)]
        except KeyError:
            ev = self.ev
            found = memo[id(expr)] = ph.describe(expr, ev, ev.truth(expr), audience)
            return found

    def needs(self, expr: c.Expr, audience: ph.Audience = "staff") -> str | None:
        """`requirement` of `expr`: what must hold for it (memoised)."""
        memo = self._needs[audience]
        try:
            return memo[id(expr)]
        except KeyError:
            found = memo[id(expr)] = ph.requirement(expr, self.ev, audience)
            return found

    def ranked(self) -> list[Candidate]:
        """The rules the alternatives stand for, best first (`_counterfactual.ranked`)."""
        if self._ranked is None:
            self._ranked = ranked(self)
        return self._ranked

    def situation(self) -> Situation:
        ctx = self.ctx
        return Situation(
            request=ctx.request,
            customer=ctx.customer,
            transaction=ctx.transaction,
            actor=ctx.actor,
            as_of=ctx.as_of,
            case=ctx.case,
        )

    def redecide(self, changes: dict[str, Any]) -> Decision | None:
        """The decision on this situation with `changes` applied; None if they do not fit.

        The changes come from the solver, already typed (dates, decimals, sets), so
        the records are copied with the new values rather than re-validated (as
        `model_copy(update=...)` does, without its generic copying); the
        decision's own consistency checks still run on the result.
        """
        updates: dict[str, dict[str, Any]] = {}
        for path, value in changes.items():
            root, _, name = path.partition(".")
            updates.setdefault(root, {})[name] = value
        ctx = self.ctx
        records: dict[str, Any] = {
            "request": ctx.request,
            "customer": ctx.customer,
            "transaction": ctx.transaction,
            "case": ctx.case,
        }
        for root, fields in updates.items():
            record = records.get(root)
            if record is None:
                return None
            records[root] = _updated(record, fields)
        situation = made(
            Situation,
            {
                "request": records["request"],
                "customer": records["customer"],
                "transaction": records["transaction"],
                "actor": ctx.actor,
                "as_of": ctx.as_of,
                "case": records["case"],
                "title": None,
            },
        )
        try:
            return self.decide(situation)
        except (FlexPolicyError, ValidationError):
            return None

    # -- trace ------------------------------------------------------------------
    def condition_trace(self, condition: Condition) -> ConditionTrace:
        expr = condition.expr
        ev = self.ev
        value = ev.value
        passed = ev.truth(expr)
        values = {name: to_json_value(value(node)) for name, node in self.cache.leaves(expr)}
        text = self.said(expr) or condition.source
        return made(
            ConditionTrace,
            {"source": condition.source, "passed": passed, "values": values, "text": text},
        )

    def rule_trace(self, rule: Rule, kind: str, note: str | None = None) -> RuleTrace:
        conditions = [self.condition_trace(x) for x in rule.conditions]
        matched = all(x.passed is True for x in conditions)
        return made(
            RuleTrace,
            {
                "rule_id": rule.id,
                "kind": kind,
                "matched": matched,
                "conditions": conditions,
                "note": note,
            },
        )

    def trace(self) -> list[RuleTrace]:
        out: list[RuleTrace] = []
        v = self.verdict
        for guard in self.ir.guards:
            decided = self.stage == STAGE_GUARD and guard is v.decided_by
            out.append(self.rule_trace(guard, "guard", "decides" if decided else None))
            if decided:
                return out
        for rule in self.ir.standard:
            decided = self.stage == STAGE_STANDARD and rule is v.decided_by
            out.append(self.rule_trace(rule, "standard", "decides" if decided else None))
            if decided:
                break
        if self.stage == STAGE_DEFAULT:
            out.append(
                made(
                    RuleTrace,
                    {
                        "rule_id": "default",
                        "kind": "default",
                        "matched": True,
                        "conditions": [],
                        "note": "no standard rule matched",
                    },
                )
            )
        if v.decided_by.outcome == "deny":
            for flex in self.ir.flex:
                if v.decided_by.id in flex.bends:
                    chosen = v.exception and flex is v.rule
                    out.append(
                        self.rule_trace(flex, "flex", "bends the denial" if chosen else None)
                    )
        return out

    # -- counterfactuals ---------------------------------------------------------
    def alternatives(self, decision: Decision) -> list[Alternative]:
        del decision  # the verdict it stands for is ours already
        return find_alternatives(self)

    # -- levers -----------------------------------------------------------------
    def levers(self) -> list[Lever]:
        if self.stage == STAGE_GUARD:
            return []  # guarded requests get no discretionary gestures
        offers: list[Lever] = []
        rank = self.ctx.rank
        for lever in self.ir.levers:
            if not all(self.ev.truth(x.expr) is True for x in lever.conditions):
                continue
            mine = [cap for cap in lever.caps if cap[0] <= rank]
            if not mine:
                continue
            higher = [cap for cap in lever.caps if cap[0] > rank and cap[2] > mine[-1][2]]
            text = self._text(lever.explain.staff, lever.conditions, True, "staff")
            title = lever.title or ph.humanize(lever.id)
            offers.append(
                Lever(
                    id=lever.id,
                    kind=lever.kind,
                    title=lever.title,
                    cap=mine[-1][2],
                    text=_sentence(f"{title}, up to {ph.money(mine[-1][2])}: {text}"),
                    customer_text=(
                        _sentence(render(lever.explain.customer, self._value_text))
                        if lever.explain.customer
                        else None
                    ),
                    higher_role=higher[0][1] if higher else None,
                    higher_cap=higher[0][2] if higher else None,
                )
            )
        return offers

    # -- rationale --------------------------------------------------------------
    def _text(
        self,
        template: Template | None,
        conditions: Sequence[Condition],
        passed: bool,
        audience: ph.Audience,
    ) -> str:
        if template is not None:
            return render(template, self._value_text)
        words: list[str] = []
        for condition in conditions:
            if passed or self.ev.truth(condition.expr) is not True:
                said = self.said(condition.expr, audience)
                if said:
                    words.append(said)
        return "; ".join(words)

    def _usable(self, template: Template | None) -> Template | None:
        """A template, unless a value it shows is missing ("a refund of not known").

        Without it the text is generated from the conditions, which say plainly
        which fact is not known.
        """
        if template is None:
            return None
        for part in template.parts:
            if not isinstance(part, str) and self.ev.value(part.expr) is None:
                return None
        return template

    def _value_text(self, expr: c.Expr) -> str:
        value = self.ev.value(expr)
        return "unknown" if value is None else ph.fmt(value, expr.type, None)

    def rationale(self, decision: Decision) -> Rationale:
        v = self.verdict
        rule = v.rule
        amount = decision.amount
        what = remedy_words(v.rule.remedy)
        if amount is not None and rule.remedy is not None:
            what += f" of {ph.money(amount)}"
        # Staff keep the author's words even when a value is missing ("unknown");
        # customers get generated words instead of a sentence with a hole in it.
        staff_reason = _clause(self._text(rule.explain.staff, rule.conditions, True, "staff"))
        customer_template = self._usable(rule.explain.customer)
        customer_reason = self._text(customer_template, rule.conditions, True, "customer")
        bent = f", an exception to `{v.bends[0]}`" if v.exception else ""
        if v.outcome == "approve":
            staff = f"Approve {what} under rule `{rule.id}`{bent}: {staff_reason}"
            customer = (
                customer_reason
                if customer_template
                else (
                    f"Good news: we can offer you {what}. {_sentence(customer_reason)}"
                    if customer_reason
                    else f"Good news: we can offer you {what}."
                )
            )
        elif v.outcome == "refer" and self.stage != STAGE_GUARD and rule.outcome == "approve":
            role = role_words(v.required_role or "")
            staff = (
                f"A {role} can approve {what} under rule `{rule.id}`{bent}: {staff_reason}. "
                f"Ask a {role} to approve it; your role is {role_words(self.ctx.actor.role)}"
            )
            offer = customer_reason if customer_template else f"We can offer you {what}."
            customer = f"{_sentence(offer)} A {role} will confirm this with you."
        elif v.outcome == "refer":
            role = role_words(v.required_role or "")
            staff = f"Refer to a {role} under rule `{rule.id}`: {staff_reason}"
            customer = (
                customer_reason
                if customer_template
                else (f"A {role} will look at your request personally.")
            )
        else:
            staff, customer = self._denial(
                decision, rule, staff_reason, customer_reason, customer_template is not None
            )
        return made(Rationale, {"staff": _sentence(staff), "customer": _sentence(customer)})

    def _now(self, condition: Condition) -> str:
        """What holds now, for staff (`Requirement.now`)."""
        return self.said(condition.expr) or condition.source

    def _denial(
        self,
        decision: Decision,
        rule: Rule,
        staff_reason: str,
        customer_reason: str,
        from_template: bool,
    ) -> tuple[str, str]:
        """The denial's words, from the alternatives' requirements.

        Only their words are needed, not the changes that would satisfy them nor
        the re-decision that checks those: the candidates (`ranked`) and the
        words (`said`, `needs`) are what `decision.alternatives` is made of.
        """
        del decision  # its alternatives are worded from this evaluation's memos
        unmet_staff = ""
        unmet_customer = ""
        candidates = self.ranked()
        if candidates:
            best = candidates[0].unmet
            unmet_staff = "; ".join(self._now(x) for x in best)
            unmet_customer = "; ".join(
                self._now(x) for x in best if self.needs(x.expr, "customer") is not None
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
                customer += f" {_sentence(reason)}"
        for candidate in candidates:
            if candidate.customer_can_act:
                needs = " and ".join(
                    self.needs(x.expr, "customer") or self.needs(x.expr) or x.source
                    for x in candidate.unmet
                )
                customer = f"{_sentence(customer)} We could help if {needs}"
                break
        return staff, customer
