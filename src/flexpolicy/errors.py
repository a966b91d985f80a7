"""The two error families of flexpolicy.

A *policy author's* mistake (a misspelt field, a rule that bends nothing) is a
`PolicyError`: it carries every problem found in the file, each with a location,
a stable code and a hint, so an editor or CI can point at the exact spot.  Bad
*facts* handed to `decide` (a sku not on the transaction, a role not on the
ladder) are an `InputError`.  Both derive from `FlexPolicyError`, the only base
class a caller needs to catch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import ValidationError

__all__ = ["EngineError", "FlexPolicyError", "InputError", "PolicyError", "Problem"]

Level = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding in a policy file: where, what, and how to fix it.

    `line` and `column` are 1-based (0 when unknown).  `code` is stable across
    releases so tools can filter on it; `message` is one lowercase line with
    user input in backticks; `hint` is the separate "help" line.
    """

    code: str
    message: str
    file: str = "<string>"
    line: int = 0
    column: int = 0
    hint: str | None = None
    rule_id: str | None = None
    level: Level = "error"

    def format(self) -> str:
        """Render as `file:line:col: level[code]: message` plus an indented hint."""
        where = f"{self.file}:{self.line}:{self.column}"
        rule = f" (rule `{self.rule_id}`)" if self.rule_id else ""
        text = f"{where}: {self.level}[{self.code}]: {self.message}{rule}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


class FlexPolicyError(Exception):
    """Base class of every error flexpolicy raises on purpose."""

    code: str = "flexpolicy-error"


class PolicyError(FlexPolicyError):
    """A policy file is wrong; `problems` lists every error found in it.

    The attributes `file`, `line`, `column`, `message`, `hint`, `code` and
    `rule_id` describe the first problem, for callers that show only one.
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("PolicyError needs at least one problem")
        self.problems: tuple[Problem, ...] = tuple(problems)
        first = self.problems[0]
        self.file = first.file
        self.line = first.line
        self.column = first.column
        self.message = first.message
        self.hint = first.hint
        self.code = first.code
        self.rule_id = first.rule_id
        super().__init__(self._render())

    def __reduce__(self) -> tuple[type[PolicyError], tuple[tuple[Problem, ...]]]:
        """Rebuilt from its problems (the default would pass the rendered text)."""
        return (type(self), (self.problems,))

    @classmethod
    def single(
        cls,
        code: str,
        message: str,
        *,
        file: str = "<string>",
        line: int = 0,
        column: int = 0,
        hint: str | None = None,
        rule_id: str | None = None,
    ) -> PolicyError:
        return cls([Problem(code, message, file, line, column, hint, rule_id)])

    def _render(self) -> str:
        errors = [p for p in self.problems if p.level == "error"]
        head = f"{len(errors)} error{'s' if len(errors) != 1 else ''} in policy"
        return head + "\n" + "\n".join(p.format() for p in self.problems)


class EngineError(FlexPolicyError):
    """A back end failed while deciding (for example, durable-rules reported an error)."""

    code = "engine-error"


class InputError(FlexPolicyError):
    """The facts handed to `decide` are missing, malformed or contradict each other."""

    def __init__(self, message: str, *, code: str = "bad-input", hint: str | None = None) -> None:
        self.message = message
        self.code = code
        self.hint = hint
        text = message if hint is None else f"{message}\n    hint: {hint}"
        super().__init__(text)

    @classmethod
    def from_validation(cls, exc: ValidationError, what: str) -> InputError:
        """The first of pydantic's complaints, as one located line (`what`: which facts)."""
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "value"
        more = exc.error_count() - 1
        suffix = f" (and {more} more)" if more else ""
        return cls(f"{what}: `{where}` {first['msg'].lower()}{suffix}", code="invalid-facts")
