"""The authoring commands, run as the real console script: explain, schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from flexpolicy.schema import json_schema
from tests.support.cli import ADAPTER, ROOT, run
from tests.support.paths import RULES

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
    assert result.returncode == 2
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


# -- doc -------------------------------------------------------------------------------------


@pytest.mark.parametrize("audience", ["staff", "customer"])
def test_doc_in_markdown(audience: str) -> None:
    result = run("doc", "rules/returns.yaml", "--audience", audience)
    assert result.returncode == 0, result.stderr
    page = result.stdout
    assert page.startswith("# Returns\n")
    assert "## Where we can be flexible" in page
    assert "within 30 days of purchase" in page.lower()
    assert "{" not in page
    assert ("`loyal-store-fault`" in page) == (audience == "staff")
    assert ("tier" in page.lower()) == (audience == "staff")


def test_doc_in_html_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "returns.html"
    result = run("doc", "rules/returns.yaml", "--format", "html", "-o", str(out))
    assert result.returncode == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert "@page" in html
    assert "<script" not in html


def test_doc_of_a_directory_is_a_usage_error() -> None:
    result = run("doc", "rules")
    assert result.returncode == 2
    assert "summarises one policy file" in result.stderr


# -- simulate and diff -----------------------------------------------------------------------


def test_simulate_writes_json_lines_that_decide(tmp_path: Path) -> None:
    out = tmp_path / "history.jsonl"
    result = run("simulate", "--n", "300", "--seed", "7", "-o", str(out))
    assert result.returncode == 0, result.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 300
    again = run("simulate", "--n", "300", "--seed", "7")
    assert again.stdout.splitlines() == lines
    decided = run("decide", "--policy", "rules", str(out), "--json")
    assert decided.returncode == 0, decided.stderr
    outcomes = {json.loads(line)["outcome"] for line in decided.stdout.splitlines()}
    assert outcomes == {"approve", "deny", "refer"}


def test_simulate_rejects_a_bad_date() -> None:
    result = run("simulate", "--start", "2025-13-01")
    assert result.returncode == 2
    assert "YYYY-MM-DD" in result.stderr


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("history") / "history.jsonl"
    result = run("simulate", "--n", "2000", "--seed", "3", "-o", str(path))
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture(scope="module")
def stricter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stricter")
    for path in RULES.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if path.name == "returns.yaml":
            assert "window_days: 30" in text
            text = text.replace("window_days: 30", "window_days: 14")
        (folder / path.name).write_text(text, encoding="utf-8")
    return folder


def test_diff_of_a_policy_with_itself_changes_nothing(history: Path) -> None:
    result = run("diff", "rules", "rules", "--history", str(history))
    assert result.returncode == 0, result.stderr
    assert "2,000 situations: 2,000 decided by both versions" in result.stdout
    assert "changed 0" in result.stdout


def test_diff_shows_what_a_tighter_window_costs(history: Path, stricter: Path) -> None:
    result = run("diff", "rules", str(stricter), "--history", str(history))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "approve -> deny" in out
    assert "money granted" in out
    assert "referrals by role" in out
    assert "old: APPROVE" in out
    assert "new: DENY" in out


def test_diff_in_json_with_a_progress_bar(history: Path, stricter: Path) -> None:
    result = run(
        "diff",
        "rules",
        str(stricter),
        "--history",
        str(history),
        "--format",
        "json",
        "--progress",
        "--examples",
        "1",
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["total"] == 2000
    assert report["transitions"]["approve -> deny"] > 0
    assert "replaying" in result.stderr
    assert "2000/2000" in result.stderr
    (example,) = report["examples"]["approve -> deny"]
    assert example["old"]["outcome"] == "approve"
    assert example["new"]["outcome"] == "deny"


def test_diff_needs_a_history_file(stricter: Path) -> None:
    result = run("diff", "rules", str(stricter), "--history", "no/such.jsonl")
    assert result.returncode == 2
    assert "`no/such.jsonl` does not exist" in result.stderr


def test_an_escalations_file_is_not_a_policy() -> None:
    result = run("doc", "rules/escalations.yaml")
    assert result.returncode == 2
    (line, hint) = result.stderr.strip().splitlines()
    assert line == (
        "rules/escalations.yaml:3:1: error[escalations-file]: "
        "this is an escalations file, not a decision policy"
    )
    assert "load_escalations" in hint
