"""The policy file format, as pydantic models (and so as a JSON Schema).

These models check the *shape* of a policy: which keys exist, which are
required, what is a list.  What the values *mean* (is `supervisor` on the
ladder, does `bends` name a rule, does the expression type-check) is checked
afterwards, by the policy builder, so that every problem gets a "did you mean"
hint and a location.  `when` and `facts` accept the condition forms of
DESIGN.md: one expression, a list (all of), `{all: [...]}`, `{any: [...]}`,
`{not: ...}`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema

from ._analysis._codes import ALLOWABLE

__all__ = [
    "SCHEMA_DIALECT",
    "Condition",
    "DefaultSpec",
    "EscalationRuleSpec",
    "EscalationsSpec",
    "ExplainSpec",
    "LeverSpec",
    "PolicySpec",
    "RuleSpec",
    "json_schema",
]

Identifier = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z][A-Za-z0-9_-]*$"),
]
ShortText = Annotated[str, StringConstraints(max_length=2_000)]

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
ParamValue = bool | int | Decimal | date | str | list[bool | int | Decimal | date | str]


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


class RuleSpec(_Spec):
    """One rule: when it matches, what it decides, who may grant it and why."""

    id: Identifier
    kind: str = Field(
        "standard",
        description="`guard`, `standard` or `flex`",
        json_schema_extra={"enum": ["guard", "standard", "flex"]},
    )
    title: ShortText | None = Field(None, description="a short plain-language name")
    when: Condition
    outcome: str = Field(description="`approve`, `deny` or `refer`", json_schema_extra=_OUTCOMES)
    remedy: str | None = Field(None, description=_REMEDY)
    authority: str | None = Field(None, description="the lowest role that may grant it")
    amount: Expression | None = Field(None, description="an expression for the amount granted")
    bends: list[str] | None = Field(None, description="flex only: the denials it may bend")
    explain: Explain | None = None
    allow: list[str] | None = Field(
        None,
        description="`flexpolicy check` findings this rule is known to have: `[guard-overlap]`",
        json_schema_extra=_ALLOW,
    )


class DefaultSpec(_Spec):
    """What happens when no standard rule matches (deny unless said otherwise)."""

    outcome: str = Field("deny", json_schema_extra=_OUTCOMES)
    remedy: str | None = Field(None, description=_REMEDY)
    authority: str | None = None
    amount: Expression | None = None
    explain: Explain | None = None


class LeverSpec(_Spec):
    """A discretionary gesture staff may offer, capped by role."""

    id: Identifier
    kind: str | None = Field(None, description="`gift_card`, `complimentary_item`, ...")
    title: ShortText | None = None
    when: Condition = True
    caps: dict[str, Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]]
    explain: Explain | None = None
    allow: list[str] | None = Field(
        None,
        description="`flexpolicy check` findings this lever is known to have",
        json_schema_extra=_ALLOW,
    )


class PolicySpec(_Spec):
    """One policy file."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="flexpolicy policy",
    )

    policy: Identifier
    version: Annotated[str | int | Decimal, WithJsonSchema({"type": ["string", "number"]})]
    title: ShortText | None = None
    description: ShortText | None = None
    applies_to: Annotated[list[str], Field(min_length=1)]
    roles: Annotated[list[Identifier], Field(min_length=1)]
    remedies: list[Identifier] = Field(
        default_factory=list, description="remedies of this store, beyond the built-in ones"
    )
    params: dict[Identifier, ParamValue] = Field(default_factory=dict)
    facts: dict[Identifier, Condition] = Field(default_factory=dict)
    rules: list[RuleSpec] = Field(default_factory=list)
    default: DefaultSpec = Field(default_factory=DefaultSpec)
    levers: list[LeverSpec] = Field(default_factory=list)


class EscalationRuleSpec(_Spec):
    """One escalation: when a case's facts say so, a role steps in."""

    id: Identifier
    title: ShortText | None = None
    when: Condition
    escalate_to: str = Field(description="the role of the ladder that takes the case over")
    action: Identifier = Field("review", description="`callback`, `review`, `refund_check`, ...")
    explain: Explain | None = None


class EscalationsSpec(_Spec):
    """An escalations file: rules over `case.*` facts, raised by `CaseBook.sweep`."""

    escalations: Identifier
    version: Annotated[str | int | Decimal, WithJsonSchema({"type": ["string", "number"]})]
    title: ShortText | None = None
    description: ShortText | None = None
    roles: Annotated[list[Identifier], Field(min_length=1)]
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
