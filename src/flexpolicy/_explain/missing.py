"""`Decision.missing`: the missing facts that left a condition unknown on the decision's way.

A condition is unknown when a value it reads is missing and the rest cannot
settle it.  The till can ask for that value ("is the packaging intact?"), so the
decision names it by the path an author writes (`request.packaging_intact`,
`item.final_sale`, `days_since_purchase`).  Only the values that made the
condition unknown are named, and only in a rule no other condition rules out (a
guard ruled out by `item.category == "alcohol"` being false does not ask whether the
law forbids its return)): from an unknown node the walk descends into the
children that are unknown too, and through a fact into its expression.
"""

from __future__ import annotations

from .._lang import checked as c
from .record import Record


def missing(record: Record) -> tuple[str, ...]:
    """The missing paths, in the order the decision met them, each once."""
    found: dict[str, None] = {}
    for seen in record.path():
        if any(condition.passed is False for condition in seen.conditions):
            continue  # a false condition settles the rule; its unknown ones did not matter
        for condition in seen.conditions:
            if condition.passed is None:
                _unknown_leaves(record, condition.condition.expr, found, set())
    return tuple(found)


def _unknown_leaves(record: Record, expr: c.Expr, found: dict[str, None], facts: set[str]) -> None:
    stack = [expr]
    value = record.value
    while stack:
        node = stack.pop()
        if value(node) is not None:
            continue
        match node:
            case c.Field():
                found.setdefault(node.dotted, None)
            case c.Root(root=root) | c.Builtin(name=root):
                found.setdefault(root, None)
            case c.FactRef(name=name):
                if name not in facts:
                    facts.add(name)
                    stack.append(record.facts[name].expr)
            case _:
                stack.extend(reversed(c.children(node)))
