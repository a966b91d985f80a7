"""How every `flexpolicy` command ends: exit codes, `fail()`, `finish()` and `report`.

Exit codes are one scheme for every command (`ExitCode`, documented in docs/cli.md):
0 success, 1 the command's negative finding, 2 a usage or input error, 3 an
incomplete run, 4 a bug in flexpolicy.  A command ends with `fail()` when something
is wrong (one error line and a hint on stderr, and the exit code that says what) and
with `finish()` when its report on stdout is a finding or incomplete; nothing else
in the command line exits or writes to stderr.  Errors are located
(`file:line: error[code]: message`) where the input says where; `cli.main` turns
every exception into one of them through `report`, so no command prints a traceback.
"""

from __future__ import annotations

import re
from enum import IntEnum
from typing import NoReturn

import typer

from ..analysis import AnalysisUnavailableError
from ..errors import EngineError, FlexPolicyError, InputError, PolicyError, Problem
from ._render import SafeConsole, printable


class ExitCode(IntEnum):
    """How every `flexpolicy` command ends."""

    OK = 0  # the command did what was asked (a decision, a report, a proof)
    FINDING = 1  # its negative finding: check errors, verify refuted, audit mismatch
    USAGE = 2  # a usage or input error: a wrong option, a missing file, bad facts
    INCOMPLETE = 3  # an analysis could not run or settle (no z3, a solver timeout)
    INTERNAL = 4  # a bug in flexpolicy (or in an engine it drives)
    INTERRUPTED = 130  # stopped by Ctrl-C (SIGINT), the code shells expect


EXIT_CODES_HELP = (
    "Exit codes, the same for every command: 0 success; 1 the command's negative finding "
    "(check found an error, verify refuted a property, audit found a record that differs); "
    "2 a usage or input error (unknown option, missing file, empty directory, a policy or "
    "situation that does not load); 3 incomplete (an analysis could not run or settle: "
    "z3-solver missing, a solver timeout); 4 a bug in flexpolicy. See docs/cli.md."
)


def exit_codes(ok: str, *, finding: str | None = None, incomplete: str | None = None) -> str:
    """One command's `--help` epilog: what each of its exit codes means."""
    parts = [f"0 {ok}"]
    if finding:
        parts.append(f"1 {finding}")
    parts.append("2 a usage or input error")
    if incomplete:
        parts.append(f"3 incomplete: {incomplete}")
    parts.append("4 a bug in flexpolicy")
    return "Exit codes: " + "; ".join(parts) + " (docs/cli.md)."


class CliError(Exception):
    """A problem with the invocation or its input, told as one line and a hint.

    `where` locates it (`file`, `file:line`); `code` is the stable code of the error
    it stands for, shown with a location as compilers do.
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        where: str | None = None,
        code: str | None = None,
        exit_code: ExitCode = ExitCode.USAGE,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.where = where
        self.code = code
        self.exit_code = exit_code


def fail(
    message: str,
    *,
    hint: str | None = None,
    where: str | None = None,
    code: str | None = None,
    exit_code: ExitCode = ExitCode.USAGE,
) -> NoReturn:
    """End the command with an error: `error: message` and `hint: ...` on stderr, `exit_code`.

    The one way a command says that something is wrong.  It raises a `CliError`, which
    `cli.main` hands to `report` (the one writer of errors), so helpers deep in a
    command (and generators reading a batch) fail the same way as the command itself.
    """
    raise CliError(message, hint=hint, where=where, code=code, exit_code=exit_code)


def finish(code: ExitCode) -> NoReturn:
    """End a command whose report is already on stdout with `code` (a finding, incomplete)."""
    raise typer.Exit(code=int(code))


def diagnostic(
    message: str,
    *,
    where: str | None = None,
    code: str | None = None,
    hint: str | None = None,
    level: str = "error",
) -> str:
    """`where: level[code]: message` and an indented hint, free of control characters."""
    tag = f"{level}[{code}]" if where and code else level
    text = f"{where}: {tag}: {message}" if where else f"{tag}: {message}"
    if hint:
        text += f"\n    hint: {hint}"
    return printable(text)


def _problem_line(problem: Problem) -> str:
    if problem.line:
        return printable(problem.format())
    rule = f" (rule `{problem.rule_id}`)" if problem.rule_id else ""
    return diagnostic(
        problem.message + rule,
        where=problem.file,
        code=problem.code,
        hint=problem.hint,
        level=problem.level,
    )


def report(exc: BaseException) -> ExitCode:
    """Print an error the way every command does; the code to exit with."""
    err = stderr_console()
    if isinstance(exc, CliError):
        err.print(
            diagnostic(exc.message, where=exc.where, code=exc.code, hint=exc.hint), markup=False
        )
        return exc.exit_code
    if isinstance(exc, PolicyError):
        for problem in exc.problems:
            err.print(_problem_line(problem), markup=False)
        return ExitCode.USAGE
    if isinstance(exc, InputError):
        return report(located(exc, None))
    if isinstance(exc, AnalysisUnavailableError):
        err.print(diagnostic(str(exc)), markup=False)
        return ExitCode.INCOMPLETE
    if isinstance(exc, EngineError):
        err.print(diagnostic(str(exc)), markup=False)
        return ExitCode.INTERNAL
    if isinstance(exc, FlexPolicyError):
        err.print(diagnostic(str(exc)), markup=False)
        return ExitCode.USAGE
    if isinstance(exc, OSError):
        name = f" `{exc.filename}`" if exc.filename else ""
        err.print(diagnostic(f"cannot use{name}: {exc.strerror or exc}"), markup=False)
        return ExitCode.USAGE
    err.print(
        diagnostic(
            f"internal error: {type(exc).__name__}: {exc}",
            hint="this is a bug in flexpolicy; please report it with the command that failed",
        ),
        markup=False,
    )
    return ExitCode.INTERNAL


# `file:3: msg`, `file: msg`, `file[2]: msg`, `file:3:5: msg` after the file's name.
_LOCATION = re.compile(r"((?::\d+)*(?:\[\d+\])?(?::\d+)*): ")


def locate(exc: InputError, name: str | None, where: str | None) -> tuple[str | None, str]:
    """Where an `InputError` about the file `name` points, and its message without that."""
    message = exc.message
    if where is None and name is not None and message.startswith(name):
        found = _LOCATION.match(message, len(name))
        if found is not None:
            where, message = name + found.group(1), message[found.end() :]
    line = getattr(exc, "line", None)
    if where is None and name is not None and isinstance(line, int) and line > 0:
        where = f"{name}:{line}"
    return where, message


def located(exc: InputError, name: str | None, where: str | None = None) -> CliError:
    """An `InputError` read from the file `name` (or at `where`) as a located `CliError`."""
    where, message = locate(exc, name, where)
    return CliError(message, hint=exc.hint, where=where, code=exc.code)


def stderr_console() -> SafeConsole:
    """Diagnostics: no colour guessing from content, no emoji (`:100:` is a line number)."""
    return SafeConsole(stderr=True, soft_wrap=True)


__all__ = [
    "EXIT_CODES_HELP",
    "CliError",
    "ExitCode",
    "diagnostic",
    "exit_codes",
    "fail",
    "finish",
    "locate",
    "located",
    "report",
    "stderr_console",
]
