"""Where in a situation's text a problem is, in words that never quote the text.

Situations carry personal data (names, emails, notes): an error gives the line
and column, or the field's path, and never the text itself.
"""

from __future__ import annotations

from ..errors import InputError

__all__ = ["DUPLICATE_HINT", "MAX_SITUATION_BYTES", "at", "line_column", "too_deep"]

MAX_SITUATION_BYTES = 5_000_000  # a file of one or more situations, or one JSON line

DUPLICATE_HINT = "only the last would be kept; remove or rename one of them"


def at(where: str, exc: InputError) -> InputError:
    """`exc` prefixed with where it was read (facts that contradict each other)."""
    return exc.prefixed(f"{where}: ")


def line_column(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def too_deep(where: str) -> InputError:
    return InputError(
        f"{where}: nested too deeply to be a situation",
        code="bad-file",
        hint="a situation is a few levels deep: request, customer, transaction and its items",
    )
