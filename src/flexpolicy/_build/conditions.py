"""Checks shared by every file of the policy language: facts, conditions, templates.

A policy (`_build`) and a set of escalation rules (`flexpolicy.cases`) are
different files with the same expression language; both report problems with
locations, resolve facts in dependency order and parse `explain` templates the
same way, through this class.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from .._ir import Condition, Explain, Fact, Location, Placeholder, Template
from .._lang import checked as c
from .._lang import syntax as syn
from .._lang import types as t
from .._lang.catalog import RESERVED
from .._lang.checker import Scope, check_text
from .._lang.lexer import ExprError
from .._lang.parser import parse
from ..errors import Problem
from .located import LoadedYaml, Path
from .templates import parse_template

# How deep a condition, fact, amount or placeholder may nest once the facts it names
# are written out (and its `all:`/`any:`/`not:` forms counted).  Every walker of the
# typed tree recurses through facts, so this, not the depth of one expression's text
# (40, `_lang.parser.MAX_DEPTH`), keeps them all within Python's stack.
MAX_NESTING = 64


class ConditionBuilder:
    """Collects problems while checking the conditions and templates of one file."""

    def __init__(
        self,
        loaded: LoadedYaml,
        problems: list[Problem],
        params: dict[str, Any],
        raw_facts: dict[str, Any],
        *,
        roots: frozenset[str] | None = None,
    ) -> None:
        self.loaded = loaded
        self.problems = problems
        self.file = loaded.file
        self.params = params
        self.raw_facts = raw_facts
        self._fact_types: dict[str, t.Type | None] = {}
        self._fact_depths: dict[str, int] = {}
        self._fact_uses: dict[str, list[str]] = {}
        self._unusable: set[str] = set()  # unusable facts: what builds on them is not reported
        self._facts: dict[str, Fact] = {}
        self.scope = Scope(
            params=dict(params),
            fact_names=frozenset(raw_facts),
            fact_type=self._fact_type,
            fact_expr=lambda name: self._facts[name].expr if name in self._facts else None,
            roots=roots,
        )

    @property
    def facts(self) -> dict[str, Fact]:
        return dict(self._facts)

    # -- reporting --------------------------------------------------------------
    def report(
        self,
        code: str,
        message: str,
        path: Path,
        hint: str | None = None,
        rule_id: str | None = None,
        *,
        key: bool = False,
        offset: int | None = None,
    ) -> None:
        if offset is not None:
            line, column = self.loaded.position(path, offset)
        else:
            span = self.loaded.span(path, key=key)
            line, column = span.line, span.column
        self.problems.append(Problem(code, message, self.file, line, column, hint, rule_id))

    def location(self, path: Path) -> Location:
        span = self.loaded.span(path)
        return Location(self.file, span.line, span.column)

    def _check_names(self, names: Sequence[str], path: Path, what: str) -> None:
        seen: set[str] = set()
        for i, name in enumerate(names):
            if name in seen:
                self.report("duplicate-id", f"{what} `{name}` is listed twice", (*path, i))
            seen.add(name)

    def check_params_and_facts(self) -> None:
        """Params and facts may not shadow built-in names or each other."""
        for name in self.params:
            if name in RESERVED:
                self.report(
                    "name-conflict",
                    f"param `{name}` has the name of a built-in",
                    ("params", name),
                    "rename the param",
                    key=True,
                )
        for name in self.raw_facts:
            if name in RESERVED or name in self.params:
                what = "a param" if name in self.params else "a built-in"
                self.report(
                    "name-conflict",
                    f"fact `{name}` has the name of {what}",
                    ("facts", name),
                    "rename the fact",
                    key=True,
                )
        # In dependency order, so that checking a fact never recurses into another:
        # a chain of thousands of facts costs a loop, not a deep Python stack.
        for name in self._fact_order():
            self._fact_type(name)

    def _fact_order(self) -> list[str]:
        """Facts with the facts they use first; each cycle reported once, its facts unusable."""
        uses = {name: _fact_names_in(raw, self.raw_facts) for name, raw in self.raw_facts.items()}
        self._fact_uses = uses
        order: list[str] = []
        state: dict[str, int] = {}  # 1: on the path being followed, 2: done
        for start in self.raw_facts:
            if start in state:
                continue
            path = [start]
            pending = [iter(uses[start])]
            state[start] = 1
            while pending:
                following = next(pending[-1], None)
                if following is None:
                    pending.pop()
                    done = path.pop()
                    state[done] = 2
                    order.append(done)
                elif state.get(following) == 1:
                    self._cycle([*path[path.index(following) :], following])
                elif following not in state:
                    state[following] = 1
                    path.append(following)
                    pending.append(iter(uses[following]))
        return order

    def _cycle(self, cycle: list[str]) -> None:
        first = cycle[0]
        if first in self._fact_types:  # already reported through another of its facts
            return
        shown = cycle if len(cycle) <= 8 else [*cycle[:6], "...", cycle[-1]]
        size = f" ({len(cycle) - 1:,} facts)" if len(cycle) > 8 else ""
        self.report(
            "fact-cycle",
            f"facts refer to each other in a cycle: {' -> '.join(shown)}{size}",
            ("facts", first),
            "a fact may use other facts, but not itself",
            key=True,
        )
        for name in cycle:
            self._fact_types[name] = None

    def bounded(
        self, expr: c.Expr | None, path: Path, rule_id: str | None, what: str
    ) -> c.Expr | None:
        """`expr`, or None with a `too-deep` problem if it nests past `MAX_NESTING`."""
        if expr is None:
            return None
        levels = c.depth(expr, self._fact_depths)
        if levels <= MAX_NESTING:
            return expr
        self.report(
            "too-deep",
            f"{what} nests {levels} levels deep counting the facts it uses, "
            f"over the limit of {MAX_NESTING}",
            path,
            "build facts side by side (`a and b`) rather than each on top of the last",
            rule_id,
        )
        return None

    # -- facts ------------------------------------------------------------------
    def _fact_type(self, name: str) -> t.Type | None:
        """Check one fact; the facts it uses have been checked already (`_fact_order`)."""
        if name in self._fact_types:
            return self._fact_types[name]
        path: Path = ("facts", name)
        expr, source = self._condition_tree(self.raw_facts[name], path, None, want_bool=False)
        if any(used in self._unusable for used in self._fact_uses.get(name, ())):
            expr = None  # built on a fact that is broken or too deep: one report is enough
        elif expr is not None:
            expr = self.bounded(expr, path, None, f"fact `{name}`")
        if expr is None:
            self._unusable.add(name)
            self._fact_types[name] = None
            return None
        self._fact_types[name] = expr.type
        self._fact_depths[name] = c.depth(expr, self._fact_depths)
        self._facts[name] = Fact(name, source, expr, self.location(path))
        return expr.type

    # -- conditions -------------------------------------------------------------
    def _conditions(self, raw: Any, path: Path, rule_id: str | None) -> tuple[Condition, ...]:
        """A rule's `when`: a list (or `all:`) gives one condition per entry."""
        if isinstance(raw, dict) and set(raw) == {"all"} and isinstance(raw["all"], list):
            return self._conditions(raw["all"], (*path, "all"), rule_id)
        entries: list[tuple[Any, Path]]
        if isinstance(raw, list):
            if not raw:
                self.report(
                    "bad-condition",
                    "`when` is an empty list",
                    path,
                    "write `when: true` for a rule that always matches",
                    rule_id,
                )
            entries = [(item, (*path, i)) for i, item in enumerate(raw)]
        else:
            entries = [(raw, path)]
        out: list[Condition] = []
        for item, item_path in entries:
            expr, source = self._condition_tree(item, item_path, rule_id, want_bool=True)
            expr = self.bounded(expr, item_path, rule_id, "the condition")
            if expr is not None:
                out.append(Condition(source, expr, self.location(item_path)))
        return tuple(out)

    def _condition_tree(
        self, raw: Any, path: Path, rule_id: str | None, *, want_bool: bool
    ) -> tuple[c.Expr | None, str]:
        if isinstance(raw, bool):
            return c.Const(t.BOOL, 0, 0, raw), "true" if raw else "false"
        if isinstance(raw, str):
            checked = check_text(raw, self.scope, want_bool=want_bool)
            for problem in checked.problems:
                self.report(
                    problem.code, problem.message, path, problem.hint, rule_id, offset=problem.start
                )
            return checked.expr, raw.strip()
        if isinstance(raw, list):
            return self._combine("all", raw, path, rule_id)
        if isinstance(raw, dict) and len(raw) == 1:
            ((key, value),) = raw.items()
            if key in ("all", "any") and isinstance(value, list):
                return self._combine(key, value, (*path, key), rule_id)
            if key == "not":
                inner, source = self._condition_tree(value, (*path, key), rule_id, want_bool=True)
                if inner is None:
                    return None, ""
                return c.Not(t.BOOL.maybe(inner.type.nullable), 0, 0, inner), f"not ({source})"
        shown = type(raw).__name__ if not isinstance(raw, dict) else "mapping"
        self.report(
            "bad-condition",
            f"a condition must be an expression, a list, `all:`, `any:` or `not:`; got {shown}",
            path,
            "e.g. `when: [customer.tier >= 4, request.store_at_fault]`",
            rule_id,
        )
        return None, ""

    def _combine(
        self, op: str, items: list[Any], path: Path, rule_id: str | None
    ) -> tuple[c.Expr | None, str]:
        if not items:
            self.report(
                "bad-condition", f"`{op}` needs at least one condition", path, None, rule_id
            )
            return None, ""
        parts = [
            self._condition_tree(item, (*path, i), rule_id, want_bool=True)
            for i, item in enumerate(items)
        ]
        exprs = [e for e, _ in parts if e is not None]
        if len(exprs) < len(parts):
            return None, ""
        joiner = " and " if op == "all" else " or "
        source = joiner.join(f"({s})" if len(parts) > 1 else s for _, s in parts)
        if len(exprs) == 1:
            return exprs[0], source
        nullable = any(e.type.nullable for e in exprs)
        node_type = c.And if op == "all" else c.Or
        return node_type(t.BOOL.maybe(nullable), 0, 0, tuple(exprs)), source

    def _explain(self, raw: Any, path: Path, rule_id: str) -> Explain:
        if raw is None:
            return Explain()
        if isinstance(raw, str):
            staff = self._template(raw, path, rule_id, for_customer=False)
            # One sentence for both audiences, unless it shows internal scores: then
            # the customer's sentence is generated from the conditions instead.
            customer, problems = parse_template(raw, self.scope, for_customer=True)
            if customer is not None:
                customer = replace(customer, location=self.location(path))
            return Explain(staff, customer if not problems else None)
        staff = self._template(raw.staff, (*path, "staff"), rule_id, for_customer=False)
        customer = self._template(raw.customer, (*path, "customer"), rule_id, for_customer=True)
        return Explain(staff, customer)

    def _template(
        self, text: str | None, path: Path, rule_id: str, *, for_customer: bool
    ) -> Template | None:
        if text is None:
            return None
        template, problems = parse_template(text, self.scope, for_customer=for_customer)
        for problem in problems:
            self.report(
                problem.code, problem.message, path, problem.hint, rule_id, offset=problem.start
            )
        if template is None:
            return None
        for part in template.parts:
            if isinstance(part, Placeholder) and (
                self.bounded(part.expr, path, rule_id, f"`{{{part.source}}}`") is None
            ):
                return None
        return replace(template, location=self.location(path))


def _fact_names_in(raw: Any, facts: dict[str, Any]) -> list[str]:
    """The facts a fact's written form names, found by parsing alone (no checking).

    Text that does not parse names nothing here; checking it reports the problem.
    """
    found: list[str] = []
    pending = [raw]
    while pending:
        current = pending.pop()
        if isinstance(current, str):
            try:
                nodes = [parse(current)]
            except ExprError:
                continue
            while nodes:
                node = nodes.pop()
                if isinstance(node, syn.Name) and node.name in facts and node.name not in found:
                    found.append(node.name)
                nodes.extend(syn.children(node))
        elif isinstance(current, list):
            pending.extend(reversed(current))
        elif isinstance(current, dict):
            pending.extend(reversed(list(current.values())))
    return found
