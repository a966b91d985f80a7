"""One record of the decision log, and the error the log raises.

What a record holds and why (replayable, masked, hashed after masking, chained)
is told in `log`'s docstring.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..decision import Decision, Outcome
from ..errors import FlexPolicyError
from ..models import Actor, Situation
from .kinds import decode as _decode


class AuditError(FlexPolicyError):
    """The decision log cannot be opened, written or read as asked."""

    def __init__(self, message: str, *, code: str = "audit-error", hint: str | None = None):
        self.message = message
        self.code = code
        self.hint = hint
        super().__init__(message if hint is None else f"{message}\n    hint: {hint}")


class LoggedPromise(BaseModel):
    """A promise as a record keeps it: what, and the due date as ISO text."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    what: str
    due: str


def logged_promises(decision: Decision) -> list[LoggedPromise]:
    """The promises of `decision` as a record keeps them."""
    return [LoggedPromise(what=p.what, due=p.due.isoformat()) for p in decision.promises]


class AuditRecord(BaseModel):
    """One line of the decision log.  `amount` and `fee` are exact text (`"59.99"`), as in
    the situation.

    `seq` (from 1) and `prev_sha256` (the previous line's hash) chain a file's records.
    `fee`, `remedies` and `promises` are absent (None) from lines written before
    release 2; `verify_log` compares them only where a line holds them.
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
    # Absent from records written before release 2: None then, and not compared.
    fee: str | None = None
    remedies: list[str] | None = None
    promises: list[LoggedPromise] | None = None
    masked: list[str]
    situation_sha256: str
    situation: dict[str, Any]

    def decided_situation(self) -> Situation:
        """The stored situation as a `Situation` (masked fields hold the marker)."""
        return Situation.model_validate(_decode(self.situation))
