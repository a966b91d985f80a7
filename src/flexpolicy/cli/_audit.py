"""`flexpolicy audit verify LOG --policy PATH`: prove a decision log by replaying it.

Differences and problems (chain breaks among them) print as
`LOG:line:1: level[code]: message` (the way `check` prints findings, so editors
and CI can jump to them), then the summary with the chain's head (`seq` and
SHA-256 of the last record) to keep elsewhere, all on stdout: the report of a run
that ran (errors about the invocation go to stderr); `--format json` puts one
JSON document on stdout.  Exit 0 when every record re-derives exactly and the
chain holds, 1 when any differs, cannot be replayed or breaks the chain, 2 for a
wrong command line, a missing log or a policy that does not load.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from .._audit.verify import AuditReport, Difference, LogProblem, verify_log
from ._errors import ExitCode, exit_codes, fail, finish
from ._options import Format, FormatOption, JsonOption, PolicyPath, chosen_format
from ._reading import STDIN_NAME, is_stdin, load, one_stdin, require
from ._writing import echo, echo_json

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


def _difference(log: str, d: Difference) -> str:
    return (
        f"{log}:{d.line}:1: error[differs]: decision `{d.decision_id}`: `{d.field}` "
        f"logged `{_show(d.logged)}`, now `{_show(d.now)}`"
    )


def _problem(log: str, p: LogProblem) -> str:
    return p.problem(log).format()


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


@contextmanager
def _log_file(path: Path) -> Iterator[tuple[Path, str]]:
    """The log and the name to print; standard input is copied to a private file first."""
    if not is_stdin(path):
        if require(path, "a decision log").is_dir():
            fail(f"`{path}` is a directory", hint="give the log's .jsonl file")
        yield path, str(path)
        return
    with tempfile.TemporaryDirectory(prefix="flexpolicy-") as folder:
        spooled = Path(folder) / "log.jsonl"
        with spooled.open("wb") as out:
            shutil.copyfileobj(sys.stdin.buffer, out, 1 << 20)
        yield spooled, STDIN_NAME


@app.command(
    "verify",
    epilog=exit_codes(
        "every record re-derives exactly and the chain holds",
        finding="a record differs, cannot be replayed or breaks the chain",
    ),
)
def verify(
    log: Annotated[
        Path, typer.Argument(help="the decision log (JSON Lines); `-` reads standard input")
    ],
    policy: PolicyPath,
    output: FormatOption = None,
    as_json: JsonOption = False,
) -> None:
    """Decide every logged situation again and compare it with the logged decision."""
    chosen = chosen_format(output, as_json)
    one_stdin(log, policy)
    with _log_file(log) as (file, name):
        report = verify_log(file, load(policy))
    if chosen is Format.json:
        document = {
            "log": name,
            "ok": report.ok,
            "records": report.records,
            "verified": report.verified,
            "differences": [asdict(d) for d in report.differences],
            "problems": [asdict(p) for p in report.problems],
            "head_seq": report.head_seq,
            "head_sha256": report.head_sha256,
        }
        echo_json(json.dumps(document, indent=2))
    else:
        for line in sorted(
            [(p.line, _problem(name, p)) for p in report.problems]
            + [(d.line, _difference(name, d)) for d in report.differences]
        ):
            echo(line[1])
        echo(_summary(report))
    if not report.ok:
        finish(ExitCode.FINDING)


__all__ = ["app", "verify"]
