"""The README's shell session for `flexpolicy diff` runs as written, with the output it shows.

The commands are read from README.md (the `$ ` lines from `flexpolicy simulate` to
`flexpolicy diff ... rules-next`), run by bash in a folder holding a copy of `rules/`
with the console script first on `PATH`, and every line the README shows under the
`diff` command (`...` marks lines left out) must appear in the real output, in order.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.support.cli import ROOT, SCRIPT


def _session() -> tuple[list[str], list[str]]:
    """The README's commands, and the output it shows for the last (the diff)."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("$ flexpolicy simulate"))
    commands: list[str] = []
    shown: list[str] = []
    for line in lines[first:]:
        if line.startswith("$ "):
            if commands and "flexpolicy diff" in commands[-1]:
                break
            commands.append(line[2:])
        elif commands and "flexpolicy diff" in commands[-1]:
            shown.append(line)
    assert any("rules-next" in c and "flexpolicy diff" in c for c in commands), commands
    return commands, shown


def test_the_readme_diff_session_runs_as_written(tmp_path: Path) -> None:
    commands, shown = _session()
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    env = dict(os.environ, PATH=f"{SCRIPT.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    output = ""
    for command in commands:
        done = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", command],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, (command, done.stderr)
        output = done.stdout
    actual = output.splitlines()
    at = 0
    for line in (line for line in shown if line.strip() != "..."):
        assert line in actual[at:], f"README shows {line!r}, not in the output after line {at}"
        at = actual.index(line, at) + 1
