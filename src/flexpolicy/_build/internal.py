"""flexpolicy's own bugs while loading, as the one exception loading raises.

A server or a store loading untrusted files relies on `PolicyError` being the only
exception `load_policy` and a reload raise; anything else that escapes is a bug in
flexpolicy, reported as the problem `internal-error` with the exception chained.
"""

from __future__ import annotations

from ..errors import PolicyError

__all__ = ["internal_error"]


def internal_error(
    exc: BaseException,
    file: str,
    *,
    what: str = "loading this file",
    hint: str = "please report it with the file; the exception is chained as `__cause__`",
) -> PolicyError:
    """An unexpected exception while loading `file`, as a one-line `PolicyError`.

    Only the first line of the exception's message is kept, without control
    characters and cut at 200 characters: never a traceback.
    """
    lines = str(exc).strip().splitlines()
    detail = "".join(ch if ch.isprintable() else " " for ch in lines[0]) if lines else ""
    if len(detail) > 200:
        detail = detail[:199] + "…"
    return PolicyError.single(
        "internal-error",
        f"{what} failed with `{type(exc).__name__}`{': ' + detail if detail else ''}"
        " (a bug in flexpolicy, not in the policy)",
        file=file,
        hint=hint,
    )
