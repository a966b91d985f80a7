"""The case book on a real SQLite file: the story, every refusal, schema upgrades, the figures."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from flexpolicy import FlexPolicyError, InputError
from flexpolicy.cases import Case, CaseBook, CaseStats
from tests.support.cases import T0, StubRules, check_double_charge, double_charge


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "book" / "cases.db"


@pytest.fixture
def book(db: Path) -> Iterator[CaseBook]:
    with CaseBook(f"sqlite:///{db}") as b:
        yield b


def test_double_charge_story(book: CaseBook) -> None:
    check_double_charge(book, double_charge(book))


def test_default_location_is_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with CaseBook() as book:
        case = book.open(customer_id="C-9", subject="late", at=T0, by="E-1", channel="chat")
    assert (tmp_path / ".flexpolicy" / "cases.db").is_file()
    assert case.id.startswith("CASE-")
    assert len(case.id) == 15
    with CaseBook(tmp_path / ".flexpolicy" / "cases.db") as again:
        assert [c.id for c in again.cases()] == [case.id]


def test_records_survive_reopening_and_sqlite_is_in_wal_mode(db: Path) -> None:
    with CaseBook(f"sqlite:///{db}") as book:
        case_id = double_charge(book)
    with CaseBook(f"sqlite:///{db}") as book:
        assert len(book.get(case_id).contacts) == 3
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_times_dates_and_time_zones(book: CaseBook) -> None:
    plus2 = timezone(timedelta(hours=2))
    case = book.open(
        customer_id="C-2",
        subject="s",
        at=datetime(2026, 3, 2, 11, tzinfo=plus2),
        by="E",
        channel="x",
    )
    assert case.opened_at == datetime(2026, 3, 2, 9)  # stored as naive UTC
    contact = book.log_contact(case.id, at=date(2026, 3, 3), channel="phone", by="E")
    assert contact.at == datetime(2026, 3, 3)  # a date as an event: the start of that day
    # A date as `as_of` is the end of that day, so the day's events count.
    book.log_contact(case.id, at=datetime(2026, 3, 4, 23, 59, tzinfo=UTC), channel="x", by="E")
    assert book.facts(case.id, date(2026, 3, 4)).contacts_total == 3
    assert book.facts(case.id, datetime(2026, 3, 4, 12)).contacts_total == 2
    assert book.facts(case.id, date(2026, 3, 20)).days_since_last_contact == 16
    assert book.facts(case.id, date(2026, 3, 20)).contacts_14d == 0


def _fill(book: CaseBook) -> tuple[str, int]:
    case = book.open(customer_id="C-1", subject="s", at=T0, by="E-1", channel="phone")
    p = book.promise(
        case.id, at=T0 + timedelta(hours=1), by="E-1", what="call back", due=T0 + timedelta(days=1)
    )
    book.log_contact(case.id, at=T0 + timedelta(hours=2), channel="phone", by="E-2")
    return case.id, p.id


def _resolved(book: CaseBook) -> tuple[str, int]:
    case_id, pid = _fill(book)
    book.resolve(case_id, at=T0 + timedelta(days=1), by="E-3", resolution="done")
    return case_id, pid


Call = Callable[[CaseBook, str, int], Any]
AT = T0 + timedelta(days=2)

REFUSALS: list[tuple[str, bool, Call, str]] = [
    # (code, on a resolved case?, call, words in the message)
    ("unknown-case", False, lambda b, c, p: b.get("CASE-nope"), "no case `case-nope`"),
    (
        "unknown-case",
        False,
        lambda b, c, p: b.log_contact("X", at=AT, channel="p", by="E"),
        "no case",
    ),
    ("unknown-case", False, lambda b, c, p: b.story("CASE-404"), "no case"),
    (
        "out-of-order",
        False,
        lambda b, c, p: b.log_contact(c, at=T0 - timedelta(1), channel="p", by="E"),
        "before case",
    ),
    (
        "out-of-order",
        False,
        lambda b, c, p: b.add_step(c, at=date(2026, 3, 1), by="E", action="a"),
        "before case",
    ),
    (
        "out-of-order",
        False,
        lambda b, c, p: b.promise(c, at=date(2026, 1, 1), by="E", what="w", due=AT),
        "before case",
    ),
    (
        "out-of-order",
        False,
        lambda b, c, p: b.keep_promise(c, p, at=T0 + timedelta(minutes=30)),
        "before it was made",
    ),
    (
        "out-of-order",
        False,
        lambda b, c, p: b.resolve(c, at=T0 + timedelta(hours=1), by="E", resolution="r"),
        "latest event",
    ),
    ("out-of-order", False, lambda b, c, p: b.facts(c, date(2026, 3, 1)), "after `as_of`"),
    (
        "case-resolved",
        True,
        lambda b, c, p: b.log_contact(c, at=AT, channel="p", by="E"),
        "was resolved",
    ),
    (
        "case-resolved",
        True,
        lambda b, c, p: b.add_step(c, at=AT, by="E", action="a"),
        "was resolved",
    ),
    (
        "case-resolved",
        True,
        lambda b, c, p: b.promise(c, at=AT, by="E", what="w", due=AT),
        "was resolved",
    ),
    ("case-resolved", True, lambda b, c, p: b.keep_promise(c, p, at=AT), "was resolved"),
    (
        "case-resolved",
        True,
        lambda b, c, p: b.resolve(c, at=AT, by="E", resolution="again"),
        "was resolved",
    ),
    (
        "bad-promise",
        False,
        lambda b, c, p: b.promise(c, at=AT, by="E", what="w", due=T0),
        "before it was made",
    ),
    ("unknown-promise", False, lambda b, c, p: b.keep_promise(c, p + 99, at=AT), "no promise"),
    ("invalid-facts", False, lambda b, c, p: b.log_contact(c, at=AT, channel="p", by=""), "`by`"),
    (
        "invalid-facts",
        False,
        lambda b, c, p: b.log_contact(c, at=AT, channel="  ", by="E"),
        "`channel`",
    ),
    (
        "invalid-facts",
        False,
        lambda b, c, p: b.log_contact("", at=AT, channel="p", by="E"),
        "`case_id`",
    ),
    (
        "invalid-facts",
        False,
        lambda b, c, p: b.log_contact(c, at="2026-03-05", channel="p", by="E"),
        "`at`",
    ),
    ("invalid-facts", False, lambda b, c, p: b.add_step(c, at=AT, by="E", action=""), "`action`"),
    (
        "invalid-facts",
        False,
        lambda b, c, p: b.promise(c, at=AT, by="E", what=" ", due=AT),
        "`what`",
    ),
    (
        "invalid-facts",
        False,
        lambda b, c, p: b.resolve(c, at=AT, by="E", resolution=""),
        "`resolution`",
    ),
    (
        "invalid-facts",
        False,
        lambda b, c, p: b.open(customer_id="", subject="s", at=T0, by="E", channel="p"),
        "`customer_id`",
    ),
    (
        "invalid-facts",
        False,
        lambda b, c, p: b.open(customer_id="C", subject="", at=T0, by="E", channel="p"),
        "`subject`",
    ),
    (
        "invalid-facts",
        False,
        lambda b, c, p: b.open(
            customer_id="C", subject="s", at=T0, by="E", channel="p", case_id=" "
        ),
        "`case_id`",
    ),
    (
        "case-exists",
        False,
        lambda b, c, p: b.open(customer_id="C", subject="s", at=T0, by="E", channel="p", case_id=c),
        "already exists",
    ),
]


@pytest.mark.parametrize(
    ("code", "resolved", "call", "words"),
    REFUSALS,
    ids=[f"{r[0]}-{i}" for i, r in enumerate(REFUSALS)],
)
def test_refusals(book: CaseBook, code: str, resolved: bool, call: Call, words: str) -> None:
    case_id, pid = (_resolved if resolved else _fill)(book)
    before = book.get(case_id)
    with pytest.raises(InputError) as info:
        call(book, case_id, pid)
    assert info.value.code == code
    assert words.lower() in info.value.message.lower()
    assert info.value.message == info.value.message.lower() or "`" in info.value.message
    assert book.get(case_id) == before  # a refused write leaves no trace
    assert len(book.cases()) == 1


def test_keeping_a_promise_twice(book: CaseBook) -> None:
    case_id, pid = _fill(book)
    book.keep_promise(case_id, pid, at=T0 + timedelta(hours=3))
    with pytest.raises(InputError) as info:
        book.keep_promise(case_id, pid, at=T0 + timedelta(hours=4))
    assert info.value.code == "promise-kept"
    assert book.get(case_id).promises[0].kept_at == T0 + timedelta(hours=3)


def test_unknown_case_suggests_a_close_id(book: CaseBook) -> None:
    book.open(customer_id="C", subject="s", at=T0, by="E", channel="p", case_id="CASE-0000000042")
    with pytest.raises(InputError) as info:
        book.get("CASE-0000000043")
    assert info.value.code == "unknown-case"
    assert info.value.hint == "did you mean `CASE-0000000042`?"


def test_bad_url_is_an_input_error() -> None:
    with pytest.raises(InputError) as info:
        CaseBook("nosuchdb://x/y")
    assert info.value.code == "bad-url"


def test_sweep_raises_each_escalation_once_and_skips_resolved(book: CaseBook) -> None:
    case_id = double_charge(book)
    quiet = book.open(customer_id="C-2", subject="q", at=T0, by="E", channel="p")
    done = book.open(customer_id="C-3", subject="d", at=T0, by="E", channel="p")
    for day in (1, 2):
        book.log_contact(done.id, at=T0 + timedelta(days=day), channel="p", by="E")
    book.resolve(done.id, at=T0 + timedelta(days=3), by="E", resolution="fixed")

    assert book.sweep(date(2026, 3, 3), StubRules()) == []  # one contact, nothing overdue yet
    raised = book.sweep(date(2026, 3, 9), StubRules())
    assert [(e.case_id, e.rule_id, e.escalate_to) for e in raised] == [
        (case_id, "third-contact", "senior_manager"),
        (case_id, "promise-overdue", "store_manager"),
    ]
    assert raised[0].raised_at == datetime(2026, 3, 9, 23, 59, 59, 999999)
    assert book.sweep(date(2026, 3, 10), StubRules()) == []  # raised once, ever
    assert [e.rule_id for e in book.get(case_id).escalations] == [
        "third-contact",
        "promise-overdue",
    ]
    assert book.get(quiet.id).escalations == []
    assert "Escalated 2026-03-09 23:59 to senior_manager (callback)" in book.story(case_id)


def test_upgrade_from_version_0(db: Path) -> None:
    db.parent.mkdir(parents=True)
    with sqlite3.connect(db) as conn:  # the shape before escalations were persisted
        conn.executescript(
            """
            CREATE TABLE cases (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL,
                subject TEXT NOT NULL, opened_at DATETIME NOT NULL, opened_by TEXT NOT NULL,
                resolved_at DATETIME, resolved_by TEXT, resolution TEXT);
            CREATE TABLE contacts (id INTEGER PRIMARY KEY, case_id TEXT NOT NULL
                REFERENCES cases(id), at DATETIME NOT NULL, channel TEXT NOT NULL,
                actor TEXT NOT NULL, note TEXT NOT NULL);
            CREATE TABLE steps (id INTEGER PRIMARY KEY, case_id TEXT NOT NULL, at DATETIME
                NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL);
            CREATE TABLE promises (id INTEGER PRIMARY KEY, case_id TEXT NOT NULL,
                at DATETIME NOT NULL, actor TEXT NOT NULL, what TEXT NOT NULL,
                due DATETIME NOT NULL, kept_at DATETIME);
            INSERT INTO cases VALUES ('CASE-old', 'C-1', 'old problem',
                '2026-03-02 09:00:00.000000', 'E-1', NULL, NULL, NULL);
            INSERT INTO contacts VALUES (1, 'CASE-old', '2026-03-02 09:00:00.000000',
                'phone', 'E-1', 'first call');
            """
        )
    conn.close()
    with CaseBook(f"sqlite:///{db}") as book:
        old = book.get("CASE-old")
        assert [c.note for c in old.contacts] == ["first call"]
        book.log_contact("CASE-old", at=T0 + timedelta(days=1), channel="p", by="E-2")
        book.log_contact("CASE-old", at=T0 + timedelta(days=2), channel="p", by="E-3")
        assert [e.rule_id for e in book.sweep(date(2026, 3, 5), StubRules())] == ["third-contact"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(1,)]
        assert conn.execute("SELECT count(*) FROM escalations").fetchone() == (1,)
    conn.close()
    with CaseBook(f"sqlite:///{db}") as book:  # reopening an up-to-date book changes nothing
        assert len(book.get("CASE-old").escalations) == 1


def test_schema_too_new_is_refused(db: Path) -> None:
    with CaseBook(f"sqlite:///{db}") as book:
        book.open(customer_id="C", subject="s", at=T0, by="E", channel="p")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE schema_version SET version = 99")
    conn.close()
    with pytest.raises(FlexPolicyError) as info:
        CaseBook(f"sqlite:///{db}")
    assert info.value.code == "schema-too-new"
    assert "version 99" in str(info.value)


def _day(n: int, hour: int = 9) -> datetime:
    return datetime(2026, 3, n, hour)


def _known_cases(book: CaseBook) -> None:
    def open_(case_id: str, day: int) -> None:
        book.open(
            customer_id="C", subject=case_id, at=_day(day), by="E", channel="p", case_id=case_id
        )

    open_("A", 1)  # one call, resolved in 2 days
    book.resolve("A", at=_day(3), by="E", resolution="ok")
    open_("B", 2)  # three calls, promise kept on time
    p = book.promise("B", at=_day(2, 10), by="E", what="refund", due=_day(5, 12))
    book.log_contact("B", at=_day(4), channel="p", by="E")
    book.keep_promise("B", p.id, at=_day(4, 10))
    book.log_contact("B", at=_day(7), channel="p", by="E")
    book.resolve("B", at=_day(8), by="E", resolution="ok")
    open_("C", 3)  # still open, promise kept late
    p = book.promise("C", at=_day(3, 10), by="E", what="call", due=_day(6))
    book.log_contact("C", at=_day(6, 12), channel="p", by="E")
    book.keep_promise("C", p.id, at=_day(7))
    book.promise("C", at=_day(8), by="E", what="parts", due=_day(20))  # not due by the 10th
    open_("D", 4)  # one call, promise broken, resolved in 5
    book.promise("D", at=_day(4, 10), by="E", what="voucher", due=_day(9))
    book.resolve("D", at=_day(9), by="E", resolution="gave up")
    open_("E", 20)  # after every as_of below: not counted
    book.resolve("E", at=_day(21), by="E", resolution="ok")


def test_stats_on_known_cases(book: CaseBook) -> None:
    _known_cases(book)
    assert book.stats(date(2026, 3, 10)) == CaseStats(
        as_of=datetime(2026, 3, 10, 23, 59, 59, 999999),
        cases=4,
        open_cases=1,
        resolved_cases=3,
        median_turnaround_days=5.0,  # 2, 6, 5
        repeat_contact_share=0.5,  # B (3) and C (2) of four
        average_contacts=1.75,  # 7 / 4
        first_contact_resolution=2 / 3,  # A and D of A, B, D
        promises_due=3,  # B, C's first, D
        promises_kept_on_time=1,  # B
        promise_kept_on_time_share=1 / 3,
    )
    early = book.stats(date(2026, 3, 5))  # as things stood then: only A resolved
    assert (early.cases, early.resolved_cases, early.median_turnaround_days) == (4, 1, 2.0)
    assert (early.repeat_contact_share, early.average_contacts) == (0.25, 1.25)
    assert (
        early.first_contact_resolution,
        early.promises_due,
        early.promise_kept_on_time_share,
    ) == (1.0, 1, 1.0)
    lines = early.lines()
    assert lines[0] == "cases: 4 (3 open, 1 resolved)"
    assert "1 of 1 (100%)" in lines[-1]


def test_stats_with_nothing_to_measure(book: CaseBook) -> None:
    empty = book.stats(date(2026, 3, 10))
    assert (empty.cases, empty.median_turnaround_days, empty.average_contacts) == (0, None, None)
    assert "n/a" in empty.lines()[1]


def test_cases_listing_and_open_only(book: CaseBook) -> None:
    _known_cases(book)
    assert [c.id for c in book.cases()] == ["A", "B", "C", "D", "E"]
    assert [c.id for c in book.cases(open_only=True)] == ["C"]
    assert all(isinstance(c, Case) for c in book.cases())
