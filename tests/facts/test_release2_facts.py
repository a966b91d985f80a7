"""The facts of DESIGN 2.1 and the `attributes:` declarations of 2.2, end to end.

Bad facts and bad declarations are tables with the exact code expected; the new
built-ins and typed attributes are held equal across the native, durable and
reference back ends; and a situation read from YAML and from JSON decides alike.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flexpolicy
from flexpolicy import InputError, Policy, PolicyError
from flexpolicy._engine.backend import compile_policy
from flexpolicy.models import Situation
from flexpolicy.situations import read_situations

HEAD = """
policy: p
version: 1
applies_to: [return, fee_waiver]
roles: [associate, supervisor]
"""


def _situation(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "request": {
            "id": "r1",
            "kind": "return",
            "requested_at": "2026-03-20",
            "transaction_id": "t1",
            "sku": "A",
        },
        "customer": {"id": "c1", "tier": 3},
        "transaction": {
            "id": "t1",
            "purchased_at": "2026-03-01",
            "items": [
                {"sku": "A", "unit_price": "19.99", "quantity": 3},
                {"sku": "B", "unit_price": "5.00"},
            ],
        },
    }
    for path, value in over.items():
        record, _, name = path.partition("__")
        if value is _DROP:
            data[record].pop(name, None)
        else:
            data[record][name] = value
    return data


_DROP = object()


# -- the facts themselves -------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"request__quantity": 4}, "contradictory-facts", ("request", "quantity")),
        ({"request__quantity": 0}, "invalid-facts", None),
        ({"request__quantity": -1}, "invalid-facts", None),
        ({"request__quantity": True}, "invalid-facts", None),
        ({"request__quantity": 2.5}, "invalid-facts", None),
        ({"transaction__delivered_at": "2026-02-28"}, "contradictory-facts", None),
        ({"transaction__delivered_at": "soon"}, "invalid-facts", None),
        ({"transaction__region": " "}, "invalid-facts", None),
        ({"request__channel": ""}, "invalid-facts", None),
        ({"customer__membership": 5}, "invalid-facts", None),
        # a list is a fact (for `list` attributes), one level deep and of plain values
        ({"request__attributes": {"x": [[1]]}}, "invalid-facts", None),
        ({"request__attributes": {"x": [{"a": 1}]}}, "invalid-facts", None),
        ({"request__attributes": {"x": {"a": 1}}}, "invalid-facts", None),
        ({"request__attributes": {"x": [b"1"]}}, "invalid-facts", None),
        ({"request__attributes": {"x": ["a"] * 1001}}, "invalid-facts", None),
        ({"transaction__attributes": {"x": b"1"}}, "invalid-facts", None),
    ],
)
def test_bad_new_facts_are_refused_with_their_code(
    changes: dict[str, Any], code: str, field: tuple[str, ...] | None
) -> None:
    policy = Policy.from_yaml(HEAD + "rules: []\n")
    with pytest.raises(InputError) as caught:
        policy.decide_situation(_situation(**changes))
    assert caught.value.code == code, caught.value
    if field is not None:
        assert caught.value.field == field


def test_labels_normalise_like_every_label() -> None:
    s = Situation.model_validate(
        _situation(
            customer__membership=" PLUS ",
            request__channel="Mail",
            request__region="CA",
            transaction__region="Ca ",
        )
    )
    assert (s.customer.membership, s.request.channel) == ("plus", "mail")
    assert s.request.region == s.transaction.region == "ca"  # type: ignore[union-attr]


BUILTINS = (
    HEAD
    + """
rules:
  - id: fresh
    when: [days_since_received <= 7, item_total <= 40, transaction_total > 60]
    outcome: approve
    remedy: refund
  - id: member
    when: [customer.membership == "Executive", request.channel == "mail", request.quantity >= 2]
    outcome: approve
    remedy: refund
default: {outcome: deny}
"""
)


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        # delivered 2026-03-15: 5 days; 2 x 19.99 = 39.98; total 3 x 19.99 + 5 = 64.97
        ({"transaction__delivered_at": "2026-03-15", "request__quantity": 2}, "fresh"),
        # no delivery: days since the purchase (19)
        ({"request__quantity": 2}, "default"),
        # 3 units: 59.97 is over 40
        ({"transaction__delivered_at": "2026-03-15", "request__quantity": 3}, "default"),
        (
            {
                "customer__membership": "executive",
                "request__channel": "MAIL",
                "request__quantity": 2,
            },
            "member",
        ),
    ],
)
def test_new_builtins_decide_in_every_engine(changes: dict[str, Any], rule: str) -> None:
    situation = Situation.model_validate(_situation(**changes))
    for engine in ("native", "durable"):
        decision = Policy.from_yaml(BUILTINS, engine=engine).decide_situation(situation)
        assert decision.rule_id == rule, (engine, decision)


def test_default_amount_and_explanations_read_the_new_facts() -> None:
    policy = Policy.from_yaml(
        HEAD
        + """
rules:
  - id: fresh
    when: days_since_received <= 7
    outcome: approve
    remedy: refund
    amount: item_total
    explain:
      staff: Received {days_since_received} days ago; {request.quantity} units.
      customer: You received it {days_since_received} days ago, as a {customer.membership} member.
default: {outcome: deny}
"""
    )
    situation = _situation(
        transaction__delivered_at="2026-03-15", request__quantity=2, customer__membership="plus"
    )
    decision = policy.decide_situation(situation)
    assert decision.amount == Decimal("39.98")
    assert "5 days ago" in decision.rationale.customer
    assert "plus member" in decision.rationale.customer


def test_customer_text_may_show_membership_but_not_tier() -> None:
    text = (
        HEAD
        + """
rules:
  - id: r
    when: customer.tier >= 1
    outcome: approve
    remedy: refund
    explain: {customer: "As a {customer.tier} customer."}
"""
    )
    with pytest.raises(PolicyError) as caught:
        Policy.from_yaml(text)
    assert [p.code for p in caught.value.problems] == ["internal-in-customer-text"]


# -- declarations ---------------------------------------------------------------------

DECLARED = (
    HEAD
    + """
attributes:
  request.data_wiped: bool
  item.carat: decimal
  transaction.deposit: money
  customer.cure_date: date
  customer.waivers: {type: int, public: false}
  customer.club: {type: text, public: true}
  request.note: {type: text, public: false}
rules:
  - id: cured
    when:
      - days_between(customer.attributes.cure_date, today) <= 5
      - transaction.attributes.deposit <= 40
      - item.attributes.carat >= 1.5
      - request.attributes.data_wiped
      - customer.attributes.waivers < 2
    outcome: approve
    remedy: refund
default: {outcome: deny}
"""
)


@pytest.mark.parametrize(
    ("block", "rule", "codes"),
    [
        ("  shoe.size: int", "true", ["bad-attribute"]),
        ("  request.data-wiped: bool", "true", ["bad-attribute"]),
        ("  request: bool", "true", ["bad-attribute"]),
        ("  request.wiped: boolean", "true", ["bad-attribute"]),
        ("  request.wiped: {type: set}", "true", ["bad-attribute"]),
        ("  request.wiped: {type: list}", "true", []),
        ("  request.wiped: {type: bool, public: 'no'}", "true", ["bad-value"]),
        ("  request.wiped: {type: bool, hidden: true}", "true", ["unknown-key"]),
        ("  request.wiped: bool", "request.attributes.other", ["undeclared-attribute"]),
        ("  request.wiped: bool", "item.attributes.wiped", ["undeclared-attribute"]),
        # a bad declaration is reported once, not again where it is read
        ("  request.wiped: boolean", "request.attributes.wiped", ["bad-attribute"]),
        ("  customer.since: date", "customer.attributes.since > 3", ["type-mismatch"]),
        ("  request.wiped: bool", "request.attributes.wiped", []),
    ],
)
def test_bad_declarations_are_located_with_their_code(
    block: str, rule: str, codes: list[str]
) -> None:
    text = HEAD + f"attributes:\n{block}\nrules:\n  - id: r\n    when: {rule}\n    outcome: deny\n"
    if not codes:
        Policy.from_yaml(text, file="p.yaml")
        return
    with pytest.raises(PolicyError) as caught:
        Policy.from_yaml(text, file="p.yaml")
    assert [p.code for p in caught.value.problems] == codes, caught.value
    assert all(p.line > 0 for p in caught.value.problems)


def test_the_undeclared_hint_is_the_line_to_add() -> None:
    with pytest.raises(PolicyError) as caught:
        Policy.from_yaml(
            HEAD + "attributes: {}\nrules:\n"
            "  - id: r\n    when: customer.attributes.vip\n    outcome: deny\n"
        )
    problem = caught.value.problems[0]
    assert problem.code == "undeclared-attribute"
    assert "`customer.vip: TYPE` under `attributes:`" in (problem.hint or "")


def test_without_a_block_attributes_stay_lenient() -> None:
    policy = Policy.from_yaml(
        HEAD + "rules:\n  - id: r\n    when: request.attributes.wiped == true\n"
        "    outcome: approve\n    remedy: refund\n"
    )
    ok = _situation(request__attributes={"wiped": True})
    text = _situation(request__attributes={"wiped": "true"})  # not a truth value: unknown
    assert policy.decide_situation(ok).outcome == "approve"
    assert policy.decide_situation(text).outcome == "deny"
    assert policy._core.ir.attributes is None


def test_public_and_internal_attributes_in_customer_text() -> None:
    base = DECLARED.replace("default: {outcome: deny}\n", "")
    for name, allowed in (
        ("customer.attributes.club", True),
        ("customer.attributes.cure_date", False),
        ("customer.attributes.waivers", False),
        ("item.attributes.carat", True),
        ("request.attributes.note", False),
    ):
        text = base.replace(
            "    remedy: refund\n",
            f'    remedy: refund\n    explain: {{customer: "It is {{{name}}}."}}\n',
        )
        if allowed:
            Policy.from_yaml(text)
        else:
            with pytest.raises(PolicyError) as caught:
                Policy.from_yaml(text)
            assert [p.code for p in caught.value.problems] == ["internal-in-customer-text"], name


GOOD: dict[str, dict[str, Any]] = {
    "customer": {"cure_date": "2026-03-18", "waivers": "1"},
    "transaction": {"deposit": "40.00"},
    "item": {"carat": "1.50"},
    "request": {"data_wiped": True},
}


def _declared_situation(**attrs: dict[str, Any]) -> dict[str, Any]:
    values = {k: dict(v) for k, v in GOOD.items()}
    for record, changes in attrs.items():
        values[record].update(changes)
    data = _situation()
    data["customer"]["attributes"] = values["customer"]
    data["transaction"]["attributes"] = values["transaction"]
    data["transaction"]["items"][0]["attributes"] = values["item"]
    data["request"]["attributes"] = values["request"]
    return data


@pytest.mark.parametrize(
    ("attrs", "outcome", "path"),
    [
        ({}, "approve", None),
        ({"customer": {"cure_date": date(2026, 3, 18)}}, "approve", None),
        ({"customer": {"waivers": 1.0}}, "approve", None),
        ({"transaction": {"deposit": 40}}, "approve", None),
        ({"transaction": {"deposit": "40.01"}}, "deny", None),
        ({"customer": {"cure_date": "2026-03-01"}}, "deny", None),
        ({"customer": {"cure_date": None}}, "deny", None),  # missing: unknown
        ({"customer": {"cure_date": "18 March"}}, None, "customer.attributes.cure_date"),
        ({"customer": {"cure_date": "2026-02-30"}}, None, "customer.attributes.cure_date"),
        ({"customer": {"cure_date": 20260318}}, None, "customer.attributes.cure_date"),
        ({"customer": {"waivers": "one"}}, None, "customer.attributes.waivers"),
        ({"customer": {"waivers": 1.5}}, None, "customer.attributes.waivers"),
        ({"customer": {"waivers": True}}, None, "customer.attributes.waivers"),
        ({"transaction": {"deposit": "40.00001"}}, None, "transaction.attributes.deposit"),
        ({"transaction": {"deposit": "$40"}}, None, "transaction.attributes.deposit"),
        ({"item": {"carat": "1e3"}}, None, "item.attributes.carat"),
        ({"request": {"data_wiped": "true"}}, None, "request.attributes.data_wiped"),
        ({"request": {"data_wiped": 1}}, None, "request.attributes.data_wiped"),
        ({"customer": {"club": 5}}, None, "customer.attributes.club"),
    ],
)
def test_declared_attributes_are_read_at_their_type(
    attrs: dict[str, dict[str, Any]], outcome: str | None, path: str | None
) -> None:
    data = _declared_situation(**attrs)
    for engine in ("native", "durable"):
        policy = Policy.from_yaml(DECLARED, engine=engine)
        if outcome is not None:
            assert policy.decide_situation(data).outcome == outcome, engine
            continue
        with pytest.raises(InputError) as caught:
            policy.decide_situation(data)
        assert caught.value.code == "invalid-attribute", engine
        assert path is not None
        assert f"`{path}`" in caught.value.message
        assert caught.value.field == tuple(path.split("."))


def test_a_bad_value_is_refused_even_where_no_rule_reads_it() -> None:
    """Checked before any rule: a short-circuit never decides whether facts are valid."""
    text = (
        HEAD
        + """
attributes:
  customer.cure_date: date
rules:
  - id: r
    when: [customer.tier > 9, known(customer.attributes.cure_date)]
    outcome: deny
"""
    )
    data = _situation(customer__attributes={"cure_date": "later"})
    for engine in ("native", "durable", "reference"):
        compiled = compile_policy(Policy.from_yaml(text)._core.ir, engine, lambda *_: None)
        s = Situation.model_validate(data)
        with pytest.raises(InputError) as caught:
            compiled.match(*compiled.args(s))
        assert caught.value.code == "invalid-attribute", engine


def test_the_error_never_shows_the_value() -> None:
    data = _declared_situation(customer={"cure_date": "Jane Doe 555-0100"})
    with pytest.raises(InputError) as caught:
        Policy.from_yaml(DECLARED).decide_situation(data)
    assert "Jane" not in str(caught.value)


def test_yaml_and_json_situations_decide_alike(tmp_path: Path) -> None:
    yaml_file = tmp_path / "s.yaml"
    yaml_file.write_text(
        """
request: {id: r1, kind: return, requested_at: 2026-03-20, transaction_id: t1, sku: A,
          attributes: {data_wiped: true}}
customer: {id: c1, tier: 3, attributes: {cure_date: 2026-03-18, waivers: 1}}
transaction:
  id: t1
  purchased_at: 2026-03-01
  attributes: {deposit: 40.00}
  items: [{sku: A, unit_price: 19.99, quantity: 3, attributes: {carat: 1.50}}]
""",
        encoding="utf-8",
    )
    json_file = tmp_path / "s.json"
    json_file.write_text(json.dumps(_declared_situation()), encoding="utf-8")
    from_yaml, from_json = next(read_situations(yaml_file)), next(read_situations(json_file))
    # The kinds differ as read (a date and a number from YAML, text from JSON) ...
    assert from_yaml.customer.attributes["cure_date"] != from_json.customer.attributes["cure_date"]
    for engine in ("native", "durable"):
        policy = Policy.from_yaml(DECLARED, engine=engine)
        a, b = policy.decide_situation(from_yaml), policy.decide_situation(from_json)
        # ... and the decisions do not.
        assert (a.outcome, a.rule_id, a.amount) == (b.outcome, b.rule_id, b.amount)
        assert a.outcome == "approve"


def test_declarations_cost_nothing_without_them() -> None:
    source = flexpolicy.load_policy("rules/returns.yaml")._core.source
    assert "_check_attrs" not in source
    assert "_typed" not in source


def test_verify_settles_days_between_over_a_typed_date() -> None:
    pytest.importorskip("z3")
    from flexpolicy.analysis import verify_monotone  # noqa: PLC0415 - the optional extra

    text = (
        HEAD
        + """
attributes:
  customer.cure_date: date
rules:
  - id: late-vip
    when:
      - days_between(customer.attributes.cure_date, today) > 5
      - customer.tier >= 4
    outcome: deny
  - id: waive
    when: days_between(customer.attributes.cure_date, today) <= 10
    outcome: approve
    remedy: fee_waiver
default: {outcome: deny}
"""
    )
    result = verify_monotone(Policy.from_yaml(text), "customer.tier")
    assert result.status == "refuted", result
    undeclared = text.replace("attributes:\n  customer.cure_date: date\n", "")
    assert verify_monotone(Policy.from_yaml(undeclared), "customer.tier").status == "unknown"


def test_check_does_not_crash_on_the_new_facts() -> None:
    pytest.importorskip("z3")
    from flexpolicy.analysis import check  # noqa: PLC0415 - the optional extra

    check(Policy.from_yaml(BUILTINS))
    check(Policy.from_yaml(DECLARED))


# -- native, durable and the reference agree ---------------------------------------------

_DAY = date(2026, 3, 20)


@st.composite
def _facts(draw: st.DrawFn) -> Situation:
    bought = _DAY - timedelta(days=draw(st.integers(0, 60)))
    delivered = draw(st.one_of(st.none(), st.integers(0, (_DAY - bought).days)))
    quantity = draw(st.integers(1, 4))
    price = draw(st.sampled_from(["0", "9.99", "10", "19.99", "25", "40", "100.01"]))
    cure = draw(
        st.one_of(
            st.none(),
            st.dates(date(2026, 2, 1), _DAY).map(
                lambda d: draw(st.sampled_from([d, d.isoformat()]))
            ),
        )
    )
    deposit = draw(st.one_of(st.none(), st.sampled_from(["39.99", "40", "40.00", 40, "41.5"])))
    data = _situation(
        request__quantity=draw(st.integers(1, quantity)),
        request__channel=draw(st.sampled_from([None, "mail", "in_store"])),
        customer__membership=draw(st.sampled_from([None, "plus", "executive"])),
    )
    data["transaction"].update(
        purchased_at=bought.isoformat(),
        delivered_at=None
        if delivered is None
        else (bought + timedelta(days=delivered)).isoformat(),
        attributes={"deposit": deposit},
    )
    data["transaction"]["items"][0].update(unit_price=price, quantity=quantity)
    data["customer"]["attributes"] = {"cure_date": cure, "waivers": draw(st.integers(0, 3))}
    data["request"]["attributes"] = {"data_wiped": draw(st.sampled_from([None, True, False]))}
    return Situation.model_validate(data)


DIFFERENTIAL = (
    HEAD
    + """
attributes:
  customer.cure_date: date
  customer.waivers: int
  transaction.deposit: money
  request.data_wiped: bool
facts:
  cured: days_between(customer.attributes.cure_date, today) <= 5
rules:
  - id: wiped
    kind: guard
    when: request.attributes.data_wiped == false
    outcome: deny
  - id: fresh
    when: [days_since_received <= 14, item_total <= 40]
    outcome: approve
    remedy: refund
    amount: item_total
  - id: cured
    when: [cured, transaction.attributes.deposit <= 40, customer.attributes.waivers < 2]
    outcome: approve
    remedy: refund
  - id: big
    when:
      - transaction_total > 60
      - customer.membership in ["plus", "executive"]
    outcome: approve
    remedy: store_credit
    authority: supervisor
  - id: mail
    kind: flex
    bends: [default]
    when: [request.channel == "mail", not known(customer.attributes.cure_date)]
    outcome: approve
    remedy: store_credit
default: {outcome: deny}
"""
)


_COMPILED: dict[str, Any] = {}


def _compiled(engine: str) -> Any:
    if engine not in _COMPILED:
        ir = Policy.from_yaml(DIFFERENTIAL)._core.ir
        _COMPILED[engine] = compile_policy(ir, engine, lambda *_: None)
    return _COMPILED[engine]


@settings(max_examples=150, deadline=None)
@given(_facts())
def test_native_durable_and_reference_agree_on_the_new_facts(situation: Situation) -> None:
    verdicts = {}
    for engine in ("native", "durable", "reference"):
        compiled = _compiled(engine)
        verdict = compiled.match(*compiled.args(situation))
        verdicts[engine] = (verdict.outcome, verdict.rule.id, compiled.amount(verdict, situation))
    assert verdicts["native"] == verdicts["durable"] == verdicts["reference"], verdicts


def test_the_decision_log_keeps_every_records_attribute_kinds() -> None:
    from flexpolicy._audit.kinds import decode as _decode  # noqa: PLC0415 - a private decoder, read here only
    from flexpolicy._audit.masking import stored_situation  # noqa: PLC0415 - read here only

    data = _situation(
        request__attributes={"seen": date(2026, 3, 2), "rate": Decimal("0.15")},
        transaction__attributes={"deposit": Decimal("40.00")},
    )
    data["transaction"]["items"][1]["attributes"] = {"carat": Decimal("1.5")}
    situation = Situation.model_validate(data)
    stored = json.loads(json.dumps(stored_situation(situation, ())))
    assert Situation.model_validate(_decode(stored)) == situation
