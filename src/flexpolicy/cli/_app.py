"""The `flexpolicy` command: decide, check, verify, demo, case, audit and the authoring tools.

Behaves like a good Unix tool: results on stdout, problems on stderr as
`file:line:col: level[code]: message` with a hint line, `-` for standard input,
one `--format` for every command whose output a program may read, and one
exit-code scheme for every command (`_errors.ExitCode`, docs/cli.md): 0 success,
1 the command's negative finding, 2 a usage or input error, 3 an incomplete run,
4 a bug.  `main` turns every exception into such a message, so no command prints
a Python traceback.

This module holds only the application, its global options and `main`; the
commands live one module per group: `_decide` (decide, explain, demo), `_analysis`
(check, verify), `_authoring` (schema, doc), `_history` (diff, simulate), `_cases`
(`case ...`) and `_audit` (`audit ...`).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from .. import __version__
from . import _analysis, _audit, _authoring, _cases, _decide, _history
from ._errors import EXIT_CODES_HELP, ExitCode, finish, report
from ._writing import echo

app = typer.Typer(
    name="flexpolicy",
    help="Customer-service policies that bend for the right customers, and say why.",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def version() -> str:
    """The installed distribution's version, as `flexpolicy.__version__` reads it."""
    return __version__


def _print_version(value: bool) -> None:
    if value:
        echo(f"flexpolicy {version()}")
        finish(ExitCode.OK)


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


# The command groups, in the order `flexpolicy --help` lists them.
for group in (_decide, _analysis, _authoring, _history):
    app.add_typer(group.commands)
app.add_typer(_cases.app, name="case")
app.add_typer(_audit.app, name="audit")


def main() -> None:
    """Entry point of the `flexpolicy` console script (and of `python -m flexpolicy`)."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(ExitCode.INTERRUPTED)
    except Exception as exc:
        sys.exit(report(exc))


__all__ = ["app", "main", "version"]
