"""`flexpolicy diff` over a JSON Lines history: in chunks, on every core, memory flat.

Why: a year of a chain's requests is millions of lines, and replaying them
through two versions is the slow part of reviewing a change.  The history is
read as chunks of lines; each chunk is parsed, validated and replayed on its own
(in worker processes when `jobs > 1`), and the chunk reports are merged in
history order, so the report is exactly the one a single pass gives, whatever
the number of jobs.  At most `2 * jobs` chunks are in flight, so memory does not
grow with the history.

A line whose facts contradict each other (a sku that is not on its transaction)
cannot become a `Situation`; like a situation one version refuses, it is counted
under `skipped` (`contradictory-facts`) rather than stopping the replay.  Lines
that are not JSON or not a situation at all stop it, naming the line.
"""

from __future__ import annotations

import dataclasses
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from .._situations.reader import parse_line
from ..errors import InputError
from ..models import Situation
from ..policy import Policy, PolicySet
from .diff import DiffReport, diff
from .diff_merge import merge_reports

__all__ = ["available_cores", "diff_file"]

CHUNK_LINES = 4_000

Side = Policy | PolicySet
Chunk = tuple[int, list[str]]  # (number of the first line, the lines)


def available_cores() -> int:
    """The cores this process may run on (what `--jobs` defaults to)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _chunks(path: Path, size: int) -> Iterator[Chunk]:
    try:
        with path.open("r", encoding="utf-8") as handle:
            first, lines = 1, list[str]()
            for number, line in enumerate(handle, start=1):
                if not lines:
                    first = number
                lines.append(line)
                if len(lines) == size:
                    yield first, lines
                    lines = []
            if lines:
                yield first, lines
    except OSError as exc:
        raise InputError(f"cannot read `{path}`: {exc.strerror or exc}", code="bad-file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text", code="bad-file") from None


def replay_chunk(old: Side, new: Side, file: str, chunk: Chunk, examples: int) -> DiffReport:
    """The report of one chunk of lines: parsed, validated and decided by both sides."""
    first, lines = chunk
    situations: list[Situation] = []
    contradictory = 0
    for offset, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            situations.append(parse_line(line, f"{file}:{first + offset}"))
        except InputError as exc:
            if exc.code != "contradictory-facts":
                raise
            contradictory += 1
    report = diff(old, new, situations, examples=examples)
    if not contradictory:
        return report
    skipped = dict(report.skipped)
    skipped["contradictory-facts"] = skipped.get("contradictory-facts", 0) + contradictory
    return dataclasses.replace(
        report, total=report.total + contradictory, skipped=dict(sorted(skipped.items()))
    )


# The policies of a worker process, set once by `_start_worker` (each worker is
# its own process: nothing here is shared with the parent or another worker).
_WORKER_SIDES: list[Side] = []


def _start_worker(old: Side, new: Side) -> None:
    _WORKER_SIDES[:] = [old, new]


def _replay_in_worker(file: str, chunk: Chunk, examples: int) -> DiffReport:
    old, new = _WORKER_SIDES
    return replay_chunk(old, new, file, chunk, examples)


def diff_file(
    old: Side,
    new: Side,
    path: str | Path,
    *,
    examples: int = 3,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
    chunk_lines: int = CHUNK_LINES,
) -> DiffReport:
    """`diff` over a JSON Lines file, `jobs` processes at a time; `progress(lines_read)`."""
    if examples < 0:
        raise ValueError(f"examples must be at least 0, not {examples}")
    file = Path(path)
    chunks = _chunks(file, chunk_lines)
    merged: DiffReport | None = None
    lines = 0

    def fold(report: DiffReport, size: int) -> None:
        nonlocal merged, lines
        merged = report if merged is None else merge_reports([merged, report], examples=examples)
        lines += size
        if progress is not None:
            progress(lines)

    if jobs <= 1:
        for chunk in chunks:
            fold(replay_chunk(old, new, str(file), chunk, examples), len(chunk[1]))
    else:
        with ProcessPoolExecutor(jobs, initializer=_start_worker, initargs=(old, new)) as pool:
            pending: deque[tuple[Future[DiffReport], int]] = deque()
            try:
                for chunk in chunks:
                    pending.append(
                        (pool.submit(_replay_in_worker, str(file), chunk, examples), len(chunk[1]))
                    )
                    if len(pending) >= 2 * jobs:
                        future, size = pending.popleft()
                        fold(future.result(), size)
                while pending:
                    future, size = pending.popleft()
                    fold(future.result(), size)
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    if merged is None:  # an empty history
        merged = diff(old, new, [], examples=examples)
    return merged
