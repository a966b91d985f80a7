"""Decisions for people at a terminal (rich), used by the command line."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ._explain import remedy_words, role_words
from ._phrases import money
from .decision import Decision
from .models import Situation
from .policy import PolicySet

_STYLE = {"approve": "bold green", "deny": "bold red", "refer": "bold yellow"}


def headline(decision: Decision) -> Text:
    """`APPROVE store credit 59.99 (exception)` or `REFER to supervisor: ...`."""
    text = Text(decision.outcome.upper(), style=_STYLE[decision.outcome])
    if decision.remedy:
        text.append(f"  {remedy_words(decision.remedy)}")
        if decision.amount is not None:
            text.append(f" {money(decision.amount)}")
    if decision.exception:
        text.append("  (exception)", style="italic")
    if decision.required_role:
        text.append(f"\nneeds a {role_words(decision.required_role)}", style="yellow")
    return text


def decision_panel(decision: Decision, situation: Situation) -> Panel:
    body = Table.grid(padding=(0, 2))
    body.add_column(style="bold", no_wrap=True)
    body.add_column()
    body.add_row("decision", headline(decision))
    body.add_row(
        "rule",
        f"{decision.rule_id}" + (f" (bends {', '.join(decision.bends)})" if decision.bends else ""),
    )
    body.add_row("for staff", decision.rationale.staff)
    body.add_row("for customer", decision.rationale.customer)
    for alternative in decision.alternatives:
        needs = "; ".join(r.text for r in alternative.unmet)
        who = "the customer can do this" if alternative.customer_can_act else "not up to them"
        line = f"{alternative.outcome} under {alternative.rule_id} if {needs} ({who})"
        body.add_row("could be", line)
    for lever in decision.levers:
        body.add_row("you may offer", lever.text)
    policy = f"{decision.policy_id} {decision.policy_version}"
    title = situation.title or situation.request.id
    return Panel(Group(body), title=title, subtitle=policy, expand=False)


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
