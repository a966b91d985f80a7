"""Every back end of one policy behind the one contract (`_engine.backend.Backend`).

The differential tests ask each back end for the verdict of the same facts and
compare the answers: the native matcher and the durable adapter against each
other and against the reference back end (the interpreter, every rule tested,
the matches folded by `semantics.fold`).  All of them share the policy's verdict
table, so agreeing back ends answer with the very same `Verdict` object.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings

import flexpolicy
from flexpolicy._engine.backend import Backend, ReferenceBackend
from flexpolicy._engine.semantics import Verdict

NAMES = ("native", "durable", "reference")
# What every differential test sets, each giving its own `max_examples`
# (`@settings(DIFFERENTIAL, max_examples=300)`): whole situations are slow and large to
# draw, a deadline would flake on a loaded machine, and no example database is kept.
DIFFERENTIAL = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Durable rulesets are costly to build: one per policy (the policy is kept alive with it).
_DURABLE: dict[int, tuple[Any, Backend]] = {}


def backend(policy: flexpolicy.Policy, name: str) -> Backend:
    """The back end `name` over `policy`'s IR and verdict table."""
    core = policy._core
    if name == core.engine:
        return core.backend
    if name == "native":
        return core.native
    if name == "reference":
        return ReferenceBackend(core.ir, core.verdicts)
    if name == "durable":
        found = _DURABLE.get(id(core))
        if found is None:
            from flexpolicy._engine.durable import DurableBackend  # noqa: PLC0415 - optional

            found = _DURABLE[id(core)] = (core, DurableBackend(core.ir, core.verdicts))
        return found[1]
    raise ValueError(name)


def verdicts(
    policy: flexpolicy.Policy, situation: flexpolicy.Situation, names: tuple[str, ...] = NAMES
) -> dict[str, Verdict]:
    """Each back end's verdict for one situation, its facts checked first."""
    core = policy._core
    core.context(situation)  # the checks `Policy.decide` runs: the facts must be consistent
    args = core.args(situation)
    return {name: backend(policy, name).match(*args) for name in names}
