"""Reading a decision log and verifying it: every record decided again, the chain followed.

`read_log` streams a log's lines as records or problems; `verify_log` replays each
record with the policy of its digest (`log`'s docstring tells why records are
replayable) and follows the hash chain (`chain`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from .._facts.jsonvalue import JsonValue, to_json_value
from ..errors import FlexPolicyError, Problem
from ..policy import Policy, PolicySet
from .chain import ChainCheck, link_of
from .masking import stored_sha256, stored_situation
from .record import AuditError, AuditRecord, logged_promises

# Fields `verify_log` re-derives, in the order differences are reported.
COMPARED: tuple[str, ...] = (
    "outcome",
    "rule_id",
    "remedy",
    "amount",
    "required_role",
    "exception",
    "bends",
    "fee",
    "remedies",
    "promises",
)
# What release 2 added to a record (DESIGN 2.3): a log written before them has none of
# them, so a record is compared on these only where its line holds them.
RELEASE_TWO: frozenset[str] = frozenset({"fee", "remedies", "promises"})


@dataclass(frozen=True, slots=True)
class LogProblem:
    """A line that is not a record, or a record that cannot be replayed.

    Its fields are what a report of the log holds (and what `audit verify
    --format json` prints); `problem` is the same as the one diagnostic type.
    """

    line: int
    code: str
    message: str
    level: Literal["error", "warning"] = "error"
    decision_id: str | None = None

    def problem(self, log: str) -> Problem:
        """This problem at its line of the log file `log` (column 1: the whole line)."""
        which = f"decision `{self.decision_id}`: " if self.decision_id else ""
        return Problem(self.code, which + self.message, log, self.line, 1, level=self.level)


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One line of a log: its record, or why it is not one."""

    line: int
    record: AuditRecord | None
    problem: LogProblem | None


@dataclass(frozen=True, slots=True)
class Difference:
    """A field a record logged that the policy no longer derives."""

    line: int
    decision_id: str
    field: str
    logged: JsonValue
    now: JsonValue


@dataclass(slots=True)
class AuditReport:
    """What `verify_log` found: `ok` when every record re-derives exactly and the chain holds.

    `head_seq` and `head_sha256` are the last chained record's `seq` and line hash
    (None for a log without one): keep them elsewhere to detect removed last records.
    """

    records: int = 0
    verified: int = 0
    differences: list[Difference] = field(default_factory=list)
    problems: list[LogProblem] = field(default_factory=list)
    head_seq: int | None = None
    head_sha256: str | None = None

    @property
    def ok(self) -> bool:
        return not self.differences and not any(p.level == "error" for p in self.problems)


def read_log(path: str | Path) -> Iterator[LogEntry]:
    """Every line of a decision log, in order, streaming.

    A line that is not complete JSON is a write cut short by a crash (a
    `torn-line` warning: its `record` call never returned); a record without
    `seq` and `prev_sha256` is a `chain-missing` error, any other complete JSON
    line that is not a record a `bad-record` error.  None stops the reading.
    """
    return (entry for entry, _ in _scan(path))


def _scan(path: str | Path) -> Iterator[tuple[LogEntry, bytes]]:
    """Every entry of a log with its line as read (the chain hashes the bytes)."""
    try:
        handle = Path(path).open("rb")  # noqa: SIM115 - closed by the `with` below, once open
    except OSError as exc:
        raise AuditError(
            f"cannot read decision log `{path}`: {exc.strerror or exc}", code="unreadable"
        ) from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = AuditRecord.model_validate_json(raw)
            except ValidationError as exc:
                yield LogEntry(number, None, _not_a_record(number, raw, exc)), raw
            else:
                yield LogEntry(number, record, None), raw


def _not_a_record(number: int, raw: bytes, exc: ValidationError) -> LogProblem:
    errors = exc.errors(include_url=False)
    first = errors[0]
    if first["type"] == "json_invalid":
        where = "the last line" if not raw.endswith(b"\n") else "a line"
        why = f"{where} is not complete JSON: a write cut short by a crash"
        return LogProblem(number, "torn-line", why, "warning")
    if all(e["type"] == "missing" and e["loc"] in {("seq",), ("prev_sha256",)} for e in errors):
        why = "the record has no `seq` or `prev_sha256`: it is outside the hash chain"
        return LogProblem(number, "chain-missing", why)
    loc = ".".join(str(p) for p in first["loc"]) or "line"
    return LogProblem(number, "bad-record", f"not an audit record: `{loc}` {first['msg'].lower()}")


def _policies(policies: Policy | PolicySet | Iterable[Policy]) -> dict[str, Policy]:
    if isinstance(policies, Policy):
        policies = [policies]
    return {p.digest: p for p in policies}


def verify_log(path: str | Path, policies: Policy | PolicySet | Iterable[Policy]) -> AuditReport:
    """Decide every record's situation again with the policy of its digest, and compare.

    A record whose digest is not among `policies` is an `unknown-digest` error,
    never skipped in silence.  Each field that differs is a `Difference`.  The
    hash chain is followed too: a record whose `prev_sha256` is not the hash of
    the record before is a `chain-broken` error, a wrong `seq` with a matching
    hash a `seq-gap` error.
    """
    by_digest = _policies(policies)
    report = AuditReport()
    chain = ChainCheck()
    for entry, raw in _scan(path):
        if entry.problem is not None:
            report.problems.append(entry.problem)
        rec = entry.record
        link = (rec.seq, rec.prev_sha256) if rec is not None else link_of(raw)
        broke = None if link is None else chain.add(entry.line, raw, *link)
        if broke is not None:
            report.problems.append(LogProblem(entry.line, broke.code, broke.message))
        if rec is None:
            continue
        report.records += 1
        found = _replay(entry.line, rec, by_digest, report)
        if found:
            report.differences.extend(found)
        elif found is not None:
            report.verified += 1
    if chain.head is not None:
        report.head_seq, report.head_sha256 = chain.head
    return report


def _replay(
    line: int, rec: AuditRecord, by_digest: Mapping[str, Policy], report: AuditReport
) -> list[Difference] | None:
    """The differences of one record, or None when it could not be replayed at all."""
    policy = by_digest.get(rec.policy_digest)
    if policy is None:
        report.problems.append(
            LogProblem(
                line,
                "unknown-digest",
                f"policy `{rec.policy_id}` version `{rec.policy_version}` "
                f"(`{rec.policy_digest}`) is not among the given policies",
                decision_id=rec.decision_id,
            )
        )
        return None
    try:
        situation = rec.decided_situation()
        decision = policy.decide_situation(situation)
    except (FlexPolicyError, ValidationError, ArithmeticError, ValueError) as exc:
        text = str(exc).splitlines()[0].lower()
        report.problems.append(
            LogProblem(
                line, "unreplayable", f"cannot decide again: {text}", decision_id=rec.decision_id
            )
        )
        return None
    amount = decision.amount
    now: dict[str, Any] = {
        "policy_id": policy.id,
        "policy_version": policy.version,
        "request_id": situation.request.id,
        "actor": None if situation.actor is None else situation.actor.model_dump(),
        "outcome": decision.outcome,
        "rule_id": decision.rule_id,
        "remedy": decision.remedy,
        "amount": None if amount is None else str(amount),
        "required_role": decision.required_role,
        "exception": decision.exception,
        "bends": list(decision.bends),
        "fee": None if decision.fee is None else str(decision.fee),
        "remedies": list(decision.remedies),
        "promises": [p.model_dump() for p in logged_promises(decision)],
        "situation_sha256": stored_sha256(stored_situation(situation, rec.masked)),
    }
    # A field release 2 added is compared only where the line holds it (even as `null`):
    # an older log's records replay without a difference for what they never logged.
    for name in RELEASE_TWO - rec.model_fields_set:
        del now[name]
    logged = rec.model_dump(include=set(now))
    return [
        Difference(line, rec.decision_id, name, _plain(logged[name]), _plain(value))
        for name, value in now.items()
        if logged[name] != value
    ]


def _plain(value: Any) -> JsonValue:
    """A compared value as JSON: a list's mappings (promises) stay mappings."""
    if isinstance(value, list):
        return [
            {k: to_json_value(v) for k, v in item.items()}
            if isinstance(item, Mapping)
            else to_json_value(item)
            for item in value
        ]
    return to_json_value(value)
