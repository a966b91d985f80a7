"""Decision semantics (DESIGN.md, "Decision semantics"): from matches to a verdict.

Back ends only say *which rules match*; this module alone turns that into an
outcome, so both back ends decide by exactly the same rules:

1. the first matching guard decides (`deny` or `refer`), never bent;
2. else the first matching standard rule, or the default;
3. a denial may be bent by a matching flex rule: prefer one the actor may
   grant, then the lowest authority, then file order;
4. an approval above the actor's role becomes `refer` to the role that may
   grant it, keeping the rule, remedy and exception it stands for.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._ir import Outcome, PolicyIR, Rule

STAGE_GUARD, STAGE_STANDARD, STAGE_DEFAULT = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Verdict:
    """Everything a decision is, except the facts it was made on.

    There are few distinct verdicts per policy (one per rule, rank and flex
    combination), so they are made once and shared by every decision: a
    `Decision` is a verdict plus the facts, and explains itself from both.
    """

    stage: int  # STAGE_GUARD, STAGE_STANDARD or STAGE_DEFAULT: what decided first
    outcome: Outcome
    rule: Rule  # the rule the decision stands for (a flex rule when bent)
    decided_by: Rule  # the guard, standard rule or default that decided first
    exception: bool
    bends: tuple[str, ...]
    required_role: str | None

    @property
    def grants(self) -> bool:
        """Whether the decision stands for an approval (and so may carry an amount)."""
        return self.rule.outcome == "approve" and self.stage != STAGE_GUARD

    @property
    def remedy(self) -> str | None:
        """What an approval (or the referral standing for one) grants; a guard grants nothing."""
        if self.outcome == "deny" or self.stage == STAGE_GUARD:
            return None
        return self.rule.remedy


class VerdictCache:
    """Verdicts depend only on (stage, index, flex matches, rank): a small, finite set.

    Memoising them keeps `resolve` out of the hot path.  Filling the dict from
    several threads at once is harmless: every thread computes the same value.
    """

    __slots__ = ("_ir", "_verdicts")

    def __init__(self, ir: PolicyIR) -> None:
        self._ir = ir
        self._verdicts: dict[tuple[int, int, tuple[int, ...], int], Verdict] = {}

    def get(self, stage: int, index: int, flex: tuple[int, ...], rank: int) -> Verdict:
        key = (stage, index, flex, rank)
        found = self._verdicts.get(key)
        if found is None:
            found = self._verdicts[key] = resolve(self._ir, stage, index, flex, rank)
        return found

    def by_rank(self, stage: int, index: int) -> tuple[Verdict, ...]:
        """The verdicts of one guard, standard rule or default (no flex rule), by rank."""
        return tuple(self.get(stage, index, (), rank) for rank in range(len(self._ir.roles)))


def resolve(ir: PolicyIR, stage: int, index: int, flex: tuple[int, ...], rank: int) -> Verdict:
    if stage == STAGE_GUARD:
        guard = ir.guards[index]
        role = guard.authority if guard.outcome == "refer" else None
        return Verdict(stage, guard.outcome, guard, guard, False, (), role)
    decided = ir.standard[index] if stage == STAGE_STANDARD else ir.default
    if decided.outcome == "deny" and flex:
        # "Prefer one the actor may grant, then the lowest authority, then file
        # order": ordering by authority first puts every grantable rule first.
        chosen = min((ir.flex[i] for i in flex), key=lambda r: (r.authority_rank, r.position))
        return _grant(stage, chosen, decided, rank, exception=True, bends=(decided.id,))
    if decided.outcome == "approve":
        return _grant(stage, decided, decided, rank, exception=False, bends=())
    role = decided.authority if decided.outcome == "refer" else None
    return Verdict(stage, decided.outcome, decided, decided, False, (), role)


def _grant(
    stage: int, rule: Rule, decided: Rule, rank: int, *, exception: bool, bends: tuple[str, ...]
) -> Verdict:
    if rule.authority is not None and rule.authority_rank > rank:
        return Verdict(stage, "refer", rule, decided, exception, bends, rule.authority)
    return Verdict(stage, "approve", rule, decided, exception, bends, None)


OUTCOME_RANK: dict[str, int] = {"deny": 0, "refer": 1, "approve": 2}
