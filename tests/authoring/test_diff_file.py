"""`diff_file`: the JSON Lines replay in chunks and processes gives the one-pass report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import flexpolicy
from flexpolicy import InputError
from flexpolicy._authoring.diff import diff
from flexpolicy._authoring.diff_file import diff_file
from flexpolicy._authoring.simulate import simulate
from flexpolicy.situations import read_situations
from tests.support.paths import RULES

TIGHTER = ("window_days: 30 ", "window_days: 14 ")


@pytest.fixture(scope="module")
def sides(tmp_path_factory: pytest.TempPathFactory) -> tuple[flexpolicy.PolicySet, ...]:
    folder = tmp_path_factory.mktemp("tighter")
    for path in RULES.glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    text = (RULES / "returns.yaml").read_text(encoding="utf-8")
    (folder / "returns.yaml").write_text(text.replace(*TIGHTER), encoding="utf-8")
    return flexpolicy.load_policies(RULES), flexpolicy.load_policies(folder)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("history") / "h.jsonl"
    lines = [s.model_dump_json(exclude_none=True) for s in simulate(3_000, seed=12)]
    # A line whose sku is not on its transaction: skipped, not fatal, as decisions are.
    bad = json.loads(lines[10])
    bad["request"]["sku"] = "NOT-ON-IT"
    lines[10] = json.dumps(bad)
    lines.insert(20, "")  # blank lines are allowed
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_chunks_and_jobs_do_not_change_the_report(
    sides: tuple[flexpolicy.PolicySet, ...], history: Path
) -> None:
    old, new = sides
    one_pass = diff_file(old, new, history, examples=2, jobs=1, chunk_lines=10_000)
    for jobs, chunk in ((1, 7), (2, 250), (2, 1_000)):
        report = diff_file(old, new, history, examples=2, jobs=jobs, chunk_lines=chunk)
        assert report.as_json() == one_pass.as_json(), (jobs, chunk)
    assert one_pass.total == 3_000
    assert one_pass.skipped.get("contradictory-facts") == 1
    assert one_pass.changed > 0


def test_the_report_is_diff_over_the_parsed_history(
    sides: tuple[flexpolicy.PolicySet, ...], history: Path, tmp_path: Path
) -> None:
    old, new = sides
    clean = tmp_path / "clean.jsonl"
    lines = history.read_text(encoding="utf-8").splitlines()
    del lines[10]
    clean.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = diff(old, new, read_situations(clean), examples=3)
    assert diff_file(old, new, clean, jobs=2, chunk_lines=400).as_json() == expected.as_json()


def test_progress_counts_every_line(sides: tuple[flexpolicy.PolicySet, ...], history: Path) -> None:
    seen: list[int] = []
    diff_file(*sides, history, jobs=1, chunk_lines=1_000, progress=seen.append)
    assert seen == [1_000, 2_000, 3_000, 3_001]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_line_that_is_not_json_stops_the_replay_naming_it(
    sides: tuple[flexpolicy.PolicySet, ...], tmp_path: Path, jobs: int
) -> None:
    path = tmp_path / "h.jsonl"
    lines = [s.model_dump_json() for s in simulate(50, seed=1)]
    lines[41] = "{not json"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        diff_file(*sides, path, jobs=jobs, chunk_lines=8)
    assert caught.value.message.startswith(f"{path}:42: not JSON")


def test_an_empty_history_gives_an_empty_report(
    sides: tuple[flexpolicy.PolicySet, ...], tmp_path: Path
) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("", encoding="utf-8")
    report = diff_file(*sides, path, jobs=2)
    assert (report.total, report.decided, report.changed) == (0, 0, 0)
