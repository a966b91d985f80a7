"""cedarpy 4.12.2: the five rules as Cedar `permit` policies, first satisfied one wins.

Cedar answers Allow or Deny, not a label, and has no rule order; it does report, as the
decision's reasons, every policy that was satisfied.  So each rule is one `permit`
policy over the request's context, in the workload's order (Cedar names them `policy0`
to `policy4` as written), and the outcome is the label of the lowest-numbered policy
among the reasons; Deny (no policy satisfied) is "deny".  One authorization per
situation, all in one `is_authorized_batch` call, against a policy set and an (empty)
entity set parsed once.

Cedar has no floating-point numbers, so the amount travels as whole cents (`Long`), an
exact integer, and rule 4 reads `amount_cents <= 10000`.  The flags are a Cedar `Set`
tested with `contains`.  The context dicts are built once, outside the timing; cedarpy
serialises each to JSON inside the call, which the row pays for.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import cedarpy

from .workload import Workload

__all__ = ["POLICIES", "decide", "inputs"]

RULES: tuple[tuple[str, str], ...] = (
    ('context.flags.contains("abusive")', "escalate"),
    ('context.kind == "return" && context.days <= 30', "approve"),
    (
        'context.kind == "return" && context.days <= 120 && context.tier >= 4'
        ' && context.condition == "unused" && context.store_at_fault'
        " && context.exceptions_90d < 2",
        "exception",
    ),
    (
        'context.kind == "return" && context.days <= 90 && context.tier >= 3'
        ' && context.condition == "unused" && context.amount_cents <= 10000',
        "escalate",
    ),
    ('context.kind == "exchange" && context.days <= 45', "approve"),
)
POLICIES = "\n".join(f"permit (principal, action, resource) when {{ {c} }};" for c, _ in RULES)
POLICY_SET = cedarpy.PolicySet.from_str(POLICIES)
ENTITIES = cedarpy.Entities.from_json_str("[]")
OUTCOMES = {f"policy{i}": outcome for i, (_, outcome) in enumerate(RULES)}
RANK = {f"policy{i}": i for i in range(len(RULES))}


def _request(s: dict[str, Any]) -> dict[str, Any]:
    context = {k: v for k, v in s.items() if k != "amount"}
    context["amount_cents"] = round(s["amount"] * 100)
    return {
        "principal": 'User::"associate"',
        "action": 'Action::"decide"',
        "resource": 'Request::"r"',
        "context": context,
    }


def inputs(workload: Workload) -> Sequence[dict[str, Any]]:
    return [_request(s) for s in workload.rows]


def _label(result: cedarpy.AuthzResult) -> str:
    reasons = result.diagnostics.reasons
    if not reasons:
        errors = result.diagnostics.errors
        return f"error: {errors[0]}" if errors else "deny"
    return OUTCOMES[min(reasons, key=RANK.__getitem__)]


def decide(batch: Sequence[dict[str, Any]]) -> list[str]:
    results = cedarpy.is_authorized_batch(list(batch), POLICY_SET, ENTITIES)
    return [_label(r) for r in results]
