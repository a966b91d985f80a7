"""Where command results go: stdout, or the `--output` file, free of control characters."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

from ._errors import fail
from ._render import SafeConsole, json_safe, printable


def stdout_console(width: int) -> SafeConsole:
    """Results: `width` columns when piped (a terminal keeps its own), no emoji."""
    return SafeConsole(width=None if sys.stdout.isatty() else width, soft_wrap=False)


def echo(text: str) -> None:
    """One line (or several) on stdout, free of control characters."""
    sys.stdout.write(printable(text) + "\n")


def echo_json(text: str) -> None:
    """A JSON document or line on stdout; C1 and bidi controls escaped (the same data)."""
    sys.stdout.write(json_safe(text) + "\n")


def write_output(text: str, output: Path | None) -> None:
    """`text` to the `--output` file, or to stdout, free of control characters."""
    text = printable(text)
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        cannot_write(output, exc)


def cannot_write(output: Path | None, exc: OSError) -> NoReturn:
    """`--output` could not be opened or written."""
    fail(
        f"cannot write `{output}`: {exc.strerror or exc}",
        hint="give `--output` a file in a folder that exists and you may write to",
    )


__all__ = [
    "cannot_write",
    "echo",
    "echo_json",
    "stdout_console",
    "write_output",
]
