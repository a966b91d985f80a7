"""Issue 7's peer benchmark: one 5-rule return policy, every engine, one process, one table.

Why one process and one table: the issue's targets are ratios ("within 5x of the
hand-written function", "faster than every peer"), and a ratio is only meaningful
between figures from the same run on the same machine.  So this script builds the
100,000 situations once (`peers.workload`), hands each peer its input in the form that
peer takes, and for each peer:

1. decides every situation once and checks every outcome against the hand-written
   function - a peer that disagrees on even one situation is reported with examples
   and never timed (the script then exits 1);
2. decides the whole batch `--repeats` times (5) with the garbage collector on, as in
   a real process, collecting before each run so runs start alike;
3. reports the median µs per decision, its ratio to the hand-written function's
   median, and the first (checking) run's figure, which also pays for warming up.

Nothing a real caller would not keep survives between runs: policies, rule sets and
engines are built once (a POS backend loads its policy at start), inputs are built once
(the caller already holds them), and every run makes every decision afresh.

Usage: `python benchmarks/peers.py [--n 100000] [--peers hand,flexpolicy,...]
[--repeats 5] [--profile PEER]`.  A peer whose package is not installed is listed as
"not installed"; `--profile` prints where one peer's run spends its time (cProfile,
which slows every Python call, so read its figures as shares, not as the real cost).
The table is also written to `benchmarks/results/peers.json` for `report.py`.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import importlib
import importlib.util
import platform
import pstats
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import ModuleType
from typing import Any

# `benchmarks/` is this script's directory, so `peers` is the package beside it.
import _results
import peers
from peers import PEERS, Peer, handwritten
from peers.workload import SEED, build

REFERENCE = "hand"
Decide = Callable[[Sequence[Any]], list[str]]


@dataclass(slots=True)
class Row:
    peer: Peer
    status: str  # "ok", "not installed", "disagrees", "failed"
    version: str = ""
    median_us: float = 0.0
    best_us: float = 0.0
    first_us: float = 0.0
    note: str = ""


def _version(distribution: str | None) -> str:
    if distribution is None:
        return "-"
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "?"


def _load(peer: Peer) -> ModuleType | None:
    if peer.requires is not None and importlib.util.find_spec(peer.requires) is None:
        return None
    return importlib.import_module(f"{peers.__name__}.{peer.module}")


def _timed(decide: Decide, batch: Sequence[Any]) -> tuple[list[str], float]:
    gc.collect()
    start = time.perf_counter()
    out = decide(batch)
    return out, time.perf_counter() - start


def _disagreements(out: list[str], reference: list[str], rows: Sequence[dict[str, Any]]) -> str:
    if len(out) != len(reference):
        return f"returned {len(out)} outcomes for {len(reference)} situations"
    wrong = [i for i, (a, b) in enumerate(zip(out, reference, strict=True)) if a != b]
    if not wrong:
        return ""
    kinds = Counter((reference[i], out[i]) for i in wrong)
    summary = ", ".join(f"{n}x {want}->{got}" for (want, got), n in kinds.most_common(4))
    examples = "; ".join(f"#{i} {rows[i]} -> {out[i]!r}" for i in wrong[:3])
    return f"{len(wrong)} of {len(reference)} differ ({summary}); e.g. {examples}"


def measure(
    peer: Peer, workload: Any, reference: list[str] | None, repeats: int
) -> tuple[Row, list[str] | None]:
    """Check one peer against the reference, then time it; never raises."""
    row = Row(peer, "ok", _version(peer.distribution))
    try:
        module = _load(peer)
        if module is None:
            row.status, row.version = "not installed", ""
            row.note = f"pip install {peer.distribution}"
            return row, None
        batch = module.inputs(workload)
        decide: Decide = module.decide
        out, first = _timed(decide, batch)
    except Exception as exc:  # a broken peer is a row of the table, not a crash
        row.status, row.note = "failed", f"{type(exc).__name__}: {exc}"
        return row, None
    row.first_us = first / len(batch) * 1e6
    if reference is not None:
        problem = _disagreements(out, reference, workload.rows)
        if problem:
            row.status, row.note = "disagrees", problem
            return row, out
    times = [_timed(decide, batch)[1] / len(batch) * 1e6 for _ in range(repeats)]
    row.median_us, row.best_us = statistics.median(times), min(times)
    return row, out


def profile(peer: Peer, workload: Any, top: int = 20) -> None:
    """Where one run of `peer` spends its time, per decision, by function (cProfile)."""
    module = _load(peer)
    if module is None:
        print(f"\n{peer.key}: not installed")
        return
    batch = module.inputs(workload)
    module.decide(batch)  # warm up, as the timed runs are
    gc.collect()
    profiler = cProfile.Profile()
    profiler.enable()
    module.decide(batch)
    profiler.disable()
    stats = pstats.Stats(profiler)
    entries = stats.stats  # pstats keeps its table in this undocumented attribute
    total = sum(tt for _, _, tt, _, _ in entries.values())
    n = len(batch)
    print(
        f"\nprofile of {peer.title} over {n:,} decisions (cProfile; total {total / n * 1e6:.2f} µs"
    )
    print("per decision under the profiler, which inflates every Python call)")
    print(f"{'own µs/dec':>10} {'share':>6} {'cum µs/dec':>10} {'calls/dec':>9}  function")
    ranked = sorted(entries.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    for (file, line, func), (_, calls, own, cum, _) in ranked:
        where = f"{Path(file).name}:{line}" if line else file
        print(
            f"{own / n * 1e6:10.3f} {own / total:6.1%} {cum / n * 1e6:10.3f} "
            f"{calls / n:9.2f}  {func} ({where})"
        )


def _table(rows: list[Row], reference_us: float) -> None:
    width = max(len(r.peer.title) for r in rows)
    print(
        f"{'peer':{width}}  {'version':>9}  {'µs/decision':>11}  {'x hand':>7}  "
        f"{'best':>7}  {'1st run':>7}"
    )
    for row in rows:
        head = f"{row.peer.title:{width}}  {row.version:>9}"
        if row.status == "ok":
            ratio = row.median_us / reference_us if reference_us else float("nan")
            print(
                f"{head}  {row.median_us:11.3f}  {ratio:7.1f}  {row.best_us:7.3f}  "
                f"{row.first_us:7.3f}"
            )
        else:
            print(f"{head}  {row.status}: {row.note}")


def _role(peer: Peer) -> str:
    """Which side of a target a row is on: the hand-written ceiling, flexpolicy, a peer."""
    if peer.key.startswith("hand"):
        return "reference"
    return "flexpolicy" if peer.key.startswith("flexpolicy") else "peer"


def _save(rows: list[Row], reference_us: float, args: argparse.Namespace, built_s: float) -> None:
    _results.write(
        "peers",
        {
            "n": args.n,
            "seed": SEED,
            "repeats": args.repeats,
            "workload_build_s": round(built_s, 3),
            "reference": REFERENCE,
            "rows": [
                {
                    "key": row.peer.key,
                    "title": row.peer.title,
                    "role": _role(row.peer),
                    "status": row.status,
                    "version": row.version,
                    "median_us": row.median_us if row.status == "ok" else None,
                    "best_us": row.best_us if row.status == "ok" else None,
                    "first_us": row.first_us or None,
                    "x_hand": (
                        row.median_us / reference_us
                        if row.status == "ok" and reference_us
                        else None
                    ),
                    "note": row.note,
                }
                for row in rows
            ],
        },
        argv=None,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=100_000, help="situations (default 100,000)")
    parser.add_argument(
        "--peers",
        default="",
        help="comma-separated keys to run (the hand-written reference always runs): "
        + ", ".join(p.key for p in PEERS),
    )
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per peer (median)")
    parser.add_argument("--profile", metavar="PEER", help="also profile one peer's run")
    args = parser.parse_args(argv)
    by_key = {p.key: p for p in PEERS}
    wanted = [k.strip() for k in args.peers.split(",") if k.strip()] or list(by_key)
    unknown = [k for k in [*wanted, args.profile or REFERENCE] if k not in by_key]
    if unknown:
        parser.error(f"unknown peer {', '.join(unknown)}; peers are: {', '.join(by_key)}")
    if args.n < 1 or args.repeats < 1:
        parser.error("--n and --repeats must be at least 1")

    start = time.perf_counter()
    workload = build(args.n)
    built_s = time.perf_counter() - start
    print(
        f"python {platform.python_version()} on {_results.cpu_model()}; {args.n:,} situations "
        f"(seed {SEED}) built in {built_s:.1f} s; "
        f"median of {args.repeats} runs after a checking run"
    )
    counts = Counter(handwritten.decide(workload.rows))
    print("outcomes: " + ", ".join(f"{label} {counts[label]:,}" for label in peers.LABELS))
    print()

    reference_row, reference = measure(by_key[REFERENCE], workload, None, args.repeats)
    assert reference is not None, reference_row.note
    rows = [reference_row]
    for key in wanted:
        if key != REFERENCE:
            rows.append(measure(by_key[key], workload, reference, args.repeats)[0])
    _table(rows, reference_row.median_us)
    _save(rows, reference_row.median_us, args, built_s)
    if args.profile:
        profile(by_key[args.profile], workload)
    return 1 if any(r.status in ("disagrees", "failed") for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
