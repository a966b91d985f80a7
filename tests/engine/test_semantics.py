"""Decision semantics as a table: which rules matched, which verdict that folds into.

`_engine.semantics` is the one place matches become an outcome (DESIGN.md,
"Decision semantics"), for every back end.  Each row gives the rules that
matched - guards, standard rules and flex rules, by position among their kind -
and the actor's rank, and says what the verdict must be: its outcome, the rule
it stands for, whether it is an exception, the remedy, the role that must grant
it and the denial it bends.  The policy below has one rule for each case the
semantics distinguish.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

import flexpolicy
from flexpolicy._engine.semantics import (
    STAGE_DEFAULT,
    STAGE_GUARD,
    STAGE_STANDARD,
    fold,
)

TEXT = """
policy: semantics
version: "1"
applies_to: [return]
roles: [associate, supervisor, manager]
rules:
  - id: g-refer
    kind: guard
    when: customer.tier >= 1
    outcome: refer
    authority: manager
  - id: g-deny
    kind: guard
    when: customer.tier >= 1
    outcome: deny
  - id: s-approve
    when: customer.tier >= 1
    outcome: approve
    remedy: refund
  - id: s-approve-sup
    when: customer.tier >= 1
    outcome: approve
    remedy: exchange
    authority: supervisor
  - id: s-deny
    when: customer.tier >= 1
    outcome: deny
  - id: s-deny-unbent
    when: customer.tier >= 1
    outcome: deny
  - id: f-anyone
    kind: flex
    bends: [s-deny]
    when: customer.tier >= 1
    outcome: approve
    remedy: store_credit
  - id: f-sup
    kind: flex
    bends: [s-deny]
    when: customer.tier >= 1
    outcome: approve
    remedy: gift_card
    authority: supervisor
  - id: f-mgr
    kind: flex
    bends: [s-deny, default]
    when: customer.tier >= 1
    outcome: approve
    remedy: replacement
    authority: manager
  - id: f-mgr-later
    kind: flex
    bends: [s-deny]
    when: customer.tier >= 1
    outcome: approve
    remedy: repair
    authority: manager
default:
  outcome: deny
"""
# Policies whose default does not deny (a standard rule only approves or denies).
DEFAULTS = {
    "default-refers": "default:\n  outcome: refer\n  authority: supervisor\n",
    "default-approves": "default:\n  outcome: approve\n  remedy: callback\n  authority: manager\n",
}
HEAD = """
policy: semantics-default
version: "1"
applies_to: [return]
roles: [associate, supervisor, manager]
rules:
  - id: s-deny
    when: customer.tier >= 1
    outcome: deny
  - id: f-anyone
    kind: flex
    bends: [s-deny]
    when: customer.tier >= 1
    outcome: approve
    remedy: store_credit
"""

# Positions among each kind, as a back end reports them.
G_REFER, G_DENY = 0, 1
S_APPROVE, S_APPROVE_SUP, S_DENY, S_DENY_UNBENT = 0, 1, 2, 3
F_ANYONE, F_SUP, F_MGR, F_MGR_LATER = 0, 1, 2, 3
ASSOCIATE, SUPERVISOR, MANAGER = 0, 1, 2


@dataclass(frozen=True)
class Row:
    id: str
    guards: tuple[int, ...]
    standard: tuple[int, ...]
    flex: tuple[int, ...]
    rank: int
    # the verdict
    outcome: str
    rule: str
    exception: bool = False
    remedy: str | None = None
    required_role: str | None = None
    bends: tuple[str, ...] = ()
    stage: int = STAGE_STANDARD
    policy: str = "main"


ROWS = [
    # 1. the first matching guard decides, never bent, whoever asks
    Row("first-guard-decides", (G_DENY, G_REFER), (S_APPROVE,), (F_ANYONE,), ASSOCIATE,
        "refer", "g-refer", required_role="manager", stage=STAGE_GUARD),
    Row("guard-refers-even-the-top-role", (G_REFER,), (), (), MANAGER,
        "refer", "g-refer", required_role="manager", stage=STAGE_GUARD),
    Row("guard-denial-grants-nothing", (G_DENY,), (S_APPROVE,), (), MANAGER,
        "deny", "g-deny", stage=STAGE_GUARD),
    Row("guard-denial-is-never-bent", (G_DENY,), (S_DENY,), (F_ANYONE, F_MGR), MANAGER,
        "deny", "g-deny", stage=STAGE_GUARD),
    # 2. else the first matching standard rule, or the default
    Row("first-standard-rule-decides", (), (S_DENY, S_APPROVE), (), ASSOCIATE,
        "approve", "s-approve", remedy="refund"),
    Row("standard-denial-grants-nothing", (), (S_DENY_UNBENT,), (), MANAGER,
        "deny", "s-deny-unbent"),
    Row("nothing-matched-is-the-default", (), (), (), ASSOCIATE,
        "deny", "default", stage=STAGE_DEFAULT),
    Row("a-default-refers-to-its-role", (), (), (F_ANYONE,), MANAGER,
        "refer", "default", required_role="supervisor", stage=STAGE_DEFAULT,
        policy="default-refers"),
    Row("a-default-approves-within-its-role", (), (), (), MANAGER,
        "approve", "default", remedy="callback", stage=STAGE_DEFAULT,
        policy="default-approves"),
    Row("a-default-approval-is-referred-up", (), (), (), SUPERVISOR,
        "refer", "default", remedy="callback", required_role="manager", stage=STAGE_DEFAULT,
        policy="default-approves"),
    # 4. an approval above the actor's role is referred to the role that may grant it
    Row("approval-above-the-actor-is-referred", (), (S_APPROVE_SUP,), (), ASSOCIATE,
        "refer", "s-approve-sup", remedy="exchange", required_role="supervisor"),
    Row("approval-at-the-actors-role", (), (S_APPROVE_SUP,), (), SUPERVISOR,
        "approve", "s-approve-sup", remedy="exchange"),
    Row("a-higher-role-may-grant-it-too", (), (S_APPROVE_SUP,), (), MANAGER,
        "approve", "s-approve-sup", remedy="exchange"),
    # 3. a denial may be bent by a matching flex rule that bends it
    Row("flex-bends-the-denial", (), (S_DENY,), (F_ANYONE,), ASSOCIATE,
        "approve", "f-anyone", exception=True, remedy="store_credit", bends=("s-deny",)),
    Row("flex-prefers-one-the-actor-may-grant", (), (S_DENY,), (F_MGR, F_SUP), SUPERVISOR,
        "approve", "f-sup", exception=True, remedy="gift_card", bends=("s-deny",)),
    Row("flex-prefers-no-authority-over-any", (), (S_DENY,), (F_SUP, F_ANYONE), MANAGER,
        "approve", "f-anyone", exception=True, remedy="store_credit", bends=("s-deny",)),
    Row("flex-else-the-lowest-authority", (), (S_DENY,), (F_MGR, F_SUP), ASSOCIATE,
        "refer", "f-sup", exception=True, remedy="gift_card", required_role="supervisor",
        bends=("s-deny",)),
    Row("flex-then-file-order", (), (S_DENY,), (F_MGR_LATER, F_MGR), MANAGER,
        "approve", "f-mgr", exception=True, remedy="replacement", bends=("s-deny",)),
    Row("flex-referral-keeps-the-exception", (), (S_DENY,), (F_MGR,), ASSOCIATE,
        "refer", "f-mgr", exception=True, remedy="replacement", required_role="manager",
        bends=("s-deny",)),
    Row("flex-bends-the-default", (), (), (F_MGR, F_ANYONE), MANAGER,
        "approve", "f-mgr", exception=True, remedy="replacement", bends=("default",),
        stage=STAGE_DEFAULT),
    Row("flex-not-bending-this-denial-is-ignored", (), (S_DENY_UNBENT,), (F_ANYONE, F_MGR),
        MANAGER, "deny", "s-deny-unbent"),
    Row("flex-never-bends-an-approval", (), (S_APPROVE,), (F_ANYONE,), ASSOCIATE,
        "approve", "s-approve", remedy="refund"),
    Row("a-rule-reported-twice-counts-once", (), (S_DENY, S_DENY), (F_SUP, F_SUP), SUPERVISOR,
        "approve", "f-sup", exception=True, remedy="gift_card", bends=("s-deny",)),
]  # fmt: skip


TABLES = {
    "main": flexpolicy.Policy.from_yaml(TEXT)._core.verdicts,
    **{name: flexpolicy.Policy.from_yaml(HEAD + d)._core.verdicts for name, d in DEFAULTS.items()},
}


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_matches_fold_into_the_verdict(row: Row) -> None:
    table = TABLES[row.policy]
    verdict = table.fold(row.guards, row.standard, row.flex, row.rank)
    got = (
        verdict.outcome,
        verdict.rule.id,
        verdict.exception,
        verdict.remedy,
        verdict.required_role,
        verdict.bends,
        verdict.stage,
    )
    want = (
        row.outcome,
        row.rule,
        row.exception,
        row.remedy,
        row.required_role,
        row.bends,
        row.stage,
    )
    assert got == want
    # A refer always names its role; only a decision standing for an approval grants.
    assert (verdict.required_role is not None) == (verdict.outcome == "refer")
    assert verdict.grants == (verdict.rule.outcome == "approve" and row.stage != STAGE_GUARD)


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_verdicts_are_shared_constants(row: Row) -> None:
    """Equal matches give the very same verdict: a decision allocates none."""
    table = TABLES[row.policy]
    first = table.fold(row.guards, row.standard, row.flex, row.rank)
    again = table.fold(reversed(row.guards), reversed(row.standard), row.flex[::-1], row.rank)
    assert again is first
    assert table.get(*fold(table._ir, row.guards, row.standard, row.flex), row.rank) is first


def test_the_verdicts_of_one_rule_by_rank() -> None:
    table = TABLES["main"]
    by_rank = table.by_rank(STAGE_STANDARD, S_APPROVE_SUP)
    assert [v.outcome for v in by_rank] == ["refer", "approve", "approve"]
    assert by_rank[0] is table.fold((), (S_APPROVE_SUP,), (), ASSOCIATE)
