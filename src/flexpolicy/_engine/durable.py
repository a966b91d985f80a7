"""The durable-rules back end: the one module that knows durable-rules 2.0.28.

The checked IR becomes one durable-rules ruleset (its dict format) per policy,
one durable rule per policy rule, each a *single-fact* condition - no joins
(`durable_conditions` writes them).  For every decision the adapter asserts one
fact holding the values the rules compare, collects which rules fired, and
deletes the state again.  Which rules match is durable-rules' answer; what that
means (guard, standard, flex, authority) is `semantics.fold`'s, and every word
of explanation is the shared code's, so both back ends decide and explain alike.

The traps of durable-rules are contained here: a private `Host` that starts no
background threads (no rulesets registered process-wide, no `post()` racing a
dispatcher thread), `assert_fact` so every matching rule fires, a unique sid per
decision deleted right after (so the 1,024-sid limit is never reached), one lock
per policy around every call (durable-rules is not safe for concurrent use),
`MessageNotHandledException` read as "nothing matched", and any other error -
including one raised inside an action - surfaced as `EngineError`.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from .._facts.consistency import find_item
from .._facts.typed import check_attributes
from .._ir import PolicyIR, Rule
from .._lang import checked as c
from .._lang import runtime as rt
from .._lang import types as t
from ..errors import EngineError, PolicyError, Problem
from ..models import Actor, CaseFacts, Customer, Request, Transaction
from .context import Context
from .durable_conditions import (
    KINDS,
    MAX_CONDITION_NODES,
    TRUE,
    ConditionCompiler,
    TooComplexError,
    encode,
    kind_of,
)
from .interpreter import Evaluator
from .semantics import Verdict, VerdictCache


def _import_durable() -> Any:
    """durable-rules' engine module, or None when durable-rules is not installed.

    Installed but failing to import (built for another Python: on 3.13 the 2.0.28
    build lacks `PyEval_CallObject`; a missing or broken extension module) raises
    the `ImportError` or `OSError`, so the caller can say the real cause.
    """
    try:
        from durable import engine  # type: ignore[import-untyped]  # noqa: PLC0415 - optional extra without stubs, imported on demand
    except ModuleNotFoundError as exc:
        if exc.name in ("durable", "durable.engine"):
            return None
        raise
    return engine


@dataclass(frozen=True, slots=True)
class _RuleRef:
    stage: int  # 0 guard, 1 standard, 2 flex
    position: int


class DurableBackend:
    """Decides which rules match by asserting one fact into a durable-rules ruleset.

    It meets `backend.Backend`: `match` takes the facts as the native matcher
    does and folds the rules that fired into the policy's shared `Verdict`.
    """

    def __init__(self, ir: PolicyIR, verdicts: VerdictCache) -> None:
        self._attribute_types = ir.attribute_types
        try:
            engine = _import_durable()
        except (ImportError, OSError) as exc:
            rebuild = (
                "durable-rules 2.0.28 predates Python 3.13, which removed `PyEval_CallObject`; "
                "rebuild it with `CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject pip install "
                "--no-binary durable-rules --force-reinstall durable-rules`"
                if "PyEval_CallObject" in str(exc)
                else "reinstall it with `pip install --no-binary durable-rules --force-reinstall "
                "durable-rules` (it builds from source and needs a C compiler)"
            )
            raise PolicyError.single(
                "engine-unavailable",
                f"durable-rules is installed but does not import: {exc}",
                file=ir.file,
                hint=rebuild,
            ) from None
        if engine is None:
            raise PolicyError.single(
                "engine-unavailable",
                "the `durable` engine needs the optional durable-rules package, which is not "
                "installed",
                file=ir.file,
                hint="install it with `pip install 'flexpolicy[durable]'` (it builds from "
                "source and needs a C compiler)",
            )
        self._engine = engine
        self._ir = ir
        self._verdicts = verdicts
        compiler = ConditionCompiler(ir)
        definition: dict[str, Any] = {}
        self._refs: dict[str, _RuleRef] = {}
        problems: list[Problem] = []
        for stage, rules in enumerate((ir.guards, ir.standard, ir.flex)):
            for rule in rules:
                before = len(compiler.problems)
                # A guard that fails closed applies unless its conditions are definitely
                # false: its condition is "true or unknown", so its rule fires only when
                # it applies (never on every fact, which would cost an action each).
                conditions = c.And(t.BOOL, 0, 0, tuple(x.expr for x in rule.conditions))
                try:
                    if rule.fails_closed:
                        condition = compiler.possibly(conditions, True)
                    else:
                        condition = compiler.truth(conditions, True)
                except TooComplexError:
                    message = (
                        f"the conditions are too complex for the durable engine (over "
                        f"{MAX_CONDITION_NODES:,} condition nodes for the policy)"
                    )
                    raise PolicyError(_problems(rule, [message])) from None
                problems.extend(_problems(rule, compiler.problems[before:]))
                name = f"{'gsf'[stage]}{rule.position}"
                self._refs[name] = _RuleRef(stage, rule.position)
                definition[name] = {"all": [{"m": condition}], "run": self._action(name)}
        if problems:
            raise PolicyError(problems)
        # A rule every fact matches: deleting the state of a fact that matched
        # nothing crashes durable-rules ("free(): invalid size"), so none may.
        definition["always"] = {"all": [{"m": TRUE}], "run": self._action("always")}
        self._operands = list(compiler.operands.values())
        self._presence = dict(compiler.presence)
        self._members = dict(compiler.member_exprs)
        self._ruleset = f"flexpolicy.{ir.id}"
        self._definition = definition
        self._hits: list[str] = []
        self._errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._sids = itertools.count()
        self._host = self._make_host(engine)
        try:
            self._host.set_rulesets({self._ruleset: definition})
        except Exception as exc:  # durable-rules raises bare Exceptions on bad rulesets
            raise PolicyError.single(
                "durable-compile",
                f"durable-rules refused the compiled ruleset: {exc}",
                file=ir.file,
                hint="this is a flexpolicy bug; please report it with the policy",
            ) from None

    @staticmethod
    def _make_host(engine: Any) -> Any:
        class QuietHost(engine.Host):  # type: ignore[misc]  # durable-rules has no type stubs
            """A host of our own that never starts durable-rules' dispatch threads."""

            def _run(self) -> None:
                return None

        return QuietHost()

    def _action(self, name: str) -> Callable[[Any], None]:
        def fired(_closure: Any) -> None:
            try:
                self._hits.append(name)
            except BaseException as exc:
                self._errors.append(exc)

        return fired

    # -- one decision ---------------------------------------------------------------
    def fact(self, ctx: Context) -> dict[str, Any]:
        ev = Evaluator(self._ir.facts, ctx)
        fact: dict[str, Any] = {"t": 1}
        for operand in self._operands:
            value = ev.value(operand.expr)
            flag = self._presence.get(operand.name)
            if flag is not None:
                fact[flag] = value is not None
            if value is None or isinstance(value, frozenset | tuple) or not _sendable(value):
                continue
            if operand.lenient:
                kind = KINDS[kind_of(value)]
                fact[operand.name + kind] = encode(value)
                fact[operand.name + "k"] = kind
            else:
                fact[operand.name] = encode(value)
        for name, (set_expr, item) in self._members.items():
            members = ev.value(set_expr)
            if members is not None:
                fact[name] = rt.member(item, members) is True
        return fact

    def match(  # noqa: PLR0917 - the native matcher's parameters (`native_functions.PARAMS`)
        self,
        request: Request,
        customer: Customer,
        transaction: Transaction | None,
        actor: Actor,
        case: CaseFacts | None,
        as_of: date,
        rank: int,
    ) -> Verdict:
        """The verdict for facts already checked (as the native matcher takes them)."""
        if self._attribute_types:  # declared attributes, checked before any rule (as native)
            check_attributes(self._attribute_types, request, customer, transaction)
        item = find_item(request, transaction)
        ctx = Context(request, customer, transaction, actor, case, as_of, item, rank)
        return self._verdicts.fold(*self.fired(self.fact(ctx)), rank)

    def fired(self, fact: dict[str, Any]) -> tuple[list[int], list[int], list[int]]:
        """The positions of the guards, standard rules and flex rules the fact matched."""
        engine = self._engine
        with self._lock:
            sid = f"d{next(self._sids)}"
            fact["sid"] = sid
            self._hits.clear()
            self._errors.clear()
            try:
                self._host.assert_fact(self._ruleset, fact)
            except engine.MessageNotHandledException as exc:
                # Cannot happen (the `always` rule matches every fact); if it did, the
                # state must not be deleted: that would crash the process.
                raise EngineError("durable-rules handled no rule for the fact") from exc
            except Exception as exc:
                # The state may or may not exist; deleting a missing one crashes the
                # process, so a failed decision leaves its one sid behind.
                raise EngineError(f"durable-rules failed: {exc}") from exc
            try:
                self._host.delete_state(self._ruleset, sid)
            except Exception as exc:  # durable-rules raises bare Exceptions
                self._errors.append(exc)
            hits = list(self._hits)
            errors = list(self._errors)
        if errors:
            raise EngineError(f"durable-rules failed: {errors[0]}") from errors[0]
        if "always" not in hits:
            raise EngineError("durable-rules did not fire the rule every fact matches")
        matched: tuple[list[int], list[int], list[int]] = ([], [], [])
        for hit in hits:
            if hit != "always":
                ref = self._refs[hit]
                matched[ref.stage].append(ref.position)
        return matched


def _sendable(value: Any) -> bool:
    return isinstance(value, bool | str | int | Decimal | date)


def _problems(rule: Rule, messages: list[str]) -> list[Problem]:
    loc = rule.location
    return [
        Problem(
            "durable-unsupported",
            message,
            loc.file,
            loc.line,
            loc.column,
            'use engine="native" for this policy, or rewrite the condition',
            rule.id,
        )
        for message in messages
    ]
