"""A decision's conditions into plain words: "bought 92 days ago; the window is 30 days".

The wording engine for decisions: it reads what an evaluation saw (the value of
each node, from the `Record` or any evaluator) and says it with the vocabulary of
`words`.  Used when a policy gives no template, for every line of the trace, and for
the unmet conditions of counterfactuals.  Staff words may name scores and flags;
customer words never do (`describe(..., audience="customer")` returns None for a
condition that reads an internal field, and the caller leaves it out).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Protocol

from .._ir import Fact
from .._lang import checked as c
from .._lang import types as t
from .._lang.ops import constant_right, unparse
from .cache import ExplainCache
from .words import (
    CLAUSES,
    NEEDS,
    WINDOWS,
    WITHIN,
    Audience,
    always_never,
    field_words,
    fmt,
    humanize,
    includes,
    known_words,
    month_day_words,
    yes_no,
)

# `Audience`, `fmt` and `humanize` are the vocabulary's; `cases._escalations` words
# its rules with them and with `describe`.
__all__ = ["Audience", "Phrases", "Reading", "describe", "fmt", "humanize", "requirement"]


class Reading(Protocol):
    """What wording reads of an evaluation: the facts, and the value of every node."""

    @property
    def facts(self) -> dict[str, Fact]: ...

    def value(self, expr: c.Expr) -> Any: ...

    def truth(self, expr: c.Expr) -> bool | None: ...

    def fact(self, name: str) -> Any: ...


# Whether words for a false fact are being written (per thread and task, never shared).
_INSIDE_FACT: ContextVar[bool] = ContextVar("flexpolicy_inside_fact", default=False)


class Phrases:
    """Words for what one evaluation saw, each remembered per node and audience.

    The trace, the rationale and the alternatives word the same conditions: each
    is worded once per decision, by audience (keyed by node id; the policy's IR
    keeps the nodes).  Plain int keys and text values keep the memos out of the
    garbage collector's way while the decision lives.  The static questions (nouns,
    units, whether a field is internal) go to the policy's `ExplainCache`.
    """

    __slots__ = (
        "_internal",
        "_needs",
        "_noun",
        "_said",
        "_spec",
        "_unit",
        "_walk",
        "fact",
        "facts",
        "truth",
        "value",
    )

    def __init__(self, seen: Reading, cache: ExplainCache) -> None:
        self.facts = seen.facts
        self.value = seen.value
        self.truth = seen.truth
        self.fact = seen.fact
        self._internal = cache.is_internal
        self._spec = cache.field_spec
        self._noun = cache.noun
        self._unit = cache.unit_of
        self._walk = cache.walk
        self._said: dict[str, dict[int, str | None]] = {"staff": {}, "customer": {}}
        self._needs: dict[str, dict[int, str | None]] = {"staff": {}, "customer": {}}

    def said(self, expr: c.Expr, audience: Audience = "staff") -> str | None:
        """`describe` of `expr` as it came out (memoised)."""
        memo = self._said[audience]
        key = id(expr)
        if key in memo:  # not try/except: most first reads miss, and a miss would raise
            return memo[key]
        found = memo[key] = self.describe(expr, self.truth(expr), audience)
        return found

    def needs(self, expr: c.Expr, audience: Audience = "staff") -> str | None:
        """`requirement` of `expr`: what must hold for it (memoised)."""
        memo = self._needs[audience]
        key = id(expr)
        if key in memo:
            return memo[key]
        found = memo[key] = self.requirement(expr, audience)
        return found

    def value_text(self, expr: c.Expr) -> str:
        """A template's placeholder filled: the value, or "unknown"."""
        value = self.value(expr)
        return "unknown" if value is None else fmt(value, expr.type, None)

    # -- what was seen ------------------------------------------------------------------
    def describe(
        self, expr: c.Expr, passed: bool | None, audience: Audience = "staff"
    ) -> str | None:
        """Words for `expr` having come out `passed` (None: unknown)."""
        if audience == "customer" and self._internal(expr):
            return None
        if passed is None:
            missing = self._first_missing(expr)
            return (
                f"{self._noun(missing)} is not known"
                if missing is not None
                else f"`{unparse(expr)}` is unknown"
            )
        match expr:
            case c.Not(operand=operand):
                return self.describe(operand, not passed, audience)
            case c.And(operands=ops) | c.Or(operands=ops):
                return self._junction(isinstance(expr, c.And), ops, passed, audience)
            case c.FactRef(name=name):
                return self._fact(name, passed, audience)
            case c.Cmp():
                return self._compare(expr, passed)
            case c.Field() if expr.type.kind is t.Kind.BOOL:
                spec = self._spec(expr)
                if spec is not None and spec.yes and spec.no:
                    return spec.yes if passed else spec.no
                return f"{self._noun(expr)}: {yes_no(passed)}"
            case c.Call(func="coalesce", args=(first, fallback)) if expr.type.kind is t.Kind.BOOL:
                if self.value(first) is None:
                    said = self.describe(first, None, audience)
                    return f"{said}, so it counts as {fmt(self.value(fallback))}" if said else None
                return self.describe(first, passed, audience)
            case c.Call(func="known", args=(arg,)):
                return f"{self._noun(arg)} is {known_words(passed)}"
            case c.Call(func="as_bool", args=(arg,)):
                return f"{self._noun(arg)}: {yes_no(passed)}"
            case c.Const(value=bool()):
                return always_never(passed)
            case c.If(cond=cond, then=then, other=other):
                taken = self.truth(cond) is True
                branch = self.describe(then if taken else other, passed, audience)
                why = self.describe(cond, taken, audience)
                return f"{branch} ({why})" if branch and why else branch
            case c.Call(func="in_season", args=(day, c.Const(value=first), c.Const(value=last))):
                where = "within" if passed else "outside"
                return (
                    f"the {self._noun(day)} is {where} {month_day_words(first)}"
                    f" to {month_day_words(last)}"
                )
        return f"`{unparse(expr)}` is {'true' if passed else 'false'}"

    def _first_missing(self, expr: c.Expr) -> c.Expr | None:
        value = self.value
        for node in self._walk(expr):
            if isinstance(node, c.Field | c.Builtin | c.FactRef) and value(node) is None:
                return node
        return None

    def _junction(
        self, is_and: bool, ops: tuple[c.Expr, ...], passed: bool, audience: Audience
    ) -> str | None:
        describe = self.describe
        results = [(op, self.truth(op)) for op in ops]
        if is_and == passed:  # all held (and), or none held (or): mention every part
            parts = [describe(op, value, audience) for op, value in results]
        elif is_and:  # an `and` that failed: the parts that failed
            parts = [describe(op, value, audience) for op, value in results if value is not True]
        else:  # an `or` that held: the first part that held
            parts = [next(describe(op, True, audience) for op, value in results if value is True)]
        said = [p for p in parts if p]
        if not said:
            return None
        joiner = "; " if is_and or passed else ", and "
        text = joiner.join(said)
        return text if is_and or passed else f"none of these hold: {text}"

    def _fact(self, name: str, passed: bool, audience: Audience) -> str | None:
        fact = self.facts[name]
        if fact.expr.type.kind is not t.Kind.BOOL:
            return f"{humanize(name)} is {fmt(self.fact(name))}"
        if passed:
            return humanize(name)
        if _INSIDE_FACT.get():
            # The reasons of a fact are given one level deep: the facts they name are
            # named, not opened in turn (facts that each use the last twice would write
            # out exponentially many words).
            return f"not {humanize(name)}"
        token = _INSIDE_FACT.set(True)
        try:
            inner = self.describe(fact.expr, False, audience)
        finally:
            _INSIDE_FACT.reset(token)
        return f"not {humanize(name)} ({inner})" if inner else f"not {humanize(name)}"

    def _compare(self, expr: c.Cmp, passed: bool) -> str:
        if expr.op in ("in", "not in"):
            return self._membership(expr, passed)
        op, left, right = expr.op, expr.left, expr.right
        if isinstance(left, c.Const):  # `30 >= days` is worded as `days <= 30`
            op, left, right = constant_right(op, left, right)
        value = self.value(left)
        unit = self._unit(left)
        if isinstance(left, c.Builtin) and op in WITHIN and left.name in WINDOWS:
            window = WINDOWS[left.name]
            limit = fmt(self.value(right))
            said = (window.held if passed else window.missed).format(v=value, c=limit)
            return said + self._chosen_by(right)
        target = fmt(
            self.value(right), right.type, unit if isinstance(right, c.Const) else self._unit(right)
        )
        if not isinstance(right, c.Const) or right.origin:
            label = self._noun(right)
            target = f"{label} ({target})" if label != target else target
        template = CLAUSES[op][0 if passed else 1]
        said = template.format(n=self._noun(left), v=fmt(value, left.type, unit), c=target)
        return said + self._chosen_by(right)

    def _membership(self, expr: c.Cmp, passed: bool) -> str:
        holds = passed if expr.op == "in" else not passed
        left, right = expr.left, expr.right
        if right.type.kind is t.Kind.SET:
            return self._includes(left, right, holds)
        value = fmt(self.value(left), left.type)
        options = fmt(self.value(right))
        if holds:
            return f"{self._noun(left)} is {value}" + ("" if passed else f", one of {options}")
        return f"{self._noun(left)} is {value}, not one of {options}"

    def _includes(self, item: c.Expr, field: c.Expr, holds: bool) -> str:
        """`item in field` for a set field: "the account is flagged abusive"."""
        shown = fmt(self.value(item))
        words = field_words(field).includes
        if words is not None:
            return words[0 if holds else 1].format(item=shown)
        return f"{self._noun(field)} {includes(holds)} {shown}"

    # -- what must hold ----------------------------------------------------------------
    def requirement(self, expr: c.Expr, audience: Audience = "staff") -> str | None:
        """Words for what must hold for `expr` to be true ("the original packaging is intact")."""
        if audience == "customer" and self._internal(expr):
            return None
        match expr:
            case c.Not(operand=c.Field() as field) if field.type.kind is t.Kind.BOOL:
                spec = self._spec(field)
                return spec.no if spec and spec.no else f"{self._noun(field)}: no"
            case c.Field() if expr.type.kind is t.Kind.BOOL:
                spec = self._spec(expr)
                return spec.yes if spec and spec.yes else f"{self._noun(expr)}: yes"
            case c.FactRef(name=name):
                return self.requirement(self.facts[name].expr, audience)
            case c.Call(func="coalesce", args=(first, _)) if expr.type.kind is t.Kind.BOOL:
                return self.requirement(first, audience)
            case c.Call(func="known", args=(arg,)):
                return f"{self._noun(arg)} is known"
            case c.Call(func="as_bool", args=(arg,)):
                return f"{self._noun(arg)}: yes"
            case c.And(operands=ops):
                truth = self.truth
                parts = [self.requirement(o, audience) for o in ops if truth(o) is not True]
                return "; ".join(p for p in parts if p) or None
            case c.Or(operands=ops):
                parts = [self.requirement(o, audience) for o in ops]
                return " or ".join(p for p in parts if p) or None
            case c.Cmp(op=op, left=left, right=right) if op in ("in", "not in"):
                wanted = op == "in"
                if right.type.kind is t.Kind.SET:
                    return self._includes(left, right, wanted)
                options = fmt(self.value(right))
                return f"{self._noun(left)} is {'' if wanted else 'not '}one of {options}"
            case c.Cmp():
                op, left, right = expr.op, expr.left, expr.right
                if isinstance(left, c.Const):
                    op, left, right = constant_right(op, left, right)
                limit = self.value(right)
                chosen = self._chosen_by(right)
                if isinstance(left, c.Builtin) and op in WITHIN and left.name in WINDOWS:
                    return WINDOWS[left.name].needs.format(c=fmt(limit)) + chosen
                unit = self._unit(left)
                shown = fmt(limit, right.type if isinstance(right, c.Const) else left.type, unit)
                return f"{self._noun(left)} {NEEDS[op].format(c=shown)}{chosen}"
            case c.If(cond=cond, then=then, other=other):
                taken = self.truth(cond) is True
                return self.requirement(then if taken else other, audience)
            case c.Call(func="in_season", args=(day, c.Const(value=first), c.Const(value=last))):
                return (
                    f"the {self._noun(day)} is within {month_day_words(first)}"
                    f" to {month_day_words(last)}"
                )
        return f"`{unparse(expr)}`"

    def _chosen_by(self, limit: c.Expr) -> str:
        """For a limit that an `if` or a map param chooses, what chose it: the branch
        each `if` took (its condition's words) and the key a `lookup` read, so the trace
        shows the branch and an unmet requirement names the fact that would have to
        differ (" (the windows for a customer segment of standard)")."""
        parts: list[str] = []
        seen: set[str] = set()
        while True:  # through facts, and the branch each `if` took
            if isinstance(limit, c.FactRef) and limit.name not in seen:
                seen.add(limit.name)
                limit = self.facts[limit.name].expr
            elif isinstance(limit, c.If) and (taken := self.truth(limit.cond)) is not None:
                said = self.describe(limit.cond, taken)
                if said:
                    parts.append(said)
                limit = limit.then if taken else limit.other
            elif isinstance(limit, c.Arith) and isinstance(limit.right, c.Const | c.FactRef):
                limit = limit.left  # `window + 5`: what chose the window
            else:
                break
        if isinstance(limit, c.Call) and limit.func == "lookup":
            key = limit.args[1]
            value = self.value(key)
            shown = fmt(value) if value is not None else "not known"
            parts.append(f"the {self._noun(limit.args[0])} for a {self._noun(key)} of {shown}")
        return f" ({'; '.join(parts)})" if parts else ""


def describe(
    expr: c.Expr, seen: Reading, passed: bool | None, audience: Audience = "staff"
) -> str | None:
    """Words for `expr` having come out `passed`, for a caller with an evaluator of its own
    (an escalations file's rules); a decision's explanation uses its `Phrases`."""
    return Phrases(seen, ExplainCache.for_facts(seen.facts)).describe(expr, passed, audience)


def requirement(expr: c.Expr, seen: Reading, audience: Audience = "staff") -> str | None:
    """Words for what must hold for `expr` (as `describe`, for a caller's own evaluator)."""
    return Phrases(seen, ExplainCache.for_facts(seen.facts)).requirement(expr, audience)
