"""`CaseBook`: one customer problem remembered across contacts, in a database.

Every method that changes something runs as exactly one transaction, and returns only after
it has committed, so whatever a caller was told happened is in the record, even if the
process dies on the next line.  Each write first locks its case and checks the order of
events there, inside the transaction, so two employees (or two tills) writing to one case at
once cannot slip a contact in after the resolution.

Time is always given, never read from the clock: `at` for an event, `as_of` for a question.
That keeps facts, stories, sweeps and statistics replayable for any past moment.
"""

from __future__ import annotations

import difflib
import os
import secrets
from collections.abc import Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Any, Protocol

from sqlalchemy import Table, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ..errors import InputError
from ..models import CaseFacts
from ._models import Case, CaseStats, Contact, Escalation, Promise, Step, case_facts, case_stats
from ._models import moment as _moment
from ._store import (
    DEFAULT_PATH,
    Store,
    case_ids,
    cases,
    contacts,
    escalations,
    lock_case,
    promises,
    read_cases,
    steps,
)

__all__ = ["CaseBook", "EscalationSource"]

When = date | datetime
DueTuple = tuple[str, str, str, str, str]


class _DueLike(Protocol):
    @property
    def rule_id(self) -> str: ...
    @property
    def escalate_to(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def staff(self) -> str: ...
    @property
    def customer(self) -> str: ...


class EscalationSource(Protocol):
    """What `sweep` needs of escalation rules: the escalations a case's facts call for.

    `EscalationRules` is the real one; each item is a `Due` (or a plain
    `(rule_id, escalate_to, action, staff, customer)` tuple).
    """

    def due(self, facts: CaseFacts, as_of: date) -> Sequence[_DueLike | DueTuple]: ...


def _text(value: object, what: str, *, limit: int = 10_000) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(
            f"`{what}` must be non-empty text",
            code="invalid-facts",
            hint=f"give `{what}` as a string, e.g. an employee id or a short sentence",
        )
    if len(value) > limit:
        raise InputError(
            f"`{what}` is {len(value)} characters long; at most {limit} are allowed",
            code="invalid-facts",
        )
    return value.strip()


def _when(at: datetime) -> str:
    """A time the way a person writes it in a note: no seconds, no midnight."""
    return f"{at:%Y-%m-%d}" if at.time() == datetime.min.time() else f"{at:%Y-%m-%d %H:%M}"


def _unknown_case(conn: Connection, case_id: str) -> InputError:
    close = difflib.get_close_matches(case_id, case_ids(conn), n=1, cutoff=0.6)
    return InputError(
        f"no case `{case_id}` in this case book",
        code="unknown-case",
        hint=f"did you mean `{close[0]}`?" if close else "list open cases with `book.cases()`",
    )


def _out_of_order(message: str, hint: str) -> InputError:
    return InputError(message, code="out-of-order", hint=hint)


class CaseBook:
    """Cases in SQLite (default `.flexpolicy/cases.db`) or any SQLAlchemy database URL.

    >>> book = CaseBook("sqlite:///cases.db")                               # doctest: +SKIP
    >>> case = book.open(customer_id="C-1", subject="charged twice",         # doctest: +SKIP
    ...                  at=datetime(2026, 3, 1, 9), by="E-17", channel="phone")
    >>> print(book.story(case.id))                                          # doctest: +SKIP
    """

    def __init__(self, url: str | os.PathLike[str] | None = None) -> None:
        if url is None:
            url = DEFAULT_PATH
        if isinstance(url, os.PathLike) or "://" not in url:
            url = f"sqlite:///{os.fspath(url)}"
        self._store = Store(url)

    def close(self) -> None:
        """Release the database connections; the record itself needs no closing."""
        self._store.close()

    def __enter__(self) -> CaseBook:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- writes: each one transaction, committed before the method returns -----------------

    def open(
        self,
        *,
        customer_id: str,
        subject: str,
        at: When,
        by: str,
        channel: str,
        note: str | None = None,
        case_id: str | None = None,
    ) -> Case:
        """Open a case and record the contact that opened it, together or not at all."""
        customer = _text(customer_id, "customer_id", limit=200)
        subject = _text(subject, "subject")
        when = _moment(at, "at")
        by = _text(by, "by", limit=200)
        channel = _text(channel, "channel", limit=200)
        note = self._note(note)
        given = None if case_id is None else _text(case_id, "case_id", limit=200)
        for _attempt in range(5):
            new_id = given or f"CASE-{secrets.token_hex(5)}"
            try:
                with self._store.write() as conn:
                    if lock_case(conn, new_id) is not None:
                        if given is None:
                            continue
                        raise InputError(
                            f"case `{new_id}` already exists",
                            code="case-exists",
                            hint="leave `case_id` out to have one generated",
                        )
                    conn.execute(
                        insert(cases).values(
                            id=new_id,
                            customer_id=customer,
                            subject=subject,
                            opened_at=when,
                            opened_by=by,
                        )
                    )
                    conn.execute(
                        insert(contacts).values(
                            case_id=new_id, at=when, channel=channel, actor=by, note=note
                        )
                    )
                    return read_cases(conn, ids=[new_id])[0]
            except IntegrityError:
                # Another writer created the same id between our check and our insert.
                if given is not None:
                    raise InputError(
                        f"case `{new_id}` already exists", code="case-exists"
                    ) from None
        raise InputError("could not generate a free case id", code="case-exists")

    def log_contact(
        self, case_id: str, *, at: When, channel: str, by: str, note: str | None = None
    ) -> Contact:
        """Record that the customer got in touch again (or was called back)."""
        cid, when = _text(case_id, "case_id", limit=200), _moment(at, "at")
        channel, by, note = _text(channel, "channel", limit=200), _text(by, "by"), self._note(note)
        new_id = self._append(
            contacts, cid, when, "a contact", channel=channel, actor=by, note=note
        )
        return Contact(id=new_id, case_id=cid, at=when, channel=channel, by=by, note=note)

    def add_step(self, case_id: str, *, at: When, by: str, action: str) -> Step:
        """Record something done about the case, so the next person does not redo it."""
        cid, when = _text(case_id, "case_id", limit=200), _moment(at, "at")
        by, action = _text(by, "by", limit=200), _text(action, "action")
        new_id = self._append(steps, cid, when, "a step", actor=by, action=action)
        return Step(id=new_id, case_id=cid, at=when, by=by, action=action)

    def promise(self, case_id: str, *, at: When, by: str, what: str, due: When) -> Promise:
        """Record what the customer was promised and by when; it is overdue once `due` passes."""
        cid, when = _text(case_id, "case_id", limit=200), _moment(at, "at")
        by, what, due_at = _text(by, "by", limit=200), _text(what, "what"), _moment(due, "due")
        if due_at < when:
            raise InputError(
                f"the promise is due {_when(due_at)}, before it was made ({_when(when)})",
                code="bad-promise",
                hint="`due` is when the promise must be kept; it cannot precede `at`",
            )
        new_id = self._append(promises, cid, when, "a promise", actor=by, what=what, due=due_at)
        return Promise(id=new_id, case_id=cid, at=when, by=by, what=what, due=due_at)

    def _append(self, table: Table, cid: str, when: datetime, event: str, **values: Any) -> int:
        """One `event` row on an open case, in one write transaction; its new id."""
        with self._store.write() as conn:
            self._open_case(conn, cid, when, event)
            new_id: int = conn.execute(
                insert(table).values(case_id=cid, at=when, **values).returning(table.c.id)
            ).scalar_one()
        return new_id

    def keep_promise(self, case_id: str, promise_id: int, *, at: When) -> Promise:
        """Record that a promise was kept at `at` (on time if `at` is at or before its due)."""
        cid, when = _text(case_id, "case_id", limit=200), _moment(at, "at")
        with self._store.write() as conn:
            self._open_case(conn, cid, when, "keeping a promise")
            found = read_cases(conn, ids=[cid])[0].promises
            match = [p for p in found if p.id == promise_id]
            if not match:
                known = ", ".join(str(p.id) for p in found) or "none"
                raise InputError(
                    f"case `{cid}` has no promise {promise_id!r}",
                    code="unknown-promise",
                    hint=f"promises on this case: {known}",
                )
            kept = match[0]
            if kept.kept_at is not None:
                raise InputError(
                    f"promise {promise_id} on case `{cid}` was already kept"
                    f" ({_when(kept.kept_at)})",
                    code="promise-kept",
                    hint="a promise is kept once; record anything further as a step",
                )
            if when < kept.at:
                raise _out_of_order(
                    f"promise {promise_id} cannot be kept at {_when(when)}, before it was made"
                    f" ({_when(kept.at)})",
                    "check the date of `at`",
                )
            conn.execute(update(promises).where(promises.c.id == kept.id).values(kept_at=when))
        return kept.model_copy(update={"kept_at": when})

    def resolve(self, case_id: str, *, at: When, by: str, resolution: str) -> Case:
        """Close the case with what was finally done; nothing may be added to it afterwards."""
        cid, when = _text(case_id, "case_id", limit=200), _moment(at, "at")
        by, resolution = _text(by, "by", limit=200), _text(resolution, "resolution")
        with self._store.write() as conn:
            self._open_case(conn, cid, when, "the resolution")
            latest = read_cases(conn, ids=[cid])[0].latest_event()
            if when < latest:
                raise _out_of_order(
                    f"case `{cid}` cannot be resolved at {_when(when)}: its latest event is at"
                    f" {_when(latest)}",
                    "a resolution comes after every contact, step and promise of the case",
                )
            conn.execute(
                update(cases)
                .where(cases.c.id == cid)
                .values(resolved_at=when, resolved_by=by, resolution=resolution)
            )
            return read_cases(conn, ids=[cid])[0]

    def sweep(self, as_of: When, rules: EscalationSource) -> list[Escalation]:
        """Raise the escalations due at `as_of`: each (case, rule) once ever, never again.

        Cases resolved by `as_of` are skipped.  The escalations raised are recorded in the
        same transaction that decided them, so two sweeps at once cannot both raise one.
        """
        now = _moment(as_of, "as_of", end_of_day=True)
        raised: list[Escalation] = []
        with self._store.write() as conn:
            open_then = select(cases.c.id).where(
                cases.c.opened_at <= now,
                or_(cases.c.resolved_at.is_(None), cases.c.resolved_at > now),
            )
            ids = list(conn.execute(open_then.with_for_update()).scalars())
            for case in read_cases(conn, ids=ids):
                done = {e.rule_id for e in case.escalations}
                for due in rules.due(case_facts(case, now), now.date()):
                    rule_id, to, action, staff, customer = (
                        due
                        if isinstance(due, tuple)
                        else (due.rule_id, due.escalate_to, due.action, due.staff, due.customer)
                    )
                    if rule_id in done:
                        continue
                    done.add(rule_id)
                    row: dict[str, Any] = {
                        "case_id": case.id,
                        "rule_id": rule_id,
                        "escalate_to": to,
                        "action": action,
                        "raised_at": now,
                        "staff": staff,
                        "customer": customer,
                    }
                    conn.execute(insert(escalations).values(**row))
                    raised.append(Escalation(**row))
        return raised

    # -- reads: each one consistent snapshot -------------------------------------------------

    def get(self, case_id: str) -> Case:
        """The whole case: contacts, steps, promises and escalations, each in time order."""
        cid = _text(case_id, "case_id", limit=200)
        with self._store.read() as conn:
            found = read_cases(conn, ids=[cid])
            if not found:
                raise _unknown_case(conn, cid)
            return found[0]

    def cases(self, open_only: bool = False) -> list[Case]:
        """Every case (or every unresolved one), oldest first."""
        with self._store.read() as conn:
            return read_cases(conn, open_only=open_only)

    def facts(self, case_id: str, as_of: When) -> CaseFacts:
        """What decisions and escalation rules see of the case at `as_of`, as `case.*`."""
        case = self.get(case_id)
        now = _moment(as_of, "as_of", end_of_day=True)
        self._not_before_opening(case, now)
        return case_facts(case, now)

    def story(self, case_id: str, as_of: When | None = None) -> str:
        """The story so far in a few plain lines, so the customer never tells it twice.

        Without `as_of` the story runs to the latest thing recorded (the clock is never read,
        so "overdue" is judged at that moment); with it, later events are left out.
        """
        case = self.get(case_id)
        if as_of is None:
            raised = [e.raised_at for e in case.escalations]
            now = case.resolved_at or max([case.latest_event(), *raised])
        else:
            now = _moment(as_of, "as_of", end_of_day=True)
            self._not_before_opening(case, now)
        return "\n".join(_story_lines(case, now))

    def stats(self, as_of: When) -> CaseStats:
        """The manager's measures over every case opened by `as_of`, as things stood then."""
        now = _moment(as_of, "as_of", end_of_day=True)
        with self._store.read() as conn:
            every = read_cases(conn)
        return case_stats(every, now)

    # -- helpers ------------------------------------------------------------------------------

    @staticmethod
    def _note(note: object) -> str:
        if note is None:
            return ""
        if not isinstance(note, str):
            raise InputError("`note` must be text", code="invalid-facts")
        if len(note) > 10_000:
            raise InputError("`note` is longer than 10000 characters", code="invalid-facts")
        return note.strip()

    @staticmethod
    def _open_case(conn: Connection, case_id: str, when: datetime, what: str) -> Any:
        """Lock the case for this transaction and check `what` may be added to it at `when`."""
        row = lock_case(conn, case_id)
        if row is None:
            raise _unknown_case(conn, case_id)
        if row.resolved_at is not None:
            raise InputError(
                f"case `{case_id}` was resolved on {_when(row.resolved_at)}; {what} cannot be"
                " added to it",
                code="case-resolved",
                hint="open a new case if the problem came back",
            )
        if when < row.opened_at:
            raise _out_of_order(
                f"{what} at {_when(when)} is before case `{case_id}` was opened"
                f" ({_when(row.opened_at)})",
                "check the date of `at`",
            )
        return row

    @staticmethod
    def _not_before_opening(case: Case, now: datetime) -> None:
        if now < case.opened_at:
            raise _out_of_order(
                f"case `{case.id}` was opened {_when(case.opened_at)}, after `as_of`"
                f" ({_when(now)})",
                "ask about a moment at or after the case was opened",
            )


def _story_lines(case: Case, now: datetime) -> list[str]:
    """Who called when, what was promised (and whether it is overdue), what was done, outcome."""
    resolved = case.resolved_by_then(now)
    end = case.resolved_at if resolved and case.resolved_at else now
    days = (end - case.opened_at).days
    status = f"resolved after {days} days" if resolved else f"open {days} days"
    lines = [
        f"{case.id}: {case.subject} (customer {case.customer_id}), opened {_when(case.opened_at)}"
        f" by {case.opened_by}; {status}."
    ]
    seen = [c for c in case.contacts if c.at <= now]
    calls = "; ".join(
        f"{_when(c.at)} {c.channel} with {c.by}" + (f" ({c.note})" if c.note else "") for c in seen
    )
    lines.append(f"Contacts ({len(seen)}): {calls}.")
    for p in (p for p in case.promises if p.at <= now):
        head = f"Promised {_when(p.at)} by {p.by}: {p.what}, due {_when(p.due)}"
        if p.kept_at is not None and p.kept_at <= now:
            late = "" if p.kept_at <= p.due else " (late)"
            lines.append(f"{head}; kept {_when(p.kept_at)}{late}.")
        elif p.is_overdue(now):
            lines.append(f"{head}; OVERDUE, not kept.")
        else:
            lines.append(f"{head}; not kept yet.")
    done = [s for s in case.steps if s.at <= now]
    if done:
        lines.append("Done: " + "; ".join(f"{_when(s.at)} {s.by} {s.action}" for s in done) + ".")
    else:
        lines.append("Done: nothing yet.")
    lines += [
        f"Escalated {_when(e.raised_at)} to {e.escalate_to} ({e.action}): {e.staff}"
        for e in case.escalations
        if e.raised_at <= now
    ]
    if resolved and case.resolved_at is not None:
        lines.append(
            f"Resolution: {case.resolution} ({case.resolved_by}, {_when(case.resolved_at)})."
        )
    else:
        lines.append("Resolution: not resolved yet.")
    return lines
