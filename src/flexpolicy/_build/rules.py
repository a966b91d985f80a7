"""The checks of a policy's rules and default: ids, kinds, outcomes, authority, `bends`.

What each rule grants or charges is `rule_terms`'; its conditions are
`conditions`'.  `builder` runs these checks over the spec and assembles the IR.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .._diagnostics.codes import ALLOWABLE
from .._diagnostics.suggest import did_you_mean
from .._ir import Explain, Rule, RuleKind
from ..schema import DefaultSpec, PolicySpec, RuleSpec
from .located import Path
from .rule_terms import RuleTerms

RULE_KINDS = ("guard", "standard", "flex")
OUTCOMES_BY_KIND: dict[str, tuple[str, ...]] = {
    "guard": ("deny", "refer"),
    "standard": ("approve", "deny"),
    "flex": ("approve",),
    "default": ("approve", "deny", "refer"),
}


class RuleChecks(RuleTerms):
    """The checks of the rules, the default and `allow:`, on top of the rule terms."""

    spec: PolicySpec
    roles: tuple[str, ...]
    rank: dict[str, int]

    def _rules(self) -> list[Rule]:
        rules: list[Rule] = []
        seen: dict[str, int] = {}
        positions = dict.fromkeys(RULE_KINDS, 0)
        for i, spec in enumerate(self.spec.rules):
            path: Path = ("rules", i)
            if spec.id == "default":
                self.report(
                    "duplicate-id",
                    "`default` is reserved for the policy's default decision",
                    (*path, "id"),
                    "pick another id",
                    spec.id,
                )
            elif spec.id in seen:
                self.report(
                    "duplicate-id",
                    f"rule id `{spec.id}` is used twice (first by rules[{seen[spec.id]}])",
                    (*path, "id"),
                    "every rule needs its own id",
                    spec.id,
                )
            seen.setdefault(spec.id, i)
            kind = spec.kind
            if kind not in RULE_KINDS:
                self.report(
                    "unknown-kind",
                    f"unknown rule kind `{kind}`",
                    (*path, "kind"),
                    did_you_mean(kind, RULE_KINDS) or "kinds are `guard`, `standard` and `flex`",
                    spec.id,
                )
                continue
            rule = self._rule(spec, kind, positions[kind], path)  # type: ignore[arg-type]  # checked above
            if rule is not None:
                rules.append(rule)
                positions[kind] += 1
        return rules

    def _rule(
        self, spec: RuleSpec | DefaultSpec, kind: RuleKind, position: int, path: Path
    ) -> Rule | None:
        rule_id = spec.id if isinstance(spec, RuleSpec) else "default"
        before = len(self.problems)
        outcome = self._outcome(spec.outcome, kind, path, rule_id)
        remedies = self._remedies(spec.remedy, outcome, (*path, "remedy"), rule_id)
        authority = self._authority(spec.authority, outcome, path, rule_id)
        if isinstance(spec, RuleSpec):
            conditions = self._conditions(spec.when, (*path, "when"), rule_id)
            bends = tuple(spec.bends or ())
            title = spec.title
            if spec.bends is not None and kind != "flex":
                self.report(
                    "bad-bends",
                    "only flex rules bend other rules",
                    (*path, "bends"),
                    "add `kind: flex`, or remove `bends`",
                    rule_id,
                    key=True,
                )
            if kind == "flex" and not bends:
                self.report(
                    "bad-bends",
                    "a flex rule must say which denials it bends",
                    path,
                    "add e.g. `bends: [default]`",
                    rule_id,
                )
        else:
            conditions, bends, title = (), (), None
        allow = self._allow(getattr(spec, "allow", None), path, rule_id)
        amount = self._amount(spec, outcome, path, rule_id)
        fee = self._fee(spec, outcome, path, rule_id)
        promises = self._promises(spec, outcome, path, rule_id)
        unknown = self._unknown(spec, kind, path, rule_id)
        explain = self._explain(spec.explain, (*path, "explain"), rule_id)
        if len(self.problems) > before or outcome is None:
            return None
        if authority is None and outcome == "refer":
            authority = self.roles[-1]  # a referral with no role goes to the top of the ladder
        rank = self.rank.get(authority, 0) if authority else 0
        return Rule(
            id=rule_id,
            kind=kind,
            position=position,
            conditions=conditions,
            outcome=outcome,  # type: ignore[arg-type]  # one of OUTCOMES_BY_KIND
            remedy=remedies[0] if remedies else None,
            authority=authority,
            authority_rank=rank,
            bends=bends,
            amount=amount,
            explain=explain,
            location=self.location(path),
            title=title,
            allow=allow,
            remedies=remedies,
            fee=fee,
            promises=promises,
            unknown=unknown,
        )

    def _outcome(self, outcome: str, kind: str, path: Path, rule_id: str) -> str | None:
        allowed = OUTCOMES_BY_KIND[kind]
        if outcome in allowed:
            return outcome
        known = ("approve", "deny", "refer")
        what = "the default" if kind == "default" else f"a {kind} rule"
        if outcome in known:
            hint = {
                "guard": "guards decide `deny` or `refer`; approvals belong in standard rules",
                "standard": "to send an approval up the ladder use `outcome: approve` with "
                "`authority: <role>`",
                "flex": "flex rules turn a denial into an approval: `outcome: approve`",
            }.get(kind)
            message = f"{what} cannot decide `{outcome}`"
        else:
            hint = did_you_mean(outcome, known) or "outcomes are `approve`, `deny` and `refer`"
            message = f"unknown outcome `{outcome}`"
        self.report("bad-outcome", message, (*path, "outcome"), hint, rule_id)
        return None

    def _authority(
        self, authority: str | None, outcome: str | None, path: Path, rule_id: str
    ) -> str | None:
        if authority is None:
            return None
        if authority not in self.rank:
            self.report(
                "unknown-role",
                f"role `{authority}` is not on the authority ladder",
                (*path, "authority"),
                did_you_mean(authority, self.roles)
                or "roles are: " + ", ".join(f"`{r}`" for r in self.roles),
                rule_id,
            )
            return None
        if outcome == "deny":
            self.report(
                "bad-authority",
                "a denial needs no authority",
                (*path, "authority"),
                "remove `authority`, or use `refer` to send the request to that role",
                rule_id,
            )
        return authority

    def _default(self) -> Rule:
        rule = self._rule(self.spec.default, "default", 0, ("default",))
        if rule is None:  # problems were reported; keep going with a plain denial
            rule = Rule(
                "default",
                "default",
                0,
                (),
                "deny",
                None,
                None,
                0,
                (),
                None,
                Explain(),
                self.location(("default",)),
            )
        return rule

    def _check_bends(
        self,
        flex: Iterable[Rule],
        standard: Sequence[Rule],
        guards: Sequence[Rule],
        default: Rule,
    ) -> None:
        by_id = {r.id: r for r in standard}
        guard_ids = {g.id for g in guards}
        indices = {spec.id: i for i, spec in enumerate(self.spec.rules)}
        for rule in flex:
            i = indices[rule.id]
            for j, target in enumerate(rule.bends):
                path: Path = ("rules", i, "bends", j)
                if target == "default":
                    if default.outcome != "deny":
                        self.report(
                            "bad-bends",
                            f"the default decides `{default.outcome}`; there is no denial to bend",
                            path,
                            None,
                            rule.id,
                        )
                    continue
                if target in guard_ids:
                    self.report(
                        "bad-bends",
                        f"`{target}` is a guard, and guards are never bent",
                        path,
                        "make it a standard rule if it should be flexible",
                        rule.id,
                    )
                elif target not in by_id:
                    self.report(
                        "unknown-bends",
                        f"`bends` names `{target}`, which is not a rule of this policy",
                        path,
                        did_you_mean(target, [*by_id, "default"])
                        or "name a standard rule that denies, or `default`",
                        rule.id,
                    )
                elif by_id[target].outcome != "deny":
                    self.report(
                        "bad-bends",
                        f"`{target}` approves; there is no denial to bend",
                        path,
                        "flex rules bend denials only",
                        rule.id,
                    )

    def _allow(self, codes: list[str] | None, path: Path, owner: str) -> tuple[str, ...]:
        """`allow:` names findings of `flexpolicy check`; a typo there would hide nothing."""
        for i, code in enumerate(codes or ()):
            if code not in ALLOWABLE:
                self.report(
                    "unknown-finding",
                    f"`{code}` is not a finding `flexpolicy check` reports",
                    (*path, "allow", i),
                    did_you_mean(code, ALLOWABLE)
                    or "findings are: " + ", ".join(f"`{c}`" for c in sorted(ALLOWABLE)),
                    owner,
                )
        return tuple(codes or ())
