"""Shared by the case-book tests: the double-charge story, stub rules, and PostgreSQL set-up.

The same story runs against SQLite and PostgreSQL, so both back ends are held to one
expectation.  PostgreSQL tests get a schema of their own (via `search_path`), so they can run
side by side in one database and leave nothing behind.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import create_engine, make_url, text

from flexpolicy import CaseFacts
from flexpolicy.cases import CaseBook

PG_ENV = "FLEXPOLICY_TEST_PG_URL"
T0 = datetime(2026, 3, 2, 9, 0)


def double_charge(book: CaseBook) -> str:
    """Open the double-charge case, promise a refund in 5 days, and let two more calls come in."""
    case = book.open(
        customer_id="C-1",
        subject="Charged twice for a coffee grinder",
        at=T0,
        by="E-17",
        channel="phone",
        note="customer explains the double charge",
    )
    book.add_step(case.id, at=T0 + timedelta(minutes=10), by="E-17", action="refund requested")
    book.promise(
        case.id,
        at=T0 + timedelta(minutes=15),
        by="E-17",
        what="refund of 129.00",
        due=T0 + timedelta(days=5),
    )
    book.log_contact(
        case.id, at=T0 + timedelta(days=6), channel="phone", by="E-22", note="no refund yet"
    )
    book.log_contact(case.id, at=T0 + timedelta(days=7), channel="email", by="E-23")
    return case.id


def check_double_charge(book: CaseBook, case_id: str) -> None:
    """What the next employee sees on day 8: three contacts and an overdue refund."""
    facts = book.facts(case_id, date(2026, 3, 9))
    assert facts == CaseFacts(
        id=case_id,
        contacts_total=3,
        contacts_14d=3,
        days_open=7,
        steps=1,
        open_promises=1,
        overdue_promises=1,
        resolved=False,
        promises_kept=0,
        days_since_last_contact=0,
    )
    story = book.story(case_id, as_of=date(2026, 3, 9))
    assert "refund of 129.00" in story
    assert "OVERDUE" in story
    assert "Contacts (3)" in story
    assert "E-22" in story
    assert "no refund yet" in story
    assert "refund requested" in story
    assert "not resolved yet" in story
    assert len(story.splitlines()) <= 8
    # Before the due date the same promise is merely open.
    early = book.facts(case_id, T0 + timedelta(days=1))
    assert (early.open_promises, early.overdue_promises, early.contacts_total) == (1, 0, 1)
    assert "OVERDUE" not in book.story(case_id, as_of=T0 + timedelta(days=1))

    case = book.get(case_id)
    assert [c.by for c in case.contacts] == ["E-17", "E-22", "E-23"]
    book.keep_promise(case_id, case.promises[0].id, at=T0 + timedelta(days=8))
    resolved = book.resolve(
        case_id, at=T0 + timedelta(days=8, hours=1), by="E-30", resolution="refund confirmed"
    )
    assert resolved.resolved_at == T0 + timedelta(days=8, hours=1)
    later = book.facts(case_id, date(2026, 3, 20))
    assert (later.resolved, later.overdue_promises, later.promises_kept, later.days_open) == (
        True,
        0,
        1,
        8,
    )
    story = book.story(case_id)
    assert "kept 2026-03-10 09:00 (late)" in story
    assert "Resolution: refund confirmed (E-30" in story


@dataclass(frozen=True)
class StubRules:
    """Escalation rules in miniature: third contact in 14 days, and any overdue promise."""

    def due(self, facts: CaseFacts, as_of: date) -> list[tuple[str, str, str, str, str]]:
        found = []
        if facts.contacts_14d >= 3:
            found.append(
                (
                    "third-contact",
                    "senior_manager",
                    "callback",
                    f"{facts.contacts_14d} contacts in 14 days",
                    "A senior manager will call you back.",
                )
            )
        if facts.overdue_promises:
            found.append(
                ("promise-overdue", "store_manager", "review", "a promise is overdue", "Sorry.")
            )
        return found


def pg_base_url() -> str:
    """The test server's URL; without it, fail on CI (which must test PostgreSQL), else skip."""
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV} is not set, but CI must test PostgreSQL", pytrace=False)
        pytest.skip(f"{PG_ENV} not set (start one with scripts/pg-test-server.sh)")
    return url


@contextmanager
def pg_schema_url() -> Iterator[str]:
    """A URL whose connections live in a fresh, empty schema; the schema is dropped after."""
    base = make_url(pg_base_url())
    schema = f"t_{secrets.token_hex(6)}"
    admin = create_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        url = base.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()
