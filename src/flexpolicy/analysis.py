"""Find defects in policies before they reach a store, and prove properties of them.

`check` reports every finding of a policy at once: load errors, rules that can
never decide (and the rules that shadow them), flex rules that never apply,
guards that overlap, levers never offered, unused params and facts, and
customer text that leaks internals, reads as coercive or is hard to read.  The
rule-level findings are exact: each question is put to the z3 SMT solver over
every valid situation, and each finding that a situation can demonstrate comes
with one, replayed on the real policy.

`verify_monotone`, `verify_invariant` and `compare` prove a property for all
situations or refute it with a counterexample.

The solver is the optional extra `flexpolicy[verify]`; without it `check` still
runs the checks that need no solver and says what it skipped.
"""

from __future__ import annotations

from pathlib import Path

from ._analysis.findings import Finding, Level
from ._analysis.lint import lint
from ._analysis.solver import AnalysisUnavailableError, available
from ._analysis.verify import (
    Comparison,
    PropertyResult,
    compare,
    verify_invariant,
    verify_monotone,
)
from .errors import PolicyError
from .policy import Policy, _is_escalations_file, load_policy

__all__ = [
    "AnalysisUnavailableError",
    "Comparison",
    "Finding",
    "Level",
    "PropertyResult",
    "check",
    "compare",
    "exact_analysis_available",
    "verify_invariant",
    "verify_monotone",
]


def exact_analysis_available() -> bool:
    """Whether z3-solver is installed (`pip install 'flexpolicy[verify]'`)."""
    return available()


def check(
    target: Policy | str | Path, *, exact: bool = True, timeout_ms: int | None = None
) -> list[Finding]:
    """Every finding of one policy, in file order.

    `target` is a loaded `Policy` or a path to a policy file; a file that does
    not load gives its load errors as findings.  `exact=False` (or a missing
    z3) skips the solver checks.  Findings a rule lists under `allow:` are
    left out.
    """
    if not isinstance(target, Policy):
        path = Path(target)
        if _is_escalations_file(path):
            from .cases._escalations import load_escalations  # noqa: PLC0415 - only for these

            try:
                escalations = load_escalations(path)
            except PolicyError as exc:
                return [Finding.from_problem(p) for p in exc.problems]
            if not (exact and available()):
                return []
            from ._analysis.escalation_check import escalation_findings  # noqa: PLC0415

            return list(escalation_findings(escalations, timeout_ms=timeout_ms))
        try:
            target = load_policy(path)
        except PolicyError as exc:
            return [Finding.from_problem(p) for p in exc.problems]
    ir = target._core.ir
    findings = list(lint(ir))
    if exact and available():
        from ._analysis.check import RuleChecks  # noqa: PLC0415 - needs the optional z3

        findings.extend(RuleChecks(target, timeout_ms=timeout_ms).run())
    allowed = {r.id: set(r.allow) for r in ir.rules}
    allowed.update({lv.id: set(lv.allow) for lv in ir.levers})
    kept = [f for f in findings if f.code not in allowed.get(f.rule_id or "", set())]
    return sorted(kept, key=lambda f: (f.file, f.line, f.column, f.code))
