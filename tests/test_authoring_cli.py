"""The authoring commands, run as the real console script: explain, schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import RULES
from flexpolicy.schema import json_schema
from test_cli import ADAPTER, ROOT, run

SCHEMAS = ROOT / "schemas"


# -- explain ---------------------------------------------------------------------------------


def test_explain_shows_every_rule_and_condition_with_values() -> None:
    result = run("explain", "--policy", "rules", ADAPTER)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    returns = yaml.safe_load((RULES / "returns.yaml").read_text(encoding="utf-8"))
    for rule in returns["rules"]:
        assert f" {rule['id']}  " in out, rule["id"]
    assert "days_since_purchase > window_days   [days_since_purchase = 92, window_days = 30]" in out
    assert "loyal-store-fault  matched  (bends the denial)  <- the decision" in out
    assert "REFER  store credit 59.99" in out
    assert "A supervisor will confirm this with you." in out


def test_explain_as_a_role() -> None:
    result = run("explain", "--policy", "rules/returns.yaml", ADAPTER, "--as", "supervisor")
    assert result.returncode == 0, result.stderr
    assert "APPROVE  store credit 59.99" in result.stdout


def test_explain_reports_bad_input_on_stderr() -> None:
    result = run("explain", "--policy", "rules/refunds.yaml", ADAPTER)
    assert result.returncode == 1
    assert "does not decide `return` requests" in result.stderr


# -- schema ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["policy", "escalations"])
def test_shipped_schema_files_are_up_to_date(kind: str) -> None:
    result = run("schema", "--kind", kind)
    assert result.returncode == 0, result.stderr
    shipped = (SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8")
    assert json.loads(result.stdout) == json.loads(shipped) == json_schema(kind), (
        "regenerate with `flexpolicy schema --kind KIND -o schemas/KIND.schema.json`"
    )


@pytest.mark.parametrize("path", sorted(RULES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_file_validates_and_names_its_schema(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=../schemas/")
    schema = json.loads((RULES / first.split("=", 1)[1]).read_text(encoding="utf-8"))
    jsonschema.validate(yaml.safe_load(text), schema)


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"outcome": "approved"}, "'approved' is not one of"),
        ({"kind": "flexible"}, "'flexible' is not one of"),
        ({"allow": ["guard-overlaps"]}, "'guard-overlaps' is not one of"),
        ({"whenever": "x"}, "Additional properties are not allowed"),
    ],
)
def test_schema_flags_what_an_editor_should(change: dict[str, object], complaint: str) -> None:
    policy = yaml.safe_load((RULES / "returns.yaml").read_text(encoding="utf-8"))
    policy["rules"][0].update(change)
    with pytest.raises(jsonschema.ValidationError) as info:
        jsonschema.validate(policy, json_schema("policy"))
    assert complaint in info.value.message


def test_schema_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "policy.schema.json"
    result = run("schema", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["$schema"].endswith("2020-12/schema")
