"""The fast paths decide exactly what the checked paths decide.

`decide_all` trusts a `Situation` to have checked its own facts, the compiled
matcher returns shared verdicts, a decision reads its amount and largest lever
cap without rendering words, and JSON Lines are parsed by pydantic's own parser
when no bare decimal number could lose precision.  Each shortcut is pinned here
against the slow, obviously-right path it replaces.
"""

from __future__ import annotations

import json
import pickle
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import flexpolicy
from flexpolicy import InputError, Situation
from flexpolicy._authoring.simulate import simulate
from flexpolicy._engine.context import make_context
from flexpolicy._engine.interpreter import Evaluator
from flexpolicy._situations.reader import parse_line
from tests.support.paths import POLICY_FILES, RULES
from tests.support.strategies import situations

POLICIES = {p.stem: flexpolicy.load_policy(p) for p in POLICY_FILES}
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
policy_names = pytest.mark.parametrize("name", sorted(POLICIES))


def _checked(policy: flexpolicy.Policy, s: Situation) -> flexpolicy.Decision:
    """The path that runs every consistency check again (`Policy.decide`)."""
    return policy._decide_checked(s)


@policy_names
def test_decide_all_decides_like_decide(name: str) -> None:
    policy = POLICIES[name]

    @SETTINGS
    @given(st.lists(situations(policy), min_size=1, max_size=8))
    def check(batch: list[Situation]) -> None:
        fast = policy.decide_all(batch)
        assert [d.key() for d in fast] == [_checked(policy, s).key() for s in batch]
        assert [d.rationale for d in fast] == [_checked(policy, s).rationale for s in batch]

    check()


def _interpreted_amount(policy: flexpolicy.Policy, s: Situation) -> Decimal | None:
    """What an approval stands for, by the reference interpreter (DESIGN 2.3: the
    rule's `amount`; else the item's total less the fee, never below zero, lowered
    but never raised by the request's amount; without an item, the request's)."""
    decision = policy.decide_situation(s)
    verdict = decision._verdict
    if not verdict.grants:
        return None
    ir = policy._core.ir
    ctx = make_context(
        ir.roles, ir.rank, s.request, s.customer, s.transaction, s.actor, s.as_of, s.case
    )
    ev = Evaluator(ir.facts, ctx)
    rule = verdict.rule
    if rule.amount is not None:
        value = ev.value(rule.amount)
        return None if value is None else Decimal(value)
    price = ctx.builtin("item_price")
    asked = s.request.amount
    if price is None:
        return asked
    fee = None if rule.fee is None else ev.value(rule.fee)
    total = Decimal(price) * s.request.quantity
    if fee is not None and fee > 0:
        total = max(Decimal(0), total - Decimal(fee))
    return total if asked is None else min(total, asked)


@policy_names
def test_compiled_amounts_and_lever_caps_agree_with_the_interpreter(name: str) -> None:
    policy = POLICIES[name]

    @SETTINGS
    @given(situations(policy))
    def check(situation: Situation) -> None:
        decision = policy.decide_situation(situation)
        assert decision.amount == _interpreted_amount(policy, situation)
        # `levers` renders every offered lever through the interpreter
        caps = [lever.cap for lever in policy.decide_situation(situation).levers]
        assert decision.largest_lever_cap() == (max(caps) if caps else None)
        assert decision.request_id == situation.request.id
        assert decision.as_of == (situation.as_of or situation.request.requested_at)

    check()


def test_the_amount_of_a_rule_with_its_own_amount_expression() -> None:
    policy = flexpolicy.Policy.from_yaml(
        """
policy: p
version: "1"
applies_to: [refund]
roles: [associate]
rules:
  - id: half
    when: request.amount > 10
    outcome: approve
    remedy: refund
    amount: round(request.amount / 2, 2)
default:
  outcome: deny
"""
    )
    request = {"id": "r", "kind": "refund", "requested_at": "2026-01-02", "amount": "25.05"}
    decision = policy.decide(request, customer={"id": "c", "tier": 1})
    assert decision.amount == Decimal("12.53")
    assert decision.largest_lever_cap() is None


def test_a_contradictory_situation_cannot_be_built() -> None:
    good = next(iter(simulate(1, seed=2)))
    data = good.model_dump()
    assert data["transaction"] is not None
    data["request"]["sku"] = "NOT-ON-IT"
    with pytest.raises(InputError) as caught:
        Situation.model_validate(data)
    assert caught.value.code == "contradictory-facts"
    assert "`NOT-ON-IT`" in caught.value.message


def test_decide_all_names_the_situation_a_policy_refuses() -> None:
    returns = POLICIES["returns"]
    batch = [s for s in simulate(200, seed=4) if s.request.kind == "return"][:3]
    wrong = batch[1].model_copy(update={"actor": flexpolicy.Actor(id="e", role="cashier")})
    with pytest.raises(InputError) as caught:
        returns.decide_all([batch[0], wrong, batch[2]])
    assert caught.value.code == "unknown-role"
    assert caught.value.message.startswith("situation 1: ")


def test_a_policy_pickles_as_its_checked_form_and_decides_the_same() -> None:
    policies = flexpolicy.load_policies(RULES)
    again = pickle.loads(pickle.dumps(policies))
    history = list(simulate(300, seed=9))
    assert [p.digest for p in again] == [p.digest for p in policies]
    assert [again.decide_situation(s).key() for s in history] == [
        policies.decide_situation(s).key() for s in history
    ]


# -- JSON Lines ---------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    index=st.integers(0, 199),
    amount=st.decimals(min_value=0, max_value=Decimal("99999999999999.9999"), places=4),
    bare=st.booleans(),
)
def test_parse_line_reads_money_exactly_on_either_path(
    index: int, amount: Decimal, bare: bool
) -> None:
    situation = list(simulate(200, seed=6))[index]
    data = json.loads(situation.model_dump_json(exclude_none=True))
    data["request"]["amount"] = "__AMOUNT__"
    line = json.dumps(data).replace('"__AMOUNT__"', str(amount) if bare else f'"{amount}"')
    parsed = parse_line(line, "h.jsonl:1")
    assert parsed.request.amount == amount
    assert parsed == Situation.model_validate(json.loads(line, parse_float=Decimal))


def test_parse_line_errors_name_the_line() -> None:
    with pytest.raises(InputError) as caught:
        parse_line('{"request": ', "h.jsonl:7")
    assert caught.value.message.startswith("h.jsonl:7: not JSON")
    with pytest.raises(InputError) as caught:
        parse_line('{"request": {"id": "r"}, "customer": {"id": "c", "tier": 9}}', "h.jsonl:8")
    assert caught.value.message.startswith("h.jsonl:8: ")
    assert caught.value.code == "invalid-facts"


def test_the_exact_path_keeps_decimals_pydantic_would_round() -> None:
    line = json.dumps(
        {
            "request": {
                "id": "r",
                "kind": "refund",
                "requested_at": "2026-01-02",
                "amount": "__A__",
            },
            "customer": {"id": "c", "tier": 3},
            "as_of": str(date(2026, 1, 2)),
        }
    ).replace('"__A__"', "12345678901234.5678")
    assert parse_line(line, "x:1").request.amount == Decimal("12345678901234.5678")


def test_parse_line_on_every_simulated_line(tmp_path: Path) -> None:
    history = list(simulate(500, seed=8))
    for s in history:
        line = s.model_dump_json(exclude_none=True)
        assert parse_line(line, "x:1") == s


def test_an_unreadable_situation_is_numbered_by_its_position(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    lines = [s.model_dump_json() for s in simulate(5, seed=3)]
    lines[2] = "{not json"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    policies = flexpolicy.load_policies(RULES)
    for decide_all in (policies.decide_all, POLICIES["returns"].decide_all):
        with pytest.raises(InputError) as caught:
            decide_all(flexpolicy.read_situations(path))
        assert caught.value.message.startswith("situation 2: "), decide_all


def test_policy_error_survives_pickling() -> None:
    with pytest.raises(flexpolicy.PolicyError) as caught:
        flexpolicy.Policy.from_yaml("policy: p\nversion: '1'\n")
    again = pickle.loads(pickle.dumps(caught.value))
    assert again.problems == caught.value.problems
    assert str(again) == str(caught.value)
