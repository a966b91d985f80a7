"""The double-charge story end to end through the real `flexpolicy case` commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SCRIPT = ROOT / "examples" / "cases" / "double-charge.sh"
PG_URL = os.environ.get("FLEXPOLICY_TEST_PG_URL")


def _databases(tmp_path: Path) -> list[str]:
    urls = [f"sqlite:///{tmp_path / 'cases.db'}"]
    if PG_URL:
        urls.append(PG_URL)
    return urls


def case(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "flexpolicy"), "case", *args, "--db", db],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_story_script_raises_exactly_the_escalations_the_rules_say(tmp_path: Path) -> None:
    for db in _databases(tmp_path):
        env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
        result = subprocess.run(
            ["bash", str(SCRIPT), db],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        out = result.stdout
        assert "OVERDUE" in out
        assert "2 escalation(s) raised" in out
        assert "third-contact" in out
        assert "promise-overdue" in out
        assert "slow-case" not in out
        assert out.count("no escalations due") == 1  # the second sweep raises nothing


def test_json_output_and_errors(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cases.db'}"
    opened = case(
        "open",
        "--customer",
        "C-1",
        "--subject",
        "late parcel",
        "--at",
        "2026-11-01",
        "--by",
        "E-1",
        "--id",
        "CASE-1",
        db=db,
    )
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout.strip() == "CASE-1"
    shown = case("show", "CASE-1", "--as-of", "2026-11-20", "--json", db=db)
    data = json.loads(shown.stdout)
    assert data["facts"]["days_open"] == 19
    assert data["facts"]["contacts_total"] == 1
    swept = case("sweep", "--as-of", "2026-11-20", "--json", db=db)
    assert [e["rule_id"] for e in json.loads(swept.stdout)] == ["slow-case"]
    missing = case("show", "CASE-2", db=db)
    assert missing.returncode == 2
    assert "CASE-2" in missing.stderr
    early = case("log", "CASE-1", "--at", "2026-10-01", "--by", "E-2", "--contact", "phone", db=db)
    assert early.returncode == 2
    assert "before" in early.stderr
    bad = case("log", "CASE-1", "--at", "2026-11-21", "--by", "E-2", db=db)
    assert bad.returncode == 2
    stats = case("stats", "--as-of", "2026-11-20", "--json", db=db)
    assert json.loads(stats.stdout)["cases"] == 1
