"""The `flexpolicy` command line: `app` is the typer application, `main` its entry point.

`_app` holds the application, its global options and `main`; the commands live one
module per command group (`_decide`, `_analysis`, `_authoring`, `_history`, `_cases`,
`_audit`); `_common` has what they share (`ExitCode`, the one `--format`, the one
`fail()`, reading inputs and writing results), and `_render` the terminal rendering
of a decision.  The top of the layers: it imports the public faces and nothing
imports it.
"""

from __future__ import annotations

from ._app import app, main

__all__ = ["app", "main"]
