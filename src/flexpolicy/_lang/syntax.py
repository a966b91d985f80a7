"""The syntax tree the parser produces, before any name is resolved.

Every node remembers its `start`/`end` offsets in the expression text, so a type
error can point at the exact column of the exact YAML line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

LiteralValue = bool | int | Decimal | str | date | None


@dataclass(frozen=True, slots=True)
class Node:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Literal(Node):
    value: LiteralValue


@dataclass(frozen=True, slots=True)
class ListLit(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Name(Node):
    name: str


@dataclass(frozen=True, slots=True)
class Attr(Node):
    obj: Node
    name: str
    name_start: int


@dataclass(frozen=True, slots=True)
class Call(Node):
    func: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: str  # "not" | "-"
    operand: Node


@dataclass(frozen=True, slots=True)
class BoolOp(Node):
    op: str  # "and" | "or"
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Arith(Node):
    op: str  # "+" "-" "*" "/" "%"
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Compare(Node):
    """`a < b <= c` keeps its chain: ops[i] joins operands[i] and operands[i + 1]."""

    operands: tuple[Node, ...]
    ops: tuple[str, ...]  # "==" "!=" "<" "<=" ">" ">=" "in" "not in"


@dataclass(frozen=True, slots=True)
class If(Node):
    """`if cond then then else other`; an `else if` chain nests in `other`."""

    cond: Node
    then: Node
    other: Node


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-nodes of a node, for walks that must not recurse."""
    match node:
        case ListLit(items=items):
            return items
        case Call(args=args):
            return args
        case Attr(obj=obj):
            return (obj,)
        case Unary(operand=operand):
            return (operand,)
        case BoolOp(operands=operands) | Compare(operands=operands):
            return operands
        case Arith(left=left, right=right):
            return (left, right)
        case If(cond=cond, then=then, other=other):
            return (cond, then, other)
    return ()
