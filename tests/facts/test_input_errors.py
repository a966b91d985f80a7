"""Bad facts handed to `decide` are an `InputError`, and nothing else.

A POS backend catches `flexpolicy.FlexPolicyError`; a sku that is not on the
transaction, a role that is not on the ladder or a customer with tier 7 must
never escape as a `KeyError`, `TypeError` or pydantic `ValidationError`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

import flexpolicy
from flexpolicy import (
    Actor,
    CaseFacts,
    Customer,
    FlexPolicyError,
    InputError,
    LineItem,
    Policy,
    PolicySet,
    Request,
    Situation,
    Transaction,
)
from tests.support.errors import input_error

POLICY = """\
policy: returns
version: "1"
applies_to: [return]
roles: [associate, supervisor, store_manager]
rules:
  - id: standard-window
    when: days_since_purchase <= 30
    outcome: approve
    remedy: refund
  - id: loyal
    kind: flex
    bends: [default]
    when: customer.tier >= 4
    outcome: approve
    remedy: store_credit
    authority: supervisor
default: {outcome: deny}
"""

PURCHASED = date(2026, 1, 10)
REQUESTED = date(2026, 1, 20)


@pytest.fixture(scope="module")
def policy() -> Policy:
    return Policy.from_yaml(POLICY, file="returns.yaml")


def customer(**changes: Any) -> Customer:
    return Customer(**{"id": "c1", "tier": 4, **changes})


def transaction(**changes: Any) -> Transaction:
    items = (
        LineItem(sku="ADAPTER-1", unit_price=Decimal("59.99")),
        LineItem(sku="CABLE-9", unit_price=Decimal("12.50")),
    )
    return Transaction(
        **{"id": "t1", "customer_id": "c1", "purchased_at": PURCHASED, "items": items, **changes}
    )


def request(**changes: Any) -> Request:
    return Request(
        **{
            "id": "r1",
            "kind": "return",
            "transaction_id": "t1",
            "sku": "ADAPTER-1",
            "requested_at": REQUESTED,
            "item_condition": "unused",
            **changes,
        }
    )


def actor(role: str = "associate") -> Actor:
    return Actor(id="e1", role=role)


def situation(**changes: Any) -> Situation:
    data: dict[str, Any] = {
        "request": request(),
        "customer": customer(),
        "transaction": transaction(),
        "actor": actor(),
    }
    data.update(changes)
    return Situation(**data)


def test_input_error_is_a_flexpolicy_error() -> None:
    assert issubclass(InputError, FlexPolicyError)
    assert not issubclass(InputError, flexpolicy.PolicyError)


def test_good_facts_decide(policy: Policy) -> None:
    decision = policy.decide(
        request(), customer=customer(), transaction=transaction(), actor=actor()
    )
    assert decision.outcome == "approve"
    assert decision.rule_id == "standard-window"


# -- facts that contradict each other ----------------------------------------------


def test_sku_not_on_the_transaction(policy: Policy) -> None:
    exc = input_error(
        lambda: policy.decide(
            request(sku="ADAPTER-2"), customer=customer(), transaction=transaction()
        )
    )
    assert exc.code == "contradictory-facts"
    assert "`ADAPTER-2`" in exc.message
    assert "`t1`" in exc.message
    assert exc.hint == "did you mean `ADAPTER-1`?"


def test_sku_far_from_any_on_the_transaction_lists_the_skus(policy: Policy) -> None:
    exc = input_error(
        lambda: policy.decide(request(sku="ZZZ"), customer=customer(), transaction=transaction())
    )
    assert exc.hint is not None
    assert "`ADAPTER-1`" in exc.hint
    assert "`CABLE-9`" in exc.hint


def test_sku_on_a_transaction_without_items(policy: Policy) -> None:
    exc = input_error(
        lambda: policy.decide(request(), customer=customer(), transaction=transaction(items=()))
    )
    assert exc.code == "contradictory-facts"


def test_transaction_of_another_customer(policy: Policy) -> None:
    exc = input_error(
        lambda: policy.decide(
            request(), customer=customer(), transaction=transaction(customer_id="c2")
        )
    )
    assert exc.code == "contradictory-facts"
    assert "`c2`" in exc.message
    assert "`c1`" in exc.message


def test_request_about_another_transaction(policy: Policy) -> None:
    exc = input_error(
        lambda: policy.decide(
            request(transaction_id="t9"), customer=customer(), transaction=transaction()
        )
    )
    assert exc.code == "contradictory-facts"
    assert "`t9`" in exc.message
    assert "`t1`" in exc.message


def test_role_not_on_the_ladder_gets_did_you_mean(policy: Policy) -> None:
    exc = input_error(
        lambda: policy.decide(
            request(), customer=customer(), transaction=transaction(), actor=actor("supervsor")
        )
    )
    assert exc.code == "unknown-role"
    assert "`supervsor`" in exc.message
    assert exc.hint == "did you mean `supervisor`?"


def test_role_far_from_the_ladder_lists_the_roles(policy: Policy) -> None:
    exc = input_error(
        lambda: policy.decide(
            request(), customer=customer(), transaction=transaction(), actor=actor("cashier")
        )
    )
    assert exc.code == "unknown-role"
    assert exc.hint is not None
    for role in ("associate", "supervisor", "store_manager"):
        assert f"`{role}`" in exc.hint


def test_as_of_before_the_purchase(policy: Policy) -> None:
    exc = input_error(
        lambda: policy.decide(
            request(),
            customer=customer(),
            transaction=transaction(),
            as_of=date(2026, 1, 5),
        )
    )
    assert exc.code == "contradictory-facts"
    assert "2026-01-05" in exc.message


def test_request_made_before_the_purchase(policy: Policy) -> None:
    exc = input_error(
        lambda: policy.decide(
            request(requested_at=date(2026, 1, 5)),
            customer=customer(),
            transaction=transaction(),
        )
    )
    assert exc.code == "contradictory-facts"
    assert "2026-01-05" in exc.message
    assert "2026-01-10" in exc.message


def test_as_of_before_the_request(policy: Policy) -> None:
    exc = input_error(
        lambda: policy.decide(
            request(),
            customer=customer(),
            transaction=transaction(),
            as_of=date(2026, 1, 15),
        )
    )
    assert exc.code == "contradictory-facts"
    assert "`as_of`" in exc.message
    assert "2026-01-15" in exc.message
    assert "2026-01-20" in exc.message
    assert exc.hint is not None


def test_case_id_mismatch(policy: Policy) -> None:
    exc = input_error(
        lambda: policy.decide(
            request(case_id="K1"),
            customer=customer(),
            transaction=transaction(),
            case=CaseFacts(id="K2"),
        )
    )
    assert exc.code == "contradictory-facts"
    assert "`K1`" in exc.message
    assert "`K2`" in exc.message


# -- the wrong policy for the request ------------------------------------------------


def test_request_kind_the_policy_does_not_decide(policy: Policy) -> None:
    exc = input_error(
        lambda: policy.decide(
            request(kind="exchange"), customer=customer(), transaction=transaction()
        )
    )
    assert exc.code == "wrong-policy"
    assert "`exchange`" in exc.message
    assert "`returns`" in exc.message
    assert exc.hint is not None
    assert "`return`" in exc.hint


def test_policy_set_without_a_policy_for_the_kind(policy: Policy) -> None:
    policies = PolicySet([policy])
    exc = input_error(
        lambda: policies.decide(
            request(kind="refund"), customer=customer(), transaction=transaction()
        )
    )
    assert exc.code == "no-policy"
    assert "`refund`" in exc.message
    assert exc.hint is not None
    assert "`return`" in exc.hint


def test_policy_set_situation_without_a_policy_for_the_kind(policy: Policy) -> None:
    policies = PolicySet([policy])
    bad = situation(request=request(kind="refund"))
    assert input_error(lambda: policies.decide_situation(bad)).code == "no-policy"
    exc = input_error(lambda: policies.decide_all([situation(), bad]))
    assert exc.code == "no-policy"
    assert exc.message.startswith("situation 1: ")


# -- malformed facts as plain data ---------------------------------------------------

GOOD_CUSTOMER: dict[str, Any] = {"id": "c1", "tier": 4}
GOOD_REQUEST: dict[str, Any] = {
    "id": "r1",
    "kind": "return",
    "transaction_id": "t1",
    "sku": "ADAPTER-1",
    "requested_at": "2026-01-20",
}
GOOD_TRANSACTION: dict[str, Any] = {
    "id": "t1",
    "customer_id": "c1",
    "purchased_at": "2026-01-10",
    "items": [{"sku": "ADAPTER-1", "unit_price": "59.99"}],
}
GOOD_ACTOR: dict[str, Any] = {"id": "e1", "role": "associate"}


def _without(data: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != key}


MALFORMED = [
    pytest.param("customer", {**GOOD_CUSTOMER, "tier": 7}, "tier", id="tier-7"),
    pytest.param("customer", {**GOOD_CUSTOMER, "tier": 0}, "tier", id="tier-0"),
    pytest.param("customer", {**GOOD_CUSTOMER, "tier": "gold"}, "tier", id="tier-text"),
    pytest.param("customer", {**GOOD_CUSTOMER, "tier": 10**100}, "tier", id="tier-huge"),
    pytest.param("customer", _without(GOOD_CUSTOMER, "id"), "id", id="customer-missing-id"),
    pytest.param("customer", {**GOOD_CUSTOMER, "id": ""}, "id", id="customer-empty-id"),
    pytest.param("customer", {**GOOD_CUSTOMER, "teir": 4}, "teir", id="customer-unknown-field"),
    pytest.param("customer", {**GOOD_CUSTOMER, "flags": 5}, "flags", id="flags-number"),
    pytest.param(
        "customer", {**GOOD_CUSTOMER, "lifetime_value": "-3"}, "lifetime_value", id="negative-ltv"
    ),
    pytest.param("customer", {**GOOD_CUSTOMER, "attributes": [1]}, "attributes", id="attrs-list"),
    pytest.param("customer", ["c1", 4], None, id="customer-list"),
    pytest.param("customer", "c1", None, id="customer-text"),
    pytest.param("customer", None, None, id="customer-none"),
    pytest.param("request", _without(GOOD_REQUEST, "id"), "id", id="request-missing-id"),
    pytest.param("request", _without(GOOD_REQUEST, "kind"), "kind", id="request-missing-kind"),
    pytest.param("request", {**GOOD_REQUEST, "kind": "Return!"}, "kind", id="request-bad-kind"),
    pytest.param(
        "request", _without(GOOD_REQUEST, "requested_at"), "requested_at", id="missing-date"
    ),
    pytest.param(
        "request", {**GOOD_REQUEST, "requested_at": "yesterday"}, "requested_at", id="bad-date"
    ),
    pytest.param(
        "request", {**GOOD_REQUEST, "item_condition": "unusd"}, "item_condition", id="condition"
    ),
    pytest.param("request", {**GOOD_REQUEST, "amount": "NaN"}, "amount", id="amount-nan"),
    pytest.param("request", {**GOOD_REQUEST, "amount": "-1"}, "amount", id="amount-negative"),
    pytest.param("request", {**GOOD_REQUEST, "nope": 1}, "nope", id="request-unknown-field"),
    pytest.param(
        "transaction", _without(GOOD_TRANSACTION, "purchased_at"), "purchased_at", id="no-date"
    ),
    pytest.param(
        "transaction",
        {**GOOD_TRANSACTION, "items": [{"sku": "ADAPTER-1"}]},
        "unit_price",
        id="item-missing-price",
    ),
    pytest.param(
        "transaction",
        {**GOOD_TRANSACTION, "items": [{"sku": "ADAPTER-1", "unit_price": "-1"}]},
        "unit_price",
        id="item-negative-price",
    ),
    pytest.param(
        "transaction",
        {**GOOD_TRANSACTION, "items": [{"unit_price": "1"}]},
        "sku",
        id="item-missing-sku",
    ),
    pytest.param("transaction", {**GOOD_TRANSACTION, "items": 3}, "items", id="items-number"),
    pytest.param("actor", _without(GOOD_ACTOR, "role"), "role", id="actor-missing-role"),
    pytest.param("actor", {**GOOD_ACTOR, "rank": 3}, "rank", id="actor-unknown-field"),
    pytest.param("actor", "associate", None, id="actor-text"),
    pytest.param("case", {"contacts_14d": 3}, "id", id="case-missing-id"),
    pytest.param("case", {"id": "K1", "contacts_14d": -1}, "contacts_14d", id="case-negative"),
    # Lax coercions refused (issue 14): strict and alike at every door.
    pytest.param("customer", {**GOOD_CUSTOMER, "tier": True}, "tier", id="tier-true"),
    pytest.param("customer", {**GOOD_CUSTOMER, "tier": b"4"}, "tier", id="tier-bytes"),
    pytest.param(
        "customer", {**GOOD_CUSTOMER, "lifetime_value": "\u0664"}, "lifetime_value", id="ltv-digit"
    ),
    pytest.param("customer", {**GOOD_CUSTOMER, "segment": "  "}, "segment", id="blank-label"),
    pytest.param(
        "request", {**GOOD_REQUEST, "packaging_intact": "off"}, "packaging_intact", id="bool-off"
    ),
    pytest.param("request", {**GOOD_REQUEST, "line": 0}, "line", id="line-zero"),
]


@pytest.mark.parametrize(("what", "value", "field"), MALFORMED)
def test_malformed_facts_are_invalid_facts(
    policy: Policy, what: str, value: Any, field: str | None
) -> None:
    facts: dict[str, Any] = {
        "request": GOOD_REQUEST,
        "customer": GOOD_CUSTOMER,
        "transaction": GOOD_TRANSACTION,
        "actor": GOOD_ACTOR,
    }
    facts[what] = value
    req = facts.pop("request")
    exc = input_error(lambda: policy.decide(req, **facts))
    assert exc.code == "invalid-facts"
    assert what in exc.message
    if field is not None:
        assert f"`{field}" in exc.message or f".{field}" in exc.message, exc.message


def test_plain_data_that_is_well_formed_decides(policy: Policy) -> None:
    decision = policy.decide(
        GOOD_REQUEST, customer=GOOD_CUSTOMER, transaction=GOOD_TRANSACTION, actor=GOOD_ACTOR
    )
    assert decision.outcome == "approve"


def test_a_model_of_the_wrong_kind_is_invalid_facts(policy: Policy) -> None:
    exc = input_error(
        lambda: policy.decide(customer(), customer=customer())  # type: ignore[arg-type]
    )
    assert exc.code == "invalid-facts"
    assert "Request" in exc.message


def test_several_problems_are_counted(policy: Policy) -> None:
    exc = input_error(lambda: policy.decide(GOOD_REQUEST, customer={"tier": 9, "x": 1}))
    assert exc.code == "invalid-facts"
    assert "more" in exc.message


@pytest.mark.parametrize(
    "as_of",
    [
        pytest.param("2026-01-20", id="text"),
        pytest.param(20260120, id="number"),
    ],
)
def test_as_of_that_is_not_a_date(policy: Policy, as_of: Any) -> None:
    exc = input_error(
        lambda: policy.decide(
            request(), customer=customer(), transaction=transaction(), as_of=as_of
        )
    )
    assert exc.code == "invalid-facts"
    assert "`as_of`" in exc.message


def test_as_of_datetime_is_never_a_type_error(policy: Policy) -> None:
    """A POS may pass a `datetime`: decide on its date, or refuse it as `InputError`."""
    outcome: object
    try:
        outcome = policy.decide(
            request(),
            customer=customer(),
            transaction=transaction(),
            as_of=datetime(2026, 1, 25, 12, 30),
        ).outcome
    except InputError as exc:
        outcome = exc.code
    assert outcome in ("approve", "invalid-facts")


# -- situations ----------------------------------------------------------------------


def test_malformed_situation_mapping(policy: Policy) -> None:
    data = {"request": GOOD_REQUEST, "customer": {**GOOD_CUSTOMER, "tier": 7}}
    exc = input_error(lambda: policy.decide_situation(data))
    assert exc.code == "invalid-facts"
    assert "tier" in exc.message


def test_decide_all_names_the_bad_situation(policy: Policy) -> None:
    bad = situation(actor=actor("cashier"))
    exc = input_error(lambda: policy.decide_all([situation(), situation(), bad]))
    assert exc.code == "unknown-role"
    assert exc.message.startswith("situation 2: ")
    assert exc.hint is not None


def test_decide_all_with_a_malformed_mapping(policy: Policy) -> None:
    exc = input_error(lambda: policy.decide_all([{"request": GOOD_REQUEST}]))
    assert exc.code == "invalid-facts"
    assert exc.message.startswith("situation 0: ")


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("request.nope", id="unknown-field"),
        pytest.param("request", id="no-field"),
        pytest.param("request.", id="empty-field"),
        pytest.param("nope.tier", id="unknown-record"),
        pytest.param("actor.role", id="actor-not-changeable"),
        pytest.param("request.sku.text", id="too-deep"),
        pytest.param("customer.name.first", id="nested-on-a-scalar"),
    ],
)
def test_with_changes_to_an_unknown_path(path: str) -> None:
    exc = input_error(lambda: situation().with_changes({path: 1}))
    assert exc.code == "unknown-field"
    assert f"`{path}`" in exc.message
    assert exc.hint is not None


def test_with_changes_to_a_missing_record() -> None:
    base = situation(transaction=None)
    exc = input_error(lambda: base.with_changes({"transaction.store_id": "s1"}))
    assert exc.code == "unknown-field"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        pytest.param("customer.tier", 7, id="tier-7"),
        pytest.param("request.item_condition", "unusd", id="bad-condition"),
        pytest.param("request.requested_at", "not a date", id="bad-date"),
    ],
)
def test_with_changes_to_an_invalid_value(path: str, value: object) -> None:
    exc = input_error(lambda: situation().with_changes({path: value}))
    assert exc.code == "invalid-facts"
    assert path.rsplit(".", 1)[1] in exc.message


def test_with_changes_that_are_valid() -> None:
    changed = situation().with_changes({"request.sku": "CABLE-9", "customer.tier": 5})
    assert changed.request.sku == "CABLE-9"
    assert changed.customer.tier == 5


@pytest.mark.parametrize(
    "item",
    [pytest.param(5, id="number"), pytest.param("situation.yaml", id="text")],
)
def test_decide_all_with_something_that_is_not_a_situation(policy: Policy, item: object) -> None:
    exc = input_error(lambda: policy.decide_all([situation(), item]))  # type: ignore[list-item]
    assert exc.code == "invalid-facts"
    assert exc.message.startswith("situation 1: ")
