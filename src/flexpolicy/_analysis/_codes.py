"""The stable codes of `flexpolicy check` findings, with what each means.

Kept free of z3 so the policy builder can validate `allow:` lists without the
`verify` extra installed.
"""

from __future__ import annotations

FINDING_CODES: dict[str, str] = {
    "contradictory-conditions": "a rule's conditions can never all hold",
    "shadowed-rule": "earlier rules always decide first, so the rule never decides",
    "flex-never-applies": "where the flex rule matches, what it bends never denies",
    "flex-never-chosen": "another flex rule is always preferred",
    "guard-overlap": "two guards match the same request and decide differently",
    "lever-never-offered": "no request can ever be offered the lever",
    "lever-offers-nothing": "every cap of the lever is zero",
    "unused-param": "a param no expression or template reads",
    "unused-fact": "a fact no rule, lever or template reads",
    "customer-text-leak": "customer text names a rule id or an internal score",
    "coercive-wording": "customer text reads as coercive",
    "hard-to-read": "customer text reads above plain-language grade level",
    "analysis-incomplete": "the solver could not settle a question in time",
}

ALLOWABLE = frozenset(FINDING_CODES) - {"analysis-incomplete"}
