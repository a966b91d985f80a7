"""`flexpolicy decide`, `flexpolicy explain` and `flexpolicy demo`: situations decided.

`decide` prints each decision and why, `explain` every rule and condition that led
to it, `demo` the shipped example situations decided by the shipped policies.
`decide` and `explain` read one situation or a batch (JSON Lines decide line by
line, and an error names its line); `--format json` prints the decision record,
with its trace, for either (one document, or one line a situation for JSON Lines).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..decision import ConditionTrace, Decision, RuleTrace
from ..models import Situation
from ..policy import load_policies
from ._errors import ExitCode, exit_codes, fail
from ._options import (
    Format,
    FormatOption,
    JsonOption,
    PolicyPath,
    RoleOption,
    SituationFile,
    chosen_format,
)
from ._reading import decided, load, one_stdin, situations
from ._render import decision_panel, demo_table, headline, plain, printable, terms_rows
from ._writing import echo_json, stdout_console

commands = typer.Typer()

_MARK = {True: ("yes", "green"), False: ("no", "red"), None: ("unknown", "yellow")}


def _each(  # noqa: PLR0917 - the arguments `decide` and `explain` share
    situation_file: Path,
    policy: Path,
    role: str | None,
    output: Format,
    width: int,
    render: Callable[[Decision, Situation], Any],
) -> None:
    """Decide every situation of `situation_file`; print each as JSON or as `render` draws it."""
    one_stdin(situation_file, policy)
    target = load(policy)
    out = stdout_console(width)
    with situations(situation_file) as source:
        for situation, decision in decided(target, source, role):
            if output is Format.json:
                echo_json(decision.model_dump_json(indent=None if source.lines else 2))
            else:
                out.print(render(decision, situation))


# -- decide ----------------------------------------------------------------------------------


@commands.command(epilog=exit_codes("decided, whatever the outcome"))
def decide(
    situation_file: SituationFile,
    policy: PolicyPath,
    output: FormatOption = None,
    as_json: JsonOption = False,
    role: RoleOption = None,
) -> None:
    """Decide a situation and explain why."""
    _each(situation_file, policy, role, chosen_format(output, as_json), 160, decision_panel)


# -- explain ---------------------------------------------------------------------------------


@commands.command(epilog=exit_codes("explained, whatever the outcome"))
def explain(
    situation_file: SituationFile,
    policy: PolicyPath,
    output: FormatOption = None,
    as_json: JsonOption = False,
    role: RoleOption = None,
) -> None:
    """Show how a situation is decided: every rule, every condition, with its values."""
    _each(situation_file, policy, role, chosen_format(output, as_json), 120, _explanation)


def _explanation(decision: Decision, situation: Situation) -> Panel:
    parts: list[Any] = []
    for rule in decision.trace:
        parts.append(_rule_block(rule, decision))
    summary = Table.grid(padding=(0, 2))
    summary.add_column(style="bold", no_wrap=True)
    summary.add_column()
    summary.add_row("decision", headline(decision))
    bent = f" (bends {', '.join(decision.bends)})" if decision.bends else ""
    summary.add_row("rule", decision.rule_id + bent)
    for row in terms_rows(decision):
        summary.add_row(*row)
    summary.add_row("for staff", decision.rationale.staff)
    summary.add_row("for customer", decision.rationale.customer)
    parts.append(summary)
    title = plain(situation.title or situation.request.id)
    subtitle = plain(f"{decision.policy_id} {decision.policy_version}")
    return Panel(Group(*parts), title=title, subtitle=subtitle, expand=False)


def _rule_block(rule: RuleTrace, decision: Decision) -> Group:
    decides = rule.rule_id == decision.rule_id
    head = Text(f"{printable(rule.kind, newlines=False)} ", style="dim")
    head.append(printable(rule.rule_id, newlines=False), style="bold")
    head.append(
        "  matched" if rule.matched else "  did not match",
        style="green" if rule.matched else "red",
    )
    if rule.note:
        head.append(f"  ({printable(rule.note, newlines=False)})", style="italic")
    if decides:
        head.append("  <- the decision", style="bold")
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True, width=9)
    table.add_column()
    for condition in rule.conditions:
        table.add_row(*_condition_row(condition))
    return Group(head, table)


def _condition_row(condition: ConditionTrace) -> tuple[Text, Text]:
    word, colour = _MARK[condition.passed]
    mark = Text(f"  {word}", style=colour)
    body = Text(printable(condition.source, newlines=False), style="bold")
    values = ", ".join(f"{k} = {_show(v)}" for k, v in condition.values.items())
    if values:
        body.append(f"   [{printable(values, newlines=False)}]", style="cyan")
    if condition.text:
        body.append(f"\n{printable(condition.text, newlines=False)}", style="dim")
    return mark, body


def _show(value: object) -> str:
    if value is None:
        return "missing"
    return json.dumps(value) if not isinstance(value, str) else f'"{value}"'


# -- demo ------------------------------------------------------------------------------------

# The demo's policies and situations ship inside the package (package data: the
# folder holds links to the repository's `rules/` and `examples/situations/`, which
# the build copies into the wheel), so `flexpolicy demo` runs anywhere it is installed.
DEMO = Path(__file__).resolve().parents[1] / "_demo"  # src/flexpolicy/_demo


def _folder(path: Path | None, shipped: str, option: str) -> Path:
    folder = path if path is not None else DEMO / shipped
    if not folder.is_dir() and path is None:
        fail(
            f"the demo's {shipped} are missing from this installation (`{folder}`)",
            hint=f"reinstall flexpolicy, or name a folder with `{option}`",
            exit_code=ExitCode.INTERNAL,
        )
    if not folder.is_dir():
        what = "is not a directory" if folder.exists() else "does not exist"
        fail(f"`{folder}` {what}", hint=f"`{option}` takes a folder")
    return folder


@commands.command(epilog=exit_codes("every shipped situation decided"))
def demo(
    rules: Annotated[
        Path | None, typer.Option(help="policies to use (default: the shipped ones)")
    ] = None,
    examples: Annotated[
        Path | None,
        typer.Option(help="situation files to decide (default: the shipped ones)"),
    ] = None,
) -> None:
    """Decide every shipped example situation with the shipped policies."""
    rules_dir = _folder(rules, "rules", "--rules")
    examples_dir = _folder(examples, "situations", "--examples")
    files = sorted(examples_dir.glob("*.y*ml"))
    if not files:
        fail(
            f"no situation files in `{examples_dir}`",
            hint="situation files end in .yaml or .yml",
        )
    policies = load_policies(rules_dir)
    rows: list[tuple[str, Situation, Decision]] = []
    for file in files:
        with situations(file) as source:
            rows.extend((file.stem, s, d) for s, d in decided(policies, source, None))
    stdout_console(160).print(demo_table(rows, policies))


__all__ = ["DEMO", "commands", "decide", "demo", "explain"]
