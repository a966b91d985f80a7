"""The options and arguments the `flexpolicy` commands share, declared once.

Every command that prints something a program reads takes one `--format` option
(`FormatOption`: `text` or `json`; `doc` takes `DocFormatOption`: `md` or `html`),
and `--json` (`JsonOption`) is short for `--format json`; `chosen_format` reconciles
the two.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ._errors import fail

# The arguments `decide` and `explain` share, declared once.
SituationFile = Annotated[
    Path, typer.Argument(help="a situation: .yaml, .json or .jsonl; `-` reads standard input")
]
PolicyPath = Annotated[
    Path,
    typer.Option(
        "--policy", "-p", help="a policy file or a directory of them; `-` reads standard input"
    ),
]
RoleOption = Annotated[
    str | None, typer.Option("--as", help="decide as an employee with this role")
]


OutputFile = Annotated[
    Path | None, typer.Option("--output", "-o", help="write here instead of stdout")
]


# -- --format ----------------------------------------------------------------------------


class Format(StrEnum):
    """What a command prints on stdout: `text` for people, `json` for programs."""

    text = "text"
    json = "json"


class DocFormat(StrEnum):
    """What `doc` writes: a page in Markdown, or in HTML that prints on one page."""

    md = "md"
    html = "html"


def format_help(choices: dict[str, str], default: str) -> str:
    """The one help text of `--format`: each choice and what it is for, and the default."""
    listed = ", ".join(f"`{name}` ({what})" for name, what in choices.items())
    return f"the output: {listed}; default `{default}`"


# `--format` of every command whose output a program may read, declared once.  Its default
# is None, "not given", so that `--json` with `--format text` can be refused.
FormatOption = Annotated[
    Format | None,
    typer.Option(
        "--format",
        help=format_help({"text": "for people", "json": "for programs"}, Format.text),
        show_default=False,
    ),
]
# `--json`: what `decide` and the `case` commands took before there was one `--format`.
JsonOption = Annotated[bool, typer.Option("--json", help="the same as `--format json`")]
# `--format` of `doc`, which writes a document, not a report.
DocFormatOption = Annotated[
    DocFormat,
    typer.Option(
        "--format",
        help=format_help({"md": "Markdown", "html": "prints on one page"}, DocFormat.md),
        show_default=False,
    ),
]


def chosen_format(output: Format | None, as_json: bool = False) -> Format:
    """The format `--format` and `--json` ask for together; a usage error if they disagree."""
    if as_json and output not in (None, Format.json):
        fail(
            f"`--json` and `--format {output}` ask for different output",
            hint="`--json` is the same as `--format json`: give one of them",
        )
    if as_json:
        return Format.json
    return Format.text if output is None else output


__all__ = [
    "DocFormat",
    "DocFormatOption",
    "Format",
    "FormatOption",
    "JsonOption",
    "OutputFile",
    "PolicyPath",
    "RoleOption",
    "SituationFile",
    "chosen_format",
    "format_help",
]
