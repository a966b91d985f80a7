"""The `flexpolicy` console script, run for real in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support.cli import ADAPTER, ROOT, run


def test_decide_prints_the_decision_and_why() -> None:
    result = run("decide", "--policy", "rules", ADAPTER)
    assert result.returncode == 0, result.stderr
    assert "REFER" in result.stdout
    assert "supervisor" in result.stdout
    assert "loyal-store-fault" in result.stdout


def test_decide_as_a_supervisor_in_json() -> None:
    result = run(
        "decide", "--policy", "rules/returns.yaml", ADAPTER, "--as", "supervisor", "--json"
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["outcome"] == "approve"
    assert data["exception"] is True
    assert data["remedy"] == "store_credit"
    assert data["rationale"]["customer"]


def test_decide_json_lines_gives_one_line_per_situation(tmp_path: Path) -> None:
    situation = yaml.safe_load((ROOT / ADAPTER).read_text(encoding="utf-8"))
    lines = tmp_path / "history.jsonl"
    lines.write_text("\n".join(json.dumps(situation, default=str) for _ in range(3)) + "\n")
    result = run("decide", "--policy", "rules", str(lines), "--json")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(x) for x in result.stdout.splitlines()]
    assert [r["outcome"] for r in rows] == ["refer", "refer", "refer"]


def test_a_bad_policy_is_an_input_error_with_located_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "policy: p\nversion: '1'\napplies_to: [return]\nroles: [associate]\n"
        "rules:\n  - id: r\n    when: customer.teir >= 4\n    outcome: approve\n",
        encoding="utf-8",
    )
    result = run("decide", "--policy", str(bad), ADAPTER)
    assert result.returncode == 2
    assert f"{bad}:7:20: error[unknown-field]" in result.stderr
    assert "did you mean `tier`?" in result.stderr
    assert result.stdout == ""


def test_contradictory_facts_are_an_input_error_naming_the_file(tmp_path: Path) -> None:
    situation = yaml.safe_load((ROOT / ADAPTER).read_text(encoding="utf-8"))
    situation["request"]["sku"] = "NOPE"
    file = tmp_path / "s.yaml"
    file.write_text(yaml.safe_dump(situation), encoding="utf-8")
    result = run("decide", "--policy", "rules", str(file))
    assert result.returncode == 2
    assert result.stderr.startswith(f"{file}: error[")
    assert "sku `NOPE` is not on transaction" in result.stderr


def test_check_passes_on_shipped_rules() -> None:
    result = run("check", "rules")
    assert result.returncode == 0, result.stderr
    assert "no problems" in result.stdout


def test_demo_decides_every_example() -> None:
    result = run("demo")
    assert result.returncode == 0, result.stderr
    examples = sorted((ROOT / "examples" / "situations").glob("*.yaml"))
    assert f"{len(examples)} situations" in result.stdout
    for word in ("REFER", "APPROVE", "DENY", "loyal-store-fault", "double-charge"):
        assert word in result.stdout


def test_python_dash_m_runs_the_same_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flexpolicy", "check", "rules"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("args", [(), ("decide",), ("nonsense",)])
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.returncode == 2
