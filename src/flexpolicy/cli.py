"""The `flexpolicy` command: decide, check, verify, demo, case, audit and the authoring tools.

Behaves like a good Unix tool: results on stdout, problems on stderr as
`file:line:col: level[code]: message` with a hint line, `-` for standard input,
and one exit-code scheme for every command (`_cli_common.ExitCode`, docs/cli.md):
0 success, 1 the command's negative finding, 2 a usage or input error, 3 an
incomplete run, 4 a bug.  `main` turns every exception into such a message, so no
command prints a Python traceback.
"""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path
from typing import Annotated

import typer

from ._analysis_cli import check_command, verify_command
from ._audit_cli import app as audit_app
from ._authoring_cli import explain_command, schema_command
from ._case_cli import app as case_app
from ._cli_common import (
    EXIT_CODES_HELP,
    CliError,
    ExitCode,
    PolicyPath,
    RoleOption,
    SituationFile,
    decided,
    echo_json,
    exit_codes,
    load,
    one_stdin,
    report,
    situations,
    stdout_console,
)
from ._history_cli import diff_command, doc_command, simulate_command
from ._render import decision_panel, demo_table
from .decision import Decision
from .models import Situation
from .policy import load_policies

app = typer.Typer(
    name="flexpolicy",
    help="Customer-service policies that bend for the right customers, and say why.",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def version() -> str:
    """The installed distribution's version (its metadata), else the package's own."""
    try:
        return metadata.version("flexpolicy")
    except metadata.PackageNotFoundError:  # run from a source tree that is not installed
        from . import __version__  # noqa: PLC0415 - only when there is no metadata

        return __version__


def _print_version(value: bool) -> None:
    if value:
        print(f"flexpolicy {version()}")
        raise typer.Exit


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="print the version and exit",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Customer-service policies that bend for the right customers, and say why."""


app.add_typer(case_app, name="case")
app.add_typer(audit_app, name="audit")


@app.command(epilog=exit_codes("decided, whatever the outcome"))
def decide(
    situation_file: SituationFile,
    policy: PolicyPath,
    as_json: Annotated[
        bool, typer.Option("--json", help="print JSON (JSON Lines for many)")
    ] = False,
    role: RoleOption = None,
) -> None:
    """Decide a situation and explain why."""
    one_stdin(situation_file, policy)
    target = load(policy)
    out = stdout_console(160)
    with situations(situation_file) as source:
        for situation, decision in decided(target, source, role):
            if as_json:
                echo_json(decision.model_dump_json(indent=None if source.lines else 2))
            else:
                out.print(decision_panel(decision, situation))


app.command(
    "check",
    epilog=exit_codes(
        "no error found (warnings and notes allowed)",
        finding="an error found (a policy that does not load is one)",
        incomplete="the solver checks did not run (z3-solver missing, unless --no-exact) "
        "or a question timed out",
    ),
)(check_command)
app.command(
    "verify",
    epilog=exit_codes(
        "every property proved (and, with --against, only more generous)",
        finding="a property refuted (or, with --against, stricter for some situation)",
        incomplete="z3-solver missing, or the solver could not settle a property in time",
    ),
)(verify_command)
app.command("explain", epilog=exit_codes("explained, whatever the outcome"))(explain_command)
app.command("schema", epilog=exit_codes("written"))(schema_command)
app.command("doc", epilog=exit_codes("written"))(doc_command)
app.command(
    "diff", epilog=exit_codes("the report, however many decisions change (a report, not a test)")
)(diff_command)
app.command("simulate", epilog=exit_codes("written"))(simulate_command)

# The demo's policies and situations ship inside the package (package data: the
# folder holds links to the repository's `rules/` and `examples/situations/`, which
# the build copies into the wheel), so `flexpolicy demo` runs anywhere it is installed.
DEMO = Path(__file__).resolve().parent / "_demo"


def _folder(path: Path | None, shipped: str, option: str) -> Path:
    folder = path if path is not None else DEMO / shipped
    if folder.is_dir():
        return folder
    if path is None:
        raise CliError(
            f"the demo's {shipped} are missing from this installation (`{folder}`)",
            hint=f"reinstall flexpolicy, or name a folder with `{option}`",
            exit_code=ExitCode.INTERNAL,
        )
    what = "is not a directory" if folder.exists() else "does not exist"
    raise CliError(f"`{folder}` {what}", hint=f"`{option}` takes a folder")


@app.command(epilog=exit_codes("every shipped situation decided"))
def demo(
    rules: Annotated[
        Path | None, typer.Option(help="policies to use (default: the shipped ones)")
    ] = None,
    examples: Annotated[
        Path | None,
        typer.Option(help="situation files to decide (default: the shipped ones)"),
    ] = None,
) -> None:
    """Decide every shipped example situation with the shipped policies."""
    rules_dir = _folder(rules, "rules", "--rules")
    examples_dir = _folder(examples, "situations", "--examples")
    files = sorted(examples_dir.glob("*.y*ml"))
    if not files:
        raise CliError(
            f"no situation files in `{examples_dir}`",
            hint="situation files end in .yaml or .yml",
        )
    policies = load_policies(rules_dir)
    rows: list[tuple[str, Situation, Decision]] = []
    for file in files:
        with situations(file) as source:
            rows.extend((file.stem, s, d) for s, d in decided(policies, source, None))
    stdout_console(160).print(demo_table(rows, policies))


def main() -> None:
    """Entry point of the `flexpolicy` console script (and of `python -m flexpolicy`)."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        sys.exit(report(exc))


__all__ = ["app", "main", "version"]
