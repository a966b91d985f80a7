"""Hypothesis strategies that write whole policies, for differential testing.

The policies use every construct of the language the durable back end supports:
comparisons on every kind of field, missing values, `known`, `coalesce`,
membership in lists and sets, store attributes of mixed kinds, arithmetic,
functions, facts, `not` / `any` / `all`, guards, standard rules and flex rules.
"""

from __future__ import annotations

import json

from hypothesis import strategies as st

KINDS = ["return", "exchange", "refund", "price_adjustment", "fee_waiver", "goodwill"]
ROLES = ["associate", "supervisor", "store_manager"]


def _q(text: str) -> str:
    return json.dumps(text)


ATOMS = st.one_of(
    st.integers(1, 5).map(lambda k: f"customer.tier >= {k}"),
    st.integers(1, 5).map(lambda k: f"customer.tier < {k}"),
    st.sampled_from([0, 14, 30, 31, 45, 90, 120]).map(lambda d: f"days_since_purchase <= {d}"),
    st.sampled_from([14, 30, 90]).map(lambda d: f"days_since_purchase > {d}"),
    st.sampled_from(["10", "25.01", "50", "100", "499.99"]).map(lambda x: f"item_price <= {x}"),
    st.sampled_from(["25", "100.5"]).map(lambda x: f"request.amount > {x}"),
    st.just("request.amount <= item_price"),
    st.sampled_from(["100", "99.98"]).map(lambda x: f"item_price * 2 >= {x}"),
    st.sampled_from(["unused", "opened", "defective"]).map(
        lambda c: f"request.item_condition == {_q(c)}"
    ),
    st.just('request.item_condition in ["unused", "opened"]'),
    st.just('request.item_condition not in ["used", "damaged"]'),
    st.just("request.store_at_fault"),
    st.just("not request.store_at_fault"),
    st.just("request.packaging_intact"),
    st.just("not request.packaging_intact"),
    st.just("coalesce(request.has_receipt, true)"),
    st.just("coalesce(request.packaging_intact, false)"),
    st.just("known(customer.segment)"),
    st.just("not known(customer.lifetime_value)"),
    st.just('"abusive" in customer.flags'),
    st.just('"vip" not in customer.flags'),
    st.sampled_from(["100", "1000"]).map(lambda x: f"customer.lifetime_value >= {x}"),
    st.integers(0, 3).map(lambda k: f"customer.exceptions_90d < {k}"),
    st.integers(1, 4).map(lambda k: f"case.contacts_total >= {k}"),
    st.just("known(case)"),
    st.just("known(item)"),
    st.integers(0, 4).map(lambda k: f"customer.attributes.score >= {k}"),
    st.just("customer.attributes.vip == true"),
    st.just("customer.attributes.vip"),
    st.just('customer.attributes.level == "gold"'),
    st.just("customer.attributes.score not in [1, 2]"),
    st.just('customer.attributes.level in ["gold", "silver"]'),
    st.just("customer.attributes.score > customer.attributes.fee_waivers_12m"),
    st.just("len(transaction.items) >= 1"),
    st.sampled_from([30, 365]).map(lambda d: f"customer_tenure_days >= {d}"),
    st.just('item.category == "electronics"'),
    st.just("item.final_sale"),
    st.just('request.reason in ["defective", "wrong_item_sold"]'),
    st.integers(2, 5).map(lambda k: f"max(customer.tier, 3) >= {k}"),
    st.just("abs(item_price - request.amount) < 10"),
    st.just('transaction.channel != "online"'),
    st.just('today >= date("2026-06-01")'),
    st.just("customer.returns_12m + customer.exceptions_90d <= 3"),
    st.just("30 <= days_since_purchase <= 90"),
    st.just("-customer.tier < -2"),
    st.just("round(item_price) >= 50"),
    st.just('lower(coalesce(customer.segment, "x")) == "loyal"'),
    st.just("unused"),
    st.just("not unused"),
    # issue 16: if/then/else, map params, date arithmetic (all exact for z3)
    st.sampled_from([14, 30, 45]).map(
        lambda d: f"days_since_purchase <= (if customer.tier >= 4 then {d} else 20)"
    ),
    st.just("if request.has_receipt then customer.tier >= 3 else customer.tier >= 5"),
    st.just("days_since_purchase <= lookup(windows, customer.segment, 15)"),
    st.just("lookup(windows, customer.attributes.level, 10) > 20"),
    st.just("add_days(transaction.purchased_at, 30) >= today"),
)


@st.composite
def conditions(draw: st.DrawFn, depth: int = 0) -> object:
    """One entry of `when`: an expression or a structured form."""
    shape = draw(st.integers(0, 9 if depth < 2 else 5))
    if shape <= 5:
        return draw(ATOMS)
    if shape == 6:
        return f"not ({draw(ATOMS)})"
    if shape == 7:
        return f"({draw(ATOMS)}) or ({draw(ATOMS)})"
    items = draw(st.lists(conditions(depth + 1), min_size=1, max_size=3))
    return {"any": items} if shape == 8 else {"not": items[0]}


@st.composite
def policies(draw: st.DrawFn) -> str:
    """A policy file (YAML text, as JSON, which is YAML) that loads cleanly."""
    rules: list[dict[str, object]] = []
    for i in range(draw(st.integers(0, 2))):
        outcome = draw(st.sampled_from(["deny", "refer"]))
        rule: dict[str, object] = {
            "id": f"g{i}",
            "kind": "guard",
            "when": draw(st.lists(conditions(), min_size=1, max_size=2)),
            "outcome": outcome,
        }
        if outcome == "refer":
            rule["authority"] = draw(st.sampled_from(ROLES))
        # Guards fail closed by default; `skip` restores "definitely true" (DESIGN 2.3).
        unknown = draw(st.sampled_from([None, "apply", "skip"]))
        if unknown is not None:
            rule["unknown"] = unknown
        rules.append(rule)
    denials = []
    for i in range(draw(st.integers(1, 4))):
        outcome = draw(st.sampled_from(["approve", "deny"]))
        rule = {
            "id": f"s{i}",
            "when": draw(st.lists(conditions(), min_size=1, max_size=3)),
            "outcome": outcome,
        }
        if outcome == "approve":
            remedies = draw(
                st.lists(
                    st.sampled_from(["refund", "store_credit", "exchange"]),
                    min_size=1,
                    max_size=2,
                    unique=True,
                )
            )
            rule["remedy"] = remedies[0] if len(remedies) == 1 else remedies
            if draw(st.booleans()):
                rule["authority"] = draw(st.sampled_from(ROLES))
            fee = draw(st.sampled_from([None, "5", "item_price / 10", "request.amount"]))
            if fee is not None:
                rule["fee"] = fee
        else:
            denials.append(f"s{i}")
        rules.append(rule)
    targets = [*denials, "default"]
    for i in range(draw(st.integers(0, 3))):
        rules.append(
            {
                "id": f"f{i}",
                "kind": "flex",
                "bends": draw(
                    st.lists(st.sampled_from(targets), min_size=1, max_size=2, unique=True)
                ),
                "when": draw(st.lists(conditions(), min_size=1, max_size=3)),
                "outcome": "approve",
                "remedy": "store_credit",
                "authority": draw(st.sampled_from(ROLES)),
            }
        )
    policy = {
        "policy": "generated",
        "version": "1",
        "applies_to": KINDS,
        "roles": ROLES,
        "params": {"windows": {"loyal": 30, "Gold": 45, "new": 7}},
        "facts": {"unused": 'request.item_condition == "unused" and request.packaging_intact'},
        "rules": rules,
        "default": {"outcome": "deny"},
    }
    return json.dumps(policy, indent=1)
