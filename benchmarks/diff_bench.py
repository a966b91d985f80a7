"""How long `flexpolicy diff` takes on a long history, and whether its memory stays flat.

Issue 7's target: `flexpolicy diff` of two policies over 1M JSON Lines situations in under
20 s on a 2-core machine, with memory flat however long the history.  This script:

1. writes one history of max(`--n`) situations with `flexpolicy simulate --seed 1` into a
   temporary directory (timed: the simulator's own throughput), and the shorter
   histories as its first lines, so every length has the same mix;
2. copies `rules/` with a 14-day return window instead of 30 (as tests/authoring/test_diff.py
   does), the change the README's `diff` example shows;
3. runs the real command line, `python -m flexpolicy diff rules NEW --history FILE
   --format json --no-progress`, once per length (a 1,000-situation run first: the
   fixed cost of starting, importing and loading both rule sets), each a fresh process;
   with `--jobs 2` if `flexpolicy diff --help` offers `--jobs` (or `--workers`).  Wall
   time around the process, its CPU time and peak resident memory from `os.wait4`
   (that child's own rusage: the largest single process), the peak of the whole process
   tree's memory sampled every 0.2 s (which counts workers too, should `diff` start
   any), and the report's counts, checked against the length.

`--profile` also runs the shortest history under cProfile, in one process (`--jobs 1`),
and prints where the time goes (cProfile slows every Python call: read shares, not
absolute figures).

Usage: `python benchmarks/diff_bench.py [--n 100000,300000,1000000] [--dir DIR]
[--profile]`.  Results also go to `benchmarks/results/diff.json`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import _results

ROOT = _results.ROOT
CLI = [sys.executable, "-m", "flexpolicy"]
TIGHTER = ("window_days: 30 ", "window_days: 14 ")
BASELINE = 1_000
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
ENV = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}


def parallel_option() -> tuple[str | None, str]:
    """`--jobs` or `--workers` if `flexpolicy diff` has one, and the help text."""
    done = subprocess.run(
        [*CLI, "diff", "--help"], capture_output=True, text=True, env=ENV, check=False
    )
    text = done.stdout + done.stderr
    for option in ("--jobs", "--workers"):
        if re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text):
            return option, text
    return None, text


def simulate(n: int, path: Path, seed: int) -> float:
    start = time.perf_counter()
    subprocess.run(
        [*CLI, "simulate", "--n", str(n), "--seed", str(seed), "--output", str(path)],
        check=True,
        env=ENV,
    )
    return time.perf_counter() - start


def head(source: Path, n: int, target: Path) -> None:
    """The first `n` lines of `source`, streamed."""
    with source.open("rb") as inp, target.open("wb") as out:
        for i, line in enumerate(inp):
            if i >= n:
                break
            out.write(line)


def tighter_rules(folder: Path) -> Path:
    """A copy of rules/ whose returns window is 14 days instead of 30."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in (ROOT / "rules").glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    text = (ROOT / "rules" / "returns.yaml").read_text(encoding="utf-8")
    if text.count(TIGHTER[0]) != 1:
        raise SystemExit(f"rules/returns.yaml no longer has exactly one `{TIGHTER[0].strip()}`")
    (folder / "returns.yaml").write_text(text.replace(*TIGHTER), encoding="utf-8")
    return folder


def _tree_rss_mb(root: int) -> float:
    """Resident memory of `root` and all its descendants now (Linux /proc), in MB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            statm = Path(entry.path, "statm").read_text().split()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
        pid = int(entry.name)
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(statm[1]) * PAGE
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, ()))
    return total / 2**20


class TreeSampler(threading.Thread):
    """The peak of a process tree's summed resident memory, sampled every `every` s: what
    `ru_maxrss` (the largest single process) misses once a command runs workers."""

    def __init__(self, root: int, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.root, self.every, self.peak = root, every, 0.0
        self.done = threading.Event()

    def run(self) -> None:
        if not Path("/proc/self/stat").exists():
            return
        while not self.done.wait(self.every):
            self.peak = max(self.peak, _tree_rss_mb(self.root))


def run_child(command: list[str], stdout: Path) -> dict[str, Any]:
    """Run `command` with stdout to a file: wall and CPU seconds, peak memory (MB)."""
    with stdout.open("wb") as out:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE, env=ENV)
        sampler = TreeSampler(child.pid)
        sampler.start()
        assert child.stderr is not None
        err = child.stderr.read()  # the diff prints nothing on stderr without --progress
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        sampler.done.set()
        sampler.join()
        child.returncode = os.waitstatus_to_exitcode(status)
        child.stderr.close()
    if child.returncode != 0:
        raise SystemExit(
            f"{' '.join(command)} exited {child.returncode}:\n{err.decode(errors='replace')}"
        )
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes vs KiB
    return {
        "wall_s": wall,
        # user + system time of the command and of the workers it waited for
        "cpu_s": usage.ru_utime + usage.ru_stime,
        # the largest single process of the tree (the kernel's high-water mark)
        "peak_rss_mb": round(usage.ru_maxrss / scale, 1),
        # the whole tree at once, sampled: differs from the above only with workers
        "peak_tree_rss_mb": round(sampler.peak, 1) if sampler.peak else None,
    }


def profile(command: list[str], top: int = 20) -> dict[str, list[dict[str, Any]]]:
    """Run `command` (a `python -m flexpolicy ...` line) under cProfile: the functions with
    the most own time, and flexpolicy's functions with the most cumulative time."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "diff.prof"
        profiled = [sys.executable, "-m", "cProfile", "-o", str(out), *command[1:]]
        subprocess.run(profiled, check=True, stdout=subprocess.DEVNULL, env=ENV)
        stats = pstats.Stats(str(out))
    entries = stats.stats  # type: ignore[attr-defined]  # pstats' undocumented table
    total = sum(tt for _, _, tt, _, _ in entries.values())
    tables: dict[str, list[dict[str, Any]]] = {}
    for key, title, index, keep in (
        ("own", "own time, every function", 2, lambda file: True),
        ("cumulative", "cumulative time, flexpolicy's functions", 3, _in_flexpolicy),
    ):
        print(f"\nprofile of the shortest history, one process, by {title} ({total:.1f} s)")
        print(f"{'own s':>7} {'cum s':>7} {'cum %':>6} {'calls':>10}  function")
        ranked = sorted(
            ((k, v) for k, v in entries.items() if keep(k[0])),
            key=lambda kv: kv[1][index],
            reverse=True,
        )[:top]
        rows = []
        for (file, line, func), (_, calls, own, cum, _) in ranked:
            where = f"{Path(file).name}:{line}" if line else file
            print(f"{own:7.2f} {cum:7.2f} {cum / total:6.1%} {calls:10,}  {func} ({where})")
            rows.append(
                {
                    "function": f"{func} ({where})",
                    "calls": calls,
                    "own_s": own,
                    "cum_s": cum,
                    "own_share": own / total,
                    "cum_share": cum / total,
                }
            )
        tables[key] = rows
    return tables


def _in_flexpolicy(file: str) -> bool:
    return f"{os.sep}flexpolicy{os.sep}" in file


def diff_command(history: Path, new: Path, parallel: list[str]) -> list[str]:
    return [
        *CLI,
        "diff",
        str(ROOT / "rules"),
        str(new),
        "--history",
        str(history),
        "--format",
        "json",
        "--no-progress",
        *parallel,
    ]


@contextlib.contextmanager
def workdir(keep: Path | None) -> Iterator[Path]:
    """`keep` (created if needed), or a temporary directory removed afterwards."""
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix="flexpolicy-diff-") as tmp:
        yield Path(tmp)


def _ints(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--n", default="100000,300000,1000000", help="history lengths, comma-separated"
    )
    parser.add_argument("--seed", type=int, default=1, help="the simulated history's seed")
    parser.add_argument("--jobs", type=int, default=2, help="workers, if diff offers them")
    parser.add_argument("--dir", type=Path, help="keep the histories here (default: temp)")
    parser.add_argument("--profile", action="store_true", help="profile the shortest run")
    args = parser.parse_args(argv)
    lengths = sorted(set(_ints(args.n)))
    if not lengths or lengths[0] < 1:
        parser.error("--n takes positive lengths")
    option, _ = parallel_option()
    parallel = [option, str(args.jobs)] if option else []
    top = None

    with workdir(args.dir) as folder:
        longest = folder / f"history-{lengths[-1]}.jsonl"
        simulate_s = simulate(lengths[-1], longest, args.seed)
        size = longest.stat().st_size
        print(
            f"python {sys.version.split()[0]} on {_results.cpu_model()}, "
            f"{os.cpu_count()} cores; history of {lengths[-1]:,} situations "
            f"({size / 1e6:,.0f} MB) simulated in {simulate_s:.1f} s; "
            f"diff {'with ' + ' '.join(parallel) if parallel else 'has no --jobs option'}"
        )
        new = tighter_rules(folder / "rules-next")
        runs: list[dict[str, Any]] = []
        print(
            f"{'situations':>10} {'wall s':>8} {'cpu s':>8} {'µs/situation':>13} "
            f"{'peak RSS MB':>12} {'tree MB':>8} {'changed':>9}"
        )
        for n in [BASELINE, *lengths] if lengths[0] > BASELINE else lengths:
            history = longest if n == lengths[-1] else folder / f"history-{n}.jsonl"
            if history != longest:
                head(longest, n, history)
            report_path = folder / f"diff-{n}.json"
            measured = run_child(diff_command(history, new, parallel), report_path)
            report = json.loads(report_path.read_text(encoding="utf-8"))
            if report.get("total") != n:
                raise SystemExit(f"diff read {report.get('total')} situations of {n}")
            row = {
                "situations": n,
                **measured,
                "us_per_situation": measured["wall_s"] / n * 1e6,
                "decided": report.get("decided"),
                "changed": report.get("changed"),
                "skipped": sum((report.get("skipped") or {}).values()),
                "baseline": n not in lengths,  # the fixed-cost run
            }
            runs.append(row)
            print(
                f"{n:10,} {row['wall_s']:8.2f} {row['cpu_s']:8.2f} "
                f"{row['us_per_situation']:13.2f} {row['peak_rss_mb']:12.1f} "
                f"{row['peak_tree_rss_mb'] or 0:8.1f} {row['changed']:9,}"
            )
            if history != longest:
                history.unlink()
        if args.profile:
            history = folder / f"history-{lengths[0]}.jsonl"
            if history != longest:
                head(longest, lengths[0], history)
            # In one process: a profile of a parent waiting for its workers shows nothing.
            top = profile(diff_command(history, new, [option, "1"] if option else []))

    _results.write(
        "diff",
        {
            "seed": args.seed,
            "history_bytes": size,
            "simulated": lengths[-1],
            "simulate_s": simulate_s,
            "parallel_option": option,
            "jobs": args.jobs if option else None,
            "change": "rules/returns.yaml window_days 30 -> 14",
            "runs": runs,
            "profile": top,
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
