"""What every `flexpolicy` command shares: exit codes, `--format`, errors, reading, writing.

Exit codes are one scheme for every command (`ExitCode`, documented in docs/cli.md):
0 success, 1 the command's negative finding, 2 a usage or input error, 3 an
incomplete run, 4 a bug in flexpolicy.  A command ends with `fail()` when something
is wrong (one error line and a hint on stderr, and the exit code that says what) and
with `finish()` when its report on stdout is a finding or incomplete; nothing else
in the command line exits or writes to stderr.  Errors are located
(`file:line: error[code]: message`) where the input says where; `cli.main` turns
every exception into one of them through `report`, so no command prints a traceback.

Every command that prints something a program reads takes one `--format` option
(`FormatOption`: `text` or `json`; `doc` takes `DocFormatOption`: `md` or `html`),
and `--json` (`JsonOption`) is short for `--format json`; `chosen_format` reconciles
the two.

`-` as a file name reads standard input: a policy where a command reads a policy,
situations where it reads situations (their format told from the content: JSON
Lines, JSON or YAML).
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from .._build.located import MAX_BYTES as MAX_POLICY_BYTES
from .._situations.where import MAX_SITUATION_BYTES
from ..analysis import AnalysisUnavailableError
from ..decision import Decision
from ..errors import EngineError, FlexPolicyError, InputError, PolicyError, Problem
from ..models import Actor, Situation
from ..policy import Policy, PolicySet, load_policies, load_policy
from ..situations import read_situations
from ._render import SafeConsole, json_safe, printable


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


STDIN = "-"
STDIN_NAME = "<stdin>"

# The arguments `decide` and `explain` share, declared once.
SituationFile = Annotated[
    Path, typer.Argument(help="a situation: .yaml, .json or .jsonl; `-` reads standard input")
]
PolicyPath = Annotated[
    Path,
    typer.Option(
        "--policy", "-p", help="a policy file or a directory of them; `-` reads standard input"
    ),
]
RoleOption = Annotated[
    str | None, typer.Option("--as", help="decide as an employee with this role")
]


OutputFile = Annotated[
    Path | None, typer.Option("--output", "-o", help="write here instead of stdout")
]


# -- --format ----------------------------------------------------------------------------


class Format(StrEnum):
    """What a command prints on stdout: `text` for people, `json` for programs."""

    text = "text"
    json = "json"


class DocFormat(StrEnum):
    """What `doc` writes: a page in Markdown, or in HTML that prints on one page."""

    md = "md"
    html = "html"


def format_help(choices: dict[str, str], default: str) -> str:
    """The one help text of `--format`: each choice and what it is for, and the default."""
    listed = ", ".join(f"`{name}` ({what})" for name, what in choices.items())
    return f"the output: {listed}; default `{default}`"


# `--format` of every command whose output a program may read, declared once.  Its default
# is None, "not given", so that `--json` with `--format text` can be refused.
FormatOption = Annotated[
    Format | None,
    typer.Option(
        "--format",
        help=format_help({"text": "for people", "json": "for programs"}, Format.text),
        show_default=False,
    ),
]
# `--json`: what `decide` and the `case` commands took before there was one `--format`.
JsonOption = Annotated[bool, typer.Option("--json", help="the same as `--format json`")]
# `--format` of `doc`, which writes a document, not a report.
DocFormatOption = Annotated[
    DocFormat,
    typer.Option(
        "--format",
        help=format_help({"md": "Markdown", "html": "prints on one page"}, DocFormat.md),
        show_default=False,
    ),
]


def chosen_format(output: Format | None, as_json: bool = False) -> Format:
    """The format `--format` and `--json` ask for together; a usage error if they disagree."""
    if as_json and output not in (None, Format.json):
        fail(
            f"`--json` and `--format {output}` ask for different output",
            hint="`--json` is the same as `--format json`: give one of them",
        )
    if as_json:
        return Format.json
    return Format.text if output is None else output


# -- errors ------------------------------------------------------------------------------


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


def _locate(exc: InputError, name: str | None, where: str | None) -> tuple[str | None, str]:
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
    where, message = _locate(exc, name, where)
    return CliError(message, hint=exc.hint, where=where, code=exc.code)


# -- writing -----------------------------------------------------------------------------


def stdout_console(width: int) -> SafeConsole:
    """Results: `width` columns when piped (a terminal keeps its own), no emoji."""
    return SafeConsole(width=None if sys.stdout.isatty() else width, soft_wrap=False)


def stderr_console() -> SafeConsole:
    """Diagnostics: no colour guessing from content, no emoji (`:100:` is a line number)."""
    return SafeConsole(stderr=True, soft_wrap=True)


def echo(text: str) -> None:
    """One line (or several) on stdout, free of control characters."""
    sys.stdout.write(printable(text) + "\n")


def echo_json(text: str) -> None:
    """A JSON document or line on stdout; C1 and bidi controls escaped (the same data)."""
    sys.stdout.write(json_safe(text) + "\n")


def write_output(text: str, output: Path | None) -> None:
    """`text` to the `--output` file, or to stdout, free of control characters."""
    text = printable(text)
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        cannot_write(output, exc)


def cannot_write(output: Path | None, exc: OSError) -> NoReturn:
    """`--output` could not be opened or written."""
    fail(
        f"cannot write `{output}`: {exc.strerror or exc}",
        hint="give `--output` a file in a folder that exists and you may write to",
    )


# -- reading -----------------------------------------------------------------------------


def is_stdin(path: Path | str | None) -> bool:
    return path is not None and str(path) == STDIN


def one_stdin(*paths: Path | str | None) -> None:
    """Standard input can be read once: refuse `-` for two arguments."""
    if sum(is_stdin(p) for p in paths) > 1:
        fail(
            "only one argument can be `-` (standard input)",
            hint="save the others to files and name them",
        )


def require(path: Path, what: str, *, stdin: bool = True) -> Path:
    """`path` if it exists (or is `-`, when `stdin`); a usage error naming it if not."""
    if (stdin and is_stdin(path)) or path.exists():
        return path
    also = "; `-` reads it from standard input" if stdin else ""
    fail(f"`{path}` does not exist", hint=f"give the path of {what}{also}")


def read_stdin(limit: int) -> bytes:
    """Standard input, at most `limit + 1` bytes (the reader refuses what is over)."""
    return sys.stdin.buffer.read(limit + 1)


def policy_from(path: Path) -> Policy:
    """One policy file, or one policy from standard input."""
    if is_stdin(path):
        return Policy.from_yaml(read_stdin(MAX_POLICY_BYTES), file=STDIN_NAME)
    return load_policy(require(path, "a policy file"))


def load(path: Path) -> Policy | PolicySet:
    """A policy file, every policy of a directory, or a policy from standard input."""
    if is_stdin(path):
        return policy_from(path)
    require(path, "a policy file or a directory of them")
    return load_policies(path) if path.is_dir() else load_policy(path)


class Situations:
    """The situations of a file (or of standard input), each with where it was read.

    Iterating yields `(where, situation)`: `file:line` for JSON Lines (the k-th
    situation is the k-th non-blank line), `file` or `file[i]` otherwise.  An
    `InputError` while reading becomes a located `CliError`.
    """

    def __init__(self, path: Path, spooled: Path | None = None) -> None:
        self.name = STDIN_NAME if spooled is not None else str(path)
        self._file = spooled or path
        self.lines = self._file.suffix == ".jsonl"

    def _rename(self, exc: InputError) -> InputError:
        if self._file == Path(self.name):
            return exc
        spooled = str(self._file)
        renamed = InputError(
            exc.message.replace(spooled, self.name),
            code=exc.code,
            hint=exc.hint.replace(spooled, self.name) if exc.hint else None,
        )
        for attribute in ("line", "column"):
            if hasattr(exc, attribute):
                setattr(renamed, attribute, getattr(exc, attribute))
        return renamed

    def __iter__(self) -> Iterator[tuple[str, Situation]]:
        read = read_situations(self._file)
        numbers = self._line_numbers() if self.lines else None
        index = 0
        while True:
            # Where the next situation is read: an error that names no place is there.
            if numbers is not None:
                where = f"{self.name}:{next(numbers, 0)}"
            else:
                where = self.name if index == 0 else f"{self.name}[{index}]"
            try:
                situation = next(read)
            except StopIteration:
                return
            except InputError as exc:
                renamed = self._rename(exc)
                found, _ = _locate(renamed, self.name, None)
                raise located(renamed, self.name, None if found else where) from None
            index += 1
            yield where, situation

    def _line_numbers(self) -> Iterator[int]:
        with self._file.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    yield number


@contextmanager
def situations(path: Path) -> Iterator[Situations]:
    """The situations of `path`; `-` spools standard input to a private file first."""
    if not is_stdin(path):
        yield Situations(require(path, "a situation file"))
        return
    with tempfile.TemporaryDirectory(prefix="flexpolicy-") as folder:
        yield Situations(path, _spool_stdin(Path(folder)))


def _spool_stdin(folder: Path) -> Path:
    """Standard input in a file whose suffix says its format, told from the content."""
    stream = sys.stdin.buffer
    head = b""
    while not head.strip():  # leading blank lines are kept: line numbers stay right
        line = stream.readline(MAX_SITUATION_BYTES + 1)
        if not line:
            break
        head += line
    more = stream.read(1 << 16)
    if _is_json(head) and head.lstrip().startswith(b"{") and more.strip():
        spooled = folder / "stdin.jsonl"
        with spooled.open("wb") as out:
            out.write(head + more)
            while chunk := stream.read(1 << 20):
                out.write(chunk)
        return spooled
    data = head + more + stream.read(max(0, MAX_SITUATION_BYTES + 1 - len(head) - len(more)))
    spooled = folder / ("stdin.json" if _is_json(data) else "stdin.yaml")
    spooled.write_bytes(data)
    return spooled


def _is_json(data: bytes) -> bool:
    """Whether `data` is one JSON document (numbers are not read, only recognised)."""
    if data.lstrip()[:1] not in (b"{", b"["):
        return False
    try:
        json.loads(data, parse_int=len, parse_float=len, parse_constant=len)
    except (ValueError, RecursionError):
        return False
    return True


def decided(
    target: Policy | PolicySet, source: Situations, role: str | None
) -> Iterator[tuple[Situation, Decision]]:
    """Each situation of `source` and its decision; an error names where it was read."""
    for where, situation in source:
        try:
            yield situation, target.decide_situation(as_role(situation, role))
        except InputError as exc:
            raise located(exc, None, where) from None


def as_role(situation: Situation, role: str | None) -> Situation:
    """The situation decided by an employee with `role` (keeping the actor's id)."""
    if role is None:
        return situation
    actor = situation.actor or Actor(id="cli", role=role)
    return situation.model_copy(update={"actor": actor.model_copy(update={"role": role})})


__all__ = [
    "EXIT_CODES_HELP",
    "STDIN",
    "STDIN_NAME",
    "CliError",
    "DocFormat",
    "DocFormatOption",
    "ExitCode",
    "Format",
    "FormatOption",
    "JsonOption",
    "OutputFile",
    "PolicyPath",
    "RoleOption",
    "SituationFile",
    "Situations",
    "as_role",
    "cannot_write",
    "chosen_format",
    "decided",
    "diagnostic",
    "echo",
    "echo_json",
    "exit_codes",
    "fail",
    "finish",
    "format_help",
    "is_stdin",
    "load",
    "located",
    "one_stdin",
    "policy_from",
    "read_stdin",
    "report",
    "require",
    "situations",
    "stderr_console",
    "stdout_console",
    "write_output",
]
