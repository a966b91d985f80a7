"""`flexpolicy schema` and `flexpolicy doc`: what an author writes with, and reads back.

`schema` prints the JSON Schema that lets an editor complete and check a policy
file; `doc` puts one policy on one page, in plain language, for customers or staff,
as Markdown or as HTML that prints on one page.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .._authoring.doc import summarize, to_markdown
from .._authoring.doc_html import to_html
from ..schema import json_schema
from ._errors import exit_codes, fail
from ._options import DocFormat, DocFormatOption, OutputFile
from ._reading import is_stdin, policy_from
from ._writing import write_output

commands = typer.Typer()


# -- schema ----------------------------------------------------------------------------------


class SchemaKind(StrEnum):
    policy = "policy"
    escalations = "escalations"


@commands.command("schema", epilog=exit_codes("written"))
def schema_command(
    kind: Annotated[
        SchemaKind, typer.Option("--kind", help="`policy` files or `escalations` files")
    ] = SchemaKind.policy,
    output: OutputFile = None,
) -> None:
    """Print the JSON Schema of policy files, for editors that complete YAML."""
    write_output(json.dumps(json_schema(kind.value), indent=2) + "\n", output)


# -- doc -------------------------------------------------------------------------------------


class Audience(StrEnum):
    customer = "customer"
    staff = "staff"


@commands.command("doc", epilog=exit_codes("written"))
def doc_command(
    path: Annotated[Path, typer.Argument(help="a policy file; `-` reads it from stdin")],
    output_format: DocFormatOption = DocFormat.md,
    audience: Annotated[
        Audience, typer.Option("--audience", help="`customer` or `staff`")
    ] = Audience.staff,
    output: OutputFile = None,
) -> None:
    """The policy on one page, in plain language, generated from the policy itself."""
    if not is_stdin(path) and path.is_dir():
        fail(
            f"`{path}` is a directory; `doc` summarises one policy file",
            hint=f"flexpolicy doc {path}/returns.yaml",
        )
    policy = policy_from(path)
    summary = summarize(policy, audience=audience.value)
    text = to_html(summary) if output_format is DocFormat.html else to_markdown(summary)
    write_output(text if text.endswith("\n") else text + "\n", output)


__all__ = ["commands", "doc_command", "schema_command"]
