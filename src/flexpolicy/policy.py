"""Load policies and decide: `load_policy`, `load_policies`, `Policy`, `PolicySet`.

The pipeline, one stage per package: `_build` (YAML with locations, the file's
shape, the checked IR) -> `_engine` (a back end behind `_engine.backend`'s one
contract: matched rules folded into a shared verdict by `_engine.semantics`) ->
`decision` / `_explain` (the rationale, trace, alternatives and levers, rendered
on demand).  `Policy` is the thin public front over the `CompiledPolicy` loading
makes: it checks the caller's facts and hands them to the back end's matcher.

A `Policy` is immutable after loading and holds no per-decision state, so one
instance can serve every thread of a POS backend.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from ._build.builder import build_policy
from ._build.internal import internal_error
from ._build.located import load_yaml
from ._engine import backend
from ._engine.backend import SITUATION_FIELDS, CompiledPolicy, Engine
from ._engine.context import Context, coerce, decision_date, unknown_role
from ._engine.semantics import Verdict
from ._explain.cache import ExplainCache
from ._explain.evaluation import Evaluation
from ._facts.consistency import check_facts
from ._ir import PolicyIR
from .decision import Decision
from .errors import InputError, PolicyError, Problem
from .models import Actor, CaseFacts, Customer, Request, Situation, Transaction

__all__ = ["Policy", "PolicySet", "load_policies", "load_policy"]

FactsIn = Mapping[str, Any]
# The compiled policy a `Policy` fronts: its decisions explain themselves as `Evaluation`s.
Compiled = CompiledPolicy[Evaluation]


def _read(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise PolicyError.single(
            "unreadable", f"cannot read policy file: {exc.strerror or exc}", file=str(path)
        ) from None


def _check_engine(engine: str, file: str) -> None:
    if engine in backend.ENGINES:
        return
    raise PolicyError.single(
        "unknown-engine",
        f"unknown engine `{engine}`",
        file=file,
        hint="engines are: " + ", ".join(f"`{e}`" for e in backend.ENGINES),
    )


def _compile(ir: PolicyIR, engine: str) -> Compiled:
    """The IR compiled for `engine`, its decisions explained by `_explain`."""
    # What explaining needs to know of the policy's expressions, filled on first use.
    return backend.compile_policy(ir, engine, partial(_evaluation, ExplainCache(ir)))


def _evaluation(
    cache: ExplainCache, compiled: Compiled, ctx: Context, verdict: Verdict
) -> Evaluation:
    """`CompiledPolicy.explain`: what a decision explains itself from (`Evaluation`).

    Counterfactuals re-decide through a front made on the spot, so the compiled
    policy keeps no reference to a `Policy` (and no cycle to collect).
    """
    return Evaluation(compiled.ir, ctx, verdict, Policy._over(compiled)._decide_checked, cache)


class Policy:
    """One compiled policy.  Use `load_policy` or `Policy.from_yaml` to make one.

    `_core` (a `CompiledPolicy`) is everything loading made, and the one thing of
    a `Policy` flexpolicy's own tools read: the analysis, `flexpolicy.testing`, the
    one-page document and the verifier take the IR from it (`policy._core.ir`),
    the tests its back end and generated code.
    """

    __slots__ = ("_core",)

    def __init__(self, ir: PolicyIR, *, engine: Engine = "native") -> None:
        _check_engine(engine, ir.file)
        self._core: Compiled = _compile(ir, engine)

    @classmethod
    def _over(cls, core: Compiled) -> Policy:
        """A front over an already compiled policy (the same core: nothing is compiled)."""
        front = cls.__new__(cls)
        front._core = core
        return front

    @classmethod
    def from_yaml(
        cls, text: str | bytes, *, file: str = "<string>", engine: Engine = "native"
    ) -> Policy:
        """Load a policy from YAML text (`file` names it in error messages).

        Raises `PolicyError` and nothing else: an unexpected exception while loading
        is a bug in flexpolicy, reported as the problem `internal-error` (with the
        exception as its `__cause__`), so that a server or a store loading untrusted
        files can rely on one exception type.
        """
        _check_engine(engine, file)
        try:
            loaded = load_yaml(text, file)
            ir, problems = build_policy(loaded)
            if ir is None:
                raise PolicyError(problems)
            return cls(ir, engine=engine)
        except PolicyError:
            raise
        except Exception as exc:  # the one door for flexpolicy's own bugs (see docstring)
            raise internal_error(exc, file) from exc

    # -- identity ---------------------------------------------------------------
    @property
    def engine(self) -> str:
        """The back end that matches: `native` or `durable`."""
        return self._core.engine

    @property
    def id(self) -> str:
        return self._core.ir.id

    @property
    def version(self) -> str:
        return self._core.ir.version

    @property
    def title(self) -> str | None:
        return self._core.ir.title

    @property
    def digest(self) -> str:
        """`sha256:` hash of the policy's content (comments and layout excluded)."""
        return self._core.ir.digest

    @property
    def file(self) -> str:
        return self._core.ir.file

    @property
    def applies_to(self) -> tuple[str, ...]:
        return self._core.ir.applies_to

    @property
    def roles(self) -> tuple[str, ...]:
        return self._core.ir.roles

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self._core.ir.rules)

    def __repr__(self) -> str:
        core = self._core
        return f"<Policy {self.id} {self.version} ({len(core.ir.rules)} rules, {core.engine})>"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle the checked IR, not the generated code: a worker process (Dask,
        multiprocessing) recompiles it once on arrival, so it decides the same."""
        return (_rebuild, (self._core.ir, self._core.engine))

    # -- deciding ---------------------------------------------------------------
    def decide(
        self,
        request: Request | FactsIn,
        *,
        customer: Customer | FactsIn,
        transaction: Transaction | FactsIn | None = None,
        actor: Actor | FactsIn | None = None,
        as_of: date | None = None,
        case: CaseFacts | FactsIn | None = None,
    ) -> Decision:
        """Decide one request.  Raises `InputError` for missing or contradictory facts."""
        # `type(x) is M` first: the models' common case skips a call to `coerce`.
        if type(request) is not Request:
            request = coerce(request, Request, "request")
        if type(customer) is not Customer:
            customer = coerce(customer, Customer, "customer")
        if transaction is not None and type(transaction) is not Transaction:
            transaction = coerce(transaction, Transaction, "transaction")
        if actor is not None and type(actor) is not Actor:
            actor = coerce(actor, Actor, "actor")
        if case is not None and type(case) is not CaseFacts:
            case = coerce(case, CaseFacts, "case")
        # The records come one by one, so every check runs (`make_context`'s, without
        # its `Context`: the matcher reads the records).
        core = self._core
        ir = core.ir
        if request.kind not in ir.applies_to:
            raise self._wrong_kind(request.kind)
        if as_of is None:
            as_of = request.requested_at
        elif type(as_of) is not date:
            as_of = decision_date(as_of, request)  # a datetime, or not a date at all
        acting, rank = core.default_actor, 0
        if actor is not None:
            found = ir.rank.get(actor.role)
            if found is None:
                raise unknown_role(actor.role, ir.roles)
            acting, rank = actor, found
        check_facts(request, customer, transaction, as_of, case)
        verdict = core.match(request, customer, transaction, acting, case, as_of, rank)
        return Decision(verdict, (request, customer, transaction, actor, as_of, case), core)

    def decide_situation(self, situation: Situation | FactsIn) -> Decision:
        """Decide one `Situation` (or a mapping shaped like one)."""
        s = situation if type(situation) is Situation else coerce(situation, Situation, "situation")
        return self._decide_built(s)

    def decide_all(self, situations: Iterable[Situation | FactsIn]) -> list[Decision]:
        """Decide many situations (the batch and replay path), in order."""
        decide = self._decide_built
        out: list[Decision] = []
        append = out.append
        try:  # one `try` around the loop: free until something is wrong
            for situation in situations:
                append(
                    decide(
                        situation
                        if type(situation) is Situation
                        else coerce(situation, Situation, "situation")
                    )
                )
        except InputError as exc:
            # `len(out)` names the culprit, whether deciding it or reading it failed.
            raise InputError(
                f"situation {len(out)}: {exc.message}", code=exc.code, hint=exc.hint
            ) from None
        return out

    def iter_decide(self, situations: Iterable[Situation | FactsIn]) -> Iterator[Decision]:
        """Like `decide_all`, one decision at a time, for histories of any length."""
        return _numbered(self.decide_situation, situations)

    def _decide_built(self, s: Situation) -> Decision:
        """Decide a built `Situation`: it checked its own facts when it was made, so
        only what depends on this policy (the request kind, the actor's role) is
        checked here.  The decision keeps the situation itself as its facts."""
        request, customer, transaction, actor, as_of, case = SITUATION_FIELDS(s.__dict__)
        core = self._core
        ir = core.ir
        if request.kind not in ir.applies_to:
            raise self._wrong_kind(request.kind)
        rank: int | None = 0
        if actor is None:
            actor = core.default_actor
        else:
            rank = ir.rank.get(actor.role)
            if rank is None:
                raise unknown_role(actor.role, ir.roles)
        if as_of is None:
            as_of = request.requested_at
        verdict = core.match(request, customer, transaction, actor, case, as_of, rank)
        return Decision(verdict, s, core)

    def _wrong_kind(self, kind: str) -> InputError:
        ir = self._core.ir
        return InputError(
            f"policy `{ir.id}` does not decide `{kind}` requests",
            code="wrong-policy",
            hint="it applies to: " + ", ".join(f"`{k}`" for k in ir.applies_to),
        )

    def _decide_checked(self, s: Situation) -> Decision:
        """Decide a situation that may not have checked itself (`model_construct`)."""
        return self.decide(
            s.request,
            customer=s.customer,
            transaction=s.transaction,
            actor=s.actor,
            as_of=s.as_of,
            case=s.case,
        )


def _numbered(
    decide: Callable[[Situation | FactsIn], Decision], situations: Iterable[Situation | FactsIn]
) -> Iterator[Decision]:
    """Decide one at a time; an `InputError` names the situation's position, whether
    deciding it or reading it (a bad line of a file) failed."""
    count = 0
    try:
        for situation in situations:
            decision = decide(situation)
            count += 1
            yield decision
    except InputError as exc:
        raise exc.prefixed(f"situation {count}: ") from None


def _rebuild(ir: PolicyIR, engine: Engine) -> Policy:
    return Policy(ir, engine=engine)


def load_policy(path: str | Path, *, engine: Engine = "native") -> Policy:
    """Load, check and compile one policy file; raise `PolicyError` listing every problem."""
    _check_engine(engine, str(path))
    return Policy.from_yaml(_read(path), file=str(path), engine=engine)


def _is_escalations_file(path: str | Path) -> bool:
    """Whether a YAML file in a rules directory holds escalation rules, not a policy."""
    try:
        head = Path(path).read_text(encoding="utf-8", errors="replace")[:4096]
    except OSError:
        return False
    keys = {line.split(":", 1)[0].strip() for line in head.splitlines() if line[:1].isalpha()}
    return "escalations" in keys and "policy" not in keys


class PolicySet:
    """Several policies, each deciding its own request kinds."""

    __slots__ = ("_by_kind", "policies")

    def __init__(self, policies: Iterable[Policy]) -> None:
        self.policies: tuple[Policy, ...] = tuple(policies)
        by_kind: dict[str, Policy] = {}
        problems: list[Problem] = []
        for policy in self.policies:
            for kind in policy.applies_to:
                other = by_kind.get(kind)
                if other is not None:
                    problems.append(
                        Problem(
                            "kind-conflict",
                            f"request kind `{kind}` is claimed by `{other.id}` ({other.file}) "
                            f"and `{policy.id}`",
                            policy.file,
                            1,
                            1,
                            "each request kind must be decided by exactly one policy",
                        )
                    )
                by_kind.setdefault(kind, policy)
        if problems:
            raise PolicyError(problems)
        self._by_kind = by_kind

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(sorted(self._by_kind))

    def __iter__(self) -> Iterator[Policy]:
        return iter(self.policies)

    def __len__(self) -> int:
        return len(self.policies)

    def __getitem__(self, policy_id: str) -> Policy:
        for policy in self.policies:
            if policy.id == policy_id:
                return policy
        raise KeyError(policy_id)

    def for_kind(self, kind: str) -> Policy:
        policy = self._by_kind.get(kind)
        if policy is None:
            raise InputError(
                f"no policy decides `{kind}` requests",
                code="no-policy",
                hint="policies here decide: " + ", ".join(f"`{k}`" for k in self.kinds),
            )
        return policy

    def decide(
        self,
        request: Request | FactsIn,
        *,
        customer: Customer | FactsIn,
        transaction: Transaction | FactsIn | None = None,
        actor: Actor | FactsIn | None = None,
        as_of: date | None = None,
        case: CaseFacts | FactsIn | None = None,
    ) -> Decision:
        request = coerce(request, Request, "request")
        return self.for_kind(request.kind).decide(
            request, customer=customer, transaction=transaction, actor=actor, as_of=as_of, case=case
        )

    def decide_situation(self, situation: Situation | FactsIn) -> Decision:
        s = coerce(situation, Situation, "situation")
        return self.for_kind(s.request.kind).decide_situation(s)

    def decide_all(self, situations: Iterable[Situation | FactsIn]) -> list[Decision]:
        return list(self.iter_decide(situations))

    def iter_decide(self, situations: Iterable[Situation | FactsIn]) -> Iterator[Decision]:
        return _numbered(self.decide_situation, situations)


def load_policies(directory: str | Path, *, engine: Engine = "native") -> PolicySet:
    """Load every `*.yaml` / `*.yml` policy in a directory; report all problems of all files."""
    root = Path(directory)
    if not root.is_dir():
        raise PolicyError.single("unreadable", "not a directory of policies", file=str(directory))
    files = sorted(p for p in root.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    if not files:
        raise PolicyError.single(
            "no-policies", "no `*.yaml` policy files here", file=str(directory)
        )
    policies: list[Policy] = []
    problems: list[Problem] = []
    bug: BaseException | None = None  # the cause of an `internal-error`, kept for a traceback
    for path in files:
        if _is_escalations_file(path):
            continue  # escalation rules live beside the policies; `flexpolicy.cases` reads them
        try:
            policies.append(load_policy(path, engine=engine))
        except PolicyError as exc:
            problems.extend(exc.problems)
            bug = bug or (exc.__cause__ if exc.code == "internal-error" else None)
    if problems:
        raise PolicyError(problems) from bug
    return PolicySet(policies)
