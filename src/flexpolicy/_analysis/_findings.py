"""What `flexpolicy check` reports: a finding, its location and its evidence."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from .._ir import Location
from ..errors import Problem
from ..models import Situation

Level = Literal["error", "warning", "info"]


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

    def format(self) -> str:
        """`file:line:col: level[code]: message`, then the hint, as compilers print."""
        where = f"{self.file}:{self.line}:{self.column}"
        text = f"{where}: {self.level}[{self.code}]: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    @classmethod
    def from_problem(cls, problem: Problem) -> Finding:
        """A load-time problem (a typo, a bad type) in the same shape."""
        return cls(
            code=problem.code,
            level=problem.level,
            message=problem.message + (f" (rule `{problem.rule_id}`)" if problem.rule_id else ""),
            hint=problem.hint,
            file=problem.file,
            line=problem.line,
            column=problem.column,
            rule_id=problem.rule_id,
        )


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
    return Finding(
        code=code,
        level=level,
        message=message,
        hint=hint,
        file=location.file,
        line=location.line,
        column=location.column,
        rule_id=rule_id,
        related=related,
        counterexample=counterexample,
    )
