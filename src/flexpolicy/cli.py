"""The `flexpolicy` command: decide, check, verify, demo and case.

Behaves like a good Unix tool: results on stdout, problems on stderr as
`file:line:col: level[code]: message`, exit 0 on success, 1 when the policy or
the facts are wrong, 2 for a wrong command line.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ._analysis_cli import check_command, verify_command
from ._audit_cli import app as audit_app
from ._authoring_cli import explain_command, schema_command
from ._case_cli import app as case_app
from ._cli_common import (
    PolicyPath,
    RoleOption,
    SituationFile,
    as_role,
    fail,
    load,
    stdout_console,
)
from ._history_cli import diff_command, doc_command, simulate_command
from ._render import decision_panel, demo_table
from .errors import FlexPolicyError
from .policy import load_policies
from .situations import read_situations

app = typer.Typer(
    name="flexpolicy",
    help="Customer-service policies that bend for the right customers, and say why.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


app.add_typer(case_app, name="case")
app.add_typer(audit_app, name="audit")


@app.command()
def decide(
    situation_file: SituationFile,
    policy: PolicyPath,
    as_json: Annotated[
        bool, typer.Option("--json", help="print JSON (JSON Lines for many)")
    ] = False,
    role: RoleOption = None,
) -> None:
    """Decide a situation and explain why."""
    try:
        target = load(policy)
        out = stdout_console(160)
        for situation in read_situations(situation_file):
            decision = target.decide_situation(as_role(situation, role))
            if as_json:
                indent = None if situation_file.suffix == ".jsonl" else 2
                sys.stdout.write(decision.model_dump_json(indent=indent) + "\n")
            else:
                out.print(decision_panel(decision, situation))
    except FlexPolicyError as exc:
        raise fail(exc) from None


app.command("check")(check_command)
app.command("verify")(verify_command)
app.command("explain")(explain_command)
app.command("schema")(schema_command)
app.command("doc")(doc_command)
app.command("diff")(diff_command)
app.command("simulate")(simulate_command)


def _shipped(name: str) -> Path:
    """`rules/` or `examples/situations/` from the working directory or the source tree."""
    here = Path.cwd() / name
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / name


@app.command()
def demo(
    rules: Annotated[Path | None, typer.Option(help="policies to use")] = None,
    examples: Annotated[Path | None, typer.Option(help="situation files to decide")] = None,
) -> None:
    """Decide every shipped example situation with the shipped policies."""
    rules_dir = rules or _shipped("rules")
    examples_dir = examples or _shipped("examples/situations")
    try:
        policies = load_policies(rules_dir)
        rows = []
        for file in sorted(examples_dir.glob("*.y*ml")):
            for situation in read_situations(file):
                rows.append((file.stem, situation, policies.decide_situation(situation)))
    except FlexPolicyError as exc:
        raise fail(exc) from None
    out = stdout_console(160)
    out.print(demo_table(rows, policies))


def main() -> None:
    """Entry point of the `flexpolicy` console script."""
    app()


__all__ = ["app", "main"]
