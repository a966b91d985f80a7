"""`flexpolicy doc`: a policy as a one-page plain-language summary, for staff or for customers.

Why generate it: a hand-written summary drifts from the rules the moment someone edits a
window or a cap, and then the poster in the shop and the screen at the till disagree.  This
module reads the checked IR (the same trees the engines run) and says what it finds: what
is standard, when the answer is no, where the store bends and who may approve it, and the
small gestures staff may offer.  Numbers come from the params, so a changed window changes
the page.

How conditions become words: a static describer (`doc_phrase`) walks each condition's
checked tree (no situation, no values beyond the params folded into `Const` nodes) and
writes short modifiers, "within 30 days of purchase", "unused and with the original
packaging", "the mistake was ours", in the vocabulary decisions are worded in
(`_explain.words`).  When it cannot phrase a condition, staff see the condition's source
text and customers see nothing.  Each rule's fee, the customer's choice of remedies and its
promises follow its outcome (`doc_terms`); a long condition or fee several rules share is
said once, above the standard rules, so that no rule is pushed off the page.

What customers never see, and why:
- Internal fields (tier, flags, exception counts, attributes): a tier floor becomes "for
  valued customers"; any other internal condition is left out and the bullet says
  "(conditions apply)" so it never promises more than the rule gives.  Denials and reviews
  that hinge on an internal field (flagged accounts) are left out entirely.
- Rule ids, role names beyond "a supervisor" / "a manager", and lever caps.  Caps are the
  staff's discretionary budget, not an entitlement; printing them invites every
  conversation to start at the cap, so customers learn only that gestures exist.

The page itself (the summary's form, fitting it on one sheet with "and N more", and the
HTML) lives in `doc_html`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .._explain import words as w
from .._ir import Condition, Lever, PolicyIR, Rule, Template
from .._lang import checked as c
from .._lang import types as t
from .._lang.ops import constant_right
from ..models import Customer
from .doc_html import Audience, Bullet, PolicySummary, Section, fit, intro, lead_in, to_html
from .doc_html import section as _section
from .doc_phrase import Phraser
from .doc_terms import choice, fee_cases, fee_name, fee_sentence, promise_sentence
from .doc_vocabulary import cap as _cap
from .doc_vocabulary import dedupe, shown

if TYPE_CHECKING:
    from ..policy import Policy

__all__ = ["Audience", "Bullet", "PolicySummary", "Section", "summarize", "to_html", "to_markdown"]

MAX_CONDITIONS = 5  # modifiers per bullet, the last one "2 more" when there are too many
MAX_SOURCE = 60  # characters of a condition's source text shown to staff as a fallback
MAX_SHARED = 100  # characters past which a condition several rules read is said once, above
_TOP_TIER: int = next(
    (int(m.le) for m in Customer.model_fields["tier"].metadata if getattr(m, "le", None)), 5
)
_VALUED = ("for valued customers", "for our most valued customers")
_SEE_BELOW = " Exceptions are possible (see below)."


# -- words for the customer's standing ---------------------------------------------


def _tier(expr: c.Expr, ir: PolicyIR) -> int | None:
    """The floor of a `customer.tier >= N` (or `> N`) condition, following facts."""
    if isinstance(expr, c.FactRef) and expr.name in ir.facts:
        return _tier(ir.facts[expr.name].expr, ir)
    if not isinstance(expr, c.Cmp):
        return None
    op, left, right = constant_right(expr.op, expr.left, expr.right)
    tier = isinstance(left, c.Field) and left.dotted == "customer.tier" and op in (">=", ">")
    if tier and isinstance(right, c.Const) and isinstance(right.value, int):
        return int(right.value) + (op == ">")
    return None


def _tier_words(floor: int) -> str:
    top = floor >= _TOP_TIER
    return f"customer tier {_TOP_TIER} (the highest)" if top else f"customer tier {floor} or above"


# -- rules and levers into sentences ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Said:
    words: tuple[str, ...]  # "for customer tier 4 or above" first, then the other modifiers
    hidden: bool  # a condition was left out (customers: internal, or no words for it)

    def text(self) -> str:
        words, n = list(self.words), MAX_CONDITIONS
        words = (
            words if len(words) <= n else [*words[: n - 1], f"{len(words) - n + 1} more conditions"]
        )
        if not words:
            return "In some cases" if self.hidden else "Always"
        return _cap(", ".join(words)) + (" (conditions apply)" if self.hidden else "")


class _Writer:
    """One policy's rules, levers and ladder as bullets for one audience."""

    def __init__(self, ir: PolicyIR, audience: Audience) -> None:
        self.ir = ir
        self.staff = audience == "staff"
        self.bent = {b for r in ir.flex for b in r.bends}
        self.phraser = Phraser(ir, customer=not self.staff)
        self.terms_used: dict[str, str] = {}  # fact -> its name on the page, defined once
        self.fees_used: frozenset[str] = frozenset()
        self.definitions = self._definitions()

    def _definitions(self) -> list[str]:
        """Long conditions and fees that several rules share, each said once above the rules.

        A return window with membership levels and a holiday season is a paragraph; said in
        every rule that reads it, it would push rules off the page, which DESIGN 2.4 forbids.
        """
        rules = [r for r in self.ir.rules if r.kind != "guard" or r.outcome != "approve"]
        reads = Counter(
            x.expr.name for r in rules for x in r.conditions if isinstance(x.expr, c.FactRef)
        )
        out: list[str] = []
        for name, count in reads.items():
            said = self.phraser.say(c.FactRef(t.BOOL, 0, 0, name)) if count > 1 else None
            if said is None or len(said) <= MAX_SHARED:
                continue
            term = _term(name, self.ir)
            self.terms_used[name] = term
            out.append(f"{_cap(term.removeprefix('within '))}: {said}.")
        fees = Counter(r.fee.name for r in self.ir.rules if isinstance(r.fee, c.FactRef))
        for name, count in fees.items():
            fee = c.FactRef(t.MONEY, 0, 0, name)
            cases = fee_cases(fee, self.phraser) if count > 1 else None
            if cases is not None:
                self.fees_used |= {name}
                out.append(f"{_cap(fee_name(fee, self.ir))}: {cases}.")
        return out

    def conditions(self, conditions: tuple[Condition, ...]) -> _Said:
        whom: list[str] = []
        parts: list[str] = []
        hidden = False
        for condition in conditions:
            floor = _tier(condition.expr, self.ir)
            if floor is not None:
                whom = [f"for {_tier_words(floor)}" if self.staff else _VALUED[floor >= _TOP_TIER]]
                continue
            self.phraser.dropped = False
            expr = condition.expr
            shared = self.terms_used.get(expr.name) if isinstance(expr, c.FactRef) else None
            said = shared or self.phraser.say(expr)
            hidden = hidden or self.phraser.dropped  # customers: an internal case left out
            if said == "always":
                continue  # `when: true` (a lever offered whenever a decision is made)
            if said is None and self.staff:
                source = " ".join(condition.source.split())
                cut = source if len(source) <= MAX_SOURCE else source[: MAX_SOURCE - 1] + "…"
                said = f"`{cut}`"
            hidden = hidden or said is None
            parts += [said] if said else []
        return _Said(tuple(dedupe(whom + parts)), hidden)

    def grant(self, rule: Rule) -> str:
        words = w.remedy_words(rule.remedy) if rule.remedy else "approval"
        if words.startswith("to "):  # "to waive the fee" is an offer; here we need a thing
            words = "a " + w.humanize(rule.remedy or "")
        words = choice(rule, not self.staff) or words
        amount = rule.amount
        if isinstance(amount, c.Const):
            return f"{words} of {shown(amount.value, t.MONEY)}"
        if isinstance(amount, c.Call) and amount.func == "min":  # min(asked, cap): "up to cap"
            caps = [a for a in amount.args if isinstance(a, c.Const)]
            low = min(caps, key=lambda a: a.value) if caps else None
            return f"{words} of up to {shown(low.value, t.MONEY)}" if low else words
        return words

    def terms(self, rule: Rule) -> str:
        """The fee and the promises after a rule's outcome, each a sentence (DESIGN 2.3)."""
        fee = fee_sentence(rule, self.phraser, self.fees_used)
        said = [fee, promise_sentence(rule.promises, not self.staff)]
        return "".join(f" {s}" for s in said if s)

    def role(self, role: str | None) -> str:
        """Who, in this audience's words: staff "a store manager", customers "a manager"."""
        name = role if role is not None else self.ir.roles[-1]
        if self.staff:
            return w.a_role(name)
        return w.role_for_customers(name, self.ir.roles, self.ir.rank)

    def ref(self, rule: Rule) -> str:
        bends = ", ".join(f"`{b}`" for b in rule.bends)
        return (f" `{rule.id}`" + (f", bends {bends}" if bends else "")) if self.staff else ""

    def needs(self, rule: Rule, flex: bool) -> str:
        if rule.authority is None or rule.authority_rank == 0:
            return ""
        who = self.role(rule.authority)
        if self.staff:
            return f" Needs {who}."
        return f" {_cap(who)} {'can approve' if flex else 'approves'} this."

    def approval(self, rule: Rule, *, flex: bool) -> Bullet:
        said = self.conditions(rule.conditions)
        grant = f"{self.grant(rule)}.{self.terms(rule)}{self.needs(rule, flex)}"
        text = f"{said.text()}: {grant}{self.ref(rule)}"
        if not flex:
            return Bullet(text)
        bent = [self.ir.rule(b) for b in rule.bends if b != "default"]
        label = rule.title or (
            f"Exception to “{bent[0].title}”" if bent and bent[0].title else None
        )
        return Bullet(text, label or "An exception")

    def refusal(self, rule: Rule) -> Bullet | None:
        said = self.conditions(rule.conditions)
        if said.hidden and not self.staff:
            return None  # a no that hinges on something internal is not the customer's to read
        text = said.text()
        if rule.outcome == "refer":
            look = "reviews it" if self.staff else "looks at it personally"
            text += f": {self.role(rule.authority)} {look}"
        see = _SEE_BELOW if rule.id in self.bent and not self.staff else ""
        return Bullet(f"{text}.{self.terms(rule)}{see}{self.ref(rule)}")

    def fill(self, template: Template | None) -> str | None:
        """An author's sentence, params filled and `{item.description}` as "the item"."""
        out = ""
        for part in template.parts if template else ():
            if isinstance(part, str):
                out += part
            elif isinstance(part.expr, c.Const) and part.expr.origin:
                out += shown(part.expr.value, part.expr.type)
            elif isinstance(part.expr, c.Field) and part.expr.dotted == "item.description":
                out += "item" if out.lower().endswith("the ") else "the item"
            else:
                return None  # a value only a decision knows: no sentence beats a vague one
        return out.strip() or None

    def default(self) -> tuple[str, Bullet]:
        rule = self.ir.default
        if rule.outcome == "approve":
            return "standard", Bullet(
                f"Anything else: {self.grant(rule)}.{self.terms(rule)}{self.needs(rule, False)}"
            )
        explain = self.fill(rule.explain.staff if self.staff else rule.explain.customer)
        if rule.outcome == "refer":
            text = f"Anything else: {self.role(rule.authority)} reviews it."
        elif self.staff:
            text = "Anything else is declined." + (f" {explain}" if explain else "")
        else:
            text = "Anything else: " + (
                explain[:1].lower() + explain[1:] if explain else "we can't help as standard."
            )
        see = _SEE_BELOW if "default" in self.bent and not self.staff else ""
        return "no", Bullet(text + self.terms(rule) + see + (" `default`" if self.staff else ""))

    def lever(self, lever: Lever) -> Bullet:
        said = self.conditions(lever.conditions)
        words = [*said.words, *(["conditions apply"] if said.hidden else [])]
        when = f" ({', '.join(words)})" if words else ""
        if self.staff:
            caps = ", ".join(
                f"{w.role_words(role)} {w.param_words(cap)}" for _, role, cap in lever.caps
            )
            return Bullet(f"Caps: {caps}{when}. `{lever.id}`", lever.title or w.humanize(lever.id))
        title = lever.title or (w.remedy_words(lever.kind) if lever.kind else "a small gesture")
        return Bullet(f"{_cap(title)}{when}.")

    def ladder(self) -> list[Bullet]:
        """Staff: each rung, lowest first, with the rules it approves or reviews."""
        ir, bullets = self.ir, []
        grants = [r for r in (*ir.standard, *ir.flex, ir.default) if r.outcome == "approve"]
        refers = [r for r in (*ir.guards, ir.default) if r.outcome == "refer"]
        free = sum(r.kind == "standard" and r.authority_rank == 0 for r in grants)
        for rank, role in enumerate(ir.roles):
            approves = [
                r for r in grants if r.authority_rank == rank and (rank or r.kind == "flex")
            ]
            reviews = [r for r in refers if (r.authority or ir.roles[-1]) == role]
            said = [f"every standard approval that names no approver ({free})"]
            said = said if rank == 0 and free else []
            said += [_named(approves)] if approves else []
            text = f"Approves {', and '.join(said)}." if said else ""
            text += f" Reviews {_named(reviews)}." if reviews else ""
            bullets.append(Bullet(text.strip() or "No rules of its own.", _cap(w.role_words(role))))
        return bullets


def _term(fact: str, ir: PolicyIR) -> str:
    """A shared condition's name on the page: `in_window` is "within the return window"."""
    word = w.humanize(fact.removeprefix("in_").removeprefix("within_"))
    if word in ("window", "period"):
        kind = w.humanize(ir.applies_to[0]) if len(ir.applies_to) == 1 else ""
        return f"within the {kind} {word}".replace("  ", " ")
    return word


def _named(rules: list[Rule]) -> str:
    names = [f"“{r.title or w.humanize(r.id)}” `{r.id}`" for r in rules[:3]]
    return "; ".join(names) + (f" and {len(rules) - 3} more" if len(rules) > 3 else "")


# Section leads, and the bullet an empty section shows, by audience.
_LEADS = {
    "staff": {"no": "Guards are checked first and never bent.",
              "flexible": "Exceptions that turn a no into a yes, each with who may approve it.",
              "approvals": "Each role may also do everything the roles below it may.",
              "gestures": "Offered at the employee's discretion, up to the cap of their role."},
    "customer": {"flexible": "Sometimes we can do more than the standard:",
                 "gestures": "Our staff can sometimes add a small gesture, such as:"},
}  # fmt: skip
_EMPTY = {"standard": "Nothing is approved as standard.", "no": "Nothing is declined outright.",
          "flexible": "This policy is applied as written.",
          "gestures": "No small gestures."}  # fmt: skip


def summarize(policy: Policy, *, audience: Audience = "staff") -> PolicySummary:
    """The policy's one-page summary for `audience`, built from its checked rules."""
    ir = policy._core.ir
    writer = _Writer(ir, audience)
    bullets: dict[str, list[Bullet | None]] = {
        "standard": [writer.approval(r, flex=False) for r in ir.standard if r.outcome == "approve"],
        "no": [writer.refusal(r) for r in (*ir.guards, *ir.standard) if r.outcome != "approve"],
        "flexible": [writer.approval(r, flex=True) for r in ir.flex],
        "approvals": list(writer.ladder()) if writer.staff else [],
        "gestures": [writer.lever(lever) for lever in ir.levers],
    }
    where, default = writer.default()
    bullets[where].append(default)
    headings = {"standard": "What we do as standard", "no": "When we say no",
                "flexible": "Where we can be flexible", "approvals": "Who can approve what",
                "gestures": "Small gestures"}  # fmt: skip
    leads = {k: v for k, v in _LEADS[audience].items() if k != "no" or ir.guards}
    if writer.definitions:
        leads["standard"] = " ".join(writer.definitions)
    sections = tuple(
        _section(
            key, heading, [b for b in bullets[key] if b] or [Bullet(_EMPTY[key])], leads.get(key)
        )
        for key, heading in headings.items()
        if key != "approvals" or writer.staff
    )
    kinds = w.either([w.humanize(k) for k in ir.applies_to])
    footer = (
        f"For staff. Policy `{ir.id}` version {ir.version} ({ir.digest[:19]}), deciding {kinds} "
        f"requests. Generated from {Path(ir.file).name}: edit the policy, not this page."
        if writer.staff
        else f"Policy version {ir.version}. Ask any member of staff if you have questions."
    )
    title, text = ir.title or _cap(w.humanize(ir.id)), intro(ir.description)
    return PolicySummary(ir.id, ir.version, audience, title, text, fit(text, sections), footer)


def to_markdown(summary: PolicySummary) -> str:
    """The summary as Markdown: one `#` title, a `##` per section, bullets."""
    lines = [f"# {summary.title}", ""] + ([summary.intro, ""] if summary.intro else [])
    for section in summary.sections:
        lines += [f"## {section.heading}", ""] + ([section.lead, ""] if section.lead else [])
        for bullet in section.bullets:
            label = f"**{lead_in(bullet.label)}** " if bullet.label else ""
            lines.append(f"- {label}{bullet.text}")
        lines += [f"- …and {section.more} more."] if section.more else []
        lines.append("")
    return "\n".join([*lines, f"*{summary.footer}*"]) + "\n"
