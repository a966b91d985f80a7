"""The policy file format, as pydantic models (and so as a JSON Schema).

These models check the *shape* of a policy: which keys exist, which are
required, what is a list.  What the values *mean* (is `supervisor` on the
ladder, does `bends` name a rule, does the expression type-check) is checked
afterwards, by the policy builder, so that every problem gets a "did you mean"
hint and a location.  `when` and `facts` accept the condition forms of
DESIGN.md: one expression, a list (all of), `{all: [...]}`, `{any: [...]}`,
`{not: ...}`.

Every list and text has a bound (the "Limits" of docs/policy-language.md), so a
runaway value is a located `bad-value` here rather than a cost or a 500 kB message
later; numbers are bounded as YAML reads them (`_build.located`, `bad-number`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from ._diagnostics.codes import ALLOWABLE
from ._facts.numbers import MAX_DIGITS, in_range

__all__ = [
    "SCHEMA_DIALECT",
    "AttributeSpec",
    "CalendarSpec",
    "Condition",
    "DefaultSpec",
    "EscalationRuleSpec",
    "EscalationsSpec",
    "ExplainSpec",
    "LeverSpec",
    "PolicySpec",
    "PromiseSpec",
    "RuleSpec",
    "json_schema",
]

# The limits of a policy file (and of an escalations file, where they apply).
MAX_NAME = 100  # ids, roles, remedies, outcomes, kinds: every name
MAX_TEXT = 2_000  # titles, descriptions, sentences, text params
MAX_VERSION = 100  # `version`, as text; a number is bounded by its digits
MAX_LIST_PARAM = 1_000  # entries of one list param
MAX_KINDS = 100  # request kinds in `applies_to`
MAX_ROLES = 100  # roles on the ladder
MAX_REMEDIES = 100  # remedies declared under `remedies:`
# A request kind as `Request.kind` (models.py) accepts it: a kind no request can have
# is refused when the policy loads, not silently never matched.
KIND_PATTERN = r"^[a-z][a-z0-9_]*$"
MAX_KIND = 64

Identifier = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_NAME, pattern=r"^[A-Za-z][A-Za-z0-9_-]*$"),
]
# A name the builder checks itself (with "did you mean"): bounded here, so its message
# never quotes a runaway value.
Name = Annotated[str, StringConstraints(max_length=MAX_NAME)]
ShortText = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
RequestKind = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_KIND, pattern=KIND_PATTERN)
]
# Strict numbers: YAML gives an int or a Decimal, and `true` is no version `1`.
Version = Annotated[
    Annotated[str, StringConstraints(min_length=1, max_length=MAX_VERSION)]
    | Annotated[int, Strict()]
    | Annotated[Decimal, Strict()],
    WithJsonSchema({"type": ["string", "number"], "maxLength": MAX_VERSION}),
]

_CONDITION_SCHEMA: dict[str, Any] = {
    "description": "an expression, a list (all of), {all: [...]}, {any: [...]} or {not: ...}",
    "anyOf": [
        {"type": "string"},
        {"type": "boolean"},
        {"type": "array"},
        {
            "type": "object",
            "minProperties": 1,
            "maxProperties": 1,
            "properties": {"all": {"type": "array"}, "any": {"type": "array"}, "not": {}},
            "additionalProperties": False,
        },
    ],
}

Condition = Annotated[Any, WithJsonSchema(_CONDITION_SCHEMA)]
"""A condition in any of its written forms; its structure is checked by the builder."""

Expression = Annotated[str | int | Decimal, WithJsonSchema({"type": ["string", "number"]})]
_ParamScalar = bool | int | Decimal | date | ShortText
_PARAM_SCALAR_SCHEMA: dict[str, Any] = {
    "anyOf": [{"type": "boolean"}, {"type": "number"}, {"type": "string", "maxLength": MAX_TEXT}]
}
ParamValue = Annotated[
    _ParamScalar
    | Annotated[list[_ParamScalar], Field(max_length=MAX_LIST_PARAM)]
    # A map param (issue 16): its values' shape is checked by the builder
    # (`_build/params.py`), so a nested map or mixed values get one clear code.
    | Annotated[dict[str, Any], Field(max_length=MAX_LIST_PARAM)],
    WithJsonSchema(
        {
            "description": "true/false, a number, a date (`2026-01-31`), text, a list of "
            "them, or a map of text keys to values of one type (read with `lookup`)",
            "anyOf": [
                *_PARAM_SCALAR_SCHEMA["anyOf"],
                {"type": "array", "maxItems": MAX_LIST_PARAM, "items": _PARAM_SCALAR_SCHEMA},
                {
                    "type": "object",
                    "maxProperties": MAX_LIST_PARAM,
                    "additionalProperties": _PARAM_SCALAR_SCHEMA,
                },
            ],
        }
    ),
]


def _bounded_decimal(value: Decimal) -> Decimal:
    """A decimal read from text (`caps: {associate: "1e999999999"}`) has the YAML bound."""
    if not in_range(value):
        raise PydanticCustomError(
            "number_out_of_range",
            "Input should be a number of at most {max_digits} digits before and after the point",
            {"max_digits": MAX_DIGITS},
        )
    return value


Cap = Annotated[Decimal, Field(ge=0, allow_inf_nan=False), AfterValidator(_bounded_decimal)]


# Editor hints only: the builder checks these values itself, with "did you mean" hints.
_OUTCOMES: dict[str, Any] = {"enum": ["approve", "deny", "refer"]}
_ALLOW: dict[str, Any] = {"items": {"enum": sorted(ALLOWABLE)}}
_REMEDY = "`refund`, `store_credit`, `exchange`, ... or one declared under `remedies:`"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExplainSpec(_Spec):
    """Rationale templates; `{placeholders}` name facts, fields or params."""

    staff: ShortText | None = None
    customer: ShortText | None = None


Explain = ShortText | ExplainSpec


MAX_PROMISE_DAYS = 3_660  # ten years: a promise further out is a typo
MAX_REMEDY_OPTIONS = 20
Remedies = Name | Annotated[list[Name], Field(min_length=1, max_length=MAX_REMEDY_OPTIONS)]
_REMEDIES = _REMEDY + "; a list offers the customer a choice, the first is the default"
_FEE = "money the customer pays or keeps paying: a restocking fee, an overdraft fee left in place"


class PromiseSpec(_Spec):
    """What the store promises on an approval, and within how many days of `as_of`."""

    what: ShortText = Field(description="the promise, in words: `refund to the original payment`")
    within_days: Annotated[int, Strict(), Field(ge=0, le=MAX_PROMISE_DAYS)] | None = None
    within_business_days: Annotated[int, Strict(), Field(ge=0, le=MAX_PROMISE_DAYS)] | None = None


Promises = PromiseSpec | Annotated[list[PromiseSpec], Field(max_length=MAX_REMEDY_OPTIONS)]


class RuleSpec(_Spec):
    """One rule: when it matches, what it decides, who may grant it and why."""

    id: Identifier
    kind: Name = Field(
        "standard",
        description="`guard`, `standard` or `flex`",
        json_schema_extra={"enum": ["guard", "standard", "flex"]},
    )
    title: ShortText | None = Field(None, description="a short plain-language name")
    when: Condition
    outcome: Name = Field(description="`approve`, `deny` or `refer`", json_schema_extra=_OUTCOMES)
    remedy: Remedies | None = Field(None, description=_REMEDIES)
    authority: Name | None = Field(None, description="the lowest role that may grant it")
    amount: Expression | None = Field(None, description="an expression for the amount granted")
    fee: Expression | None = Field(None, description=_FEE)
    promise: Promises | None = Field(None, description="approvals: `{what:, within_days:}`")
    unknown: Name | None = Field(
        None,
        description="guards: `apply` (the default: a guard that cannot be ruled out applies) "
        "or `skip`",
        json_schema_extra={"enum": ["apply", "skip"]},
    )
    bends: list[Name] | None = Field(None, description="flex only: the denials it may bend")
    explain: Explain | None = None
    allow: list[Name] | None = Field(
        None,
        description="`flexpolicy check` findings this rule is known to have: `[guard-overlap]`",
        json_schema_extra=_ALLOW,
    )


class DefaultSpec(_Spec):
    """What happens when no standard rule matches (deny unless said otherwise)."""

    outcome: Name = Field("deny", json_schema_extra=_OUTCOMES)
    remedy: Remedies | None = Field(None, description=_REMEDIES)
    authority: Name | None = None
    amount: Expression | None = None
    fee: Expression | None = Field(None, description=_FEE)
    promise: Promises | None = None
    explain: Explain | None = None


class LeverSpec(_Spec):
    """A discretionary gesture staff may offer, capped by role."""

    id: Identifier
    kind: Name | None = Field(None, description="`gift_card`, `complimentary_item`, ...")
    title: ShortText | None = None
    when: Condition = True
    caps: dict[Name, Cap]
    explain: Explain | None = None
    allow: list[Name] | None = Field(
        None,
        description="`flexpolicy check` findings this lever is known to have",
        json_schema_extra=_ALLOW,
    )


# -- `attributes:` (DESIGN 2.2): the store attributes a policy reads, with their types.
# Key and type are checked by the builder, so a wrong one gets a located hint.
MAX_ATTRIBUTES = 200  # declarations in one policy (a record holds at most 200 attributes)
AttributeType = Annotated[str, StringConstraints(max_length=MAX_NAME)]


class AttributeSpec(_Spec):
    """The long form of one declaration: `{type: date, public: true}`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: AttributeType = Field(description="bool, int, decimal, money, date, text or list")
    public: Annotated[bool, Strict()] | None = Field(
        None,
        description="customer text may show it (default: false on customer, true elsewhere)",
    )


AttributeDeclarations = Annotated[
    dict[Name, AttributeType | AttributeSpec],
    Field(
        max_length=MAX_ATTRIBUTES,
        description="`record.name: type` for each store attribute the policy reads",
    ),
]


MAX_HOLIDAYS = 1_000


class CalendarSpec(_Spec):
    """The working calendar `business_days_between` counts by (issue 16)."""

    holidays: Annotated[list[date], Field(max_length=MAX_HOLIDAYS)] = Field(
        default_factory=list, description="days that are not working days (`2026-12-25`)"
    )
    weekend: Annotated[
        list[Annotated[int, Field(ge=1, le=7)]], Field(min_length=0, max_length=6)
    ] = Field(
        default_factory=lambda: [6, 7],
        description="the days of the week that are not working days, 1 = Monday to 7 = Sunday",
    )


class PolicySpec(_Spec):
    """One policy file."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="flexpolicy policy",
    )

    policy: Identifier
    version: Version
    title: ShortText | None = None
    description: ShortText | None = None
    applies_to: Annotated[list[RequestKind], Field(min_length=1, max_length=MAX_KINDS)]
    roles: Annotated[list[Identifier], Field(min_length=1, max_length=MAX_ROLES)]
    remedies: Annotated[list[Identifier], Field(max_length=MAX_REMEDIES)] = Field(
        default_factory=list, description="remedies of this store, beyond the built-in ones"
    )
    attributes: AttributeDeclarations | None = None
    params: dict[Identifier, ParamValue] = Field(default_factory=dict)
    calendar: CalendarSpec = Field(default_factory=CalendarSpec)
    facts: dict[Identifier, Condition] = Field(default_factory=dict)
    rules: list[RuleSpec] = Field(default_factory=list)
    default: DefaultSpec = Field(default_factory=DefaultSpec)
    levers: list[LeverSpec] = Field(default_factory=list)


class EscalationRuleSpec(_Spec):
    """One escalation: when a case's facts say so, a role steps in."""

    id: Identifier
    title: ShortText | None = None
    when: Condition
    escalate_to: Name = Field(description="the role of the ladder that takes the case over")
    action: Identifier = Field("review", description="`callback`, `review`, `refund_check`, ...")
    explain: Explain | None = None


class EscalationsSpec(_Spec):
    """An escalations file: rules over `case.*` facts, raised by `CaseBook.sweep`."""

    escalations: Identifier
    version: Version
    title: ShortText | None = None
    description: ShortText | None = None
    roles: Annotated[list[Identifier], Field(min_length=1, max_length=MAX_ROLES)]
    params: dict[Identifier, ParamValue] = Field(default_factory=dict)
    facts: dict[Identifier, Condition] = Field(default_factory=dict)
    rules: list[EscalationRuleSpec] = Field(default_factory=list)


SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def json_schema(kind: str = "policy") -> dict[str, Any]:
    """The JSON Schema of a policy file (`kind="policy"`) or an escalations file.

    Editors that speak JSON Schema (VS Code's YAML extension, JetBrains IDEs,
    Neovim's yaml-language-server) complete keys and flag wrong shapes as an
    author types; `flexpolicy check` then catches what a schema cannot.
    """
    models: dict[str, type[BaseModel]] = {"policy": PolicySpec, "escalations": EscalationsSpec}
    model = models.get(kind)
    if model is None:
        raise ValueError(f"no schema for `{kind}`: choose `policy` or `escalations`")
    schema = model.model_json_schema()
    return {"$schema": SCHEMA_DIALECT, **schema}
