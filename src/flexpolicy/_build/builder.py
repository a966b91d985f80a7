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
from decimal import Decimal
from itertools import pairwise
from typing import Any

from pydantic import ValidationError

from .._diagnostics.suggest import did_you_mean
from .._ir import (
    BUILTIN_REMEDIES,
    Lever,
    PolicyIR,
)
from .._lang import types as t
from .._lang.catalog import ATTRIBUTE_TYPES
from .._lang.values import Calendar
from ..errors import Problem
from ..schema import LeverSpec, PolicySpec
from .attributes import declared_attributes
from .located import LoadedYaml, Path
from .params import map_params
from .rules import RuleChecks
from .spec_errors import problems_from_validation

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


class _Builder(RuleChecks):
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
