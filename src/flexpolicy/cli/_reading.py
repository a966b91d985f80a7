"""Reading a command's inputs: policies and situations, from files or standard input.

`-` as a file name reads standard input: a policy where a command reads a policy,
situations where it reads situations (their format told from the content: JSON
Lines, JSON or YAML).
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .._build.located import MAX_BYTES as MAX_POLICY_BYTES
from .._situations.where import MAX_SITUATION_BYTES
from ..decision import Decision
from ..errors import InputError
from ..models import Actor, Situation
from ..policy import Policy, PolicySet, load_policies, load_policy
from ..situations import read_situations
from ._errors import fail, locate, located

STDIN = "-"
STDIN_NAME = "<stdin>"


def is_stdin(path: Path | str | None) -> bool:
    return path is not None and str(path) == STDIN


def one_stdin(*paths: Path | str | None) -> None:
    """Standard input can be read once: refuse `-` for two arguments."""
    if sum(is_stdin(p) for p in paths) > 1:
        fail(
            "only one argument can be `-` (standard input)",
            hint="save the others to files and name them",
        )


def require(path: Path, what: str, *, stdin: bool = True) -> Path:  # noqa: RET503 - fail() is NoReturn
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
                found, _ = locate(renamed, self.name, None)
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
    "STDIN",
    "STDIN_NAME",
    "Situations",
    "as_role",
    "decided",
    "is_stdin",
    "load",
    "one_stdin",
    "policy_from",
    "read_stdin",
    "require",
    "situations",
]
