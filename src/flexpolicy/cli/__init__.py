"""The `flexpolicy` command line: `app` is the typer application, `main` its entry point.

`_app` holds the application, its global options and `main`; the commands live one
module per command group (`_decide`, `_analysis`, `_authoring`, `_history`, `_cases`,
`_audit`); what they share is in `_errors` (`ExitCode`, the one `fail()`),
`_options` (the one `--format`), `_reading` (inputs) and `_writing` (results), and
`_render` is the terminal rendering of a decision.  The top of the layers: it
imports the public faces and nothing imports it.
"""

from __future__ import annotations

from ._app import app, main

__all__ = ["app", "main"]
