"""The double-charge story from Python: the case book, its escalations, and a decision
that sees the case.  Run from the repository root: python examples/cases/double_charge.py
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path

import flexpolicy
from flexpolicy.cases import CaseBook, load_escalations

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, CaseBook(f"sqlite:///{tmp}/cases.db") as book:
        case = book.open(
            customer_id="C-1042",
            subject="Charged twice for a coffee grinder",
            at=datetime(2026, 11, 2, 10, 0),
            by="E-17",
            channel="phone",
            note="two charges of 129.00 on the card",
        )
        book.add_step(
            case.id, at=datetime(2026, 11, 2, 10, 5), by="E-17", action="refund requested"
        )
        book.promise(
            case.id,
            at=datetime(2026, 11, 2, 10, 6),
            by="E-17",
            what="refund of 129.00 to the card",
            due=date(2026, 11, 7),
        )
        book.log_contact(
            case.id,
            at=datetime(2026, 11, 9, 16),
            channel="phone",
            by="E-22",
            note="refund has not arrived",
        )
        book.log_contact(
            case.id,
            at=datetime(2026, 11, 12, 9, 30),
            channel="email",
            by="E-31",
            note="still no refund",
        )

        as_of = date(2026, 11, 12)
        print(book.story(case.id, as_of=as_of))
        raised = book.sweep(as_of, load_escalations(ROOT / "rules" / "escalations.yaml"))
        for escalation in raised:
            print(f"escalate to {escalation.escalate_to}: {escalation.staff}")
        assert {e.rule_id for e in raised} == {"third-contact", "promise-overdue"}
        assert book.sweep(as_of, load_escalations(ROOT / "rules" / "escalations.yaml")) == []

        # The refund decision sees the case: the customer had to call three times.
        policies = flexpolicy.load_policies(ROOT / "rules")
        decision = policies.decide(
            {
                "id": "R-9",
                "kind": "refund",
                "requested_at": "2026-11-12",
                "reason": "double_charge",
                "amount": "129.00",
                "case_id": case.id,
            },
            customer={"id": "C-1042", "tier": 3},
            case=book.facts(case.id, as_of),
        )
        print(decision.outcome, decision.remedy, [lever.id for lever in decision.levers])


if __name__ == "__main__":
    main()
