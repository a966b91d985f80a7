"""One `--format` for every command whose output a program may read (docs/cli.md).

For each command the table names: `--format json` prints JSON, the same JSON as its
`--json` alias and as both together, and `--format text` is what the command prints
with neither; `--json` with `--format text` is a usage error, and so is a format the
command does not know (exit 2, `ExitCode.USAGE`).  Every command runs for real, as
the console script, in a subprocess.
"""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import flexpolicy
from flexpolicy.audit import AuditLog
from flexpolicy.cli._errors import ExitCode
from flexpolicy.cli._options import DocFormat, Format
from tests.support.cli import ADAPTER, ROOT, SCRIPT


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A history, a decision log and a case book with one case, for the commands below."""
    root = tmp_path_factory.mktemp("formats")
    (situation,) = flexpolicy.read_situations(ROOT / ADAPTER)
    line = situation.model_dump_json(exclude_none=True) + "\n"
    (root / "history.jsonl").write_text(line * 3, encoding="utf-8")
    policies = flexpolicy.load_policies(ROOT / "rules")
    with AuditLog(root / "log.jsonl", sync=False) as log:
        log.record(
            policies.decide_situation(situation), situation, at=datetime(2026, 1, 1, tzinfo=UTC)
        )
    opened = cli(
        "case", "open", "--customer", "C-1", "--subject", "late parcel", "--at", "2026-11-01",
        "--by", "E-1", "--id", "CASE-1", "--db", f"sqlite:///{root / 'cases.db'}",
    )  # fmt: skip
    assert opened.returncode == 0, opened.stderr
    return root


# (name, arguments; `{d}` is the inputs folder, the exit code of a run that ran).
COMMANDS = [
    ("decide", "decide --policy rules " + ADAPTER, 0),
    ("decide-batch", "decide --policy rules {d}/history.jsonl", 0),
    ("explain", "explain --policy rules " + ADAPTER, 0),
    ("check", "check rules", 0),
    ("check-finding", "check tests/defects/shadowed-by-two.yaml", 1),
    ("verify", "verify rules/returns.yaml --property monotone:customer.tier", 0),
    ("diff", "diff rules rules --history {d}/history.jsonl --no-progress", 0),
    ("audit-verify", "audit verify {d}/log.jsonl --policy rules", 0),
    ("case-show", "case show CASE-1 --as-of 2026-11-20 --db sqlite:///{d}/cases.db", 0),
    ("case-sweep", "case sweep --as-of 2026-11-02 --db sqlite:///{d}/cases.db", 0),
    ("case-stats", "case stats --as-of 2026-11-20 --db sqlite:///{d}/cases.db", 0),
]
IDS = [name for name, _, _ in COMMANDS]


def _args(arguments: str, inputs: Path) -> list[str]:
    return arguments.format(d=inputs).split()


def _parsed(result: subprocess.CompletedProcess[str]) -> Any:
    """The JSON on stdout: one document, or JSON Lines (one per situation of a batch)."""
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        return [json.loads(line) for line in result.stdout.splitlines()]


def _untimed(value: Any) -> Any:
    """`value` without its `seconds` (how long a proof took differs from run to run)."""
    if isinstance(value, dict):
        return {k: _untimed(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [_untimed(v) for v in value]
    return value


@pytest.mark.parametrize(("name", "arguments", "code"), COMMANDS, ids=IDS)
def test_format_json_is_json_and_the_same_as_the_json_alias(
    inputs: Path, name: str, arguments: str, code: int
) -> None:
    args = _args(arguments, inputs)
    runs = {
        "--format json": cli(*args, "--format", "json"),
        "--json": cli(*args, "--json"),
        "both": cli(*args, "--json", "--format", "json"),
    }
    documents = {}
    for how, result in runs.items():
        assert result.returncode == code, (name, how, result.stderr[-500:])
        documents[how] = _untimed(_parsed(result))
    assert documents["--format json"] == documents["--json"] == documents["both"], name
    if name == "decide-batch":  # JSON Lines: one decision a line
        assert len(documents["--json"]) == 3


# How long a proof took, in `verify`'s text: it differs from run to run.
_TIMING = re.compile(r"\(\d+\.\d+ s\)")


@pytest.mark.parametrize(("name", "arguments", "code"), COMMANDS, ids=IDS)
def test_format_text_is_the_default(inputs: Path, name: str, arguments: str, code: int) -> None:
    args = _args(arguments, inputs)
    default, text = cli(*args), cli(*args, "--format", "text")
    assert default.returncode == text.returncode == code, (default.stderr, text.stderr)
    assert _TIMING.sub("", default.stdout) == _TIMING.sub("", text.stdout)
    assert default.stdout
    with pytest.raises(json.JSONDecodeError):
        json.loads(default.stdout)


def test_explain_in_json_is_the_decision_with_its_trace() -> None:
    explained = cli("explain", "--policy", "rules", ADAPTER, "--format", "json")
    decided = cli("decide", "--policy", "rules", ADAPTER, "--format", "json")
    assert explained.returncode == decided.returncode == 0, explained.stderr
    document = json.loads(explained.stdout)
    assert document == json.loads(decided.stdout)
    assert document["trace"], "explain's JSON carries every rule it tried"


@pytest.mark.parametrize(("name", "arguments", "code"), COMMANDS, ids=IDS)
def test_json_with_format_text_is_a_usage_error(
    inputs: Path, name: str, arguments: str, code: int
) -> None:
    for order in (("--json", "--format", "text"), ("--format", "text", "--json")):
        result = cli(*_args(arguments, inputs), *order)
        assert result.returncode == ExitCode.USAGE == 2, (name, result.stderr)
        assert result.stdout == ""
        assert result.stderr == (
            "error: `--json` and `--format text` ask for different output\n"
            "    hint: `--json` is the same as `--format json`: give one of them\n"
        )


# Every command that takes `--format`, the JSON speakers and `doc`.
WITH_FORMAT = [*COMMANDS, ("doc", "doc rules/returns.yaml", 0)]


@pytest.mark.parametrize(
    ("name", "arguments", "code"), WITH_FORMAT, ids=[name for name, _, _ in WITH_FORMAT]
)
@pytest.mark.parametrize("value", ["yaml", "JSON", ""])
def test_an_unknown_format_is_a_usage_error(
    inputs: Path, name: str, arguments: str, code: int, value: str
) -> None:
    result = cli(*_args(arguments, inputs), "--format", value)
    assert result.returncode == ExitCode.USAGE == 2, (name, result.stderr)
    assert result.stdout == ""
    assert "Invalid value for '--format'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("value", ["json", "text"])
def test_doc_writes_documents_not_reports(value: str) -> None:
    result = cli("doc", "rules/returns.yaml", "--format", value)
    assert result.returncode == ExitCode.USAGE
    assert "'md'" in result.stderr
    assert "'html'" in result.stderr


@pytest.mark.parametrize("value", ["md", "html"])
def test_doc_formats(value: str) -> None:
    result = cli("doc", "rules/returns.yaml", "--format", value)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("<!DOCTYPE html>" if value == "html" else "# Returns")


def test_doc_takes_no_json_alias() -> None:
    result = cli("doc", "rules/returns.yaml", "--json")
    assert result.returncode == ExitCode.USAGE
    assert "No such option: --json" in result.stderr


def test_every_command_declares_the_one_format_option() -> None:
    """`--format` reads the same in every `--help`: one option, one help text."""
    from typer.main import get_command  # noqa: PLC0415

    from flexpolicy.cli import app  # noqa: PLC0415 - typer loads only for this test

    root = get_command(app)
    seen: dict[str, str] = {}

    def walk(command: Any, path: str) -> None:
        for child in getattr(command, "commands", {}).values():
            walk(child, f"{path} {child.name}")
        for param in getattr(command, "params", []):
            if "--format" in getattr(param, "opts", ()):
                seen[path.strip()] = param.help
                kind = param.type_descriptor.annotation  # the enum the option reads
                if "--json" not in {o for p in command.params for o in p.opts}:
                    assert (path.strip(), kind) == ("doc", DocFormat), path
                else:
                    assert kind is Format, path

    walk(root, "")
    assert set(seen) == {
        "decide", "explain", "check", "verify", "doc", "diff",
        "audit verify", "case show", "case sweep", "case stats",
    }  # fmt: skip
    helps = {help for path, help in seen.items() if path != "doc"}
    assert len(helps) == 1, helps
