"""Real published policies (examples/published/), decided as their own sentences say.

Each `examples/published/<name>/` holds `policy.yaml`, `SOURCE.md` (every sentence of
the published text beside the rule that encodes it, and what could not be encoded) and
`cases/*.yaml` in the golden format of tests/test_golden.py, with the release-2 fields
(`fee`, `remedies`, `missing`, `promises`) besides.  Every case is decided from YAML and
again from the same situation as JSON text, which must decide alike (typed attributes),
and by both engines.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

import flexpolicy
from tests.support.paths import ROOT

PUBLISHED = ROOT / "examples" / "published"
POLICIES = sorted(p for p in PUBLISHED.iterdir() if (p / "policy.yaml").is_file())
CASES = sorted(PUBLISHED.glob("*/cases/*.yaml"))
KNOWN_KEYS = frozenset(
    {
        "outcome",
        "rule_id",
        "remedy",
        "remedies",
        "amount",
        "fee",
        "required_role",
        "exception",
        "missing",
        "promises",
        "staff_contains",
        "customer_contains",
    }
)


def _money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _policy(folder: Path, engine: str = "native") -> flexpolicy.Policy:
    return flexpolicy.load_policy(folder / "policy.yaml", engine=engine)  # type: ignore[arg-type]


def _case(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    assert isinstance(data.get("description"), str), f"{path}: say what the case proves"
    unknown = set(data["expect"]) - KNOWN_KEYS
    assert not unknown, f"{path}: unknown expect keys {sorted(unknown)}"
    return data


def _check(decision: flexpolicy.Decision, expect: dict[str, Any]) -> None:
    for name in ("outcome", "rule_id", "remedy", "required_role", "exception"):
        if name in expect:
            assert getattr(decision, name) == expect[name], name
    if "amount" in expect:
        assert decision.amount == _money(expect["amount"]), "amount"
    if "fee" in expect:
        assert decision.fee == _money(expect["fee"]), "fee"  # type: ignore[attr-defined]
    if "remedies" in expect:
        assert list(decision.remedies) == expect["remedies"]  # type: ignore[attr-defined]
    if "missing" in expect:
        assert list(decision.missing) == expect["missing"]  # type: ignore[attr-defined]
    if "promises" in expect:
        made = [
            {"what": p.what, "due": p.due.isoformat()}
            for p in decision.promises  # type: ignore[attr-defined]
        ]
        assert made == expect["promises"]
    for fragment in expect.get("staff_contains", []):
        assert fragment in decision.rationale.staff
    for fragment in expect.get("customer_contains", []):
        assert fragment in decision.rationale.customer


@pytest.mark.parametrize("folder", POLICIES, ids=[p.name for p in POLICIES])
def test_each_published_policy_cites_its_source_and_has_cases(folder: Path) -> None:
    source = (folder / "SOURCE.md").read_text(encoding="utf-8")
    assert "Source:" in source, "cite where the text was published"
    assert "http" in source, "cite where the text was published"
    assert "## Not encoded" in source, "say what could not be encoded, and why"
    policy = _policy(folder)
    decided = {_case(p)["expect"]["rule_id"] for p in (folder / "cases").glob("*.yaml")}
    missing = sorted({*policy.rule_ids, "default"} - decided)
    assert not missing, f"rules without a case: {missing}"
    for rule_id in policy.rule_ids:
        assert f"`{rule_id}`" in source, f"SOURCE.md does not cite rule `{rule_id}`"


@pytest.mark.parametrize("path", CASES, ids=[f"{p.parents[1].name}/{p.stem}" for p in CASES])
def test_published_case(path: Path) -> None:
    case = _case(path)
    policy = _policy(path.parents[1])
    _check(policy.decide_situation(case["situation"]), case["expect"])


@pytest.mark.parametrize("path", CASES, ids=[f"{p.parents[1].name}/{p.stem}" for p in CASES])
def test_published_case_decides_alike_from_json(path: Path, tmp_path: Path) -> None:
    case = _case(path)
    policy = _policy(path.parents[1])
    as_json = tmp_path / "situation.json"
    as_json.write_text(json.dumps(case["situation"]), encoding="utf-8")
    (from_json,) = flexpolicy.read_situations(as_json)
    from_yaml = policy.decide_situation(case["situation"])
    assert policy.decide_situation(from_json).key() == from_yaml.key()


@pytest.mark.parametrize("folder", POLICIES, ids=[p.name for p in POLICIES])
def test_published_policies_decide_alike_on_both_engines(folder: Path) -> None:
    native = _policy(folder)
    durable = _policy(folder, "durable")
    for path in sorted((folder / "cases").glob("*.yaml")):
        situation = _case(path)["situation"]
        assert (
            durable.decide_situation(situation).key() == native.decide_situation(situation).key()
        ), path.name


def _as_an_editor_reads(value: Any) -> Any:
    """YAML 1.2, as editors read it: `2020-11-26` is text, not PyYAML's date."""
    if isinstance(value, dict):
        return {k: _as_an_editor_reads(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_an_editor_reads(v) for v in value]
    return value.isoformat() if isinstance(value, date) else value


@pytest.mark.parametrize("folder", POLICIES, ids=lambda p: p.name)
def test_each_published_policy_validates_against_the_editor_schema(folder: Path) -> None:
    text = (folder / "policy.yaml").read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../../schemas/policy.schema.json"
    schema = json.loads((ROOT / "schemas" / "policy.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(_as_an_editor_reads(yaml.safe_load(text)), schema)
