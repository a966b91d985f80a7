"""How a POS backend calls flexpolicy: load once, decide per request, log JSON.

Run from the repository root:  python examples/pos_backend.py
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import flexpolicy

ROOT = Path(__file__).resolve().parents[1]

# At start-up: load and compile every policy once.  A PolicySet is immutable and
# safe to share between the threads that serve the tills.
POLICIES = flexpolicy.load_policies(ROOT / "rules")


def handle_return(employee_role: str) -> flexpolicy.Decision:
    """What the till does when a customer brings something back."""
    customer = flexpolicy.Customer(id="C-1042", tier=4, purchases_12m=5)
    transaction = flexpolicy.Transaction(
        id="T-88120",
        customer_id="C-1042",
        purchased_at=date(2026, 8, 20),
        items=(
            flexpolicy.LineItem(
                sku="ADP-65W",
                unit_price=Decimal("59.99"),
                description="USB-C power adapter 65W",
                category="electronics",
            ),
        ),
    )
    request = flexpolicy.Request(
        id="R-5001",
        kind="return",
        requested_at=date(2026, 11, 20),
        transaction_id="T-88120",
        sku="ADP-65W",
        item_condition="unused",
        packaging_intact=True,
        has_receipt=True,
        reason="wrong_item_sold",
        store_at_fault=True,
    )
    actor = flexpolicy.Actor(id="E-17", role=employee_role)
    try:
        return POLICIES.decide(request, customer=customer, transaction=transaction, actor=actor)
    except flexpolicy.InputError as exc:  # facts that contradict each other
        raise SystemExit(f"cannot decide: {exc}") from None


def main() -> None:
    for role in ("associate", "supervisor"):
        decision = handle_return(role)
        print(f"--- as {role}")
        print("screen :", decision.outcome.upper(), decision.remedy, decision.amount)
        if decision.outcome == "refer":
            print("ask    :", decision.required_role)
        print("staff  :", decision.rationale.staff)
        print("say    :", decision.rationale.customer)
        for lever in decision.levers:
            print("offer  :", lever.text)
        audit = decision.model_dump(mode="json")  # what goes to the audit log
        kept = {k: audit[k] for k in ("outcome", "rule_id", "policy_digest")}
        print("audit  :", json.dumps(kept))


if __name__ == "__main__":
    main()
