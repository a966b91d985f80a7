"""The lexer on its own: which tokens a text becomes, where they sit, and what it refuses.

Each table row is one text.  Token values are compared exactly: `2.50` stays a
`Decimal` with two places, `007` is the whole number 7, and a string's value is
its text with only `\\"`, `\\'` and `\\\\` unescaped.  Errors are `ExprError`s with
a stable `code`, the offset of the offending character and, for the mistakes
people carry over from Python, SQL or JavaScript, a hint naming the right word.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from flexpolicy._lang.lexer import MAX_LENGTH, ExprError, Token, tokenize


def only(text: str) -> Token:
    """The one token `text` is (the end token aside)."""
    tokens = tokenize(text)
    assert [t.kind for t in tokens[1:]] == ["end"], tokens
    return tokens[0]


def exactly(actual: object, expected: object) -> bool:
    """Equal, of the same type, and for a `Decimal` with the same digits and places."""
    if type(actual) is not type(expected):
        return False
    if isinstance(expected, Decimal):
        return str(actual) == str(expected)
    return actual == expected


# -- literals --------------------------------------------------------------------------

LITERALS = [
    pytest.param("42", "num", 42, id="whole"),
    pytest.param("007", "num", 7, id="leading-zeros"),
    pytest.param("1_000", "num", 1000, id="underscore-separator"),
    pytest.param("1.5", "num", Decimal("1.5"), id="decimal"),
    pytest.param("2.50", "num", Decimal("2.50"), id="decimal-keeps-places"),
    pytest.param(".5", "num", Decimal("0.5"), id="decimal-no-whole-part"),
    pytest.param("1" * 28, "num", int("1" * 28), id="whole-28-digits"),
    pytest.param("0." + "1" * 28, "num", Decimal("0." + "1" * 28), id="fraction-28-digits"),
    pytest.param('"abc"', "str", "abc", id="double-quoted"),
    pytest.param("'abc'", "str", "abc", id="single-quoted"),
    pytest.param(r'"a\"b"', "str", 'a"b', id="escaped-double-quote"),
    pytest.param(r'"a\\b"', "str", "a\\b", id="escaped-backslash"),
    pytest.param(r'"a\nb"', "str", "a\\nb", id="no-newline-escape"),
    pytest.param(r"'say \"hi\"'", "str", 'say \\"hi\\"', id="other-quote-escape-kept"),
    pytest.param('"caf\u00e9"', "str", "caf\u00e9", id="non-ascii-text"),
    pytest.param("true", "kw", None, id="true"),
    pytest.param("false", "kw", None, id="false"),
    pytest.param("null", "kw", None, id="null"),
    pytest.param("not", "kw", None, id="not"),
    pytest.param("if", "kw", None, id="if"),
    pytest.param("then", "kw", None, id="then"),
    pytest.param("else", "kw", None, id="else"),
    pytest.param("iffy", "name", None, id="name-starting-with-if"),
    pytest.param("customer", "name", None, id="name"),
    pytest.param("purchases_12m", "name", None, id="name-with-digits"),
    pytest.param("android", "name", None, id="name-starting-with-and"),
    pytest.param("x" * MAX_LENGTH, "name", None, id="longest-expression"),
]


@pytest.mark.parametrize(("text", "kind", "value"), LITERALS)
def test_literal(text: str, kind: str, value: object) -> None:
    token = only(text)
    assert (token.kind, token.text, token.start, token.end) == (kind, text, 0, len(text))
    assert exactly(token.value, value), repr(token.value)


# -- sequences -------------------------------------------------------------------------

SEQUENCES = [
    pytest.param(
        "== != <= >= < > + - * / % ( ) [ ] , .",
        "op:== op:!= op:<= op:>= op:< op:> op:+ op:- op:* op:/ op:% op:( op:) op:[ op:] op:, op:.",
        id="every-operator",
    ),
    pytest.param("a.b.c", "name:a op:. name:b op:. name:c", id="dotted-name"),
    pytest.param("customer.tier>=4", "name:customer op:. name:tier op:>= num:4", id="no-spaces"),
    pytest.param("a<=>b", "name:a op:<= op:> name:b", id="longest-pair-first"),
    pytest.param("x not in y", "name:x kw:not kw:in name:y", id="not-in-is-two-words"),
    pytest.param("-1", "op:- num:1", id="minus-is-an-operator"),
    pytest.param("a\tand\nb", "name:a kw:and name:b", id="tabs-and-newlines"),
    pytest.param("a.and", "name:a op:. kw:and", id="keyword-after-dot"),
    pytest.param("1.", "num:1 op:.", id="point-without-digits"),
    pytest.param("1..2", "num:1 op:. num:.2", id="double-point"),
    pytest.param("1.5.6", "num:1.5 num:.6", id="two-points"),
    pytest.param("x.1", "name:x num:.1", id="point-digit-after-name"),
    pytest.param("", "", id="empty"),
    pytest.param("  \t ", "", id="only-space"),
]


@pytest.mark.parametrize(("text", "expected"), SEQUENCES)
def test_sequence(text: str, expected: str) -> None:
    tokens = tokenize(text)
    assert tokens[-1] == Token("end", "", len(text), len(text))
    assert " ".join(f"{t.kind}:{t.text}" for t in tokens[:-1]) == expected


# -- positions -------------------------------------------------------------------------

POSITIONS = [
    pytest.param("  a  ==  'x y' ", [(2, 3), (5, 7), (9, 14), (15, 15)], id="padded"),
    pytest.param(
        "customer.tier>=4",
        [(0, 8), (8, 9), (9, 13), (13, 15), (15, 16), (16, 16)],
        id="dotted-compare",
    ),
    pytest.param(r'"a\"b" or x', [(0, 6), (7, 9), (10, 11), (11, 11)], id="escape-counts-twice"),
    pytest.param("1.25+.5", [(0, 4), (4, 5), (5, 7), (7, 7)], id="decimals"),
]


@pytest.mark.parametrize(("text", "spans"), POSITIONS)
def test_positions(text: str, spans: list[tuple[int, int]]) -> None:
    tokens = tokenize(text)
    assert [(t.start, t.end) for t in tokens] == spans
    for token in tokens[:-1]:
        assert text[token.start : token.end] == token.text


# -- refused ---------------------------------------------------------------------------

# (text, code, start, hint); a hint of None means the error carries none.
REFUSED = [
    pytest.param("a = 1", "expression-syntax", 2, "use `==`", id="single-equals"),
    pytest.param("a ! b", "expression-syntax", 2, "use `not`", id="bang"),
    pytest.param("a && b", "expression-syntax", 2, "use `and`", id="double-ampersand"),
    pytest.param("a <> b", "expression-syntax", 2, "use `!=`", id="sql-not-equal"),
    pytest.param("a =< b", "expression-syntax", 2, "use `<=`", id="reversed-less-equal"),
    pytest.param("True", "expression-syntax", 0, "use `true`", id="python-True"),
    pytest.param("None", "expression-syntax", 0, "use `null`", id="python-None"),
    pytest.param("a AND b", "expression-syntax", 2, "use `and`", id="sql-AND"),
    pytest.param("IF a", "expression-syntax", 0, "use `if`", id="upper-IF"),
    pytest.param("if a THEN b", "expression-syntax", 5, "use `then`", id="upper-THEN"),
    pytest.param("x and True", "expression-syntax", 6, "use `true`", id="True-later"),
    pytest.param("'abc", "expression-syntax", 0, None, id="unclosed-single-quote"),
    pytest.param(r"'abc\'", "expression-syntax", 0, None, id="escaped-closing-quote"),
    pytest.param("12abc", "expression-syntax", 0, None, id="letters-after-digits"),
    pytest.param("1e5", "expression-syntax", 0, None, id="exponent"),
    pytest.param("3_days", "expression-syntax", 0, None, id="underscore-then-letters"),
    pytest.param("a \u2264 b", "expression-syntax", 2, None, id="unicode-less-equal"),
    pytest.param("\uff12", "expression-syntax", 0, None, id="fullwidth-digit"),
    pytest.param("lambda: 1", "expression-syntax", 6, None, id="colon"),
    pytest.param("_x", "forbidden-name", 0, "expressions read only", id="underscore-name"),
    pytest.param("customer._x", "forbidden-name", 9, "expressions read only", id="private-field"),
    pytest.param("1" * 29, "bad-number", 0, "at most 28 digits", id="whole-29-digits"),
    pytest.param("x > " + "9" * 29, "bad-number", 4, "at most 28 digits", id="bad-number-later"),
    pytest.param("1_" * 29, "bad-number", 0, "at most 28 digits", id="underscores-not-digits"),
    pytest.param("x" * (MAX_LENGTH + 1), "expression-too-long", 0, "facts:", id="too-long"),
]


@pytest.mark.parametrize(("text", "code", "start", "hint"), REFUSED)
def test_refused(text: str, code: str, start: int, hint: str | None) -> None:
    with pytest.raises(ExprError) as caught:
        tokenize(text)
    error = caught.value
    assert (error.code, error.start) == (code, start)
    if hint is None:
        assert error.hint is None
    else:
        assert error.hint is not None
        assert hint in error.hint
    assert error.message == str(error)


MESSAGES = [
    pytest.param("12abc", "`12a` is not a number or a name", id="letters-after-digits"),
    pytest.param("'abc", "text is missing its closing quote", id="unclosed"),
    pytest.param(
        "1" * 29,
        f"`{'1' * 29}` has more digits than a rule computes with (28)",
        id="bad-number-shown-whole",
    ),
    pytest.param(
        "1" * 41,
        f"`{'1' * 39}\u2026` has more digits than a rule computes with (28)",
        id="bad-number-shortened",
    ),
    pytest.param(
        "x" * 2_345,
        "expression is 2,345 characters, over the limit of 2,000",
        id="too-long-counts",
    ),
]


@pytest.mark.parametrize(("text", "message"), MESSAGES)
def test_message(text: str, message: str) -> None:
    with pytest.raises(ExprError) as caught:
        tokenize(text)
    assert caught.value.message == message
