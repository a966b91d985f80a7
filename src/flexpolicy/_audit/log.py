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

import threading
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from ..decision import Decision
from ..models import Situation
from .chain import GENESIS, ChainedFile
from .masking import DEFAULT_MASK, check_mask, stored_sha256, stored_situation
from .record import AuditError, AuditRecord, logged_promises


def _utc_now() -> datetime:
    return datetime.now(UTC)


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
            fee=None if decision.fee is None else str(decision.fee),
            remedies=list(decision.remedies),
            promises=logged_promises(decision),
            masked=list(self.mask),
            situation_sha256=stored_sha256(stored),
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
