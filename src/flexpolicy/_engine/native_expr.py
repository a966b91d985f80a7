"""The native back end's expression compiler: typed-tree expressions to Python source.

How the code it writes reads facts (slots, `__dict__` reads, null checks only where
a value may be missing) is told in `native`'s docstring; `native_functions` builds
the generated functions out of these expressions, and `native` compiles them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from .._facts.consistency import find_item
from .._facts.numbers import DECIMALS
from .._facts.typed import coerce_attribute
from .._ir import Condition, PolicyIR, Rule
from .._lang import checked as c
from .._lang import runtime as rt
from .._lang import types as t
from .._lang.catalog import ATTRIBUTE_KINDS, RECORDS, ROOTS
from .semantics import VerdictCache
from .terms import default_amount

RECORD_ROOTS = ("request", "customer", "transaction", "actor", "case")

# Slot code of at most this many characters is computed lazily where it is used.
SHORT = 300


class _Unset:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<unset>"


class Function:
    """The statements of one generated function, and which slots they have computed.

    A slot is `ready` where every path to the current statement has computed it.
    A `declared` slot starts as `_U` in the prologue and is tested before use: one
    computed lazily inside an expression, or on some paths only (inside the standard
    rules' loop, seen from the flex rules after it).
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.indent = "    "
        self.ready: set[str] = set()
        self.declared: dict[str, None] = {}  # in order, for a stable prologue

    def emit(self, line: str) -> None:
        self.lines.append(self.indent + line)


class ExprGenerator:
    """Expressions (and conditions) as code, and the names that code reads: constants,
    temporaries and slots; `native_functions.Generator` adds the functions."""

    def __init__(self, ir: PolicyIR, verdicts: VerdictCache) -> None:
        self.ir = ir
        self.verdicts = verdicts
        self.namespace: dict[str, Any] = {
            "__builtins__": {},
            "_U": _Unset(),
            "_cmp": rt.compare,
            "_arith": rt.arith,
            "_neg": rt.negate,
            "_call": rt.call,
            "_money": rt.money,
            "_item": find_item,
            "_typed": coerce_attribute,
            "_mul": DECIMALS.multiply,
            "_total": rt.transaction_total,
            "_verdict": verdicts.get,
            "_Decimal": Decimal,
            "_default_amount": default_amount,
        }
        self._const_ids: dict[tuple[type, Any], str] = {}
        self._temps = 0
        self.fn = Function()
        self.by_dict = self._records_read_twice()

    def _records_read_twice(self) -> frozenset[str]:
        """The record roots worth one `__dict__` read: those read in two places or more."""
        exprs = [cond.expr for rule in self.ir.rules for cond in rule.conditions]
        exprs += [fact.expr for fact in self.ir.facts.values()]
        reads: dict[str, int] = {}
        for expr in exprs:
            for node in c.walk(expr):
                if isinstance(node, c.Field) and node.root in RECORD_ROOTS:
                    reads[node.root] = reads.get(node.root, 0) + 1
        return frozenset(root for root, n in reads.items() if n >= 2)

    # -- names ------------------------------------------------------------------
    def const(self, value: Any) -> str:
        if value is None or isinstance(value, bool):
            return repr(value)
        if type(value) is int:
            return repr(value)
        key = (type(value), value)
        try:
            found = self._const_ids.get(key)
        except TypeError:  # unhashable: never shared
            found = None
        if found is None:
            found = f"_k{len(self.namespace)}"
            self.namespace[found] = value
            with contextlib.suppress(TypeError):  # unhashable constants are not shared
                self._const_ids[key] = found
        return found

    def temp(self) -> str:
        self._temps += 1
        return f"_t{self._temps}"

    def slot(self, name: str, code: Callable[[], str]) -> str:
        """Code reading slot `name`, which is computed once per call of the function.

        Short code (`SHORT`) is computed where it is first needed, inside the
        expression, so a condition that short-circuits never pays for it; it is
        pasted at each use, which costs at most `SHORT` characters a use.  Longer
        code is one assignment before the current statement, and a local after it.
        """
        var = f"_s_{name}"
        fn = self.fn
        if var in fn.ready:
            return var
        value = code()  # first: the long slots it reads are assigned before it
        if len(value) <= SHORT:
            fn.declared[var] = None
            return f"({var} if {var} is not _U else ({var} := {value}))"
        if var in fn.declared:
            fn.emit(f"if {var} is _U:")
            fn.emit(f"    {var} = {value}")
        else:
            fn.emit(f"{var} = {value}")
        fn.ready.add(var)
        return var

    # -- expressions ------------------------------------------------------------
    def expr(self, e: c.Expr) -> str:
        match e:
            case c.Const(value=value):
                if isinstance(value, tuple):
                    return self._const_collection(value)
                return self.const(value)
            case c.Field():
                return self._field(e)
            case c.Root(root=root):
                return self._item() if root == "item" else root
            case c.Builtin(name=name):
                return self.slot(name, lambda: self._builtin(name))
            case c.FactRef(name=name):
                fact = self.ir.facts[name]
                return self.slot(f"f_{name}", lambda: self.expr(fact.expr))
            case c.ListExpr(items=items):
                inner = ", ".join(self.expr(i) for i in items)
                return f"({inner},)" if items else "()"
            case c.Not(operand=operand):
                inner = self.expr(operand)
                if not operand.type.nullable:
                    return f"(not {inner})"
                if inner.isidentifier():
                    return f"(None if {inner} is None else not {inner})"
                tmp = self.temp()
                return f"(None if ({tmp} := {inner}) is None else not {tmp})"
            case c.Neg(operand=operand):
                # A whole number negates inline; a decimal in the rules' context
                # (`-x` would round in the calling thread's).
                if operand.type.nullable or operand.type.kind is not t.Kind.INT:
                    return f"_neg({self.expr(operand)})"
                return f"(-{self.expr(operand)})"
            case c.And(operands=ops) | c.Or(operands=ops):
                return self._bool(isinstance(e, c.And), ops)
            case c.Arith():
                return self._arith(e)
            case c.Cmp():
                return self._compare(e)
            case c.Call(func=func, args=args):
                return self._call(func, args)
            case c.If(cond=cond, then=then, other=other):
                return self._if(cond, then, other)
        raise TypeError(f"cannot compile {type(e).__name__}")  # a new node kind: map it

    def _const_collection(self, values: tuple[Any, ...]) -> str:
        try:
            return self.const(frozenset(values))
        except TypeError:
            return self.const(values)

    def _item(self) -> str:
        return self.slot("item", lambda: "_item(request, transaction)")

    def _builtin(self, name: str) -> str:
        if name == "days_since_purchase":
            return "(None if transaction is None else (as_of - transaction.purchased_at).days)"
        if name == "item_price":
            tmp = self.temp()
            return f"(None if ({tmp} := {self._item()}) is None else {tmp}.unit_price)"
        if name == "days_since_received":
            tmp = self.temp()
            return (
                f"(None if transaction is None else (as_of - ({tmp}"
                f" if ({tmp} := transaction.delivered_at) is not None"
                " else transaction.purchased_at)).days)"
            )
        if name == "item_total":
            tmp = self.temp()
            return (
                f"(None if ({tmp} := {self._item()}) is None"
                f" else _mul({tmp}.unit_price, request.quantity))"
            )
        if name == "transaction_total":
            return "(None if transaction is None else _total(transaction))"
        if name == "customer_tenure_days":
            tmp = self.temp()
            return f"(None if ({tmp} := customer.member_since) is None else (as_of - {tmp}).days)"
        if name == "today":
            return "as_of"
        raise TypeError(f"cannot compile built-in `{name}`")  # a new built-in: map it

    def _field(self, e: c.Field) -> str:
        root = ROOTS[e.root]
        code, may_be_none, record = e.root, root.nullable, root.record
        path = e.path
        if e.root in self.by_dict and path:
            # `_r_ROOT` is the record's `__dict__` (None when the record is absent).
            code, first = f"_r_{e.root}", path[0]
            if not first.isidentifier():  # the checker only lets model fields through
                raise TypeError(f"`{e.dotted}` is not a field path")
            step = f"[{first!r}]"  # a field name of our own models: safe as a literal
            code = f"(None if {code} is None else {code}{step})" if may_be_none else code + step
            step_type = RECORDS[record][first].type if record is not None else t.ANY
            may_be_none = may_be_none or step_type.nullable
            record = step_type.record if step_type.kind is t.Kind.RECORD else None
            path = path[1:]
        elif e.root == "item":
            code = self._item()
        for name in path:
            if record == "attributes":
                step, step_type = f".get({self.const(name)})", t.ANY
            else:
                if record is None:  # the checker only builds paths through records
                    raise TypeError(f"`{e.dotted}` walks through a non-record")
                step, step_type = f".{name}", RECORDS[record][name].type
            if may_be_none and code.isidentifier():  # a slot: no temporary needed
                code = f"(None if {code} is None else {code}{step})"
            elif may_be_none:
                tmp = self.temp()
                code = f"(None if ({tmp} := {code}) is None else {tmp}{step})"
            else:
                code = f"{code}{step}"
            may_be_none = may_be_none or step_type.nullable
            record = step_type.record if step_type.kind is t.Kind.RECORD else None
        declared = ATTRIBUTE_KINDS.get(e.type.kind)
        if declared is not None and len(e.path) >= 2 and e.path[-2] == "attributes":
            # A declared attribute: read at its type (`check_attributes` ran first).
            where = self.const(f"{e.root}.attributes.{e.path[-1]}")
            code = f"_typed({code}, {self.const(declared)}, {where})"
        return code

    def _bool(self, is_and: bool, ops: Sequence[c.Expr]) -> str:
        parts = [self.expr(o) for o in ops]
        if not any(o.type.nullable for o in ops):
            return "(" + (" and " if is_and else " or ").join(parts) + ")"
        # Kleene logic, flat however many operands: the first False (True for `or`)
        # decides; otherwise unknown wins.  Nesting an `if` per operand would make a
        # long `any:` list too deep for CPython's parser.
        decisive, other = ("False", "True") if is_and else ("True", "False")
        tests: list[str] = []
        temps: list[str] = []
        for op, part in zip(ops, parts, strict=True):
            if op.type.nullable and part.isidentifier():
                tests.append(f"{part} is {decisive}")
                temps.append(part)
            elif op.type.nullable:
                tmp = self.temp()
                tests.append(f"({tmp} := {part}) is {decisive}")
                temps.append(tmp)
            else:
                tests.append(f"(not {part})" if is_and else part)
        unknown = " or ".join(f"{tmp} is None" for tmp in temps)
        return f"({decisive} if {' or '.join(tests)} else (None if {unknown} else {other}))"

    def _nullsafe(self, operands: Sequence[c.Expr], combine: Callable[[list[str]], str]) -> str:
        codes = [self.expr(o) for o in operands]
        guards: list[str] = []
        names: list[str] = []
        for operand, code in zip(operands, codes, strict=True):
            if operand.type.nullable and code.isidentifier():  # a slot: read it twice
                guards.append(f"{code} is None")
                names.append(code)
            elif operand.type.nullable:
                tmp = self.temp()
                guards.append(f"({tmp} := {code}) is None")
                names.append(tmp)
            else:
                names.append(code)
        if not guards:
            return combine(names)
        # Evaluate every nullable operand first (in order), then combine.
        return f"(None if {' or '.join(guards)} else {combine(names)})"

    def _arith(self, e: c.Arith) -> str:
        left, right = e.left.type, e.right.type
        # Inline only whole numbers: Python's ints are exact, while a decimal operation
        # must run in the runtime's own context (`_facts.numbers.DECIMALS`), not the thread's.
        simple = (
            e.op in ("+", "-", "*")
            and left.kind is t.Kind.INT
            and right.kind is t.Kind.INT
            and not left.nullable
            and not right.nullable
        )
        if simple:
            return f"({self.expr(e.left)} {e.op} {self.expr(e.right)})"
        return f"_arith({self.const(e.op)}, {self.expr(e.left)}, {self.expr(e.right)})"

    def _compare(self, e: c.Cmp) -> str:
        lenient = e.left.type.kind is t.Kind.ANY or e.right.type.kind is t.Kind.ANY
        if lenient:
            return f"_cmp({self.const(e.op)}, {self.expr(e.left)}, {self.expr(e.right)})"
        op = e.op
        return self._nullsafe((e.left, e.right), lambda xs: f"({xs[0]} {op} {xs[1]})")

    def _if(self, cond: c.Expr, then: c.Expr, other: c.Expr) -> str:
        """Only the branch taken is computed; an unknown condition is unknown."""
        test, yes, no = self.expr(cond), self.expr(then), self.expr(other)
        if not cond.type.nullable:
            return f"({yes} if {test} else {no})"
        if not test.isidentifier():
            tmp = self.temp()
            test, first = tmp, f"({tmp} := {test})"
        else:
            first = test
        return f"(None if {first} is None else ({yes} if {test} else {no}))"

    def _call(self, func: str, args: Sequence[c.Expr]) -> str:
        if func == "known":
            return f"({self.expr(args[0])} is not None)"
        if func == "coalesce":
            first, fallback = (self.expr(a) for a in args)
            if first.isidentifier():
                return f"({first} if {first} is not None else {fallback})"
            tmp = self.temp()
            return f"({tmp} if ({tmp} := {first}) is not None else {fallback})"
        inner = ", ".join(self.expr(a) for a in args)
        return f"_call({self.const(func)}, [{inner}])"

    def truth(self, conditions: Sequence[Condition]) -> str:
        """Code that is truthy exactly when every condition is definitely true."""
        if not conditions:
            return "True"
        parts: list[str] = []
        for condition in conditions:
            code = self.expr(condition.expr)
            parts.append(f"({code} is True)" if condition.expr.type.nullable else code)
        return " and ".join(parts)

    def applies(self, rule: Rule) -> str:
        """Code that is truthy when `rule` applies: its conditions are definitely true, or,
        for a guard that fails closed, none of them is definitely false (DESIGN 2.3)."""
        if not rule.fails_closed or not rule.conditions:
            return self.truth(rule.conditions)
        parts: list[str] = []
        for condition in rule.conditions:
            code = self.expr(condition.expr)
            parts.append(f"({code} is not False)" if condition.expr.type.nullable else code)
        return " and ".join(parts)
