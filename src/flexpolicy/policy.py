"""Load policies and decide: `load_policy`, `load_policies`, `Policy`, `PolicySet`.

The pipeline, one stage per module: `_yaml` (safe load with locations) ->
`schema` + `_build` (validate, type-check, build the IR) -> `_compile` (native
back end) -> `_semantics` (matches to verdict) -> `decision` / `_explain`
(lazy rationale, trace, alternatives, levers).

A `Policy` is immutable after loading and holds no per-decision state, so one
instance can serve every thread of a POS backend.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from ._build.builder import build_policy
from ._build.located import load_yaml
from ._engine.context import coerce, decision_date, make_context, unknown_role
from ._engine.durable import DurableMatcher
from ._engine.native import Matcher, compile_policy
from ._engine.semantics import STAGE_GUARD, Verdict, VerdictCache
from ._explain.cache import ExplainCache
from ._explain.evaluation import Evaluation
from ._facts.consistency import check_facts
from ._ir import PolicyIR
from .decision import Decision, Facts
from .errors import InputError, PolicyError, Problem
from .models import Actor, CaseFacts, Customer, Request, Situation, Transaction

__all__ = ["Policy", "PolicySet", "load_policies", "load_policy"]

Engine = Literal["native", "durable"]
ENGINES: tuple[str, ...] = ("native", "durable")
FactsIn = Mapping[str, Any]
# A situation's records, in the order a `Decision` keeps them (`decision.Facts`).
_SITUATION_FIELDS = operator.itemgetter(
    "request", "customer", "transaction", "actor", "as_of", "case"
)


def _read(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise PolicyError.single(
            "unreadable", f"cannot read policy file: {exc.strerror or exc}", file=str(path)
        ) from None


def _check_engine(engine: str, file: str) -> None:
    if engine in ENGINES:
        return
    raise PolicyError.single(
        "unknown-engine",
        f"unknown engine `{engine}`",
        file=file,
        hint="engines are: " + ", ".join(f"`{e}`" for e in ENGINES),
    )


class Policy:
    """One compiled policy.  Use `load_policy` or `Policy.from_yaml` to make one."""

    __slots__ = (
        "_amounts",
        "_default_actor",
        "_durable",
        "_explain_cache",
        "_ir",
        "_lever_cap",
        "_match",
        "_source",
        "_verdicts",
        "engine",
    )

    def __init__(self, ir: PolicyIR, *, engine: Engine = "native") -> None:
        _check_engine(engine, ir.file)
        self._ir = ir
        self._verdicts = VerdictCache(ir)
        compiled = compile_policy(ir, self._verdicts)
        self._match: Matcher = compiled.match
        self._lever_cap = compiled.lever_cap
        self._amounts = compiled.amounts
        self._source = compiled.source
        # The durable back end decides which rules match; everything after that
        # (semantics, rationale, trace, alternatives) is shared with the native one.
        self._durable = DurableMatcher(ir) if engine == "durable" else None
        self._default_actor = Actor(id="unknown", role=ir.roles[0])  # "no actor": lowest role
        # What explaining needs to know of the policy's expressions, filled on first use.
        self._explain_cache = ExplainCache(ir)
        self.engine = engine

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
    def id(self) -> str:
        return self._ir.id

    @property
    def version(self) -> str:
        return self._ir.version

    @property
    def title(self) -> str | None:
        return self._ir.title

    @property
    def digest(self) -> str:
        """`sha256:` hash of the policy's content (comments and layout excluded)."""
        return self._ir.digest

    @property
    def file(self) -> str:
        return self._ir.file

    @property
    def applies_to(self) -> tuple[str, ...]:
        return self._ir.applies_to

    @property
    def roles(self) -> tuple[str, ...]:
        return self._ir.roles

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self._ir.rules)

    def __repr__(self) -> str:
        return f"<Policy {self.id} {self.version} ({len(self._ir.rules)} rules, {self.engine})>"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle the checked IR, not the generated code: a worker process (Dask,
        multiprocessing) recompiles it once on arrival, so it decides the same."""
        return (_rebuild, (self._ir, self.engine))

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
        # The records come one by one, so every check runs (as in `make_context`).
        ir = self._ir
        if request.kind not in ir.applies_to:
            raise self._wrong_kind(request.kind)
        if self._durable is not None:
            ctx = make_context(
                ir.roles, ir.rank, request, customer, transaction, actor, as_of, case
            )
            verdict = self._verdicts.get(*self._durable.match(ctx), ctx.rank)
            return Decision(verdict, (request, customer, transaction, actor, ctx.as_of, case), self)
        # `make_context`'s checks without its `Context`: the match reads the records.
        if as_of is None:
            as_of = request.requested_at
        elif type(as_of) is not date:
            as_of = decision_date(as_of, request)  # a datetime, or not a date at all
        acting, rank = self._default_actor, 0
        if actor is not None:
            found = ir.rank.get(actor.role)
            if found is None:
                raise unknown_role(actor.role, ir.roles)
            acting, rank = actor, found
        check_facts(request, customer, transaction, as_of, case)
        verdict = self._match(request, customer, transaction, acting, case, as_of, rank)
        return Decision(verdict, (request, customer, transaction, actor, as_of, case), self)

    def decide_situation(self, situation: Situation | FactsIn) -> Decision:
        """Decide one `Situation` (or a mapping shaped like one)."""
        s = situation if type(situation) is Situation else coerce(situation, Situation, "situation")
        return self._decide_built(s) if self._durable is None else self._decide_durable(s)

    def decide_all(self, situations: Iterable[Situation | FactsIn]) -> list[Decision]:
        """Decide many situations (the batch and replay path), in order."""
        decide = self._decide_built if self._durable is None else self._decide_durable
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
            raise exc.prefixed(f"situation {len(out)}: ") from None
        return out

    def iter_decide(self, situations: Iterable[Situation | FactsIn]) -> Iterator[Decision]:
        """Like `decide_all`, one decision at a time, for histories of any length."""
        return _numbered(self.decide_situation, situations)

    def _decide_built(self, s: Situation) -> Decision:
        """Decide a built `Situation`: it checked its own facts when it was made, so
        only what depends on this policy (the request kind, the actor's role) is
        checked here.  The decision keeps the situation itself as its facts."""
        request, customer, transaction, actor, as_of, case = _SITUATION_FIELDS(s.__dict__)
        ir = self._ir
        if request.kind not in ir.applies_to:
            raise self._wrong_kind(request.kind)
        rank: int | None = 0
        if actor is None:
            actor = self._default_actor
        else:
            rank = ir.rank.get(actor.role)
            if rank is None:
                raise unknown_role(actor.role, ir.roles)
        if as_of is None:
            as_of = request.requested_at
        verdict = self._match(request, customer, transaction, actor, case, as_of, rank)
        return Decision(verdict, s, self)

    def _decide_durable(self, s: Situation) -> Decision:
        return self._decide_checked(s)

    def _wrong_kind(self, kind: str) -> InputError:
        ir = self._ir
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

    def _compiled_args(self, facts: Facts | Situation) -> tuple[Any, ...]:
        """A decision's facts as the compiled functions take them (the records were
        checked when it was made: only the defaults are filled in)."""
        request, customer, transaction, actor, as_of, case = (
            facts if isinstance(facts, tuple) else _SITUATION_FIELDS(facts.__dict__)
        )
        rank = 0 if actor is None else self._ir.rank[actor.role]
        return (
            request,
            customer,
            transaction,
            self._default_actor if actor is None else actor,
            case,
            request.requested_at if as_of is None else as_of,
            rank,
        )

    def _amount(self, verdict: Verdict, facts: Facts | Situation) -> Decimal | None:
        """`Evaluation.amount`, compiled: what an approval (or its referral) stands for."""
        if not verdict.grants:
            return None
        return self._amounts[verdict.rule.id](*self._compiled_args(facts))

    def _largest_lever_cap(self, verdict: Verdict, facts: Facts | Situation) -> Decimal | None:
        if verdict.stage == STAGE_GUARD:
            return None  # guarded requests get no gestures (as `levers`)
        return self._lever_cap(*self._compiled_args(facts))

    def _evaluation(self, verdict: Verdict, facts: Facts | Situation) -> Evaluation:
        """What a decision needs to explain itself: its facts, checked again, in context."""
        ir = self._ir
        records: Facts = facts if isinstance(facts, tuple) else _SITUATION_FIELDS(facts.__dict__)
        request, customer, transaction, actor, as_of, case = records
        ctx = make_context(ir.roles, ir.rank, request, customer, transaction, actor, as_of, case)
        return Evaluation(ir, ctx, verdict, self._decide_checked, self._explain_cache)


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


def internal_error(
    exc: BaseException,
    file: str,
    *,
    what: str = "loading this file",
    hint: str = "please report it with the file; the exception is chained as `__cause__`",
) -> PolicyError:
    """An unexpected exception while loading `file`, as a one-line `PolicyError`.

    Only the first line of the exception's message is kept, without control
    characters and cut at 200 characters: never a traceback.
    """
    lines = str(exc).strip().splitlines()
    detail = "".join(ch if ch.isprintable() else " " for ch in lines[0]) if lines else ""
    if len(detail) > 200:
        detail = detail[:199] + "…"
    return PolicyError.single(
        "internal-error",
        f"{what} failed with `{type(exc).__name__}`{': ' + detail if detail else ''}"
        " (a bug in flexpolicy, not in the policy)",
        file=file,
        hint=hint,
    )


def load_policy(path: str | Path, *, engine: Engine = "native") -> Policy:
    """Load, check and compile one policy file; raise `PolicyError` listing every problem."""
    _check_engine(engine, str(path))
    return Policy.from_yaml(_read(path), file=str(path), engine=engine)


def is_escalations_file(path: str | Path) -> bool:
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
        if is_escalations_file(path):
            continue  # escalation rules live beside the policies; `flexpolicy.cases` reads them
        try:
            policies.append(load_policy(path, engine=engine))
        except PolicyError as exc:
            problems.extend(exc.problems)
            bug = bug or (exc.__cause__ if exc.code == "internal-error" else None)
    if problems:
        raise PolicyError(problems) from bug
    return PolicySet(policies)
