"""The checked intermediate form of a policy, shared by every back end.

A `PolicyIR` is what the YAML *means*: rules split by kind in file order, each
condition parsed and type-checked, params folded, templates parsed, roles
turned into ranks.  Back ends compile it; the explainer reads it.  It is
immutable, so one IR can serve any number of threads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from ._lang import checked as c
from ._lang.values import Calendar

RuleKind = Literal["guard", "standard", "flex", "default"]
Outcome = Literal["approve", "deny", "refer"]

BUILTIN_REMEDIES: tuple[str, ...] = (
    "refund",
    "store_credit",
    "exchange",
    "replacement",
    "repair",
    "price_adjustment",
    "fee_waiver",
    "gift_card",
    "complimentary_item",
    "callback",
)


@dataclass(frozen=True, slots=True)
class Location:
    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Condition:
    """One entry of a rule's `when`: its source text and its checked tree."""

    source: str
    expr: c.Expr
    location: Location


@dataclass(frozen=True, slots=True)
class Placeholder:
    source: str
    expr: c.Expr


@dataclass(frozen=True, slots=True)
class Template:
    """Literal text and `{placeholders}`, alternating; parts[i] is str or Placeholder."""

    source: str
    parts: tuple[str | Placeholder, ...]
    location: Location | None = None  # where the text starts in the policy file


@dataclass(frozen=True, slots=True)
class Explain:
    staff: Template | None = None
    customer: Template | None = None


@dataclass(frozen=True, slots=True)
class Promise:
    """`promise:` on an approval: what the store undertakes, due a number of days after `as_of`."""

    what: str
    days: int
    business: bool  # `within_business_days`: weekends (and the calendar's holidays) skipped


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    kind: RuleKind
    position: int  # index among the rules of its kind, in file order
    conditions: tuple[Condition, ...]
    outcome: Outcome
    remedy: str | None
    authority: str | None  # None: anyone on the ladder may grant it
    authority_rank: int
    bends: tuple[str, ...]
    amount: c.Expr | None
    explain: Explain
    location: Location
    title: str | None = None
    allow: tuple[str, ...] = ()  # finding codes the author accepts for this rule
    # DESIGN 2.3: every remedy offered (the customer's choice; `remedy` is the first),
    # the fee left in place or charged, what the store promises, and how a guard
    # treats an unknown condition (`apply`: it fails closed).
    remedies: tuple[str, ...] = ()
    fee: c.Expr | None = None
    promises: tuple[Promise, ...] = ()
    unknown: Literal["apply", "skip"] = "apply"

    @property
    def fails_closed(self) -> bool:
        """A guard that applies when its condition cannot be ruled out (DESIGN 2.3)."""
        return self.kind == "guard" and self.unknown == "apply"


@dataclass(frozen=True, slots=True)
class Lever:
    id: str
    kind: str | None
    conditions: tuple[Condition, ...]
    caps: tuple[tuple[int, str, Decimal], ...]  # (rank, role, cap), lowest rank first
    explain: Explain
    location: Location
    title: str | None = None
    allow: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Fact:
    name: str
    source: str
    expr: c.Expr
    location: Location


@dataclass(frozen=True, slots=True)
class Attribute:
    """One `attributes:` declaration: `customer.cure_date: date` (DESIGN 2.2).

    `key` is `record.name` as declared (`item.carat` is read as `item.attributes.carat`);
    `type` one of `_facts.typed.ATTRIBUTE_TYPES`; `public` whether customer text may show it.
    """

    key: str
    type: str
    public: bool
    location: Location


@dataclass(frozen=True, slots=True)
class PolicyIR:
    id: str
    version: str
    title: str | None
    description: str | None
    file: str
    digest: str
    applies_to: tuple[str, ...]
    roles: tuple[str, ...]
    remedies: tuple[str, ...]
    params: dict[str, Any]
    facts: dict[str, Fact]
    guards: tuple[Rule, ...]
    standard: tuple[Rule, ...]
    flex: tuple[Rule, ...]
    default: Rule
    levers: tuple[Lever, ...]
    rank: dict[str, int] = field(default_factory=dict)
    param_locations: dict[str, Location] = field(default_factory=dict)
    # `attributes:`, by key; None when the policy has no such block (then undeclared
    # attributes are read leniently, as any value: the first release's behaviour).
    attributes: dict[str, Attribute] | None = None
    # `calendar:`: the holidays and weekend days that business days skip, for
    # `business_days_between` and for promises `within_business_days`.
    calendar: Calendar = field(default_factory=Calendar)

    @property
    def attribute_types(self) -> dict[str, str]:
        """`record.name` -> declared type, for the decision-time check (`_facts.typed`)."""
        return {} if self.attributes is None else {k: a.type for k, a in self.attributes.items()}

    @property
    def attribute_public(self) -> dict[str, bool] | None:
        """`record.name` -> whether customer text may show it; None without `attributes:`."""
        if self.attributes is None:
            return None
        return {k: a.public for k, a in self.attributes.items()}

    def rule(self, rule_id: str) -> Rule:
        for rule in (*self.guards, *self.standard, *self.flex, self.default):
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    @property
    def rules(self) -> tuple[Rule, ...]:
        return (*self.guards, *self.standard, *self.flex)
