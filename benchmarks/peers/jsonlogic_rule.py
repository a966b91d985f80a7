"""The policy as one JsonLogic rule, shared by the two JsonLogic peers.

JsonLogic's `if` takes condition/value pairs and a final else, and returns the value of
the first condition that holds: exactly first-match-wins, in one expression that a
service would store as JSON.  Strict equality (`===`) compares the texts; the flag test
is `in` over the `flags` array.
"""

from __future__ import annotations

from typing import Any

__all__ = ["RULE"]


def _var(name: str) -> dict[str, str]:
    return {"var": name}


def _all(*parts: dict[str, Any]) -> dict[str, Any]:
    return {"and": list(parts)}


RETURN = {"===": [_var("kind"), "return"]}
UNUSED = {"===": [_var("condition"), "unused"]}

RULE: dict[str, Any] = {
    "if": [
        {"in": ["abusive", _var("flags")]},
        "escalate",
        _all(RETURN, {"<=": [_var("days"), 30]}),
        "approve",
        _all(
            RETURN,
            {"<=": [_var("days"), 120]},
            {">=": [_var("tier"), 4]},
            UNUSED,
            {"===": [_var("store_at_fault"), True]},
            {"<": [_var("exceptions_90d"), 2]},
        ),
        "exception",
        _all(
            RETURN,
            {"<=": [_var("days"), 90]},
            {">=": [_var("tier"), 3]},
            UNUSED,
            {"<=": [_var("amount"), 100]},
        ),
        "escalate",
        _all({"===": [_var("kind"), "exchange"]}, {"<=": [_var("days"), 45]}),
        "approve",
        "deny",
    ]
}
