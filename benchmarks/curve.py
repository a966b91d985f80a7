"""How flexpolicy's cost grows: with the rules of a policy (100 to 10,000) and with the
number of situations decided (10,000 to 1,000,000).

Issue 7 asks that "cost grows linearly in rules and situations", shown as a curve.  This
script measures it instead of asserting it:

1. Situations (first, while the process is small): one generated policy of
   `--scale-rules` rules (100) decides 10,000, 100,000 and 1,000,000 situations, two
   ways a replay would: `Policy.iter_decide` streaming, and `Policy.decide_all` in
   chunks of 10,000.  The situations are 10,000 distinct pre-built models, cycled, so
   memory holds the pool and never the decisions; the peak resident memory of each run
   (VmHWM, reset before it) shows whether anything accumulates.
2. Rules: for each size, the policy that `analysis.py` generates (per-department
   standard rules over windows, tiers, conditions, prices and reasons, 2% guards, 10%
   flex rules, 5 levers) is written to a file, then
   - loaded, type-checked and compiled (`flexpolicy.load_policy`), median of 3 loads up
     to 1,000 rules, one load above;
   - asked to decide situations drawn over its own departments, so that a situation
     meets its department's rules anywhere in the list (about half of the list is read
     on average, and every rule when none matches): a checking run, then the median of
     `--repeats` runs of `decide_all` over pre-built models.  20,000 situations up to
     1,000 rules, fewer above (the table says how many).
3. A least-squares line through µs/decision against rules (slope: µs per rule per
   decision, and R²), and the exponent b of cost ∝ rules^b from a log-log fit (1.0 is
   linear); the same for the load time.

Policies over 1,000,000 bytes (10,000 rules is about 1.9 MB) exceed the loader's file
size limit (docs/policy-language.md, "Limits"); for those rows only, this script lifts
the limit in `flexpolicy._build.located` and says so.  `flexpolicy check` (the z3 analysis) is
timed by `analysis.py`.

Usage: `python benchmarks/curve.py [--sizes 100,300,1000,3000,10000]
[--scale 10000,100000,1000000] [--scale-rules 100] [--situations 20000] [--repeats 5]`.
Results also go to `benchmarks/results/curve.json`, replacing the last run's (an empty
`--sizes ""` or `--scale ""` skips that part, and the file then holds null for it).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import itertools
import math
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

# `benchmarks/` is this script's directory: `analysis` is the script beside it.
import _results
import yaml

import flexpolicy
from analysis import CONDITIONS, REASONS, generated_policy
from flexpolicy import Actor, Customer, LineItem, Request, Situation, Transaction

TODAY = date(2026, 11, 20)
FLAGS = ("abusive", "fraud_watch", "chargeback", "reseller", "staff")
CHUNK = 10_000
POOL = 10_000
_CATEGORY = re.compile(r'item\.category == "([^"]+)"')


# -- inputs --------------------------------------------------------------------------
def departments(policy: dict[str, Any]) -> list[str]:
    """The item categories the policy's rules name, in order of first mention."""
    seen: dict[str, None] = {}
    for rule in policy["rules"]:
        when = rule["when"] if isinstance(rule["when"], list) else [rule["when"]]
        for condition in when:
            for match in _CATEGORY.finditer(condition):
                seen.setdefault(match.group(1), None)
    return list(seen) or ["department-0"]


def situations(categories: Sequence[str], n: int, seed: int = 3) -> list[Situation]:
    """`n` return requests over `categories`, with the mix the generated rules read."""
    rng = random.Random(seed)
    out: list[Situation] = []
    for i in range(n):
        draw = rng.random()
        flags = frozenset([rng.choice(FLAGS)]) if draw < 0.06 else frozenset()
        price = Decimal(round(math.exp(rng.uniform(math.log(5), math.log(1500))) * 100)) / 100
        receipt = rng.random()
        out.append(
            Situation(
                request=Request(
                    id=f"r{i}",
                    kind="return",
                    requested_at=TODAY,
                    transaction_id=f"t{i}",
                    sku="sku-1",
                    item_condition=rng.choice(CONDITIONS),
                    packaging_intact=rng.random() < 0.7,
                    has_receipt=True if receipt < 0.85 else False if receipt < 0.95 else None,
                    reason=rng.choice(REASONS),
                    store_at_fault=rng.random() < 0.2,
                ),
                customer=Customer(
                    id=f"c{i}",
                    tier=rng.randint(1, 5),
                    exceptions_90d=rng.choice((0, 0, 0, 1, 1, 2, 3)),
                    flags=flags,
                ),
                transaction=Transaction(
                    id=f"t{i}",
                    customer_id=f"c{i}",
                    purchased_at=TODAY - timedelta(days=rng.randint(0, 200)),
                    items=(
                        LineItem(sku="sku-1", unit_price=price, category=rng.choice(categories)),
                    ),
                ),
                actor=Actor(id="e1", role=rng.choice(("associate", "associate", "supervisor"))),
            )
        )
    return out


def situations_for(rules: int, default: int) -> int:
    """How many situations a size decides per run: `default` up to 1,000 rules, then
    fewer, so a run stays near a second (never fewer than 2,000)."""
    if rules <= 1_000:
        return default
    return min(default, max(2_000, 15_000_000 // rules // 1_000 * 1_000))


# -- memory --------------------------------------------------------------------------
def _reset_peak() -> bool:
    """Reset this process's peak resident size (Linux: `5` to clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _status_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def peak_rss_mb() -> float:
    peak = _status_mb("VmHWM")
    if peak is None:  # not Linux: the process's lifetime peak (KiB on Linux, bytes on macOS)
        scale = 1024 * 1024 if sys.platform == "darwin" else 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale
    return peak


# -- policies ------------------------------------------------------------------------
@contextlib.contextmanager
def _lifted_limits(size: int) -> Iterator[bool]:
    """Lift the loader's file-size and node limits while loading a policy over them."""
    from flexpolicy._build import located as _yaml  # noqa: PLC0415 - private: only for the largest sizes

    limit = getattr(_yaml, "MAX_BYTES", None)
    if limit is None or size <= limit:
        yield False
        return
    saved = _yaml.MAX_BYTES, _yaml.MAX_NODES
    _yaml.MAX_BYTES, _yaml.MAX_NODES = size * 2, saved[1] * 100
    try:
        yield True
    finally:
        _yaml.MAX_BYTES, _yaml.MAX_NODES = saved


def load(path: Path, repeats: int) -> tuple[flexpolicy.Policy, list[float], bool]:
    """Load, type-check and compile `path` `repeats` times: the last policy, the times."""
    size = path.stat().st_size
    times: list[float] = []
    policy = None
    with _lifted_limits(size) as lifted:
        for _ in range(repeats):
            policy = None
            gc.collect()
            start = time.perf_counter()
            policy = flexpolicy.load_policy(path)
            times.append(time.perf_counter() - start)
    assert policy is not None
    return policy, times, lifted


def _kinds(policy: dict[str, Any]) -> dict[str, str]:
    kinds = {rule["id"]: rule.get("kind", "standard") for rule in policy["rules"]}
    kinds["default"] = "default"
    return kinds


def _timed_decide_all(policy: flexpolicy.Policy, batch: list[Situation], repeats: int) -> Any:
    policy.decide_all(batch)  # the checking run: warms caches and promotes objects
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        policy.decide_all(batch)
        times.append((time.perf_counter() - start) / len(batch) * 1e6)
    return times


# -- fits ----------------------------------------------------------------------------
def linear_fit(xs: Sequence[float], ys: Sequence[float]) -> dict[str, float] | None:
    """Least squares y = a + b x with R², and the exponent of a log-log fit."""
    if len(xs) < 2:
        return None
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    intercept = my - slope * mx
    ss_tot = sum((y - my) ** 2 for y in ys)
    ss_res = sum((y - intercept - slope * x) ** 2 for x, y in zip(xs, ys, strict=True))
    r2 = 1 - ss_res / ss_tot if ss_tot else 1.0
    lx = [math.log(x) for x in xs]
    ly = [math.log(max(y, 1e-12)) for y in ys]
    lmx, lmy = statistics.fmean(lx), statistics.fmean(ly)
    exponent = sum((a - lmx) * (b - lmy) for a, b in zip(lx, ly, strict=True)) / sum(
        (a - lmx) ** 2 for a in lx
    )
    return {"slope": slope, "intercept": intercept, "r2": r2, "exponent": exponent}


# -- the two measurements --------------------------------------------------------------
def scale_in_situations(rules: int, counts: Sequence[int], repeats: int) -> dict[str, Any]:
    spec = generated_policy(rules)
    policy = flexpolicy.Policy.from_yaml(yaml.safe_dump(spec, sort_keys=False))
    pool = situations(departments(spec), POOL, seed=5)
    policy.decide_all(pool)  # warm up

    def stream(n: int) -> Iterator[Situation]:
        return itertools.islice(itertools.cycle(pool), n)

    def streaming(n: int) -> dict[str, int]:
        outcomes: dict[str, int] = {}
        for d in policy.iter_decide(stream(n)):
            outcomes[d.outcome] = outcomes.get(d.outcome, 0) + 1
        return outcomes

    def chunked(n: int) -> dict[str, int]:
        outcomes: dict[str, int] = {}
        items = stream(n)
        while chunk := list(itertools.islice(items, CHUNK)):
            for d in policy.decide_all(chunk):
                outcomes[d.outcome] = outcomes.get(d.outcome, 0) + 1
        return outcomes

    print(
        f"situations: a generated policy of {rules:,} rules, {POOL:,} distinct pre-built "
        "situations cycled"
    )
    print(f"{'method':28} {'decisions':>10} {'seconds':>8} {'µs/decision':>12} {'peak RSS MB':>12}")
    rows: list[dict[str, Any]] = []
    methods = (
        ("iter_decide", "iter_decide (streaming)", streaming),
        ("decide_all_chunks", f"decide_all, chunks of {CHUNK:,}", chunked),
    )
    for key, label, run in methods:
        for n in counts:
            # One run per count above 100,000 (a million decisions is its own repeat).
            times = []
            peak = 0.0
            for _ in range(repeats if n <= 100_000 else 1):
                gc.collect()
                reset = _reset_peak()
                start = time.perf_counter()
                outcomes = run(n)
                times.append(time.perf_counter() - start)
                peak = max(peak, peak_rss_mb())
            assert sum(outcomes.values()) == n, outcomes
            seconds = statistics.median(times)
            row = {
                "method": key,
                "label": label,
                "decisions": n,
                "runs": len(times),
                "seconds": seconds,
                "us_per_decision": seconds / n * 1e6,
                "peak_rss_mb": round(peak, 1),
                "peak_reset": reset,
            }
            rows.append(row)
            print(f"{label:28} {n:10,} {seconds:8.2f} {row['us_per_decision']:12.2f} {peak:12.1f}")
    return {"rules": rules, "pool": POOL, "chunk": CHUNK, "rows": rows}


def scale_in_rules(sizes: Sequence[int], default_n: int, repeats: int) -> dict[str, Any]:
    print(
        f"\nrules: generated policies; decide_all over pre-built models, median of {repeats} "
        "runs after a checking run"
    )
    print(
        f"{'rules':>6} {'KB':>6} {'load s':>7} {'situations':>10} {'µs/decision':>12} "
        f"{'ns/rule':>8}  decided by (guard/standard/default/flex)"
    )
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for rules in sizes:
            spec = generated_policy(rules)
            path = Path(tmp) / f"generated-{rules}.yaml"
            path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
            policy, load_times, lifted = load(path, 3 if rules <= 1_000 else 1)
            n = situations_for(rules, default_n)
            batch = situations(departments(spec), n)
            times = _timed_decide_all(policy, batch, repeats)
            kinds = _kinds(spec)
            mix = {"guard": 0, "standard": 0, "default": 0, "flex": 0}
            for d in policy.decide_all(batch):
                kind = kinds.get(d.rule_id, "standard")
                mix[kind] = mix.get(kind, 0) + 1
            us = statistics.median(times)
            row = {
                "rules": rules,
                "bytes": path.stat().st_size,
                "over_file_limit": lifted,
                "load_s": statistics.median(load_times),
                "load_runs": [round(t, 4) for t in load_times],
                "situations": n,
                "us_per_decision": us,
                "best_us": min(times),
                "ns_per_rule": us / rules * 1e3,
                "decided_by": {k: v / n for k, v in mix.items()},
            }
            rows.append(row)
            shares = "/".join(f"{row['decided_by'][k]:.0%}" for k in mix)
            note = "  (over the 1 MB file limit: lifted)" if lifted else ""
            print(
                f"{rules:6,} {row['bytes'] / 1024:6.0f} {row['load_s']:7.2f} {n:10,} {us:12.2f} "
                f"{row['ns_per_rule']:8.1f}  {shares}{note}"
            )
            del policy, batch
    xs = [r["rules"] for r in rows]
    decide_fit = linear_fit(xs, [r["us_per_decision"] for r in rows])
    load_fit = linear_fit(xs, [r["load_s"] for r in rows])
    if decide_fit:
        print(
            f"decide: {decide_fit['slope'] * 1e3:.1f} ns per rule per decision + "
            f"{decide_fit['intercept']:.2f} µs, R² {decide_fit['r2']:.4f}; "
            f"cost ∝ rules^{decide_fit['exponent']:.2f}"
        )
    if load_fit:
        print(
            f"load:   {load_fit['slope'] * 1e6:.0f} µs per rule + {load_fit['intercept']:.2f} s, "
            f"R² {load_fit['r2']:.4f}; time ∝ rules^{load_fit['exponent']:.2f}"
        )
    return {"rows": rows, "decide_fit": decide_fit, "load_fit": load_fit}


def _ints(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="100,300,1000,3000,10000", help="rule counts")
    parser.add_argument(
        "--scale", default="10000,100000,1000000", help="decisions for the situations scaling"
    )
    parser.add_argument("--scale-rules", type=int, default=100, help="rules while scaling")
    parser.add_argument(
        "--situations", type=int, default=20_000, help="situations per size up to 1,000 rules"
    )
    parser.add_argument("--repeats", type=int, default=5, help="timed runs (median)")
    args = parser.parse_args(argv)
    sizes, counts = _ints(args.sizes), _ints(args.scale)
    if min(sizes + counts + [args.scale_rules, args.situations, args.repeats]) < 1:
        parser.error("every size, count and repeat must be at least 1")
    print(f"python {sys.version.split()[0]} on {_results.cpu_model()}, flexpolicy curve")
    scaling = scale_in_situations(args.scale_rules, counts, args.repeats) if counts else None
    curve = scale_in_rules(sizes, args.situations, args.repeats) if sizes else None
    _results.write(
        "curve",
        {
            "repeats": args.repeats,
            "situations_default": args.situations,
            "situations": scaling,
            "rules": curve,
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
