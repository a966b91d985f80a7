"""The symbolic situation: one z3 variable for each fact a policy reads.

A `Space` stands for *every* valid situation at once.  Variables are made on
first read, each with the constraints the models put on it (a tier is 1 to 5,
money is never negative and has at most four decimals, an item condition is one
of five words), plus the constraints `make_context` enforces between facts (the
decision date is never before the request, an item exists exactly when a
transaction and a sku are given).  A proof over a `Space` is a proof over all
situations a POS can send.

`Space.twin` makes a second situation that shares every variable but the ones
named: "the same customer with a higher tier" is a twin with its own
`customer.tier`.  `Space.situation` turns a solver's model back into a real
`Situation`, so every finding can be replayed with `flexpolicy decide`.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace
from typing import Any

import annotated_types
from pydantic import BaseModel, ValidationError

from .. import models
from .._facts.typed import coerce_attribute
from .._lang import types as t
from .._lang.catalog import ATTRIBUTE_KINDS, MODELS, RECORDS, ROOTS
from .solver import (
    TAG_BOOL,
    TAG_DATE,
    TAG_NUMBER,
    TAG_TEXT,
    Dynamic,
    Sym,
    Truth,
    Value,
    solver_module,
)

_ROOT_RECORD = {root: typ.record for root, typ in ROOTS.items()}
_OPTIONAL_ROOTS = ("transaction", "item", "case")
FIRST_DAY, LAST_DAY = date.min.toordinal(), date.max.toordinal()
# Values a person can read, tried first; the full domain is the fallback.
_NICE_DAYS = (date(2020, 1, 1).toordinal(), date(2030, 12, 31).toordinal())
_NICE_LIMIT = 100_000
# A declared `money` attribute holds at most 4 decimal places (`_facts.typed`).
_MONEY_PLACES = SimpleNamespace(decimal_places=4, max_digits=None)


def _constraints(model: type[BaseModel], name: str) -> list[Any]:
    """Every `annotated_types`/pydantic constraint on a field, also inside `X | None`."""
    info = model.model_fields[name]
    found = list(info.metadata)
    stack = [info.annotation]
    while stack:
        current = stack.pop()
        if typing.get_origin(current) is typing.Annotated:
            found.extend(typing.get_args(current)[1:])
        stack.extend(typing.get_args(current))
    return found


class Space:
    """All situations, symbolically; see the module docstring."""

    def __init__(self, ctx: Any, *, parent: Space | None = None, own: frozenset[str] = frozenset()):
        self.z3 = solver_module()
        self.ctx = ctx
        self._parent = parent
        self._own = own
        self._vars: dict[str, Any] = {}
        self._fields: dict[str, tuple[str, tuple[str, ...], t.Type, Sym]] = {}
        self.domain: list[Any] = parent.domain if parent else []
        self.nice: list[Any] = parent.nice if parent else []
        # Text is modelled as whole numbers: each string constant of the policy gets a
        # code 1, 2, ...; a code of 0 or below is a string that is none of them.  Text is
        # only ever compared for (in)equality, so this is exact, and far faster for z3
        # than its string theory.
        self.codes: dict[str, int] = parent.codes if parent else {}
        self._others: dict[str, int] = parent._others if parent else {}
        self.suffix: str = (parent.suffix + "'") if parent else ""
        z = self.z3
        self.today = self._var("today", self._day)
        self.present = {
            root: (
                self._var(f"{root}?", lambda n: z.Bool(n, ctx))
                if root in _OPTIONAL_ROOTS
                else z.BoolVal(True, ctx)
            )
            for root in ROOTS
        }
        self.requested_at = self.field("request", ("requested_at",))
        self.purchased_at = self.field("transaction", ("purchased_at",))
        self.sku = self.field("request", ("sku",))
        self.role = self.field("actor", ("role",))
        self.kind = self.field("request", ("kind",))
        self.tier = self.field("customer", ("tier",))
        assert isinstance(self.requested_at, Value)
        assert isinstance(self.purchased_at, Value)
        self.domain += [
            self.today >= self.requested_at.term,
            z.Implies(
                self.present["transaction"], self.purchased_at.term <= self.requested_at.term
            ),
            self.present["item"] == z.And(self.present["transaction"], self.sku.known),
            z.Implies(self.present["item"], self._items_len() >= 1),
        ]

    # -- variables ---------------------------------------------------------------
    def twin(self, *paths: str) -> Space:
        """The same situation with its own values for `paths` (e.g. `customer.tier`)."""
        root = self
        while root._parent is not None:
            root = root._parent
        return Space(self.ctx, parent=root, own=frozenset(paths))

    def _var(self, key: str, make: Callable[[str], Any]) -> Any:
        owner = self
        if self._parent is not None and key.split("#", maxsplit=1)[0].rstrip("?") not in self._own:
            owner = self._parent
        found = owner._vars.get(key)
        if found is None:
            found = owner._vars[key] = make(key + owner.suffix)
        return found

    def _day(self, name: str) -> Any:
        z = self.z3
        day = z.Int(name, self.ctx)
        self.domain += [day >= FIRST_DAY, day <= LAST_DAY]
        self.nice.append(z.And(day >= _NICE_DAYS[0], day <= _NICE_DAYS[1]))
        return day

    def _items_len(self) -> Any:
        return self._var("transaction.items#", lambda n: self.z3.Int(n, self.ctx))

    # -- reading facts -------------------------------------------------------------
    def field(self, root: str, path: tuple[str, ...], declared: t.Type | None = None) -> Sym:
        """The symbolic value of `root.path` (path of one field, or `attributes.NAME`).

        `declared`: a store attribute's type under `attributes:`; such an attribute
        is a variable of that type (a date is a day), not a value of any kind.
        """
        key = ".".join((root, *path))
        cached = self._fields.get(key)
        if cached is not None:
            return cached[3]
        record = _ROOT_RECORD[root] or root
        spec = RECORDS[record][path[0]]
        present = self.present[root]
        if spec.type.nullable or len(path) == 2:  # a store attribute may be absent
            present = self.z3.And(
                present, self._var(key + "?", lambda n: self.z3.Bool(n, self.ctx))
            )
        if len(path) == 2 and declared is not None:  # a declared attribute: typed
            typed = declared.maybe(False)
            sym: Sym = self._typed(key, record, path[0], typed, present, attribute=True)
            self._fields[key] = (root, path, typed, sym)
            return sym
        if len(path) == 2:  # customer.attributes.NAME
            sym = self._dynamic(key, present)
            self._fields[key] = (root, path, t.ANY, sym)
            return sym
        sym = self._typed(key, record, path[0], spec.type, present)
        self._fields[key] = (root, path, spec.type, sym)
        return sym

    def _typed(
        self, key: str, record: str, name: str, typ: t.Type, known: Any, *, attribute: bool = False
    ) -> Sym:
        z, ctx = self.z3, self.ctx
        rules = [] if attribute else _constraints(MODELS[record], name)
        if attribute and typ.kind is t.Kind.MONEY:
            rules = [_MONEY_PLACES]
        if typ.kind is t.Kind.BOOL:
            b = self._var(key, lambda n: z.Bool(n, ctx))
            return Truth(z.And(known, b), z.And(known, z.Not(b)))
        if typ.kind is t.Kind.DATE:
            return Value("date", known, self._var(key, self._day))
        if typ.kind is t.Kind.INT:
            return Value("int", known, self._var(key, lambda n: self._number(z.Int(n, ctx), rules)))
        if typ.numeric:
            return Value(
                "real", known, self._var(key, lambda n: self._number(z.Real(n, ctx), rules))
            )
        if typ.kind is t.Kind.STR:
            return Value("text", known, self._var(key, lambda n: self._text(n, typ)))
        if typ.kind is t.Kind.SET:
            sort = z.ArraySort(z.IntSort(ctx), z.BoolSort(ctx))
            return Value("set", known, self._var(key, lambda n: z.Const(n, sort)))
        if typ.kind is t.Kind.LIST:
            return Value("list", known, self._items_len() if name == "items" else None)
        return Value("record", known)

    def _number(self, var: Any, rules: list[Any]) -> Any:
        z = self.z3
        for rule in rules:
            if isinstance(rule, annotated_types.Ge):
                self.domain.append(var >= _const(z, rule.ge, self.ctx))
            elif isinstance(rule, annotated_types.Le):
                self.domain.append(var <= _const(z, rule.le, self.ctx))
            places = getattr(rule, "decimal_places", None)
            digits = getattr(rule, "max_digits", None)
            if places is not None:
                self.domain.append(z.IsInt(var * (10**places)))
            if digits is not None and places is not None:
                self.domain.append(var < 10 ** (digits - places))
        self.nice.append(z.And(var >= -_NICE_LIMIT, var <= _NICE_LIMIT))
        return var

    def _text(self, name: str, typ: t.Type) -> Any:
        z = self.z3
        var = z.Int(name, self.ctx)
        if typ.choices:
            self.domain.append(z.Or(*(var == self.code(c) for c in typ.choices)))
        return var

    def code(self, text: str) -> Any:
        """The number standing for a string constant (see `codes`)."""
        found = self.codes.get(text)
        if found is None:
            found = self.codes[text] = len(self.codes) + 1
        return self.z3.IntVal(found, self.ctx)

    def _pinned_code(self, text: str) -> Any:
        """A code for a real situation's string: its constant's, or one of its own below 1."""
        if text in self.codes:
            return self.code(text)
        found = self._others.setdefault(text, -len(self._others))
        return self.z3.IntVal(found, self.ctx)

    def text_of(self, code: int) -> str:
        """The string a code stands for; other codes become strings no constant equals."""
        for text, number in (*self.codes.items(), *self._others.items()):
            if number == code:
                return text
        text = f"other-{abs(code)}"
        while text in self.codes or text in self._others:
            text += "x"
        return text

    def _dynamic(self, key: str, known: Any) -> Dynamic:
        z, ctx = self.z3, self.ctx
        tag = self._var(key + "#", lambda n: z.Int(n, ctx))
        self.domain += [tag >= TAG_BOOL, tag <= TAG_DATE]
        return Dynamic(
            known=known,
            tag=tag,
            boolean=self._var(key + "#b", lambda n: z.Bool(n, ctx)),
            number=self._var(key + "#n", lambda n: self._number(z.Real(n, ctx), [])),
            text=self._var(key + "#s", lambda n: self._text(n, t.STR)),
            day=self._var(key + "#d", self._day),
        )

    def builtin(self, name: str) -> Sym:
        z = self.z3
        if name == "today":
            return Value("date", z.BoolVal(True, self.ctx), self.today)
        if name == "days_since_purchase":
            bought = self.purchased_at
            assert isinstance(bought, Value)
            return Value("int", self.present["transaction"], self.today - bought.term)
        if name == "item_price":
            return self.field("item", ("unit_price",))
        if name == "days_since_received":
            bought, received = self.purchased_at, self.field("transaction", ("delivered_at",))
            assert isinstance(bought, Value)
            assert isinstance(received, Value)
            self.domain.append(z.Implies(received.known, received.term >= bought.term))
            day = z.If(received.known, received.term, bought.term)
            return Value("int", self.present["transaction"], self.today - day)
        if name == "item_total":
            price, quantity = self.field("item", ("unit_price",)), self._quantity()
            assert isinstance(price, Value)
            return Value("real", price.known, price.term * z.ToReal(quantity))
        if name == "transaction_total":
            # The sum over lines the encoding does not enumerate: at least the item's
            # total, and never negative.
            total = self._var("transaction_total#", lambda n: z.Real(n, self.ctx))
            price = self.field("item", ("unit_price",))
            line = self.field("item", ("quantity",))
            assert isinstance(price, Value)
            assert isinstance(line, Value)
            self.domain += [
                total >= 0,
                z.Implies(price.known, total >= price.term * z.ToReal(line.term)),
            ]
            return Value("real", self.present["transaction"], total)
        if name == "customer_tenure_days":
            since = self.field("customer", ("member_since",))
            assert isinstance(since, Value)
            return Value("int", since.known, self.today - since.term)
        raise KeyError(name)  # a new built-in fact: model it here

    def _quantity(self) -> Any:
        """`request.quantity`: at least 1, at most the line's quantity (`check_facts`)."""
        z = self.z3
        quantity = self.field("request", ("quantity",))
        line = self.field("item", ("quantity",))
        assert isinstance(quantity, Value)
        assert isinstance(line, Value)
        self.domain.append(z.Implies(line.known, quantity.term <= line.term))
        return quantity.term

    def fields(self) -> Iterator[tuple[str, tuple[str, ...], t.Type, Sym]]:
        yield from self._fields.values()

    # -- one real situation, as constraints -----------------------------------------
    def pin(self, situation: models.Situation, *, lowest_role: str) -> list[Any]:
        """Constraints fixing every variable read so far to `situation`'s values.

        With no actor, the decision is made for `lowest_role`, as `decide` does.

        Used to test the encoder against the real evaluator: pinned, the
        formulas must give exactly the real decision.
        """
        z, ctx = self.z3, self.ctx
        as_of = situation.as_of or situation.request.requested_at
        roots: dict[str, Any] = {
            "customer": situation.customer,
            "request": situation.request,
            "transaction": situation.transaction,
            "actor": situation.actor,
            "case": situation.case,
        }
        item = None
        if situation.transaction is not None and situation.request.sku is not None:
            item = next(
                (x for x in situation.transaction.items if x.sku == situation.request.sku), None
            )
        roots["item"] = item
        out = [self.today == as_of.toordinal()]
        if situation.actor is None:
            assert isinstance(self.role, Value)
            out.append(self.role.term == self._pinned_code(lowest_role))
        for root in _OPTIONAL_ROOTS:
            out.append(self.present[root] == z.BoolVal(roots[root] is not None, ctx))
        if situation.transaction is not None:
            out.append(self._items_len() == len(situation.transaction.items))
        for root, path, _typ, sym in list(self._fields.values()):
            record = roots[root]
            if record is None:
                continue
            value = getattr(record, path[0])
            if len(path) == 2:
                value = value.get(path[1])
                kind = ATTRIBUTE_KINDS.get(_typ.kind)
                if kind is not None:  # declared: read at its type, as deciding does
                    value = coerce_attribute(value, kind, f"{root}.{'.'.join(path)}")
            out.append(sym.known == z.BoolVal(value is not None, ctx))
            if value is not None:
                out.extend(self._pin_value(sym, value))
        return out

    def _pin_value(self, sym: Sym, value: Any) -> list[Any]:
        z, ctx = self.z3, self.ctx
        if isinstance(sym, Truth):
            return [sym.t == z.BoolVal(bool(value), ctx)]
        if isinstance(sym, Dynamic):
            if isinstance(value, bool):
                return [sym.tag == TAG_BOOL, sym.boolean == z.BoolVal(value, ctx)]
            if isinstance(value, int | Decimal):
                return [sym.tag == TAG_NUMBER, sym.number == z.RealVal(str(value), ctx)]
            if isinstance(value, str):
                return [sym.tag == TAG_TEXT, sym.text == self._pinned_code(value)]
            return [sym.tag == TAG_DATE, sym.day == value.toordinal()]
        if sym.term is None or sym.kind == "list":
            return []
        if sym.kind == "set":
            return [
                z.IsMember(self._pinned_code(s), sym.term) == z.BoolVal(s in value, ctx)
                for s in {*self.codes, *value}
            ]
        if sym.kind == "date":
            return [sym.term == value.toordinal()]
        if sym.kind == "text":
            return [sym.term == self._pinned_code(value)]
        if sym.kind == "int":
            return [sym.term == int(value)]
        return [sym.term == z.RealVal(str(value), ctx)]

    # -- back to a real situation ---------------------------------------------------
    def situation(self, model: Any) -> models.Situation | None:
        """The situation a model describes, or None if it is not a valid one."""
        z = self.z3

        def val(term: Any) -> Any:
            return model.eval(term, model_completion=True)

        def truth(term: Any) -> bool:
            return bool(z.is_true(val(term)))

        data: dict[str, dict[str, Any]] = {
            "request": {"id": "r-1"},
            "customer": {"id": "c-1"},
            "actor": {"id": "e-1"},
        }
        if truth(self.present["transaction"]):
            data["transaction"] = {"id": "t-1"}
        if truth(self.present["case"]):
            data["case"] = {"id": "case-1"}
        item: dict[str, Any] | None = (
            {"sku": "sku-1", "unit_price": "10"} if truth(self.present["item"]) else None
        )
        for root, path, typ, sym in list(self._fields.values()):
            target = item if root == "item" else data.get(root)
            if target is None or not truth(sym.known):
                continue
            if len(path) == 2:
                attributes = target.setdefault("attributes", {})
                attributes[path[1]] = (
                    self._dynamic_value(sym, val)
                    if isinstance(sym, Dynamic)
                    else self._plain_value(typ, sym, val)
                )
            else:
                target[path[0]] = self._plain_value(typ, sym, val)
        if "transaction" in data:
            items_len = val(self._items_len()).as_long()
            lines = [item] if item is not None else []
            request_sku = data["request"].get("sku")
            if item is not None:
                data["request"]["sku"] = item["sku"] = request_sku or item["sku"]
            while len(lines) < min(max(items_len, 0), 20):
                lines.append({"sku": f"other-{len(lines)}", "unit_price": "1"})
            data["transaction"]["items"] = lines
        try:
            return models.Situation.model_validate({**data, "as_of": _day(val(self.today))})
        except (ValidationError, ValueError, OverflowError):
            return None

    def _plain_value(self, typ: t.Type, sym: Sym, val: Callable[[Any], Any]) -> Any:
        z = self.z3
        if isinstance(sym, Truth):
            return bool(z.is_true(val(sym.t)))
        assert isinstance(sym, Value)
        if sym.term is None:
            return [] if sym.kind == "list" else {}
        term = val(sym.term)
        if sym.kind == "date":
            return _day(term)
        if sym.kind == "int":
            return term.as_long()
        if sym.kind == "real":
            return _decimal(term)
        if sym.kind == "text":
            return self.text_of(term.as_long())
        if sym.kind == "set":
            return sorted(
                s
                for s in self.codes
                if 1 <= len(s) <= 200 and z.is_true(val(z.IsMember(self.code(s), sym.term)))
            )
        if sym.kind == "list":
            return []
        return {}

    def _dynamic_value(self, sym: Dynamic, val: Callable[[Any], Any]) -> Any:
        tag = val(sym.tag).as_long()
        if tag == TAG_BOOL:
            return self.z3.is_true(val(sym.boolean))
        if tag == TAG_NUMBER:
            return _decimal(val(sym.number))
        if tag == TAG_TEXT:
            return self.text_of(val(sym.text).as_long())
        return _day(val(sym.day))


def _const(z: Any, value: Any, ctx: Any) -> Any:
    return z.IntVal(value, ctx) if isinstance(value, int) else z.RealVal(str(value), ctx)


def _day(term: Any) -> date:
    return date.fromordinal(term.as_long())


def _decimal(term: Any) -> Decimal:
    exact = Fraction(term.numerator_as_long(), term.denominator_as_long())
    value = Decimal(exact.numerator) / Decimal(exact.denominator)
    return value.quantize(Decimal("0.0001")).normalize() if exact.denominator > 1 else value


TAGS = {TAG_BOOL: "bool", TAG_NUMBER: "number", TAG_TEXT: "text", TAG_DATE: "date"}
