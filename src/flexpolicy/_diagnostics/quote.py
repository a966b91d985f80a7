"""How a message quotes input: at most `MAX_QUOTED` characters of it.

Every error quotes the piece of input it is about in backticks; an id, a sku or a
number of thousands of characters would drown the message (and could carry more
of the input than the error needs), so each quoted piece is cut, with an ellipsis.
"""

from __future__ import annotations

import re

__all__ = ["MAX_QUOTED", "cap_quotes", "quoted"]

# The most characters of one piece of input an `InputError` quotes: an id, a sku
# or a number of thousands of characters is cut, with an ellipsis.
MAX_QUOTED = 40
# Every backticked piece, short or long, so that pieces pair up from the left: a
# pattern for long pieces alone would take the prose *between* two short quotes
# (`a.b` must be ... `money`) for a quote and cut it.
_QUOTED = re.compile(r"`([^`\n]*)`")


def quoted(text: object) -> str:
    """Input as an error shows it: at most `MAX_QUOTED` characters, then `…`."""
    shown = str(text)
    return shown if len(shown) <= MAX_QUOTED else shown[: MAX_QUOTED - 1] + "…"


def cap_quotes(text: str) -> str:
    """`text` with every backticked piece longer than `MAX_QUOTED` cut (`quoted`)."""
    if "`" not in text:
        return text
    return _QUOTED.sub(lambda m: m[0] if len(m[1]) <= MAX_QUOTED else f"`{quoted(m[1])}`", text)
