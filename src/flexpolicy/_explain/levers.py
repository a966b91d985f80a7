"""The levers: the discretionary gestures this actor may offer, and up to how much.

A lever is offered when its conditions held (the record says which) and the
actor's role has a cap for it; the next role up with a higher cap is named, so
staff know whom to ask for more.  Guarded requests get no gestures.
"""

from __future__ import annotations

from .._build.templates import render
from .._engine.semantics import STAGE_GUARD
from ..decision import Lever
from . import words as w
from .phrases import Phrases
from .rationale import reasons, sentence
from .record import Record


def levers(record: Record, phrases: Phrases) -> list[Lever]:
    if record.stage == STAGE_GUARD:
        return []  # guarded requests get no discretionary gestures
    offers: list[Lever] = []
    rank = record.ctx.rank
    for lever in record.ir.levers:
        if not record.holds(lever.conditions):
            continue
        mine = [cap for cap in lever.caps if cap[0] <= rank]
        if not mine:
            continue
        higher = [cap for cap in lever.caps if cap[0] > rank and cap[2] > mine[-1][2]]
        text = reasons(phrases, lever.explain.staff, lever.conditions, "staff")
        title = lever.title or w.humanize(lever.id)
        offers.append(
            Lever(
                id=lever.id,
                kind=lever.kind,
                title=lever.title,
                cap=mine[-1][2],
                text=sentence(f"{title}, up to {w.money(mine[-1][2])}: {text}"),
                customer_text=(
                    sentence(render(lever.explain.customer, phrases.value_text))
                    if lever.explain.customer
                    else None
                ),
                higher_role=higher[0][1] if higher else None,
                higher_cap=higher[0][2] if higher else None,
            )
        )
    return offers
