"""Both versions of a policy on every past situation: what a change would decide differently.

Why: a policy edit reads harmless in review ("30 days becomes 14") and still moves
money and workload. Replaying last year's requests through the old and the new
version shows, before the change ships, how many customers would be told
something else, which way (approve -> deny, approve -> refer, ...), the money at
stake, whose queue grows, and a few real requests per change, with what the
employee and the customer would read under each version.

Histories can be long (a year of a chain's requests), so `diff` streams: it keeps
counters and at most `examples` examples per transition, never the decisions.
A situation one version refuses (`InputError`: a kind it does not decide, facts
that contradict each other) is counted as skipped under the error's code and left
out of every other figure. A policy with the same digest on both sides (say, the
five policies of a set that did not change) is decided once per situation: same
content, same decision.

Money, all exact `Decimal`:

- `money`: what approvals grant, `decision.amount` summed by remedy: `refund`,
  `store_credit`, and `other` (every other remedy: exchange, replacement, price
  adjustment, fee waiver, gift card, ...). Only `outcome == "approve"` counts.
- `pending`: what referrals stand for (`refer` keeps the amount of the approval
  it waits for; a guard's referral has none), by the same remedies: money a
  higher role may still grant.
- `levers`: the largest lever cap offered on each decision, summed: the
  discretionary gestures the actor could add on top.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..decision import Decision
from ..errors import InputError
from ..models import Situation
from ..policy import Policy, PolicySet

__all__ = ["DiffExample", "DiffReport", "DiffSide", "MoneyLine", "diff", "diff_lines"]

OUTCOMES = ("approve", "deny", "refer")
MONEY_KEYS = ("refund", "store_credit", "other")
PROGRESS_EVERY = 1_000
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class MoneyLine:
    """One sum of money under the old and the new version."""

    old: Decimal
    new: Decimal

    @property
    def delta(self) -> Decimal:
        return self.new - self.old

    def as_json(self) -> dict[str, str]:
        return {"old": str(self.old), "new": str(self.new), "delta": str(self.delta)}


@dataclass(frozen=True, slots=True)
class DiffSide:
    """What one version decided on an example, with what each audience would read."""

    outcome: str
    rule_id: str
    remedy: str | None
    amount: Decimal | None
    required_role: str | None
    staff: str
    customer: str

    @classmethod
    def of(cls, decision: Decision) -> DiffSide:
        rationale = decision.rationale
        return cls(
            decision.outcome,
            decision.rule_id,
            decision.remedy,
            decision.amount,
            decision.required_role,
            rationale.staff,
            rationale.customer,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "rule_id": self.rule_id,
            "remedy": self.remedy,
            "amount": None if self.amount is None else str(self.amount),
            "required_role": self.required_role,
            "staff": self.staff,
            "customer": self.customer,
        }


@dataclass(frozen=True, slots=True)
class DiffExample:
    """One past situation the two versions decide differently."""

    situation: Situation
    old: DiffSide
    new: DiffSide

    @property
    def request_id(self) -> str:
        return self.situation.request.id

    def as_json(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "old": self.old.as_json(),
            "new": self.new.as_json(),
            "situation": self.situation.model_dump(mode="json", exclude_none=True),
        }


def _key(pair: tuple[str, str]) -> str:
    return f"{pair[0]} -> {pair[1]}"


@dataclass(frozen=True)
class DiffReport:
    """What the new version would decide differently on a history.

    `total` situations were read; `decided` were decided by both versions and
    `skipped` (by `InputError` code) by at least one not.  `changed` counts
    situations whose outcome, rule, remedy, amount or required role differs;
    `transitions` counts those whose outcome differs, by (old, new) outcome;
    `rule_changes` those with the same outcome under another rule.  `examples`
    holds up to the requested number of changed situations per (old, new)
    outcome pair, including same-outcome pairs such as ("approve", "approve")
    for a refund that became store credit.  Money is described in the module
    docstring.
    """

    old_policies: tuple[str, ...]
    new_policies: tuple[str, ...]
    total: int
    decided: int
    skipped: dict[str, int]
    changed: int
    transitions: dict[tuple[str, str], int]
    rule_changes: int
    outcomes: dict[str, tuple[int, int]]
    money: dict[str, MoneyLine]
    pending: dict[str, MoneyLine]
    levers: MoneyLine
    roles: dict[str, tuple[int, int]]
    examples: dict[tuple[str, str], list[DiffExample]]

    def as_json(self) -> dict[str, Any]:
        """The report as plain JSON types: money as exact strings, pairs as "old -> new"."""
        return {
            "old_policies": list(self.old_policies),
            "new_policies": list(self.new_policies),
            "total": self.total,
            "decided": self.decided,
            "skipped": dict(self.skipped),
            "changed": self.changed,
            "rule_changes": self.rule_changes,
            "transitions": {_key(k): v for k, v in self.transitions.items()},
            "outcomes": {k: {"old": o, "new": n} for k, (o, n) in self.outcomes.items()},
            "money": {k: line.as_json() for k, line in self.money.items()},
            "pending": {k: line.as_json() for k, line in self.pending.items()},
            "levers": self.levers.as_json(),
            "roles": {k: {"old": o, "new": n} for k, (o, n) in self.roles.items()},
            "examples": {_key(k): [e.as_json() for e in v] for k, v in self.examples.items()},
        }


class _Tally:
    """The running figures of one version."""

    __slots__ = ("levers", "money", "outcomes", "pending", "roles")

    def __init__(self) -> None:
        self.outcomes = dict.fromkeys(OUTCOMES, 0)
        self.money = dict.fromkeys(MONEY_KEYS, ZERO)
        self.pending = dict.fromkeys(MONEY_KEYS, ZERO)
        self.levers = ZERO
        self.roles: dict[str, int] = {}

    def add(self, decision: Decision, amount: Decimal | None, cap: Decimal | None) -> None:
        outcome = decision.outcome
        self.outcomes[outcome] += 1
        if amount is not None and outcome != "deny":
            remedy = decision.remedy
            bucket = remedy if remedy in ("refund", "store_credit") else "other"
            sums = self.money if outcome == "approve" else self.pending
            sums[bucket] += amount
        if outcome == "refer" and decision.required_role is not None:
            role = decision.required_role
            self.roles[role] = self.roles.get(role, 0) + 1
        if cap is not None:
            self.levers += cap


def _policy_for(side: Policy | PolicySet, kind: str) -> Policy:
    if isinstance(side, PolicySet):
        return side.for_kind(kind)
    return side


def _labels(side: Policy | PolicySet) -> tuple[str, ...]:
    policies = side.policies if isinstance(side, PolicySet) else (side,)
    return tuple(f"{p.id} {p.version} ({p.digest[:15]})" for p in policies)


def diff(
    old: Policy | PolicySet,
    new: Policy | PolicySet,
    situations: Iterable[Situation],
    *,
    examples: int = 3,
    progress: Callable[[int], None] | None = None,
) -> DiffReport:
    """Decide every situation with both versions and report what changes.

    `progress(k)` is called after every 1,000th situation with the count so
    far, and once at the end with the total if that was not just reported.
    """
    if examples < 0:
        raise ValueError(f"examples must be at least 0, not {examples}")
    before, after = _Tally(), _Tally()
    total = decided = changed = rule_changes = 0
    skipped: dict[str, int] = {}
    transitions: dict[tuple[str, str], int] = {}
    kept: dict[tuple[str, str], list[DiffExample]] = {}
    for situation in situations:
        total += 1
        if progress is not None and total % PROGRESS_EVERY == 0:
            progress(total)
        kind = situation.request.kind
        try:
            old_policy = _policy_for(old, kind)
            new_policy = _policy_for(new, kind)
            a = old_policy.decide_situation(situation)
            if new_policy is old_policy or new_policy.digest == old_policy.digest:
                b = a  # same content, same decision: decide once
            else:
                b = new_policy.decide_situation(situation)
        except InputError as exc:
            skipped[exc.code] = skipped.get(exc.code, 0) + 1
            continue
        decided += 1
        amount_a = a.amount
        amount_b = amount_a if b is a else b.amount
        cap_a = a.largest_lever_cap()
        before.add(a, amount_a, cap_a)
        after.add(b, amount_b, cap_a if b is a else b.largest_lever_cap())
        if b is a or (
            a.outcome == b.outcome
            and a.rule_id == b.rule_id
            and a.remedy == b.remedy
            and amount_a == amount_b
            and a.required_role == b.required_role
        ):
            continue
        changed += 1
        pair = (a.outcome, b.outcome)
        if a.outcome != b.outcome:
            transitions[pair] = transitions.get(pair, 0) + 1
        elif a.rule_id != b.rule_id:
            rule_changes += 1
        shown = kept.setdefault(pair, [])
        if len(shown) < examples:
            shown.append(DiffExample(situation, DiffSide.of(a), DiffSide.of(b)))
    if progress is not None and total % PROGRESS_EVERY != 0:
        progress(total)
    roles = set(before.roles) | set(after.roles)
    return ordered_report(
        old_policies=_labels(old),
        new_policies=_labels(new),
        total=total,
        decided=decided,
        skipped=skipped,
        changed=changed,
        transitions=transitions,
        rule_changes=rule_changes,
        outcomes={k: (before.outcomes[k], after.outcomes[k]) for k in OUTCOMES},
        money={k: MoneyLine(before.money[k], after.money[k]) for k in MONEY_KEYS},
        pending={k: MoneyLine(before.pending[k], after.pending[k]) for k in MONEY_KEYS},
        levers=MoneyLine(before.levers, after.levers),
        roles={r: (before.roles.get(r, 0), after.roles.get(r, 0)) for r in roles},
        examples=kept,
    )


def ordered_report(**parts: Any) -> DiffReport:
    """A `DiffReport` with its tables in the report's one order, however they were
    counted (`diff` in one pass, or `merge_reports` from chunks): skip codes and roles
    by name, transitions by count (most first) then pair, only pairs with examples."""
    parts["skipped"] = dict(sorted(parts["skipped"].items()))
    parts["transitions"] = dict(
        sorted(parts["transitions"].items(), key=lambda kv: (-kv[1], kv[0]))
    )
    parts["roles"] = dict(sorted(parts["roles"].items()))
    parts["examples"] = {pair: shown for pair, shown in parts["examples"].items() if shown}
    return DiffReport(**parts)


# -- the plain-text report -------------------------------------------------------


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _signed(value: Decimal | int) -> str:
    return f"{value:+,.2f}" if isinstance(value, Decimal) else f"{value:+,}"


def _decision_words(side: DiffSide) -> str:
    words = [side.outcome.upper(), side.rule_id]
    if side.remedy:
        words.append(side.remedy if side.amount is None else f"{side.remedy} {side.amount:,.2f}")
    if side.required_role:
        words.append(f"needs {side.required_role}")
    return "  ".join(words)


def _policy_lines(report: DiffReport) -> list[str]:
    old = {label.split(" ", 1)[0]: label for label in report.old_policies}
    new = {label.split(" ", 1)[0]: label for label in report.new_policies}
    lines: list[str] = []
    same: list[str] = []
    for pid in sorted(old.keys() | new.keys()):
        if old.get(pid) == new.get(pid):
            same.append(pid)
        else:
            lines.append(f"  {old.get(pid, '(none)')} -> {new.get(pid, '(none)')}")
    head = ["policies changed:"] if lines else ["policies: no policy changed"]
    tail = [f"  unchanged: {', '.join(same)}"] if same and lines else []
    return head + lines + tail


def _money_block(title: str, lines: dict[str, MoneyLine]) -> list[str]:
    if all(line.old == line.new == ZERO for line in lines.values()):
        return []
    out = [f"{title:<22}{'old':>14}{'new':>14}{'delta':>14}"]
    for name, line in lines.items():
        out.append(
            f"  {name:<20}{_money(line.old):>14}{_money(line.new):>14}{_signed(line.delta):>14}"
        )
    return [*out, ""]


def diff_lines(report: DiffReport) -> list[str]:
    """The report as compact plain text for a terminal, one line per item."""
    decided = report.decided
    skipped = sum(report.skipped.values())
    lines = [
        f"{report.total:,} situations: {decided:,} decided by both versions, {skipped:,} skipped",
        *_policy_lines(report),
    ]
    if skipped:
        codes = ", ".join(f"{code} {count:,}" for code, count in report.skipped.items())
        lines.append(f"skipped ({codes}): one version does not decide them")
    lines += [
        "",
        f"changed {report.changed:,} ({_pct(report.changed, decided)} of decided): "
        f"{sum(report.transitions.values()):,} outcome, {report.rule_changes:,} rule only, "
        f"{report.changed - sum(report.transitions.values()) - report.rule_changes:,} "
        "remedy, amount or role only",
        "",
        f"{'outcome':<22}{'old':>14}{'new':>14}{'change':>14}",
    ]
    for outcome, (old, new) in report.outcomes.items():
        lines.append(f"  {outcome:<20}{old:>14,}{new:>14,}{_signed(new - old):>14}")
    lines.append("")
    if report.transitions:
        lines.append("transitions")
        width = max(len(_key(pair)) for pair in report.transitions)
        for pair, count in report.transitions.items():
            lines.append(f"  {_key(pair):<{width}}  {count:>9,}  {_pct(count, decided):>6}")
        lines.append("")
    lines += _money_block("money granted", report.money)
    lines += _money_block("awaiting a higher role", report.pending)
    lines += _money_block("levers (largest cap)", {"offered": report.levers})
    if report.roles:
        lines.append(f"{'referrals by role':<22}{'old':>14}{'new':>14}{'change':>14}")
        for role, (old, new) in report.roles.items():
            lines.append(f"  {role:<20}{old:>14,}{new:>14,}{_signed(new - old):>14}")
        lines.append("")
    order = [*report.transitions, *(k for k in report.examples if k not in report.transitions)]
    for pair in order:
        shown = report.examples.get(pair)
        if not shown:
            continue
        moved = report.transitions.get(pair)
        of = f"{len(shown)} of {moved:,}" if moved else f"{len(shown)} shown"
        lines.append(f"examples: {_key(pair)} ({of})")
        for example in shown:
            title = f" - {example.situation.title}" if example.situation.title else ""
            lines.append(f"  {example.request_id}{title}")
            for name, side in (("old", example.old), ("new", example.new)):
                lines.append(f"    {name}: {_decision_words(side)}")
                lines.append(f"      staff:    {side.staff}")
                lines.append(f"      customer: {side.customer}")
        lines.append("")
    while lines and not lines[-1]:
        lines.pop()
    return lines
