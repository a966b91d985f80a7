"""Every list and text of a policy file is bounded, as a located `bad-value`.

Before, `version`, a text param, a list param, `applies_to` (how many kinds, and what a
kind looks like), `roles`, `remedies` and the names the builder checks itself
(`outcome`, `remedy`, `authority`, a rule's `kind`, `bends`, `allow`, cap roles)
took any length: a 500 kB remedy came back as a 500 kB message, a kind no request can
have (`Return`, `price-adjustment`) loaded and never matched.  The limits are in the
"Limits" table of docs/policy-language.md; the JSON Schema says the same.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import ValidationError

from flexpolicy import Policy, PolicyError
from flexpolicy.cases._escalations import parse_escalations
from flexpolicy.models import Request
from flexpolicy.schema import json_schema
from tests.build.test_policy_numbers import ESCALATIONS

POLICY = """\
policy: p
version: "1"
applies_to: [return]
roles: [associate, supervisor]
remedies: [voucher]
params: {window: 30}
rules:
  - id: r
    when: customer.tier >= 1
    outcome: approve
    remedy: refund
    authority: supervisor
    allow: [guard-overlap]
levers:
  - id: l
    kind: gift_card
    caps: {associate: 10}
"""


def words(n: int, word: str = "k") -> str:
    return ", ".join(f"{word}{i}" for i in range(n))


V101, X101 = "v" * 101, "x" * 101
OVER_100 = "101 characters, over the limit of 100"
LIST_1001 = ", ".join(["1"] * 1001)


def case(name: str, old: str, new: str, where: str, message: str, hint: str) -> Any:  # noqa: PLR0917
    """A policy edited `old` -> `new`: one `bad-value` at `where`, its hint saying `hint`."""
    return pytest.param(old, new, where, message, hint, id=name)


BAD = [
    case("version-101", 'version: "1"', f'version: "{V101}"', "`version`", OVER_100, "label"),
    case(
        "text-param-2001",
        "{window: 30}",
        f"{{window: {'x' * 2001}}}",
        "`params.window`",
        "2,001 characters, over the limit of 2,000",
        "param",
    ),
    case(
        "list-param-1001",
        "{window: 30}",
        f"{{window: [{LIST_1001}]}}",
        "`params.window`",
        "1,001 entries, over the limit of 1,000",
        "param",
    ),
    case(
        "list-param-text",
        "{window: 30}",
        f"{{window: [1, {'x' * 2001}]}}",
        "`params.window[1]`",
        "2,001 characters, over the limit of 2,000",
        "param",
    ),
    case(
        "kinds-101",
        "[return]",
        f"[{words(101)}]",
        "`applies_to`",
        "101 entries, over the limit of 100",
        "split",
    ),
    case(
        "kind-capital",
        "[return]",
        "[Return]",
        "`applies_to[0]`",
        "no request can have the kind `Return`",
        "write `return`",
    ),
    case(
        "kind-hyphen",
        "[return]",
        "[return, price-adjustment]",
        "`applies_to[1]`",
        "no request can have the kind `price-adjustment`",
        "lowercase letters, digits and `_`",
    ),
    case(
        "kind-digit",
        "[return]",
        "[2nd_return]",
        "`applies_to[0]`",
        "no request can have the kind `2nd_return`",
        "starting with a letter",
    ),
    case(
        "kind-65",
        "[return]",
        f"[{'k' * 65}]",
        "`applies_to[0]`",
        "65 characters, over the limit of 64",
        "64",
    ),
    case(
        "roles-101",
        "[associate, supervisor]",
        f"[{words(100, 'r')}, supervisor, associate]",
        "`roles`",
        "102 entries, over the limit of 100",
        "ladder",
    ),
    case(
        "remedies-101",
        "[voucher]",
        f"[{words(101, 'v')}]",
        "`remedies`",
        "101 entries, over the limit of 100",
        "remedies",
    ),
    case(
        "remedy-name",
        "remedy: refund",
        f"remedy: {'x' * 500_000}",
        "`rules[0].remedy`",
        "500,000 characters, over the limit of 100",
        "limits",
    ),
    case(
        "outcome", "outcome: approve", f"outcome: {X101}", "`rules[0].outcome`", OVER_100, "limits"
    ),
    case(
        "authority",
        "authority: supervisor",
        f"authority: {X101}",
        "`rules[0].authority`",
        OVER_100,
        "limits",
    ),
    case("allow", "[guard-overlap]", f"[{X101}]", "`rules[0].allow[0]`", OVER_100, "limits"),
    case("lever-kind", "kind: gift_card", f"kind: {X101}", "`levers[0].kind`", OVER_100, "limits"),
    case(
        "cap-role",
        "{associate: 10}",
        f"{{associate: 10, {X101}: 5}}",
        f"`levers[0].caps`, key `{'x' * 39}…`",
        OVER_100,
        "limits",
    ),
]


def refuse(text: str) -> PolicyError:
    with pytest.raises(PolicyError) as info:
        Policy.from_yaml(text, file="x.yaml")
    return info.value


def at(text: str, needle: str) -> tuple[int, int]:
    index = text.index(needle)
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


@pytest.mark.parametrize(("old", "new", "where", "message", "hint"), BAD)
def test_over_a_limit_is_a_located_bad_value(
    old: str, new: str, where: str, message: str, hint: str
) -> None:
    text = POLICY.replace(old, new, 1)
    (problem,) = refuse(text).problems
    assert (problem.code, problem.message) == ("bad-value", f"{where}: {message}")
    assert len(problem.message) < 200
    assert problem.hint is not None
    assert hint in problem.hint
    # It points at the value (a list, or the entry in it), or at the mapping key.
    line, column = at(text, new)
    assert problem.line == line
    assert problem.column >= column


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param('version: "1"', f'version: "{"v" * 100}"', id="version"),
        pytest.param('version: "1"', "version: 2026.11", id="number-version"),
        pytest.param("{window: 30}", f"{{window: {'x' * 2000}}}", id="text-param"),
        pytest.param("{window: 30}", f"{{window: [{LIST_1001[3:]}]}}", id="list-param"),
        pytest.param("[return]", f"[{words(100)}]", id="kinds"),
        pytest.param("[return]", f"[{'k' * 64}, price_adjustment, claim2]", id="kind-shapes"),
        pytest.param(
            "[associate, supervisor]", f"[{words(98, 'r')}, associate, supervisor]", id="roles"
        ),
        pytest.param("[voucher]", f"[{words(100, 'v')}]", id="remedies"),
        pytest.param("remedy: refund", f"remedy: refund\n    title: {'x' * 2000}", id="title"),
    ],
)
def test_at_a_limit_loads(old: str, new: str) -> None:
    Policy.from_yaml(POLICY.replace(old, new, 1))


KINDS = ["return", "price_adjustment", "k" * 64, "k" * 65, "Return", "return ", "price-adjustment"]
KINDS += ["2nd", "ret urn", "é", "_x", "claim2"]


@pytest.mark.parametrize("kind", KINDS)
def test_applies_to_takes_the_kinds_a_request_can_have(kind: str) -> None:
    """A kind loads exactly when a request can carry it as written."""
    try:
        read = Request.model_validate({"id": "R", "kind": kind, "requested_at": "2026-01-01"})
    except ValidationError:
        request_can = False
    else:
        request_can = read.kind == kind
    text = POLICY.replace("[return]", json.dumps([kind]), 1)
    if request_can:
        Policy.from_yaml(text)
    else:
        assert [p.code for p in refuse(text).problems] == ["bad-value"]


ESCALATION_BAD = [
    ("version", 'version: "1"', f'version: "{V101}"', OVER_100),
    (
        "params.limit",
        "{limit: 3}",
        f"{{limit: {'x' * 2001}}}",
        "2,001 characters, over the limit of 2,000",
    ),
    (
        "params.limit",
        "{limit: 3}",
        f"{{limit: [{LIST_1001}]}}",
        "1,001 entries, over the limit of 1,000",
    ),
    (
        "roles",
        "[associate, store_manager]",
        f"[{words(101, 'r')}]",
        "101 entries, over the limit of 100",
    ),
    ("rules[0].escalate_to", "escalate_to: store_manager", f"escalate_to: {X101}", OVER_100),
]


@pytest.mark.parametrize(("where", "old", "new", "message"), ESCALATION_BAD)
def test_escalations_files_have_the_same_limits(
    where: str, old: str, new: str, message: str
) -> None:
    with pytest.raises(PolicyError) as info:
        parse_escalations(ESCALATIONS.replace(old, new, 1), file="e.yaml")
    (problem,) = info.value.problems
    assert (problem.code, problem.message) == ("bad-value", f"`{where}`: {message}")


# -- the JSON Schema says the same ---------------------------------------------------------

SCHEMA_BAD = [
    "version-101",
    "text-param-2001",
    "list-param-1001",
    "list-param-text",
    "kinds-101",
    "kind-capital",
    "kind-65",
    "roles-101",
    "remedies-101",
    "outcome",
    "cap-role",
]


@pytest.mark.parametrize("name", SCHEMA_BAD)
def test_the_json_schema_flags_what_the_loader_refuses(name: str) -> None:
    old, new, *_ = next(b.values for b in BAD if b.id == name)
    policy: Any = yaml.safe_load(POLICY.replace(old, new, 1))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(policy, json_schema("policy"))


def test_the_json_schema_takes_the_policy_at_its_limits() -> None:
    policy: Any = yaml.safe_load(POLICY)
    policy["params"] = {"text": "x" * 2000, "list": [1] * 1000, "day": "2026-01-31", "b": True}
    policy["applies_to"] = [f"k{i}" for i in range(100)]
    jsonschema.validate(policy, json_schema("policy"))


@pytest.mark.parametrize(
    ("version", "message"),
    [
        ("true", "input should be a valid string"),  # was read as the version "1"
        ("false", "input should be a valid string"),  # and "0"
        ('""', "string should have at least 1 character"),
    ],
)
def test_a_version_is_text_or_a_number(version: str, message: str) -> None:
    text = POLICY.replace('version: "1"', f"version: {version}", 1)
    (problem,) = refuse(text).problems
    assert (problem.code, problem.message) == ("bad-value", f"`version`: {message}")
    assert (problem.line, problem.column) == at(text, version)
