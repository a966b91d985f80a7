"""The native back end's generated functions: the matcher, the lever cap and the amounts.

Each is a statement list over `native_expr`'s expressions, in the order the decision
semantics need (`native`'s docstring tells why it is laid out so); `native` compiles
and loads their source.
"""

from __future__ import annotations

from functools import partial

from .._facts.typed import check_attributes
from .._ir import Rule
from .._lang import checked as c
from .._lang import types as t
from .._lang.catalog import ROOTS
from .native_expr import RECORD_ROOTS, ExprGenerator, Function
from .semantics import STAGE_DEFAULT, STAGE_GUARD, STAGE_STANDARD

PARAMS = ("request", "customer", "transaction", "actor", "case", "as_of", "rank")


class Generator(ExprGenerator):
    """The generated functions of one policy, as source, one function at a time."""

    # -- the functions ----------------------------------------------------------
    def _define(self, name: str) -> str:
        """The current function as source: its `__dict__` reads and `_U` slots, then its body."""
        fn, self.fn = self.fn, Function()
        prologue: list[str] = []
        for root in RECORD_ROOTS:
            if root in self.by_dict:
                nullable = ROOTS[root].nullable
                read = f"None if {root} is None else {root}.__dict__" if nullable else None
                prologue.append(f"    _r_{root} = {read or root + '.__dict__'}")
        prologue += [f"    {var} = _U" for var in fn.declared]
        if name == "_match" and self.ir.attributes:
            # Declared attributes are checked before any rule, whichever rules run.
            self.namespace["_check_attrs"] = partial(check_attributes, self.ir.attribute_types)
            prologue.insert(0, "    _check_attrs(request, customer, transaction)")
        return "\n".join([f"def {name}({', '.join(PARAMS)}):", *prologue, *fn.lines]) + "\n"

    def lever_cap(self) -> str:
        """`largest_lever_cap`: the best cap among the levers whose conditions hold."""
        fn = self.fn
        fn.emit("_best = None")
        for lever in self.ir.levers:
            caps = []
            for rank in range(len(self.ir.roles)):
                mine = [cap for cap in lever.caps if cap[0] <= rank]
                caps.append(mine[-1][2] if mine else None)
            table = self.const(tuple(caps))
            truth = self.truth(lever.conditions)
            fn.emit(
                f"if (_c := {table}[rank]) is not None and (_best is None or _c > _best)"
                f" and {truth}:"
            )
            fn.emit("    _best = _c")
        fn.emit("return _best")
        return self._define("_lever_cap")

    def money(self, expr: c.Expr, name: str) -> str:
        """A function of the facts giving `expr` (an `amount:` or a `fee:`) as a Decimal."""
        value = self.expr(expr)
        if expr.type.kind is t.Kind.ANY:
            # A store attribute: known to be a number only when it is read.
            self.fn.emit(f"return _money({value})")
        else:
            self.fn.emit(f"return None if (_v := {value}) is None else _Decimal(_v)")
        return self._define(name)

    def default_amount(self, fee: str | None, name: str) -> str:
        """What an approval without `amount:` stands for (`terms.default_amount`), net of
        the fee that function `fee` computes (None: no fee)."""
        charged = "None" if fee is None else f"{fee}({', '.join(PARAMS)})"
        self.fn.emit(f"return _default_amount(request, {self._item()}, {charged})")
        return self._define(name)

    def function(self) -> str:
        """The matcher: guards, then standard rules and default, then the flex rules.

        A denial that flex rules may bend leaves the standard rules' one-pass loop
        with `_d`, its index in `benders`, and the flex rules after it test it.
        """
        ir, fn = self.ir, self.fn
        for rule in ir.guards:
            truth = self.applies(rule)
            fn.emit(f"if {truth}:")
            fn.emit(f"    return {self._by_rank(STAGE_GUARD, rule)}[rank]")
        decided = [(STAGE_STANDARD, rule) for rule in ir.standard]
        decided.append((STAGE_DEFAULT, ir.default))
        bent = [(stage, rule) for stage, rule in decided if self._benders(rule)]
        if not bent:
            for stage, rule in decided[:-1]:
                truth = self.truth(rule.conditions)
                fn.emit(f"if {truth}:")
                fn.emit(f"    return {self._by_rank(stage, rule)}[rank]")
            fn.emit(f"return {self._by_rank(STAGE_DEFAULT, ir.default)}[rank]")
            return self._define("_match")
        index = {(stage, rule.position): i for i, (stage, rule) in enumerate(bent)}
        at_breaks: list[set[str]] = []  # the slots computed where each `break` leaves
        fn.emit("while True:  # once: a bendable denial leaves it by `break`")
        fn.indent = "        "
        for stage, rule in decided:
            found = index.get((stage, rule.position))
            then = [f"return {self._by_rank(stage, rule)}[rank]"]
            if found is not None:
                then = [f"_d = {found}", "break"]
            if stage != STAGE_DEFAULT:
                truth = self.truth(rule.conditions)
                fn.emit(f"if {truth}:")
                then = ["    " + line for line in then]
            if found is not None:
                at_breaks.append(set(fn.ready))
            for line in then:
                fn.emit(line)
        fn.indent = "    "
        fn.ready = set.intersection(*at_breaks)
        fn.declared.update(dict.fromkeys(sorted(set.union(*at_breaks) - fn.ready)))
        fn.emit("_m = ()")
        for flex in ir.flex:
            denials = frozenset(index[s, r.position] for s, r in bent if flex in self._benders(r))
            truth = self.truth(flex.conditions)
            fn.emit(f"if _d in {self.const(denials)} and {truth}:")
            fn.emit(f"    _m += ({flex.position},)")
        stages = self.const(tuple((stage, rule.position) for stage, rule in bent))
        plain = self.const(
            tuple(self.verdicts.by_rank(stage, rule.position) for stage, rule in bent)
        )
        fn.emit(f"return _verdict(*{stages}[_d], _m, rank) if _m else {plain}[_d][rank]")
        return self._define("_match")

    def _benders(self, rule: Rule) -> list[Rule]:
        return [f for f in self.ir.flex if rule.id in f.bends] if rule.outcome == "deny" else []

    def _by_rank(self, stage: int, rule: Rule) -> str:
        return self.const(self.verdicts.by_rank(stage, rule.position))
