"""From a located YAML document to a checked `PolicyIR`, reporting every problem.

The stages (as OPA's compiler does) collect problems instead of stopping at the
first: the shape is checked by the pydantic spec models, then the meaning -
roles, outcomes, remedies, `bends`, ids, params, facts, expressions and
templates.  A file with any error yields no IR at all: a policy is never half
loaded.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from itertools import pairwise
from typing import Any

from pydantic import ValidationError

from .._diagnostics.codes import ALLOWABLE
from .._diagnostics.suggest import did_you_mean
from .._ir import (
    BUILTIN_REMEDIES,
    Explain,
    Lever,
    PolicyIR,
    Rule,
    RuleKind,
)
from ..errors import Problem
from ..schema import DefaultSpec, LeverSpec, PolicySpec, RuleSpec
from .._lang import types as t
from .._lang.catalog import ATTRIBUTE_TYPES
from .attributes import declared_attributes
from .conditions import ConditionBuilder
from .located import LoadedYaml, Path
from .rule_terms import RuleTerms
from .._lang.values import Calendar
from .params import map_params
from .spec_errors import problems_from_validation

RULE_KINDS = ("guard", "standard", "flex")
OUTCOMES_BY_KIND: dict[str, tuple[str, ...]] = {
    "guard": ("deny", "refer"),
    "standard": ("approve", "deny"),
    "flex": ("approve",),
    "default": ("approve", "deny", "refer"),
}
_REQUIRED_TOP = ("policy", "version", "applies_to", "roles")


def digest_of(data: Any) -> str:
    """A content hash that ignores comments, key order and formatting.

    `data` is what `load_yaml` built: text keys, and numbers it has already bounded
    (an int of 5,000 digits, which `json` could not write, is refused as it is read).
    """
    canonical = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# Rules (and levers) in one policy.  Checking and compiling costs about 1 ms a rule
# (benchmarks/curve.py); a file at the size limit can hold ~17,000 one-line rules.
MAX_RULES = 10_000


def build_policy(loaded: LoadedYaml) -> tuple[PolicyIR | None, list[Problem]]:
    """Check a loaded document; return the IR, or None with the problems."""
    data = loaded.data
    if not isinstance(data, dict):
        what = "empty" if data is None else f"a {type(data).__name__}, not a mapping"
        return None, [
            Problem(
                "not-a-mapping",
                f"the top level of a policy file must be a mapping; this one is {what}",
                loaded.file,
                1,
                1,
                "start with `policy: <id>`, `version:`, `applies_to:`, `roles:` and `rules:`",
            )
        ]
    if "escalations" in data and "policy" not in data:
        span = loaded.span(("escalations",), key=True)
        return None, [
            Problem(
                "escalations-file",
                "this is an escalations file, not a decision policy",
                loaded.file,
                span.line,
                span.column,
                "load it with `load_escalations` (or `flexpolicy case sweep`); "
                "`load_policies` and `flexpolicy check` tell the two apart",
            )
        ]
    too_many = _too_many_rules(data, loaded)
    if too_many is not None:
        return None, [too_many]
    problems: list[Problem] = []
    try:
        spec = PolicySpec.model_validate(data)
    except ValidationError as exc:
        problems.extend(problems_from_validation(exc, loaded))
        partial = _salvage(data, exc)
        if partial is None:
            return None, problems
        spec = partial
    builder = _Builder(loaded, spec, problems)
    ir = builder.build()
    if any(p.level == "error" for p in problems):
        return None, sorted(problems, key=lambda p: (p.line, p.column))
    return ir, problems


def _too_many_rules(data: dict[str, Any], loaded: LoadedYaml) -> Problem | None:
    """Refuse a runaway list before any of it is checked."""
    for key in ("rules", "levers"):
        items = data.get(key)
        if isinstance(items, list) and len(items) > MAX_RULES:
            span = loaded.span((key,), key=True)
            return Problem(
                "too-many-rules",
                f"{len(items):,} {key}, over the limit of {MAX_RULES:,}",
                loaded.file,
                span.line,
                span.column,
                "split the policy by request kind (`applies_to`) into files of one directory",
            )
    return None


def _salvage(data: dict[str, Any], exc: ValidationError) -> PolicySpec | None:
    """Drop the broken parts so the rest can still be checked and reported."""
    broken = {tuple(e["loc"][:2]) for e in exc.errors()}
    if any((key,) in broken or (key,) == loc[:1] for loc in broken for key in _REQUIRED_TOP):
        return None
    partial = dict(data)
    for key in ("rules", "levers"):
        items = partial.get(key)
        if isinstance(items, list):
            partial[key] = [item for i, item in enumerate(items) if (key, i) not in broken]
    for key in ("params", "facts", "default", "remedies"):
        if any(loc[:1] == (key,) for loc in broken):
            partial.pop(key, None)
    for loc in broken:
        if loc and isinstance(loc[0], str) and loc[0] not in PolicySpec.model_fields:
            partial.pop(loc[0], None)
    try:
        return PolicySpec.model_validate(partial)
    except ValidationError:
        return None


class _Builder(RuleTerms):
    """Builds a policy: rules, default and levers on top of the shared condition checks."""

    def __init__(self, loaded: LoadedYaml, spec: PolicySpec, problems: list[Problem]) -> None:
        # Map params frozen (`params.map_params`), the calendar in scope (issue 16).
        self.params_ir = map_params(loaded, dict(spec.params), problems)
        super().__init__(loaded, problems, self.params_ir, dict(spec.facts))
        self.scope.calendar = Calendar(
            frozenset(spec.calendar.holidays), frozenset(spec.calendar.weekend)
        )
        self.spec = spec
        self.roles: tuple[str, ...] = tuple(spec.roles)
        self.rank = {role: i for i, role in enumerate(self.roles)}
        self.remedies = (*BUILTIN_REMEDIES, *spec.remedies)
        # `attributes:` first: conditions read the declared types (a bad declaration
        # reads as an error type, so what uses it is not reported twice).
        self.attributes = declared_attributes(
            spec.attributes,
            lambda code, message, path, hint: self.report(code, message, path, hint, key=True),
            self.location,
        )
        if self.attributes is not None and spec.attributes is not None:
            self.scope.attributes = {
                key: ATTRIBUTE_TYPES[a.type] if (a := self.attributes.get(key)) else t.ERROR
                for key in spec.attributes
            }
            self.scope.public_attributes = {k: a.public for k, a in self.attributes.items()}

    def build(self) -> PolicyIR:
        spec = self.spec
        self._check_names(spec.roles, ("roles",), "role")
        self._check_names(spec.applies_to, ("applies_to",), "request kind")
        self.check_params_and_facts()
        rules = self._rules()
        guards = tuple(r for r in rules if r.kind == "guard")
        standard = tuple(r for r in rules if r.kind == "standard")
        flex = tuple(r for r in rules if r.kind == "flex")
        default = self._default()
        self._check_bends(flex, standard, guards, default)
        levers = self._levers()
        return PolicyIR(
            id=spec.policy,
            version=str(spec.version),
            title=spec.title,
            description=spec.description,
            file=self.file,
            digest=digest_of(self.loaded.data),
            applies_to=tuple(spec.applies_to),
            roles=self.roles,
            remedies=self.remedies,
            params=dict(self.params_ir),
            facts=self.facts,
            guards=guards,
            standard=standard,
            flex=flex,
            default=default,
            levers=levers,
            rank=dict(self.rank),
            param_locations={name: self.location(("params", name)) for name in spec.params},
            attributes=self.attributes,
            calendar=self.scope.calendar,
        )

    # -- rules ------------------------------------------------------------------
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

    # -- levers -----------------------------------------------------------------
    def _levers(self) -> tuple[Lever, ...]:
        levers: list[Lever] = []
        seen: set[str] = set()
        for i, spec in enumerate(self.spec.levers):
            lever = self._lever(spec, ("levers", i), seen)
            if lever is not None:
                levers.append(lever)
        return tuple(levers)

    def _lever(self, spec: LeverSpec, path: Path, seen: set[str]) -> Lever | None:
        before = len(self.problems)
        if spec.id in seen:
            self.report("duplicate-id", f"lever id `{spec.id}` is used twice", (*path, "id"))
        seen.add(spec.id)
        caps: list[tuple[int, str, Decimal]] = []
        if not spec.caps:
            self.report(
                "bad-caps",
                "a lever needs at least one cap",
                (*path, "caps"),
                "e.g. `caps: {associate: 10, supervisor: 25}`",
                spec.id,
            )
        for role, cap in spec.caps.items():
            if role not in self.rank:
                self.report(
                    "unknown-role",
                    f"role `{role}` is not on the authority ladder",
                    (*path, "caps", role),
                    did_you_mean(role, self.roles)
                    or "roles are: " + ", ".join(f"`{r}`" for r in self.roles),
                    spec.id,
                    key=True,
                )
                continue
            caps.append((self.rank[role], role, cap))
        caps.sort()
        for (_, low_role, low), (_, high_role, high) in pairwise(caps):
            if high < low:
                self.report(
                    "bad-caps",
                    f"`{high_role}` may offer less ({high}) than `{low_role}` ({low})",
                    (*path, "caps", high_role),
                    "a higher role's cap should be at least the cap of the roles below it",
                    spec.id,
                )
        conditions = self._conditions(spec.when, (*path, "when"), spec.id)
        explain = self._explain(spec.explain, (*path, "explain"), spec.id)
        allow = self._allow(spec.allow, path, spec.id)
        if len(self.problems) > before:
            return None
        return Lever(
            spec.id,
            spec.kind,
            conditions,
            tuple(caps),
            explain,
            self.location(path),
            spec.title,
            allow,
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
