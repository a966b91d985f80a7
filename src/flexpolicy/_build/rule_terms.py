"""What a rule grants or charges: remedies, amount, fee, promises and a guard's `unknown:`.

The policy builder checks a rule's conditions, outcome and authority; these are
the terms of what the decision stands for (DESIGN.md 2.3), checked against the
outcome they sit on: an `amount:` belongs to an approval (a denial's money is
its `fee:`), a promise to an approval, `unknown:` to a guard.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from .._diagnostics.suggest import did_you_mean
from .._ir import Promise
from .._lang import checked as c
from .._lang import types as t
from .._lang.checker import check_text
from ..schema import DefaultSpec, PromiseSpec, RuleSpec
from .conditions import ConditionBuilder
from .located import Path

UNKNOWN_CHOICES = ("apply", "skip")


class RuleTerms(ConditionBuilder):
    """The checks of a rule's terms, shared by the rules and the default."""

    remedies: tuple[str, ...]

    def _remedies(
        self, raw: str | list[str] | None, outcome: str | None, path: Path, rule_id: str
    ) -> tuple[str, ...]:
        """Every remedy offered, in the author's order (the first is the default)."""
        if raw is None:
            return ()
        names = [raw] if isinstance(raw, str) else list(raw)
        if outcome is not None and outcome != "approve":
            self.report(
                "bad-remedy",
                f"a `{outcome}` has no remedy",
                path,
                "remove `remedy`, or make the outcome `approve`",
                rule_id,
            )
            return ()
        seen: list[str] = []
        for i, remedy in enumerate(names):
            where = path if isinstance(raw, str) else (*path, i)
            if remedy not in self.remedies:
                self.report(
                    "bad-remedy",
                    f"unknown remedy `{remedy}`",
                    where,
                    did_you_mean(remedy, self.remedies)
                    or "declare store-specific remedies under `remedies:`",
                    rule_id,
                )
            elif remedy in seen:
                self.report(
                    "bad-remedy",
                    f"remedy `{remedy}` is offered twice",
                    where,
                    "list each remedy once",
                    rule_id,
                )
            else:
                seen.append(remedy)
        return tuple(seen)

    def _money_expr(self, raw: Any, path: Path, rule_id: str, what: str) -> c.Expr | None:
        """An `amount:` or `fee:`: a number, or an expression of one."""
        if raw is None:
            return None
        if isinstance(raw, int | Decimal) and not isinstance(raw, bool):
            return c.Const(t.MONEY, 0, 0, Decimal(raw))
        checked = check_text(str(raw), self.scope, want_bool=False)
        for problem in checked.problems:
            self.report(
                problem.code, problem.message, path, problem.hint, rule_id, offset=problem.start
            )
        if checked.expr is not None and not (
            checked.expr.type.numeric or checked.expr.type.lenient
        ):
            self.report(
                "type-mismatch",
                f"`{what}` must be a number, not {checked.expr.type.describe()}",
                path,
                f"e.g. `{what}: item_price` or `{what}: min(request.amount, 50)`",
                rule_id,
            )
            return None
        return self.bounded(checked.expr, path, rule_id, f"the {what}")

    def _amount(
        self, spec: RuleSpec | DefaultSpec, outcome: str | None, path: Path, rule_id: str
    ) -> c.Expr | None:
        if spec.amount is not None and outcome in ("deny", "refer"):
            self.report(
                "bad-amount",
                f"a `{outcome}` grants no amount",
                (*path, "amount"),
                "money a denial leaves in place is its `fee:`; an amount belongs to an approval",
                rule_id,
                key=True,
            )
            return None
        return self._money_expr(spec.amount, (*path, "amount"), rule_id, "amount")

    def _fee(
        self, spec: RuleSpec | DefaultSpec, outcome: str | None, path: Path, rule_id: str
    ) -> c.Expr | None:
        if spec.fee is not None and outcome == "refer":
            self.report(
                "bad-fee",
                "a referral decides nothing yet, so it charges no fee",
                (*path, "fee"),
                "put the fee on the approval or the denial it leads to",
                rule_id,
                key=True,
            )
            return None
        return self._money_expr(spec.fee, (*path, "fee"), rule_id, "fee")

    def _promises(
        self, spec: RuleSpec | DefaultSpec, outcome: str | None, path: Path, rule_id: str
    ) -> tuple[Promise, ...]:
        raw = spec.promise
        if raw is None:
            return ()
        where: Path = (*path, "promise")
        if outcome is not None and outcome != "approve":
            self.report(
                "bad-promise",
                f"a `{outcome}` promises nothing",
                where,
                "promises belong to approvals: remove `promise`, or approve",
                rule_id,
                key=True,
            )
            return ()
        items: list[PromiseSpec] = [raw] if isinstance(raw, PromiseSpec) else list(raw)
        out: list[Promise] = []
        for i, item in enumerate(items):
            at = where if isinstance(raw, PromiseSpec) else (*where, i)
            days, business = item.within_days, item.within_business_days
            if (days is None) == (business is None):
                self.report(
                    "bad-promise",
                    "a promise needs exactly one of `within_days` and `within_business_days`",
                    at,
                    "e.g. `promise: {what: refund to the original payment, "
                    "within_business_days: 5}`",
                    rule_id,
                )
                continue
            out.append(
                Promise(item.what, business if days is None else days, days is None)  # type: ignore[arg-type]  # one of the two is set
            )
        return tuple(out)

    def _unknown(
        self, spec: RuleSpec | DefaultSpec, kind: str, path: Path, rule_id: str
    ) -> Literal["apply", "skip"]:
        raw = getattr(spec, "unknown", None)
        if raw is None:
            return "apply"
        where: Path = (*path, "unknown")
        if kind != "guard":
            self.report(
                "bad-unknown",
                "only guards say what an unknown condition does",
                where,
                "remove `unknown`: a standard or flex rule never matches on an unknown condition",
                rule_id,
                key=True,
            )
        elif raw not in UNKNOWN_CHOICES:
            self.report(
                "bad-unknown",
                f"unknown choice `{raw}` for `unknown`",
                where,
                did_you_mean(raw, UNKNOWN_CHOICES) or "choose `apply` (the default) or `skip`",
                rule_id,
            )
        return "skip" if raw == "skip" else "apply"
