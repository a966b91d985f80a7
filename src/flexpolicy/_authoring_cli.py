"""Authoring commands: `explain`, `schema`, `doc`, `diff` and `simulate`.

They serve a policy author at a terminal: how a situation was decided, rule by
rule; the JSON Schema that lets an editor complete a policy file; the policy on
one page; what a change does to past requests; and a history to try it on.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ._cli_common import (
    OutputFile,
    PolicyPath,
    RoleOption,
    SituationFile,
    decided,
    load,
    one_stdin,
    situations,
    stdout_console,
    write_output,
)
from ._render import headline, plain, printable
from .decision import ConditionTrace, Decision, RuleTrace
from .models import Situation
from .schema import json_schema

_MARK = {True: ("yes", "green"), False: ("no", "red"), None: ("unknown", "yellow")}


# -- explain ---------------------------------------------------------------------------------


def explain_command(
    situation_file: SituationFile, policy: PolicyPath, role: RoleOption = None
) -> None:
    """Show how a situation is decided: every rule, every condition, with its values."""
    one_stdin(situation_file, policy)
    target = load(policy)
    out = stdout_console(120)
    with situations(situation_file) as source:
        for situation, decision in decided(target, source, role):
            out.print(_explanation(decision, situation))


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


# -- schema ----------------------------------------------------------------------------------


class SchemaKind(StrEnum):
    policy = "policy"
    escalations = "escalations"


def schema_command(
    kind: Annotated[
        SchemaKind, typer.Option("--kind", help="`policy` files or `escalations` files")
    ] = SchemaKind.policy,
    output: OutputFile = None,
) -> None:
    """Print the JSON Schema of policy files, for editors that complete YAML."""
    write_output(json.dumps(json_schema(kind.value), indent=2) + "\n", output)


__all__ = ["explain_command", "schema_command"]
