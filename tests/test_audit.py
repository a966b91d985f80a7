"""The decision log: records replay exactly, masks hide people, writes survive crashes.

The CLI runs for real in a subprocess, as in tests/test_cli.py; the crash test
kills a writer process with SIGKILL mid-stream and reads what it left.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

import flexpolicy
from conftest import EXAMPLES, POLICY_FILES, RULES
from flexpolicy.audit import (
    AuditError,
    AuditLog,
    AuditRecord,
    read_log,
    situation_sha256,
    verify_log,
)
from flexpolicy.authoring import simulate
from flexpolicy.situations import read_situations

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).with_name("flexpolicy")
T0 = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
ROLES = ("associate", "supervisor", "store_manager")


def _clock() -> datetime:
    return T0


def _history() -> list[flexpolicy.Situation]:
    """2,000 simulated situations, each example story, and some decided by higher roles."""
    situations = list(simulate(2000, seed=11))
    for file in sorted(EXAMPLES.glob("*.yaml")):
        situations.extend(read_situations(file))
    for i, s in enumerate(situations[:600]):
        actor = flexpolicy.Actor(id=f"EMP-{i}", role=ROLES[i % 3])
        situations.append(s.model_copy(update={"actor": actor}))
    return situations


def _write_log(path: Path, policies: flexpolicy.PolicySet) -> list[AuditRecord]:
    with AuditLog(path, sync=False, clock=_clock) as log:
        return [log.record(policies.decide_situation(s), s) for s in _history()]


@pytest.fixture(scope="module")
def logged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("audit") / "decisions.jsonl"
    _write_log(path, flexpolicy.load_policies(RULES))
    return path


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _rewrite(path: Path, rows: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


# -- replay --------------------------------------------------------------------------
def test_every_record_of_every_shipped_policy_re_derives_exactly(
    logged: Path, policies: flexpolicy.PolicySet
) -> None:
    report = verify_log(logged, policies)
    assert report.ok, (report.differences[:3], report.problems[:3])
    assert report.records == report.verified == len(_history())
    rows = _lines(logged)
    assert {r["policy_id"] for r in rows} == {flexpolicy.load_policy(p).id for p in POLICY_FILES}
    assert {r["outcome"] for r in rows} == {"approve", "deny", "refer"}
    assert any(r["exception"] for r in rows)
    assert len({r["decision_id"] for r in rows}) == len(rows)
    assert all(r["at"] == "2026-11-20T09:30:00Z" for r in rows)


def test_a_record_holds_the_decision_and_exact_money(
    tmp_path: Path, policies: flexpolicy.PolicySet
) -> None:
    situation = next(iter(read_situations(EXAMPLES / "power-adapter-associate.yaml")))
    decision = policies.decide_situation(situation)
    with AuditLog(tmp_path / "one.jsonl") as log:
        rec = log.record(decision, situation, at=datetime(2026, 11, 20, 10, tzinfo=UTC))
    row = _lines(tmp_path / "one.jsonl")[0]
    assert row["amount"] == "59.99"
    assert rec.amount == "59.99"
    assert (row["outcome"], row["rule_id"], row["required_role"]) == (
        "refer",
        "loyal-store-fault",
        "supervisor",
    )
    assert row["policy_digest"] == decision.policy_digest
    assert row["actor"] == {"id": situation.actor.id, "role": "associate"}  # type: ignore[union-attr]
    assert AuditRecord.model_validate(row) == rec


def test_the_cli_verifies_a_log_and_says_so(logged: Path) -> None:
    result = run("audit", "verify", str(logged), "--policy", "rules")
    assert result.returncode == 0, result.stderr
    n = len(_history())
    assert f"{n} of {n} records re-derive exactly" in result.stdout
    as_json = run("audit", "verify", str(logged), "--policy", "rules", "--format", "json")
    document = json.loads(as_json.stdout)
    assert (document["ok"], document["verified"], document["differences"]) == (True, n, [])


def test_a_tampered_record_is_reported_with_its_line_and_exit_1(
    logged: Path, tmp_path: Path
) -> None:
    rows = _lines(logged)[:50]
    target = next(i for i, r in enumerate(rows) if r["outcome"] == "deny")
    rows[target]["outcome"] = "approve"
    tampered = tmp_path / "tampered.jsonl"
    _rewrite(tampered, rows)
    result = run("audit", "verify", str(tampered), "--policy", "rules")
    assert result.returncode == 1
    assert (
        f"{tampered}:{target + 1}:1: error[differs]: decision `{rows[target]['decision_id']}`: "
        "`outcome` logged `approve`, now `deny`"
    ) in result.stderr
    assert "49 of 50 records re-derive exactly: 1 differ" in result.stdout
    document = json.loads(
        run("audit", "verify", str(tampered), "--policy", "rules", "--format", "json").stdout
    )
    assert document["ok"] is False
    assert document["differences"] == [
        {
            "line": target + 1,
            "decision_id": rows[target]["decision_id"],
            "field": "outcome",
            "logged": "approve",
            "now": "deny",
        }
    ]


def test_a_changed_situation_breaks_its_hash(logged: Path, policies: flexpolicy.PolicySet) -> None:
    rows = _lines(logged)[:5]
    rows[2]["situation"]["title"] = "edited"  # type: ignore[index]
    path = logged.with_name("edited.jsonl")
    _rewrite(path, rows)
    report = verify_log(path, policies)
    assert [(d.line, d.field) for d in report.differences] == [(3, "situation_sha256")]


def test_a_record_of_an_unknown_digest_is_reported_not_skipped(
    logged: Path, tmp_path: Path
) -> None:
    rows = _lines(logged)[:10]
    rows[4]["policy_digest"] = "sha256:" + "0" * 64
    path = tmp_path / "unknown.jsonl"
    _rewrite(path, rows)
    result = run("audit", "verify", str(path), "--policy", "rules")
    assert result.returncode == 1
    assert f"{path}:5:1: error[unknown-digest]" in result.stderr
    assert "is not among the given policies" in result.stderr
    assert "9 of 10 records re-derive exactly: 1 could not be replayed" in result.stdout


def test_an_edited_policy_no_longer_proves_old_records(logged: Path, tmp_path: Path) -> None:
    edited = tmp_path / "returns.yaml"
    edited.write_text(
        (RULES / "returns.yaml")
        .read_text(encoding="utf-8")
        .replace("window_days: 30", "window_days: 31"),
        encoding="utf-8",
    )
    rows = [r for r in _lines(logged) if r["policy_id"] == "returns"][:20]
    path = tmp_path / "returns.jsonl"
    _rewrite(path, rows)
    report = verify_log(path, flexpolicy.load_policy(edited))
    assert report.verified == 0
    assert {p.code for p in report.problems} == {"unknown-digest"}
    assert len(report.problems) == 20


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert (
        run("audit", "verify", str(tmp_path / "missing.jsonl"), "--policy", "rules").returncode == 2
    )
    assert run("audit", "verify").returncode == 2


# -- masking -------------------------------------------------------------------------
def _named(situation: flexpolicy.Situation, i: int) -> flexpolicy.Situation:
    customer = situation.customer.model_copy(
        update={"name": f"Ada Lovelace {i}", "email": f"ada{i}@example.com"}
    )
    return situation.model_copy(update={"customer": customer, "title": f"story {i}"})


def test_masking_hides_names_and_emails_and_the_replay_still_matches(
    tmp_path: Path, policies: flexpolicy.PolicySet
) -> None:
    situations = [_named(s, i) for i, s in enumerate(simulate(300, seed=5))]
    path = tmp_path / "masked.jsonl"
    with AuditLog(path, sync=False) as log:
        records = [log.record(policies.decide_situation(s), s) for s in situations]
    text = path.read_text(encoding="utf-8")
    assert "Ada" not in text
    assert "example.com" not in text
    assert "story 7" in text  # only what the mask names is masked
    for rec, s in zip(records, situations, strict=True):
        assert rec.situation["customer"]["name"] == rec.situation["customer"]["email"] == "***"
        assert rec.masked == ["customer.email", "customer.name"]
        assert rec.situation_sha256 == situation_sha256(s)  # whoever holds the facts can check
    assert verify_log(path, policies).ok

    titled = tmp_path / "titled.jsonl"
    with AuditLog(titled, mask=["customer.name", "customer.email", "title"]) as log:
        log.record(policies.decide_situation(situations[7]), situations[7])
    assert "story 7" not in titled.read_text(encoding="utf-8")
    assert verify_log(titled, policies).ok


def test_a_field_a_policy_can_read_cannot_be_masked(tmp_path: Path) -> None:
    with pytest.raises(AuditError, match=r"cannot mask `customer.tier`: policies can read it"):
        AuditLog(tmp_path / "x.jsonl", mask=["customer.tier"])
    with pytest.raises(AuditError, match=r"cannot mask `customer.nmae`: no such field") as info:
        AuditLog(tmp_path / "x.jsonl", mask=["customer.nmae"])
    assert info.value.code == "unmaskable-field"
    assert "`customer.name`" in (info.value.hint or "")
    assert not (tmp_path / "x.jsonl").exists()


@pytest.mark.parametrize("field", ["name", "email"])
def test_policies_cannot_read_the_masked_fields(field: str) -> None:
    """Why masking keeps replays exact: the language refuses these fields at load time."""
    text = (
        "policy: p\nversion: '1'\napplies_to: [return]\nroles: [associate]\n"
        f'rules:\n  - id: r\n    when: customer.{field} == "x"\n    outcome: approve\n'
    )
    with pytest.raises(flexpolicy.PolicyError) as info:
        flexpolicy.Policy.from_yaml(text)
    assert info.value.code == "hidden-field"


def test_money_and_date_attributes_keep_their_kind(
    tmp_path: Path, policies: flexpolicy.PolicySet
) -> None:
    s = next(iter(simulate(1, seed=3)))
    attributes = {"credit": Decimal("1.50"), "since": date(2020, 1, 2), "n": 2, "vip": True}
    s = s.model_copy(update={"customer": s.customer.model_copy(update={"attributes": attributes})})
    with AuditLog(tmp_path / "attrs.jsonl") as log:
        rec = log.record(policies.decide_situation(s), s)
    assert rec.situation["customer"]["attributes"]["credit"] == {"decimal": "1.50"}
    assert rec.decided_situation() == s


# -- writing ---------------------------------------------------------------------------
def test_eight_threads_write_4000_intact_lines(
    tmp_path: Path, policies: flexpolicy.PolicySet
) -> None:
    situations = list(simulate(500, seed=2))
    decisions = [policies.decide_situation(s) for s in situations]
    path = tmp_path / "threads.jsonl"
    with AuditLog(path, sync=False) as log:

        def writer() -> None:
            for d, s in zip(decisions, situations, strict=True):
                log.record(d, s)

        threads = [threading.Thread(target=writer) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    entries = list(read_log(path))
    assert len(entries) == 4000
    assert all(e.problem is None for e in entries)
    assert len({e.record.decision_id for e in entries if e.record}) == 4000
    assert verify_log(path, policies).ok


def test_the_clock_is_injectable_and_times_are_utc(
    tmp_path: Path, policies: flexpolicy.PolicySet
) -> None:
    s = next(iter(simulate(1, seed=1)))
    d = policies.decide_situation(s)
    with AuditLog(tmp_path / "t.jsonl", clock=_clock) as log:
        assert log.record(d, s).at == T0
        later = datetime(2026, 11, 20, 12, tzinfo=timezone(timedelta(hours=2)))
        assert log.record(d, s, at=later).at == datetime(2026, 11, 20, 10, tzinfo=UTC)
        with pytest.raises(AuditError, match="timezone-aware"):
            log.record(d, s, at=datetime(2026, 11, 20))
        other = s.model_copy(update={"request": s.request.model_copy(update={"id": "REQ-x"})})
        with pytest.raises(AuditError, match="the decision is about request"):
            log.record(d, other)
        assert log.record(d).situation_sha256 == situation_sha256(s)  # facts from the decision
    with pytest.raises(AuditError, match="closed"):
        log.record(d, s)


# -- crashes -----------------------------------------------------------------------------
WRITER = """
import sys
import flexpolicy
from flexpolicy.audit import AuditLog
from flexpolicy.authoring import simulate
policies = flexpolicy.load_policies(sys.argv[2])
with AuditLog(sys.argv[1]) as log:
    for s in simulate(100_000, seed=4):
        rec = log.record(policies.decide_situation(s), s)
        print(rec.decision_id, flush=True)
"""


def test_records_acknowledged_before_a_sigkill_survive_intact(
    tmp_path: Path, policies: flexpolicy.PolicySet
) -> None:
    path = tmp_path / "killed.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), str(RULES)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    acked = [proc.stdout.readline().strip() for _ in range(300)]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    acked.extend(line.strip() for line in proc.stdout)
    proc.stdout.close()
    entries = list(read_log(path))
    records = [e.record for e in entries if e.record is not None]
    # every line but possibly a torn last one is a whole record, and nothing acked is lost
    assert all(e.problem is None for e in entries[:-1])
    assert not entries[-1].problem or entries[-1].problem.code == "torn-line"
    assert set(acked) <= {r.decision_id for r in records}
    assert len(records) >= 300
    report = verify_log(path, policies)
    assert report.ok
    assert report.verified == len(records)


def test_a_torn_last_line_is_reported_and_the_next_record_starts_clean(
    logged: Path, tmp_path: Path, policies: flexpolicy.PolicySet
) -> None:
    path = tmp_path / "torn.jsonl"
    data = b"".join(logged.read_bytes().splitlines(keepends=True)[:20])
    path.write_bytes(data[: len(data) - 40])  # the 20th line cut short mid-write
    entries = list(read_log(path))
    assert [e.record is not None for e in entries] == [True] * 19 + [False]
    torn = entries[-1].problem
    assert torn is not None
    assert (torn.line, torn.code, torn.level) == (20, "torn-line", "warning")
    assert "the last line is not complete JSON" in torn.message

    report = verify_log(path, policies)
    assert report.ok
    assert report.verified == 19
    result = run("audit", "verify", str(path), "--policy", "rules")
    assert result.returncode == 0
    assert f"{path}:20:1: warning[torn-line]" in result.stderr
    assert "19 of 19 records re-derive exactly: 1 torn line skipped" in result.stdout

    s = next(iter(simulate(1, seed=8)))
    with AuditLog(path) as log:  # reopening ends the torn line first
        log.record(policies.decide_situation(s), s)
    entries = list(read_log(path))
    assert [e.line for e in entries if e.record is not None][-1] == 21
    assert entries[-2].problem is not None
    assert entries[-2].problem.code == "torn-line"


def test_a_line_that_is_json_but_not_a_record_is_an_error(
    tmp_path: Path, policies: flexpolicy.PolicySet
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"outcome": "approve"}\n', encoding="utf-8")
    report = verify_log(path, policies)
    assert not report.ok
    assert [(p.line, p.code) for p in report.problems] == [(1, "bad-record")]
