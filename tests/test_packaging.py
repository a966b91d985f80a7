"""What `pip install flexpolicy` gets, proved by building the wheel and installing it elsewhere.

The demo's policies and situations are package data: `src/flexpolicy/_demo/` holds
links to `rules/` and `examples/situations/` (one copy of each in git), and the
build copies the files they point to.  A wheel built from this tree, installed in a
fresh virtual environment, must run `flexpolicy demo` from a folder that has
nothing of the repository in it.  The environment borrows the dependencies
(pydantic, typer, ...) of the one running the tests through a `.pth` line, which
adds their folder but not flexpolicy's editable install (a `.pth` in it is not read).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from flexpolicy.policy import _is_escalations_file

ROOT = Path(__file__).resolve().parents[1]
BIN = "Scripts" if os.name == "nt" else "bin"


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a copy of the tree (a build leaves `build/` where it runs)."""
    tree = tmp_path_factory.mktemp("tree")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, tree / name)
    shutil.copytree(
        ROOT / "src",
        tree / "src",
        symlinks=True,  # the demo's links stay links, as in a checkout
        ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"),
    )
    shutil.copytree(ROOT / "rules", tree / "rules")
    shutil.copytree(ROOT / "examples" / "situations", tree / "examples" / "situations")
    out = tmp_path_factory.mktemp("wheels")
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, tree, cwd=tree)
    assert built.returncode == 0, built.stdout + built.stderr
    (found,) = out.glob("flexpolicy-*.whl")
    return found


def test_the_wheel_carries_the_demo_and_the_license(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in sorted((ROOT / "rules").glob("*.yaml")):
        assert f"flexpolicy/_demo/rules/{path.name}" in names, path.name
    for path in sorted((ROOT / "examples" / "situations").glob("*.yaml")):
        assert f"flexpolicy/_demo/situations/{path.name}" in names, path.name
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    shipped = zipfile.ZipFile(wheel).read("flexpolicy/_demo/rules/returns.yaml")
    assert shipped == (ROOT / "rules" / "returns.yaml").read_bytes()  # a file, not a link


def test_an_installed_wheel_runs_the_demo_anywhere(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    made = _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    python = venv / BIN / "python"
    installed = _run(
        sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps",
        "--no-index", wheel, cwd=tmp_path,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stdout + installed.stderr
    site = _run(
        python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path
    )
    borrowed = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site.stdout.strip()) / "borrowed-deps.pth").write_text(
        "\n".join(sorted(borrowed)) + "\n", encoding="utf-8"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = _run(python, "-c", "import flexpolicy; print(flexpolicy.__file__)", cwd=elsewhere)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout + where.stderr

    demo = _run(venv / BIN / "flexpolicy", "demo", cwd=elsewhere)
    assert demo.returncode == 0, demo.stderr
    situations = len(list((ROOT / "examples" / "situations").glob("*.yaml")))
    policies = sum(not _is_escalations_file(p) for p in (ROOT / "rules").glob("*.yaml"))
    assert f"flexpolicy demo: {situations} situations, {policies} policies" in demo.stdout
    assert "loyal-store-fault" in demo.stdout

    version = _run(venv / BIN / "flexpolicy", "--version", cwd=elsewhere)
    assert version.stdout.startswith("flexpolicy ")
