"""The 100,000 situations every peer decides, built once per process from a fixed seed.

Why one module: every peer must see exactly the same situations, and building them
(pydantic validation, JSON serialisation) must never be part of a timed run.  The same
random draw becomes three forms:

* `situations`: flexpolicy `Situation` models, as a POS backend holding typed facts has
  them (a request with its sku and amount, the customer, the transaction with its one
  line, the acting associate);
* `rows`: flat plain dicts, the form the peer engines take.  `days` is precomputed
  here, because most peers cannot subtract dates; flexpolicy computes
  `days_since_purchase` from the two dates in every decision, and the
  "hand-written on models" row shows what that costs plain Python;
* `json_lines`: each situation as JSON text, for the parse + validate + decide path.

The mix is skewed so that every rule fires often enough to be checked: about 2% of
customers are flagged `abusive` (and some others `fraud_watch`, which no rule reads), and
unused items and store faults are common enough that the narrow exception rule (rule 3)
decides a few hundred situations.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from flexpolicy import Actor, Customer, LineItem, Request, Situation, Transaction

__all__ = ["SEED", "TODAY", "Workload", "build"]

SEED = 20261120
TODAY = date(2026, 11, 20)
CONDITIONS = ("unused", "opened", "used", "damaged", "defective")
CONDITION_WEIGHTS = (4, 3, 2, 1, 1)


@dataclass(frozen=True, slots=True)
class Workload:
    """The same situations in the three forms the peers take, index for index."""

    seed: int
    situations: tuple[Situation, ...]
    rows: tuple[dict[str, Any], ...]
    json_lines: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.rows)


def _row(rng: random.Random) -> dict[str, Any]:
    """One situation as the plain facts the five rules read."""
    draw = rng.random()
    flags = ["abusive"] if draw < 0.02 else ["fraud_watch"] if draw < 0.05 else []
    return {
        "kind": "return" if rng.random() < 0.7 else "exchange",
        "flags": flags,
        "tier": rng.randint(1, 5),
        "days": rng.randint(0, 200),
        "condition": rng.choices(CONDITIONS, CONDITION_WEIGHTS)[0],
        "store_at_fault": rng.random() < 0.3,
        "exceptions_90d": rng.randint(0, 3),
        # Whole cents from 5.00 to 500.00: exact as Decimal, and compared exactly as a
        # float around the 100.00 boundary too.
        "amount": rng.randint(500, 50_000) / 100,
    }


def _situation(i: int, row: dict[str, Any]) -> Situation:
    amount = Decimal(round(row["amount"] * 100)) / 100
    return Situation(
        request=Request(
            id=f"r{i}",
            kind=row["kind"],
            requested_at=TODAY,
            transaction_id=f"t{i}",
            sku="sku-1",
            item_condition=row["condition"],
            store_at_fault=row["store_at_fault"],
            amount=amount,
        ),
        customer=Customer(
            id=f"c{i}",
            tier=row["tier"],
            exceptions_90d=row["exceptions_90d"],
            flags=frozenset(row["flags"]),
        ),
        transaction=Transaction(
            id=f"t{i}",
            customer_id=f"c{i}",
            purchased_at=TODAY - timedelta(days=row["days"]),
            items=(LineItem(sku="sku-1", unit_price=amount),),
        ),
        actor=Actor(id="e1", role="associate"),
    )


@cache
def build(n: int = 100_000, seed: int = SEED) -> Workload:
    """The first `n` situations of the seed's draw (cached: built once per process)."""
    rng = random.Random(seed)
    rows = tuple(_row(rng) for _ in range(n))
    situations = tuple(_situation(i, row) for i, row in enumerate(rows))
    json_lines = tuple(s.model_dump_json(exclude_none=True) for s in situations)
    return Workload(seed, situations, rows, json_lines)
