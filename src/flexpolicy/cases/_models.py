"""What a case book hands back: frozen snapshots of rows, and the measures built from them.

These are read models.  A `Case` is a copy of what the database held when it was read, never a
live handle, so nothing a caller does to it can change the record; every change goes through
`CaseBook`, which checks it and writes it in one transaction.  Times are naive UTC `datetime`s,
the form they are stored in (see `moment`).

The facts and measures are computed here, in plain Python over those snapshots, so that
SQLite and PostgreSQL give the same answers to the microsecond: no SQL date arithmetic, whose
rules differ between the two.
"""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime, time, timedelta

from pydantic import BaseModel, ConfigDict, Field

from ..errors import InputError
from ..models import CaseFacts

__all__ = [
    "Case",
    "CaseStats",
    "Contact",
    "Escalation",
    "Promise",
    "Step",
    "case_facts",
    "case_stats",
    "moment",
]

_PUBLIC_MODULE = "flexpolicy.cases"


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Contact(_Record):
    """One time the customer got in touch (or was called back), and who took it."""

    id: int
    case_id: str
    at: datetime
    channel: str
    by: str
    note: str = ""


class Step(_Record):
    """Something an employee did about the case, e.g. "refund requested from payments"."""

    id: int
    case_id: str
    at: datetime
    by: str
    action: str


class Promise(_Record):
    """What the customer was told would happen, by when; `kept_at` is set once it happened."""

    id: int
    case_id: str
    at: datetime
    by: str
    what: str
    due: datetime
    kept_at: datetime | None = None

    def is_open(self, as_of: datetime) -> bool:
        """Made by `as_of` and not yet kept then: what the customer is still waiting for."""
        return self.at <= as_of and (self.kept_at is None or self.kept_at > as_of)

    def is_overdue(self, as_of: datetime) -> bool:
        """Still open after its due time has passed."""
        return self.is_open(as_of) and self.due < as_of


class Escalation(_Record):
    """An escalation rule that fired for a case; raised once per (case, rule), ever."""

    case_id: str
    rule_id: str
    escalate_to: str
    action: str
    raised_at: datetime
    staff: str
    customer: str


class Case(_Record):
    """One customer problem with everything that happened about it, each list in time order."""

    id: str
    customer_id: str
    subject: str
    opened_at: datetime
    opened_by: str
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    resolution: str | None = None
    contacts: list[Contact] = Field(default_factory=list)
    steps: list[Step] = Field(default_factory=list)
    promises: list[Promise] = Field(default_factory=list)
    escalations: list[Escalation] = Field(default_factory=list)

    def resolved_by_then(self, as_of: datetime) -> bool:
        """Whether the case had been resolved at `as_of` (later resolutions do not count)."""
        return self.resolved_at is not None and self.resolved_at <= as_of

    def latest_event(self) -> datetime:
        """The time of the last thing recorded on the case: a resolution may not precede it."""
        times = [self.opened_at]
        times += [c.at for c in self.contacts] + [s.at for s in self.steps]
        for p in self.promises:
            times.append(p.at)
            if p.kept_at is not None:
                times.append(p.kept_at)
        return max(times)


class CaseStats(_Record):
    """The measures a service manager reads, over cases opened by `as_of`.

    Shares are fractions in [0, 1]; a measure with nothing to measure (no resolved case, no
    promise due yet) is None rather than a misleading 0.
    """

    as_of: datetime
    cases: int
    open_cases: int
    resolved_cases: int
    median_turnaround_days: float | None
    """Median days from opening to resolution, over resolved cases."""
    repeat_contact_share: float | None
    """Share of cases whose customer got in touch twice or more."""
    average_contacts: float | None
    """Average contacts per case."""
    first_contact_resolution: float | None
    """Share of resolved cases resolved with exactly one contact."""
    promises_due: int
    """Promises whose due time is at or before `as_of`."""
    promises_kept_on_time: int
    promise_kept_on_time_share: float | None
    """Share of due promises kept at or before their due time."""

    def lines(self) -> list[str]:
        """The measures as short plain lines, for a report or a terminal."""

        def pct(x: float | None) -> str:
            return "n/a" if x is None else f"{x:.0%}"

        def num(x: float | None, unit: str) -> str:
            return "n/a" if x is None else f"{x:.1f}{unit}"

        return [
            f"cases: {self.cases} ({self.open_cases} open, {self.resolved_cases} resolved)",
            f"turnaround (median, open to resolved): {num(self.median_turnaround_days, ' days')}",
            f"repeat contacts: {pct(self.repeat_contact_share)} of cases contacted us twice or"
            f" more; {num(self.average_contacts, '')} contacts per case",
            f"first-contact resolution: {pct(self.first_contact_resolution)} of resolved cases",
            f"promises kept on time: {self.promises_kept_on_time} of {self.promises_due}"
            f" ({pct(self.promise_kept_on_time_share)})",
        ]


for _cls in (Contact, Step, Promise, Escalation, Case, CaseStats):
    _cls.__module__ = _PUBLIC_MODULE  # documented home; `_models` is an internal detail


def moment(value: object, what: str, *, end_of_day: bool = False) -> datetime:
    """A caller's date or datetime as the naive-UTC datetime the database stores.

    A `date` is the start of that day for an event, and its end for an `as_of` (`end_of_day`),
    so "as of 7 March" includes everything that happened on 7 March.
    """
    if isinstance(value, datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            return value.astimezone(UTC).replace(tzinfo=None)
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime.combine(value, time.max if end_of_day else time.min)
    raise InputError(
        f"`{what}` must be a date or a datetime, not {type(value).__name__}",
        code="invalid-facts",
        hint="pass e.g. `datetime(2026, 3, 1, 9, 30)` or `date(2026, 3, 1)`",
    )


def _days(delta: timedelta) -> float:
    return delta.total_seconds() / 86_400


def case_facts(case: Case, as_of: datetime) -> CaseFacts:
    """What a decision or an escalation rule sees of `case` at `as_of` (as `case.*`).

    Everything after `as_of` is ignored, so facts for a past moment are replayable exactly.
    """
    contacts = [c for c in case.contacts if c.at <= as_of]
    promises = [p for p in case.promises if p.at <= as_of]
    end = case.resolved_at if case.resolved_by_then(as_of) and case.resolved_at else as_of
    last_contact = max((c.at for c in contacts), default=case.opened_at)
    return CaseFacts(
        id=case.id,
        contacts_total=len(contacts),
        contacts_14d=sum(1 for c in contacts if c.at > as_of - timedelta(days=14)),
        days_open=max(0, (end - case.opened_at).days),
        steps=sum(1 for s in case.steps if s.at <= as_of),
        open_promises=sum(1 for p in promises if p.is_open(as_of)),
        overdue_promises=sum(1 for p in promises if p.is_overdue(as_of)),
        resolved=case.resolved_by_then(as_of),
        promises_kept=sum(1 for p in promises if p.kept_at is not None and p.kept_at <= as_of),
        days_since_last_contact=max(0, (as_of - last_contact).days),
    )


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def case_stats(cases: list[Case], as_of: datetime) -> CaseStats:
    """The manager's measures over every case opened by `as_of`, as things stood then."""
    seen = [c for c in cases if c.opened_at <= as_of]
    resolved = [c for c in seen if c.resolved_by_then(as_of)]
    contacts = {c.id: sum(1 for x in c.contacts if x.at <= as_of) for c in seen}
    turnaround = [_days(c.resolved_at - c.opened_at) for c in resolved if c.resolved_at]
    promises = [p for c in seen for p in c.promises if p.at <= as_of and p.due <= as_of]
    on_time = sum(1 for p in promises if p.kept_at is not None and p.kept_at <= p.due)
    return CaseStats(
        as_of=as_of,
        cases=len(seen),
        open_cases=len(seen) - len(resolved),
        resolved_cases=len(resolved),
        median_turnaround_days=statistics.median(turnaround) if turnaround else None,
        repeat_contact_share=_share(sum(1 for n in contacts.values() if n >= 2), len(seen)),
        average_contacts=sum(contacts.values()) / len(seen) if seen else None,
        first_contact_resolution=_share(
            sum(1 for c in resolved if contacts[c.id] == 1), len(resolved)
        ),
        promises_due=len(promises),
        promises_kept_on_time=on_time,
        promise_kept_on_time_share=_share(on_time, len(promises)),
    )
