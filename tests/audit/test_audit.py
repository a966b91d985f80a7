"""The decision log: records replay exactly, masks hide people, writes survive crashes,
and the hash chain shows lines removed, moved, inserted or edited.

The CLI runs for real in a subprocess, as in tests/cli/test_cli.py; the crash test
kills a writer process with SIGKILL mid-stream and reads what it left.  The chain
is checked against its definition (SHA-256 of the previous line's bytes), computed
here independently of the library.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

import flexpolicy
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
from tests.support.paths import EXAMPLES, POLICY_FILES, RULES

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).with_name("flexpolicy")
T0 = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
GENESIS = "0" * 64
CHAIN_CODES = {"chain-broken", "seq-gap", "chain-missing"}
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


def _sha(line: bytes) -> str:
    """The chain's hash of a line: SHA-256 of its bytes without the newline."""
    return hashlib.sha256(line.removesuffix(b"\n")).hexdigest()


def _rewrite(path: Path, rows: list[dict[str, object]]) -> None:
    """Write `rows` as a forger who also redoes the chain would: only the replay can tell."""
    prev, lines = GENESIS, []
    for seq, row in enumerate(rows, start=1):
        line = json.dumps({**row, "seq": seq, "prev_sha256": prev}, separators=(",", ":"))
        prev = _sha(line.encode("utf-8"))
        lines.append(line + "\n")
    path.write_text("".join(lines), encoding="utf-8")


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
    head = _sha(logged.read_bytes().splitlines()[-1])
    assert f"{n} of {n} records re-derive exactly\nhead: seq {n}, sha256 {head}\n" in result.stdout
    as_json = run("audit", "verify", str(logged), "--policy", "rules", "--format", "json")
    document = json.loads(as_json.stdout)
    assert (document["ok"], document["verified"], document["differences"]) == (True, n, [])
    assert (document["problems"], document["head_seq"], document["head_sha256"]) == ([], n, head)


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
    ) in result.stdout
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
    assert f"{path}:5:1: error[unknown-digest]" in result.stdout
    assert "is not among the given policies" in result.stdout
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
    assert f"{path}:20:1: warning[torn-line]" in result.stdout
    assert "19 of 19 records re-derive exactly: 1 torn line skipped" in result.stdout

    s = next(iter(simulate(1, seed=8)))
    with AuditLog(path) as log:  # reopening ends the torn line first
        rec = log.record(policies.decide_situation(s), s)
    entries = list(read_log(path))
    assert [e.line for e in entries if e.record is not None][-1] == 21
    assert entries[-2].problem is not None
    assert entries[-2].problem.code == "torn-line"
    # the torn line is outside the chain: the new record links to the last complete one
    lines = path.read_bytes().splitlines()
    assert (rec.seq, rec.prev_sha256) == (20, _sha(lines[18]))
    report = verify_log(path, policies)
    assert report.ok
    assert [(p.line, p.code, p.level) for p in report.problems] == [(20, "torn-line", "warning")]
    assert (report.verified, report.head_seq, report.head_sha256) == (20, 20, _sha(lines[20]))


def test_a_line_that_is_json_but_not_a_record_is_an_error(
    tmp_path: Path, policies: flexpolicy.PolicySet
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"outcome": "approve"}\n', encoding="utf-8")
    report = verify_log(path, policies)
    assert not report.ok
    assert [(p.line, p.code) for p in report.problems] == [(1, "bad-record")]


# -- the hash chain ----------------------------------------------------------------------
def _chain_problems(path: Path, policies: flexpolicy.PolicySet) -> list[tuple[int, str]]:
    return [(p.line, p.code) for p in verify_log(path, policies).problems if p.code in CHAIN_CODES]


def _edit(line: bytes, **changes: object) -> bytes:
    """`line` with fields changed in place (`None` removes one), everything else byte-equal."""
    row = json.loads(line)
    for name, value in changes.items():
        if value is None:
            del row[name]
        else:
            row[name] = value
    return json.dumps(row, separators=(",", ":"), ensure_ascii=False).encode("utf-8") + b"\n"


def test_records_chain_across_reopenings(tmp_path: Path, policies: flexpolicy.PolicySet) -> None:
    situations = list(simulate(6, seed=9))
    path = tmp_path / "chained.jsonl"
    records: list[AuditRecord] = []
    for batch in (situations[:2], situations[2:3], situations[3:]):
        with AuditLog(path, sync=False) as log:
            records += [log.record(policies.decide_situation(s), s) for s in batch]
    lines = path.read_bytes().splitlines()
    assert [r.seq for r in records] == [json.loads(line)["seq"] for line in lines] == [*range(1, 7)]
    assert [r.prev_sha256 for r in records] == [GENESIS] + [_sha(line) for line in lines[:-1]]
    assert lines[0].startswith(b'{"v":1,"seq":1,"prev_sha256":"' + GENESIS.encode() + b'",')
    assert [r.model_dump_json().encode("utf-8") for r in records] == lines  # what was written
    report = verify_log(path, policies)
    assert (report.ok, report.problems, report.verified) == (True, [], 6)
    assert (report.head_seq, report.head_sha256) == (6, _sha(lines[-1]))


def _forged(lines: list[bytes]) -> list[bytes]:
    """A line inserted after line 3 by someone who knows the chain: only line 5 can tell."""
    forged = _edit(lines[2], decision_id="f" * 32, seq=4, prev_sha256=_sha(lines[2]))
    return [*lines[:3], forged, *lines[3:]]


TAMPERING: dict[str, tuple[Callable[[list[bytes]], list[bytes]], list[tuple[int, str]]]] = {
    "middle-line-deleted": (lambda ls: ls[:4] + ls[5:], [(5, "chain-broken")]),
    "lines-swapped": (
        lambda ls: [*ls[:3], ls[4], ls[3], *ls[5:]],
        [(4, "chain-broken"), (5, "chain-broken"), (6, "chain-broken")],
    ),
    "at-edited": (
        lambda ls: [*ls[:2], ls[2].replace(b"T09:30:00Z", b"T09:31:00Z"), *ls[3:]],
        [(4, "chain-broken")],
    ),
    "decision-id-edited": (
        lambda ls: [*ls[:2], _edit(ls[2], decision_id="0" * 32), *ls[3:]],
        [(4, "chain-broken")],
    ),
    "forged-line-inserted": (_forged, [(5, "chain-broken")]),
    "line-duplicated": (lambda ls: [*ls[:3], ls[2], *ls[3:]], [(4, "chain-broken")]),
    "first-line-deleted": (lambda ls: ls[1:], [(1, "chain-broken")]),
    "seq-edited": (
        lambda ls: [*ls[:5], _edit(ls[5], seq=60), *ls[6:]],
        [(6, "seq-gap"), (7, "chain-broken")],
    ),
    "chain-fields-removed": (
        lambda ls: [*ls[:5], _edit(ls[5], seq=None, prev_sha256=None), *ls[6:]],
        [(6, "chain-missing"), (7, "chain-broken")],
    ),
}


@pytest.mark.parametrize("how", list(TAMPERING))
def test_tampering_breaks_the_chain_on_the_line_where_it_shows(
    how: str, logged: Path, tmp_path: Path, policies: flexpolicy.PolicySet
) -> None:
    tamper, expected = TAMPERING[how]
    lines = logged.read_bytes().splitlines(keepends=True)[:10]
    path = tmp_path / f"{how}.jsonl"
    path.write_bytes(b"".join(lines))
    assert _chain_problems(path, policies) == []
    path.write_bytes(b"".join(tamper(lines)))
    report = verify_log(path, policies)
    assert [(p.line, p.code) for p in report.problems if p.code in CHAIN_CODES] == expected
    assert not report.ok
    assert report.differences == []  # the replay alone would have seen nothing


def test_a_chain_break_names_the_line_before_and_the_missing_seq(
    logged: Path, tmp_path: Path, policies: flexpolicy.PolicySet
) -> None:
    lines = logged.read_bytes().splitlines(keepends=True)[:10]
    path = tmp_path / "gap.jsonl"
    path.write_bytes(b"".join(lines[:4] + lines[5:]))
    (problem,) = verify_log(path, policies).problems
    assert (problem.line, problem.code, problem.level) == (5, "chain-broken", "error")
    assert problem.message == (
        "`prev_sha256` does not match line 4 (seq 4): a record was removed, inserted, "
        "reordered or edited; `seq` 6 follows 4"
    )
    path.write_bytes(b"".join(lines[1:]))
    (problem,) = verify_log(path, policies).problems
    assert problem.message == (
        "`prev_sha256` of the first record is not the genesis value (64 zeros): "
        "records before it were removed (its `seq` is 2)"
    )
    path.write_bytes(b"".join([*lines[:5], _edit(lines[5], seq=60), *lines[6:]]))
    gap, _ = verify_log(path, policies).problems
    assert (gap.line, gap.code) == (6, "seq-gap")
    assert gap.message == (
        "`seq` is 60, not 6, on the record after line 5, although `prev_sha256` matches: "
        "the `seq` was edited"
    )


def test_the_last_records_removed_or_edited_show_only_against_a_kept_head(
    logged: Path, tmp_path: Path, policies: flexpolicy.PolicySet
) -> None:
    """What a chain cannot show alone (docs/audit.md): the head kept elsewhere can."""
    lines = logged.read_bytes().splitlines(keepends=True)[:10]
    path = tmp_path / "head.jsonl"
    path.write_bytes(b"".join(lines))
    kept = verify_log(path, policies)
    assert (kept.head_seq, kept.head_sha256) == (10, _sha(lines[9]))

    path.write_bytes(b"".join(lines[:9]))
    cut = verify_log(path, policies)
    assert cut.ok
    assert (cut.head_seq, cut.head_sha256) == (9, _sha(lines[8]))  # not the kept head

    path.write_bytes(b"".join([*lines[:9], lines[9].replace(b"T09:30:00Z", b"T09:31:00Z")]))
    edited = verify_log(path, policies)
    assert edited.ok
    assert edited.head_seq == 10
    assert edited.head_sha256 != kept.head_sha256


def test_the_cli_reports_chain_breaks_and_the_head(logged: Path, tmp_path: Path) -> None:
    lines = logged.read_bytes().splitlines(keepends=True)[:10]
    path = tmp_path / "broken.jsonl"
    path.write_bytes(b"".join(lines[:4] + lines[5:]))
    result = run("audit", "verify", str(path), "--policy", "rules")
    assert result.returncode == 1
    assert (
        f"{path}:5:1: error[chain-broken]: `prev_sha256` does not match line 4 (seq 4): "
        "a record was removed, inserted, reordered or edited; `seq` 6 follows 4\n"
        f"9 of 9 records re-derive exactly: 1 chain break\nhead: seq 10, sha256 {_sha(lines[9])}\n"
    ) in result.stdout  # the findings, then the summary: one stream, in order
    assert result.stderr == ""
    document = json.loads(
        run("audit", "verify", str(path), "--policy", "rules", "--format", "json").stdout
    )
    assert (document["ok"], document["head_seq"], document["head_sha256"]) == (
        False,
        10,
        _sha(lines[9]),
    )
    assert [(p["line"], p["code"], p["level"]) for p in document["problems"]] == [
        (5, "chain-broken", "error")
    ]
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    result = run("audit", "verify", str(empty), "--policy", "rules")
    assert result.returncode == 0
    assert result.stdout == "0 of 0 records re-derive exactly\nhead: none (no chained record)\n"


def test_a_line_torn_by_another_writer_is_ended_and_left_out_of_the_chain(
    tmp_path: Path, policies: flexpolicy.PolicySet
) -> None:
    s0, s1 = simulate(2, seed=6)
    path = tmp_path / "shared.jsonl"
    with AuditLog(path, sync=False) as log:
        first = log.record(policies.decide_situation(s0), s0)
        with path.open("ab") as other:  # another process, killed in the middle of its line
            other.write(b'{"v":1,"seq":2,"prev_sha256":"' + _sha(b"").encode())
        second = log.record(policies.decide_situation(s1), s1)
    lines = path.read_bytes().split(b"\n")
    assert len(lines) == 4  # the torn line was ended: the record is a line of its own
    assert lines[2] == second.model_dump_json().encode("utf-8")
    assert (first.seq, second.seq, second.prev_sha256) == (1, 2, _sha(lines[0]))
    report = verify_log(path, policies)
    assert report.ok
    assert [(p.line, p.code) for p in report.problems] == [(2, "torn-line")]


def test_a_last_record_that_lost_only_its_newline_stays_in_the_chain(
    tmp_path: Path, policies: flexpolicy.PolicySet
) -> None:
    """It reads as a record, so the chain counts it: writer and reader agree."""
    situations = list(simulate(3, seed=12))
    path = tmp_path / "newline.jsonl"
    with AuditLog(path, sync=False) as log:
        for s in situations[:2]:
            log.record(policies.decide_situation(s), s)
    path.write_bytes(path.read_bytes().removesuffix(b"\n"))
    with AuditLog(path, sync=False) as log:
        rec = log.record(policies.decide_situation(situations[2]), situations[2])
    lines = path.read_bytes().splitlines()
    assert (rec.seq, rec.prev_sha256) == (3, _sha(lines[1]))
    report = verify_log(path, policies)
    assert (report.ok, report.problems, report.verified) == (True, [], 3)


def test_the_head_is_found_behind_long_lines_and_a_long_torn_tail(
    tmp_path: Path, policies: flexpolicy.PolicySet
) -> None:
    """Lines longer than the blocks the tail is read in (8 KiB, growing)."""
    s = next(iter(simulate(1, seed=13)))
    notes = {f"note{i}": "x" * 9_000 for i in range(40)}
    long = s.model_copy(update={"customer": s.customer.model_copy(update={"attributes": notes})})
    path = tmp_path / "long.jsonl"
    with AuditLog(path, sync=False) as log:
        for _ in range(2):
            log.record(policies.decide_situation(long), long)
    with path.open("ab") as other:
        other.write(b'{"v":1,"seq":3,' + b"y" * 200_000)
    with AuditLog(path, sync=False) as log:
        rec = log.record(policies.decide_situation(s), s)
    lines = path.read_bytes().splitlines()
    assert len(lines[1]) > 350_000
    assert (rec.seq, rec.prev_sha256) == (3, _sha(lines[1]))
    report = verify_log(path, policies)
    assert report.ok
    assert [(p.line, p.code) for p in report.problems] == [(3, "torn-line")]


CHAINED_WRITER = """
import sys
import threading
from datetime import UTC, datetime
import flexpolicy
from flexpolicy.audit import AuditLog
from flexpolicy.authoring import simulate
path, rules, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
policies = flexpolicy.load_policies(rules)
pairs = [(policies.decide_situation(s), s) for s in simulate(300, seed=seed)]
when = datetime(2026, 1, seed, tzinfo=UTC)
with AuditLog(path, sync=False, clock=lambda: when) as log:
    def write():
        for d, s in pairs:
            log.record(d, s)
    threads = [threading.Thread(target=write) for _ in range(2)]
    print("ready", flush=True)
    sys.stdin.readline()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
"""


def test_processes_and_threads_appending_to_one_log_keep_one_chain(
    tmp_path: Path, policies: flexpolicy.PolicySet
) -> None:
    path = tmp_path / "shared.jsonl"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", CHAINED_WRITER, str(path), str(RULES), str(seed)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for seed in (1, 2)
    ]
    situations = list(simulate(100, seed=3))
    pairs = [(policies.decide_situation(s), s) for s in situations]
    with AuditLog(path, sync=False, clock=lambda: datetime(2026, 1, 3, tzinfo=UTC)) as log:

        def write() -> None:
            for d, s in pairs:
                log.record(d, s)

        threads = [threading.Thread(target=write) for _ in range(2)]
        for w in writers:
            assert w.stdout is not None
            assert w.stdout.readline() == "ready\n"
        for w in writers:  # all open, all ready: go
            assert w.stdin is not None
            w.stdin.write("go\n")
            w.stdin.close()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    for w in writers:
        assert w.wait(timeout=120) == 0
        assert w.stdout is not None
        w.stdout.close()

    lines = path.read_bytes().splitlines()
    rows = [json.loads(line) for line in lines]
    assert len(rows) == 2 * 2 * 300 + 2 * 100
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    assert [r["prev_sha256"] for r in rows] == [GENESIS] + [_sha(line) for line in lines[:-1]]
    writer_of = [r["at"][:10] for r in rows]
    assert sorted(set(writer_of)) == ["2026-01-01", "2026-01-02", "2026-01-03"]
    runs = 1 + sum(a != b for a, b in itertools.pairwise(writer_of))
    assert runs > 3, "the writers never overlapped: the test proved nothing"
    report = verify_log(path, policies)
    assert (report.ok, report.problems, report.verified) == (True, [], len(rows))
    assert report.head_seq == len(rows)


# -- release 2: fees, remedy options and promises ------------------------------------
RESTOCKING = """
policy: restocking
version: "1"
applies_to: [return]
roles: [associate]
params:
  restocking_rate: 0.15
rules:
  - id: opened-camera
    when: [days_since_purchase <= 15, request.item_condition == "opened"]
    outcome: approve
    remedy: [refund, exchange]
    fee: round(item_total * restocking_rate, 2)
    promise: {what: refund to the original payment, within_days: 5}
default:
  outcome: deny
"""


def _restocking_log(tmp_path: Path) -> tuple[flexpolicy.Policy, Path]:
    """One approval with a fee, two remedies and a promise, logged."""
    policy = flexpolicy.Policy.from_yaml(RESTOCKING)
    situation = flexpolicy.Situation.model_validate(
        {
            "request": {
                "id": "R-1",
                "kind": "return",
                "requested_at": "2026-11-20",
                "transaction_id": "T-1",
                "sku": "CAM-1",
                "item_condition": "opened",
            },
            "customer": {"id": "C-1", "tier": 2},
            "transaction": {
                "id": "T-1",
                "purchased_at": "2026-11-10",
                "items": [{"sku": "CAM-1", "unit_price": "400.00"}],
            },
        }
    )
    path = tmp_path / "restocking.jsonl"
    with AuditLog(path, clock=_clock) as log:
        log.record(policy.decide_situation(situation), situation)
    return policy, path


def test_a_record_holds_the_fee_the_remedy_options_and_the_promises(tmp_path: Path) -> None:
    policy, path = _restocking_log(tmp_path)
    row = _lines(path)[0]
    assert (row["fee"], row["remedies"], row["amount"]) == (
        "60.00",
        ["refund", "exchange"],
        "340.00",
    )
    assert row["promises"] == [{"what": "refund to the original payment", "due": "2026-11-25"}]
    assert list(row)[list(row).index("bends") + 1 :][:3] == ["fee", "remedies", "promises"]
    assert verify_log(path, policy).ok


@pytest.mark.parametrize(
    ("field", "logged", "now"),
    [
        ("fee", "6.00", "60.00"),
        ("fee", None, "60.00"),  # a line that says "no fee" is compared, unlike one without `fee`
        ("remedies", ["refund"], ["refund", "exchange"]),
        ("remedies", ["exchange", "refund"], ["refund", "exchange"]),  # the first is the default
        ("promises", [], [{"what": "refund to the original payment", "due": "2026-11-25"}]),
        (
            "promises",
            [{"what": "refund to the original payment", "due": "2026-12-25"}],
            [{"what": "refund to the original payment", "due": "2026-11-25"}],
        ),
    ],
    ids=["fee", "fee-null", "remedy-dropped", "remedies-reordered", "promise-dropped", "due-moved"],
)
def test_a_changed_fee_remedy_or_promise_is_a_difference(
    tmp_path: Path, field: str, logged: object, now: object
) -> None:
    policy, path = _restocking_log(tmp_path)
    rows = _lines(path)
    rows[0][field] = logged
    _rewrite(path, rows)
    report = verify_log(path, policy)
    assert [(d.line, d.field, d.logged, d.now) for d in report.differences] == [
        (1, field, logged, now)
    ]
    assert report.verified == 0
    assert not report.ok


def test_the_cli_names_a_changed_fee(tmp_path: Path) -> None:
    _, path = _restocking_log(tmp_path)
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "restocking.yaml").write_text(RESTOCKING, encoding="utf-8")
    rows = _lines(path)
    rows[0]["fee"] = "6.00"
    _rewrite(path, rows)
    result = run("audit", "verify", str(path), "--policy", str(rules))
    assert result.returncode == 1
    assert f"{path}:1:1: error[differs]: decision `{rows[0]['decision_id']}`: " in result.stdout
    assert "`fee` logged `6.00`, now `60.00`" in result.stdout


def test_a_record_written_before_release_two_replays_without_differences(tmp_path: Path) -> None:
    policy, path = _restocking_log(tmp_path)
    rows = _lines(path)
    for name in ("fee", "remedies", "promises"):
        del rows[0][name]
    _rewrite(path, rows)
    (record,) = [entry.record for entry in read_log(path)]
    assert record is not None
    assert (record.fee, record.remedies, record.promises) == (None, None, None)
    report = verify_log(path, policy)
    assert (report.ok, report.verified, report.differences) == (True, 1, [])
    rows[0]["outcome"] = "deny"  # what an old line does hold is still compared
    _rewrite(path, rows)
    assert [d.field for d in verify_log(path, policy).differences] == ["outcome"]
