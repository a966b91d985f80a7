"""Decision semantics (DESIGN.md, "Decision semantics"): from matches to a verdict.

Back ends only say *which rules match*; this module alone turns that into an
outcome, so every back end decides by exactly the same rules:

1. the first guard that applies decides (`deny` or `refer`), never bent; a
   guard *applies* when its conditions are definitely true or, since guards fail
   closed by default (DESIGN 2.3), when none of them is definitely false
   (`unknown: skip` on a guard asks for "definitely true" again);
2. else the first matching standard rule, or the default;
3. a denial may be bent by a matching flex rule: prefer one the actor may
   grant, then the lowest authority, then file order;
4. an approval above the actor's role becomes `refer` to the role that may
   grant it, keeping the rule, remedy and exception it stands for.

`fold` is steps 1-3 for a back end that reports every rule that matched - and
every guard that applied - (the
durable adapter, the reference matcher); the native one tests the rules in that
order and stops early, so it names the same key without collecting matches.
`resolve` is steps 3-4, from that key and the actor's rank to the `Verdict`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .._ir import Outcome, PolicyIR, Rule

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

    @property
    def remedies(self) -> tuple[str, ...]:
        """Every remedy the customer may choose from; the first is `remedy`."""
        if self.outcome == "deny" or self.stage == STAGE_GUARD:
            return ()
        rule = self.rule
        return rule.remedies or (() if rule.remedy is None else (rule.remedy,))


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

    def fold(
        self, guards: Iterable[int], standard: Iterable[int], flex: Iterable[int], rank: int
    ) -> Verdict:
        """The verdict of every rule that matched (positions, by kind), for this rank."""
        return self.get(*fold(self._ir, guards, standard, flex), rank)

    def by_rank(self, stage: int, index: int) -> tuple[Verdict, ...]:
        """The verdicts of one guard, standard rule or default (no flex rule), by rank."""
        return tuple(self.get(stage, index, (), rank) for rank in range(len(self._ir.roles)))


def fold(
    ir: PolicyIR, guards: Iterable[int], standard: Iterable[int], flex: Iterable[int]
) -> tuple[int, int, tuple[int, ...]]:
    """What decides, given every rule that matched: a verdict's key, less the rank.

    `guards` are the guards that *applied* (matched, or failed closed: each back
    end works that out, as `Rule.fails_closed` says).  The first of them; else the
    first matching standard rule, or the
    default; and if that denies, every matching flex rule that bends it, in file
    order (repeats are ignored: durable-rules fires a rule once per `$or` branch).
    """
    first_guard = min(guards, default=None)
    if first_guard is not None:
        return (STAGE_GUARD, first_guard, ())
    first = min(standard, default=None)
    stage, decided = (
        (STAGE_DEFAULT, ir.default) if first is None else (STAGE_STANDARD, ir.standard[first])
    )
    bent: tuple[int, ...] = ()
    if decided.outcome == "deny":
        bent = tuple(sorted({i for i in flex if decided.id in ir.flex[i].bends}))
    return (stage, decided.position, bent)


def resolve(ir: PolicyIR, stage: int, index: int, flex: tuple[int, ...], rank: int) -> Verdict:
    """The verdict a key stands for: which rule, which outcome, which role must grant it."""
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
