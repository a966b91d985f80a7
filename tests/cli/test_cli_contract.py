"""The command line's contract, command by command (docs/cli.md).

One exit-code scheme for every command (0 success, 1 the command's negative
finding, 2 a usage or input error, 3 incomplete, 4 a bug), `--version`, `-` for
standard input, `check`'s report on one stream, located errors in JSON Lines
batches, a `check` that cannot run never passing, durable-rules' real import
error, and nothing from input reaching the terminal as a control sequence.
Every command runs for real, as the console script, in a subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pytest
import yaml

import flexpolicy
from flexpolicy.audit import AuditLog
from tests.analysis.test_verify import UNFAIR  # a tier-4 customer gets more than tier 5: refuted
from tests.support.cli import ADAPTER, ROOT, SCRIPT

DEFECTS = ROOT / "tests" / "defects"
SHADOWED = DEFECTS / "shadowed-by-two.yaml"
# Everything a hostile file can put in front of a terminal.
HOSTILE = "\x1b[31mred\x1b[0m \x1b]0;pwned\x07 over\rwrite \u202eevil\u202c \x9b2J \x07bell"
RAW = ("\x1b", "\x07", "\r", "\u202e", "\u202c", "\x9b")


def cli(
    *args: str,
    stdin: str | None = None,
    path: tuple[Path, ...] = (),
    cwd: Path = ROOT,
) -> subprocess.CompletedProcess[str]:
    """The console script; `path` puts folders first on `PYTHONPATH` (fake modules)."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    env["PYTHONPATH"] = os.pathsep.join(
        [*map(str, path), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    return subprocess.run(
        [str(SCRIPT), *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env=env,
    )


def _package(root: Path, name: str, body: str) -> Path:
    """A folder holding a module `name` whose import runs `body` (a fake install)."""
    (root / name).mkdir(parents=True)
    (root / name / "__init__.py").write_text(body, encoding="utf-8")
    return root


@pytest.fixture
def no_z3(tmp_path: Path) -> Path:
    """A path entry where `import z3` fails as it does when z3-solver is not installed."""
    return _package(
        tmp_path / "no-z3",
        "z3",
        "raise ModuleNotFoundError(\"No module named 'z3'\", name='z3')\n",
    )


@pytest.fixture
def broken_z3(tmp_path: Path) -> Path:
    """A path entry where z3-solver is installed but its library does not load."""
    return _package(
        tmp_path / "broken-z3",
        "z3",
        "raise ImportError('libz3.so: cannot open shared object file')\n",
    )


def _situation() -> dict[str, object]:
    data = yaml.safe_load((ROOT / ADAPTER).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _jsonl(*situations: object) -> str:
    return "".join(json.dumps(s, default=str) + "\n" for s in situations)


# -- a check that could not run never passes ------------------------------------------


def test_check_without_z3_is_incomplete_not_a_pass(no_z3: Path) -> None:
    result = cli("check", str(SHADOWED), path=(no_z3,))
    assert result.returncode == 3, result.stdout
    assert "no problems" not in result.stdout
    lines = result.stdout.splitlines()
    assert lines[0] == "1 file checked, incomplete: 0 errors, 0 warnings"
    assert "shadowed rules" in lines[1]
    assert lines[1].endswith(": z3-solver is not installed")
    assert "pip install 'flexpolicy[verify]'" in lines[2]
    assert "--no-exact" in lines[2]
    assert result.stderr == ""


def test_check_says_why_an_installed_z3_does_not_load(broken_z3: Path) -> None:
    result = cli("check", str(SHADOWED), path=(broken_z3,))
    assert result.returncode == 3
    assert "z3-solver is installed but does not import: libz3.so: cannot open" in result.stdout


def test_check_without_z3_in_json_says_incomplete(no_z3: Path) -> None:
    result = cli("check", "--format", "json", str(SHADOWED), path=(no_z3,))
    assert result.returncode == 3
    document = json.loads(result.stdout)
    assert (document["exact"], document["complete"], document["errors"]) == (False, False, 0)
    (why,) = document["incomplete"]
    assert "z3-solver is not installed" in why


def test_no_exact_asks_for_the_checks_without_the_solver(no_z3: Path) -> None:
    result = cli("check", "--no-exact", str(SHADOWED), path=(no_z3,))
    assert result.returncode == 0, result.stdout
    assert result.stdout == (
        "1 file checked, no problems (the solver checks were skipped: --no-exact)\n"
    )


def test_an_error_found_without_z3_still_exits_1(no_z3: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("policy: p\nversion: '1'\n", encoding="utf-8")
    result = cli("check", str(bad), path=(no_z3,))
    assert result.returncode == 1  # a known error outranks "incomplete"
    assert "incomplete" in result.stdout


def test_verify_without_z3_is_incomplete(no_z3: Path) -> None:
    result = cli(
        "verify", "rules/returns.yaml", "--property", "monotone:customer.tier", path=(no_z3,)
    )
    assert result.returncode == 3
    assert result.stderr == (
        "error: `verify` needs the solver: z3-solver is not installed\n"
        "    hint: pip install 'flexpolicy[verify]'\n"
    )


# -- check prints its report on one stream ----------------------------------------------


def test_check_prints_findings_and_summary_in_order_on_stdout() -> None:
    result = cli("check", str(SHADOWED))
    assert result.returncode == 1
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{SHADOWED}:14:5: error[shadowed-rule]: rule `store-fault`")
    assert lines[1].startswith("    hint: move `store-fault` above")
    assert lines[2].startswith("    counterexample: {")
    assert lines[-1] == "1 file checked: 1 error, 0 warnings"


# -- one exit-code scheme ---------------------------------------------------------------


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of inputs, one per failure kind."""
    root = tmp_path_factory.mktemp("inputs")
    (root / "empty").mkdir()
    (root / "unfair.yaml").write_text(UNFAIR, encoding="utf-8")
    (root / "bad-policy.yaml").write_text(
        "policy: p\nversion: '1'\napplies_to: [return]\nroles: [associate]\n"
        "rules:\n  - id: r\n    when: customer.teir >= 4\n    outcome: approve\n",
        encoding="utf-8",
    )
    bad = _situation()
    bad["request"]["sku"] = "NOPE"  # type: ignore[index]
    (root / "bad-situation.yaml").write_text(yaml.safe_dump(bad), encoding="utf-8")
    (root / "not-yaml.yaml").write_text("request: [unclosed\n", encoding="utf-8")
    (root / "history.jsonl").write_text(_jsonl(_situation()), encoding="utf-8")
    # A question the solver cannot settle in a millisecond: cubes.
    cubes = (DEFECTS / "impossible-tier.yaml").read_text(encoding="utf-8")
    assert "when: customer.tier > 5" in cubes
    (root / "cubes.yaml").write_text(
        cubes.replace(
            "when: customer.tier > 5",
            "when: [customer.purchases_12m * customer.purchases_12m * customer.purchases_12m"
            " == 2 * customer.returns_12m * customer.returns_12m * customer.returns_12m + 1,"
            " customer.purchases_12m > 1000]",
        ),
        encoding="utf-8",
    )
    policies = flexpolicy.load_policies(ROOT / "rules")
    (situation,) = flexpolicy.read_situations(ROOT / ADAPTER)
    with AuditLog(root / "good.jsonl", sync=False) as log:
        log.record(
            policies.decide_situation(situation), situation, at=datetime(2026, 1, 1, tzinfo=UTC)
        )
    record = json.loads((root / "good.jsonl").read_text(encoding="utf-8"))
    record["outcome"] = "approve" if record["outcome"] != "approve" else "deny"
    (root / "tampered.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    return root


# (command, arguments; `{d}` is the inputs folder) and the exit code each must give.
TABLE = [
    # 0: success
    ("decide", "--policy rules " + ADAPTER, 0),
    ("explain", "--policy rules " + ADAPTER, 0),
    ("check", "rules", 0),
    ("verify", "rules/returns.yaml --property monotone:customer.tier", 0),
    ("doc", "rules/returns.yaml", 0),
    ("diff", "rules rules --history {d}/history.jsonl", 0),
    ("simulate", "--n 2", 0),
    ("schema", "", 0),
    ("demo", "", 0),
    ("audit", "verify {d}/good.jsonl --policy rules", 0),
    # 1: the command's negative finding
    ("check", "{d}/bad-policy.yaml", 1),
    ("check", str(SHADOWED), 1),
    ("verify", "{d}/unfair.yaml --property monotone:customer.tier", 1),
    ("audit", "verify {d}/tampered.jsonl --policy rules", 1),
    # 2: a missing file
    ("decide", "--policy rules {d}/missing.yaml", 2),
    ("decide", "--policy {d}/missing " + ADAPTER, 2),
    ("explain", "--policy rules {d}/missing.yaml", 2),
    ("check", "{d}/missing.yaml", 2),
    ("verify", "{d}/missing.yaml --property monotone:customer.tier", 2),
    ("doc", "{d}/missing.yaml", 2),
    ("diff", "{d}/missing rules --history {d}/history.jsonl", 2),
    ("diff", "rules rules --history {d}/missing.jsonl", 2),
    ("demo", "--examples {d}/missing", 2),
    ("demo", "--rules {d}/missing", 2),
    ("audit", "verify {d}/missing.jsonl --policy rules", 2),
    ("case", "sweep --as-of 2026-01-01 --rules {d}/missing.yaml --db sqlite:///{d}/c.db", 2),
    # 2: an empty directory
    ("decide", "--policy {d}/empty " + ADAPTER, 2),
    ("check", "{d}/empty", 2),
    ("doc", "{d}/empty", 2),
    ("demo", "--examples {d}/empty", 2),
    # 2: a bad policy or situation (input the command needs, not what it judges)
    ("decide", "--policy {d}/bad-policy.yaml " + ADAPTER, 2),
    ("decide", "--policy rules {d}/bad-situation.yaml", 2),
    ("decide", "--policy rules {d}/not-yaml.yaml", 2),
    ("explain", "--policy rules/refunds.yaml " + ADAPTER, 2),
    ("verify", "{d}/bad-policy.yaml --property monotone:customer.tier", 2),
    ("doc", "{d}/bad-policy.yaml", 2),
    ("audit", "verify {d}/good.jsonl --policy {d}/bad-policy.yaml", 2),
    ("case", "show NOPE --db sqlite:///{d}/c.db", 2),
    ("case", "stats --as-of yesterday --db sqlite:///{d}/c.db", 2),
    ("simulate", "--start 2025-13-01", 2),
    ("schema", "-o {d}/missing/schema.json", 2),
    # 2: a wrong command line
    ("decide", "", 2),
    ("decide", "--policy rules " + ADAPTER + " --bogus", 2),
    ("check", "--format yaml rules", 2),
    ("verify", "rules/returns.yaml", 2),
    ("verify", "rules/returns.yaml --property fair:customer.tier", 2),
    ("case", "log CASE-1 --at 2026-01-01 --by E-1 --db sqlite:///{d}/c.db", 2),
    ("nonsense", "", 2),
    # 3: incomplete
    ("check", "--timeout 1 {d}/cubes.yaml", 3),
]


@pytest.mark.parametrize(
    ("command", "arguments", "code"),
    TABLE,
    ids=[f"{c}-{i}-exit-{code}" for i, (c, _, code) in enumerate(TABLE)],
)
def test_every_command_follows_one_exit_code_scheme(
    files: Path, command: str, arguments: str, code: int
) -> None:
    result = cli(command, *arguments.format(d=files).split())
    assert result.returncode == code, (result.stdout[-500:], result.stderr[-500:])
    assert "Traceback" not in result.stderr
    if code == 2:
        assert result.stderr, "a usage or input error says what is wrong on stderr"
        assert "hint:" in result.stderr or "Usage:" in result.stderr or "error[" in result.stderr


def test_the_exit_codes_are_in_the_help() -> None:
    top = cli("--help").stdout
    assert "Exit codes" in top
    for code in ("0 success", "1 the command's negative finding", "2 a usage or input error"):
        assert code in " ".join(top.split()), code
    check = " ".join(cli("check", "--help").stdout.split())
    assert "3 incomplete: the solver checks did not run" in check


def test_an_unexpected_error_is_one_line_and_exit_4(capsys: pytest.CaptureFixture[str]) -> None:
    from flexpolicy.cli._errors import ExitCode, report  # noqa: PLC0415 - new in this release

    assert report(RuntimeError("boom")) == ExitCode.INTERNAL == 4
    err = capsys.readouterr().err
    assert err == (
        "error: internal error: RuntimeError: boom\n"
        "    hint: this is a bug in flexpolicy; please report it with the command that failed\n"
    )


# -- --version --------------------------------------------------------------------------


def test_version_comes_from_the_package_metadata() -> None:
    result = cli("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"flexpolicy {metadata.version('flexpolicy')}\n"
    assert metadata.version("flexpolicy") == flexpolicy.__version__


# -- `-` reads standard input -----------------------------------------------------------


@pytest.mark.parametrize("form", ["yaml", "json", "compact-json"])
def test_decide_reads_a_situation_from_stdin_in_any_format(form: str) -> None:
    data = _situation()
    text = {
        "yaml": (ROOT / ADAPTER).read_text(encoding="utf-8"),
        "json": json.dumps(data, default=str, indent=2),
        "compact-json": json.dumps(data, default=str),
    }[form]
    result = cli("decide", "--policy", "rules", "-", "--json", stdin=text)
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)  # one document, indented: not JSON Lines
    assert (decision["outcome"], decision["rule_id"]) == ("refer", "loyal-store-fault")


def test_decide_reads_json_lines_from_stdin() -> None:
    result = cli("decide", "--policy", "rules", "-", "--json", stdin=_jsonl(*[_situation()] * 3))
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["outcome"] for line in result.stdout.splitlines()] == ["refer"] * 3


def test_a_policy_from_stdin() -> None:
    policy = (ROOT / "rules" / "returns.yaml").read_text(encoding="utf-8")
    decided = cli("decide", "--policy", "-", ADAPTER, stdin=policy)
    assert decided.returncode == 0, decided.stderr
    assert "loyal-store-fault" in decided.stdout
    explained = cli("explain", "--policy", "-", ADAPTER, stdin=policy)
    assert "<- the decision" in explained.stdout
    documented = cli("doc", "-", stdin=policy)
    assert documented.stdout.startswith("# Returns")
    checked = cli("check", "-", stdin=policy)
    assert (checked.returncode, checked.stdout) == (0, "1 file checked, no problems\n")
    verified = cli("verify", "-", "--property", "monotone:customer.tier", stdin=policy)
    assert verified.returncode == 0, verified.stderr


def test_a_bad_policy_from_stdin_is_located_as_stdin() -> None:
    result = cli("check", "-", stdin="policy: p\nversion: '1'\n")
    assert result.returncode == 1
    assert result.stdout.startswith("<stdin>:")
    result = cli("decide", "--policy", "-", ADAPTER, stdin="policy: p\nversion: '1'\n")
    assert result.returncode == 2
    assert result.stderr.startswith("<stdin>:")


def test_stdin_can_be_read_once() -> None:
    result = cli("decide", "--policy", "-", "-", stdin="")
    assert result.returncode == 2
    assert "only one argument can be `-`" in result.stderr


# -- errors in a JSON Lines batch name the line ------------------------------------------


def test_a_json_lines_batch_names_the_line_of_each_error(tmp_path: Path) -> None:
    good = _situation()
    contradictory = _situation()
    contradictory["request"]["sku"] = "NOPE"  # type: ignore[index]
    batch = tmp_path / "batch.jsonl"
    batch.write_text(_jsonl(good) + "\n" + _jsonl(contradictory), encoding="utf-8")
    result = cli("decide", "--policy", "rules", str(batch), "--json")
    assert result.returncode == 2
    assert len(result.stdout.splitlines()) == 1  # the first line was decided
    assert result.stderr.startswith(f"{batch}:3: error[contradictory-facts]: sku `NOPE`")

    batch.write_text(_jsonl(good, good) + "{not json\n", encoding="utf-8")
    result = cli("decide", "--policy", "rules", str(batch), "--json")
    assert result.returncode == 2
    assert result.stderr.startswith(f"{batch}:3: error[bad-file]: not JSON")

    result = cli("decide", "--policy", "rules", "-", stdin=_jsonl(good, good) + "{not json\n")
    assert result.returncode == 2
    assert result.stderr.startswith("<stdin>:3: error[bad-file]: not JSON")


# -- demo ---------------------------------------------------------------------------------


def test_demo_runs_from_any_folder(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()  # a folder named like the repository's is not read
    result = cli("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    examples = sorted((ROOT / "examples" / "situations").glob("*.yaml"))
    assert f"{len(examples)} situations" in result.stdout


@pytest.mark.parametrize("folder", ["missing", "empty"])
def test_demo_with_no_examples_is_an_error(tmp_path: Path, folder: str) -> None:
    (tmp_path / "empty").mkdir()
    result = cli("demo", "--examples", str(tmp_path / folder))
    assert result.returncode == 2
    assert "0 situations" not in result.stdout
    assert result.stderr.startswith("error: ")


# -- durable-rules installed but broken ----------------------------------------------------


def _load_durable(fake: Path) -> subprocess.CompletedProcess[str]:
    code = (
        "import flexpolicy\n"
        "try:\n"
        "    flexpolicy.load_policy('rules/returns.yaml', engine='durable')\n"
        "except flexpolicy.PolicyError as exc:\n"
        "    print(exc.code); print(exc.message); print(exc.hint)\n"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(fake), *filter(None, [env.get("PYTHONPATH")])])
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def test_durable_rules_built_for_an_older_python_says_the_cause_and_the_fix(
    tmp_path: Path,
) -> None:
    fake = _package(
        tmp_path,
        "durable",
        "raise ImportError('/venv/lib/python3.13/site-packages/durable_rules_engine"
        ".cpython-313-x86_64-linux-gnu.so: undefined symbol: PyEval_CallObject')\n",
    )
    result = _load_durable(fake)
    code, message, hint = result.stdout.splitlines()
    assert code == "engine-unavailable"
    assert message.startswith("durable-rules is installed but does not import: ")
    assert message.endswith("undefined symbol: PyEval_CallObject")
    assert (
        "CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject pip install --no-binary durable-rules "
        "--force-reinstall durable-rules"
    ) in hint


def test_durable_rules_not_installed_is_told_apart(tmp_path: Path) -> None:
    fake = _package(
        tmp_path,
        "durable",
        "raise ModuleNotFoundError(\"No module named 'durable'\", name='durable')\n",
    )
    code, message, hint = _load_durable(fake).stdout.splitlines()
    assert code == "engine-unavailable"
    assert "not installed" in message
    assert "pip install 'flexpolicy[durable]'" in hint


# -- nothing from input reaches the terminal raw -------------------------------------------


def test_printable_strips_escape_sequences_and_bidi_controls() -> None:
    from flexpolicy.cli._render import printable  # noqa: PLC0415 - new in this release

    assert printable("\x1b[31mred\x1b[0m") == "red"
    assert printable("a\x1b]0;title\x07b") == "ab"
    assert printable("a\x1b]0;title\x1b\\b") == "ab"
    assert printable("over\rwrite") == "overwrite"
    assert printable("\u202eevil\u202c") == "evil"
    assert printable("\x9b2Jx\x85y\x7f") == "xy"
    assert printable("tab\tand\nnewline") == "tab\tand\nnewline"
    assert printable("tab\tand\nnewline", newlines=False) == "tab and newline"
    assert printable("plain text, café, 59.99") == "plain text, café, 59.99"
    for raw in RAW:
        assert raw not in printable(HOSTILE)


def test_json_safe_escapes_without_changing_the_data() -> None:
    from flexpolicy.cli._render import json_safe  # noqa: PLC0415 - new in this release

    document = json.dumps({"title": "a\u202eb\x85c\x7f"}, ensure_ascii=False)
    safe = json_safe(document)
    assert all(ch not in safe for ch in "\u202e\x85\x7f")
    assert json.loads(safe) == json.loads(document)


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A policy and a situation whose free text is full of control sequences."""
    situation = _situation()
    situation["title"] = f"title {HOSTILE}"
    situation["request"]["id"] = f"REQ-{HOSTILE}"  # type: ignore[index]
    situation["transaction"]["items"][1]["description"] = f"adapter {HOSTILE}"  # type: ignore[index]
    (tmp_path / "s.yaml").write_text(
        yaml.safe_dump(situation, allow_unicode=True), encoding="utf-8"
    )
    (tmp_path / "s.jsonl").write_text(_jsonl(situation), encoding="utf-8")
    policy = (ROOT / "rules" / "returns.yaml").read_text(encoding="utf-8")
    escaped = json.dumps(HOSTILE)[1:-1]  # YAML double quotes read JSON escapes
    policy = policy.replace('version: "2026.11"', f'version: "2026.11 {escaped}"', 1)
    policy = policy.replace("\ntitle: Returns\n", f'\ntitle: "Returns {escaped}"\n', 1)
    (tmp_path / "returns.yaml").write_text(policy, encoding="utf-8")
    return tmp_path


def _clean(result: subprocess.CompletedProcess[str]) -> None:
    for raw in RAW:
        assert raw not in result.stdout, (raw, result.stdout[:300])
        assert raw not in result.stderr, (raw, result.stderr[:300])


def test_nothing_from_input_reaches_the_terminal_raw(hostile: Path) -> None:
    policy, situation = str(hostile / "returns.yaml"), str(hostile / "s.yaml")
    for args in (
        ("decide", "--policy", policy, situation),
        ("decide", "--policy", policy, situation, "--json"),
        ("decide", "--policy", policy, str(hostile / "s.jsonl"), "--json"),
        ("explain", "--policy", policy, situation),
        ("doc", policy),
        ("doc", policy, "--format", "html"),
        ("check", policy),
        ("check", policy, "--format", "json"),
        ("diff", "rules/returns.yaml", policy, "--history", str(hostile / "s.jsonl")),
        ("verify", policy, "--property", "monotone:customer.tier"),
    ):
        result = cli(*args)
        assert result.returncode in (0, 1), (args, result.stderr)
        _clean(result)
    decided = cli("decide", "--policy", policy, situation)
    assert "title red  over" in decided.stdout  # the text stays, the controls go


def test_a_hostile_error_message_is_clean(tmp_path: Path) -> None:
    situation = _situation()
    situation["request"]["sku"] = f"NOPE{HOSTILE}"  # type: ignore[index]
    file = tmp_path / "s.yaml"
    file.write_text(yaml.safe_dump(situation, allow_unicode=True), encoding="utf-8")
    result = cli("decide", "--policy", "rules", str(file))
    assert result.returncode == 2
    assert "error[" in result.stderr
    _clean(result)


def test_case_notes_and_by_reach_the_terminal_clean(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cases.db'}"
    opened = cli(
        "case", "open", "--customer", f"C-{HOSTILE}", "--subject", f"late {HOSTILE}",
        "--at", "2026-11-01", "--by", f"E-{HOSTILE}", "--note", f"said {HOSTILE}",
        "--id", "CASE-1", "--db", db,
    )  # fmt: skip
    assert opened.returncode == 0, opened.stderr
    logged = cli(
        "case", "log", "CASE-1", "--at", "2026-11-02", "--by", f"E-{HOSTILE}",
        "--contact", "phone", "--note", f"again {HOSTILE}", "--db", db,
    )  # fmt: skip
    assert logged.returncode == 0, logged.stderr
    for args in (
        ("show", "CASE-1"),
        ("show", "CASE-1", "--json"),
        ("stats", "--as-of", "2026-11-20"),
    ):
        result = cli("case", *args, "--db", db)
        assert result.returncode == 0, result.stderr
        _clean(result)
    shown = cli("case", "show", "CASE-1", "--db", db)
    assert "said red  over" in shown.stdout
