"""Tools for policy authors, from Python: the one-page summary, history replay, histories.

The same functions behind `flexpolicy doc`, `flexpolicy diff` and `flexpolicy simulate`:

    from flexpolicy.authoring import diff, simulate, summarize, to_markdown

    page = to_markdown(summarize(load_policy("rules/returns.yaml"), audience="customer"))
    report = diff(load_policies("rules"), load_policies("rules-next"), simulate(10_000))
"""

from __future__ import annotations

from ._authoring.diff import DiffExample, DiffReport, DiffSide, MoneyLine, diff, diff_lines
from ._authoring.doc import PolicySummary, summarize, to_markdown
from ._authoring.doc_html import to_html
from ._authoring.simulate import simulate

__all__ = [
    "DiffExample",
    "DiffReport",
    "DiffSide",
    "MoneyLine",
    "PolicySummary",
    "diff",
    "diff_lines",
    "simulate",
    "summarize",
    "to_html",
    "to_markdown",
]
