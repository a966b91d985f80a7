"""What `decide` returns: the outcome now, the explanation on demand.

A `Decision` is a light object: the outcome, rule, remedy and authority are
set when it is made; the rationale, trace, alternatives, levers and amount are
rendered the first time they are read, from what the evaluation recorded.  So a
batch of a million decisions costs what the matching costs, and the one decision
a person looks at still explains itself in full.  Its JSON form is a pydantic
model (`DecisionRecord`), built on demand by `model_dump` / `model_dump_json`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from ._explain import Evaluation

__all__ = [
    "Alternative",
    "ConditionTrace",
    "Decision",
    "DecisionRecord",
    "Lever",
    "Outcome",
    "Rationale",
    "Requirement",
    "RuleTrace",
]

Outcome = Literal["approve", "deny", "refer"]
JsonValue = str | bool | int | list[Any] | None  # money and dates as exact text


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class Rationale(_Out):
    """Why, in two voices: `staff` cites facts and rules; `customer` is plain and polite."""

    staff: str
    customer: str


class ConditionTrace(_Out):
    source: str
    passed: bool | None  # None: unknown, because a value it reads is missing
    values: dict[str, JsonValue]
    text: str


class RuleTrace(_Out):
    rule_id: str
    kind: Literal["guard", "standard", "flex", "default", "lever"]
    matched: bool
    conditions: list[ConditionTrace]
    note: str | None = None


class Requirement(_Out):
    """One condition an alternative still needs, in plain words."""

    condition: str
    text: str  # what must hold, for staff
    now: str  # what holds now, for staff
    customer_text: str | None  # what must hold, for the customer; None when internal
    customer_can_change: bool
    change: dict[str, JsonValue] | None  # situation fields that would satisfy it


class Alternative(_Out):
    """A better outcome within reach, and what stands between it and this request."""

    rule_id: str
    outcome: Outcome
    remedy: str | None
    required_role: str | None
    exception: bool
    unmet: list[Requirement]
    customer_can_act: bool
    changes: dict[str, JsonValue] | None  # all changes together; checked to flip the outcome


class Lever(_Out):
    """A discretionary gesture this actor may offer, up to `cap`."""

    id: str
    kind: str | None
    title: str | None
    cap: Decimal
    text: str
    customer_text: str | None = None
    higher_role: str | None = None
    higher_cap: Decimal | None = None


class DecisionRecord(_Out):
    """The full, serialisable form of a `Decision` (for audit logs and APIs)."""

    outcome: Outcome
    exception: bool
    remedy: str | None
    amount: Decimal | None
    required_role: str | None
    rule_id: str
    bends: list[str]
    rationale: Rationale
    trace: list[RuleTrace]
    alternatives: list[Alternative]
    levers: list[Lever]
    policy_id: str
    policy_version: str
    policy_digest: str
    request_id: str
    as_of: date


class Decision:
    """One decision. Cheap fields are attributes; explanations render on first access."""

    __slots__ = (
        "_alternatives",
        "_amount",
        "_evaluation",
        "_levers",
        "_rationale",
        "_trace",
        "bends",
        "exception",
        "outcome",
        "policy_digest",
        "policy_id",
        "policy_version",
        "remedy",
        "required_role",
        "rule_id",
    )

    outcome: Outcome
    exception: bool
    remedy: str | None
    required_role: str | None
    rule_id: str
    bends: tuple[str, ...]
    policy_id: str
    policy_version: str
    policy_digest: str

    def __init__(
        self,
        evaluation: Evaluation,
        *,
        outcome: Outcome,
        exception: bool,
        remedy: str | None,
        required_role: str | None,
        rule_id: str,
        bends: tuple[str, ...],
        policy_id: str,
        policy_version: str,
        policy_digest: str,
    ) -> None:
        self._evaluation = evaluation
        self.outcome = outcome
        self.exception = exception
        self.remedy = remedy
        self.required_role = required_role
        self.rule_id = rule_id
        self.bends = bends
        self.policy_id = policy_id
        self.policy_version = policy_version
        self.policy_digest = policy_digest
        self._amount: Any = _PENDING
        self._rationale: Rationale | None = None
        self._trace: list[RuleTrace] | None = None
        self._alternatives: list[Alternative] | None = None
        self._levers: list[Lever] | None = None

    @property
    def amount(self) -> Decimal | None:
        """The amount the approval stands for (refund, credit, adjustment), if any."""
        if self._amount is _PENDING:
            self._amount = self._evaluation.amount()
        result: Decimal | None = self._amount
        return result

    @property
    def rationale(self) -> Rationale:
        if self._rationale is None:
            self._rationale = self._evaluation.rationale(self)
        return self._rationale

    @property
    def trace(self) -> list[RuleTrace]:
        if self._trace is None:
            self._trace = self._evaluation.trace()
        return self._trace

    @property
    def alternatives(self) -> list[Alternative]:
        if self._alternatives is None:
            self._alternatives = self._evaluation.alternatives(self)
        return self._alternatives

    @property
    def levers(self) -> list[Lever]:
        if self._levers is None:
            self._levers = self._evaluation.levers()
        return self._levers

    @property
    def request_id(self) -> str:
        return self._evaluation.ctx.request.id

    @property
    def as_of(self) -> date:
        return self._evaluation.ctx.as_of

    def key(self) -> tuple[Any, ...]:
        """The decision itself, without its explanation: equal keys, equal decisions."""
        return (
            self.outcome,
            self.exception,
            self.remedy,
            self.amount,
            self.required_role,
            self.rule_id,
            self.bends,
        )

    def to_record(self) -> DecisionRecord:
        return DecisionRecord(
            outcome=self.outcome,
            exception=self.exception,
            remedy=self.remedy,
            amount=self.amount,
            required_role=self.required_role,
            rule_id=self.rule_id,
            bends=list(self.bends),
            rationale=self.rationale,
            trace=self.trace,
            alternatives=self.alternatives,
            levers=self.levers,
            policy_id=self.policy_id,
            policy_version=self.policy_version,
            policy_digest=self.policy_digest,
            request_id=self.request_id,
            as_of=self.as_of,
        )

    def model_dump(
        self, *, mode: Literal["json", "python"] = "python", **kwargs: Any
    ) -> dict[str, Any]:
        """As `pydantic.BaseModel.model_dump`: `mode="json"` gives JSON-ready values."""
        return self.to_record().model_dump(mode=mode, **kwargs)

    def model_dump_json(self, **kwargs: Any) -> str:
        return self.to_record().model_dump_json(**kwargs)

    def __repr__(self) -> str:
        extra = f", required_role={self.required_role!r}" if self.required_role else ""
        exc = ", exception=True" if self.exception else ""
        return (
            f"Decision(outcome={self.outcome!r}, rule_id={self.rule_id!r}, "
            f"remedy={self.remedy!r}{exc}{extra})"
        )


class _Pending:
    __slots__ = ()


_PENDING: Any = _Pending()
