"""`flexpolicy check` finds every planted defect, with a counterexample that really shows it,
and finds nothing in the shipped policies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import flexpolicy
from flexpolicy._analysis.session import conditions_hold
from flexpolicy._diagnostics.codes import FINDING_CODES
from flexpolicy.analysis import Finding, check
from tests.support.cli import run
from tests.support.paths import POLICY_FILES, RULES

DEFECTS = Path(__file__).parents[1] / "defects"

# file -> every finding it must produce: (code, rule or lever id, related ids), in file order.
EXPECTED: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "allowed-overlap": [],
    "attribute-kinds": [
        (
            "contradictory-conditions",
            "vip-refund",
            ("customer.attributes.vip == true", 'customer.attributes.vip == "yes"'),
        )
    ],
    "coercive-text": [("coercive-wording", "no-receipt", ())] * 3,
    "contradictory-tiers": [
        (
            "contradictory-conditions",
            "loyal-refund",
            ("customer.tier >= 4", "customer.tier < 3"),
        )
    ],
    "denial-skipped": [("missing-skips-denial", "final-sale", ("in-window",))],
    "customer-leaks": [
        ("customer-text-leak", "loyal-store-fault", ()),
        ("customer-text-leak", "loyal-store-fault", ()),
    ],
    "escalation-never-fires": [
        (
            "contradictory-conditions",
            "third-contact",
            ("case.contacts_14d >= 3", "case.contacts_total < 3"),
        )
    ],
    "refund-over-price": [("amount-over-price", "unused-return", ())],
    "flex-default-unreachable": [("flex-never-applies", "loyal-exception", ("default",))],
    "flex-never-chosen": [("flex-never-chosen", "top-tier-credit", ("loyal-credit",))],
    "flex-wrong-window": [("flex-never-applies", "loyal-late", ("late-return",))],
    "guard-overlap": [("guard-overlap", "fraud-watch", ("abusive",))],
    "hard-to-read": [("hard-to-read", "late-return", ())],
    "impossible-tier": [("contradictory-conditions", "platinum-refund", ("customer.tier > 5",))],
    "lever-behind-guard": [("lever-never-offered", "vip-gift", ("vip-desk",))],
    "lever-contradiction": [
        (
            "lever-never-offered",
            "goodwill-card",
            ("customer.tier >= 4", "customer.tier <= 2"),
        )
    ],
    "lever-zero-caps": [("lever-offers-nothing", "goodwill-card", ())],
    "price-band": [
        ("contradictory-conditions", "mid-price", ("item_price > 100", "item_price < 50"))
    ],
    "receipt-both-ways": [
        (
            "contradictory-conditions",
            "receipt-limbo",
            ("request.has_receipt", "not request.has_receipt"),
        )
    ],
    "shadowed-by-broader": [("shadowed-rule", "loyal-window", ("standard-window",))],
    "shadowed-by-guard": [("shadowed-rule", "final-sale-faulty", ("final-sale",))],
    "shadowed-by-two": [("shadowed-rule", "store-fault", ("valued", "others"))],
    "unused-names": [("unused-param", None, ()), ("unused-fact", None, ())],  # type: ignore[list-item]
    "window-contradiction": [
        (
            "contradictory-conditions",
            "late-but-recent",
            ("days_since_purchase <= 30", "days_since_purchase > 45"),
        )
    ],
}
# Findings a situation can demonstrate; the others are proofs that no situation exists.
DEMONSTRABLE = {"shadowed-rule", "flex-never-applies", "flex-never-chosen", "guard-overlap"}


def test_every_defect_file_has_expectations() -> None:
    assert sorted(EXPECTED) == sorted(p.stem for p in DEFECTS.glob("*.yaml"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_planted_defect_is_found(name: str) -> None:
    findings = check(DEFECTS / f"{name}.yaml")
    assert [(f.code, f.rule_id, f.related) for f in findings] == EXPECTED[name]
    for finding in findings:
        assert finding.file.endswith(f"{name}.yaml")
        assert finding.line > 0
        assert finding.column > 0
        assert finding.hint
        assert finding.message[0].islower() or finding.message.startswith("`")


@pytest.mark.parametrize(
    "name", sorted(n for n, e in EXPECTED.items() if any(c in DEMONSTRABLE for c, _, _ in e))
)
def test_counterexample_really_shows_the_defect(name: str) -> None:
    policy = flexpolicy.load_policy(DEFECTS / f"{name}.yaml")
    (finding,) = check(policy)
    situation = finding.counterexample
    assert situation is not None
    decision = policy.decide_situation(situation)
    rule = policy._core.ir.rule(finding.rule_id or "")
    assert conditions_hold(policy._core.ir, situation, rule.conditions)
    assert decision.rule_id != rule.id
    if finding.code == "shadowed-rule":
        assert decision.rule_id in finding.related or set(decision.bends) & set(finding.related)
    if finding.code in ("guard-overlap", "flex-never-chosen"):
        assert decision.rule_id == finding.related[0]


def test_lever_behind_a_guard_is_shown_with_the_guard_deciding() -> None:
    policy = flexpolicy.load_policy(DEFECTS / "lever-behind-guard.yaml")
    (finding,) = check(policy)
    assert finding.counterexample is not None
    decision = policy.decide_situation(finding.counterexample)
    assert decision.rule_id == "vip-desk"
    assert decision.levers == []


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.stem)
def test_shipped_policies_check_clean(path: Path) -> None:
    assert check(path) == []


def test_escalations_file_checks_clean() -> None:
    assert check(RULES / "escalations.yaml") == []


def test_without_the_solver_only_the_solver_free_findings_remain() -> None:
    assert check(DEFECTS / "shadowed-by-two.yaml", exact=False) == []
    assert [f.code for f in check(DEFECTS / "unused-names.yaml", exact=False)] == [
        "unused-param",
        "unused-fact",
    ]


def test_load_errors_come_back_as_findings(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (DEFECTS / "allowed-overlap.yaml")
        .read_text(encoding="utf-8")
        .replace("allow: [guard-overlap]", "allow: [guard-overlaps]"),
        encoding="utf-8",
    )
    (finding,) = check(bad)
    assert isinstance(finding, Finding)
    assert (finding.code, finding.level) == ("unknown-finding", "error")
    assert finding.hint == "did you mean `guard-overlap`?"
    assert finding.line == 13


def test_findings_serialise_with_their_counterexample() -> None:
    (finding,) = check(DEFECTS / "shadowed-by-broader.yaml")
    data = json.loads(finding.model_dump_json())
    assert Finding.model_validate(data) == finding
    again = flexpolicy.Situation.model_validate(data["counterexample"])
    assert again == finding.counterexample


# -- the command line ---------------------------------------------------------------------


def test_cli_reports_every_finding_and_exits_1() -> None:
    result = run("check", str(DEFECTS))
    assert result.returncode == 1
    # findings and the summary share one stream, in order
    *findings, summary = [line for line in result.stdout.splitlines() if not line.startswith(" ")]
    assert len(findings) == sum(len(e) for e in EXPECTED.values())
    assert "shadowed-by-two.yaml:14:5: error[shadowed-rule]: rule `store-fault`" in result.stdout
    assert "    counterexample: {" in result.stdout
    assert "checked: 16 errors, 11 warnings" in summary
    assert result.stderr == ""


def test_cli_json_output() -> None:
    result = run("check", "--format", "json", str(DEFECTS / "flex-wrong-window.yaml"))
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert (document["files"], document["errors"], document["exact"]) == (1, 1, True)
    (finding,) = document["findings"]
    assert finding["code"] == "flex-never-applies"
    assert finding["counterexample"]["request"]["kind"] == "return"


def test_cli_warnings_alone_exit_0() -> None:
    result = run("check", str(DEFECTS / "guard-overlap.yaml"))
    assert result.returncode == 0, result.stderr
    assert "warning[guard-overlap]" in result.stdout


def test_cli_missing_path_is_a_usage_error() -> None:
    result = run("check", "no/such/file.yaml")
    assert result.returncode == 2
    assert "`no/such/file.yaml` does not exist" in result.stderr


def test_a_question_the_solver_cannot_settle_is_a_note_not_a_verdict(tmp_path: Path) -> None:
    path = tmp_path / "cubes.yaml"
    path.write_text(
        (DEFECTS / "impossible-tier.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "when: customer.tier > 5",
            "when: [customer.purchases_12m * customer.purchases_12m * customer.purchases_12m"
            " == 2 * customer.returns_12m * customer.returns_12m * customer.returns_12m + 1,"
            " customer.purchases_12m > 1000]",
        ),
        encoding="utf-8",
    )
    (finding,) = check(path, timeout_ms=1)
    assert (finding.code, finding.level, finding.rule_id) == (
        "analysis-incomplete",
        "info",
        "platinum-refund",
    )
    result = run("check", "--timeout", "1", str(path))
    assert result.returncode == 3, result.stderr  # a question left open: incomplete
    assert "0 errors, 0 warnings, 1 note" in result.stdout


def test_every_finding_code_is_planted_and_documented() -> None:
    planted = {code for expected in EXPECTED.values() for code, _, _ in expected}
    assert planted | {"analysis-incomplete"} == set(FINDING_CODES)
    page = (Path(__file__).parents[2] / "docs" / "analysis.md").read_text(encoding="utf-8")
    for code in FINDING_CODES:
        assert f"`{code}`" in page, code
