"""The hash chain that makes a decision log tamper-evident.

Why it exists: replaying a record (`verify_log`) proves its decision, not that the
log is whole.  A line deleted, inserted or moved, or a field the replay does not
compare (`at`, `decision_id`) edited, would go unnoticed.  So every record carries
`seq` (its 1-based number in the file) and `prev_sha256`, the SHA-256 of the
previous record's line exactly as written, without its newline (`GENESIS`, 64
zeros, for the first).  Changing any byte of a record breaks the next record's
`prev_sha256`.  Removing the *last* records leaves a shorter chain that is still
whole; only a head (`seq` and hash of the last record) kept somewhere else shows
it, which is why `verify_log` reports the head.

Writer and reader must agree byte for byte on what the chain is, so both follow
the rules kept in this module, which also owns the open file (`ChainedFile`: every
byte a log writes goes through it), while `log` stays about records:

- A *link* is a line that parses as a JSON object with an integer `seq` >= 1 and a
  64-hex-digit `prev_sha256` (`link_of`).  Torn lines, blank lines and lines without
  them are outside the chain: the next record links to the last link before them,
  and readers report them on their own.  (A last record that lost only its newline
  still parses, so it stays a link for both.)
- Writers serialise on `flock(LOCK_EX)` across processes (threads of one process
  also take the log's lock: `flock` is per open file, not per thread).  Under it a
  writer finds the head, writes its line in one `write`, and remembers the size
  it left; the tail is read again only when the size differs (another process
  wrote, or a crash left a torn line), seeking back from the end in blocks.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

GENESIS = "0" * 64
# Every record line starts with its format version; the chain fields follow it.
PREFIX = b'{"v":1,'
_HEX64 = re.compile(r"[0-9a-f]{64}")
_FIRST_BLOCK = 8 * 1024  # a record is about 1.6 kB: one read finds the head
_MAX_BLOCK = 1024 * 1024


def line_sha256(line: bytes) -> str:
    """The hex SHA-256 of a line as written, without its newline."""
    return hashlib.sha256(line.removesuffix(b"\n")).hexdigest()


def link_of(line: bytes) -> tuple[int, str] | None:
    """`(seq, prev_sha256)` of a line that carries them; None for any other line."""
    if not line.strip():
        return None
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):  # torn, not JSON, or not UTF-8
        return None
    if not isinstance(data, dict):
        return None
    seq, prev = data.get("seq"), data.get("prev_sha256")
    if type(seq) is not int or seq < 1 or not isinstance(prev, str):
        return None
    return (seq, prev) if _HEX64.fullmatch(prev) else None


def chained(body: bytes, seq: int, prev: str) -> bytes:
    """The line of a record: `body` (its JSON without the chain fields) with them after `v`."""
    if not body.startswith(PREFIX):
        raise ValueError(f"a record line starts with `{PREFIX.decode()}`")
    return b'%s"seq":%d,"prev_sha256":"%s",%s' % (PREFIX, seq, prev.encode(), body[len(PREFIX) :])


def _lines_backwards(fd: int, size: int) -> Iterator[bytes]:
    """The lines of the first `size` bytes of `fd`, last first, without their newlines.

    Reads blocks from the end, growing, so finding the head of a log costs one
    small read however long the log is.
    """
    pos, carry, block = size, b"", _FIRST_BLOCK
    while pos > 0:
        n = min(block, pos)
        pos -= n
        block = min(2 * block, _MAX_BLOCK)
        parts = (os.pread(fd, n, pos) + carry).split(b"\n")
        carry = parts[0]  # may start before `pos`: finished by the next block
        yield from reversed(parts[1:])
    yield carry


@dataclass(frozen=True, slots=True)
class Head:
    """The end of a log's chain: the last link's `seq` and hash (0 and `GENESIS` if none)."""

    seq: int
    sha256: str
    ends_line: bool  # False when the file ends inside a line (torn, or a newline lost)


def read_head(fd: int, size: int) -> Head:
    """The head of the chain in the first `size` bytes of `fd`."""
    ends_line = size == 0 or os.pread(fd, 1, size - 1) == b"\n"
    for line in _lines_backwards(fd, size):
        link = link_of(line)
        if link is not None:
            return Head(link[0], line_sha256(line), ends_line)
    return Head(0, GENESIS, ends_line)


class ChainedFile:
    """A log file open for appending chained lines (`O_APPEND`, created with `mode`).

    Not thread-safe on its own: the caller holds a lock (the log's) around every
    call; `flock` orders the processes that append to the same file.  Opening it
    ends a torn last line, so the next record starts on its own.  Raises
    `OSError` when the file cannot be opened.
    """

    def __init__(self, path: Path, *, mode: int, sync: bool) -> None:
        created = not path.exists()
        self.fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, mode)
        self._size = -1  # the file's size after this writer's last write; -1: unknown
        self._seq = 0
        self._sha = GENESIS
        try:
            if created:
                _fsync_dir(path.parent)  # the file's name survives a crash too
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            try:
                lead = self._catch_up()
                if lead:
                    self._write(lead, sync=sync)
            finally:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
        except BaseException:
            os.close(self.fd)
            raise

    def append(self, body: bytes, *, sync: bool) -> tuple[int, str]:
        """Write the line of `body` as the next link; its `(seq, prev_sha256)`."""
        fcntl.flock(self.fd, fcntl.LOCK_EX)  # plain calls: a context manager costs 1 us here
        try:
            lead = self._catch_up()
            seq, prev = self._seq + 1, self._sha
            line = chained(body, seq, prev)
            self._write(lead + line + b"\n", sync=sync)
            self._seq, self._sha = seq, line_sha256(line)
        finally:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        return seq, prev

    def sync(self) -> None:
        os.fsync(self.fd)

    def close(self) -> None:
        try:
            os.fsync(self.fd)
        finally:
            os.close(self.fd)

    def _catch_up(self) -> bytes:
        """Under `flock`: find the head again if the file changed; `\\n` if a line must end."""
        size = os.lseek(self.fd, 0, os.SEEK_END)  # the size; cheaper than `fstat`
        if size == self._size:
            return b""  # the common case: this writer wrote the last line
        head = read_head(self.fd, size)
        self._size, self._seq, self._sha = size, head.seq, head.sha256
        return b"" if head.ends_line else b"\n"

    def _write(self, data: bytes, *, sync: bool) -> None:
        """One `write` of `data` (a short write is finished, never dropped), then `fsync`."""
        size, self._size = self._size, -1  # unknown if the write fails half-way
        written = os.write(self.fd, data)
        if written < len(data):
            view = memoryview(data)[written:]
            while view:
                view = view[os.write(self.fd, view) :]
        self._size = size + len(data)
        if sync:
            os.fsync(self.fd)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # not every platform opens directories; the file itself is still synced
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True, slots=True)
class Break:
    """Where a chain breaks: a stable code and a message."""

    code: str
    message: str


class ChainCheck:
    """Follows the chain through a log, link by link, and says where it breaks.

    After a break it follows the chain from the breaking line, so each break is
    reported once, on the first line where it shows.
    """

    def __init__(self) -> None:
        self._line = 0  # the previous link's line number; 0 before the first
        self._seq = 0
        self._sha = GENESIS
        self.head: tuple[int, str] | None = None  # the last link's seq and hash

    def add(self, number: int, raw: bytes, seq: int, prev: str) -> Break | None:
        found = self._check(seq, prev)
        self._line, self._seq, self._sha = number, seq, line_sha256(raw)
        self.head = (seq, self._sha)
        return found

    def _check(self, seq: int, prev: str) -> Break | None:
        first = self._line == 0
        if prev != self._sha and first:
            why = f"records before it were removed (its `seq` is {seq})" if seq > 1 else "edited"
            text = f"`prev_sha256` of the first record is not the genesis value (64 zeros): {why}"
            return Break("chain-broken", text)
        if prev != self._sha:
            text = (
                f"`prev_sha256` does not match line {self._line} (seq {self._seq}): "
                "a record was removed, inserted, reordered or edited"
            )
            if seq != self._seq + 1:
                text += f"; `seq` {seq} follows {self._seq}"
            return Break("chain-broken", text)
        if seq != self._seq + 1:
            where = "the first record" if first else f"the record after line {self._line}"
            return Break(
                "seq-gap",
                f"`seq` is {seq}, not {self._seq + 1}, on {where}, although `prev_sha256` "
                "matches: the `seq` was edited",
            )
        return None
