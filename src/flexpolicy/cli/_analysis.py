"""`flexpolicy check` and `flexpolicy verify`: findings and proofs on the command line.

Findings print as `file:line:col: level[code]: message` with a hint line, the way
compilers print them, so editors can jump to them, followed by the summary - all
on stdout, the report of a run that ran (errors about the invocation go to
stderr); `--format json` puts one JSON document on stdout for CI and editor
plugins.  Exit 0 when nothing is wrong, 1 on an error finding or a refuted
property, 2 for a wrong command line or a missing file, 3 when an analysis could
not run (z3-solver missing) or settle (a solver timeout): a check that did not
run never passes.  `--no-exact` asks for the checks that need no solver only.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from .._build.located import MAX_BYTES
from ..analysis import (
    Comparison,
    Finding,
    PropertyResult,
    check,
    compare,
    exact_analysis_available,
    verify_invariant,
    verify_monotone,
)
from ..errors import PolicyError
from ..policy import Policy
from ._errors import ExitCode, exit_codes, fail, finish
from ._options import Format, FormatOption, JsonOption, chosen_format
from ._reading import STDIN_NAME, is_stdin, one_stdin, policy_from, read_stdin, require
from ._writing import echo, echo_json

commands = typer.Typer()

EXTRA = "flexpolicy[verify]"
# What `check` asks the solver, in words: what does not run without z3-solver.
SOLVER_CHECKS = (
    "contradictory conditions, shadowed rules, flex rules that never apply or are never "
    "chosen, overlapping guards, levers never offered, escalation rules"
)


def solver_missing() -> str:
    """Why the solver cannot be used: not installed, or installed and failing to import."""
    try:
        importlib.import_module("z3")
    except ModuleNotFoundError as exc:
        if exc.name == "z3":
            return "z3-solver is not installed"
        return f"z3-solver is installed but does not import: {exc}"
    except (ImportError, OSError) as exc:
        return f"z3-solver is installed but does not import: {exc}"
    return "z3-solver did not load when flexpolicy started"


def _files(paths: list[Path]) -> list[Path]:
    one_stdin(*paths)
    files: list[Path] = []
    for path in paths:
        if is_stdin(path) or not path.is_dir():
            files.append(require(path, "a policy file or a directory of them"))
            continue
        found = sorted(p for p in path.glob("*.y*ml") if p.is_file())
        if not found:
            fail(
                f"no policy files in `{path}`",
                hint="policy files end in .yaml or .yml; name a file or a folder that holds them",
            )
        files.extend(found)
    return files


def _check_one(file: Path, exact: bool, timeout: int) -> list[Finding]:
    if not is_stdin(file):
        return check(file, exact=exact, timeout_ms=timeout)
    try:
        policy = Policy.from_yaml(read_stdin(MAX_BYTES), file=STDIN_NAME)
    except PolicyError as exc:
        return [Finding.from_problem(p) for p in exc.problems]
    return check(policy, exact=exact, timeout_ms=timeout)


def _example(situation: Any) -> str:
    return json.dumps(situation.model_dump(mode="json", exclude_none=True), separators=(",", ":"))


@commands.command(
    "check",
    epilog=exit_codes(
        "no error found (warnings and notes allowed)",
        finding="an error found (a policy that does not load is one)",
        incomplete="the solver checks did not run (z3-solver missing, unless --no-exact) "
        "or a question timed out",
    ),
)
def check_command(
    paths: Annotated[
        list[Path],
        typer.Argument(help="policy files or directories; `-` reads a policy from stdin"),
    ],
    output: FormatOption = None,
    as_json: JsonOption = False,
    exact: Annotated[
        bool,
        typer.Option(
            "--exact/--no-exact",
            help=f"run the solver checks (needs z3-solver: pip install '{EXTRA}'); without "
            "it and without --no-exact the check is incomplete (exit 3)",
        ),
    ] = True,
    timeout: Annotated[
        int, typer.Option("--timeout", help="solver time limit per question, in ms", min=1)
    ] = 20_000,
) -> None:
    """Find defects in policies: every finding at once, with counterexamples."""
    chosen = chosen_format(output, as_json)
    files = _files(paths)
    findings: list[Finding] = []
    for file in files:
        findings.extend(_check_one(file, exact, timeout))
    solver = exact and exact_analysis_available()
    counts = {level: sum(f.level == level for f in findings) for level in ("error", "warning")}
    notes = sum(f.level == "info" for f in findings)
    unsettled = sum(f.code == "analysis-incomplete" for f in findings)
    # What did not run or settle: `(what, why, hint)`.
    incomplete: list[tuple[str, str, str]] = []
    if exact and not solver:
        incomplete.append(
            (
                f"not run: the solver checks ({SOLVER_CHECKS})",
                solver_missing(),
                f"pip install '{EXTRA}', or add `--no-exact` to run only the checks "
                "that need no solver",
            )
        )
    if unsettled:
        incomplete.append(
            (
                f"not settled: {_count(unsettled, 'question')} the solver could not answer",
                f"within {timeout:,} ms (the `analysis-incomplete` notes)",
                "raise `--timeout`",
            )
        )
    if chosen is Format.json:
        document = {
            "files": len(files),
            "exact": solver,
            "complete": not incomplete,
            "incomplete": [f"{what}: {why}" for what, why, _ in incomplete],
            "errors": counts["error"],
            "warnings": counts["warning"],
            "findings": [f.model_dump(mode="json", exclude_none=True) for f in findings],
        }
        echo_json(json.dumps(document, indent=2))
    else:
        for finding in findings:
            echo(finding.format())
            if finding.counterexample is not None:
                echo(f"    counterexample: {_example(finding.counterexample)}")
        noun = "file" if len(files) == 1 else "files"
        tally = f"{_count(counts['error'], 'error')}, {_count(counts['warning'], 'warning')}"
        tally += f", {_count(notes, 'note')}" if notes else ""
        if incomplete:
            echo(f"{len(files)} {noun} checked, incomplete: {tally}")
            for what, why, hint in incomplete:
                echo(f"    {what}: {why}\n    hint: {hint}")
        elif findings:
            echo(f"{len(files)} {noun} checked: {tally}")
        else:
            skipped = "" if exact else " (the solver checks were skipped: --no-exact)"
            echo(f"{len(files)} {noun} checked, no problems{skipped}")
    if counts["error"]:
        finish(ExitCode.FINDING)
    if incomplete:
        finish(ExitCode.INCOMPLETE)


@commands.command(
    "verify",
    epilog=exit_codes(
        "every property proved (and, with --against, only more generous)",
        finding="a property refuted (or, with --against, stricter for some situation)",
        incomplete="z3-solver missing, or the solver could not settle a property in time",
    ),
)
def verify_command(
    path: Annotated[
        Path, typer.Argument(help="the policy file to verify; `-` reads it from stdin")
    ],
    properties: Annotated[
        list[str] | None,
        typer.Option(
            "--property",
            help="`monotone:FIELD`, `monotone:-FIELD` (lower is better) or `invariant:FIELD`; "
            "FIELD is e.g. `customer.tier` or `days_since_purchase`",
        ),
    ] = None,
    against: Annotated[
        Path | None, typer.Option("--against", help="an older version of the same policy")
    ] = None,
    output: FormatOption = None,
    as_json: JsonOption = False,
) -> None:
    """Prove properties of a policy for every situation, or show a counterexample."""
    chosen = chosen_format(output, as_json)
    if not properties and against is None:
        fail(
            "nothing to verify",
            hint="add `--property monotone:customer.tier` or `--against OLD.yaml`",
        )
    one_stdin(path, against)
    specs = [_property(spec) for spec in properties or []]
    policy = policy_from(path)
    old = policy_from(against) if against is not None else None
    if not exact_analysis_available():
        fail(
            f"`verify` needs the solver: {solver_missing()}",
            hint=f"pip install '{EXTRA}'",
            exit_code=ExitCode.INCOMPLETE,
        )
    results = [_verify_one(policy, kind, field) for kind, field in specs]
    comparison = compare(old, policy) if old is not None else None
    verdicts = [r.status for r in results]
    if comparison is not None:
        verdicts.append(comparison.only_more_generous.status)
    if chosen is Format.json:
        document: dict[str, Any] = {"properties": [r.as_json() for r in results]}
        if comparison is not None:
            document["against"] = {
                "old": str(against),
                "changes": [r.as_json() for r in comparison.changes],
                "only_more_generous": comparison.only_more_generous.as_json(),
                "seconds": round(comparison.seconds, 3),
            }
        echo_json(json.dumps(document, indent=2))
    else:
        for result in results:
            _print_result(result)
        if comparison is not None:
            _print_comparison(comparison, against)
    if "refuted" in verdicts:
        finish(ExitCode.FINDING)
    if "unknown" in verdicts:
        finish(ExitCode.INCOMPLETE)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _property(spec: str) -> tuple[str, str]:
    kind, _, field = spec.partition(":")
    if not (
        kind in ("monotone", "invariant")
        and field.lstrip("-")
        and (kind == "monotone" or not field.startswith("-"))
    ):
        fail(
            f"`{spec}` is not a property",
            hint="write `monotone:customer.tier`, `monotone:-customer.returns_12m` "
            "or `invariant:transaction.channel`",
        )
    return kind, field


def _verify_one(policy: Policy, kind: str, field: str) -> PropertyResult:
    if kind == "monotone":
        decreasing = field.startswith("-")
        return verify_monotone(policy, field.lstrip("-"), increasing=not decreasing)
    return verify_invariant(policy, field)


def _print_result(result: PropertyResult, indent: str = "") -> None:
    echo(f"{indent}{result.status:<8} {result.name}: {result.message} ({result.seconds:.2f} s)")
    for i, situation in enumerate(result.counterexample):
        outcome = result.outcomes[i] if i < len(result.outcomes) else "?"
        label = "situation" if len(result.counterexample) == 1 else ("first", "second")[i]
        echo(f"{indent}    {label} ({outcome}): {_example(situation)}")


def _print_comparison(comparison: Comparison, against: Path | None) -> None:
    echo(f"against {against}:")
    for result in comparison.changes:
        if result.status != "proved":
            outcomes = " -> ".join(result.outcomes)
            echo(
                f"    {result.status:<8} {result.message}" + (f" ({outcomes})" if outcomes else "")
            )
            for situation in result.counterexample:
                echo(f"        e.g. {_example(situation)}")
    if comparison.unchanged:
        echo("    no situation is decided differently")
    verdict = comparison.only_more_generous
    echo(f"{verdict.status:<8} {verdict.message} ({comparison.seconds:.2f} s)")


__all__ = ["check_command", "commands", "solver_missing", "verify_command"]
