"""The native back end: the checked IR compiled to one straight-line Python function.

Generated from the *typed tree*, never from policy text: every name in the
output is either a parameter of the function, a field name taken from the fact
models, a temporary we made, or a constant we put in the function's globals
(strings, decimals and dates never appear as source literals).  The function
runs with empty `__builtins__`.

The function answers one question - which rules match - in the order the
decision semantics need: the first matching guard; else the first matching
standard rule (or the default) and, if that denies, every flex rule that bends
it.  Null checks are emitted only where the type checker says a value may be
missing; built-in and policy facts are computed at most once, on first use.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from . import _runtime as rt
from ._expr import _checked as c
from ._expr import _types as t
from ._expr._catalog import RECORDS, ROOTS
from ._ir import Condition, PolicyIR, Rule

# (stage, index, flex): stage 0 = guard `index` matched; 1 = standard rule
# `index` decided; 2 = the default decided.  `flex` lists the positions of the
# flex rules that match and bend the denial (empty unless it was a denial).
Match = tuple[int, int, tuple[int, ...]]
Matcher = Callable[..., Match]

PARAMS = ("request", "customer", "transaction", "actor", "case", "as_of", "item")

_BUILTIN_CODE = {
    "days_since_purchase": (
        "(None if transaction is None else (as_of - transaction.purchased_at).days)"
    ),
    "item_price": "(None if item is None else item.unit_price)",
    "customer_tenure_days": (
        "(None if (_ms := customer.member_since) is None else (as_of - _ms).days)"
    ),
    "today": "as_of",
}


class _Unset:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<unset>"


@dataclass(frozen=True, slots=True)
class Compiled:
    match: Matcher
    source: str


class _Generator:
    def __init__(self, ir: PolicyIR) -> None:
        self.ir = ir
        self.namespace: dict[str, Any] = {
            "__builtins__": {},
            "_U": _Unset(),
            "_cmp": rt.compare,
            "_arith": rt.arith,
            "_neg": rt.negate,
            "_call": rt.call,
        }
        self._const_ids: dict[tuple[type, Any], str] = {}
        self._temps = 0
        self.slots: dict[str, str] = {}  # slot variable -> code computing it

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
        var = f"_s_{name}"
        if var not in self.slots:
            self.slots[var] = ""  # reserve first: facts may refer to other facts
            self.slots[var] = code()
        return f"({var} if {var} is not _U else ({var} := {self.slots[var]}))"

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
                return root
            case c.Builtin(name=name):
                return self.slot(name, lambda: _BUILTIN_CODE[name])
            case c.FactRef(name=name):
                fact = self.ir.facts[name]
                return self.slot(f"f_{name}", lambda: self.expr(fact.expr))
            case c.ListExpr(items=items):
                inner = ", ".join(self.expr(i) for i in items)
                return f"({inner},)" if items else "()"
            case c.Not(operand=operand):
                if not operand.type.nullable:
                    return f"(not {self.expr(operand)})"
                tmp = self.temp()
                return f"(None if ({tmp} := {self.expr(operand)}) is None else not {tmp})"
            case c.Neg(operand=operand):
                if operand.type.nullable or operand.type.lenient:
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
        raise TypeError(f"cannot compile {type(e).__name__}")  # a new node kind: map it

    def _const_collection(self, values: tuple[Any, ...]) -> str:
        try:
            return self.const(frozenset(values))
        except TypeError:
            return self.const(values)

    def _field(self, e: c.Field) -> str:
        root = ROOTS[e.root]
        code, may_be_none, record = e.root, root.nullable, root.record
        for name in e.path:
            if record == "attributes":
                step, step_type = f".get({self.const(name)})", t.ANY
            else:
                if record is None:  # the checker only builds paths through records
                    raise TypeError(f"`{e.dotted}` walks through a non-record")
                step, step_type = f".{name}", RECORDS[record][name].type
            if may_be_none:
                tmp = self.temp()
                code = f"(None if ({tmp} := {code}) is None else {tmp}{step})"
            else:
                code = f"{code}{step}"
            may_be_none = may_be_none or step_type.nullable
            record = step_type.record if step_type.kind is t.Kind.RECORD else None
        return code

    def _bool(self, is_and: bool, ops: Sequence[c.Expr]) -> str:
        parts = [self.expr(o) for o in ops]
        if not any(o.type.nullable for o in ops):
            return "(" + (" and " if is_and else " or ").join(parts) + ")"
        # Kleene logic: a False (True for `or`) decides; otherwise unknown wins.
        decisive, other = ("False", "True") if is_and else ("True", "False")
        temps = [self.temp() for _ in parts]
        tail = f"(None if {' or '.join(f'{x} is None' for x in temps)} else {other})"
        code = tail
        for tmp, part in reversed(list(zip(temps, parts, strict=True))):
            code = f"({decisive} if ({tmp} := {part}) is {decisive} else {code})"
        return code

    def _nullsafe(self, operands: Sequence[c.Expr], combine: Callable[[list[str]], str]) -> str:
        codes = [self.expr(o) for o in operands]
        guards: list[str] = []
        names: list[str] = []
        for operand, code in zip(operands, codes, strict=True):
            if operand.type.nullable:
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
        simple = (
            e.op in ("+", "-", "*")
            and left.numeric
            and right.numeric
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

    def _call(self, func: str, args: Sequence[c.Expr]) -> str:
        if func == "known":
            return f"({self.expr(args[0])} is not None)"
        if func == "coalesce":
            tmp = self.temp()
            first, fallback = (self.expr(a) for a in args)
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

    # -- the function -----------------------------------------------------------
    def function(self) -> str:
        ir = self.ir
        body: list[str] = []
        for rule in ir.guards:
            body.append(f"    if {self.truth(rule.conditions)}:")
            body.append(f"        return (0, {rule.position}, ())")
        for rule in ir.standard:
            body.append(f"    if {self.truth(rule.conditions)}:")
            body.extend(self._decided(1, rule, "        "))
        body.extend(self._decided(2, ir.default, "    "))
        prologue = [f"    {var} = _U" for var in self.slots]
        head = f"def _match({', '.join(PARAMS)}):"
        return "\n".join([head, *prologue, *body]) + "\n"

    def _decided(self, stage: int, rule: Rule, indent: str) -> list[str]:
        benders = [f for f in self.ir.flex if rule.id in f.bends] if rule.outcome == "deny" else []
        if not benders:
            return [f"{indent}return ({stage}, {rule.position}, ())"]
        lines = [f"{indent}_m = ()"]
        for flex in benders:
            lines.append(f"{indent}if {self.truth(flex.conditions)}:")
            lines.append(f"{indent}    _m += ({flex.position},)")
        lines.append(f"{indent}return ({stage}, {rule.position}, _m)")
        return lines


def compile_policy(ir: PolicyIR) -> Compiled:
    """Generate, compile and load the matcher of one policy."""
    generator = _Generator(ir)
    source = generator.function()
    code = compile(source, f"<flexpolicy:{ir.id}>", "exec")
    namespace = generator.namespace
    exec(code, namespace)
    matcher: Matcher = namespace["_match"]
    return Compiled(matcher, source)
