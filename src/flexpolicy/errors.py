"""The two error families of flexpolicy.

A *policy author's* mistake (a misspelt field, a rule that bends nothing) is a
`PolicyError`: it carries every problem found in the file, each with a location,
a stable code and a hint, so an editor or CI can point at the exact spot.  Bad
*facts* handed to `decide` (a sku not on the transaction, a role not on the
ladder) are an `InputError`.  Both derive from `FlexPolicyError`, the only base
class a caller needs to catch.

`Problem` is the one shape of a diagnostic in flexpolicy: a load error, a
finding of `flexpolicy check` (`Finding` adds its counterexample), a problem in
an expression (`ExprError` carries one) and a line of a decision log that cannot
be replayed (`LogProblem.problem`) all render through `Problem.format`.  Every
code is declared once, with its stage and summary, in `_diagnostics/codes.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from ._diagnostics.quote import cap_quotes, quoted
from ._diagnostics.suggest import closest_field, hint_for

__all__ = ["EngineError", "FlexPolicyError", "InputError", "PolicyError", "Problem"]

# How much a problem matters: an error stops a load (or fails `check`), a warning
# is worth a look, an info says what the analysis could not settle.
Level = Literal["error", "warning", "info"]

# The path of a field in the facts, as pydantic gives it: `("request", "sku")`,
# `("transaction", "items", 0, "unit_price")`.
FieldPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """One diagnostic: where, what, and how to fix it.

    A problem in a policy file, a finding of the analysis, a line of a decision
    log: every stage reports in this shape, so an editor, CI or a person reads
    them alike.  `line` and `column` are 1-based (0 when unknown).  `code` is stable across
    releases so tools can filter on it; `message` is one lowercase line with
    user input in backticks; `hint` is the separate "help" line.  `related`
    names what else the problem is about, as text: the rules that shadow a
    rule, the conditions that cannot hold together.
    """

    code: str
    message: str
    file: str = "<string>"
    line: int = 0
    column: int = 0
    hint: str | None = None
    rule_id: str | None = None
    level: Level = "error"
    related: tuple[str, ...] = ()

    @property
    def severity(self) -> Level:
        """`level`, by the name LSP and SARIF give it."""
        return self.level

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


# The two branches of a fact type with a fast path (`_facts.labels`, `_facts.numbers`):
# pydantic's own checks first, then Python for what they cannot settle.  When
# both refuse a value, the exact branch's complaint is the one reported.
FAST_BRANCH = "[fast]"
EXACT_BRANCH = "[exact]"


class InputError(FlexPolicyError):
    """The facts handed to `decide` are missing, malformed or contradict each other.

    `message` is one lowercase line with input quoted in backticks, `hint` the
    help line; whatever raises it, a quoted piece of input longer than
    `MAX_QUOTED` characters is cut (a sku of 200 characters, a number of
    thousands of digits), so a message stays short whatever the facts hold.

    What a program needs besides the words is data: `field` is the path of the
    fact complained of (`("request", "sku")`), when one is, and `suggestion` the
    name the caller probably meant (`"customer"` for `custmer`), which the hint
    offers in words.  A form or an API answer can mark the field with them.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "bad-input",
        hint: str | None = None,
        field: FieldPath | None = None,
        suggestion: str | None = None,
    ) -> None:
        message = cap_quotes(message)
        hint = None if hint is None else cap_quotes(hint)
        self.message = message
        self.code = code
        self.hint = hint
        self.field = field
        self.suggestion = suggestion
        text = message if hint is None else f"{message}\n    hint: {hint}"
        super().__init__(text)

    def __reduce__(self) -> tuple[Any, ...]:
        """Rebuilt with its code, hint and data (the default would pass the rendered text)."""
        return (
            _rebuild_input_error,
            (self.message, self.code, self.hint, self.field, self.suggestion),
        )

    def prefixed(self, prefix: str) -> InputError:
        """The same error with `prefix` before its message (`situation 3: ...`)."""
        return InputError(
            f"{prefix}{self.message}",
            code=self.code,
            hint=self.hint,
            field=self.field,
            suggestion=self.suggestion,
        )

    @classmethod
    def from_validation(
        cls,
        exc: ValidationError,
        what: str,
        *,
        model: type[BaseModel],
        locate: Callable[[FieldPath], str] | None = None,
    ) -> InputError:
        """One of pydantic's complaints about `model`, as one located line (`what`:
        which facts; `locate`, when given, names them from the path of the field
        complained of, e.g. `file:12` for a situation file).

        A misspelt key (`custmer`, `request.skuu`) is reported first, with a
        did-you-mean hint, even when pydantic lists the missing field it stood
        for before it.  The complaint never quotes the input itself.  The model
        comes from the caller, so this module imports no models.
        """
        errors = _without_fast_branches(exc.errors(include_url=False))
        first, suggestion = errors[0], None
        for error in errors:
            if error["type"] == "extra_forbidden":
                suggestion = closest_field(model, error["loc"])
                if suggestion is not None:
                    first = error
                    break
        if locate is not None:
            what = locate(first["loc"])
        where = quoted(".".join(str(p) for p in first["loc"]) or "value")
        more = len(errors) - 1
        suffix = f" (and {more} more)" if more else ""
        message = f"{what}: `{where}` {first['msg'].lower()}{suffix}"
        hint = None if suggestion is None else hint_for(suggestion)
        return cls(
            message,
            code="invalid-facts",
            hint=hint,
            field=tuple(first["loc"]) or None,
            suggestion=suggestion,
        )


def _without_fast_branches(errors: list[Any]) -> list[Any]:
    """pydantic's errors with each fast branch's duplicate complaint left out."""
    if not any(FAST_BRANCH in e["loc"] or EXACT_BRANCH in e["loc"] for e in errors):
        return errors
    kept = [e for e in errors if FAST_BRANCH not in e["loc"]]
    for error in kept:
        error["loc"] = tuple(p for p in error["loc"] if p != EXACT_BRANCH)
    return kept or errors


def _rebuild_input_error(
    message: str,
    code: str,
    hint: str | None,
    field: FieldPath | None = None,
    suggestion: str | None = None,
) -> InputError:
    return InputError(message, code=code, hint=hint, field=field, suggestion=suggestion)
