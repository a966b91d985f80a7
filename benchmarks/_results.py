"""What every benchmark script shares: where its results go, and the machine they came from.

Each script (`peers.py`, `run.py`, `analysis.py`, `curve.py`, `diff_bench.py`) prints its
tables as before and also writes `benchmarks/results/<name>.json`:

    {"benchmark": name, "created": ISO time (UTC), "command": how it was run,
     "machine": {cpu, cores, usable_cores, ram_gb, python, os},
     "versions": {distribution: version or null}, "git": {commit, dirty},
     "load_average": [1, 5, 15 minutes] as the run ends, "results": what it measured}

`benchmarks/report.py` reads those files and writes `docs/performance.md`, so every
figure in that page comes from a file a script wrote, with the machine and versions
beside it.  The results directory is not committed (.gitignore): figures belong to a
machine and a moment, the page records both.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

__all__ = [
    "DISTRIBUTIONS",
    "RESULTS",
    "ROOT",
    "cpu_model",
    "git_state",
    "machine",
    "read",
    "versions",
    "write",
]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"

# The library, what it is built on, the peers it is measured against, and the tools
# the analysis and the distributed replay use; a distribution not installed is null.
DISTRIBUTIONS = (
    "flexpolicy",
    "pydantic",
    "pydantic-core",
    "PyYAML",
    "durable-rules",
    "zen-engine",
    "business-rules",
    "rule-engine",
    "panzi-json-logic",
    "datalogic-py",
    "cedarpy",
    "z3-solver",
    "dask",
)


def cpu_model() -> str:
    """The CPU's marketing name from /proc/cpuinfo, else what `platform` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)  # kB -> GiB
    except (OSError, ValueError, IndexError):
        pass
    return None


def _usable_cores() -> int | None:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count()


def machine() -> dict[str, Any]:
    """The machine and interpreter a figure was measured on."""
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": _usable_cores(),
        "ram_gb": _ram_gb(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": platform.platform(),
    }


def versions() -> dict[str, str | None]:
    """The installed version of each distribution of interest (None: not installed)."""
    out: dict[str, str | None] = {}
    for name in DISTRIBUTIONS:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def git_state() -> dict[str, Any]:
    """The commit the working tree is at, and whether tracked files differ from it."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(ROOT), *args],
                capture_output=True,
                text=True,
                timeout=10,
                check=True,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip()

    commit = git("rev-parse", "--short=12", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": None if status is None else bool(status)}


def _load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages as the run ends: other work on the machine."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def write(name: str, results: dict[str, Any], argv: list[str] | None = None) -> Path:
    """Write `benchmarks/results/<name>.json` and say where it went (on stderr)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    script = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else f"{name}.py"
    args = sys.argv[1:] if argv is None else argv
    payload = {
        "benchmark": name,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python", f"benchmarks/{script}", *args]),
        "machine": machine(),
        "versions": versions(),
        "git": git_state(),
        "load_average": _load_average(),
        "results": results,
    }
    path = RESULTS / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, indent=1, default=_json_default) + "\n", encoding="utf-8")
    tmp.replace(path)  # a reader never sees half a file
    print(f"results: {path.relative_to(ROOT)}", file=sys.stderr)
    return path


def read(name: str) -> dict[str, Any] | None:
    """One results file, or None when that benchmark has not been run here."""
    path = RESULTS / f"{name}.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data
