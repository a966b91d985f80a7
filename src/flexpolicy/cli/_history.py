"""`flexpolicy diff` and `flexpolicy simulate`: what a change does to past requests.

`diff` replays a history under two versions of a policy and reports what would
have been decided differently; `simulate` makes a realistic history to try it on.
`diff` streams its history (memory stays flat however long it is) and shows a
progress bar on stderr when stderr is a terminal, or when asked with
`--progress`; `simulate` writes JSON Lines, one situation a line, the format
`diff --history` and `decide` read.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from .._authoring.diff import diff_lines
from .._authoring.diff_file import available_cores, diff_file
from .._authoring.simulate import simulate
from ._errors import exit_codes, fail
from ._options import Format, FormatOption, JsonOption, OutputFile, chosen_format
from ._reading import is_stdin, load, one_stdin, require
from ._writing import cannot_write, echo, echo_json

commands = typer.Typer()


# -- diff ------------------------------------------------------------------------------------


def _count_lines(path: Path) -> int:
    lines = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
    return lines


def _progress_bar(total: int) -> tuple[Progress, Callable[[int], None]]:
    bar = Progress(
        TextColumn("replaying"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True, emoji=False),
        transient=False,
    )
    task = bar.add_task("history", total=total)
    return bar, lambda lines: bar.update(task, completed=lines)


@commands.command(
    "diff", epilog=exit_codes("the report, however many decisions change (a report, not a test)")
)
def diff_command(
    old: Annotated[Path, typer.Argument(help="the current policy (file or directory)")],
    new: Annotated[Path, typer.Argument(help="the changed policy (file or directory)")],
    *,
    history: Annotated[
        Path,
        typer.Option("--history", help="past situations, JSON Lines (one a line); `-` reads stdin"),
    ],
    output_format: FormatOption = None,
    as_json: JsonOption = False,
    examples: Annotated[
        int, typer.Option("--examples", min=0, help="examples to show per kind of change")
    ] = 3,
    progress: Annotated[
        bool | None,
        typer.Option(
            "--progress/--no-progress", help="a progress bar on stderr (default: on a terminal)"
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="processes replaying at once (default: every core); the report is the same",
        ),
    ] = None,
) -> None:
    """What a change would have decided differently on past situations.

    A report, not a test: it exits 0 however many decisions change.
    """
    chosen = chosen_format(output_format, as_json)
    one_stdin(old, new, history)
    before, after = load(old), load(new)
    with _history_file(history) as file:
        show = sys.stderr.isatty() if progress is None else progress
        workers = available_cores() if jobs is None else jobs
        if show:
            bar, advance = _progress_bar(_count_lines(file))
            with bar:
                report = diff_file(
                    before, after, file, examples=examples, jobs=workers, progress=advance
                )
        else:
            report = diff_file(before, after, file, examples=examples, jobs=workers)
    if chosen is Format.json:
        echo_json(json.dumps(report.as_json(), indent=2))
    else:
        echo("\n".join(diff_lines(report)))


@contextmanager
def _history_file(path: Path) -> Iterator[Path]:
    """The history file; standard input is copied to a private file first (it is read twice)."""
    if not is_stdin(path):
        if require(path, "a JSON Lines history").is_dir():
            fail(f"`{path}` is a directory", hint="`--history` takes a .jsonl file")
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="flexpolicy-") as folder:
        spooled = Path(folder) / "history.jsonl"
        with spooled.open("wb") as out:
            shutil.copyfileobj(sys.stdin.buffer, out, 1 << 20)
        yield spooled


# -- simulate --------------------------------------------------------------------------------


@commands.command("simulate", epilog=exit_codes("written"))
def simulate_command(
    n: Annotated[int, typer.Option("--n", min=0, help="how many situations")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="the same seed gives the same history")] = 0,
    start: Annotated[
        str, typer.Option("--start", help="the first request date, YYYY-MM-DD")
    ] = "2025-11-01",
    days: Annotated[int, typer.Option("--days", min=1, help="days the history spans")] = 365,
    output: OutputFile = None,
) -> None:
    """A realistic history of requests (JSON Lines), for `diff` and benchmarks."""
    try:
        first = date.fromisoformat(start)
    except ValueError:
        fail(f"`{start}` is not a date", hint="write it as YYYY-MM-DD")
    handle: IO[str]
    try:
        opened = output.open("w", encoding="utf-8") if output else _stdout()
    except OSError as exc:
        cannot_write(output, exc)
    with opened as handle:
        for situation in simulate(n, seed=seed, start=first, days=days):
            handle.write(situation.model_dump_json(exclude_none=True) + "\n")


class _stdout:  # noqa: N801 - reads like `open()` at the call site
    """`sys.stdout` as a context manager that is not closed afterwards."""

    def __enter__(self) -> IO[str]:
        return sys.stdout

    def __exit__(self, *exc: object) -> None:
        sys.stdout.flush()


__all__ = ["commands", "diff_command", "simulate_command"]
