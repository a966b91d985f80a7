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
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from ._engine.semantics import Verdict
    from .models import Situation

__all__ = [
    "Alternative",
    "ConditionTrace",
    "Decision",
    "DecisionRecord",
    "Lever",
    "Outcome",
    "PromiseTerm",
    "Rationale",
    "Requirement",
    "RuleTrace",
]

Outcome = Literal["approve", "deny", "refer"]
# (request, customer, transaction, actor, as_of, case): a situation's records, as given
Facts = tuple[Any, Any, Any, Any, date | None, Any]
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


class PromiseTerm(_Out):
    """What the store promised with an approval, and the date it is due (from `as_of`)."""

    what: str
    due: date


class DecisionRecord(_Out):
    """The full, serialisable form of a `Decision` (for audit logs and APIs)."""

    outcome: Outcome
    exception: bool
    remedy: str | None
    amount: Decimal | None
    required_role: str | None
    rule_id: str
    bends: list[str]
    fee: Decimal | None = None
    remedies: list[str] = []
    promises: list[PromiseTerm] = []
    missing: list[str] = []
    rationale: Rationale
    trace: list[RuleTrace]
    alternatives: list[Alternative]
    levers: list[Lever]
    policy_id: str
    policy_version: str
    policy_digest: str
    request_id: str
    as_of: date


class _Explanation(Protocol):
    """What a decision explains itself from (made on the first explanation read)."""

    def rationale(self, decision: Decision) -> Rationale: ...
    def trace(self) -> list[RuleTrace]: ...
    def alternatives(self, decision: Decision) -> list[Alternative]: ...
    def levers(self) -> list[Lever]: ...
    def missing(self) -> tuple[str, ...]: ...


class _Source(Protocol):
    """What a decision needs of the compiled policy that made it.

    Declared here, below the explanation and the policy, so that a decision
    names neither: whatever compiled the policy meets this protocol
    (`_engine.backend.CompiledPolicy`), and its `explain` is the one door to the
    explanation layer.
    """

    @property
    def id(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def digest(self) -> str: ...
    def explain(self, verdict: Verdict, facts: Facts | Situation) -> _Explanation: ...
    def amount(self, verdict: Verdict, facts: Facts | Situation) -> Decimal | None: ...
    def fee(self, verdict: Verdict, facts: Facts | Situation) -> Decimal | None: ...
    def promises(
        self, verdict: Verdict, facts: Facts | Situation
    ) -> tuple[tuple[str, date], ...]: ...
    def largest_lever_cap(self, verdict: Verdict, facts: Facts | Situation) -> Decimal | None: ...


class Decision:
    """One decision.  Cheap fields are read off a shared verdict; explanations render on first use.

    A decision is three references (the policy's verdict, the facts - the
    `Situation` itself, or the records `decide` was given - and the policy)
    and the three fields read most; everything else is derived on demand, so a
    batch costs what matching costs and the decision a person reads still
    explains itself in full.
    """

    __slots__ = (
        "_explained",
        "_facts",
        "_policy",
        "_verdict",
        "exception",
        "outcome",
        "rule_id",
    )

    outcome: Outcome
    exception: bool
    rule_id: str

    def __init__(self, verdict: Verdict, facts: Facts | Situation, policy: _Source) -> None:
        self._verdict = verdict
        self._facts = facts
        self._policy = policy
        self._explained: _Explained | None = None
        self.outcome = verdict.outcome
        self.exception = verdict.exception
        self.rule_id = verdict.rule.id

    # -- the decision itself: shared by every decision with the same verdict ------
    @property
    def remedy(self) -> str | None:
        return self._verdict.remedy

    @property
    def remedies(self) -> tuple[str, ...]:
        """Every remedy offered, the customer's choice; `remedy` is the first (the default)."""
        return self._verdict.remedies

    @property
    def required_role(self) -> str | None:
        return self._verdict.required_role

    @property
    def bends(self) -> tuple[str, ...]:
        return self._verdict.bends

    @property
    def policy_id(self) -> str:
        return self._policy.id

    @property
    def policy_version(self) -> str:
        return self._policy.version

    @property
    def policy_digest(self) -> str:
        return self._policy.digest

    def _records(self) -> Facts:
        facts = self._facts
        if type(facts) is tuple:
            return facts
        s: Situation = facts  # type: ignore[assignment]  # the other form a decision keeps
        return (s.request, s.customer, s.transaction, s.actor, s.as_of, s.case)

    @property
    def request_id(self) -> str:
        request_id: str = self._records()[0].id
        return request_id

    @property
    def as_of(self) -> date:
        records = self._records()
        as_of: date | None = records[4]
        return records[0].requested_at if as_of is None else as_of

    # -- explanations: rendered on first access ----------------------------------
    def _explain(self) -> _Explained:
        if self._explained is None:
            self._explained = _Explained(self._policy.explain(self._verdict, self._facts))
        return self._explained

    @property
    def amount(self) -> Decimal | None:
        """The amount the approval stands for (refund, credit, adjustment), if any."""
        return self._policy.amount(self._verdict, self._facts)

    @property
    def fee(self) -> Decimal | None:
        """The fee the decision charges or leaves in place (`fee:` of its rule), if any."""
        return self._policy.fee(self._verdict, self._facts)

    @property
    def promises(self) -> tuple[PromiseTerm, ...]:
        """What an approval promises, each due a number of (business) days after `as_of`."""
        return tuple(
            PromiseTerm(what=what, due=due)
            for what, due in self._policy.promises(self._verdict, self._facts)
        )

    @property
    def missing(self) -> tuple[str, ...]:
        """The paths of missing facts that left a condition unknown on the way to this
        decision (`request.packaging_intact`): what the till could ask for.  Worked out
        on first read, like the explanation."""
        explained = self._explain()
        if explained.missing is None:
            explained.missing = explained.evaluation.missing()
        return explained.missing

    @property
    def rationale(self) -> Rationale:
        explained = self._explain()
        if explained.rationale is None:
            explained.rationale = explained.evaluation.rationale(self)
        return explained.rationale

    @property
    def trace(self) -> list[RuleTrace]:
        explained = self._explain()
        if explained.trace is None:
            explained.trace = explained.evaluation.trace()
        return explained.trace

    @property
    def alternatives(self) -> list[Alternative]:
        explained = self._explain()
        if explained.alternatives is None:
            explained.alternatives = explained.evaluation.alternatives(self)
        return explained.alternatives

    @property
    def levers(self) -> list[Lever]:
        explained = self._explain()
        if explained.levers is None:
            explained.levers = explained.evaluation.levers()
        return explained.levers

    def largest_lever_cap(self) -> Decimal | None:
        """The largest cap among `levers`, without rendering their texts (for replays)."""
        return self._policy.largest_lever_cap(self._verdict, self._facts)

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
            self.fee,
            self.remedies,
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
            fee=self.fee,
            remedies=list(self.remedies),
            promises=list(self.promises),
            missing=list(self.missing),
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


class _Explained:
    """What a decision rendered so far: made on the first explanation asked for."""

    __slots__ = ("alternatives", "evaluation", "levers", "missing", "rationale", "trace")

    def __init__(self, evaluation: _Explanation) -> None:
        self.evaluation = evaluation
        self.rationale: Rationale | None = None
        self.trace: list[RuleTrace] | None = None
        self.alternatives: list[Alternative] | None = None
        self.levers: list[Lever] | None = None
        self.missing: tuple[str, ...] | None = None
