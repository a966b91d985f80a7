"""Cost of one decision on the shipped returns policy, next to a hand-written function.

Run with `make bench` (or `python benchmarks/run.py [--n 20000]`).  Medians of repeated
runs on one core; no timed assertions live in the tests.  The peer engines are measured
by `peers.py`.  The last row times only the rendering of a decision's rationale and
trace, on decisions already made (issue 7's "on demand" target); the row above it pays
for deciding too.  Results also go to `benchmarks/results/run.json`.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import _results

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


def median_render_only(
    policy: flexpolicy.Policy, items: list[flexpolicy.Situation], repeats: int = 5
) -> float:
    """Rationale and trace of decisions already made: only the rendering on demand is timed.

    Each run decides the batch afresh first (untimed), because a decision keeps what it
    rendered and a second look would cost nothing.
    """
    times = []
    for _ in range(repeats):
        decisions = policy.decide_all(items)
        gc.collect()
        start = time.perf_counter()
        for d in decisions:
            d.rationale  # noqa: B018 - the attribute renders on first access
            d.trace  # noqa: B018
        times.append((time.perf_counter() - start) / len(items))
    return statistics.median(times) * 1e6


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=N, help=f"situations (default {N:,})")
    args = parser.parse_args(argv)
    n = args.n
    policy = flexpolicy.load_policy(ROOT / "rules" / "returns.yaml")
    durable = flexpolicy.load_policy(ROOT / "rules" / "returns.yaml", engine="durable")
    situations = make_situations(n)
    policy.decide_all(situations)  # warm up: the first pass pays for promoting new objects
    rows = [
        ("decide_all", "decide_all (outcome only)", policy.decide_all),
        (
            "decide",
            "decide (one at a time)",
            lambda xs: [policy.decide_situation(x) for x in xs],
        ),
        ("durable_decide_all", "durable: decide_all", durable.decide_all),
        (
            "decide_rationale_trace",
            "decide + rationale + trace",
            lambda xs: [
                (d.rationale, d.trace) for d in (policy.decide_situation(x) for x in xs[:2000])
            ],
        ),
    ]
    print(f"python {sys.version.split()[0]}, {n:,} situations, rules/returns.yaml")
    print(f"{'path':32} {'µs / decision':>14}")
    results = []
    for key, name, run in rows:
        subset = situations if "rationale" not in name else situations[:2000]
        subset = subset[:5000] if "durable" in name else subset
        us = median_per_item(run, subset)
        results.append({"key": key, "label": name, "situations": len(subset), "median_us": us})
        print(f"{name:32} {us:14.2f}")
    subset = situations[:2000]
    us = median_render_only(policy, subset)
    name = "rationale + trace (on demand)"
    results.append(
        {"key": "rationale_trace", "label": name, "situations": len(subset), "median_us": us}
    )
    print(f"{name:32} {us:14.2f}")
    _results.write(
        "run",
        {"policy": "rules/returns.yaml", "n": n, "seed": 7, "repeats": 5, "rows": results},
    )


if __name__ == "__main__":
    main()
