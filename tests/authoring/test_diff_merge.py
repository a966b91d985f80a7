"""`merge_reports`: reports of consecutive chunks merge into exactly the whole history's report."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flexpolicy
from flexpolicy._authoring.diff_merge import merge_reports
from flexpolicy.authoring import DiffReport, diff, simulate
from tests.support.paths import RULES

TIGHTER = ("window_days: 30 ", "window_days: 14 ")
N = 300
Versions = tuple[flexpolicy.PolicySet, flexpolicy.PolicySet]
History = list[flexpolicy.Situation]


def tighter_rules(folder: Path) -> Path:
    """A copy of rules/ whose returns window is 14 days instead of 30."""
    for path in RULES.glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    text = (RULES / "returns.yaml").read_text(encoding="utf-8")
    assert text.count(TIGHTER[0]) == 1
    (folder / "returns.yaml").write_text(text.replace(*TIGHTER), encoding="utf-8")
    return folder


def refused(situation: flexpolicy.Situation, kind: str) -> flexpolicy.Situation:
    """The situation as a request of `kind`, which some version does not decide."""
    return situation.model_copy(
        update={"request": situation.request.model_copy(update={"kind": kind})}
    )


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> Versions:
    old = flexpolicy.load_policies(RULES)
    folder = tighter_rules(tmp_path_factory.mktemp("tighter"))
    (folder / "goodwill.yaml").unlink()  # the new version no longer decides goodwill requests
    return old, flexpolicy.load_policies(folder)


@pytest.fixture(scope="module")
def history(versions: Versions) -> list[flexpolicy.Situation]:
    """A history whose figures arise out of their report order, so the order is tested.

    The rarer transition (approve -> refer) and the later skip code (unknown-role)
    come first, so first-seen order is not the order `diff` sorts them in.
    """
    situations = list(simulate(N, seed=7))
    old, new = versions
    deciding = [s for s in situations if s.request.kind in new.kinds]
    first_refer = situations.index(
        next(
            s
            for s in deciding
            if (old.decide_situation(s).outcome, new.decide_situation(s).outcome)
            == ("approve", "refer")
        )
    )
    situations.insert(0, situations.pop(first_refer))
    actor = flexpolicy.Actor(id="EMP-X", role="intern")  # on no authority ladder
    situations[3] = situations[3].model_copy(update={"actor": actor})
    situations[7] = refused(situations[7], "teleport")  # neither version decides it
    situations[200] = refused(situations[200], "warranty")
    return situations


def same(merged: DiffReport, whole: DiffReport) -> None:
    """Equal, and serialised alike: key order included, which `==` on dicts ignores."""
    assert merged == whole
    assert json.dumps(merged.as_json()) == json.dumps(whole.as_json())


def chunks(
    history: list[flexpolicy.Situation], cuts: list[int]
) -> list[list[flexpolicy.Situation]]:
    bounds = [0, *sorted(cuts), len(history)]
    return [history[a:b] for a, b in itertools.pairwise(bounds)]


def test_the_history_exercises_every_part_of_a_report(versions: Versions, history: History) -> None:
    report = diff(*versions, history, examples=2)
    assert list(report.skipped) == ["no-policy", "unknown-role"]
    assert report.skipped["no-policy"] > 2
    assert list(report.transitions) == [("approve", "deny"), ("approve", "refer")]
    assert report.rule_changes > 0
    assert report.roles["store_manager"][0] == 0  # a role only the new version refers to
    assert len(report.examples) == 3


@settings(max_examples=40, deadline=None)
@given(
    cuts=st.lists(st.integers(min_value=0, max_value=N), max_size=8),
    examples=st.integers(min_value=0, max_value=4),
)
def test_split_anywhere_merges_to_the_whole(
    versions: Versions, history: History, cuts: list[int], examples: int
) -> None:
    whole = diff(*versions, history, examples=examples)
    parts = [diff(*versions, chunk, examples=examples) for chunk in chunks(history, cuts)]
    merged = merge_reports(parts, examples=examples)
    same(merged, whole)


def test_a_role_first_referred_in_a_later_chunk_keeps_its_sorted_place(
    versions: Versions, history: History
) -> None:
    def roles(situation: flexpolicy.Situation) -> set[str | None]:
        try:
            return {policy.decide_situation(situation).required_role for policy in versions}
        except flexpolicy.InputError:
            return set()

    supervised = next(s for s in history if roles(s) == {"supervisor"})
    reordered = [supervised, *(s for s in history if s is not supervised)]
    parts = [diff(*versions, chunk) for chunk in chunks(reordered, [1])]
    assert list(parts[0].roles) == ["supervisor"]  # "store_manager" comes later, sorts first
    same(merge_reports(parts, examples=3), diff(*versions, reordered))


def test_chunks_with_more_examples_are_cut_to_the_asked_number(
    versions: Versions, history: History
) -> None:
    whole = diff(*versions, history, examples=1)
    parts = [diff(*versions, chunk, examples=5) for chunk in chunks(history, [100, 150, 290])]
    same(merge_reports(parts, examples=1), whole)


def test_a_merge_of_merges_is_the_whole(versions: Versions, history: History) -> None:
    parts = [diff(*versions, chunk) for chunk in chunks(history, [50, 100, 150, 200, 250])]
    halves = [merge_reports(parts[:3], examples=3), merge_reports(parts[3:], examples=3)]
    same(merge_reports(halves, examples=3), diff(*versions, history))


def test_an_empty_history_merges_to_the_empty_report(versions: Versions) -> None:
    empty = diff(*versions, [])
    same(merge_reports([empty, empty], examples=3), empty)


def test_bad_merges_are_refused(versions: Versions, history: History) -> None:
    old, new = versions
    report: DiffReport = diff(old, new, history[:10])
    with pytest.raises(ValueError, match="at least one report"):
        merge_reports([], examples=3)
    with pytest.raises(ValueError, match="at least 0"):
        merge_reports([report], examples=-1)
    with pytest.raises(ValueError, match="different policy versions"):
        merge_reports([report, diff(old, old, history[10:20])], examples=3)
