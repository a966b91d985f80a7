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
_QUOTED = re.compile(rf"`([^`\n]{{{MAX_QUOTED + 1},}})`")


def quoted(text: object) -> str:
    """Input as an error shows it: at most `MAX_QUOTED` characters, then `…`."""
    shown = str(text)
    return shown if len(shown) <= MAX_QUOTED else shown[: MAX_QUOTED - 1] + "…"


def cap_quotes(text: str) -> str:
    """`text` with every backticked piece longer than `MAX_QUOTED` cut (`quoted`)."""
    return _QUOTED.sub(lambda m: f"`{quoted(m[1])}`", text) if "`" in text else text
