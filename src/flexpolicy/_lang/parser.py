"""A recursive-descent parser for policy expressions.

Grammar, loosest binding first::

    expr    := "if" expr "then" expr "else" expr | or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := sum (compop sum)*          -- chains: 30 <= x <= 60
    sum     := product (("+" | "-") product)*
    product := unary (("*" | "/" | "%") unary)*
    unary   := "-" unary | postfix
    postfix := primary ("." NAME)*
    primary := NUMBER | STRING | true | false | null | "[" items "]" | "(" expr ")"
             | NAME | NAME "(" items ")"

`if` binds loosest, like a conditional expression: its `else` branch takes
everything to the end (so `else if` chains), and inside an operator it needs
brackets (`1 + (if a then 1 else 2)`), which keeps `a and if b ...` from
meaning two things.

Only a bare name can be called, so `customer.flags.pop()` or `().__class__` are
syntax errors, not attribute lookups.

Nesting is capped twice, with one limit.  While parsing, brackets, calls, `not`
and `-` are counted, since those are what make this parser recurse.  Chains of
binary operators and field reads (`1*1*...*1`, `a.b.c`) are built in loops, so
they never exhaust the parser's stack, but they do build a deep tree: the depth
of the finished tree is measured too, without recursion, before anything walks it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from . import syntax as s
from .lexer import ExprError, Token, tokenize

MAX_DEPTH = 40
_COMPARE = frozenset({"==", "!=", "<", "<=", ">", ">="})


def parse(text: str) -> s.Node:
    """Parse one expression; raise `ExprError` with the offset of the first problem."""
    parser = _Parser(text, tokenize(text))
    if parser.peek().kind == "end":
        raise ExprError("expression-syntax", "the expression is empty", 0)
    node = parser.expr()
    tail = parser.peek()
    if tail.kind != "end":
        raise ExprError(
            "expression-syntax",
            f"unexpected `{tail.text}` after a complete expression",
            tail.start,
            "join conditions with `and` / `or`, or list them under `when:`",
        )
    deepest = _deeper_than(node, MAX_DEPTH)
    if deepest is not None:
        raise _too_deep(deepest.start)
    return node


def _too_deep(at: int) -> ExprError:
    return ExprError(
        "too-deep",
        f"expression nests deeper than {MAX_DEPTH} levels",
        at,
        "name parts of it as `facts:` and combine them",
    )


def _deeper_than(root: s.Node, limit: int) -> s.Node | None:
    """The first node found below `limit` levels of the tree, if any (no recursion)."""
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return node
        stack.extend((child, depth + 1) for child in s.children(node))
    return None


class _Parser:
    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def accept(self, kind: str, text: str) -> Token | None:
        token = self.peek()
        if token.kind == kind and token.text == text:
            return self.advance()
        return None

    def expect(self, kind: str, text: str, what: str) -> Token:
        token = self.accept(kind, text)
        if token is None:
            found = self.peek()
            shown = f"`{found.text}`" if found.kind != "end" else "the end of the expression"
            raise ExprError("expression-syntax", f"expected {what}, found {shown}", found.start)
        return token

    def _enter(self, at: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _too_deep(at)

    def expr(self) -> s.Node:
        self._enter(self.peek().start)
        try:
            token = self.accept("kw", "if")
            if token is None:
                return self._bool("or", self._and)
            cond = self.expr()
            self.expect("kw", "then", "`then` after the condition of `if`")
            then = self.expr()
            self.expect("kw", "else", "`else`: an `if` needs both branches")
            other = self.expr()
            return s.If(token.start, other.end, cond, then, other)
        finally:
            self.depth -= 1

    def _and(self) -> s.Node:
        return self._bool("and", self._not)

    def _bool(self, op: str, parse_operand: Callable[[], s.Node]) -> s.Node:
        first = parse_operand()
        items = [first]
        while self.accept("kw", op):
            items.append(parse_operand())
        if len(items) == 1:
            return first
        return s.BoolOp(first.start, items[-1].end, op, tuple(items))

    def _not(self) -> s.Node:
        token = self.accept("kw", "not")
        if token is None:
            return self._compare()
        self._enter(token.start)
        try:
            operand = self._not()
        finally:
            self.depth -= 1
        return s.Unary(token.start, operand.end, "not", operand)

    def _compare_op(self) -> str | None:
        token = self.peek()
        if token.kind == "op" and token.text in _COMPARE:
            self.advance()
            return token.text
        if token.kind == "kw" and token.text == "in":
            self.advance()
            return "in"
        if token.kind == "kw" and token.text == "not" and self.peek(1).text == "in":
            self.advance()
            self.advance()
            return "not in"
        return None

    def _compare(self) -> s.Node:
        first = self._sum()
        operands = [first]
        ops: list[str] = []
        while (op := self._compare_op()) is not None:
            ops.append(op)
            operands.append(self._sum())
        if not ops:
            return first
        return s.Compare(first.start, operands[-1].end, tuple(operands), tuple(ops))

    def _sum(self) -> s.Node:
        left = self._product()
        while (token := self.peek()).kind == "op" and token.text in ("+", "-"):
            self.advance()
            right = self._product()
            left = s.Arith(left.start, right.end, token.text, left, right)
        return left

    def _product(self) -> s.Node:
        left = self._unary()
        while (token := self.peek()).kind == "op" and token.text in ("*", "/", "%"):
            self.advance()
            right = self._unary()
            left = s.Arith(left.start, right.end, token.text, left, right)
        return left

    def _unary(self) -> s.Node:
        token = self.accept("op", "-")
        if token is None:
            return self._postfix()
        self._enter(token.start)
        try:
            operand = self._unary()
        finally:
            self.depth -= 1
        return s.Unary(token.start, operand.end, "-", operand)

    def _postfix(self) -> s.Node:
        node = self._primary()
        while self.accept("op", "."):
            token = self.peek()
            if token.kind not in ("name", "kw"):
                raise ExprError("expression-syntax", "expected a field name after `.`", token.start)
            self.advance()
            node = s.Attr(node.start, token.end, node, token.text, token.start)
        if (paren := self.peek()).kind == "op" and paren.text == "(":
            raise ExprError(
                "forbidden-call",
                "only named functions can be called",
                paren.start,
                "functions are written `name(arguments)`, e.g. `max(a, b)`",
            )
        return node

    def _items(self, close: str) -> list[s.Node]:
        items: list[s.Node] = []
        if self.accept("op", close):
            return items
        while True:
            items.append(self.expr())
            if self.accept("op", close):
                return items
            self.expect("op", ",", f"`,` or `{close}`")

    def _primary(self) -> s.Node:
        token = self.peek()
        if token.kind in ("num", "str"):
            self.advance()
            return s.Literal(token.start, token.end, cast(s.LiteralValue, token.value))
        if token.kind == "kw" and token.text in ("true", "false", "null"):
            self.advance()
            literal = {"true": True, "false": False, "null": None}[token.text]
            return s.Literal(token.start, token.end, literal)
        if token.kind == "op" and token.text == "(":
            self.advance()
            self._enter(token.start)
            try:
                if self.peek().kind == "op" and self.peek().text == ")":
                    raise ExprError(
                        "expression-syntax", "empty parentheses are not an expression", token.start
                    )
                inner = self.expr()
            finally:
                self.depth -= 1
            self.expect("op", ")", "`)`")
            return inner
        if token.kind == "op" and token.text == "[":
            self.advance()
            self._enter(token.start)
            try:
                items = self._items("]")
            finally:
                self.depth -= 1
            return s.ListLit(token.start, self.tokens[self.pos - 1].end, tuple(items))
        if token.kind == "name":
            self.advance()
            if self.accept("op", "("):
                self._enter(token.start)
                try:
                    args = self._items(")")
                finally:
                    self.depth -= 1
                return s.Call(token.start, self.tokens[self.pos - 1].end, token.text, tuple(args))
            return s.Name(token.start, token.end, token.text)
        if token.kind == "end":
            raise ExprError("expression-syntax", "the expression ends too early", token.start)
        if token.kind == "kw" and token.text == "if":
            raise ExprError(
                "expression-syntax",
                "`if` inside an operation needs brackets",
                token.start,
                "write `(if a then 1 else 2)`",
            )
        raise ExprError("expression-syntax", f"unexpected `{token.text}`", token.start)
