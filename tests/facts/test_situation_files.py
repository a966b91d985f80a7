"""Issue 14, situation files: every problem an `InputError` that says where, and no more.

Before: a key written twice silently kept the last; `2026-02-30` in YAML ended in a
traceback (`ValueError`); a YAML syntax error quoted the line it was on (an email
address, say); a JSON Lines line whose facts contradict each other did not name its
line.  Now each is an `InputError` with the exact code in its table row, located
by line (and column), never quoting the situation's text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flexpolicy import Policy, read_situations
from flexpolicy._situations.reader import parse_fast, parse_line
from tests.support.errors import input_error

POLICY = """\
policy: returns
version: "1"
applies_to: [return]
roles: [associate]
rules:
  - id: any
    when: customer.tier >= 1
    outcome: approve
    remedy: refund
default: {outcome: deny}
"""

HEAD = """\
request:
  id: R-1
  kind: return
  requested_at: 2026-01-20
"""

YAML_FILES = [
    pytest.param(
        HEAD + "customer:\n  id: C-1\n  tier: 4\n  tier: 5\n",
        "duplicate-key",
        "s.yaml:8:3: key `tier` appears twice in one mapping (first at line 7)",
        id="duplicate-key",
    ),
    pytest.param(
        "request: {id: R-1, kind: return, requested_at: 2026-01-20, id: R-2}\n"
        "customer: {id: C-1, tier: 4}\n",
        "duplicate-key",
        "s.yaml:1:60: key `id` appears twice",
        id="duplicate-key-flow",
    ),
    pytest.param(
        HEAD.replace("2026-01-20", "2026-02-30") + "customer: {id: C-1, tier: 4}\n",
        "invalid-facts",
        "s.yaml:4:17: `2026-02-30` is not a date that exists",
        id="february-30",
    ),
    pytest.param(
        HEAD.replace("2026-01-20", "2026-13-01") + "customer: {id: C-1, tier: 4}\n",
        "invalid-facts",
        "s.yaml:4:17: `2026-13-01` is not a date that exists",
        id="month-13",
    ),
    pytest.param(
        HEAD + "customer:\n  id: C-1\n  email: jane.doe@example.com: x\n",
        "bad-file",
        "s.yaml:7:30: not YAML (mapping values are not allowed here)",
        id="syntax-error",
    ),
    pytest.param(
        HEAD + "customer: {id: C-1, tier: 4, name: *jane_doe_example_com}\n",
        "bad-file",
        "s.yaml:5:36: not YAML (found undefined alias '…')",
        id="undefined-alias",
    ),
    pytest.param(
        HEAD + "customer:\n  id: C-1\n  tier: 9\n",
        "invalid-facts",
        "s.yaml:7: `customer.tier` input should be less than or equal to 5",
        id="bad-value-located",
    ),
    pytest.param(
        HEAD + "custmer:\n  id: C-1\n  tier: 4\n",
        "invalid-facts",
        "s.yaml:5: `custmer` extra inputs are not permitted (and 1 more)",
        id="misspelt-key",
    ),
    pytest.param(
        "- " + HEAD.replace("\n", "\n  ").rstrip() + "\n  customer: {id: C-1, tier: 4}\n"
        "- " + HEAD.replace("\n", "\n  ").rstrip() + "\n  customer: {id: C-1, tier: true}\n",
        "invalid-facts",
        "s.yaml:10: `customer.tier` input should be a number, not true or false",
        id="second-of-a-list",
    ),
]


@pytest.mark.parametrize(("text", "code", "message"), YAML_FILES)
def test_yaml_situation_files(tmp_path: Path, text: str, code: str, message: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    exc = input_error(lambda: list(read_situations(path)))
    assert exc.code == code
    assert exc.message.startswith(f"{tmp_path}/"), exc.message
    assert message in exc.message, exc.message
    assert "jane" not in str(exc)
    assert "example.com" not in str(exc)


def test_a_misspelt_situation_key_gets_a_did_you_mean(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(HEAD.replace("  kind:", "  knd:") + "customer: {id: C, tier: 4}\n", "utf-8")
    exc = input_error(lambda: list(read_situations(path)))
    assert "`request.knd`" in exc.message
    assert exc.hint == "did you mean `kind`?"


GOOD = {
    "request": {"id": "R-1", "kind": "return", "requested_at": "2026-01-20", "sku": "A"},
    "customer": {"id": "C-1", "tier": 4, "email": "jane.doe@example.com"},
    "transaction": {
        "id": "T-1",
        "purchased_at": "2026-01-10",
        "items": [{"sku": "A", "unit_price": "10.00"}],
    },
}


def line(**changes: Any) -> str:
    data = json.loads(json.dumps(GOOD))
    for path, value in changes.items():
        record, field = path.split("__")
        data[record][field] = value
    return json.dumps(data)


DUPLICATED = line().replace('"tier": 4', '"tier": 4, "tier": 5')
SPACED = line().replace('"tier": 4', '"tier": 4, "tier" : 5')
NESTED = line().replace('"sku": "A"}, "customer"', '"sku": "A", "id": "R-2"}, "customer"')
CUT = line()[:-1]
TWO_LINES = line().replace(
    '"unit_price": "10.00"}]', '"unit_price": "10.00"}, {"sku": "A", "unit_price": "1"}]'
)


def column(text: str, needle: str) -> str:
    """`:3:N` for the last `needle` in `text`, on line 3 of the file."""
    return f":3:{text.rindex(needle) + 1}:"


JSON_LINES = [
    pytest.param(
        DUPLICATED, "duplicate-key", column(DUPLICATED, '"tier"') + " key `tier`", id="duplicate"
    ),
    pytest.param(SPACED, "duplicate-key", column(SPACED, '"tier"') + " key `tier`", id="spaced"),
    pytest.param(NESTED, "duplicate-key", column(NESTED, '"id": "R-2"') + " key `id`", id="nested"),
    pytest.param(
        CUT, "bad-file", f":3: not JSON (Expecting ',' delimiter, column {len(CUT) + 1})", id="cut"
    ),
    pytest.param(line(customer__tier=True), "invalid-facts", ":3: `customer.tier`", id="bad-fact"),
    pytest.param(
        line(request__sku="B"), "contradictory-facts", ":3: sku `B` is not on", id="contradictory"
    ),
    pytest.param(
        TWO_LINES,
        "ambiguous-item",
        ":3: sku `A` is on 2 lines of transaction `T-1`",
        id="ambiguous",
    ),
]


@pytest.mark.parametrize(("bad", "code", "message"), JSON_LINES)
@pytest.mark.parametrize("reader", ["read_situations", "iter_decide"])
def test_json_lines_errors_name_the_line(
    tmp_path: Path, bad: str, code: str, message: str, reader: str
) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(f"{line()}\n\n{bad}\n{line()}\n", encoding="utf-8")
    read: Callable[[], object]
    if reader == "read_situations":
        read = lambda: list(read_situations(path))  # noqa: E731
    else:
        policy = Policy.from_yaml(POLICY)
        read = lambda: list(policy.iter_decide(read_situations(path)))  # noqa: E731
    exc = input_error(read)
    assert exc.code == code
    prefix = "situation 1: " if reader == "iter_decide" else ""
    assert exc.message.startswith(f"{prefix}{path}:3"), exc.message
    assert f"{path}{message}" in exc.message, exc.message
    assert "jane" not in str(exc)


def test_a_json_file_with_a_key_twice_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    text = json.dumps(GOOD, indent=2).replace('"tier": 4,', '"tier": 4,\n    "tier": 5,')
    path.write_text(text, encoding="utf-8")
    exc = input_error(lambda: list(read_situations(path)))
    assert exc.code == "duplicate-key"
    assert exc.message.startswith(f"{path}:11:5: key `tier` appears twice"), exc.message


def test_bad_utf8_and_overlong_lines_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_bytes(line().encode() + b"\n" + b'{"request": "\xff"}\n')
    exc = input_error(lambda: list(read_situations(path)))
    assert (exc.code, exc.message) == ("bad-file", f"{path}:2: not UTF-8 text")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(DUPLICATED, id="duplicate"),
        pytest.param(line().replace('"tier": 4', '"tier": 4, "tier" : 5'), id="spaced-colon"),
        pytest.param(line().replace('"id": "R-1"', '"id": "R-1", "id": "R-1"'), id="same-value"),
    ],
)
def test_the_fast_path_leaves_duplicates_to_the_exact_one(text: str) -> None:
    assert parse_fast(text) is None
    assert input_error(lambda: parse_line(text, "x:1")).code == "duplicate-key"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(line(), id="plain"),
        pytest.param(line(customer__name="a: b", customer__email='x":y'), id="colons-in-text"),
        pytest.param(json.dumps(GOOD, indent=2), id="indented"),
    ],
)
def test_the_fast_path_still_takes_lines_without_duplicates(text: str) -> None:
    assert parse_fast(text) is not None or '":' in text.split('"email": ')[1]
    assert parse_line(text, "x:1").customer.id == "C-1"
