"""The package layout is the pipeline, and stays that way.

The layers themselves (each imports only the layers below it, type-only imports
included) and the absence of cycles inside every package are import-linter contracts
in pyproject.toml, run by `make lint`; this file runs the same contracts from the test
suite and adds what a contract cannot say: how flat the top of the package may be, and
how much a caller who only decides has to load.  docs/architecture.md draws the layers.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import flexpolicy
from tests.support.paths import ROOT

PACKAGE = Path(flexpolicy.__file__).parent

# The issue that laid the packages out allows at most 22 modules at the top: the public
# faces, `_ir` (the builder's contract with the engines), `__init__` and `__main__`.
MAX_TOP_MODULES = 22

# What deciding needs no part of: the second engine, the analysis and its solver, the
# case book and its database, the authoring tools, the audit log and the command line.
NOT_LOADED_TO_DECIDE = (
    "flexpolicy._analysis",
    "flexpolicy._authoring",
    "flexpolicy._audit",
    "flexpolicy.analysis",
    "flexpolicy.authoring",
    "flexpolicy.audit",
    "flexpolicy.cases",
    "flexpolicy.cli",
    "flexpolicy.dask",
    "flexpolicy.testing",
    "flexpolicy._engine.durable",
    "flexpolicy._engine.durable_conditions",
    "durable",
    "z3",
    "sqlalchemy",
    "typer",
    "rich",
    "dask",
    "hypothesis",
)

_DECIDE = """
import json, sys
import flexpolicy
policy = flexpolicy.load_policy(sys.argv[1])
situation = next(flexpolicy.read_situations(sys.argv[2]))
decision = policy.decide_situation(situation)
decision.rationale, decision.trace
print(json.dumps(sorted(sys.modules)))
"""


def test_the_top_of_the_package_is_flat_enough() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_MODULES, top
    # Every other module lives in a package named for its stage.
    private_top = [name for name in top if name.startswith("_") and not name.startswith("__")]
    assert private_top == ["_ir.py"], private_top


def test_deciding_and_explaining_load_only_the_pipeline() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _DECIDE,
            str(ROOT / "rules" / "returns.yaml"),
            str(ROOT / "examples" / "situations" / "late-return-denied.yaml"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded = set(json.loads(result.stdout))
    for name in NOT_LOADED_TO_DECIDE:
        assert not {m for m in loaded if m == name or m.startswith(name + ".")}, name


def test_the_layers_contract_lists_every_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (layers,) = (
        c["layers"] for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"
    )
    named = {part.strip() for layer in layers for part in layer.split("|")}
    children = {
        f"flexpolicy.{p.stem if p.is_file() else p.name}"
        for p in PACKAGE.iterdir()
        if (p.suffix == ".py" and p.name != "__init__.py") or (p / "__init__.py").is_file()
    }
    assert children - named == set(), "add these to a layer in pyproject.toml"
    assert named - children == set(), "these layers name modules that do not exist"


def test_the_import_contracts_hold() -> None:
    script = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(script), "--no-logo", "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
