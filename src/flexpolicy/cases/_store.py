"""The case book's tables, how a database is opened, and how an old one is brought up to date.

The database is the record: a write counts once its transaction has committed, and nothing is
kept in memory between calls.  Two back ends are supported through SQLAlchemy Core:

* SQLite (the default, one file): WAL mode so readers never wait for a writer, `synchronous
  = FULL` so a committed write survives power loss, a busy timeout so a second process waits
  instead of failing, and `BEGIN IMMEDIATE` for every write, so two processes appending to the
  same case take turns instead of one failing at commit with "database is locked".
* PostgreSQL: writes lock the case row (`SELECT ... FOR UPDATE`) before checking the order
  of events, so two employees writing to one case at once are serialised.

Schema versions: `schema_version` holds one row.  A database without it but with a `cases`
table is version 0 (the shape before escalations were persisted).  `UPGRADES[n]` turns
version n into n + 1; all pending steps run in one transaction, so an interrupted upgrade
leaves the old version intact.  A database newer than this code is refused, never guessed at.

A SQLite book holds customers' names, complaints and promises, so the file flexpolicy creates
is private (0600), and so is every folder it makes for it (0700).  SQLite itself would create
the file readable by every user (0644 less the umask); its side files (`-journal`, `-wal`,
`-shm`) take the main file's permissions, so a private main file keeps them private too.  A
file or folder that already exists is left as it is: its permissions are the user's choice.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
)
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from ..errors import FlexPolicyError, InputError
from ._models import Case, Contact, Escalation, Promise, Step

__all__ = [
    "CURRENT_VERSION",
    "DEFAULT_PATH",
    "UPGRADES",
    "Store",
    "case_ids",
    "cases",
    "contacts",
    "escalations",
    "lock_case",
    "promises",
    "read_cases",
    "steps",
]

DEFAULT_PATH = Path(".flexpolicy") / "cases.db"
_BUSY_TIMEOUT_S = 60
# Any constant works: it only has to be the same in every process that opens a case book.
_PG_SCHEMA_LOCK = 0x666C6578_63617365  # "flexcase"

metadata = MetaData()

schema_version = Table("schema_version", metadata, Column("version", Integer, nullable=False))

cases = Table(
    "cases",
    metadata,
    Column("id", Text, primary_key=True),
    Column("customer_id", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("opened_at", DateTime, nullable=False),
    Column("opened_by", Text, nullable=False),
    Column("resolved_at", DateTime),
    Column("resolved_by", Text),
    Column("resolution", Text),
    Index("ix_cases_customer", "customer_id"),
)

contacts = Table(
    "contacts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Text, ForeignKey("cases.id"), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("channel", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("note", Text, nullable=False),
    Index("ix_contacts_case", "case_id", "at"),
)

steps = Table(
    "steps",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Text, ForeignKey("cases.id"), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Index("ix_steps_case", "case_id", "at"),
)

promises = Table(
    "promises",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Text, ForeignKey("cases.id"), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("actor", Text, nullable=False),
    Column("what", Text, nullable=False),
    Column("due", DateTime, nullable=False),
    Column("kept_at", DateTime),
    Index("ix_promises_case", "case_id", "at"),
)

escalations = Table(
    "escalations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Text, ForeignKey("cases.id"), nullable=False),
    Column("rule_id", Text, nullable=False),
    Column("escalate_to", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("raised_at", DateTime, nullable=False),
    Column("staff", Text, nullable=False),
    Column("customer", Text, nullable=False),
    UniqueConstraint("case_id", "rule_id", name="uq_escalations_case_rule"),
)


def _upgrade_0_to_1(conn: Connection) -> None:
    """Version 0 had no `escalations` table and no version row: add both.

    This step creates the escalations table as version 1 defines it; should a later version
    change that table, its own upgrade step alters it, and this one must keep the v1 shape.
    """
    escalations.create(conn, checkfirst=True)
    schema_version.create(conn, checkfirst=True)


UPGRADES: list[Callable[[Connection], None]] = [_upgrade_0_to_1]
"""`UPGRADES[n]` upgrades a version-n database to n + 1, inside the caller's transaction."""

CURRENT_VERSION = len(UPGRADES)


def _schema_error(message: str, code: str, hint: str) -> FlexPolicyError:
    err = FlexPolicyError(f"{message}\n    hint: {hint}")
    err.code = code
    return err


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    name = parsed.database
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name)


def _create_private(path: Path) -> None:
    """Create the missing folders above `path` (0700) and `path` itself, empty (0600).

    An empty file is an empty SQLite database.  `O_EXCL`: a file that exists (or a racing
    process's new one) is not touched; the umask can only narrow the modes further.
    """
    missing: list[Path] = []
    folder = path.parent
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        with suppress(FileExistsError):  # made by a racing process meanwhile
            folder.mkdir(mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def _configure_sqlite(engine: Engine) -> None:
    """Take transaction control away from the sqlite3 module so writes can BEGIN IMMEDIATE."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see `_on_begin`)
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_S * 1000}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("flexpolicy_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


class Store:
    """An engine plus the two kinds of transaction the case book uses: read and write."""

    def __init__(self, url: str) -> None:
        try:
            parsed = make_url(url)
            backend = parsed.get_backend_name()
            path = _sqlite_file(url)
            if path is not None:
                _create_private(path)
            connect_args: dict[str, Any] = (
                {"timeout": _BUSY_TIMEOUT_S} if backend == "sqlite" else {}
            )
            self.engine = create_engine(parsed, connect_args=connect_args)
        except (ArgumentError, NoSuchModuleError, ValueError) as exc:
            raise InputError(
                f"cannot open case book `{url}`: {exc}",
                code="bad-url",
                hint="use `sqlite:///path/cases.db` or `postgresql+psycopg://user:pw@host/db`",
            ) from None
        except OSError as exc:
            raise InputError(
                f"cannot create case book `{url}`: {exc.strerror or exc}",
                code="unwritable",
                hint="give a path in a folder this user can write to",
            ) from None
        self.backend = backend
        if backend == "sqlite":
            _configure_sqlite(self.engine)
        try:
            self._ensure_schema()
        except BaseException:
            self.engine.dispose()  # a refused database must not leak its pooled connection
            raise

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        with self.engine.connect() as conn:
            conn.execution_options(flexpolicy_begin="IMMEDIATE")
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """One read transaction, so everything read in it is one consistent snapshot."""
        with self.engine.connect() as conn:
            if self.backend == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    def _ensure_schema(self) -> None:
        """Create, upgrade or refuse the schema, holding the write lock so racers take turns."""
        with self.write() as conn:
            if self.backend == "postgresql":
                conn.execute(select(func.pg_advisory_xact_lock(_PG_SCHEMA_LOCK)))
            version = _version(conn)
            if version is None:
                metadata.create_all(conn)
                conn.execute(insert(schema_version).values(version=CURRENT_VERSION))
                return
            if version > CURRENT_VERSION:
                raise _schema_error(
                    f"the case book's schema is version {version}, newer than this flexpolicy"
                    f" understands ({CURRENT_VERSION})",
                    "schema-too-new",
                    "upgrade flexpolicy; an older release must not write to a newer case book",
                )
            if version == CURRENT_VERSION:
                return
            for step in UPGRADES[version:]:
                step(conn)
            conn.execute(schema_version.delete())
            conn.execute(insert(schema_version).values(version=CURRENT_VERSION))


def _version(conn: Connection) -> int | None:
    """The schema version; 0 for the unversioned first shape, None for an empty database."""
    tables = set(inspect(conn).get_table_names())
    if "schema_version" in tables:
        found = conn.execute(select(func.max(schema_version.c.version))).scalar()
        return int(found) if found is not None else 0
    return 0 if "cases" in tables else None


def lock_case(conn: Connection, case_id: str) -> Any:
    """The case row, locked against other writers until the transaction ends (None if absent).

    On SQLite the whole database is already locked by `BEGIN IMMEDIATE`; `FOR UPDATE` is not
    rendered there.
    """
    return conn.execute(select(cases).where(cases.c.id == case_id).with_for_update()).first()


def case_ids(conn: Connection) -> list[str]:
    return list(conn.execute(select(cases.c.id).order_by(cases.c.id)).scalars())


def read_cases(
    conn: Connection, *, ids: Sequence[str] | None = None, open_only: bool = False
) -> list[Case]:
    """Whole cases with their contacts, steps, promises and escalations, in time order."""
    query = select(cases).order_by(cases.c.opened_at, cases.c.id)
    if ids is not None:
        query = query.where(cases.c.id.in_(list(ids)))
    if open_only:
        query = query.where(cases.c.resolved_at.is_(None))
    rows = conn.execute(query).mappings().all()
    if not rows:
        return []
    wanted = [r["id"] for r in rows]
    children: dict[str, dict[str, list[Any]]] = {
        i: {"contacts": [], "steps": [], "promises": [], "escalations": []} for i in wanted
    }
    for name, table, build, order in (
        ("contacts", contacts, _contact, (contacts.c.at, contacts.c.id)),
        ("steps", steps, _step, (steps.c.at, steps.c.id)),
        ("promises", promises, _promise, (promises.c.at, promises.c.id)),
        ("escalations", escalations, _escalation, (escalations.c.raised_at, escalations.c.id)),
    ):
        query = select(table).order_by(*order)
        if ids is not None or open_only:
            query = query.where(table.c.case_id.in_(wanted))
        for row in conn.execute(query).mappings():
            if row["case_id"] in children:
                children[row["case_id"]][name].append(build(row))
    return [Case(**dict(r), **children[r["id"]]) for r in rows]


def _contact(row: Any) -> Contact:
    return Contact(
        id=row["id"],
        case_id=row["case_id"],
        at=row["at"],
        channel=row["channel"],
        by=row["actor"],
        note=row["note"],
    )


def _step(row: Any) -> Step:
    return Step(
        id=row["id"], case_id=row["case_id"], at=row["at"], by=row["actor"], action=row["action"]
    )


def _promise(row: Any) -> Promise:
    return Promise(
        id=row["id"],
        case_id=row["case_id"],
        at=row["at"],
        by=row["actor"],
        what=row["what"],
        due=row["due"],
        kept_at=row["kept_at"],
    )


def _escalation(row: Any) -> Escalation:
    return Escalation(
        case_id=row["case_id"],
        rule_id=row["rule_id"],
        escalate_to=row["escalate_to"],
        action=row["action"],
        raised_at=row["raised_at"],
        staff=row["staff"],
        customer=row["customer"],
    )
