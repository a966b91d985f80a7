"""The one contract every back end meets, and the compiled policy built on it.

A back end answers one question, *which verdict do these facts get*:
`Backend.match(request, customer, transaction, actor, case, as_of, rank)`
returns the policy's shared `Verdict` (`semantics`).  The native back end
answers it with generated code that tests the rules in the semantics' order; the
durable adapter asserts a fact and folds the rules that fired
(`semantics.fold`); the reference back end (`ReferenceBackend`) evaluates every
rule with the interpreter and folds the same way.  Nothing above this module
knows which one it holds, so `Policy` never branches on its engine, and the
differential tests hold every back end to the reference through this contract.

`CompiledPolicy` is what loading makes of the IR: the IR, the verdict table, the
back end's matcher, and the amount and lever-cap functions (compiled natively
for every engine: they are functions of the facts, not of which rules match).
A `Decision` holds it as its source (`decision` declares what it needs: an
identity, the amount, the lever cap and an explanation on demand), and the
internal tools (analysis, testing, the one-page document, verification) read
the IR through it.  It cannot itself explain - the explanation is a higher layer
- so its maker passes an `explainer`, and `explain` hands it the decision's
facts in context.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Generic, Literal, Protocol, TypeVar

from .._facts.consistency import find_item
from .._facts.typed import check_attributes
from .._ir import PolicyIR, Rule
from ..models import Actor, CaseFacts, Customer, Request, Situation, Transaction
from .context import Context, make_context
from .interpreter import Evaluator
from .native import Matcher, NativeBackend, compile_native
from .semantics import STAGE_GUARD, Verdict, VerdictCache
from .terms import due_date

__all__ = [
    "ENGINES",
    "SITUATION_FIELDS",
    "Backend",
    "CompiledPolicy",
    "Engine",
    "ReferenceBackend",
    "compile_policy",
]

Engine = Literal["native", "durable"]
# The back ends a caller may choose; the reference one is for the differential tests.
ENGINES: tuple[str, ...] = ("native", "durable")
# (request, customer, transaction, actor, as_of, case): a situation's records, as given
Records = tuple[Any, Any, Any, Any, date | None, Any]
# A situation's records, in the order a `Decision` keeps them (`decision.Facts`).
SITUATION_FIELDS = operator.itemgetter(
    "request", "customer", "transaction", "actor", "as_of", "case"
)

E = TypeVar("E")


class Backend(Protocol):
    """Which verdict the facts get, for facts already checked.

    The facts come as the native matcher takes them: the actor is never None
    (no actor is the lowest role, `CompiledPolicy.default_actor`), `as_of` is
    the decision's date and `rank` the actor's rung.  The verdict is one of the
    policy's shared constants (`VerdictCache`): a back end allocates none.
    """

    def match(  # noqa: PLR0917 - the facts of one decision, as `native_functions.PARAMS`
        self,
        request: Request,
        customer: Customer,
        transaction: Transaction | None,
        actor: Actor,
        case: CaseFacts | None,
        as_of: date,
        rank: int,
        /,
    ) -> Verdict: ...


# explainer(compiled, facts in context, verdict) -> what the decision explains itself from
Explainer = Callable[["CompiledPolicy[E]", Context, Verdict], E]


@dataclass(frozen=True, slots=True, eq=False)
class CompiledPolicy(Generic[E]):
    """One policy as loading compiled it: immutable, shared by every thread and decision."""

    ir: PolicyIR
    engine: str
    verdicts: VerdictCache
    backend: Backend
    # `backend.match`, read once: the hot path calls it without a method lookup.
    match: Matcher
    native: NativeBackend  # the amount and lever-cap functions (and the generated source)
    default_actor: Actor  # "no actor": the lowest role of the ladder
    explainer: Explainer[E]

    # -- what a decision reads of its source (`decision._Source`) ---------------------
    @property
    def id(self) -> str:
        return self.ir.id

    @property
    def version(self) -> str:
        return self.ir.version

    @property
    def digest(self) -> str:
        return self.ir.digest

    @property
    def source(self) -> str:
        """The generated Python of the native functions (kept for the sandbox tests)."""
        return self.native.source

    def amount(self, verdict: Verdict, facts: Records | Situation) -> Decimal | None:
        """What an approval (or its referral) stands for, compiled (as `Evaluation` says)."""
        if not verdict.grants:
            return None
        return self.native.amounts[verdict.rule.id](*self.args(facts))

    def fee(self, verdict: Verdict, facts: Records | Situation) -> Decimal | None:
        """The fee of the rule the decision stands for (`fee:`), or None."""
        found = self.native.fees.get(verdict.rule.id)
        return None if found is None else found(*self.args(facts))

    def promises(
        self, verdict: Verdict, facts: Records | Situation
    ) -> tuple[tuple[str, date], ...]:
        """What an approval promises, each with its due date counted from `as_of`."""
        promised = verdict.rule.promises
        if not promised or verdict.outcome != "approve":
            return ()
        as_of = self.args(facts)[5]
        calendar = self.ir.calendar
        weekend = {day - 1 for day in calendar.weekend}  # ISO (1 = Monday) to `date.weekday()`
        return tuple(
            (
                p.what,
                due_date(
                    as_of, p.days, business=p.business, holidays=calendar.holidays, weekend=weekend
                ),
            )
            for p in promised
        )

    def largest_lever_cap(self, verdict: Verdict, facts: Records | Situation) -> Decimal | None:
        if verdict.stage == STAGE_GUARD:
            return None  # guarded requests get no gestures (as `levers`)
        return self.native.lever_cap(*self.args(facts))

    def explain(self, verdict: Verdict, facts: Records | Situation) -> E:
        """What a decision explains itself from: its facts checked again, in context."""
        return self.explainer(self, self.context(facts), verdict)

    # -- the facts, as the engines take them ---------------------------------------
    def args(self, facts: Records | Situation) -> tuple[Any, ...]:
        """A decision's facts as `Backend.match` and the native functions take them (the
        records were checked when it was made: only the defaults are filled in)."""
        request, customer, transaction, actor, as_of, case = (
            facts if isinstance(facts, tuple) else SITUATION_FIELDS(facts.__dict__)
        )
        rank = 0 if actor is None else self.ir.rank[actor.role]
        return (
            request,
            customer,
            transaction,
            self.default_actor if actor is None else actor,
            case,
            request.requested_at if as_of is None else as_of,
            rank,
        )

    def context(self, facts: Records | Situation) -> Context:
        """A decision's facts checked again, with the line item, for the interpreter."""
        ir = self.ir
        records = facts if isinstance(facts, tuple) else SITUATION_FIELDS(facts.__dict__)
        request, customer, transaction, actor, as_of, case = records
        return make_context(ir.roles, ir.rank, request, customer, transaction, actor, as_of, case)


class ReferenceBackend:
    """The reference evaluator behind the contract: slow, and obviously right.

    Every rule is evaluated by the interpreter (`Evaluator`) and the matches are
    folded by `semantics.fold`, so it shares no code with the generated matcher
    nor with durable-rules: the differential tests hold both to it.
    """

    def __init__(self, ir: PolicyIR, verdicts: VerdictCache) -> None:
        self._ir = ir
        self._verdicts = verdicts

    def match(  # noqa: PLR0917 - the facts of one decision, as `Backend.match`
        self,
        request: Request,
        customer: Customer,
        transaction: Transaction | None,
        actor: Actor,
        case: CaseFacts | None,
        as_of: date,
        rank: int,
    ) -> Verdict:
        ir = self._ir
        if ir.attributes:  # declared attributes, checked before any rule (as native)
            check_attributes(ir.attribute_types, request, customer, transaction)
        item = find_item(request, transaction)
        ctx = Context(request, customer, transaction, actor, case, as_of, item, rank)
        ev = Evaluator(ir.facts, ctx)

        def matched(rules: tuple[Rule, ...]) -> list[int]:
            return [
                r.position for r in rules if all(ev.truth(x.expr) is True for x in r.conditions)
            ]

        def applied(guards: tuple[Rule, ...]) -> list[int]:
            # A guard that fails closed applies unless a condition is definitely false.
            return [
                g.position
                for g in guards
                if all(
                    (ev.truth(x.expr) is not False) if g.fails_closed else ev.truth(x.expr) is True
                    for x in g.conditions
                )
            ]

        return self._verdicts.fold(applied(ir.guards), matched(ir.standard), matched(ir.flex), rank)


def compile_policy(ir: PolicyIR, engine: str, explainer: Explainer[E]) -> CompiledPolicy[E]:
    """Compile `ir` for `engine` ("native", "durable", or "reference" for the tests).

    The durable adapter is imported only when asked for: deciding natively never
    loads it (nor durable-rules).
    """
    verdicts = VerdictCache(ir)
    native = compile_native(ir, verdicts)
    backend: Backend
    if engine == "durable":
        from .durable import DurableBackend  # noqa: PLC0415 - the optional engine, on demand

        backend = DurableBackend(ir, verdicts)
    elif engine == "reference":
        backend = ReferenceBackend(ir, verdicts)
    elif engine == "native":
        backend = native
    else:
        raise ValueError(f"unknown engine {engine!r}")  # `Policy` refuses it first
    actor = Actor(id="unknown", role=ir.roles[0])
    return CompiledPolicy(ir, engine, verdicts, backend, backend.match, native, actor, explainer)
