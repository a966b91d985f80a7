"""`flexpolicy check` and `flexpolicy verify`: findings and proofs on the command line.

Diagnostics go to stderr as `file:line:col: level[code]: message` with a hint
line, the way compilers print them, so editors can jump to them; `--format
json` puts one JSON document on stdout for CI and editor plugins.  Exit 0 when
nothing is wrong, 1 on an error finding or a refuted property, 2 for a wrong
command line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ._cli_common import Format, fail, stderr_console
from .analysis import (
    Comparison,
    Finding,
    PropertyResult,
    check,
    compare,
    exact_analysis_available,
    verify_invariant,
    verify_monotone,
)
from .errors import FlexPolicyError
from .policy import Policy, load_policy


def _files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*.y*ml")))
        elif path.exists():
            files.append(path)
        else:
            stderr_console().print(f"error: `{path}` does not exist", markup=False)
            raise typer.Exit(code=2)
    return files


def _example(situation: Any) -> str:
    return json.dumps(situation.model_dump(mode="json", exclude_none=True), separators=(",", ":"))


def check_command(
    paths: Annotated[list[Path], typer.Argument(help="policy files or directories")],
    output: Annotated[
        Format, typer.Option("--format", help="`text` (stderr) or `json` (stdout)")
    ] = Format.text,
    exact: Annotated[
        bool, typer.Option("--exact/--no-exact", help="run the solver checks (needs z3)")
    ] = True,
    timeout: Annotated[
        int, typer.Option("--timeout", help="solver time limit per question, in ms", min=1)
    ] = 20_000,
) -> None:
    """Find defects in policies: every finding at once, with counterexamples."""
    files = _files(paths)
    findings: list[Finding] = []
    for file in files:
        findings.extend(check(file, exact=exact, timeout_ms=timeout))
    solver = exact and exact_analysis_available()
    counts = {level: sum(f.level == level for f in findings) for level in ("error", "warning")}
    if output is Format.json:
        document = {
            "files": len(files),
            "exact": solver,
            "errors": counts["error"],
            "warnings": counts["warning"],
            "findings": [f.model_dump(mode="json", exclude_none=True) for f in findings],
        }
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    else:
        err = stderr_console()
        for finding in findings:
            err.print(finding.format(), markup=False)
            if finding.counterexample is not None:
                err.print(f"    counterexample: {_example(finding.counterexample)}", markup=False)
        if exact and not solver:
            err.print(
                "note: rule reachability was not checked: z3-solver is not installed\n"
                "    hint: pip install 'flexpolicy[verify]'",
                markup=False,
            )
        noun = "file" if len(files) == 1 else "files"
        if findings:
            notes = sum(f.level == "info" for f in findings)
            print(
                f"{len(files)} {noun} checked: {_count(counts['error'], 'error')}, "
                f"{_count(counts['warning'], 'warning')}"
                + (f", {_count(notes, 'note')}" if notes else "")
            )
        else:
            print(f"{len(files)} {noun} checked, no problems")
    if counts["error"]:
        raise typer.Exit(code=1)


def verify_command(
    path: Annotated[Path, typer.Argument(help="the policy file to verify")],
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
    output: Annotated[Format, typer.Option("--format", help="`text` or `json`")] = Format.text,
) -> None:
    """Prove properties of a policy for every situation, or show a counterexample."""
    if not properties and against is None:
        stderr_console().print(
            "error: nothing to verify\n"
            "    hint: add `--property monotone:customer.tier` or `--against OLD.yaml`",
            markup=False,
        )
        raise typer.Exit(code=2)
    try:
        policy = load_policy(path)
        results = [_verify_one(policy, spec) for spec in properties or []]
        comparison = compare(load_policy(against), policy) if against is not None else None
    except FlexPolicyError as exc:
        raise fail(exc) from None
    failed = [r for r in results if r.status != "proved"]
    if comparison is not None and comparison.only_more_generous.status != "proved":
        failed.append(comparison.only_more_generous)
    if output is Format.json:
        document: dict[str, Any] = {"properties": [r.as_json() for r in results]}
        if comparison is not None:
            document["against"] = {
                "old": str(against),
                "changes": [r.as_json() for r in comparison.changes],
                "only_more_generous": comparison.only_more_generous.as_json(),
                "seconds": round(comparison.seconds, 3),
            }
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    else:
        for result in results:
            _print_result(result)
        if comparison is not None:
            _print_comparison(comparison, against)
    if failed:
        raise typer.Exit(code=1)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _verify_one(policy: Policy, spec: str) -> PropertyResult:
    kind, _, field = spec.partition(":")
    if kind == "monotone" and field:
        decreasing = field.startswith("-")
        return verify_monotone(policy, field.lstrip("-"), increasing=not decreasing)
    if kind == "invariant" and field:
        return verify_invariant(policy, field)
    stderr_console().print(
        f"error: `{spec}` is not a property\n"
        "    hint: write `monotone:customer.tier`, `monotone:-customer.returns_12m` "
        "or `invariant:transaction.channel`",
        markup=False,
    )
    raise typer.Exit(code=2)


def _print_result(result: PropertyResult, indent: str = "") -> None:
    print(f"{indent}{result.status:<8} {result.name}: {result.message} ({result.seconds:.2f} s)")
    for i, situation in enumerate(result.counterexample):
        outcome = result.outcomes[i] if i < len(result.outcomes) else "?"
        label = "situation" if len(result.counterexample) == 1 else ("first", "second")[i]
        print(f"{indent}    {label} ({outcome}): {_example(situation)}")


def _print_comparison(comparison: Comparison, against: Path | None) -> None:
    print(f"against {against}:")
    for result in comparison.changes:
        if result.status != "proved":
            outcomes = " -> ".join(result.outcomes)
            print(
                f"    {result.status:<8} {result.message}" + (f" ({outcomes})" if outcomes else "")
            )
            for situation in result.counterexample:
                print(f"        e.g. {_example(situation)}")
    if comparison.unchanged:
        print("    no situation is decided differently")
    verdict = comparison.only_more_generous
    print(f"{verdict.status:<8} {verdict.message} ({comparison.seconds:.2f} s)")


__all__ = ["check_command", "verify_command"]
