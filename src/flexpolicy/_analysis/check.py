"""Exact consistency checks: rules that can never decide, flex rules that never apply.

Each question is put to the solver over *all* valid situations:

* a rule whose conditions contradict each other (the unsat core names them);
* a rule that can match but never decides, because earlier rules always win
  first (the core names the shadowing rules);
* a flex rule that never applies (where it matches, what it bends never
  denies), or that applies but another flex rule is always preferred;
* guards that overlap but decide differently (the first silently wins);
* levers that can never be offered.

An "unsat" answer is a proof; every finding that has a demonstrating
situation carries one, replayed on the real policy first.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .._ir import Lever, Location, PolicyIR, Rule
from ..models import Situation
from ..policy import Policy
from .findings import Finding, Level, finding_at
from .session import Session, conditions_hold, replay, simplify
from .terms_check import term_findings


class RuleChecks:
    """The solver checks of one policy; `run()` yields findings in file order."""

    def __init__(self, policy: Policy, *, timeout_ms: int | None = None) -> None:
        self.policy = policy
        self.ir: PolicyIR = policy._core.ir
        self.session = Session() if timeout_ms is None else Session(timeout_ms=timeout_ms)
        self.enc = self.session.encoder(self.ir)
        z = self.session.z
        self.z = z
        self.matches: dict[str, Any] = {}
        for rule in self.ir.rules:
            self.matches[rule.id] = self.enc.applies(rule)
        self.lever_matches = {lv.id: self.enc.matches(lv.conditions) for lv in self.ir.levers}

    # -- literals ------------------------------------------------------------------
    def yes(self, rule_id: str) -> Any:
        return self.session.literal(f"match:{rule_id}", self.matches[rule_id])

    def no(self, rule_id: str) -> Any:
        return self.session.literal(f"miss:{rule_id}", self.z.Not(self.matches[rule_id]))

    def no_guards(self) -> list[Any]:
        return [self.no(g.id) for g in self.ir.guards]

    # -- the checks ------------------------------------------------------------------
    def run(self) -> Iterator[Finding]:
        """Reachability first: a rule that can decide cannot be contradictory, so the
        (rarer) contradiction question is only asked of rules that never decide."""
        earlier: list[Any] = []
        dead: set[str] = set()
        for guard in self.ir.guards:
            found = self._never_decides(guard, earlier)
            if found is not None:
                dead.add(guard.id)
                yield found
            earlier.append(self.no(guard.id))
        yield from self._guard_overlaps(dead)
        earlier = self.no_guards()
        for rule in self.ir.standard:
            found = self._never_decides(rule, earlier)
            if found is not None:
                yield found
            earlier.append(self.no(rule.id))
        for flex in self.ir.flex:
            if self.session.ask(self.yes(flex.id)) == "unsat":
                found = self.contradiction(flex.id, flex.conditions, flex.location, "rule")
                if found is not None:
                    yield found
                    continue
            yield from self._flex(flex)
        for lever in self.ir.levers:
            yield from self._lever(lever)
        yield from term_findings(self)

    def _never_decides(self, rule: Rule, earlier: list[Any]) -> Finding | None:
        answer = self.session.ask(self.yes(rule.id), *earlier)
        if answer == "sat":
            return None
        if answer == "unknown":
            return self._unknown(rule.id, rule.location, f"whether rule `{rule.id}` can decide")
        found = self.contradiction(rule.id, rule.conditions, rule.location, "rule")
        return found if found is not None else self._shadowed(rule, earlier)

    def contradiction(
        self, owner: str, conditions: tuple[Any, ...], location: Location, what: str
    ) -> Finding | None:
        session = self.session
        literals = [
            session.literal(f"cond:{owner}:{i}", self.enc.holds(x.expr))
            for i, x in enumerate(conditions)
        ]
        answer = session.ask(*literals)
        if answer == "sat":
            return None
        if answer == "unknown":
            return self._unknown(owner, location, f"whether {what} `{owner}` can match")
        core = set(session.core())
        clash = [x for i, x in enumerate(conditions) if f"cond:{owner}:{i}" in core] or list(
            conditions
        )
        shown = " and ".join(f"`{x.source}`" for x in clash)
        if len(clash) == 1:
            message = f"{what} `{owner}` can never match: {shown} never holds"
            hint = "no valid request meets it; check the number or the words it compares"
        else:
            message = f"{what} `{owner}` can never match: {shown} never hold together"
            hint = "these conditions contradict each other; one of them is probably a typo"
        where = clash[0].location if clash else location
        return _finding(
            "contradictory-conditions",
            "error",
            message,
            hint,
            where,
            owner,
            tuple(x.source for x in clash),
        )

    def _shadowed(self, rule: Rule, earlier: list[Any]) -> Finding:
        """`rule` can match but never decides: name the rules that win first."""
        session = self.session
        if session.ask(self.yes(rule.id), *earlier) != "unsat":  # refresh the core
            return self._unknown(rule.id, rule.location, f"whether rule `{rule.id}` can decide")
        shadows = [
            name.removeprefix("miss:") for name in session.core() if name.startswith("miss:")
        ]
        shadows = [r.id for r in (*self.ir.guards, *self.ir.standard) if r.id in shadows]
        witness = self._confirmed(
            rule,
            lambda d: d.rule_id in shadows or any(b in shadows for b in d.bends),
            self.yes(rule.id),
            *(self.no(g.id) for g in self.ir.guards if g.id not in shadows),
        )
        names = _names(shadows)
        verb = "always matches" if len(shadows) == 1 else "always match"
        message = f"rule `{rule.id}` never decides: {names} {verb} first"
        hint = (
            f"move `{rule.id}` above {names}, or narrow "
            + ("it" if len(shadows) == 1 else "them")
            + " so some requests reach it"
        )
        return _finding(
            "shadowed-rule", "error", message, hint, rule.location, rule.id, tuple(shadows), witness
        )

    def _guard_overlaps(self, contradictory: set[str]) -> Iterator[Finding]:
        guards = [g for g in self.ir.guards if g.id not in contradictory]
        for j, later in enumerate(guards):
            for first in guards[:j]:
                if (first.outcome, first.authority) == (later.outcome, later.authority):
                    continue
                if self.session.ask(self.yes(first.id), self.yes(later.id)) != "sat":
                    continue
                witness = self._confirmed(
                    later,
                    lambda d, f=first: d.rule_id == f.id,
                    self.yes(first.id),
                    self.yes(later.id),
                )
                yield _finding(
                    "guard-overlap",
                    "warning",
                    f"guards `{first.id}` and `{later.id}` both match some requests but decide "
                    f"differently ({_says(first)} / {_says(later)}); `{first.id}` wins there "
                    "because it comes first",
                    f"if `{later.id}` should win, move it above `{first.id}`; otherwise narrow "
                    "one of them so they do not overlap",
                    later.location,
                    later.id,
                    (first.id,),
                    witness,
                )
                break

    def _flex(self, flex: Rule) -> Iterator[Finding]:
        z, session, ir = self.z, self.session, self.ir
        routes = [self._decides(target) for target in flex.bends if self._denies(target)]
        applies = z.And(self.matches[flex.id], z.Or(z.BoolVal(False, session.ctx), *routes))
        answer = session.ask(session.literal(f"applies:{flex.id}", applies))
        if answer == "unknown":
            yield self._unknown(flex.id, flex.location, f"whether flex rule `{flex.id}` applies")
            return
        if answer == "unsat":
            bent = _names(list(flex.bends))
            witness = self._confirmed(flex, lambda d: d.rule_id != flex.id, self.yes(flex.id))
            yield _finding(
                "flex-never-applies",
                "error",
                f"flex rule `{flex.id}` can never apply: wherever it matches, {bent} never "
                "decides a denial",
                "bend the rule that denies these requests (the counterexample shows which one "
                "decides), or widen its conditions",
                flex.location,
                flex.id,
                tuple(flex.bends),
                witness,
            )
            return
        preferred = [
            g
            for g in ir.flex
            if g.id != flex.id
            and (g.authority_rank, g.position) < (flex.authority_rank, flex.position)
            and set(g.bends) & set(flex.bends)
        ]
        if not preferred:
            return
        chosen = []
        for target in flex.bends:
            rivals = [self.no(g.id) for g in preferred if target in g.bends]
            chosen.append(z.And(self._decides(target), *rivals))
        wins = z.And(self.matches[flex.id], z.Or(*chosen))
        if session.ask(session.literal(f"chosen:{flex.id}", wins)) != "unsat":
            return
        rivals_ids = [g.id for g in preferred]
        if len(flex.bends) == 1:  # name only the rivals that suffice, from the core
            denial = session.literal(f"decides:{flex.bends[0]}", self._decides(flex.bends[0]))
            if session.ask(self.yes(flex.id), denial, *(self.no(g) for g in rivals_ids)) == "unsat":
                core = set(session.core())
                rivals_ids = [g for g in rivals_ids if f"miss:{g}" in core] or rivals_ids
        witness = self._confirmed(
            flex, lambda d: d.rule_id in rivals_ids, session.literal(f"applies:{flex.id}", applies)
        )
        yield _finding(
            "flex-never-chosen",
            "warning",
            f"flex rule `{flex.id}` applies but is never chosen: {_names(rivals_ids)} also "
            "matches wherever it does, and is preferred (lower authority, then file order)",
            "remove it, or give it conditions the preferred rule does not cover",
            flex.location,
            flex.id,
            tuple(rivals_ids),
            witness,
        )

    def _lever(self, lever: Lever) -> Iterator[Finding]:
        found = self.contradiction(lever.id, lever.conditions, lever.location, "lever")
        if found is not None:
            yield found.model_copy(update={"code": "lever-never-offered"})
            return
        session = self.session
        literal = session.literal(f"lever:{lever.id}", self.lever_matches[lever.id])
        if session.ask(literal, *self.no_guards()) != "unsat":
            return
        core = set(session.core())
        guards = [g.id for g in self.ir.guards if f"miss:{g.id}" in core]
        witness = self._confirmed(
            lever,
            lambda d: d.rule_id in guards and all(offer.id != lever.id for offer in d.levers),
            literal,
        )
        yield _finding(
            "lever-never-offered",
            "error",
            f"lever `{lever.id}` can never be offered: wherever its conditions hold, "
            f"{_names(guards)} decides first, and guarded requests get no gestures",
            "narrow the guard, or give the lever conditions outside it",
            lever.location,
            lever.id,
            tuple(guards),
            witness,
        )

    # -- helpers -------------------------------------------------------------------------
    def _denies(self, target: str) -> bool:
        return (self.ir.default if target == "default" else self.ir.rule(target)).outcome == "deny"

    def _decides(self, target: str) -> Any:
        """The formula for "`target` (a standard rule or the default) decides first"."""
        z = self.z
        before = [z.Not(self.matches[g.id]) for g in self.ir.guards]
        for rule in self.ir.standard:
            if rule.id == target:
                return z.And(*before, self.matches[rule.id])
            before.append(z.Not(self.matches[rule.id]))
        return z.And(z.BoolVal(True, self.session.ctx), *before)

    def _confirmed(self, rule: Rule | Lever, expect: Any, *assumptions: Any) -> Any:
        """A witness where `rule`'s conditions hold and the real decision meets `expect`."""
        witness = self.session.witness(*assumptions)

        def shows(found: tuple[Situation, ...]) -> bool:
            if not conditions_hold(self.ir, found[0], rule.conditions):
                return False
            decision = replay(self.policy, found[0])
            return decision is not None and bool(expect(decision))

        if witness is None or not shows((witness,)):
            return None
        return simplify((witness,), shows)[0]

    def _unknown(self, owner: str, location: Location, question: str) -> Finding:
        return _finding(
            "analysis-incomplete",
            "info",
            f"the solver could not settle {question} in time",
            "simplify its arithmetic, or raise the time limit with `--timeout`",
            location,
            owner,
        )


def _finding(  # noqa: PLR0917 - the fields of a finding, in reading order
    code: str,
    level: Level,
    message: str,
    hint: str,
    location: Location,
    rule_id: str,
    related: tuple[str, ...] = (),
    counterexample: Any = None,
) -> Finding:
    return finding_at(
        location,
        code,
        level,
        message,
        hint,
        rule_id=rule_id,
        related=related,
        counterexample=counterexample,
    )


def _names(ids: list[str]) -> str:
    quoted = [f"`{i}`" for i in ids]
    if len(quoted) <= 2:
        return " and ".join(quoted) or "an earlier rule"
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _says(rule: Rule) -> str:
    return f"refer to {rule.authority}" if rule.outcome == "refer" else rule.outcome


__all__ = ["RuleChecks"]
