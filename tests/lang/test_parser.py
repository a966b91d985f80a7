"""The parser on its own: precedence, associativity, node spans, the depth limit, refusals.

Trees are compared in a canonical, fully parenthesised form written by `shape`
below (not by the library's own unparser, so a bug there cannot hide one here):
every operator node gets its own parentheses, a chained comparison stays one
node (`(a < b <= c)`), and calls, lists and field reads print as written.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from flexpolicy._lang import syntax as s
from flexpolicy._lang.lexer import ExprError
from flexpolicy._lang.parser import MAX_DEPTH, parse


def shape(node: s.Node) -> str:
    match node:
        case s.Literal(value=str() as text):
            return f'"{text}"'
        case s.Literal(value=bool() as truth):
            return "true" if truth else "false"
        case s.Literal(value=None):
            return "null"
        case s.Literal(value=value):
            return str(value)
        case s.Name(name=name):
            return name
        case s.Attr(obj=obj, name=name):
            return f"{shape(obj)}.{name}"
        case s.Call(func=func, args=args):
            return f"{func}({', '.join(shape(a) for a in args)})"
        case s.ListLit(items=items):
            return f"[{', '.join(shape(i) for i in items)}]"
        case s.Unary(op="not", operand=operand):
            return f"(not {shape(operand)})"
        case s.Unary(op=op, operand=operand):
            return f"({op}{shape(operand)})"
        case s.BoolOp(op=op, operands=operands):
            return "(" + f" {op} ".join(shape(o) for o in operands) + ")"
        case s.Arith(op=op, left=left, right=right):
            return f"({shape(left)} {op} {shape(right)})"
        case s.If(cond=cond, then=then, other=other):
            return f"(if {shape(cond)} then {shape(then)} else {shape(other)})"
        case s.Compare(operands=operands, ops=ops):
            parts = [shape(operands[0])]
            for op, operand in zip(ops, operands[1:], strict=True):
                parts += [op, shape(operand)]
            return "(" + " ".join(parts) + ")"
    raise AssertionError(f"no shape for {node!r}")


# -- precedence and associativity ------------------------------------------------------

PRECEDENCE = [
    pytest.param("a or b and c", "(a or (b and c))", id="and-binds-tighter-than-or"),
    pytest.param("a or b or c", "(a or b or c)", id="or-is-one-n-ary-node"),
    pytest.param("(a or b) or c", "((a or b) or c)", id="brackets-are-not-flattened"),
    pytest.param("(a or b) and c", "((a or b) and c)", id="brackets-override"),
    pytest.param("not a and b", "((not a) and b)", id="not-binds-tighter-than-and"),
    pytest.param("not not a", "(not (not a))", id="double-not"),
    pytest.param("not a == b", "(not (a == b))", id="not-looser-than-compare"),
    pytest.param("not x in y", "(not (x in y))", id="not-looser-than-in"),
    pytest.param("a == b == c", "(a == b == c)", id="equality-chains"),
    pytest.param("1 < x <= 3", "(1 < x <= 3)", id="range-chains"),
    pytest.param("a in b in c", "(a in b in c)", id="in-chains"),
    pytest.param("a not in b == c", "(a not in b == c)", id="not-in-chains"),
    pytest.param("a + 1 in y", "((a + 1) in y)", id="sum-tighter-than-in"),
    pytest.param("1 + 2 == 3 and true", "(((1 + 2) == 3) and true)", id="all-levels"),
    pytest.param("a + b * c", "(a + (b * c))", id="product-tighter-than-sum"),
    pytest.param("a - b - c", "((a - b) - c)", id="minus-left-assoc"),
    pytest.param("a % b * c", "((a % b) * c)", id="modulo-same-level-as-times"),
    pytest.param("1 + 2 - 3 * 4 / 5 % 6", "((1 + 2) - (((3 * 4) / 5) % 6))", id="arith-mix"),
    pytest.param("-a * b", "((-a) * b)", id="negation-tighter-than-times"),
    pytest.param("1 - -1", "(1 - (-1))", id="minus-minus"),
    pytest.param("-a.b", "(-a.b)", id="field-read-tighter-than-negation"),
    pytest.param("-1.5", "(-1.5)", id="negative-number-is-negation"),
    pytest.param("a.in", "a.in", id="keyword-as-field-name"),
    pytest.param("(customer).tier", "customer.tier", id="field-of-brackets"),
    pytest.param("f(a or b, not c)", "f((a or b), (not c))", id="call-args-are-expressions"),
    pytest.param("[1, [2, 3]]", "[1, [2, 3]]", id="nested-list"),
    pytest.param("[a and b, 1 + 2]", "[(a and b), (1 + 2)]", id="list-items-are-expressions"),
    pytest.param('"a" + "b"', '("a" + "b")', id="parser-does-not-type-check"),
    pytest.param("if a then 1 else 2", "(if a then 1 else 2)", id="if"),
    pytest.param(
        "if a then 1 else if b then 2 else 3",
        "(if a then 1 else (if b then 2 else 3))",
        id="else-if-chains",
    ),
    pytest.param(
        "if a or b then x + 1 else y and z",
        "(if (a or b) then (x + 1) else (y and z))",
        id="if-is-loosest",
    ),
    pytest.param(
        "if if a then b else c then 1 else 2",
        "(if (if a then b else c) then 1 else 2)",
        id="if-as-condition",
    ),
    pytest.param("1 + (if a then 1 else 2)", "(1 + (if a then 1 else 2))", id="if-in-brackets"),
    pytest.param("f(if a then 1 else 2)", "f((if a then 1 else 2))", id="if-as-argument"),
    pytest.param("[if a then 1 else 2]", "[(if a then 1 else 2)]", id="if-in-list"),
]


@pytest.mark.parametrize(("text", "expected"), PRECEDENCE)
def test_precedence(text: str, expected: str) -> None:
    assert shape(parse(text)) == expected


# -- nodes and spans -------------------------------------------------------------------

NODES = [
    pytest.param(
        "customer.tier",
        s.Attr(0, 13, s.Name(0, 8, "customer"), "tier", 9),
        id="field-read",
    ),
    pytest.param(
        " ( customer . tier ) ",
        s.Attr(3, 18, s.Name(3, 11, "customer"), "tier", 14),
        id="brackets-leave-no-node",
    ),
    pytest.param(
        "f(a, b)",
        s.Call(0, 7, "f", (s.Name(2, 3, "a"), s.Name(5, 6, "b"))),
        id="call-spans-its-brackets",
    ),
    pytest.param(
        "[1, 2]",
        s.ListLit(0, 6, (s.Literal(1, 2, 1), s.Literal(4, 5, 2))),
        id="list-spans-its-brackets",
    ),
    pytest.param(
        "a < b <= c",
        s.Compare(0, 10, (s.Name(0, 1, "a"), s.Name(4, 5, "b"), s.Name(9, 10, "c")), ("<", "<=")),
        id="chain-keeps-ops",
    ),
    pytest.param(
        "x not in y",
        s.Compare(0, 10, (s.Name(0, 1, "x"), s.Name(9, 10, "y")), ("not in",)),
        id="not-in-is-one-op",
    ),
    pytest.param("not  x", s.Unary(0, 6, "not", s.Name(5, 6, "x")), id="not"),
    pytest.param(
        "1.50 * 2",
        s.Arith(0, 8, "*", s.Literal(0, 4, Decimal("1.50")), s.Literal(7, 8, 2)),
        id="arith",
    ),
    pytest.param("null", s.Literal(0, 4, None), id="null"),
]


@pytest.mark.parametrize(("text", "expected"), NODES)
def test_node(text: str, expected: s.Node) -> None:
    assert parse(text) == expected


# -- the depth limit -------------------------------------------------------------------

# (text, refused): the nesting that counts is what makes the parser recurse (brackets,
# calls, lists, `not`, `-`) and the depth of the finished tree (chains, field reads).
DEPTH = [
    pytest.param("not " * (MAX_DEPTH - 1) + "a", False, id="not-at-limit"),
    pytest.param("not " * MAX_DEPTH + "a", True, id="not-over-limit"),
    pytest.param("-" * (MAX_DEPTH - 1) + "1", False, id="negation-at-limit"),
    pytest.param("-" * MAX_DEPTH + "1", True, id="negation-over-limit"),
    pytest.param("*".join(["1"] * MAX_DEPTH), False, id="product-chain-at-limit"),
    pytest.param("*".join(["1"] * (MAX_DEPTH + 1)), True, id="product-chain-over-limit"),
    pytest.param("a" + ".b" * (MAX_DEPTH - 1), False, id="field-chain-at-limit"),
    pytest.param("a" + ".b" * MAX_DEPTH, True, id="field-chain-over-limit"),
    pytest.param(" and ".join(["a"] * 300), False, id="and-chain-is-flat"),
    pytest.param("(" * 19 + "1" + ")" * 19, False, id="19-brackets"),
    pytest.param("(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1), True, id="41-brackets"),
    pytest.param("(" * 990 + "1" + ")" * 990, True, id="990-brackets-no-recursion-error"),
    pytest.param("(" * 1990, True, id="unclosed-brackets-too-deep-first"),
    pytest.param("abs(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1), True, id="41-calls"),
]


@pytest.mark.parametrize(("text", "refused"), DEPTH)
def test_depth(text: str, refused: bool) -> None:
    if not refused:
        parse(text)
        return
    with pytest.raises(ExprError) as caught:
        parse(text)
    error = caught.value
    assert error.code == "too-deep"
    assert error.message == f"expression nests deeper than {MAX_DEPTH} levels"
    assert error.hint == "name parts of it as `facts:` and combine them"
    assert 0 <= error.start <= len(text)


# -- refused ---------------------------------------------------------------------------

AFTER = "join conditions with `and` / `or`, or list them under `when:`"
CALLS = "functions are written `name(arguments)`, e.g. `max(a, b)`"

# (text, code, start, message, hint)
REFUSED = [
    pytest.param("", "expression-syntax", 0, "the expression is empty", None, id="empty"),
    pytest.param(
        "if a then 1",
        "expression-syntax",
        11,
        "expected `else`: an `if` needs both branches, found the end of the expression",
        None,
        id="if-without-else",
    ),
    pytest.param(
        "if a 1 else 2",
        "expression-syntax",
        5,
        "expected `then` after the condition of `if`, found `1`",
        None,
        id="if-without-then",
    ),
    pytest.param(
        "1 + if a then 1 else 2",
        "expression-syntax",
        4,
        "`if` inside an operation needs brackets",
        "write `(if a then 1 else 2)`",
        id="if-inside-an-operation",
    ),
    pytest.param(
        "a and if b then c else d",
        "expression-syntax",
        6,
        "`if` inside an operation needs brackets",
        "write `(if a then 1 else 2)`",
        id="if-after-and",
    ),
    pytest.param("then", "expression-syntax", 0, "unexpected `then`", None, id="then-alone"),
    pytest.param("not", "expression-syntax", 3, "the expression ends too early", None, id="not"),
    pytest.param("a +", "expression-syntax", 3, "the expression ends too early", None, id="plus"),
    pytest.param(
        "(a",
        "expression-syntax",
        2,
        "expected `)`, found the end of the expression",
        None,
        id="unclosed-bracket",
    ),
    pytest.param(
        "a)",
        "expression-syntax",
        1,
        "unexpected `)` after a complete expression",
        AFTER,
        id="stray-close",
    ),
    pytest.param(
        "x if y else z",
        "expression-syntax",
        2,
        "unexpected `if` after a complete expression",
        AFTER,
        id="python-conditional",
    ),
    pytest.param(
        "a not b",
        "expression-syntax",
        2,
        "unexpected `not` after a complete expression",
        AFTER,
        id="not-without-in",
    ),
    pytest.param(
        "a.1",
        "expression-syntax",
        1,
        "unexpected `.1` after a complete expression",
        AFTER,
        id="digit-field",
    ),
    pytest.param(
        "()",
        "expression-syntax",
        0,
        "empty parentheses are not an expression",
        None,
        id="empty-brackets",
    ),
    pytest.param(
        "f(1 2)", "expression-syntax", 4, "expected `,` or `)`, found `2`", None, id="args-no-comma"
    ),
    pytest.param("[1,]", "expression-syntax", 3, "unexpected `]`", None, id="list-trailing-comma"),
    pytest.param("f(,)", "expression-syntax", 2, "unexpected `,`", None, id="args-only-comma"),
    pytest.param("== a", "expression-syntax", 0, "unexpected `==`", None, id="leading-operator"),
    pytest.param("a == not b", "expression-syntax", 5, "unexpected `not`", None, id="not-after-eq"),
    pytest.param(
        "a.", "expression-syntax", 2, "expected a field name after `.`", None, id="trailing-dot"
    ),
    pytest.param(
        "a = b", "expression-syntax", 2, "`=` is not a comparison", "use `==`", id="lexer"
    ),
    pytest.param(
        "f(a)(b)",
        "forbidden-call",
        4,
        "only named functions can be called",
        CALLS,
        id="call-a-call",
    ),
    pytest.param(
        "x.y()", "forbidden-call", 3, "only named functions can be called", CALLS, id="method"
    ),
    pytest.param(
        "customer.flags.pop()",
        "forbidden-call",
        18,
        "only named functions can be called",
        CALLS,
        id="method-on-field",
    ),
    pytest.param(
        "[1](0)",
        "forbidden-call",
        3,
        "only named functions can be called",
        CALLS,
        id="call-a-list",
    ),
]


@pytest.mark.parametrize(("text", "code", "start", "message", "hint"), REFUSED)
def test_refused(text: str, code: str, start: int, message: str, hint: str | None) -> None:
    with pytest.raises(ExprError) as caught:
        parse(text)
    error = caught.value
    assert (error.code, error.start, error.message, error.hint) == (code, start, message, hint)
