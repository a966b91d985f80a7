"""What the command line prints for people at a terminal (rich), and how it is made safe.

Everything the CLI prints that came from input (policy and rule titles, rule ids,
situation titles and ids, case notes, `--by`, values in a trace) may hold control
characters: an escape sequence recolours or retitles the terminal, a carriage
return overwrites what came before, a bidi override (U+202E) shows text reversed.
`printable` removes them; every writer of the command line uses it - the rich
consoles through `SafeConsole.render_str` (and `Text` built here from input), plain
lines through `_writing.echo`, and JSON through `json_safe`, which escapes the
same characters losslessly instead (JSON stays the same data).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .._explain.words import money, remedy_words, role_words
from ..decision import Decision
from ..models import Situation
from ..policy import PolicySet

# Escape sequences, removed whole so their parameters do not show as text: CSI
# (`ESC [ ... final`), OSC (`ESC ] ... BEL` or `ESC \`), DCS/SOS/PM/APC strings
# (`ESC P ... ESC \`), any other `ESC` + intermediates + final, and the 8-bit
# forms (U+009B CSI, U+009D OSC, ...).  An unterminated string runs to the end.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
)
# What is left: C0 controls but tab and newline, DEL, C1 controls, the bidi
# embeddings, overrides, isolates and marks, and the Unicode line separators.
_UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
_CONTROLS = re.compile(f"[{_UNSAFE}]")
_LINE_BREAKS = re.compile("[\t\n]")


def printable(text: str, *, newlines: bool = True) -> str:
    """`text` without control characters, escape sequences or bidi controls.

    Tab and newline stay (they lay out multi-line text) unless `newlines` is false,
    for one-line values such as ids and titles, where each becomes a space.
    """
    if text.isprintable():
        return text  # the common case: no control, format or separator character at all
    text = _CONTROLS.sub("", _ESCAPES.sub("", text))
    return text if newlines else _LINE_BREAKS.sub(" ", text)


def json_safe(text: str) -> str:
    """JSON text with the characters `printable` removes written as `\\uXXXX` escapes.

    They can only occur inside JSON strings, so the document means the same;
    serialisers already escape C0 controls but leave DEL, C1 and bidi controls raw.
    """
    return _CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def plain(text: str) -> Text:
    """Input as one line of rich `Text`: never read as markup, never a control character."""
    return Text(printable(text, newlines=False))


class SafeConsole(Console):
    """A rich console that prints every string it is given through `printable`.

    Strings reach rich as `print` arguments, table cells and titles; each is made a
    `Text` by `render_str`, here after its control characters are gone.  Markup is off
    by default, so a title such as `[/bold]` is text, not a style (or a crash).
    """

    def __init__(self, **options: Any) -> None:
        options.setdefault("markup", False)
        options.setdefault("highlight", False)
        options.setdefault("emoji", False)
        super().__init__(**options)

    def render_str(self, text: str, **options: Any) -> Text:
        return super().render_str(printable(text), **options)


_STYLE = {"approve": "bold green", "deny": "bold red", "refer": "bold yellow"}


def headline(decision: Decision) -> Text:
    """`APPROVE store credit 59.99 (exception)` or `REFER to supervisor: ...`."""
    text = Text(decision.outcome.upper(), style=_STYLE[decision.outcome])
    if decision.remedy:
        text.append(f"  {printable(remedy_words(decision.remedy), newlines=False)}")
        if decision.amount is not None:
            text.append(f" {money(decision.amount)}")
    if decision.exception:
        text.append("  (exception)", style="italic")
    if decision.required_role:
        role = printable(role_words(decision.required_role), newlines=False)
        text.append(f"\nneeds a {role}", style="yellow")
    return text


def terms_rows(decision: Decision) -> list[tuple[str, str]]:
    """The decision's terms (DESIGN 2.3), one row each: fee, the choice, promises, missing."""
    rows: list[tuple[str, str]] = []
    if decision.fee is not None:
        rows.append(("fee", money(decision.fee)))
    if len(decision.remedies) > 1:
        choice = ", ".join(printable(remedy_words(r), newlines=False) for r in decision.remedies)
        rows.append(("customer chooses", choice))
    rows.extend(
        ("promise", f"{printable(p.what, newlines=False)}, by {p.due.isoformat()}")
        for p in decision.promises
    )
    if decision.missing:
        rows.append(("missing facts", ", ".join(decision.missing)))
    return rows


def decision_panel(decision: Decision, situation: Situation) -> Panel:
    body = Table.grid(padding=(0, 2))
    body.add_column(style="bold", no_wrap=True)
    body.add_column()
    body.add_row("decision", headline(decision))
    body.add_row(
        "rule",
        f"{decision.rule_id}" + (f" (bends {', '.join(decision.bends)})" if decision.bends else ""),
    )
    for row in terms_rows(decision):
        body.add_row(*row)
    body.add_row("for staff", decision.rationale.staff)
    body.add_row("for customer", decision.rationale.customer)
    for alternative in decision.alternatives:
        needs = "; ".join(r.text for r in alternative.unmet)
        who = "the customer can do this" if alternative.customer_can_act else "not up to them"
        line = f"{alternative.outcome} under {alternative.rule_id} if {needs} ({who})"
        body.add_row("could be", line)
    for lever in decision.levers:
        body.add_row("you may offer", lever.text)
    return Panel(
        Group(body),
        title=plain(situation.title or situation.request.id),
        subtitle=plain(f"{decision.policy_id} {decision.policy_version}"),
        expand=False,
    )


def demo_table(rows: Sequence[tuple[str, Situation, Decision]], policies: PolicySet) -> Table:
    table = Table(
        title=f"flexpolicy demo: {len(rows)} situations, {len(policies)} policies",
        show_lines=True,
        expand=False,
    )
    table.add_column("situation", max_width=28)
    table.add_column("asked by", no_wrap=True)
    table.add_column("decision", max_width=26)
    table.add_column("rule", max_width=22)
    table.add_column("why (staff)", max_width=48)
    table.add_column("what the customer hears", max_width=40)
    for name, situation, decision in rows:
        role = situation.actor.role if situation.actor else "(lowest role)"
        table.add_row(
            situation.title or name,
            role_words(role),
            headline(decision),
            decision.rule_id,
            decision.rationale.staff,
            decision.rationale.customer,
        )
    return table
