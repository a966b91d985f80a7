"""Tokens of the expression language, with the mistakes people actually make.

Authors coming from Python, SQL or JavaScript type `=`, `&&`, `True` or
`__class__`; each gets a targeted message instead of a generic syntax error.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .._facts.numbers import DECIMALS
from ..errors import Problem

MAX_LENGTH = 2_000

_DIGITS = frozenset("0123456789")
KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null", "if", "then", "else"})
_TWO_CHAR = ("==", "!=", "<=", ">=")
_ONE_CHAR = "<>+-*/%()[],."
_WRONG_OPERATORS = {
    "&&": ("`&&` is not an operator here", "use `and`"),
    "||": ("`||` is not an operator here", "use `or`"),
    "<>": ("`<>` is not an operator here", "use `!=`"),
    "=>": ("`=>` is not an operator here", "use `>=`"),
    "=<": ("`=<` is not an operator here", "use `<=`"),
}
_WRONG_WORDS = {
    "True": "true",
    "False": "false",
    "None": "null",
    "AND": "and",
    "OR": "or",
    "NOT": "not",
    "IN": "in",
    "IF": "if",
    "THEN": "then",
    "ELSE": "else",
}


class ExprError(Exception):
    """A problem at `start` in a piece of policy text (an expression, a template).

    It carries the `Problem` itself, not yet placed: the text does not know the
    file, line and column it was read from, so the loader places it there.  The
    lexer and parser raise it at the first problem; the checker and the template
    parser collect several.
    """

    def __init__(self, code: str, message: str, start: int, hint: str | None = None) -> None:
        super().__init__(message)
        self.problem = Problem(code, message, hint=hint)
        self.start = start

    @property
    def code(self) -> str:
        return self.problem.code

    @property
    def message(self) -> str:
        return self.problem.message

    @property
    def hint(self) -> str | None:
        return self.problem.hint


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "num" "str" "name" "kw" "op" "end"
    text: str
    start: int
    end: int
    value: object = None


def tokenize(text: str) -> list[Token]:
    if len(text) > MAX_LENGTH:
        raise ExprError(
            "expression-too-long",
            f"expression is {len(text):,} characters, over the limit of {MAX_LENGTH:,}",
            0,
            "name parts of it as `facts:` and combine them",
        )
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        pair = text[i : i + 2]
        if pair in _WRONG_OPERATORS:
            message, hint = _WRONG_OPERATORS[pair]
            raise ExprError("expression-syntax", message, i, hint)
        if pair in _TWO_CHAR:
            tokens.append(Token("op", pair, i, i + 2))
            i += 2
            continue
        if ch == "=":
            raise ExprError("expression-syntax", "`=` is not a comparison", i, "use `==`")
        if ch == "!":
            raise ExprError("expression-syntax", "`!` is not an operator here", i, "use `not`")
        if ch in _ONE_CHAR:
            if ch == "." and i + 1 < n and text[i + 1] in _DIGITS:
                i = _number(text, i, tokens)
                continue
            tokens.append(Token("op", ch, i, i + 1))
            i += 1
            continue
        if ch in "\"'":
            i = _string(text, i, tokens)
            continue
        if ch in _DIGITS:  # ASCII only: `str.isdigit` also takes `²`, which `int` refuses
            i = _number(text, i, tokens)
            continue
        if ch.isalpha() or ch == "_":
            j = i
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            word = text[i:j]
            if word.startswith("_"):
                raise ExprError(
                    "forbidden-name",
                    f"names starting with `_` are not allowed (`{word}`)",
                    i,
                    "expressions read only the declared fields of customer, request, "
                    "transaction, item, actor and case",
                )
            if word in _WRONG_WORDS:
                raise ExprError(
                    "expression-syntax",
                    f"`{word}` is not a word of the policy language",
                    i,
                    f"use `{_WRONG_WORDS[word]}`",
                )
            tokens.append(Token("kw" if word in KEYWORDS else "name", word, i, j))
            i = j
            continue
        raise ExprError("expression-syntax", f"unexpected character `{ch}`", i)
    tokens.append(Token("end", "", n, n))
    return tokens


def _string(text: str, start: int, tokens: list[Token]) -> int:
    quote = text[start]
    i, n = start + 1, len(text)
    out: list[str] = []
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in (quote, "\\"):
            out.append(text[i + 1])
            i += 2
            continue
        if ch == quote:
            tokens.append(Token("str", text[start : i + 1], start, i + 1, "".join(out)))
            return i + 1
        out.append(ch)
        i += 1
    raise ExprError("expression-syntax", "text is missing its closing quote", start)


def _number(text: str, start: int, tokens: list[Token]) -> int:
    i, n = start, len(text)
    while i < n and (text[i] in _DIGITS or text[i] == "_"):
        i += 1
    is_decimal = i < n and text[i] == "." and i + 1 < n and text[i + 1] in _DIGITS
    if is_decimal:
        i += 1
        while i < n and text[i] in _DIGITS:
            i += 1
    if i < n and (text[i].isalpha() or text[i] == "_"):
        raise ExprError(
            "expression-syntax", f"`{text[start : i + 1]}` is not a number or a name", start
        )
    raw = text[start:i]
    digits = raw.replace("_", "")
    whole, _, fraction = digits.partition(".")
    if len(whole.lstrip("0")) > DECIMALS.prec or len(fraction) > DECIMALS.prec:
        shown = raw if len(raw) <= 40 else raw[:39] + "…"
        raise ExprError(
            "bad-number",
            f"`{shown}` has more digits than a rule computes with ({DECIMALS.prec})",
            start,
            "numbers in rules hold at most 28 digits before and after the point",
        )
    value: int | Decimal = Decimal(digits) if is_decimal else int(digits)
    tokens.append(Token("num", raw, start, i, value))
    return i
