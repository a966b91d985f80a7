"""The types of the expression language and how they combine.

Nullability is part of the type: `customer.segment` may be missing, so a
comparison on it may be *unknown*.  The compiler uses that to emit null checks
only where a value can actually be missing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum


class Kind(Enum):
    BOOL = "true/false"
    INT = "whole number"
    NUMBER = "number"
    MONEY = "amount of money"
    STR = "text"
    DATE = "date"
    SET = "set"
    LIST = "list"
    MAP = "map"  # a map param: read only through `lookup(map, key, default)`
    RECORD = "record"
    ANY = "value"  # store-specific attributes: checked when the decision runs
    NULL = "null"
    ERROR = "error"  # an already-reported problem; suppresses follow-on errors


NUMERIC = frozenset({Kind.INT, Kind.NUMBER, Kind.MONEY})


@dataclass(frozen=True, slots=True)
class Type:
    kind: Kind
    nullable: bool = False
    elem: Type | None = None
    record: str | None = None
    choices: tuple[str, ...] | None = None

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC

    @property
    def lenient(self) -> bool:
        """Types whose misuse is reported elsewhere or checked at run time."""
        return self.kind in (Kind.ANY, Kind.ERROR)

    def maybe(self, nullable: bool = True) -> Type:
        return self if self.nullable == nullable else replace(self, nullable=nullable)

    def describe(self) -> str:
        if self.kind in (Kind.SET, Kind.LIST, Kind.MAP) and self.elem is not None:
            return f"{self.kind.value} of {self.elem.describe_plural()}"
        if self.kind is Kind.RECORD and self.record:
            return f"a {self.record.replace('_', ' ')} record"
        if self.kind is Kind.STR and self.choices:
            return "text (one of " + ", ".join(f"`{c}`" for c in self.choices) + ")"
        if self.kind is Kind.STR:
            return "text"
        article = "an" if self.kind.value[0] in "aeiou" else "a"
        return f"{article} {self.kind.value}"

    def describe_plural(self) -> str:
        if self.kind is Kind.RECORD and self.record:
            return self.record.replace("_", " ") + "s"
        return {Kind.STR: "text", Kind.MONEY: "amounts"}.get(self.kind, self.kind.value + "s")


BOOL = Type(Kind.BOOL)
INT = Type(Kind.INT)
NUMBER = Type(Kind.NUMBER)
MONEY = Type(Kind.MONEY)
STR = Type(Kind.STR)
DATE = Type(Kind.DATE)
ANY = Type(Kind.ANY, nullable=True)
NULL = Type(Kind.NULL, nullable=True)
ERROR = Type(Kind.ERROR)


def set_of(elem: Type) -> Type:
    return Type(Kind.SET, elem=elem)


def list_of(elem: Type) -> Type:
    return Type(Kind.LIST, elem=elem)


def map_of(elem: Type) -> Type:
    return Type(Kind.MAP, elem=elem)


def record(name: str, nullable: bool = False) -> Type:
    return Type(Kind.RECORD, nullable=nullable, record=name)


def wider_numeric(a: Type, b: Type) -> Type:
    """The type of `a + b` for two numeric types (money wins, then number)."""
    if Kind.MONEY in (a.kind, b.kind):
        return MONEY
    if Kind.NUMBER in (a.kind, b.kind):
        return NUMBER
    return INT


def arith_type(op: str, a: Type, b: Type) -> Type | None:
    """The result of `a op b`, or None when the operation makes no sense."""
    if a.lenient or b.lenient:
        return ANY if Kind.ANY in (a.kind, b.kind) else ERROR
    if a.kind is Kind.DATE and b.kind is Kind.DATE and op == "-":
        return INT
    if a.kind is Kind.DATE and b.kind is Kind.INT and op in ("+", "-"):
        return DATE
    if a.kind is Kind.INT and b.kind is Kind.DATE and op == "+":
        return DATE
    if not (a.numeric and b.numeric):
        return None
    if op == "/":
        return MONEY if a.kind is Kind.MONEY and b.kind is not Kind.MONEY else NUMBER
    if op == "%":
        return a if a.kind is not Kind.INT or b.kind is Kind.INT else NUMBER
    return wider_numeric(a, b)


def comparable(a: Type, b: Type, op: str) -> bool:
    """Whether `a op b` is meaningful for an ordering or equality operator."""
    if a.lenient or b.lenient:
        return True
    if a.numeric and b.numeric:
        return True
    if a.kind is b.kind and a.kind is Kind.DATE:
        return True
    if a.kind is b.kind and a.kind in (Kind.STR, Kind.BOOL):
        return op in ("==", "!=")
    return False


def member_compatible(item: Type, container_elem: Type) -> bool:
    return comparable(item, container_elem, "==")
