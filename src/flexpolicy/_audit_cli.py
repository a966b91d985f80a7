"""`flexpolicy audit verify LOG --policy PATH`: prove a decision log by replaying it.

Differences and problems (chain breaks among them) go to stderr as
`LOG:line:1: level[code]: message` (the way `check` prints findings, so editors
and CI can jump to them) and the summary to stdout, with the chain's head (`seq`
and SHA-256 of the last record) to keep elsewhere; `--format json` puts one JSON
document on stdout.  Exit 0 when every record re-derives exactly and the chain
holds, 1 when any differs, cannot be replayed or breaks the chain, 2 for a wrong
command line.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from ._audit import AuditReport, Difference, LogProblem, verify_log
from ._cli_common import Format, PolicyPath, fail, load, stderr_console
from .errors import FlexPolicyError

app = typer.Typer(
    name="audit",
    help="Read and prove decision logs (see docs/audit.md).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


# Problems that say where the hash chain breaks (counted apart from unreplayable records).
CHAIN_BREAKS = frozenset({"chain-broken", "seq-gap"})


def _show(value: object) -> str:
    return "null" if value is None else json.dumps(value) if not isinstance(value, str) else value


def _difference(log: Path, d: Difference) -> str:
    return (
        f"{log}:{d.line}:1: error[differs]: decision `{d.decision_id}`: `{d.field}` "
        f"logged `{_show(d.logged)}`, now `{_show(d.now)}`"
    )


def _problem(log: Path, p: LogProblem) -> str:
    which = f"decision `{p.decision_id}`: " if p.decision_id else ""
    return f"{log}:{p.line}:1: {p.level}[{p.code}]: {which}{p.message}"


def _summary(report: AuditReport) -> str:
    differing = len({(d.line, d.decision_id) for d in report.differences})
    breaks = sum(p.code in CHAIN_BREAKS for p in report.problems)
    errors = sum(p.level == "error" and p.code not in CHAIN_BREAKS for p in report.problems)
    torn = sum(p.code == "torn-line" for p in report.problems)
    text = f"{report.verified} of {report.records} records re-derive exactly"
    parts = [f"{differing} differ"] if differing else []
    if errors:
        parts.append(f"{errors} could not be replayed")
    if breaks:
        parts.append(f"{breaks} chain break{'s' if breaks != 1 else ''}")
    if torn:
        parts.append(f"{torn} torn line{'s' if torn != 1 else ''} skipped")
    head = (
        "none (no chained record)"
        if report.head_seq is None
        else f"seq {report.head_seq}, sha256 {report.head_sha256}"
    )
    return text + (": " + ", ".join(parts) if parts else "") + f"\nhead: {head}"


@app.command("verify")
def verify(
    log: Annotated[
        Path, typer.Argument(help="the decision log (JSON Lines)", exists=True, dir_okay=False)
    ],
    policy: PolicyPath,
    output: Annotated[Format, typer.Option("--format", help="`text` or `json`")] = Format.text,
) -> None:
    """Decide every logged situation again and compare it with the logged decision."""
    try:
        report = verify_log(log, load(policy))
    except FlexPolicyError as exc:
        raise fail(exc) from None
    if output is Format.json:
        document = {
            "log": str(log),
            "ok": report.ok,
            "records": report.records,
            "verified": report.verified,
            "differences": [asdict(d) for d in report.differences],
            "problems": [asdict(p) for p in report.problems],
            "head_seq": report.head_seq,
            "head_sha256": report.head_sha256,
        }
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    else:
        err = stderr_console()
        for line in sorted(
            [(p.line, _problem(log, p)) for p in report.problems]
            + [(d.line, _difference(log, d)) for d in report.differences]
        ):
            err.print(line[1], markup=False)
        print(_summary(report))
    if not report.ok:
        raise typer.Exit(code=1)
