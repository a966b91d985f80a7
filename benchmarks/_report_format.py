"""How `report.py` writes figures and tables: one place for the page's number style."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

DASH = "\N{EN DASH}"  # an empty cell
Data = dict[str, Any]


def num(x: float | None, unit: str = "") -> str:
    """A figure with as many decimals as its size deserves."""
    if x is None:
        return DASH
    if abs(x) >= 100:
        text = f"{x:,.0f}"
    elif abs(x) >= 10:
        text = f"{x:,.1f}"
    else:
        text = f"{x:,.2f}"
    return f"{text} {unit}".rstrip() if unit else text


def count(n: int | None) -> str:
    return DASH if n is None else f"{n:,}"


def table(head: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> list[str]:
    """A Markdown table; `align` has one letter per column, `l` or `r` (default `l`)."""
    marks = [":--" if (align[i : i + 1] or "l") == "l" else "--:" for i in range(len(head))]
    out = ["| " + " | ".join(head) + " |", "|" + "|".join(marks) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return [*out, ""]


def met(ok: bool | None) -> str:
    return "n/a" if ok is None else "yes" if ok else "**no**"


def signed(x: float, unit: str) -> str:
    return f"{'+' if x >= 0 else '-'} {num(abs(x), unit)}"


def bar(value: float, top: float, width: int = 40) -> str:
    cells = value / top * width if top else 0
    whole = int(cells)
    tail = "▌" if cells - whole >= 0.5 else "▏" if whole == 0 and value > 0 else ""
    return "█" * whole + tail
