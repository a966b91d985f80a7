"""The native back end: the checked IR compiled to straight-line Python functions.

Generated from the *typed tree*, never from policy text: every name in the
output is either a parameter of the function, a field name taken from the fact
models, a temporary we made, or a constant we put in the function's globals
(strings, decimals and dates never appear as source literals).  The functions
run with empty `__builtins__`.

The matcher answers with the decision's `Verdict`, testing rules in the order
the decision semantics need: the first guard that applies (a guard that fails
closed tests `is not False` where a standard rule tests `is True`: the same
cost); else the first matching standard rule (or the default) and, if that
denies, every flex rule that bends it.  Verdicts without a flex rule are
constants indexed by the actor's rank, so the common decision allocates
nothing; a denial that flex rules bend goes through `VerdictCache`.  Null
checks are emitted only where the type checker says a value may be missing.

Built-in and policy facts (and the line item) are *slots*, computed at most
once per call.  A fact built on others names their slots instead of nesting
their code: pasting each fact's code into every use made facts that each use the
last twice grow the code exponentially, and chains of facts nest deeper than
CPython's parser allows.  A slot whose code is short (`SHORT` characters) is
computed where it is first needed, inside the expression, so a condition that
short-circuits never pays for it; its code is pasted at each use, at most
`SHORT` characters a use.  A longer one is one assignment just before the first
statement that needs it, and a local after that.  Facts are pure and total, so
computing one before a short-circuit that would have skipped it changes no
decision.  Flex rules are emitted once, after the standard rules, which leave
their one-pass loop by `break` with the denial to bend; a slot computed on some
of the paths to a `break` only is tested against `_U` there.

So the code of a fact appears once in each generated function (the matcher, the
lever cap, each explicit `amount:` and `fee:`; an approval without `amount:` calls
`terms.default_amount`, with its fee's function when it has one), and the
source grows linearly with the policy; it is capped all the same (`MAX_SOURCE`,
`too-complex`), and CPython refusing it is the same error.

Fields of a record the policy reads more than once are read from the model's
`__dict__`: a pydantic model defines `__getattr__`, which keeps CPython from
specialising attribute reads (about 27 ns each against 7 ns for a dict item).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .._ir import PolicyIR
from ..errors import PolicyError
from .native_functions import Generator
from .semantics import Verdict, VerdictCache

# match(request, customer, transaction, actor, case, as_of, rank) -> Verdict
Matcher = Callable[..., Verdict]

# Characters of generated Python.  A policy near the file-size limit compiles to a few
# megabytes (5,000 generated rules, 972 kB of YAML: 3.3 MB of code); CPython compiles
# 13 MB in about 6 s at a 1.2 GB peak, so past this loading would cost more than any
# policy is worth.
MAX_SOURCE = 16_000_000


@dataclass(frozen=True, slots=True)
class NativeBackend:
    """The generated functions of one policy; `match` meets `backend.Backend`.

    The lever cap and the amounts are functions of the facts alone (no matching),
    so every compiled policy takes them from here, whichever back end matches.
    """

    match: Matcher
    # lever_cap(<PARAMS>) -> the largest cap a lever offers this actor, or None
    lever_cap: Callable[..., Decimal | None]
    # amounts[rule id](<PARAMS>) -> what an approval under that rule stands for
    amounts: dict[str, Callable[..., Decimal | None]]
    source: str
    # fees[rule id](<PARAMS>) -> the fee of a rule that has one (`fee:`)
    fees: dict[str, Callable[..., Decimal | None]]


def compile_native(ir: PolicyIR, verdicts: VerdictCache) -> NativeBackend:
    """Generate, compile and load the matcher, lever cap and amounts of one policy."""
    generator = Generator(ir, verdicts)
    sources = [generator.function(), generator.lever_cap()]
    names, fee_names = _money_functions(generator, ir, sources)
    source = "\n".join(sources)
    namespace = generator.namespace
    _load(source, ir, namespace)
    return NativeBackend(
        namespace["_match"],
        namespace["_lever_cap"],
        {rule_id: namespace[name] for rule_id, name in names.items()},
        source,
        {rule_id: namespace[name] for rule_id, name in fee_names.items()},
    )


def _money_functions(
    generator: Generator, ir: PolicyIR, sources: list[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """The amount function of every approving rule and the fee function of every rule
    with a fee, as names of generated functions (appended to `sources`)."""
    fees: dict[str, str] = {}
    for i, rule in enumerate((*ir.guards, *ir.standard, *ir.flex, ir.default)):
        if rule.fee is not None:
            fees[rule.id] = f"_fee_{i}"
            sources.append(generator.money(rule.fee, fees[rule.id]))
    granting = [r for r in (*ir.standard, *ir.flex, ir.default) if r.outcome == "approve"]
    names: dict[str, str] = {}
    if any(rule.amount is None and rule.fee is None for rule in granting):
        sources.append(generator.default_amount(None, "_amount"))
    for i, rule in enumerate(granting):
        if rule.amount is not None:
            names[rule.id] = f"_amount_{i}"
            sources.append(generator.money(rule.amount, names[rule.id]))
        elif rule.fee is not None:
            names[rule.id] = f"_amount_{i}"
            sources.append(generator.default_amount(fees[rule.id], names[rule.id]))
        else:
            names[rule.id] = "_amount"
    return names, fees


def _load(source: str, ir: PolicyIR, namespace: dict[str, Any]) -> None:
    """Compile and run the generated module; a policy CPython cannot take is a `PolicyError`."""
    problem = None
    if len(source) > MAX_SOURCE:
        problem = (
            f"the policy compiles to {len(source):,} characters of code, "
            f"over the limit of {MAX_SOURCE:,}"
        )
    else:
        try:
            exec(compile(source, f"<flexpolicy:{ir.id}>", "exec"), namespace)
        except (SyntaxError, RecursionError, MemoryError) as exc:
            # The limits on nesting and size are meant to keep us from here.
            problem = f"the compiled policy is too complex for Python ({type(exc).__name__})"
    if problem is not None:
        raise PolicyError.single(
            "too-complex",
            problem,
            file=ir.file,
            line=1,
            column=1,
            hint="split the policy by request kind into several files of one directory",
        )
