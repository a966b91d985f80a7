"""Explanations rendered on demand: rationale, trace, alternatives and levers.

An `Evaluation` is what a decision explains itself from, made the first time
someone reads `decision.rationale`, `.trace`, `.alternatives` or `.levers`.  It
holds the decision's `Record` (what was seen: the reference evaluator's values,
each rule's conditions) and its `Phrases` (the words for it, remembered per
node), and hands both to the module that tells each part:

- `trace`: the rules the decision went through, with values and words;
- `rationale`: why, for staff and for the customer;
- `counterfactual`: the better outcomes within reach, checked by `redecide`;
- `levers`: the gestures this actor may offer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._engine.context import Context
from .._engine.semantics import Verdict
from .._ir import PolicyIR
from ..decision import Alternative, Lever, Rationale, RuleTrace
from . import counterfactual, levers, missing, rationale, redecide, trace
from .cache import ExplainCache
from .counterfactual import Candidate
from .phrases import Phrases
from .record import Record
from .redecide import DecideSituation

if TYPE_CHECKING:
    from ..decision import Decision


class Evaluation:
    """What one decision saw; explains it lazily."""

    __slots__ = (
        "_ranked",
        "cache",
        "ctx",
        "decide",
        "ir",
        "phrases",
        "record",
        "stage",
        "verdict",
    )

    def __init__(
        self,
        ir: PolicyIR,
        ctx: Context,
        verdict: Verdict,
        decide: DecideSituation,
        cache: ExplainCache | None = None,
    ) -> None:
        self.ir = ir
        self.ctx = ctx
        self.stage = verdict.stage
        self.verdict = verdict
        self.decide = decide
        # The policy's static answers (walks, nouns, units), shared by its decisions.
        self.cache = ExplainCache(ir) if cache is None else cache
        self.record = Record(ir, ctx, verdict, self.cache)
        self.phrases = Phrases(self.record, self.cache)
        self._ranked: list[Candidate] | None = None

    def ranked(self) -> list[Candidate]:
        """The rules the alternatives stand for, best first (`counterfactual.ranked`)."""
        if self._ranked is None:
            self._ranked = counterfactual.ranked(self.record)
        return self._ranked

    def redecide(self, changes: dict[str, Any]) -> Decision | None:
        """The decision on this situation with `changes` applied; None if they do not fit."""
        return redecide.redecide(self.ctx, self.decide, changes)

    def trace(self) -> list[RuleTrace]:
        return trace.trace(self.record, self.phrases)

    def alternatives(self, decision: Decision) -> list[Alternative]:
        del decision  # the verdict it stands for is ours already
        return counterfactual.alternatives(self.record, self.phrases, self.ranked(), self.redecide)

    def levers(self) -> list[Lever]:
        return levers.levers(self.record, self.phrases)

    def missing(self) -> tuple[str, ...]:
        return missing.missing(self.record)

    def rationale(self, decision: Decision) -> Rationale:
        return rationale.rationale(
            self.record,
            self.phrases,
            decision.amount,
            self.ranked,
            fee=decision.fee,
            promises=[(p.what, p.due) for p in decision.promises],
        )
