"""Escalation rules: the policy language over case facts, evaluated by `CaseBook.sweep`.

An escalations file reads like a policy - params, facts, rules with `when` and
`explain` - but every matching rule raises its own escalation (there is no
first-match), and its expressions may read only `case.*` (and `today`), params
and facts.  Problems are reported like a policy's: every one, with file, line,
column, code and hint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .._build.builder import digest_of
from .._build.conditions import ConditionBuilder
from .._build.located import LoadedYaml, load_yaml
from .._build.params import map_params
from .._build.spec_errors import problems_from_validation
from .._build.templates import render
from .._diagnostics.suggest import did_you_mean
from .._engine.interpreter import Evaluator
from .._explain import phrases as ph
from .._ir import Condition, Explain, Fact, Location
from ..errors import PolicyError, Problem
from ..models import CaseFacts
from ..schema import EscalationsSpec

__all__ = ["Due", "EscalationRules", "load_escalations"]

_ROOTS = frozenset({"case", "today"})


@dataclass(frozen=True, slots=True)
class EscalationRule:
    id: str
    title: str | None
    conditions: tuple[Condition, ...]
    escalate_to: str
    action: str
    explain: Explain
    location: Location


@dataclass(frozen=True, slots=True)
class Due:
    """An escalation a case's facts call for, with its rationale."""

    rule_id: str
    escalate_to: str
    action: str
    staff: str
    customer: str


@dataclass(frozen=True, slots=True)
class _CaseSource:
    case: CaseFacts
    as_of: date

    def root(self, name: str) -> Any:
        return self.case if name == "case" else None

    def builtin(self, name: str) -> Any:
        return self.as_of if name == "today" else None


class EscalationRules:
    """A loaded, checked escalations file.  Immutable; safe to share."""

    def __init__(
        self,
        *,
        id: str,
        version: str,
        roles: tuple[str, ...],
        rules: tuple[EscalationRule, ...],
        facts: dict[str, Fact],
        digest: str,
        file: str,
    ) -> None:
        self.id = id
        self.version = version
        self.roles = roles
        self.rules = rules
        self._facts = facts
        self.digest = digest
        self.file = file

    def __repr__(self) -> str:
        return f"<EscalationRules {self.id} {self.version} ({len(self.rules)} rules)>"

    def due(self, facts: CaseFacts, as_of: date) -> list[Due]:
        """Every rule the case's facts satisfy, in file order, with its rationale."""
        ev = Evaluator(self._facts, _CaseSource(facts, as_of))
        found: list[Due] = []
        for rule in self.rules:
            if not all(ev.truth(x.expr) is True for x in rule.conditions):
                continue
            found.append(
                Due(
                    rule.id,
                    rule.escalate_to,
                    rule.action,
                    self._text(rule, ev, "staff"),
                    self._text(rule, ev, "customer"),
                )
            )
        return found

    @staticmethod
    def _text(rule: EscalationRule, ev: Evaluator[Any], audience: ph.Audience) -> str:
        template = rule.explain.staff if audience == "staff" else rule.explain.customer
        if template is not None:
            return render(template, lambda e: ph.fmt(ev.value(e), e.type))
        role = ph.humanize(rule.escalate_to)
        if audience == "customer":
            return f"A {role} will look at this personally."
        words = "; ".join(
            w for x in rule.conditions if (w := ph.describe(x.expr, ev, ev.truth(x.expr)))
        )
        return f"Escalate to a {role} ({ph.humanize(rule.action)}) under rule `{rule.id}`: {words}."


class _EscalationBuilder(ConditionBuilder):
    def __init__(self, loaded: LoadedYaml, spec: EscalationsSpec, problems: list[Problem]) -> None:
        params = map_params(loaded, dict(spec.params), problems)  # maps frozen, as a policy's
        super().__init__(loaded, problems, params, dict(spec.facts), roots=_ROOTS)
        self.spec = spec

    def build(self) -> EscalationRules:
        spec = self.spec
        self._check_names(spec.roles, ("roles",), "role")
        self.check_params_and_facts()
        rules: list[EscalationRule] = []
        seen: set[str] = set()
        for i, raw in enumerate(spec.rules):
            path = ("rules", i)
            before = len(self.problems)
            if raw.id in seen:
                self.report(
                    "duplicate-id", f"rule id `{raw.id}` is used twice", (*path, "id"), None, raw.id
                )
            seen.add(raw.id)
            if raw.escalate_to not in spec.roles:
                self.report(
                    "unknown-role",
                    f"role `{raw.escalate_to}` is not on the authority ladder",
                    (*path, "escalate_to"),
                    did_you_mean(raw.escalate_to, spec.roles)
                    or "roles are: " + ", ".join(f"`{r}`" for r in spec.roles),
                    raw.id,
                )
            conditions = self._conditions(raw.when, (*path, "when"), raw.id)
            explain = self._explain(raw.explain, (*path, "explain"), raw.id)
            if len(self.problems) == before:
                rules.append(
                    EscalationRule(
                        raw.id,
                        raw.title,
                        conditions,
                        raw.escalate_to,
                        raw.action,
                        explain,
                        self.location(path),
                    )
                )
        return EscalationRules(
            id=spec.escalations,
            version=str(spec.version),
            roles=tuple(spec.roles),
            rules=tuple(rules),
            facts=self.facts,
            digest=digest_of(self.loaded.data),
            file=self.file,
        )


def parse_escalations(text: str | bytes, *, file: str = "<string>") -> EscalationRules:
    loaded = load_yaml(text, file)
    if not isinstance(loaded.data, dict):
        raise PolicyError.single(
            "not-a-mapping",
            "the top level of an escalations file must be a mapping",
            file=file,
            line=1,
            column=1,
            hint="start with `escalations: <id>`, `version:`, `roles:` and `rules:`",
        )
    problems: list[Problem] = []
    try:
        spec = EscalationsSpec.model_validate(loaded.data)
    except ValidationError as exc:
        raise PolicyError(problems_from_validation(exc, loaded, EscalationsSpec)) from None
    rules = _EscalationBuilder(loaded, spec, problems).build()
    errors = [p for p in problems if p.level == "error"]
    if errors:
        raise PolicyError(sorted(errors, key=lambda p: (p.line, p.column)))
    return rules


def load_escalations(path: str | Path) -> EscalationRules:
    """Load and check an escalations file; raise `PolicyError` listing every problem."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise PolicyError.single(
            "unreadable", f"cannot read escalations file: {exc.strerror or exc}", file=str(path)
        ) from None
    return parse_escalations(data, file=str(path))
