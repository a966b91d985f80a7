"""What every `flexpolicy` command shares: loading, errors on stderr, deciding as a role."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .errors import FlexPolicyError, PolicyError
from .models import Actor, Situation
from .policy import Policy, PolicySet, load_policies, load_policy

# The arguments `decide` and `explain` share, declared once.
SituationFile = Annotated[Path, typer.Argument(help="a situation: .yaml, .json or .jsonl")]
PolicyPath = Annotated[
    Path, typer.Option("--policy", "-p", help="a policy file, or a directory of them")
]
RoleOption = Annotated[
    str | None, typer.Option("--as", help="decide as an employee with this role")
]


OutputFile = Annotated[
    Path | None, typer.Option("--output", "-o", help="write here instead of stdout")
]


class Format(StrEnum):
    """`--format` of the commands that also speak JSON."""

    text = "text"
    json = "json"


def write_output(text: str, output: Path | None) -> None:
    """`text` to the `--output` file, or to stdout."""
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


def stdout_console(width: int) -> Console:
    """Results: `width` columns when piped (a terminal keeps its own), no emoji."""
    return Console(
        width=None if sys.stdout.isatty() else width,
        highlight=False,
        soft_wrap=False,
        emoji=False,
    )


def stderr_console() -> Console:
    """Diagnostics: no colour guessing from content, no emoji (`:100:` is a line number)."""
    return Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def fail(exc: FlexPolicyError) -> typer.Exit:
    """Print a library error the way every command does, and exit 1."""
    err = stderr_console()
    if isinstance(exc, PolicyError):
        for problem in exc.problems:
            err.print(problem.format(), markup=False)
    else:
        err.print(f"error: {exc}", markup=False)
    return typer.Exit(code=1)


def load(path: Path) -> Policy | PolicySet:
    """A policy file, or every policy of a directory."""
    return load_policies(path) if path.is_dir() else load_policy(path)


def as_role(situation: Situation, role: str | None) -> Situation:
    """The situation decided by an employee with `role` (keeping the actor's id)."""
    if role is None:
        return situation
    actor = situation.actor or Actor(id="cli", role=role)
    return situation.model_copy(update={"actor": actor.model_copy(update={"role": role})})


__all__ = [
    "Format",
    "OutputFile",
    "PolicyPath",
    "RoleOption",
    "SituationFile",
    "as_role",
    "fail",
    "load",
    "stderr_console",
    "stdout_console",
    "write_output",
]
