"""The decision log: one JSON line per decision, durable, masked, and replayable.

Why it looks the way it does:

- *Replayable.*  Decisions are pure functions of the situation and the policy, so
  a record keeps the situation (as exact JSON: money and dates as text) and the
  policy's digest; `verify_log` decides it again and compares.  A record's own
  fields (outcome, rule, amount...) are what a person reads; the situation is
  what proves them.
- *Masked.*  Customer names and e-mails are for people, never for decisions
  (`_lang.catalog.HIDDEN` keeps them out of the expression language), so they
  can be blanked without changing any replay.  A field a policy can read cannot
  be masked: `AuditLog` refuses it, because its records could not be replayed.
- *Hashed after masking.*  `situation_sha256` is the SHA-256 of the canonical
  JSON of the situation *as stored* (masked).  A hash of the unmasked facts would
  undo the mask: every other field is in the record, so anyone could confirm a
  guessed name or e-mail against it.  Whoever holds the original facts gets the
  same hash from `situation_sha256(situation)` (the same mask applied first).
- *Durable.*  Each record is one `write` to a file opened with `O_APPEND`, then
  `fsync` (unless `sync=False`): a record whose `record` call returned survives
  a crash of the process or the machine.  A crash mid-write leaves at most one
  torn line, which readers report and skip; reopening the log ends that line.
- *Chained.*  Each record carries `seq` and the SHA-256 of the previous record's
  line, so a line removed, moved or edited shows (`_audit.chain` keeps the file).
"""

from __future__ import annotations

import hashlib
import json
import threading
import typing
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .._facts.jsonvalue import JsonValue, to_json_value
from .._lang.catalog import HIDDEN
from ..decision import Decision, Outcome
from ..errors import FlexPolicyError, Problem
from ..models import Actor, Situation
from ..policy import Policy, PolicySet
from .chain import GENESIS, ChainCheck, ChainedFile, link_of
from .kinds import attribute_tagged as _attribute
from .kinds import decode as _decode
from .kinds import tagged as _tagged

MARKER = "***"
DEFAULT_MASK: tuple[str, ...] = ("customer.name", "customer.email")
# What a policy can never read: the catalog's hidden fields, and a situation's title.
MASKABLE: frozenset[str] = frozenset(
    {f"{record}.{name}" for record, names in HIDDEN.items() for name in names} | {"title"}
)
# Fields `verify_log` re-derives, in the order differences are reported.
COMPARED: tuple[str, ...] = (
    "outcome",
    "rule_id",
    "remedy",
    "amount",
    "required_role",
    "exception",
    "bends",
)


class AuditError(FlexPolicyError):
    """The decision log cannot be opened, written or read as asked."""

    def __init__(self, message: str, *, code: str = "audit-error", hint: str | None = None):
        self.message = message
        self.code = code
        self.hint = hint
        super().__init__(message if hint is None else f"{message}\n    hint: {hint}")


class AuditRecord(BaseModel):
    """One line of the decision log.  `amount` is exact text (`"59.99"`), as in the situation.

    `seq` (from 1) and `prev_sha256` (the previous line's hash) chain a file's records.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    v: Literal[1] = 1
    seq: Annotated[int, Field(strict=True, ge=1)]
    prev_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    decision_id: str
    at: datetime
    policy_id: str
    policy_version: str
    policy_digest: str
    request_id: str
    actor: Actor | None
    outcome: Outcome
    rule_id: str
    remedy: str | None
    amount: str | None
    required_role: str | None
    exception: bool
    bends: list[str]
    masked: list[str]
    situation_sha256: str
    situation: dict[str, Any]

    def decided_situation(self) -> Situation:
        """The stored situation as a `Situation` (masked fields hold the marker)."""
        return Situation.model_validate(_decode(self.situation))


# -- canonical, masked situations -------------------------------------------------
def check_mask(mask: Iterable[str]) -> tuple[str, ...]:
    """The mask, sorted, after refusing any field a policy can read (or that does not exist)."""
    paths = tuple(sorted(set(mask)))
    for path in paths:
        if path in MASKABLE:
            continue
        why = (
            "policies can read it, so masked records could not be replayed"
            if _exists(path)
            else "no such field"
        )
        raise AuditError(
            f"cannot mask `{path}`: {why}",
            code="unmaskable-field",
            hint="fields that can be masked: " + ", ".join(f"`{p}`" for p in sorted(MASKABLE)),
        )
    return paths


def _exists(path: str) -> bool:
    """Whether `path` names a field of a situation (`customer.attributes.x` included)."""
    root, _, rest = path.partition(".")
    info = Situation.model_fields.get(root)
    if info is None or not rest:
        return info is not None
    kinds = typing.get_args(info.annotation) or (info.annotation,)
    model = next((k for k in kinds if isinstance(k, type) and issubclass(k, BaseModel)), None)
    return model is not None and rest.partition(".")[0] in model.model_fields


def stored_situation(situation: Situation, mask: Iterable[str] = DEFAULT_MASK) -> dict[str, Any]:
    """The situation as a record stores it: exact JSON (money and dates as text), `mask` blanked.

    Built by pydantic's JSON serialiser (the fast path); the one set among the
    facts, `customer.flags`, is sorted, so the same facts give the same text in
    every process whatever the hash seed.
    """
    data: dict[str, Any] = situation.model_dump(mode="json")
    customer = data["customer"]
    customer["flags"] = sorted(situation.customer.flags)
    if situation.customer.attributes:
        customer["attributes"] = {
            k: _attribute(v) for k, v in situation.customer.attributes.items()
        }
    # The request's, the sale's and each line's attributes keep their kinds the same way.
    if situation.request.attributes:
        data["request"]["attributes"] = _tagged(situation.request.attributes)
    sale = situation.transaction
    if sale is not None:
        if sale.attributes:
            data["transaction"]["attributes"] = _tagged(sale.attributes)
        for line, item in zip(data["transaction"]["items"], sale.items, strict=True):
            if item.attributes:
                line["attributes"] = _tagged(item.attributes)
    for path in mask:
        root, _, name = path.partition(".")
        if not name:
            if data.get(root) is not None:
                data[root] = MARKER
            continue
        record = data.get(root)
        if isinstance(record, dict) and record.get(name) is not None:
            record[name] = MARKER
    return data


def _sha256(stored: Mapping[str, Any]) -> str:
    text = json.dumps(stored, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def situation_sha256(situation: Situation, mask: Iterable[str] = DEFAULT_MASK) -> str:
    """The hash a record of `situation` carries: SHA-256 of its canonical, masked JSON."""
    return _sha256(stored_situation(situation, check_mask(mask)))


def _utc_now() -> datetime:
    return datetime.now(UTC)


# -- writing ----------------------------------------------------------------------
class AuditLog:
    """An append-only JSON Lines decision log; one instance may be shared by all threads.

    `sync=True` (the default) `fsync`s every record before `record` returns, so a
    returned record survives a power loss.  `sync=False` is for batch jobs: each
    record is still one `write` (a killed process loses nothing written), but the
    operating system decides when it reaches the disk; call `sync()` at the end.
    `clock` gives record times (decisions never read the clock; the log may).
    Several processes may append to the same file: `flock` keeps the chain whole.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        mask: Iterable[str] = DEFAULT_MASK,
        sync: bool = True,
        clock: Callable[[], datetime] = _utc_now,
        mode: int = 0o600,
    ) -> None:
        self.path = Path(path)
        self.mask = check_mask(mask)
        self.sync_each = sync
        self._clock = clock
        self._lock = threading.Lock()
        try:  # ends a torn last line: the next record starts on its own
            self._file: ChainedFile | None = ChainedFile(self.path, mode=mode, sync=sync)
        except OSError as exc:
            raise AuditError(
                f"cannot open decision log `{path}`: {exc.strerror or exc}", code="unwritable"
            ) from None

    def record(
        self, decision: Decision, situation: Situation | None = None, *, at: datetime | None = None
    ) -> AuditRecord:
        """Append the record of `decision` (made on `situation`) and return it.

        Without `situation`, the facts the decision was made on are used (what
        `Policy.decide` was given).  Returns once the line is written (and
        `fsync`ed when `sync=True`), with its `seq` and `prev_sha256`.
        """
        if situation is None:
            request, customer, transaction, actor, as_of, case = decision._records()
            situation = Situation(
                request=request,
                customer=customer,
                transaction=transaction,
                actor=actor,
                as_of=as_of,
                case=case,
            )
        elif situation.request.id != decision.request_id:
            raise AuditError(
                f"the decision is about request `{decision.request_id}`, "
                f"the situation about `{situation.request.id}`",
                code="wrong-situation",
            )
        when = self._clock() if at is None else at
        if when.tzinfo is None:
            raise AuditError("record times must be timezone-aware", code="naive-time")
        stored = stored_situation(situation, self.mask)
        amount = decision.amount
        entry = AuditRecord.model_construct(
            v=1,
            seq=1,  # placeholders: the chain fields are known only under the file lock
            prev_sha256=GENESIS,
            decision_id=uuid.uuid4().hex,
            at=when.astimezone(UTC),
            policy_id=decision.policy_id,
            policy_version=decision.policy_version,
            policy_digest=decision.policy_digest,
            request_id=decision.request_id,
            actor=situation.actor,
            outcome=decision.outcome,
            rule_id=decision.rule_id,
            remedy=decision.remedy,
            amount=None if amount is None else str(amount),
            required_role=decision.required_role,
            exception=decision.exception,
            bends=list(decision.bends),
            masked=list(self.mask),
            situation_sha256=_sha256(stored),
            situation=stored,
        )
        body = entry.model_dump_json(exclude={"seq", "prev_sha256"}).encode("utf-8")
        with self._lock:
            if self._file is None:
                raise AuditError(f"decision log `{self.path}` is closed", code="closed")
            seq, prev = self._file.append(body, sync=self.sync_each)
        return entry.model_copy(update={"seq": seq, "prev_sha256": prev})

    def sync(self) -> None:
        """Force every record written so far to disk (for `sync=False` logs)."""
        with self._lock:
            if self._file is not None:
                self._file.sync()

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                file, self._file = self._file, None
                file.close()

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


# -- reading and verifying -----------------------------------------------------------
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
        "situation_sha256": _sha256(stored_situation(situation, rec.masked)),
    }
    logged = rec.model_dump(include=set(now))
    return [
        Difference(line, rec.decision_id, name, to_json_value(logged[name]), to_json_value(value))
        for name, value in now.items()
        if logged[name] != value
    ]
