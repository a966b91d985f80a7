"""Acknowledged writes survive SIGKILL, and concurrent writers to one case lose nothing.

A writer process appends contacts and prints an ack line after each write returned; it is
killed at random moments.  Afterwards every acked write must be in the database, no case may
be half-written (each has its opening contact), and SQLite's integrity check must pass.  Runs
on SQLite, and on PostgreSQL when `FLEXPOLICY_TEST_PG_URL` is set.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from flexpolicy.cases import CaseBook
from tests.support.cases import T0, pg_schema_url

WRITER = Path(__file__).parents[1] / "support" / "case_writer.py"
SHARED = "CASE-shared"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cases.db'}"
        return
    with pg_schema_url() as pg:
        yield pg


def _start(url: str, tag: str, count: int, open_every: int = 0) -> subprocess.Popen[str]:
    args = [sys.executable, str(WRITER), url, SHARED, tag, str(count), str(open_every)]
    return subprocess.Popen(args, stdout=subprocess.PIPE, text=True)


def _collect(proc: subprocess.Popen[str], lines: list[str], ready: threading.Event) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line.strip())
        ready.set()


def _open_shared(url: str) -> None:
    with CaseBook(url) as book:
        book.open(customer_id="C", subject="s", at=T0, by="E", channel="p", case_id=SHARED)


def _check_whole(url: str) -> None:
    """No half-written case: every case has the contact that opened it."""
    with CaseBook(url) as book:
        for case in book.cases():
            assert any(c.at == case.opened_at for c in case.contacts), case.id
    if url.startswith("sqlite:///"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            conn.close()


def test_acked_writes_survive_sigkill(url: str) -> None:
    seed = int(os.environ.get("FLEXPOLICY_CRASH_SEED", time.time_ns() % 100_000))
    rng = random.Random(seed)
    _open_shared(url)
    acked: list[str] = []
    opened: list[str] = []
    for round_ in range(5):
        lines: list[str] = []
        ready = threading.Event()
        proc = _start(url, f"r{round_}", 0, open_every=7)
        reader = threading.Thread(target=_collect, args=(proc, lines, ready))
        reader.start()
        assert ready.wait(30), "writer did not start"
        time.sleep(rng.uniform(0.2, 1.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        reader.join(10)
        assert proc.stdout is not None
        proc.stdout.close()
        assert proc.returncode == -signal.SIGKILL, f"writer ended by itself (seed {seed})"
        acked += [x.split(" ", 1)[1] for x in lines if x.startswith("ack ")]
        opened += [x.split(" ", 1)[1] for x in lines if x.startswith("open ")]
    assert acked, f"no write was acknowledged (seed {seed})"
    with CaseBook(url) as book:
        notes = {c.note for c in book.get(SHARED).contacts}
        missing = [n for n in acked if n not in notes]
        assert not missing, f"acked but lost: {missing[:5]} (seed {seed})"
        ids = {c.id for c in book.cases()}
        assert set(opened) <= ids, f"opened but lost (seed {seed})"
    _check_whole(url)


def test_concurrent_writers_lose_nothing(url: str) -> None:
    _open_shared(url)
    procs = [_start(url, tag, 200) for tag in ("a", "b")]
    outs = [p.communicate(timeout=60)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert all(out.count("ack ") == 200 for out in outs)
    with CaseBook(url) as book:
        contacts = book.get(SHARED).contacts
    assert len(contacts) == 401
    assert len({c.note for c in contacts}) == 401
    assert len({c.id for c in contacts}) == 401
    _check_whole(url)
