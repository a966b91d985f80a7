"""Golden situations: every shipped policy, every rule, decided end to end.

Like Cedar's JSON integration tests, each `tests/golden/<policy-id>/<case>.yaml`
holds one situation and the decision it must get:

```yaml
description: one line saying what the case proves
situation: {request: ..., customer: ..., transaction: ..., actor: ..., as_of: ..., case: ...}
expect:
  outcome: approve | deny | refer
  rule_id: ...
  remedy: ... or null
  amount: "59.99" or null            # compared as Decimal
  required_role: ... or null
  exception: true | false
  bends: [...]
  levers: [lever ids offered, in order]            # optional
  lever_caps: {lever id: "cap"}                    # optional, compared as Decimal
  staff_contains: [fragments of rationale.staff]   # optional
  customer_contains: [fragments of rationale.customer]
  customer_excludes: [fragments never shown to the customer, case-insensitive]
  alternatives: [rule ids of decision.alternatives, in order]   # optional
  fee: "35.00" or null                             # optional, compared as Decimal
  remedies: [every remedy offered, in order]       # optional
  missing: [paths of missing facts]                # optional
```

The directory name is the policy id.  A rule without a golden case fails
`test_every_rule_has_a_golden_case`, so a new rule cannot ship untested.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

import flexpolicy
from tests.support.paths import POLICY_FILES

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"
GOLDEN = Path(__file__).resolve().parent / "golden"

DECISION_FIELDS = ("outcome", "rule_id", "remedy", "required_role", "exception")
KNOWN_KEYS = frozenset(
    {
        *DECISION_FIELDS,
        "amount",
        "bends",
        "levers",
        "lever_caps",
        "staff_contains",
        "staff_excludes",
        "customer_contains",
        "customer_excludes",
        "alternatives",
        "fee",
        "remedies",
        "missing",
    }
)
# Shipped policies whose default cannot be reached are listed here with the reason.
DEFAULT_UNREACHABLE: dict[str, str] = {}

GOLDEN_FILES = sorted(GOLDEN.glob("*/*.yaml"))


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path}: a golden case is a mapping"
    return data


@pytest.fixture(scope="module")
def shipped() -> dict[str, flexpolicy.Policy]:
    return {policy.id: policy for policy in flexpolicy.load_policies(RULES)}


def _decide(
    path: Path, shipped: dict[str, flexpolicy.Policy]
) -> tuple[dict[str, Any], flexpolicy.Decision]:
    case = _load(path)
    policy_id = path.parent.name
    assert policy_id in shipped, f"{path}: no policy in rules/ has id `{policy_id}`"
    situation = flexpolicy.Situation.model_validate(case["situation"])
    return case, shipped[policy_id].decide_situation(situation)


def _amount(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@pytest.mark.parametrize(
    "path", GOLDEN_FILES, ids=[f"{p.parent.name}/{p.stem}" for p in GOLDEN_FILES]
)
def test_golden(path: Path, shipped: dict[str, flexpolicy.Policy]) -> None:
    case, decision = _decide(path, shipped)
    assert isinstance(case.get("description"), str), "every golden case says what it proves"
    expect: dict[str, Any] = case["expect"]
    unknown = set(expect) - KNOWN_KEYS
    assert not unknown, f"unknown expect keys: {sorted(unknown)}"
    for name in DECISION_FIELDS:
        if name in expect:
            assert getattr(decision, name) == expect[name], name
    if "amount" in expect:
        assert decision.amount == _amount(expect["amount"])
    if "bends" in expect:
        assert list(decision.bends) == expect["bends"]
    if "fee" in expect:
        assert decision.fee == _amount(expect["fee"])
    if "remedies" in expect:
        assert list(decision.remedies) == expect["remedies"]
    if "missing" in expect:
        assert list(decision.missing) == expect["missing"]
    if "levers" in expect:
        assert [lever.id for lever in decision.levers] == expect["levers"]
    if "lever_caps" in expect:
        caps = {lever.id: lever.cap for lever in decision.levers}
        assert caps == {k: _amount(v) for k, v in expect["lever_caps"].items()}
    if "alternatives" in expect:
        assert [alt.rule_id for alt in decision.alternatives] == expect["alternatives"]
    staff, customer = decision.rationale.staff, decision.rationale.customer
    for fragment in expect.get("staff_contains", []):
        assert fragment in staff
    for fragment in expect.get("staff_excludes", []):
        assert fragment not in staff
    for fragment in expect.get("customer_contains", []):
        assert fragment in customer
    for fragment in expect.get("customer_excludes", []):
        assert fragment.lower() not in customer.lower()


@pytest.mark.parametrize(
    "path", GOLDEN_FILES, ids=[f"{p.parent.name}/{p.stem}" for p in GOLDEN_FILES]
)
def test_golden_decision_serialises(path: Path, shipped: dict[str, flexpolicy.Policy]) -> None:
    case, decision = _decide(path, shipped)
    record = json.loads(decision.model_dump_json())
    assert record["outcome"] == case["expect"]["outcome"]
    assert record["rule_id"] == case["expect"]["rule_id"]
    assert record["policy_id"] == path.parent.name
    assert json.loads(json.dumps(decision.model_dump(mode="json"))) == record


def test_every_shipped_policy_has_golden_cases(shipped: dict[str, flexpolicy.Policy]) -> None:
    directories = {p.name for p in GOLDEN.iterdir() if p.is_dir()}
    assert directories == set(shipped)
    for policy_id in shipped:
        minimum = 12 if policy_id == "returns" else 6
        assert len(list((GOLDEN / policy_id).glob("*.yaml"))) >= minimum, policy_id


RULE_FILES = POLICY_FILES


@pytest.mark.parametrize("rules_file", RULE_FILES, ids=[p.stem for p in RULE_FILES])
def test_every_rule_has_a_golden_case(rules_file: Path) -> None:
    policy = flexpolicy.load_policy(rules_file)
    decided = {_load(p)["expect"]["rule_id"] for p in (GOLDEN / policy.id).glob("*.yaml")}
    wanted = set(policy.rule_ids)
    if policy.id not in DEFAULT_UNREACHABLE:
        wanted.add("default")
    missing = sorted(wanted - decided)
    assert not missing, f"rules of `{policy.id}` without a golden case: {missing}"
    stale = sorted(decided - wanted - {"default"})
    assert not stale, f"golden cases of `{policy.id}` name no rule: {stale}"


@pytest.mark.parametrize("rules_file", RULE_FILES, ids=[p.stem for p in RULE_FILES])
def test_every_approval_with_authority_is_golden_both_ways(rules_file: Path) -> None:
    """An approval that needs authority has a golden `refer` (too junior) and `approve` case."""
    spec = yaml.safe_load(rules_file.read_text(encoding="utf-8"))
    lowest = spec["roles"][0]
    outcomes: dict[str, set[str]] = {}
    for path in (GOLDEN / spec["policy"]).glob("*.yaml"):
        expect = _load(path)["expect"]
        outcomes.setdefault(expect["rule_id"], set()).add(expect["outcome"])
    for rule in spec["rules"]:
        if rule.get("outcome") != "approve" or rule.get("authority", lowest) == lowest:
            continue
        assert outcomes.get(rule["id"], set()) >= {"refer", "approve"}, rule["id"]
