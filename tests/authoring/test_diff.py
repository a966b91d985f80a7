"""`diff`: both versions of a policy on a history, what changes and what it costs."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

import flexpolicy
from flexpolicy._authoring.diff import DiffReport, DiffSide, diff, diff_lines
from flexpolicy._authoring.simulate import simulate
from tests.support.paths import RULES

TIGHTER = ("window_days: 30 ", "window_days: 14 ")


@pytest.fixture(scope="module")
def history() -> list[flexpolicy.Situation]:
    return list(simulate(4_000, seed=5))


@pytest.fixture(scope="module")
def tighter_rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of rules/ whose returns window is 14 days instead of 30."""
    folder = tmp_path_factory.mktemp("tighter")
    for path in RULES.glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    text = (RULES / "returns.yaml").read_text(encoding="utf-8")
    assert text.count(TIGHTER[0]) == 1  # `window_days`, not `defect_window_days`
    (folder / "returns.yaml").write_text(text.replace(*TIGHTER), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def tighter_returns(tighter_rules: Path) -> flexpolicy.Policy:
    return flexpolicy.load_policy(tighter_rules / "returns.yaml")


@pytest.fixture(scope="module")
def report(
    policies: flexpolicy.PolicySet, tighter_rules: Path, history: list[flexpolicy.Situation]
) -> DiffReport:
    return diff(policies, flexpolicy.load_policies(tighter_rules), history)


def test_a_policy_against_itself_changes_nothing(
    policies: flexpolicy.PolicySet, history: list[flexpolicy.Situation]
) -> None:
    again = flexpolicy.load_policies(RULES)  # another load: same digest, same decisions
    for other in (policies, again):
        result = diff(policies, other, history)
        assert result.total == result.decided == len(history)
        assert result.changed == result.rule_changes == 0
        assert result.transitions == {}
        assert result.examples == {}
        assert result.skipped == {}
        assert all(line.delta == 0 for line in result.money.values())
        assert all(old == new for old, new in result.roles.values())


def test_one_policy_against_a_copy_of_itself(
    returns_policy: flexpolicy.Policy, history: list[flexpolicy.Situation]
) -> None:
    copy = flexpolicy.Policy.from_yaml((RULES / "returns.yaml").read_bytes())
    result = diff(returns_policy, copy, history)
    assert result.changed == 0
    assert result.decided > 0


def test_a_tighter_window_denies_or_refers_what_was_approved(report: DiffReport) -> None:
    assert report.changed > 0
    assert report.transitions[("approve", "deny")] > 0
    assert report.transitions[("approve", "refer")] > 0
    assert all(old == "approve" for old, _ in report.transitions)  # nothing gets better
    assert report.money["refund"].delta < 0
    assert report.money["refund"].new < report.money["refund"].old
    assert report.outcomes["approve"][1] < report.outcomes["approve"][0]
    assert report.changed == sum(report.transitions.values()) + report.rule_changes
    assert report.rule_changes > 0  # faulty items: a refund becomes a replacement


def test_examples_really_are_those_decisions(
    report: DiffReport,
    policies: flexpolicy.PolicySet,
    tighter_returns: flexpolicy.Policy,
) -> None:
    assert ("approve", "deny") in report.examples
    for (old_outcome, new_outcome), shown in report.examples.items():
        assert 1 <= len(shown) <= 3
        for example in shown:
            old = policies.decide_situation(example.situation)
            new = tighter_returns.decide_situation(example.situation)
            assert (old.outcome, new.outcome) == (old_outcome, new_outcome)
            assert example.old == DiffSide.of(old)
            assert example.new == DiffSide.of(new)
            assert example.old != example.new
            assert example.request_id == example.situation.request.id
            assert example.old.staff
            assert example.new.customer


def test_money_is_the_sum_of_approved_amounts(
    policies: flexpolicy.PolicySet, history: list[flexpolicy.Situation]
) -> None:
    some = history[:500]
    result = diff(policies, policies, some)
    granted = Counter[str]()
    waiting = Counter[str]()
    for situation in some:
        decision = policies.decide_situation(situation)
        if decision.amount is None or decision.outcome == "deny":
            continue
        bucket = decision.remedy if decision.remedy in ("refund", "store_credit") else "other"
        (granted if decision.outcome == "approve" else waiting)[bucket] += 1
    for bucket in ("refund", "store_credit", "other"):
        line = result.money[bucket]
        assert isinstance(line.old, Decimal)
        assert line.old == line.new
        assert (line.old > 0) == (granted[bucket] > 0)
    assert sum(result.roles[r][0] for r in result.roles) == result.outcomes["refer"][0]
    assert result.levers.old > 0


def test_kinds_a_version_does_not_decide_are_skipped(
    returns_policy: flexpolicy.Policy,
    tighter_returns: flexpolicy.Policy,
    history: list[flexpolicy.Situation],
) -> None:
    result = diff(returns_policy, tighter_returns, history)
    returns = sum(s.request.kind == "return" for s in history)
    assert result.total == len(history)
    assert result.decided == returns
    assert result.skipped == {"wrong-policy": len(history) - returns}
    assert result.transitions[("approve", "deny")] > 0


def test_a_kind_dropped_from_the_new_set_is_skipped(
    policies: flexpolicy.PolicySet, history: list[flexpolicy.Situation]
) -> None:
    fewer = flexpolicy.PolicySet(p for p in policies if p.id != "exchanges")
    result = diff(policies, fewer, history)
    exchanges = sum(s.request.kind == "exchange" for s in history)
    assert result.skipped == {"no-policy": exchanges}
    assert result.changed == 0


def test_as_json_round_trips(report: DiffReport) -> None:
    data = report.as_json()
    assert json.loads(json.dumps(data)) == data
    assert data["transitions"]["approve -> deny"] == report.transitions[("approve", "deny")]
    refund = data["money"]["refund"]
    assert Decimal(refund["new"]) - Decimal(refund["old"]) == Decimal(refund["delta"]) < 0
    example = data["examples"]["approve -> deny"][0]
    assert example["old"]["outcome"] == "approve"
    assert example["new"]["outcome"] == "deny"
    assert (
        flexpolicy.Situation.model_validate(example["situation"]).request.id
        == (example["request_id"])
    )


def test_progress_is_reported_every_thousand(
    policies: flexpolicy.PolicySet, history: list[flexpolicy.Situation]
) -> None:
    calls: list[int] = []
    diff(policies, policies, history[:2_500], progress=calls.append)
    assert calls == [1_000, 2_000, 2_500]
    calls.clear()
    diff(policies, policies, history[:2_000], progress=calls.append)
    assert calls == [1_000, 2_000]


def test_examples_are_bounded(
    policies: flexpolicy.PolicySet, tighter_rules: Path, history: list[flexpolicy.Situation]
) -> None:
    tighter = flexpolicy.load_policies(tighter_rules)
    assert diff(policies, tighter, history, examples=0).examples == {}
    one = diff(policies, tighter, history, examples=1)
    assert all(len(shown) == 1 for shown in one.examples.values())
    with pytest.raises(ValueError, match="examples"):
        diff(policies, tighter, history, examples=-1)


def test_a_stream_is_read_once(policies: flexpolicy.PolicySet, tighter_rules: Path) -> None:
    tighter = flexpolicy.load_policies(tighter_rules)
    result = diff(policies, tighter, simulate(1_500, seed=9))
    assert result.total == 1_500
    assert result.changed > 0


def test_diff_lines_tell_the_story(report: DiffReport) -> None:
    lines = diff_lines(report)
    text = "\n".join(lines)
    count = report.transitions[("approve", "deny")]
    assert any("approve -> deny" in line and f"{count:,}" in line for line in lines)
    assert "returns 2026.11" in text
    assert "unchanged: exchanges" in text
    assert "money granted" in text
    assert "referrals by role" in text
    assert f"{report.money['refund'].delta:+,.2f}" in text
    first = report.examples[("approve", "deny")][0]
    assert first.request_id in text
    assert first.new.customer in text
    assert (
        max(len(line) for line in lines if "staff:" not in line and "customer:" not in line) < 100
    )
    assert lines[-1]  # no trailing blank line


def test_diff_lines_of_no_change_are_short(
    policies: flexpolicy.PolicySet, history: list[flexpolicy.Situation]
) -> None:
    lines = diff_lines(diff(policies, policies, history[:100]))
    assert "no policy changed" in "\n".join(lines)
    assert not any(line.startswith("examples") for line in lines)
