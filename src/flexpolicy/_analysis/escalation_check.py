"""Escalation rules that can never fire.

Every escalation whose conditions hold is raised (there is no "first match"), so
the one defect the solver can find in an escalations file is a rule whose
conditions contradict each other: a promise that can be overdue and not open at
once, a third contact within 14 days but fewer than three in all.  Cases are
always present when escalations run, and their facts are consistent (no more
contacts in 14 days than in all; no more overdue promises than open ones).
"""

from __future__ import annotations

from collections.abc import Iterator

from .._ir import Explain, Location, PolicyIR, Rule
from ..cases._escalations import EscalationRules
from ..policy import Policy
from .check import RuleChecks
from .findings import Finding
from .solver import Value


def escalation_findings(
    rules: EscalationRules, *, timeout_ms: int | None = None
) -> Iterator[Finding]:
    nowhere = Location(rules.file, 0, 0)
    default = Rule("default", "default", 0, (), "deny", None, None, 0, (), None, Explain(), nowhere)
    ir = PolicyIR(
        id=rules.id,
        version=rules.version,
        title=None,
        description=None,
        file=rules.file,
        digest=rules.digest,
        applies_to=("escalation",),
        roles=rules.roles,
        remedies=(),
        params={},
        facts=rules._facts,  # the checked facts of the same file
        guards=(),
        standard=(),
        flex=(),
        default=default,
        levers=(),
    )
    checks = RuleChecks(Policy(ir), timeout_ms=timeout_ms)
    space = checks.session.space
    space.domain.append(space.present["case"])
    # What the case book guarantees of the facts it computes (a caller of `decide` could
    # hand in any `CaseFacts`, so these hold for escalations only).
    for part, whole in (("contacts_14d", "contacts_total"), ("overdue_promises", "open_promises")):
        small, large = space.field("case", (part,)), space.field("case", (whole,))
        assert isinstance(small, Value)
        assert isinstance(large, Value)
        space.domain.append(small.term <= large.term)
    for rule in rules.rules:
        found = checks.contradiction(rule.id, rule.conditions, rule.location, "escalation")
        if found is not None:
            yield found
