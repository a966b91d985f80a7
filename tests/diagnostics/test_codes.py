"""Every diagnostic code is declared once, used, and documented.

`_diagnostics/codes.py` is the registry; this test reads the source with `ast` for
every code a diagnostic is given, so a new code cannot ship undeclared (or a
declared one linger unused), and reads the docs so that none ships unexplained.

A code is found wherever the source gives one:
- the `code=` keyword of any call (`InputError(..., code="bad-file")`);
- the parameter of a function, method or dataclass that is named `code` (and
  holds text), given by position: `Problem("unknown-key", ...)`, `PolicyError.single(...)`,
  `ExprError(...)`, `LogProblem(line, "torn-line", ...)`, `self.error(...)`, the
  builders' `report(...)`; the names and positions are read from the source;
- the default of such a parameter (`code: str = "bad-input"`);
- an assignment to `code` or `.code` (`code = "engine-error"` in a class);
- a comparison with `.code` (`exc.code == "internal-error"`, `p.code in (...)`);
- a diagnostic written out by hand in text (`error[differs]`).
Each of them may be a conditional expression (`"bad-number" if ... else "bad-value"`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import flexpolicy
from flexpolicy._diagnostics import codes as registry
from flexpolicy._diagnostics.codes import ALLOWABLE, CODES, FINDING_CODES, STAGE_DOCS, Code
from tests.support.paths import ROOT

PACKAGE = Path(flexpolicy.__file__).parent
DOCS = ROOT / "docs"
_REGISTRY = Path(registry.__file__).resolve()

# What a code looks like: lowercase words joined by `-`.
_CODE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
# A code as text writes it: `error[unknown-key]`.
_WRITTEN = re.compile(r"\b(?:error|warning|info)\[([a-z0-9-]+)\]")
# A table row of the docs whose first cell names codes: "| `a`, `b` | ...".
_ROW = re.compile(r"^\|\s*((?:`[a-z0-9-]+`(?:\s*,\s*)?)+)\s*\|", re.MULTILINE)


def _sources() -> list[tuple[Path, ast.Module]]:
    return [
        (path, ast.parse(path.read_text(encoding="utf-8"), str(path)))
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.resolve() != _REGISTRY
    ]


def _callee(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def _text(annotation: ast.expr | None) -> bool:
    """Whether a parameter or field annotated so holds text (`str`, `str | None`)."""
    return annotation is not None and ast.unparse(annotation) in ("str", "str | None")


def _params(function: ast.FunctionDef) -> list[ast.arg]:
    params = [*function.args.posonlyargs, *function.args.args]
    return params[1:] if params and params[0].arg in ("self", "cls") else params


def _code_positions(trees: list[tuple[Path, ast.Module]]) -> dict[str, set[int]]:
    """Callable name -> the positions at which its text parameter `code` is given.

    A class is called by its name: its `__init__`'s parameters, or a dataclass's fields.
    """
    found: dict[str, set[int]] = {}

    def add(name: str, params: list[tuple[str, ast.expr | None]]) -> None:
        for index, (param, annotation) in enumerate(params):
            if param == "code" and _text(annotation):
                found.setdefault(name, set()).add(index)

    for _, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name != "__init__":
                add(node.name, [(a.arg, a.annotation) for a in _params(node)])
            elif isinstance(node, ast.ClassDef):
                inits = [n for n in node.body if isinstance(n, ast.FunctionDef)]
                init = next((n for n in inits if n.name == "__init__"), None)
                if init is not None:
                    add(node.name, [(a.arg, a.annotation) for a in _params(init)])
                elif any("dataclass" in ast.unparse(d) for d in node.decorator_list):
                    fields = [n for n in node.body if isinstance(n, ast.AnnAssign)]
                    add(
                        node.name,
                        [(ast.unparse(f.target), f.annotation) for f in fields],
                    )
    return found


def _literals(node: ast.expr | None) -> Iterator[str]:
    """The text a code expression can take: a literal, or either side of `... if ... else`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _literals(node.body)
        yield from _literals(node.orelse)
    elif isinstance(node, ast.Tuple | ast.List | ast.Set):
        for element in node.elts:
            yield from _literals(element)
    elif isinstance(node, ast.Call) and _callee(node) in ("frozenset", "set", "tuple"):
        for arg in node.args:
            yield from _literals(arg)


def _is_code(node: ast.expr) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "code") or (
        isinstance(node, ast.Name) and node.id == "code"
    )


def _defaults(args: ast.arguments) -> list[tuple[ast.arg, ast.expr]]:
    """Each parameter with a default, and the default."""
    plain = [*args.posonlyargs, *args.args]
    paired = list(zip(plain[len(plain) - len(args.defaults) :], args.defaults, strict=True))
    keyword = zip(args.kwonlyargs, args.kw_defaults, strict=True)
    return paired + [(arg, default) for arg, default in keyword if default is not None]


def used_codes() -> dict[str, list[str]]:
    """Every code the source gives a diagnostic, with where (`file:line`)."""
    trees = _sources()
    positions = _code_positions(trees)
    used: dict[str, list[str]] = {}

    def add(values: Iterator[str], path: Path, node: ast.AST) -> None:
        where = f"{path.relative_to(PACKAGE)}:{getattr(node, 'lineno', 0)}"
        for value in values:
            if value:  # `code = ""`: a base class's placeholder, set by each subclass
                used.setdefault(value, []).append(where)

    for path, tree in trees:
        docstrings = {
            id(node.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "code":
                        add(_literals(keyword.value), path, node)
                # By name only (`self.error` of the checker, not `_log.error`): a code
                # given by position must look like one.
                for index in positions.get(_callee(node) or "", ()):
                    if index < len(node.args):
                        shaped = (v for v in _literals(node.args[index]) if _CODE.fullmatch(v))
                        add(shaped, path, node)
            elif isinstance(node, ast.FunctionDef):
                for arg, default in _defaults(node.args):
                    if arg.arg == "code":
                        add(_literals(default), path, node)
            elif isinstance(node, ast.Assign):
                if any(_is_code(target) for target in node.targets):
                    add(_literals(node.value), path, node)
            elif isinstance(node, ast.AnnAssign):
                if _is_code(node.target):
                    add(_literals(node.value), path, node)
            elif isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                if any(_is_code(side) for side in sides):
                    for side in sides:
                        add(_literals(side), path, node)
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
            ):
                add(iter(_WRITTEN.findall(node.value)), path, node)
    return used


def documented_codes() -> dict[str, set[str]]:
    """Page -> the codes its tables explain (a table row whose first cell names them)."""
    pages: dict[str, set[str]] = {}
    for page in sorted(DOCS.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        names = pages.setdefault(page.name, set())
        for row in _ROW.finditer(text):
            names.update(re.findall(r"`([a-z0-9-]+)`", row[1]))
    return pages


USED = used_codes()


def test_the_scan_finds_the_codes_given_every_way() -> None:
    # One of each way a code is given, so a scan that misses a way fails here first.
    expected = {
        "unknown-key": "Problem(code, ...)",
        "yaml-syntax": "PolicyError.single(code, ...)",
        "contradictory-facts": "InputError(..., code=...)",
        "expression-syntax": "ExprError(code, ...)",
        "type-mismatch": "the checker's self.error(code, ...)",
        "bad-placeholder": "a template's problem",
        "torn-line": "LogProblem(line, code, ...)",
        "seq-gap": "the chain's Break(code, ...)",
        "bad-input": "a parameter's default",
        "engine-error": "a class attribute",
        "bad-value": "one side of a conditional expression",
        "differs": "a diagnostic written out as text",
        "schema-too-new": "a helper's code parameter",
    }
    assert {code: code in USED for code in expected} == dict.fromkeys(expected, True)


def test_every_code_used_is_declared() -> None:
    undeclared = {code: where for code, where in USED.items() if code not in CODES}
    assert not undeclared, f"declare these in _diagnostics/codes.py: {undeclared}"


def test_every_declared_code_is_used() -> None:
    unused = sorted(set(CODES) - set(USED))
    assert not unused, f"no source gives these codes; remove them from the registry: {unused}"


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_declared_code_is_documented_where_its_stage_is(code: str) -> None:
    declared = CODES[code]
    pages = documented_codes()
    for stage in (declared.stage, *declared.also):
        page = STAGE_DOCS[stage]
        assert code in pages[page], f"document `{code}` in a table of docs/{page}"


def test_each_code_is_declared_once_in_the_registry() -> None:
    tree = ast.parse(_REGISTRY.read_text(encoding="utf-8"))
    names = [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and _callee(node) == "Code"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    ]
    assert len(names) == len(set(names)) == len(CODES)


def test_summaries_are_one_lowercase_line() -> None:
    for code in CODES.values():
        assert isinstance(code, Code)
        assert code.summary, code.name
        assert "\n" not in code.summary, code.name
        assert not code.summary[0].isupper(), code.name
        assert not code.summary.endswith("."), code.name
        assert code.stage not in code.also, code.name


def test_the_findings_derive_from_the_registry() -> None:
    assert set(FINDING_CODES) == {c.name for c in CODES.values() if c.stage == "check"}
    assert set(FINDING_CODES) - {"analysis-incomplete"} == ALLOWABLE
    assert all(FINDING_CODES[name] == CODES[name].summary for name in FINDING_CODES)
