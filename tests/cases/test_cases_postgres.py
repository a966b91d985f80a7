"""The core case-book story against PostgreSQL (URL in `FLEXPOLICY_TEST_PG_URL`).

Without the variable the tests are skipped locally and fail on CI, which must have a server
(`scripts/pg-test-server.sh` starts one and prints its URL).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, text

from flexpolicy import FlexPolicyError, InputError
from flexpolicy.cases import CaseBook
from tests.support.cases import T0, StubRules, check_double_charge, double_charge, pg_schema_url


@pytest.fixture
def pg_url() -> Iterator[str]:
    with pg_schema_url() as url:
        yield url


@pytest.fixture
def book(pg_url: str) -> Iterator[CaseBook]:
    with CaseBook(pg_url) as b:
        yield b


def test_double_charge_story(book: CaseBook) -> None:
    check_double_charge(book, double_charge(book))


def test_refusals_and_sweep(book: CaseBook) -> None:
    case_id = double_charge(book)
    with pytest.raises(InputError) as info:
        book.log_contact(case_id, at=T0 - timedelta(days=1), channel="p", by="E")
    assert info.value.code == "out-of-order"
    with pytest.raises(InputError) as info:
        book.open(customer_id="C", subject="s", at=T0, by="E", channel="p", case_id=case_id)
    assert info.value.code == "case-exists"
    assert len(book.sweep(date(2026, 3, 9), StubRules())) == 2
    assert book.sweep(date(2026, 3, 9), StubRules()) == []
    book.resolve(case_id, at=T0 + timedelta(days=8), by="E", resolution="done")
    with pytest.raises(InputError) as info:
        book.add_step(case_id, at=T0 + timedelta(days=9), by="E", action="a")
    assert info.value.code == "case-resolved"
    assert book.stats(date(2026, 3, 31)).resolved_cases == 1


def test_schema_version_and_too_new(pg_url: str) -> None:
    CaseBook(pg_url).close()
    engine = create_engine(pg_url)
    try:
        with engine.begin() as conn:
            assert conn.execute(text("SELECT version FROM schema_version")).all() == [(1,)]
            conn.execute(text("UPDATE schema_version SET version = 2"))
    finally:
        engine.dispose()
    with pytest.raises(FlexPolicyError) as info:
        CaseBook(pg_url)
    assert info.value.code == "schema-too-new"
