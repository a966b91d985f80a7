"""What `flexpolicy check` reports: a finding, its location and its evidence.

A finding is a `Problem` plus a counterexample.  It stays a pydantic model,
field for field the problem's (code, level, message, hint, location, rule id,
related) and then the situation, because a finding is also data: it goes out as
JSON (`check --format json`) with its counterexample, a `Situation`, and comes
back with `Finding.model_validate`.  `problem` gives it as the one diagnostic
type, and `format` prints it through `Problem.format`.
"""

from __future__ import annotations

from dataclasses import replace

from pydantic import BaseModel, ConfigDict

from .._ir import Location
from ..errors import Level, Problem
from ..models import Situation

__all__ = ["Finding", "Level", "finding_at"]


class Finding(BaseModel):
    """One thing wrong (or worth a look) in a policy, with the situation that shows it.

    `counterexample` is a situation a POS could send that demonstrates the
    finding: for a shadowed rule, one where its conditions all hold and the
    shadowing rule decides instead.  A rule whose conditions contradict each
    other has no such situation; `related` then names the conditions that
    cannot hold together.  `code` is stable across releases.
    """

    model_config = ConfigDict(frozen=True)

    code: str
    level: Level
    message: str
    hint: str | None = None
    file: str = "<string>"
    line: int = 0
    column: int = 0
    rule_id: str | None = None
    related: tuple[str, ...] = ()
    counterexample: Situation | None = None

    @property
    def problem(self) -> Problem:
        """The finding without its counterexample: the diagnostic every stage reports."""
        return Problem(
            self.code,
            self.message,
            self.file,
            self.line,
            self.column,
            self.hint,
            self.rule_id,
            self.level,
            self.related,
        )

    @property
    def severity(self) -> Level:
        """`level`, by the name LSP and SARIF give it."""
        return self.level

    def format(self) -> str:
        """`file:line:col: level[code]: message`, then the hint, as compilers print.

        A finding's message names its rule already (`from_problem` folds the
        rule into it), so the rule is not added again.
        """
        return replace(self.problem, rule_id=None).format()

    @classmethod
    def of(cls, problem: Problem, counterexample: Situation | None = None) -> Finding:
        """A problem found by the analysis, with the situation that shows it."""
        return cls(
            code=problem.code,
            level=problem.level,
            message=problem.message,
            hint=problem.hint,
            file=problem.file,
            line=problem.line,
            column=problem.column,
            rule_id=problem.rule_id,
            related=problem.related,
            counterexample=counterexample,
        )

    @classmethod
    def from_problem(cls, problem: Problem) -> Finding:
        """A load-time problem (a typo, a bad type) in the same shape, its rule in the message."""
        rule = f" (rule `{problem.rule_id}`)" if problem.rule_id else ""
        return cls.of(replace(problem, message=problem.message + rule))


def finding_at(
    location: Location,
    code: str,
    level: Level,
    message: str,
    hint: str,
    *,
    rule_id: str | None = None,
    related: tuple[str, ...] = (),
    counterexample: Situation | None = None,
) -> Finding:
    """A finding at an IR location."""
    problem = Problem(
        code,
        message,
        location.file,
        location.line,
        location.column,
        hint,
        rule_id,
        level,
        related,
    )
    return Finding.of(problem, counterexample)
