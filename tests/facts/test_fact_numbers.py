"""Numbers and nesting in the facts: bounded before anything expands them.

Regression tests of what the fuzz tests found (see test_fuzz.py): a whole-number
field given `4e2205784847214335` never returned (pydantic expands the exponent), a
JSON integer of more than 4,300 digits raised `ValueError`, and deeply nested JSON
raised `RecursionError`.  Each is now an `InputError` or a pydantic `ValidationError`
that names the field, and the hanging cases run in a subprocess with a timeout, so a
regression fails instead of hanging the suite.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from flexpolicy import InputError, Situation, load_policy, read_situations
from flexpolicy._situations.reader import parse_line
from flexpolicy.models import Customer
from tests.support.paths import ROOT

REQUEST = {"id": "R", "kind": "return", "requested_at": "2026-01-01"}
CUSTOMER = {"id": "C", "tier": 3}


def line_with(path: tuple[str, str], raw_number: str) -> str:
    """A JSON situation with the number at `path` written as raw JSON text."""
    data: dict[str, Any] = {"request": dict(REQUEST), "customer": dict(CUSTOMER)}
    data[path[0]][path[1]] = "@NUMBER@"
    return json.dumps(data).replace('"@NUMBER@"', raw_number)


def test_json_integer_of_5000_digits_is_out_of_range() -> None:
    with pytest.raises(InputError) as caught:
        parse_line(line_with(("request", "amount"), "9" * 5000), "x.jsonl:1")
    assert caught.value.code == "invalid-facts"
    assert str(caught.value).startswith("x.jsonl:1: the number `99999999999999999999...`")


@pytest.mark.parametrize(
    "number", ["4e2205784847214335", "4e-2205784847214335", "1e29", "1.5e-29", "4.0e+30"]
)
@pytest.mark.parametrize("field", [("customer", "tier"), ("customer", "purchases_12m")])
def test_json_exponents_out_of_range_are_refused(number: str, field: tuple[str, str]) -> None:
    with pytest.raises(InputError) as caught:
        parse_line(line_with(field, number), "x.jsonl:7")
    assert caught.value.code == "invalid-facts"
    assert f"`{number}` is out of range" in caught.value.message


@pytest.mark.parametrize("number", ["4e0", "3.0", "1e1"])
def test_json_exponents_in_range_still_read(number: str) -> None:
    situation = parse_line(line_with(("customer", "purchases_12m"), number), "x.jsonl:1")
    assert situation.customer.purchases_12m == int(Decimal(number))


def test_deeply_nested_json_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        parse_line('{"request": ' + "[" * 5000 + "]" * 5000 + "}", "x.jsonl:3")
    assert caught.value.code == "bad-file"
    assert caught.value.message == "x.jsonl:3: nested too deeply to be a situation"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("deep.json", '{"request": ' + "[" * 5000 + "]" * 5000 + "}", "nested too deeply"),
        ("deep.yaml", "request: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
        ("digits.json", line_with(("customer", "tier"), "9" * 5000), "out of range"),
        ("digits.yaml", "customer:\n  id: C\n  tier: " + "9" * 5000 + "\n", "out of range"),
        ("exponent.yaml", "request: {}\ncustomer:\n  tier: 4.0e+2205784847214335\n", ":3: the"),
    ],
)
def test_situation_files_refuse_depth_and_huge_numbers(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        list(read_situations(path))
    assert message in caught.value.message
    assert caught.value.message.startswith(str(path))


def test_yaml_numbers_are_still_exact(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "request: {id: R, kind: return, requested_at: 2026-01-01, amount: 129.10}\n"
        "customer: {id: C, tier: 0x3, purchases_12m: 1_000}\n",
        encoding="utf-8",
    )
    (situation,) = read_situations(path)
    assert situation.request.amount == Decimal("129.10")
    assert (situation.customer.tier, situation.customer.purchases_12m) == (3, 1000)


@pytest.mark.parametrize(
    "value", [Decimal("4e2205784847214335"), Decimal("4e-2205784847214335"), Decimal("1e28")]
)
@pytest.mark.parametrize("field", ["tier", "purchases_12m", "attribute"])
def test_python_decimals_that_would_expand_are_refused(value: Decimal, field: str) -> None:
    data: dict[str, Any] = {"id": "C", "tier": 1}
    if field == "attribute":
        data["attributes"] = {"score": value}
    else:
        data[field] = value
    with pytest.raises(ValidationError) as caught:
        Customer.model_validate(data)
    assert "at most 28 digits" in str(caught.value)


def test_attribute_numbers_hold_28_digits() -> None:
    biggest = 10**28 - 1
    customer = Customer(id="C", tier=1, attributes={"a": biggest, "b": Decimal("9" * 28)})
    assert customer.attributes == {"a": biggest, "b": Decimal("9" * 28)}
    for too_big in (10**28, 10**5000, Decimal("9" * 29), Decimal("NaN"), float("inf")):
        with pytest.raises(ValidationError):
            Customer(id="C", tier=1, attributes={"a": too_big})


def test_lax_whole_numbers_are_still_accepted() -> None:
    """A backend reading a NUMERIC column hands over `Decimal("3")`; that stays fine."""
    customer = Customer.model_validate({"id": "C", "tier": Decimal("3"), "returns_12m": "2"})
    assert (customer.tier, customer.returns_12m) == (3, 2)


def test_decide_reports_a_huge_decimal_as_input_error() -> None:
    policy = load_policy(ROOT / "rules" / "returns.yaml")
    with pytest.raises(InputError) as caught:
        policy.decide(REQUEST, customer={"id": "C", "tier": Decimal("4e2205784847214335")})
    assert caught.value.code == "invalid-facts"
    assert caught.value.message == (
        "invalid customer: `tier` input should be a number of at most 28 digits"
    )


def test_json_validation_of_models_is_untouched() -> None:
    """The guard runs only on Python input: JSON text keeps pydantic's own parser."""
    text = json.dumps({"request": REQUEST, "customer": {**CUSTOMER, "attributes": {"n": 5}}})
    assert Situation.model_validate_json(text).customer.attributes == {"n": 5}


# Each of these never returned before the fix; a subprocess with a timeout turns a
# regression into a failure instead of a hung test run.
HANGS = """
import json, sys
from decimal import Decimal
from pydantic import ValidationError
from flexpolicy import InputError
from flexpolicy.models import Customer, LineItem
from flexpolicy._situations.reader import parse_line
huge = "4e2205784847214335"
line = json.dumps({"request": {"id": "r", "kind": "return", "requested_at": "2026-01-01"},
                   "customer": {"id": "c", "tier": "@"}})
cases = [
    lambda: parse_line(line.replace('"@"', huge), "x"),
    lambda: parse_line(line.replace('"@"', "-" + huge), "x"),
    lambda: Customer.model_validate({"id": "c", "tier": Decimal(huge)}),
    lambda: Customer.model_validate({"id": "c", "tier": 1, "attributes": {"a": Decimal(huge)}}),
    lambda: LineItem.model_validate({"sku": "s", "unit_price": 1, "quantity": Decimal(huge)}),
]
for case in cases:
    try:
        case()
    except (InputError, ValidationError):
        continue
    sys.exit("accepted")
"""


def test_huge_exponents_end_quickly() -> None:
    subprocess.run([sys.executable, "-c", HANGS], cwd=ROOT / "src", timeout=60, check=True)
