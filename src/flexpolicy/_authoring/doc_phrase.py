"""Value-free words for a policy's conditions and values, for `flexpolicy doc`.

Why a describer of its own: a decision is worded with the values it saw ("bought 40 days
ago"), a policy's page with none ("within 30 days of purchase"), so this walks the
checked tree with only the params (already `Const` nodes) to go on.  It writes short
modifiers in the vocabulary of `_explain.words` and says None when it cannot phrase
something: the caller then shows staff the source text and customers nothing.

Release 2's expressions are worded here too (DESIGN 2.2, 2.4), never shown raw:
- a value that depends on the case (`if ... then ... else`, `lookup(windows,
  customer.membership, 15)`) is stated per case: "within 15 days of receiving it (30
  days for elite members; 14 days for cell phone, for everyone)", the default first and
  each override after the cases it beats, marked "for everyone";
- `in_season(purchase date, "10-28", "12-28")` is "bought between October 28 and
  December 28", `x <= next_date(..., "01-16")` "returned through January 16";
- declared attributes read from their name: a true/false one as a requirement ("with
  all contents", "not worn", "tags not attached"), any other as a noun;
- money, shares and sums in words: "45.00", "15% of the item's price".

For customers, anything that reads an internal field (DESIGN 2.4: tier, segment, scores,
flags, internal attributes) has no words; a case that depends on one is dropped and
`dropped` is set, so the bullet says "(conditions apply)" rather than promising more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from .._explain import words as w
from .._ir import PolicyIR
from .._lang import checked as c
from .._lang import types as t
from .._lang.ops import NEGATE, constant_right
from .doc_vocabulary import (
    ARITH,
    CHANNELS,
    NOUNS,
    VERBS,
    attribute,
    categories,
    dedupe,
    labels,
    literal,
    percent,
    rated,
    same,
    shared_place,
    shown,
)

MAX_PHRASE = 600  # characters of the words for one fact, past which it has none


@dataclass(frozen=True, slots=True)
class Case:
    """One case of a value that depends on the case: `who` it is for, and the value."""

    who: str  # "for elite members", "for cell phone, for everyone"
    value: c.Expr
    when: str  # the bare condition ("elite members"), for "none if ..."


@dataclass(slots=True)
class Phraser:
    """Words for one policy's conditions and values, for one audience."""

    ir: PolicyIR
    customer: bool
    dropped: bool = False  # a case or condition was left out for being internal
    # Each fact's words, and whether wording it dropped an internal case, by (fact, neg).
    memo: dict[tuple[str, bool], tuple[str | None, bool]] = field(default_factory=dict)

    def internal(self, expr: c.Expr) -> bool:
        return self.customer and w.is_internal(expr, self.ir.facts, None, self.ir.attribute_public)

    # -- nouns and values ----------------------------------------------------------

    def noun(self, expr: c.Expr) -> str | None:
        if self.internal(expr):
            return None
        match expr:
            case c.FactRef(name=name):
                head, _, period = name.rpartition("_")  # waivers_12m: "... in the last 12 months"
                return (
                    f"{w.humanize(head)} {w.PERIODS[period]}"
                    if period in w.PERIODS
                    else w.humanize(name)
                )
            case c.Builtin(name=name) if name in NOUNS:
                return NOUNS[name]
            case c.Builtin(name="days_since_received"):
                return "days since you received it" if self.customer else "days since received"
            case c.Call(func="business_days_between", args=(start, end, *_)):  # and the calendar
                since = self.noun(start)
                if since is None:
                    return None
                if isinstance(end, c.Builtin) and end.name == "today":
                    return f"business days since the {since}"
                until = self.noun(end)
                return f"business days from the {since} to the {until}" if until else None
            case c.Field() | c.Builtin():
                return w.noun(expr)
            case c.Call(func="coalesce", args=(first, _)):
                return self.noun(first)
        return None

    def share(self, expr: c.Expr) -> str | None:
        """ "15%" when `expr` is the item's price times a rate (`round(item_total * r, 2)`)."""
        while isinstance(expr, c.FactRef) and expr.name in self.ir.facts:
            expr = self.ir.facts[expr.name].expr
        if isinstance(expr, c.Call) and expr.func == "round":
            expr = expr.args[0]
        found = rated(expr)
        return percent(found[1]) if found and found[0] == "item_total" else None

    def amount(self, expr: c.Expr, money: bool = True) -> str | None:
        """A value in words: "45.00", "15% of the item's price", "the purchase total"."""
        if self.internal(expr):
            return None
        match expr:
            case c.Const(value=int() | Decimal() as value) if not isinstance(value, bool):
                return f"{Decimal(value):.2f}" if money else w.param_words(value)
            case c.FactRef(name=name) if name in self.ir.facts:
                return self.amount(self.ir.facts[name].expr, money)
            case c.Call(func="round" | "coalesce", args=(first, *_)):
                return self.amount(first, money)
            case c.Call(func="min" | "max" as func, args=args):
                parts = [self.amount(a, money) for a in args]
                if any(p is None for p in parts):
                    return None
                which = "lesser" if func == "min" else "greater"
                return f"the {which} of {w.either([p for p in parts if p], 'and')}"
            case c.Arith(op=op, left=left, right=right):
                found = rated(expr)
                if found is not None:  # "15% of the item's price"
                    return f"{percent(found[1])} of {NOUNS[found[0]]}"
                scaled = op in ("*", "/")  # a multiplier or divisor is a number, not money
                said = self.amount(left, money), self.amount(right, money and not scaled)
                return f"{said[0]} {ARITH[op]} {said[1]}" if all(said) else None
            case c.Cmp() | c.And() | c.Or() | c.Not():
                return None
        return self.noun(expr)

    # -- values that depend on the case ------------------------------------------------

    def cases(self, expr: c.Expr) -> tuple[c.Expr, list[Case]] | None:
        """The default value and each case that differs, lowest precedence first.

        None when a case cannot be put into words (half a list would mislead).
        """
        fact = self.ir.facts.get(expr.name) if isinstance(expr, c.FactRef) else None
        if fact is not None and expr.type.kind is not t.Kind.BOOL:
            return self.cases(fact.expr)
        if isinstance(expr, c.Call) and expr.func == "coalesce":
            return self.cases(expr.args[0])
        if isinstance(expr, c.If):
            below = self.cases(expr.other)
            then = self.cases(expr.then)
            if below is None or then is None or then[1]:
                return None
            base, lower = below
            if self.internal(expr.cond):
                self.dropped = True
                return base, lower
            when = self.say(expr.cond)
            if when is None:
                return None
            who = when if when.startswith("for ") else f"for {when}"
            if lower:
                who += ", for everyone"
            elif same(then[0], base):
                return base, lower
            return base, [*lower, Case(who, then[0], when)]
        if isinstance(expr, c.Call) and expr.func == "lookup":
            table, key, default = expr.args
            if not isinstance(table, c.Const):
                return None
            if self.internal(key):  # customers read the default; the rest is discretion
                self.dropped = True
                return default, []
            out: list[Case] = []
            for name, value in table.value.items():
                const = c.Const(expr.type, expr.start, expr.end, value)
                if not same(const, default):
                    when = self.key_words(key, name)
                    if when is None:
                        return None
                    out.append(Case(f"for {when}", const, when))
            return default, out
        return expr, []

    def key_words(self, key: c.Expr, value: Any) -> str | None:
        """Who a map's key stands for: "elite members", "customer segment gold"."""
        if isinstance(key, c.Field) and key.dotted == "customer.membership":
            level = w.humanize(str(value))
            return "members" if level == "member" else f"{level} members"
        noun = self.noun(key)
        return f"{noun} {w.param_words(value)}" if noun else None

    def per_case(self, expr: c.Expr, say: Callable[..., str | None]) -> str | None:
        """`say(value)` for the default, then "(say(v) for ...; ...)" for each case."""
        found = self.cases(expr)
        if found is None:
            return None
        base, cases = found
        first = say(base)
        rest = [said for case in cases if (said := say(case.value, case.who))]
        if first is None or len(rest) != len(cases):
            return None
        return first + (f" ({'; '.join(rest)})" if rest else "")

    # -- conditions -------------------------------------------------------------------

    def say(self, expr: c.Expr, neg: bool = False) -> str | None:
        """Value-free words for `expr` being true (`neg`: false); None when it cannot say.

        Negation is pushed down to the leaves (De Morgan), so `not coalesce(faulty,
        false)` reads "not faulty".  A fact is worded once per `neg` (facts built on
        facts that each use the last twice would otherwise be worded exponentially
        often), and one whose words run past `MAX_PHRASE` characters has none.
        """
        match expr:
            case c.Not(operand=inner):
                return self.say(inner, not neg)
            case c.And(operands=ops) | c.Or(operands=ops):
                return self._junction(ops, isinstance(expr, c.And) != neg, neg)
            case c.FactRef(name=name) if expr.type.kind is t.Kind.BOOL and name in self.ir.facts:
                if (name, neg) not in self.memo:
                    before, self.dropped = self.dropped, False
                    said = self.say(self.ir.facts[name].expr, neg)
                    said = None if said and len(said) > MAX_PHRASE else said
                    self.memo[name, neg] = said, self.dropped
                    self.dropped = before
                said, dropped = self.memo[name, neg]
                self.dropped = self.dropped or dropped
                return said
            case c.Call(func="coalesce" | "as_bool", args=(first, *_)):
                return self.say(first, neg)  # the fallback only matters when a fact is missing
            case c.Call(func="known", args=(arg,)):
                noun = self.noun(arg)
                return f"{noun} {w.known_words(not neg)}" if noun else None
            case c.Call(func="in_season", args=(day, c.Const() as start, c.Const() as end)):
                return self._season(day, start.value, end.value, neg)
            case c.Const(value=bool() as value):
                return w.always_never(value != neg)
            case c.Field() if expr.type.kind is t.Kind.BOOL:
                return None if self.internal(expr) else self._flag(expr, neg)
            case c.Cmp(op=op):
                return self._compare(expr, NEGATE[op] if neg else op)
        return None

    def value_of(self, expr: c.Expr) -> c.Expr:
        """A fact that stands for a value (not a condition), written out."""
        while isinstance(expr, c.FactRef) and expr.name in self.ir.facts:
            expr = self.ir.facts[expr.name].expr
        return expr

    def _label_values(self, expr: c.Expr, *, top: bool = True) -> tuple[Any, ...] | None:
        """The labels `expr` tests for (`reason in [...]`), when that is all it tests."""
        expr = self.value_of(expr) if top else expr  # one fact deep: never exponential
        if isinstance(expr, c.Call) and expr.func == "coalesce":
            return self._label_values(expr.args[0], top=False)
        if isinstance(expr, c.Or):
            seen: list[Any] = []
            for operand in expr.operands:
                found = self._label_values(operand, top=False)
                if not found:
                    return None
                seen += found
            return tuple(seen)
        if isinstance(expr, c.Cmp) and expr.op in ("==", "in"):
            op, left, right = constant_right(expr.op, expr.left, expr.right)
            values = literal(right)
            if op in ("==", "in") and values and w.field_words(left).labels:
                return values
        return None

    def _conjunction(self, expr: c.Expr, neg: bool) -> bool:
        """Whether `expr` reads as "a and b" (so inside an "or" it needs "either")."""
        expr = self.value_of(expr)
        if isinstance(expr, c.Not):
            return self._conjunction(expr.operand, not neg)
        if isinstance(expr, c.Call) and expr.func in ("coalesce", "as_bool"):
            return self._conjunction(expr.args[0], neg)
        return isinstance(expr, c.Or if neg else c.And)

    def _junction(self, ops: tuple[c.Expr, ...], both: bool, neg: bool) -> str | None:
        if both == neg and not any(self.internal(op) for op in ops):
            found = [self._label_values(op) for op in ops]
            if all(found):  # "faulty, damaged in shipping or wrong item", said once
                return labels(tuple(v for f in found if f for v in f), not neg)
        parts: list[str] = []
        for op in ops:
            part = self.say(op, neg)
            if part is None:
                return None  # half a condition would say something the rule does not
            parts.append(part)
        parts = dedupe(parts)
        if both:
            return shared_place(parts) or w.either(parts, "and")
        if len(parts) > 1 and any(self._conjunction(op, neg) for op in ops):
            return f"either {', or '.join(parts)}"  # "either a and b, or c": unambiguous
        return w.either(parts, "or")

    def _flag(self, expr: c.Field, neg: bool) -> str | None:
        if expr.path[:1] == ("attributes",) and len(expr.path) == 2:
            return attribute(expr.path[1], not neg, thing=expr.root == "item")
        spec = w.field_spec(expr)
        yes, no = w.field_words(expr).modifiers or (
            (spec.yes, spec.no) if spec and spec.yes and spec.no else (None, None)
        )
        return no if neg else yes

    def _season(self, day: c.Expr, start: Any, end: Any, neg: bool) -> str | None:
        between = f"between {w.month_day_words(start)} and {w.month_day_words(end)}"
        if isinstance(day, c.Field) and day.dotted == "transaction.purchased_at":
            return f"{'not ' if neg else ''}bought {between}"
        noun = self.noun(day)
        return f"{noun} {'not ' if neg else ''}{between}" if noun else None

    def _compare(self, expr: c.Cmp, op: str) -> str | None:
        left, right = expr.left, expr.right
        if op in ("in", "not in"):
            return None if self.internal(expr) else self._membership(left, right, op == "in")
        op, left, right = constant_right(op, left, right)
        if isinstance(left, c.Builtin) and left.name in w.WINDOWS:
            return self._window(left.name, op, right)
        if self.internal(expr):
            return None
        value_of = self.value_of(right)
        if isinstance(value_of, c.Call) and value_of.func == "next_date":
            return self._until(left, op, value_of)
        values = literal(right)
        if values is None or len(values) != 1:
            noun, other = self.noun(left), self.amount(right, left.type.kind is t.Kind.MONEY)
            return f"{noun} {w.BOUNDS[op]} {other}" if noun and other else None
        value, said = values[0], shown(values[0], left.type)
        if isinstance(value, bool) and op in ("==", "!="):  # `x == false` reads like `not x`
            return self.say(left, value != (op == "=="))
        if isinstance(left, c.Field) and left.dotted in VERBS and op in ("==", "!="):
            return self._verb(left.dotted, values, op == "==")
        if isinstance(left, c.Field) and left.dotted == "item.category" and op in ("==", "!="):
            return categories(values, op == "==")
        member = isinstance(left, c.Field) and left.dotted == "customer.membership"
        if member and op in ("==", "!="):
            who = self.key_words(left, value)
            return f"{'for' if op == '==' else 'not for'} {who}" if who else None
        words = w.field_words(left)
        if words.labels:
            return labels(values, op == "==") if op in ("==", "!=") else None
        noun = self.noun(left)
        if noun is None:
            return None
        if not words.level:
            if value == 0 and op in ("==", "<=") and not noun.startswith("the "):
                return f"no {noun}"
            if left.type.kind is t.Kind.INT and any(x.endswith("s") for x in noun.split()):
                return w.COUNTS[op].format(n=said, w=noun)  # "fewer than 2 exceptions ..."
        return f"{noun} {(w.DATES if isinstance(value, date) else w.BOUNDS)[op]} {said}"

    def _window(self, name: str, op: str, right: c.Expr) -> str | None:
        """`days_since_purchase <= window`, the window stated per case."""
        window = w.WINDOWS[name]
        counted = self.noun(c.Builtin(right.type, 0, 0, name)) or window.counted
        template = window.modifiers.get(op)

        def say(value: c.Expr, who: str | None = None) -> str | None:
            days = self.amount(value, money=False)
            if days is None:
                return None
            if who is not None:
                return f"{days} days {who}"
            return template.format(n=days) if template else w.COUNTS[op].format(n=days, w=counted)

        return self.per_case(right, say)

    def _until(self, left: c.Expr, op: str, right: c.Call) -> str | None:
        """`request date <= next_date(purchase date, "01-16")`: "returned through January 16"."""
        day = right.args[1]
        if not isinstance(day, c.Const):
            return None
        words = {"<=": "through", "<": "before", ">": "after", ">=": "on or after"}.get(op)
        when = f"{words} {w.month_day_words(day.value)}" if words else None
        if when is None:
            return None
        asked = isinstance(left, c.Field) and left.dotted == "request.requested_at"
        if asked or (isinstance(left, c.Builtin) and left.name == "today"):
            return f"returned {when}"
        noun = self.noun(left)
        return f"{noun} {when}" if noun else None

    def _verb(self, dotted: str, values: tuple[Any, ...], holds: bool) -> str:
        """Channels, regions and payment methods as what happened: "returned by mail"."""
        verb = VERBS[dotted]
        if "region" in dotted:  # labels are kept in lower case: "CO", not "co"
            items = w.either(
                [str(v).upper() if len(str(v)) <= 3 else w.humanize(str(v)) for v in values]
            )
        elif "channel" in dotted:
            items = w.either([CHANNELS.get(str(v), w.humanize(str(v))) for v in values])
        else:
            items = w.either([w.humanize(str(v)) for v in values])
        return f"{'' if holds else 'not '}{verb} {items}"

    def _membership(self, left: c.Expr, right: c.Expr, holds: bool) -> str | None:
        if right.type.kind is t.Kind.SET:
            items, noun = literal(left), self.noun(right)
            if items is None or noun is None:
                return None
            item = w.param_words(items[0])
            words = w.field_words(right).includes_modifier
            if words is not None:
                return words[0 if holds else 1].format(item=item)
            return f"{noun} {w.includes(holds)} {item}"
        values = literal(right)
        if values is None:
            return None
        if isinstance(left, c.Field) and left.dotted in VERBS:
            return self._verb(left.dotted, values, holds)
        if isinstance(left, c.Field) and left.dotted == "item.category":
            return categories(values, holds)
        noun = self.noun(left)
        if noun is None:
            return None
        if w.field_words(left).labels:
            return labels(values, holds)
        return f"{noun} {'' if holds else 'not '}{w.param_words(values)}"
