"""Every kind of bad policy is a `PolicyError` that points at the exact spot.

A policy author's mistake must never surface as a `KeyError`, a pydantic
`ValidationError` or a YAML traceback: it is a `PolicyError` whose problems each
carry the file, a 1-based line and column, a stable `code` and, where one makes
sense, a `hint`.  Locations are computed from the YAML text of each case (see
`at`), so a test reads as "the error points at `teir`".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import flexpolicy
from flexpolicy import PolicyError, Problem

# A small, valid policy.  Line numbers, for reading the cases below:
#  1 policy: returns
#  5 params:          8 unused fact        10 rule standard-window   15 rule loyal (flex)
# 25 default:        28 levers:            29 lever goodwill-card
BASE = """\
policy: returns
version: "1"
applies_to: [return]
roles: [associate, supervisor, store_manager]
params:
  window_days: 30
facts:
  unused: request.item_condition == "unused"
rules:
  - id: standard-window
    when: days_since_purchase <= window_days
    outcome: approve
    remedy: refund
    explain: Returned within {window_days} days.
  - id: loyal
    kind: flex
    bends: [default]
    when: customer.tier >= 4
    outcome: approve
    remedy: store_credit
    authority: supervisor
    explain:
      staff: Tier {customer.tier} customer.
      customer: We can offer store credit.
default:
  outcome: deny
  explain: Outside the window.
levers:
  - id: goodwill-card
    when: customer.tier >= 3
    caps: {associate: 10, supervisor: 25}
"""

GUARD = """\
  - id: flagged
    kind: guard
    when: '"abusive" in customer.flags'
    outcome: refer
"""

Edit = tuple[str, str]


def edit(text: str, *edits: Edit) -> str:
    """Apply `(old, new)` replacements; each `old` must occur exactly once."""
    for old, new in edits:
        assert text.count(old) == 1, f"edit target {old!r} is not unique"
        text = text.replace(old, new)
    return text


def at(text: str, needle: str, offset: int = 0) -> tuple[int, int]:
    """1-based (line, column) of `needle` (which must be unique) plus `offset` characters."""
    assert text.count(needle) == 1, f"needle {needle!r} is not unique"
    index = text.index(needle) + offset
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def with_code(exc: PolicyError, code: str) -> Problem:
    """The first problem with `code`; fail listing what was reported instead."""
    for problem in exc.problems:
        if problem.code == code:
            return problem
    shown = "\n".join(p.format() for p in exc.problems)
    pytest.fail(f"no `{code}` problem; reported:\n{shown}")


def first_letter(text: str) -> str:
    """The first letter of a message outside `quoted` user input."""
    own_words = re.sub(r"`[^`]*`", "", text)
    return next((ch for ch in own_words if ch.isalpha()), "")


def check_invariants(exc: PolicyError, file: str) -> None:
    """What holds for every problem of every bad policy."""
    assert exc.problems, "a PolicyError must list its problems"
    for problem in exc.problems:
        assert isinstance(problem, Problem)
        assert problem.file == file
        assert problem.line >= 1, problem
        assert problem.column >= 1, problem
        assert problem.code
        assert problem.code == problem.code.lower()
        assert problem.level in ("error", "warning")
        assert problem.message.strip() == problem.message
        assert "\n" not in problem.message
        if not problem.message.startswith("YAML"):  # an acronym may keep its capitals
            assert first_letter(problem.message).islower(), problem.message
        if problem.hint is not None:
            assert problem.hint, problem
            assert problem.hint.strip() == problem.hint, problem
    first = exc.problems[0]
    assert (exc.file, exc.line, exc.column, exc.code) == (
        first.file,
        first.line,
        first.column,
        first.code,
    )
    assert (exc.message, exc.hint) == (first.message, first.hint)


# -- loaders --------------------------------------------------------------------


@dataclass
class Loader:
    """Loads policy text through one public entry point and names the file it used."""

    name: str
    file: str
    load: Callable[[str | bytes], flexpolicy.Policy]

    def fail(self, text: str | bytes) -> PolicyError:
        with pytest.raises(PolicyError) as info:
            self.load(text)
        assert isinstance(info.value, flexpolicy.FlexPolicyError)
        check_invariants(info.value, self.file)
        return info.value


@pytest.fixture(params=["from_yaml", "load_policy"])
def loader(request: pytest.FixtureRequest, tmp_path: Path) -> Loader:
    if request.param == "from_yaml":
        return Loader(
            "from_yaml", "x.yaml", lambda text: flexpolicy.Policy.from_yaml(text, file="x.yaml")
        )
    path = tmp_path / "x.yaml"

    def load(text: str | bytes) -> flexpolicy.Policy:
        if isinstance(text, str):
            path.write_text(text, encoding="utf-8")
        else:
            path.write_bytes(text)
        return flexpolicy.load_policy(path)

    return Loader("load_policy", str(path), load)


def test_base_policy_is_valid(loader: Loader) -> None:
    policy = loader.load(BASE)
    assert policy.id == "returns"
    assert policy.rule_ids == ("standard-window", "loyal")


def test_helper_at_matches_hand_counted_positions() -> None:
    text = edit(BASE, ("customer.tier >= 4", "customer.teir >= 4"))
    assert at(text, "teir") == (18, 20)
    assert at(text, "outcome: deny") == (26, 3)
    assert at(text, "supervisor: 25") == (31, 27)


# -- the main table: one mistake, one problem, at one exact spot ------------------


@dataclass(frozen=True)
class Case:
    edits: tuple[Edit, ...]
    code: str
    needle: str  # the text the problem must point at (unique in the edited policy)
    offset: int = 0  # characters into `needle`
    hint: str | None = None  # a substring the hint must contain; None: no hint required
    message: str | None = None  # a substring the message must contain
    rule_id: str | None = None
    text: str = field(default=BASE)

    def source(self) -> str:
        return edit(self.text, *self.edits)


def case(id_: str, *edits: Edit, **kw: Any) -> Any:
    return pytest.param(Case(edits, **kw), id=id_)


CASES = [
    # -- YAML syntax ----------------------------------------------------------------
    case(
        "yaml-unquoted-membership",
        ("    when: customer.tier >= 3\n", '    when: "abusive" in customer.flags\n'),
        code="yaml-syntax",
        needle='"abusive" in customer.flags',
        offset=len('"abusive" '),
        hint="quot",
    ),
    case(
        "yaml-tab-indent",
        ("  window_days: 30\n", "\twindow_days: 30\n"),
        code="yaml-syntax",
        needle="\twindow_days",
        hint="indentation",
    ),
    case(
        "yaml-unclosed-quote",
        ("  explain: Outside the window.\n", '  explain: "Outside the window.\n'),
        code="yaml-syntax",
        needle='"Outside',
    ),
    # -- unknown keys ---------------------------------------------------------------
    case(
        "unknown-key-default-outcome",
        ("  outcome: deny\n", "  outcme: deny\n"),
        code="unknown-key",
        needle="outcme",
        hint="did you mean `outcome`?",
        message="unknown key `outcme`",
        rule_id="default",
    ),
    case(
        "unknown-key-rule-remedy",
        ("    remedy: refund\n", "    remdy: refund\n"),
        code="unknown-key",
        needle="remdy",
        hint="did you mean `remedy`?",
        rule_id="standard-window",
    ),
    case(
        "unknown-key-top-level",
        ("levers:\n", "lever:\n"),
        code="unknown-key",
        needle="lever:",
        hint="did you mean `levers`?",
    ),
    case(
        "unknown-key-explain",
        ("      staff: Tier", "      staf: Tier"),
        code="unknown-key",
        needle="staf:",
        hint="did you mean `staff`?",
        rule_id="loyal",
    ),
    case(
        "unknown-key-lever",
        ("    caps: {", "    cap: {"),
        code="unknown-key",
        needle="cap:",
        hint="did you mean `caps`?",
        rule_id="goodwill-card",
    ),
    case(
        "unknown-key-capitalised-in-default",
        ("  outcome: deny\n", "  Outcome: deny\n"),
        code="unknown-key",
        needle="Outcome",
        hint="did you mean `outcome`?",
        message="unknown key `Outcome`",
        rule_id="default",
    ),
    case(
        "unknown-key-capitalised-in-rule",
        ("    remedy: refund\n", "    Remedy: refund\n"),
        code="unknown-key",
        needle="Remedy",
        hint="did you mean `remedy`?",
        message="unknown key `Remedy`",
        rule_id="standard-window",
    ),
    case(
        "unknown-key-capitalised-in-explain",
        ("      staff: Tier", "      Staff: Tier"),
        code="unknown-key",
        needle="Staff",
        hint="did you mean `staff`?",
        message="unknown key `Staff`",
        rule_id="loyal",
    ),
    case(
        "unknown-key-capitalised-top-level",
        ("levers:\n", "Levers:\n"),
        code="unknown-key",
        needle="Levers",
        hint="did you mean `levers`?",
        message="unknown key `Levers`",
    ),
    # -- missing keys ---------------------------------------------------------------
    case(
        "missing-when",
        ("    when: days_since_purchase <= window_days\n", ""),
        code="missing-key",
        needle="id: standard-window",
        message="`when`",
        rule_id="standard-window",
    ),
    case(
        "missing-outcome",
        ("    remedy: refund\n", ""),
        ("window_days\n    outcome: approve\n", "window_days\n"),
        code="missing-key",
        needle="id: standard-window",
        message="`outcome`",
        rule_id="standard-window",
    ),
    case(
        "missing-roles",
        ("roles: [associate, supervisor, store_manager]\n", ""),
        code="missing-key",
        needle="policy: returns",
        message="`roles`",
    ),
    case(
        "missing-policy-id",
        ("policy: returns\n", ""),
        code="missing-key",
        needle='version: "1"',
        message="`policy`",
    ),
    case(
        "missing-lever-caps",
        ("    caps: {associate: 10, supervisor: 25}\n", ""),
        code="missing-key",
        needle="id: goodwill-card",
        message="`caps`",
        rule_id="goodwill-card",
    ),
    # -- unknown fields, names, params ----------------------------------------------
    case(
        "unknown-field-teir",
        ("customer.tier >= 4", "customer.teir >= 4"),
        code="unknown-field",
        needle="teir",
        hint="did you mean `tier`?",
        message="`teir`",
        rule_id="loyal",
    ),
    case(
        "unknown-field-in-fact",
        ('request.item_condition == "unused"', 'request.item_conditon == "unused"'),
        code="unknown-field",
        needle="item_conditon",
        hint="did you mean `item_condition`?",
    ),
    case(
        "unknown-field-of-a-number",
        ("customer.tier >= 4", "customer.tier.value >= 4"),
        code="unknown-field",
        needle="value >= 4",
        rule_id="loyal",
    ),
    case(
        "unknown-name-param",
        ("days_since_purchase <= window_days", "days_since_purchase <= windw_days"),
        code="unknown-name",
        needle="windw_days",
        hint="did you mean `window_days`?",
        message="`windw_days`",
        rule_id="standard-window",
    ),
    case(
        "unknown-name-fact",
        ("    when: customer.tier >= 4\n", "    when: customer.tier >= 4 and unusd\n"),
        code="unknown-name",
        needle="unusd",
        hint="did you mean `unused`?",
        rule_id="loyal",
    ),
    case(
        "unknown-name-builtin",
        ("days_since_purchase <= window_days", "days_since_purchse <= window_days"),
        code="unknown-name",
        needle="days_since_purchse",
        hint="did you mean `days_since_purchase`?",
    ),
    case(
        "unknown-param-dotted",
        ("days_since_purchase <= window_days", "days_since_purchase <= params.windw_days"),
        code="unknown-param",
        needle="windw_days",
        hint="did you mean `window_days`?",
        message="`windw_days`",
        rule_id="standard-window",
    ),
    # -- types and values -----------------------------------------------------------
    case(
        "type-mismatch-tier-vs-text",
        ("customer.tier >= 4", 'customer.tier >= "gold"'),
        code="type-mismatch",
        needle='customer.tier >= "gold"',
        hint="tier",
        rule_id="loyal",
    ),
    case(
        "type-mismatch-set-as-condition",
        ("    when: customer.tier >= 4\n", "    when: customer.flags\n"),
        code="type-mismatch",
        needle="customer.flags",
        hint="in customer.flags",
        rule_id="loyal",
    ),
    case(
        "type-mismatch-amount",
        ("    remedy: refund\n", "    remedy: refund\n    amount: request.reason\n"),
        code="type-mismatch",
        needle="request.reason",
        rule_id="standard-window",
    ),
    case(
        "invalid-value-unusd",
        ('request.item_condition == "unused"', 'request.item_condition == "unusd"'),
        code="invalid-value",
        needle='"unusd"',
        hint="did you mean `unused`?",
        message="`unusd`",
    ),
    case(
        "invalid-value-in-list",
        (
            'request.item_condition == "unused"',
            'request.item_condition in ["unused", "brokn"]',
        ),
        code="invalid-value",
        needle='"brokn"',
        message="`brokn`",
    ),
    # -- outcomes and kinds ---------------------------------------------------------
    case(
        "bad-outcome-guard-approve",
        ("  - id: standard-window\n", "  - id: standard-window\n    kind: guard\n"),
        ("    remedy: refund\n", ""),
        code="bad-outcome",
        needle="approve\n    explain: Returned",
        hint="guard",
        message="`approve`",
        rule_id="standard-window",
    ),
    case(
        "bad-outcome-flex-deny",
        ("    outcome: approve\n    remedy: store_credit\n", "    outcome: deny\n"),
        code="bad-outcome",
        needle="    outcome: deny",
        offset=len("    outcome: "),
        hint="outcome: approve",
        message="`deny`",
        rule_id="loyal",
    ),
    case(
        "bad-outcome-misspelt",
        ("window_days\n    outcome: approve\n", "window_days\n    outcome: aprove\n"),
        code="bad-outcome",
        needle="aprove",
        hint="did you mean `approve`?",
        message="unknown outcome `aprove`",
        rule_id="standard-window",
    ),
    case(
        "bad-outcome-default-misspelt",
        ("  outcome: deny\n", "  outcome: dny\n"),
        code="bad-outcome",
        needle="dny",
        hint="did you mean `deny`?",
        rule_id="default",
    ),
    case(
        "unknown-rule-kind",
        ("    kind: flex\n", "    kind: flexx\n"),
        code="unknown-kind",
        needle="flexx",
        hint="did you mean `flex`?",
        rule_id="loyal",
    ),
    # -- remedies -------------------------------------------------------------------
    case(
        "bad-remedy-unknown",
        ("    remedy: refund\n", "    remedy: refnd\n"),
        code="bad-remedy",
        needle="refnd",
        hint="did you mean `refund`?",
        message="`refnd`",
        rule_id="standard-window",
    ),
    case(
        "bad-remedy-on-denial",
        ("  outcome: deny\n", "  outcome: deny\n  remedy: refund\n"),
        code="bad-remedy",
        needle="refund\n  explain: Outside",
        hint="remove `remedy`",
        rule_id="default",
    ),
    # -- roles ----------------------------------------------------------------------
    case(
        "unknown-role-authority",
        ("    authority: supervisor\n", "    authority: supervsor\n"),
        code="unknown-role",
        needle="supervsor",
        hint="did you mean `supervisor`?",
        message="`supervsor`",
        rule_id="loyal",
    ),
    case(
        "unknown-role-authority-far-off",
        ("    authority: supervisor\n", "    authority: ceo\n"),
        code="unknown-role",
        needle="ceo",
        hint="`store_manager`",
        rule_id="loyal",
    ),
    case(
        "unknown-role-lever-cap",
        ("supervisor: 25}", "supervsor: 25}"),
        code="unknown-role",
        needle="supervsor",
        hint="did you mean `supervisor`?",
        rule_id="goodwill-card",
    ),
    # -- ids ------------------------------------------------------------------------
    case(
        "duplicate-rule-id",
        ("  - id: loyal\n", "  - id: standard-window\n"),
        code="duplicate-id",
        needle="standard-window\n    kind: flex",
        message="`standard-window`",
        rule_id="standard-window",
    ),
    case(
        "rule-id-default-is-reserved",
        ("  - id: standard-window\n", "  - id: default\n"),
        code="duplicate-id",
        needle="default\n    when",
    ),
    case(
        "duplicate-role",
        ("store_manager]", "store_manager, associate]"),
        code="duplicate-id",
        needle="associate]",
        message="`associate`",
    ),
    # -- bends ----------------------------------------------------------------------
    case(
        "unknown-bends",
        ("bends: [default]", "bends: [defualt]"),
        code="unknown-bends",
        needle="defualt",
        hint="did you mean `default`?",
        message="`defualt`",
        rule_id="loyal",
    ),
    case(
        "unknown-bends-rule",
        ("bends: [default]", "bends: [standard-windw]"),
        code="unknown-bends",
        needle="standard-windw",
        hint="did you mean `standard-window`?",
        rule_id="loyal",
    ),
    case(
        "bad-bends-guard",
        ("rules:\n", "rules:\n" + GUARD),
        ("bends: [default]", "bends: [flagged]"),
        code="bad-bends",
        needle="flagged]",
        message="guard",
        rule_id="loyal",
    ),
    case(
        "bad-bends-approving-rule",
        ("bends: [default]", "bends: [standard-window]"),
        code="bad-bends",
        needle="standard-window]",
        message="`standard-window`",
        rule_id="loyal",
    ),
    case(
        "bad-bends-flex-without-bends",
        ("    bends: [default]\n", ""),
        code="bad-bends",
        needle="id: loyal",
        hint="bends:",
        rule_id="loyal",
    ),
    case(
        "bad-bends-on-standard-rule",
        ("    remedy: refund\n", "    remedy: refund\n    bends: [default]\n"),
        code="bad-bends",
        needle="refund\n    bends",
        offset=len("refund\n    "),
        hint="kind: flex",
        rule_id="standard-window",
    ),
    # -- templates ------------------------------------------------------------------
    case(
        "placeholder-unknown-field",
        ("Tier {customer.tier} customer.", "Tier {customer.teir} customer."),
        code="unknown-field",
        needle="teir",
        hint="did you mean `tier`?",
        message="{customer.teir}",
        rule_id="loyal",
    ),
    case(
        "placeholder-unknown-field-one-line-explain",
        ("within {window_days} days.", "on {request.requested_att}."),
        code="unknown-field",
        needle="requested_att",
        hint="did you mean `requested_at`?",
        rule_id="standard-window",
    ),
    case(
        "placeholder-names-nothing",
        ("within {window_days} days.", "within {nothing} days."),
        code="unknown-name",
        needle="nothing",
        message="{nothing}",
        rule_id="standard-window",
    ),
    case(
        "placeholder-unclosed",
        ("within {window_days} days.", "within {window_days days."),
        code="bad-placeholder",
        needle="{window_days days",
        hint="{{",
        rule_id="standard-window",
    ),
    case(
        "placeholder-stray-close",
        ("Outside the window.", "Outside the window}."),
        code="bad-placeholder",
        needle="}.",
        hint="}}",
        rule_id="default",
    ),
    case(
        "placeholder-empty",
        ("Outside the window.", "Outside {} the window."),
        code="bad-placeholder",
        needle="{}",
        rule_id="default",
    ),
    case(
        "template-read-as-a-yaml-mapping",
        ("customer: We can offer store credit.", "customer: {window_days}"),
        code="bad-value",
        needle="{window_days}\n",
        hint="quot",
        rule_id="loyal",
    ),
    case(
        "internal-field-in-customer-text",
        (
            "customer: We can offer store credit.",
            "customer: As a tier {customer.tier} customer, you get credit.",
        ),
        code="internal-in-customer-text",
        needle="customer.tier} customer,",
        hint="explain.staff",
        message="`customer.tier`",
        rule_id="loyal",
    ),
    case(
        "internal-flags-in-customer-text",
        ("customer: We can offer store credit.", "customer: Flags {customer.flags}."),
        code="internal-in-customer-text",
        needle="customer.flags}",
        rule_id="loyal",
    ),
    case(
        "placeholder-escape-attempt",
        ("Outside the window.", "Outside {customer.__dict__}."),
        code="forbidden-name",
        needle="__dict__",
        rule_id="default",
    ),
    # -- duplicate YAML keys, fact cycles -------------------------------------------
    case(
        "duplicate-key",
        ("    remedy: refund\n", "    outcome: deny\n    remedy: refund\n"),
        code="duplicate-key",
        needle="outcome: deny\n    remedy",
        hint="YAML keeps only the last",
        message="first at line 12",
    ),
    case(
        "duplicate-key-flow-mapping",
        ("supervisor: 25}", "associate: 25}"),
        code="duplicate-key",
        needle="associate: 25",
        message="`associate`",
    ),
    case(
        "fact-cycle",
        ("  unused: ", "  alpha: beta\n  beta: alpha\n  unused: "),
        code="fact-cycle",
        needle="alpha: beta",
        message="alpha -> beta -> alpha",
        hint="not itself",
    ),
    case(
        "fact-self-reference",
        ("  unused: ", "  loop: loop and true\n  unused: "),
        code="fact-cycle",
        needle="loop: loop",
        message="loop -> loop",
    ),
    # -- expression syntax ----------------------------------------------------------
    case(
        "single-equals",
        ("customer.tier >= 4", "customer.tier = 4"),
        code="expression-syntax",
        needle="= 4",
        hint="use `==`",
        rule_id="loyal",
    ),
    case(
        "double-ampersand",
        ("customer.tier >= 4", "customer.tier >= 4 && request.store_at_fault"),
        code="expression-syntax",
        needle="&&",
        hint="use `and`",
        rule_id="loyal",
    ),
    case(
        "double-pipe",
        ("customer.tier >= 4", "customer.tier >= 4 || request.store_at_fault"),
        code="expression-syntax",
        needle="||",
        hint="use `or`",
        rule_id="loyal",
    ),
    case(
        "python-true",
        ("customer.tier >= 4", "request.store_at_fault == True"),
        code="expression-syntax",
        needle="True",
        hint="use `true`",
        rule_id="loyal",
    ),
    case(
        "dangling-and",
        ("    when: customer.tier >= 4\n", "    when: customer.tier >= 4 and\n"),
        code="expression-syntax",
        needle="4 and\n",
        offset=len("4 and"),
        rule_id="loyal",
    ),
    case(
        "two-expressions-no-operator",
        ("customer.tier >= 4", "customer.tier >= 4 request.store_at_fault"),
        code="expression-syntax",
        needle="request.store_at_fault",
        hint="`and`",
        rule_id="loyal",
    ),
    case(
        "quoted-expression-position",
        ("    when: customer.tier >= 4\n", "    when: 'customer.tier >= 4 && true'\n"),
        code="expression-syntax",
        needle="&&",
        rule_id="loyal",
    ),
    case(
        "division-by-zero",
        ("customer.tier >= 4", "customer.tier / 0 >= 4"),
        code="division-by-zero",
        needle="0 >= 4",
        rule_id="loyal",
    ),
    # -- shape problems pydantic finds ----------------------------------------------
    case(
        "roles-not-a-list",
        ("roles: [associate, supervisor, store_manager]", "roles: associate"),
        code="bad-value",
        needle="associate\nparams",
        hint="roles: [",
    ),
    case(
        "rule-id-bad-pattern",
        ("  - id: loyal\n", "  - id: 9loyal\n"),
        code="bad-value",
        needle="9loyal",
        hint="ids start with a letter",
    ),
]


@pytest.mark.parametrize("case", CASES)
def test_bad_policy_points_at_the_mistake(loader: Loader, case: Case) -> None:
    text = case.source()
    exc = loader.fail(text)
    problem = with_code(exc, case.code)
    assert (problem.line, problem.column) == at(text, case.needle, case.offset), problem.format()
    if case.hint is not None:
        assert problem.hint is not None, problem.format()
        assert case.hint in problem.hint, problem.format()
    if case.message is not None:
        assert case.message in problem.message, problem.format()
    if case.rule_id is not None:
        assert problem.rule_id == case.rule_id, problem.format()
    assert problem.level == "error"


# -- top level that is not a policy ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        pytest.param("", "empty", id="empty-file"),
        pytest.param("# nothing but a comment\n", "empty", id="only-comment"),
        pytest.param("---\n", "empty", id="empty-document"),
        pytest.param("- policy: returns\n- version: 1\n", "list", id="list"),
        pytest.param("just some text\n", "str", id="scalar"),
        pytest.param("42\n", "int", id="number"),
    ],
)
def test_top_level_must_be_a_mapping(loader: Loader, text: str, shown: str) -> None:
    exc = loader.fail(text)
    assert len(exc.problems) == 1
    problem = exc.problems[0]
    assert problem.code == "not-a-mapping"
    assert (problem.line, problem.column) == (1, 1)
    assert shown in problem.message
    assert problem.hint is not None
    assert "policy:" in problem.hint


# -- hostile input ----------------------------------------------------------------

ESCAPES = [
    pytest.param("().__class__", "forbidden-name", "__class__", id="dunder-on-tuple"),
    pytest.param(
        '__import__("os").system("touch {target}")', "forbidden-name", "__import__", id="import"
    ),
    pytest.param("customer.__class__", "forbidden-name", "__class__", id="dunder-attribute"),
    pytest.param(
        "().__class__.__bases__[0].__subclasses__()",
        "forbidden-name",
        "__class__",
        id="subclasses-walk",
    ),
    pytest.param("customer.flags.pop()", "forbidden-call", "()", id="method-call"),
    pytest.param("customer.model_dump()", "forbidden-call", "()", id="model-method"),
    pytest.param('open("{target}", "w")', "unknown-function", "open", id="open"),
    pytest.param('eval("1 + 1")', "unknown-function", "eval", id="eval"),
    pytest.param('exec("import os")', "unknown-function", "exec", id="exec"),
    pytest.param('getattr(customer, "tier")', "unknown-function", "getattr", id="getattr"),
    pytest.param("lambda: 1", "expression-syntax", ": 1", id="lambda"),
    pytest.param("[x for x in customer.flags]", "expression-syntax", "for", id="comprehension"),
    pytest.param("true; import os", "expression-syntax", ";", id="statement"),
]


@pytest.mark.parametrize(("expression", "code", "needle"), ESCAPES)
def test_expression_escapes_are_refused_without_side_effects(
    loader: Loader, tmp_path: Path, expression: str, code: str, needle: str
) -> None:
    target = tmp_path / "pwned"
    expression = expression.replace("{target}", str(target))
    line = f"    when: '{expression}'\n"
    text = edit(BASE, ("    when: customer.tier >= 4\n", line))
    exc = loader.fail(text)
    problem = with_code(exc, code)
    row, column = at(text, line)
    assert problem.line == row
    assert problem.column == column + line.index(needle), problem.format()
    assert problem.rule_id == "loyal"
    assert not target.exists(), "an expression in a policy must never run"


@pytest.mark.parametrize(
    "tag",
    [
        pytest.param("!!python/object/apply:os.system", id="object-apply"),
        pytest.param("!!python/object/new:os.system", id="object-new"),
        pytest.param("!!python/name:os.system", id="name"),
        pytest.param("!!python/module:os", id="module"),
    ],
)
def test_python_yaml_tags_are_refused_without_side_effects(
    loader: Loader, tmp_path: Path, tag: str
) -> None:
    target = tmp_path / "pwned"
    value = f'{tag} ["touch {target}"]'
    text = edit(BASE, ('version: "1"\n', f"version: {value}\n"))
    exc = loader.fail(text)
    problem = with_code(exc, "python-tag")
    assert (problem.line, problem.column) == at(text, tag)
    assert "python" in problem.message
    assert problem.hint is not None
    assert not target.exists(), "a YAML tag must never run code"


def test_python_tag_in_a_rule_is_refused(loader: Loader, tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    text = edit(
        BASE,
        (
            "    when: customer.tier >= 4\n",
            f'    when: !!python/object/apply:os.system ["touch {target}"]\n',
        ),
    )
    problem = with_code(loader.fail(text), "python-tag")
    assert (problem.line, problem.column) == at(text, "!!python")
    assert not target.exists()


def test_unknown_yaml_tag_is_refused(loader: Loader) -> None:
    text = edit(BASE, ('version: "1"\n', 'version: !custom "1"\n'))
    problem = with_code(loader.fail(text), "unsupported-tag")
    assert (problem.line, problem.column) == at(text, "!custom")


def billion_laughs(levels: int = 9, width: int = 10) -> str:
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for level in range(1, levels):
        refs = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{refs}]")
    lines.append(f"policy: *a{levels - 1}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("width", [9, 10])
def test_alias_bomb_is_refused(loader: Loader, width: int) -> None:
    exc = loader.fail(billion_laughs(9, width))
    assert [p.code for p in exc.problems] == ["too-many-nodes"]
    assert exc.hint is not None
    assert "alias" in exc.hint


def test_alias_bomb_inside_a_policy_is_refused(loader: Loader) -> None:
    bomb = billion_laughs(9, 9).replace("policy: *a8\n", "")
    exc = loader.fail(bomb + BASE.replace("  window_days: 30\n", "  window_days: 30\n  x: *a8\n"))
    assert [p.code for p in exc.problems] == ["too-many-nodes"]


@pytest.mark.parametrize(
    ("opener", "closer"),
    [pytest.param("[", "]", id="sequences"), pytest.param("{a: ", "}", id="mappings")],
)
def test_deep_nesting_is_refused(loader: Loader, opener: str, closer: str) -> None:
    text = opener * 200 + "1" + closer * 200 + "\n"
    exc = loader.fail(text)
    assert [p.code for p in exc.problems] == ["too-deep"]
    assert exc.line == 1
    assert 1 <= exc.column <= len(opener) * 200
    assert exc.hint is not None


def test_deep_nesting_inside_a_policy_is_refused(loader: Loader) -> None:
    text = edit(
        BASE, ("  window_days: 30\n", "  window_days: 30\n  x: " + "[" * 200 + "]" * 200 + "\n")
    )
    exc = loader.fail(text)
    assert [p.code for p in exc.problems] == ["too-deep"]
    assert exc.line == at(text, "  x: [")[0]


def test_deep_expression_is_refused(loader: Loader) -> None:
    expression = "[" * 200 + "]" * 200 + " == []"
    text = edit(BASE, ("customer.tier >= 4", f"'{expression}'"))
    problem = with_code(loader.fail(text), "too-deep")
    row, column = at(text, expression)
    assert problem.line == row
    assert column <= problem.column < column + len(expression)


def test_deeply_parenthesised_expression_is_refused(loader: Loader) -> None:
    expression = "(" * 900 + "true" + ")" * 900
    text = edit(BASE, ("customer.tier >= 4", expression))
    problem = with_code(loader.fail(text), "too-deep")
    assert problem.line == at(text, expression)[0]


def test_overlong_expression_is_refused(loader: Loader) -> None:
    expression = " + ".join(["1"] * 800) + " > 0"
    text = edit(BASE, ("customer.tier >= 4", expression))
    problem = with_code(loader.fail(text), "expression-too-long")
    assert (problem.line, problem.column) == at(text, expression)


def test_file_over_a_megabyte_is_refused(loader: Loader) -> None:
    text = BASE + "# " + "x" * 1_000_001 + "\n"
    exc = loader.fail(text)
    assert [p.code for p in exc.problems] == ["too-large"]
    assert (exc.line, exc.column) == (1, 1)
    assert exc.hint is not None


def test_file_over_a_megabyte_of_multibyte_text_is_refused(loader: Loader) -> None:
    text = BASE + "# " + "é" * 500_001 + "\n"  # 500k characters, over 1 MB of UTF-8
    assert [p.code for p in loader.fail(text).problems] == ["too-large"]


def test_non_utf8_bytes_are_refused_at_the_bad_byte(loader: Loader) -> None:
    exc = loader.fail(BASE.encode("utf-8") + b"# \xff\xfe\n")
    assert exc.code == "encoding"
    assert (exc.line, exc.column) == (BASE.count("\n") + 1, 3)


def test_control_character_is_located(loader: Loader) -> None:
    text = edit(BASE, ("policy: returns", "policy: ret\x07urns"))
    exc = loader.fail(text)
    assert exc.code == "yaml-syntax"
    assert (exc.line, exc.column) == at(text, "\x07")


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("null", id="null"),
        pytest.param("~", id="tilde"),
        pytest.param("true", id="true"),
        pytest.param("no", id="yaml11-bool"),
        pytest.param("1", id="int"),
        pytest.param("1.5", id="float"),
        pytest.param("2024-01-01", id="date"),
        pytest.param("None", id="text-None"),
        pytest.param("Str", id="text-Str"),
    ],
)
@pytest.mark.parametrize(
    ("anchor", "indent"),
    [
        pytest.param("policy: returns\n", "", id="top-level"),
        pytest.param("    outcome: approve\n    remedy: refund\n", "    ", id="in-rule"),
    ],
)
def test_odd_mapping_keys_are_unknown_keys_at_the_key(
    loader: Loader, key: str, anchor: str, indent: str
) -> None:
    line = f"{indent}{key}: 3\n"
    text = edit(BASE, (anchor, anchor + line))
    exc = loader.fail(text)
    row, column = at(text, line)
    located = [p for p in exc.problems if (p.line, p.column) == (row, column + len(indent))]
    assert located, str(exc)
    assert located[0].code in ("unknown-key", "bad-key"), str(exc)


def test_lone_surrogate_in_text_is_a_policy_error() -> None:
    with pytest.raises(PolicyError) as info:
        flexpolicy.Policy.from_yaml(BASE + "# \ud800\n", file="x.yaml")
    check_invariants(info.value, "x.yaml")
    assert info.value.code == "encoding"


# -- odd shapes: always a located PolicyError, never a crash ------------------------

SHAPES = [
    pytest.param(("rules:\n", "rules: 5\nx_rules:\n"), id="rules-scalar"),
    pytest.param(("  - id: loyal\n", "  - 5\n  - id: loyal\n"), id="rule-scalar"),
    pytest.param(("  - id: loyal\n", "  - []\n  - id: loyal\n"), id="rule-list"),
    pytest.param(("when: customer.tier >= 4", "when: {all: 3}"), id="all-scalar"),
    pytest.param(("when: customer.tier >= 4", "when: {any: []}"), id="any-empty"),
    pytest.param(("when: customer.tier >= 4", "when: {foo: x}"), id="when-unknown-op"),
    pytest.param(("when: customer.tier >= 4", "when: {all: [a], any: [b]}"), id="when-two-ops"),
    pytest.param(("when: customer.tier >= 4", "when: 5"), id="when-number"),
    pytest.param(("when: customer.tier >= 4", "when: null"), id="when-null"),
    pytest.param(("when: customer.tier >= 4", "when: []"), id="when-empty-list"),
    pytest.param(("when: customer.tier >= 4", "when: [[], {}]"), id="when-nested-empties"),
    pytest.param(("when: customer.tier >= 4", "when: {not: {not: 3}}"), id="not-not-number"),
    pytest.param(("when: customer.tier >= 4", "when: 2024-01-01"), id="when-date"),
    pytest.param(("when: customer.tier >= 4", "when: ''"), id="when-empty-text"),
    pytest.param(("when: customer.tier >= 4", "when: customer.tier == null"), id="null-compare"),
    pytest.param(("when: customer.tier >= 4", 'when: date("2024-13-01") < today'), id="bad-date"),
    pytest.param(("when: customer.tier >= 4", "when: len() > 1"), id="arity"),
    pytest.param(("when: customer.tier >= 4", "when: round(item_price, 1.5) > 1"), id="round"),
    pytest.param(("when: customer.tier >= 4", "when: customer.name == 'x'"), id="hidden-field"),
    pytest.param(("when: customer.tier >= 4", "when: cüstomer.tier > 1"), id="unicode-name"),
    pytest.param(("when: customer.tier >= 4", "when: customer.tier > 1e9"), id="exponent"),
    pytest.param(("when: customer.tier >= 4", "when: '\"unclosed'"), id="unclosed-string"),
    pytest.param(("when: customer.tier >= 4", "when: customer.tier >= 4 >= 'a'"), id="chain"),
    pytest.param(("when: customer.tier >= 4", "when: -customer.flags"), id="negate-set"),
    pytest.param(("when: customer.tier >= 4", "when: 1 in 2"), id="in-number"),
    pytest.param(
        ("    explain:\n      staff:", "    explain: [a, b]\n    x_explain:\n      staff:"),
        id="explain-list",
    ),
    pytest.param(("staff: Tier {customer.tier} customer.", "staff: [1]"), id="staff-list"),
    pytest.param(("  explain: Outside the window.", "  explain: 5"), id="explain-number"),
    pytest.param(("params:\n  window_days: 30\n", "params: [1]\n"), id="params-list"),
    pytest.param(("  window_days: 30\n", "  window_days: {a: 1}\n"), id="param-mapping"),
    pytest.param(("  window_days: 30\n", "  window_days: 30\n  1x: 3\n"), id="param-bad-name"),
    pytest.param(
        ("  window_days: 30\n", "  window_days: 30\n  customer: 3\n"), id="param-reserved"
    ),
    pytest.param(("  unused: ", "  request: true\n  unused: "), id="fact-reserved"),
    pytest.param(("  unused: ", "  x: 5\n  unused: "), id="fact-number"),
    pytest.param(("  unused: ", "  x: null\n  unused: "), id="fact-null"),
    pytest.param(
        ('facts:\n  unused: request.item_condition == "unused"\n', "facts: [a]\n"), id="facts-list"
    ),
    pytest.param(("{associate: 10, supervisor: 25}", "{associate: -1}"), id="cap-negative"),
    pytest.param(("{associate: 10, supervisor: 25}", "{associate: abc}"), id="cap-text"),
    pytest.param(("{associate: 10, supervisor: 25}", "{}"), id="caps-empty"),
    pytest.param(("{associate: 10, supervisor: 25}", "[1]"), id="caps-list"),
    pytest.param(("{associate: 10, supervisor: 25}", "{associate: .inf}"), id="cap-inf"),
    pytest.param(("{associate: 10, supervisor: 25}", "{associate: .nan}"), id="cap-nan"),
    pytest.param(
        ("{associate: 10, supervisor: 25}", "{associate: 30, supervisor: 5}"), id="caps-inverted"
    ),
    pytest.param(('version: "1"', "version: null"), id="version-null"),
    pytest.param(('version: "1"', "version: !!timestamp garbage"), id="bad-timestamp"),
    pytest.param(('version: "1"', "version: !!int 1x"), id="bad-int"),
    pytest.param(('version: "1"', "version: !!bool maybe"), id="bad-bool"),
    pytest.param(('version: "1"', "version: [1]"), id="version-list"),
    pytest.param(("roles: [associate, supervisor, store_manager]", "roles: []"), id="roles-empty"),
    pytest.param(
        ("roles: [associate, supervisor, store_manager]", "roles: [1, 2]"), id="roles-numbers"
    ),
    pytest.param(("applies_to: [return]", "applies_to: []"), id="applies-empty"),
    pytest.param(("policy: returns", "policy: 5"), id="policy-number"),
    pytest.param(("policy: returns", "policy: has space"), id="policy-space"),
    pytest.param(("bends: [default]", "bends: default"), id="bends-scalar"),
    pytest.param(("bends: [default]", "bends: [1]"), id="bends-number"),
    pytest.param(("bends: [default]", "bends: [[x]]"), id="bends-nested"),
    pytest.param(("  - id: loyal\n", "  - id: [x]\n"), id="id-list"),
    pytest.param(("    kind: flex\n", "    kind: 5\n"), id="kind-number"),
    pytest.param(
        (
            "    outcome: approve\n    remedy: store_credit",
            "    outcome: [approve]\n    remedy: store_credit",
        ),
        id="outcome-list",
    ),
    pytest.param(("    remedy: store_credit", "    remedy: {}"), id="remedy-mapping"),
    pytest.param(("    authority: supervisor", "    authority: [x]"), id="authority-list"),
    pytest.param(
        ("    authority: supervisor", "    authority: supervisor\n    amount: [1]"),
        id="amount-list",
    ),
    pytest.param(
        ("    authority: supervisor", "    authority: supervisor\n    amount: abc"),
        id="amount-name",
    ),
    pytest.param(
        ("    authority: supervisor", "    authority: supervisor\n    amount: ''"),
        id="amount-empty",
    ),
    pytest.param(
        ("default:\n  outcome: deny\n  explain: Outside the window.\n", "default: deny\n"),
        id="default-scalar",
    ),
    pytest.param(
        ("  outcome: deny\n", "  outcome: deny\n  authority: supervisor\n"), id="deny-authority"
    ),
    pytest.param(("levers:\n", "levers: {a: 1}\nx_levers:\n"), id="levers-mapping"),
    pytest.param(("policy: returns\n", "? [a, b]\n: c\npolicy: returns\n"), id="complex-key"),
    pytest.param(
        ("policy: returns\n", "base: &b {x: 1}\npolicy: returns\n<<: *b\n"), id="merge-key"
    ),
    pytest.param(("policy: returns\n", "policy: returns\n--- \nsecond: doc\n"), id="two-documents"),
    pytest.param(
        ("  window_days: 30\n", "  window_days: 30\n  big: 1.5e+99999999999\n  z: !!binary aGk=\n"),
        id="binary",
    ),
]


@pytest.mark.parametrize("change", SHAPES)
def test_odd_shapes_are_located_policy_errors(loader: Loader, change: Edit) -> None:
    text = edit(BASE, change)
    if text == BASE:  # pragma: no cover - guards the table
        pytest.fail("the change did nothing")
    exc = loader.fail(text)  # never KeyError, TypeError, ValidationError, ...
    lines = text.count("\n") + 1
    for problem in exc.problems:
        assert problem.line <= lines, problem.format()


# -- all problems at once, never half loaded -------------------------------------

FOUR_MISTAKES = """\
policy: returns
version: "1"
applies_to: [return]
roles: [associate, supervisor, store_manager]
rules:
  - id: one
    when: customer.teir >= 4
    outcome: approve
    remedy: refund
  - id: two
    when: request.store_at_fault
    outcome: aprove
  - id: three
    when: request.item_condition == "unusd"
    outcome: approve
    remedy: refnd
  - id: four
    when: days_since_purchase <= 30
    outcome: approve
    remedy: refund
    authority: supervsor
default:
  outcme: deny
"""


def test_every_problem_of_a_file_is_reported_at_once(loader: Loader) -> None:
    exc = loader.fail(FOUR_MISTAKES)
    found = {(p.code, p.rule_id) for p in exc.problems}
    assert {
        ("unknown-field", "one"),
        ("bad-outcome", "two"),
        ("invalid-value", "three"),
        ("bad-remedy", "three"),
        ("unknown-role", "four"),
        ("unknown-key", "default"),
    } <= found
    assert len(exc.problems) >= 6
    positions = [(p.line, p.column) for p in exc.problems]
    assert positions == sorted(positions)
    assert exc.problems[0].rule_id == "one"
    expected = {
        "unknown-field": at(FOUR_MISTAKES, "teir"),
        "bad-outcome": at(FOUR_MISTAKES, "aprove"),
        "invalid-value": at(FOUR_MISTAKES, '"unusd"'),
        "bad-remedy": at(FOUR_MISTAKES, "refnd"),
        "unknown-role": at(FOUR_MISTAKES, "supervsor"),
        "unknown-key": at(FOUR_MISTAKES, "outcme"),
    }
    for code, where in expected.items():
        problem = with_code(exc, code)
        assert (problem.line, problem.column) == where, problem.format()


def test_str_of_the_error_lists_every_problem_as_file_line_column(loader: Loader) -> None:
    exc = loader.fail(FOUR_MISTAKES)
    text = str(exc)
    for problem in exc.problems:
        assert f"{loader.file}:{problem.line}:{problem.column}: " in text
        assert problem.message in text
        if problem.hint:
            assert problem.hint in text
    assert text.splitlines()[0].startswith(f"{len(exc.problems)} errors")
    assert f"{loader.file}:7:20: error[unknown-field]: " in text
    assert "hint: did you mean `tier`?" in text


def test_messages_are_lowercase_and_quote_user_input(loader: Loader) -> None:
    exc = loader.fail(FOUR_MISTAKES)
    for code, quoted in [
        ("unknown-field", "`teir`"),
        ("bad-outcome", "`aprove`"),
        ("invalid-value", "`unusd`"),
        ("bad-remedy", "`refnd`"),
        ("unknown-role", "`supervsor`"),
        ("unknown-key", "`outcme`"),
    ]:
        message = with_code(exc, code).message
        assert first_letter(message).islower(), message
        assert quoted in message, message


def test_an_expression_with_two_mistakes_reports_both(loader: Loader) -> None:
    text = edit(BASE, ("customer.tier >= 4", "customer.teir >= 4 and request.conditon"))
    exc = loader.fail(text)
    found = {(p.line, p.column) for p in exc.problems if p.code == "unknown-field"}
    assert found == {at(text, "teir"), at(text, "conditon")}


def test_problems_in_facts_rules_templates_and_levers_all_reported(loader: Loader) -> None:
    text = edit(
        BASE,
        ('"unused"', '"unusd"'),
        ("{window_days}", "{windw_days}"),
        ("customer.tier >= 4", "customer.teir >= 4"),
        ("customer.tier >= 3", "customer.tier >= 3 and widow_days"),
    )
    exc = loader.fail(text)
    codes = [p.code for p in exc.problems]
    assert codes.count("unknown-name") == 2
    assert "invalid-value" in codes
    assert "unknown-field" in codes
    lines = [p.line for p in exc.problems]
    assert lines == sorted(lines)
    assert len(set(lines)) == 4


def test_a_bad_file_in_a_directory_loads_nothing(tmp_path: Path) -> None:
    (tmp_path / "a_good.yaml").write_text(BASE, encoding="utf-8")
    bad = tmp_path / "b_bad.yaml"
    exchanges = BASE.replace("policy: returns", "policy: exchanges").replace(
        "applies_to: [return]", "applies_to: [exchange]"
    )
    bad.write_text(exchanges.replace("customer.tier >= 4", "customer.teir >= 4"), encoding="utf-8")
    result = None
    with pytest.raises(PolicyError) as info:
        result = flexpolicy.load_policies(tmp_path)
    assert result is None
    check_invariants(info.value, str(bad))
    assert info.value.code == "unknown-field"


def test_problems_of_every_bad_file_in_a_directory_are_reported(tmp_path: Path) -> None:
    first = tmp_path / "a.yaml"
    second = tmp_path / "b.yml"
    first.write_text(BASE.replace("customer.tier >= 4", "customer.teir >= 4"), encoding="utf-8")
    second.write_text(
        BASE.replace("policy: returns", "policy: other")
        .replace("applies_to: [return]", "applies_to: [exchange]")
        .replace("remedy: refund", "remedy: refnd"),
        encoding="utf-8",
    )
    with pytest.raises(PolicyError) as info:
        flexpolicy.load_policies(tmp_path)
    by_file = {(p.file, p.code) for p in info.value.problems}
    assert by_file == {(str(first), "unknown-field"), (str(second), "bad-remedy")}
    assert f"{first}:18:20" in str(info.value)
    assert f"{second}:13:13" in str(info.value)


def test_two_policies_claiming_one_kind_is_a_policy_error(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(BASE.replace("policy: returns", "policy: again"), "utf-8")
    with pytest.raises(PolicyError) as info:
        flexpolicy.load_policies(tmp_path)
    assert info.value.code == "kind-conflict"
    assert "`return`" in info.value.message


# -- files that cannot be read -----------------------------------------------------


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(PolicyError) as info:
        flexpolicy.load_policy(path)
    exc = info.value
    assert exc.code == "unreadable"
    assert exc.file == str(path)
    assert len(exc.problems) == 1
    assert exc.message[0].islower()


def test_directory_given_as_a_policy_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as info:
        flexpolicy.load_policy(tmp_path)
    assert info.value.code == "unreadable"


@pytest.mark.parametrize(
    ("make", "code"),
    [
        pytest.param(lambda p: p / "missing", "unreadable", id="missing-dir"),
        pytest.param(lambda p: p, "no-policies", id="empty-dir"),
    ],
)
def test_load_policies_on_a_bad_directory(
    tmp_path: Path, make: Callable[[Path], Path], code: str
) -> None:
    with pytest.raises(PolicyError) as info:
        flexpolicy.load_policies(make(tmp_path))
    assert info.value.code == code


def test_unknown_engine_is_a_policy_error(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(BASE, encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        flexpolicy.load_policy(path, engine="rete")  # type: ignore[arg-type]
    assert info.value.code == "unknown-engine"
    assert info.value.hint is not None
    assert "`native`" in info.value.hint
