"""One solver over one symbolic situation, and the way back to real situations.

A `Session` owns a private z3 context, a `Space`, and a solver holding the
space's domain.  Questions are asked with *assumptions* (literals standing for
"rule r matches", "rule r does not match") so one solver answers hundreds of
reachability questions incrementally, and an unsatisfiable answer comes with
its core: the rules that together shadow another.

Witnesses are asked for with readable values first (dates this decade, small
amounts, lowercase words) and with the full domain only when that fails.
Every witness is replayed on the real policy before it is shown: the solver
proposes, the evaluator confirms.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from .._engine.context import make_context
from .._engine.interpreter import Evaluator
from .._ir import Condition, PolicyIR
from ..decision import Decision
from ..errors import InputError
from ..models import Situation
from ..policy import Policy
from .encode import Encoder
from .solver import solver_module
from .space import Space

Answer = Literal["sat", "unsat", "unknown"]
DEFAULT_TIMEOUT_MS = 20_000


class Session:
    def __init__(self, *, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
        self.z = solver_module()
        self.ctx = self.z.Context()
        self.space = Space(self.ctx)
        self.solver = self.z.Solver(ctx=self.ctx)
        self.solver.set("timeout", timeout_ms)
        self.solver.set("core.minimize", True)  # "shadowed by A" rather than "by A, B and C"
        self._synced = 0
        self._literals: dict[str, Any] = {}

    def encoder(self, ir: PolicyIR, space: Space | None = None) -> Encoder:
        return Encoder(ir, space or self.space)

    def literal(self, name: str, meaning: Any) -> Any:
        """A literal that, when assumed, makes `meaning` hold (made once per name)."""
        found = self._literals.get(name)
        if found is None:
            found = self._literals[name] = self.z.Bool(name, self.ctx)
            self.solver.add(self.z.Implies(found, meaning))
        return found

    def _sync(self) -> None:
        domain = self.space.domain
        if self._synced < len(domain):
            self.solver.add(*domain[self._synced :])
            self._synced = len(domain)

    def ask(self, *assumptions: Any) -> Answer:
        """Is there a situation where every assumption holds?"""
        self._sync()
        return str(self.solver.check(*assumptions))  # type: ignore[return-value]  # one of three

    def core(self) -> list[str]:
        """After an `unsat` answer: the names of assumptions that suffice for it."""
        return [str(lit) for lit in self.solver.unsat_core()]

    def witness(self, *assumptions: Any) -> Situation | None:
        """A readable situation where the assumptions hold, if there is one."""
        found = self.witnesses(*assumptions, spaces=(self.space,))
        return found[0] if found is not None else None

    def witnesses(
        self, *assumptions: Any, spaces: tuple[Space, ...]
    ) -> tuple[Situation, ...] | None:
        """One model read through each of `spaces` (this space and its twins), readable first."""
        self._sync()
        nice = self.z.And(*self.space.nice) if self.space.nice else self.z.BoolVal(True, self.ctx)
        for extra in ((nice,), ()):
            if str(self.solver.check(*assumptions, *extra)) != "sat":
                continue
            model = self.solver.model()
            found = [space.situation(model) for space in spaces]
            if all(s is not None for s in found):
                return tuple(s for s in found if s is not None)
        return None


def simplify(
    situations: tuple[Situation, ...], keeps: Callable[[tuple[Situation, ...]], bool]
) -> tuple[Situation, ...]:
    """Drop the account flags and store attributes a witness does not need.

    A solver sets every flag it is free to set; a reader wants only the ones
    that matter.  Each is removed (from every situation of the witness alike)
    when the witness still shows what it shows without it.
    """
    current = situations
    flags = sorted({f for s in situations for f in s.customer.flags})
    names = sorted({a for s in situations for a in s.customer.attributes})
    for flag in flags:
        trial = tuple(_customer(s, flags=s.customer.flags - {flag}) for s in current)
        if keeps(trial):
            current = trial
    for name in names:
        trial = tuple(
            _customer(s, attributes={k: v for k, v in s.customer.attributes.items() if k != name})
            for s in current
        )
        if keeps(trial):
            current = trial
    return current


def _customer(situation: Situation, **changes: Any) -> Situation:
    return situation.model_copy(update={"customer": situation.customer.model_copy(update=changes)})


def replay(policy: Policy, situation: Situation) -> Decision | None:
    """The real decision for a witness, or None if the policy refuses the facts."""
    try:
        return policy.decide_situation(situation)
    except InputError:
        return None


def conditions_hold(ir: PolicyIR, situation: Situation, conditions: tuple[Condition, ...]) -> bool:
    """Whether every condition is definitely true in `situation`, on the real evaluator."""
    try:
        ctx = make_context(
            ir.roles,
            ir.rank,
            situation.request,
            situation.customer,
            situation.transaction,
            situation.actor,
            situation.as_of,
            situation.case,
        )
    except InputError:
        return False
    evaluator = Evaluator(ir.facts, ctx)
    return all(evaluator.truth(x.expr) is True for x in conditions)
