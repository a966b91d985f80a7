"""Rationale templates: `Returned {days_since_purchase} days after purchase.`

Placeholders are expressions of the policy language, checked at load time like
conditions, so `{customer.teir}` is a load error with a hint, never a blank in
front of a customer.  `{{` and `}}` stand for literal braces.

A problem in a template is an `ExprError` at its offset into the template text,
the shape of a problem in an expression, so the loader places both alike.
"""

from __future__ import annotations

from collections.abc import Callable

from .._ir import Placeholder, Template
from .._lang import checked as c
from .._lang.catalog import RECORDS, ROOTS, attribute_is_internal
from .._lang.checker import Scope, check_text
from .._lang.lexer import ExprError


def parse_template(
    text: str, scope: Scope, *, for_customer: bool
) -> tuple[Template | None, list[ExprError]]:
    if not text.strip():
        # A blank sentence would reach the customer as nothing at all, and staff as
        # a rationale that ends in `:.`; leaving `explain` out words one instead.
        hint = "write the sentence, or leave it out to have one written from the conditions"
        return None, [ExprError("empty-sentence", "the sentence is empty", 0, hint)]
    parts: list[str | Placeholder] = []
    problems: list[ExprError] = []
    literal: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "{" and text[i + 1 : i + 2] == "{":
            literal.append("{")
            i += 2
            continue
        if ch == "}" and text[i + 1 : i + 2] == "}":
            literal.append("}")
            i += 2
            continue
        if ch == "}":
            problems.append(
                ExprError("bad-placeholder", "`}` without a matching `{`", i, "write `}}`")
            )
            i += 1
            continue
        if ch != "{":
            literal.append(ch)
            i += 1
            continue
        close = text.find("}", i + 1)
        if close < 0:
            problems.append(
                ExprError(
                    "bad-placeholder", "`{` starts a placeholder that never ends", i, "write `{{`"
                )
            )
            break
        source = text[i + 1 : close]
        if literal:
            parts.append("".join(literal))
            literal = []
        if not source.strip():
            problems.append(ExprError("bad-placeholder", "empty placeholder `{}`", i))
        else:
            checked = check_text(source, scope, want_bool=False)
            for problem in checked.problems:
                problems.append(_placeholder_problem(problem, source, i + 1))
            if checked.expr is not None:
                if for_customer:
                    problems.extend(_internal_uses(checked.expr, i + 1, scope))
                parts.append(Placeholder(source.strip(), checked.expr))
        i = close + 1
    if literal:
        parts.append("".join(literal))
    if problems:
        return None, problems
    return Template(text, tuple(parts)), []


def _placeholder_problem(problem: ExprError, source: str, base: int) -> ExprError:
    message = problem.message
    if problem.code in ("unknown-name", "unknown-field", "unknown-param"):
        message = f"placeholder `{{{source.strip()}}}` names nothing: {message}"
    return ExprError(problem.code, message, base + problem.start, problem.hint)


def _reads_internal(expr: c.Expr, scope: Scope, seen: set[str] | None = None) -> str | None:
    """The first internal field an expression reads, following facts; None if none.

    Each fact is followed once (`seen`): a fact already followed read nothing
    internal, or the walk would have stopped there; following it again at every use
    made facts that each use the last twice cost exponential time.
    """
    seen = set() if seen is None else seen
    for node in c.walk(expr):
        if isinstance(node, c.Field):
            if len(node.path) >= 2 and node.path[0] == "attributes":
                if attribute_is_internal(node.root, node.path[1], scope.public_attributes):
                    return node.dotted
                continue
            record = ROOTS[node.root].record
            spec = RECORDS[record].get(node.path[0]) if record else None
            if node.root == "actor" or (spec is not None and spec.internal):
                return node.dotted
        if isinstance(node, c.FactRef) and node.name not in seen:
            seen.add(node.name)
            inner = scope.fact_expr(node.name)
            found = _reads_internal(inner, scope, seen) if inner else None
            if found:
                return found
    return None


def _internal_uses(expr: c.Expr, base: int, scope: Scope) -> list[ExprError]:
    found: list[ExprError] = []
    for node in c.walk(expr):
        if isinstance(node, c.Field | c.FactRef):
            internal = _reads_internal(node, scope)
            if internal is not None:
                shown = (
                    f"`{node.dotted}`"
                    if isinstance(node, c.Field)
                    else f"fact `{node.name}`, which reads `{internal}`"
                )
                found.append(
                    ExprError(
                        "internal-in-customer-text",
                        f"customer text shows {shown}, an internal score or flag",
                        base + node.start,
                        "keep internal fields in `explain.staff`; tell the customer the reason "
                        "in plain words",
                    )
                )
    return found


Renderer = Callable[[c.Expr], str]


def render(template: Template, value_text: Renderer) -> str:
    """Fill a template, turning each placeholder's value into words."""
    out: list[str] = []
    for part in template.parts:
        out.append(part if isinstance(part, str) else value_text(part.expr))
    return "".join(out)
