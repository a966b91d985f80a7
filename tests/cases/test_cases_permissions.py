"""A SQLite case book that flexpolicy creates is private: folders 0700, the file 0600.

Cases hold customers' names, complaints and promises.  SQLite creates a database readable
by every user (0644 under the usual umask), and gives its side files (`-wal`, `-shm`,
`-journal`) the main file's permissions; so the book creates the file itself, private, and
the folders it has to make.  What the user already had keeps its permissions.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from flexpolicy import InputError
from flexpolicy.cases import CaseBook
from tests.support.cases import T0


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The umask most systems run with (022), whatever the test runner's is."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _write_something(book: CaseBook) -> None:
    book.open(customer_id="C-1", subject="charged twice", at=T0, by="E-1", channel="phone")


def test_a_new_book_its_folders_and_its_side_files_are_private(tmp_path: Path) -> None:
    db = tmp_path / "a" / "b" / "cases.db"
    with CaseBook(f"sqlite:///{db}") as book:
        _write_something(book)
        # WAL mode: the log and the shared-memory index exist while the book is open
        wal, shm = db.with_name("cases.db-wal"), db.with_name("cases.db-shm")
        assert wal.exists()
        assert shm.exists()
        assert _mode(db) == 0o600
        assert _mode(wal) == 0o600
        assert _mode(shm) == 0o600
        assert _mode(tmp_path / "a") == 0o700
        assert _mode(tmp_path / "a" / "b") == 0o700


def test_the_default_book_and_its_folder_are_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with CaseBook() as book:
        _write_something(book)
    assert _mode(tmp_path / ".flexpolicy") == 0o700
    assert _mode(tmp_path / ".flexpolicy" / "cases.db") == 0o600


def test_a_rollback_journal_is_as_private_as_the_book(tmp_path: Path) -> None:
    """Where WAL is not available SQLite keeps a `-journal` beside the book during a write;
    it takes the book's permissions too."""
    db = tmp_path / "book" / "cases.db"
    with CaseBook(db) as book:
        _write_something(book)
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        assert conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE cases SET subject = 'changed'")
        journal = db.with_name("cases.db-journal")
        assert journal.exists()
        assert _mode(journal) == 0o600
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def test_what_the_user_already_had_keeps_its_permissions(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o750)
    folder.chmod(0o750)
    db = folder / "cases.db"
    db.touch()
    db.chmod(0o640)
    with CaseBook(db) as book:
        _write_something(book)
        assert _mode(db.with_name("cases.db-wal")) == 0o640  # SQLite follows the book
    assert _mode(folder) == 0o750
    assert _mode(db) == 0o640
    # an existing folder stays as it is while the book inside it is new, and private
    other = folder / "other.db"
    with CaseBook(other) as book:
        _write_something(book)
    assert _mode(folder) == 0o750
    assert _mode(other) == 0o600


def test_a_book_that_cannot_be_created_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "not-a-folder").write_text("x", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        CaseBook(tmp_path / "not-a-folder" / "cases.db")
    assert caught.value.code == "unwritable"
    assert str(caught.value).startswith("cannot create case book `")
