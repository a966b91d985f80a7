"""The decision log: an append-only JSON Lines audit record of every decision.

    from flexpolicy.audit import AuditLog, verify_log

    with AuditLog("decisions.jsonl") as log:          # fsync per record
        decision = policy.decide_situation(situation)
        log.record(decision, situation)
    assert verify_log("decisions.jsonl", load_policies("rules")).ok

Each record holds the decision (outcome, rule, remedy, exact amount, role,
exception, bends), the policy's id, version and digest, the actor, and the
situation with customer names and e-mails masked, so `verify_log` (and
`flexpolicy audit verify`) can decide it again and prove the log.  Records are
hash-chained (`seq`, `prev_sha256`), so a line removed, moved or edited shows;
keep the report's `head_seq` and `head_sha256` elsewhere to catch the last
records removed.  See docs/audit.md.
"""

from __future__ import annotations

from ._audit.log import AuditLog
from ._audit.masking import DEFAULT_MASK, MARKER, MASKABLE, situation_sha256, stored_situation
from ._audit.record import AuditError, AuditRecord
from ._audit.verify import (
    COMPARED,
    AuditReport,
    Difference,
    LogEntry,
    LogProblem,
    read_log,
    verify_log,
)

__all__ = [
    "COMPARED",
    "DEFAULT_MASK",
    "MARKER",
    "MASKABLE",
    "AuditError",
    "AuditLog",
    "AuditRecord",
    "AuditReport",
    "Difference",
    "LogEntry",
    "LogProblem",
    "read_log",
    "situation_sha256",
    "stored_situation",
    "verify_log",
]
