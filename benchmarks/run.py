"""Cost of one decision on the shipped returns policy, next to a hand-written function.

Run with `make bench`.  Medians of repeated runs on one core; no timed assertions
live in the tests.  (Peer engines are measured in a later milestone.)
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import flexpolicy

ROOT = Path(__file__).resolve().parents[1]
N = 20_000
TODAY = date(2026, 11, 20)


def make_situations(n: int, seed: int = 7) -> list[flexpolicy.Situation]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        days = rng.randint(0, 200)
        price = Decimal(rng.randint(100, 50_000)) / 100
        out.append(
            flexpolicy.Situation(
                request=flexpolicy.Request(
                    id=f"r{i}",
                    kind="return",
                    requested_at=TODAY,
                    transaction_id="t",
                    sku="s",
                    item_condition=rng.choice(["unused", "opened", "used", "defective"]),
                    packaging_intact=rng.random() < 0.7,
                    has_receipt=rng.random() < 0.9,
                    reason=rng.choice(["changed_mind", "wrong_item_sold", "defective"]),
                    store_at_fault=rng.random() < 0.2,
                ),
                customer=flexpolicy.Customer(
                    id="c",
                    tier=rng.randint(1, 5),
                    exceptions_90d=rng.randint(0, 3),
                    flags=frozenset(["abusive"]) if rng.random() < 0.02 else frozenset(),
                ),
                transaction=flexpolicy.Transaction(
                    id="t",
                    customer_id="c",
                    purchased_at=TODAY - timedelta(days=days),
                    items=(flexpolicy.LineItem(sku="s", unit_price=price),),
                ),
                actor=flexpolicy.Actor(id="e", role=rng.choice(["associate", "supervisor"])),
            )
        )
    return out


def median_per_item(run: object, items: list[flexpolicy.Situation], repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run(items)  # type: ignore[operator]  # a callable taking the list
        times.append((time.perf_counter() - start) / len(items))
    return statistics.median(times) * 1e6


def main() -> None:
    policy = flexpolicy.load_policy(ROOT / "rules" / "returns.yaml")
    durable = flexpolicy.load_policy(ROOT / "rules" / "returns.yaml", engine="durable")
    situations = make_situations(N)
    policy.decide_all(situations)  # warm up: the first pass pays for promoting new objects
    rows = [
        ("decide_all (outcome only)", policy.decide_all),
        (
            "decide (one at a time)",
            lambda xs: [policy.decide_situation(x) for x in xs],
        ),
        ("durable: decide_all", durable.decide_all),
        (
            "decide + rationale + trace",
            lambda xs: [
                (d.rationale, d.trace) for d in (policy.decide_situation(x) for x in xs[:2000])
            ],
        ),
    ]
    print(f"python {sys.version.split()[0]}, {N:,} situations, rules/returns.yaml")
    print(f"{'path':32} {'µs / decision':>14}")
    for name, run in rows:
        subset = situations if "rationale" not in name else situations[:2000]
        subset = subset[:5000] if "durable" in name else subset
        print(f"{name:32} {median_per_item(run, subset):14.2f}")


if __name__ == "__main__":
    main()
