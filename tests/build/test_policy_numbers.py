"""Numbers in policy and escalations files are bounded when YAML reads them.

`1.0e+999999999` given for a param, a list param, `version` or an `amount` hung
`PolicySpec.model_validate` (pydantic expanded it for the `int | Decimal` unions), and
a hex, binary, octal or sexagesimal int of thousands of digits escaped as a
`ValueError` from `digest_of` (Python will not print an int of more than 4,300
digits).  The YAML layer now refuses a number with more digits than the facts may hold
(`_facts.numbers.MAX_DIGITS`, 28) as `bad-number`, before anything expands it.  The
hanging cases also run in a subprocess with a timeout (`test_huge_numbers_end_quickly`),
so a regression fails instead of hanging the suite.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from decimal import Decimal
from typing import Any

import pytest

from tests.support.paths import ROOT
from flexpolicy import Policy, PolicyError
from flexpolicy._build.builder import digest_of
from flexpolicy._build.located import load_yaml
from flexpolicy._facts.numbers import MAX_DIGITS
from flexpolicy.cases._escalations import parse_escalations

POLICY = """\
policy: p
version: "1"
applies_to: [return]
roles: [associate, supervisor]
params: {window: 30}
rules:
  - id: r
    when: customer.tier >= 1
    outcome: approve
    remedy: refund
    amount: 10
default: {outcome: deny}
levers:
  - id: l
    caps: {associate: 10}
"""

ESCALATIONS = """\
escalations: e
version: "1"
roles: [associate, store_manager]
params: {limit: 3}
rules:
  - id: r
    when: case.contacts_14d >= params.limit
    escalate_to: store_manager
"""

# Where a number can stand in a policy: (name, old text, new text with `N` for the number).
PLACES = [
    ("param", "{window: 30}", "{window: N}"),
    ("list-param", "{window: 30}", "{window: [1, N]}"),
    ("version", 'version: "1"', "version: N"),
    ("rule-amount", "amount: 10", "amount: N"),
    ("default-amount", "{outcome: deny}", "{outcome: approve, remedy: refund, amount: N}"),
    ("lever-cap", "{associate: 10}", "{associate: N}"),
]

HUGE = [
    ("big-exponent", "1.0e+999999999"),
    ("small-exponent", "1.0e-999999999"),
    ("negative", "-1.0e+999999999"),
    ("exponent-29", "1.0e+28"),
    ("places-29", "0.00000000000000000000000000001"),
    ("digits-29", "1" * 29),
    ("decimal-5000", "9" * 5000),
    ("hex-5000", "0x" + "f" * 5000),
    ("hex-25", "0x" + "f" * 24),
    ("binary-20000", "0b" + "1" * 20000),
    ("octal-5000", "0" + "7" * 5000),
    ("sexagesimal-3000", "1" + ":59" * 3000),
    ("underscores", "1_" * 3000 + "1"),
]


def shown(number: str) -> str:
    """How much of a number a message may echo."""
    return number if len(number) <= 40 else number[:39] + "…"


def refuse(text: str) -> PolicyError:
    with pytest.raises(PolicyError) as info:
        Policy.from_yaml(text, file="x.yaml")
    return info.value


def at(text: str, needle: str) -> tuple[int, int]:
    index = text.index(needle)
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


@pytest.mark.parametrize(("place", "old", "new"), PLACES, ids=[p[0] for p in PLACES])
@pytest.mark.parametrize(("name", "number"), HUGE, ids=[h[0] for h in HUGE])
def test_a_number_out_of_range_is_bad_number_at_the_number(
    place: str, old: str, new: str, name: str, number: str
) -> None:
    text = POLICY.replace(old, new.replace("N", number), 1)
    (problem,) = refuse(text).problems
    assert (problem.code, (problem.line, problem.column)) == ("bad-number", at(text, number))
    assert problem.message == f"`{shown(number)}` is out of range"
    assert problem.hint is not None
    assert f"at most {MAX_DIGITS} digits" in problem.hint


@pytest.mark.parametrize(
    ("number", "value"),
    [
        ("9" * 28, 10**28 - 1),
        ("-" + "9" * 28, -(10**28) + 1),
        ("0x" + "f" * 23, 16**23 - 1),
        ("0b" + "1" * 93, 2**93 - 1),
        ("0" + "0" * 5000 + "7", 7),  # leading zeros are no digits
        ("1:30", 90),
        ("1_000", 1000),
        ("1.5e+26", Decimal("1.5e26")),
        ("1.0e-27", Decimal("1.0e-27")),
        ("0.0000000000000000000000000001", Decimal("1e-28")),
        ("12.50", Decimal("12.50")),
    ],
    ids=lambda v: v if not isinstance(v, str) or len(v) < 20 else f"{v[:12]}…{len(v)}",
)
def test_numbers_in_range_are_read_exactly(number: str, value: Any) -> None:
    text = POLICY.replace("{window: 30}", f"{{window: {number}}}")
    read = load_yaml(text, "x.yaml").data["params"]["window"]
    assert read == value
    assert type(read) is type(value)
    Policy.from_yaml(text)  # and the whole policy loads


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('!!int ""', "bad-scalar"),  # these two raised `IndexError`
        ('!!int "-"', "bad-scalar"),
        ("!!int 12x", "bad-scalar"),
        ("!!int 0x", "bad-scalar"),
        ("!!int 1.5", "bad-scalar"),
        ("!!float abc", "bad-number"),
        (".inf", "bad-number"),
        ("-.inf", "bad-number"),
        (".nan", "bad-number"),
        ("!!float 1.0e+999999999", "bad-number"),
        ('!!int "' + "9" * 5000 + '"', "bad-number"),
        ('!!int "+-' + "9" * 100 + '"', "bad-number"),
        ('!!int "\u0661\u0662"', "bad-scalar"),  # Python's int() reads Arabic-Indic digits
        ('!!float "\u0661.\u0665"', "bad-number"),
    ],
)
def test_odd_numbers_are_located_policy_errors(text: str, code: str) -> None:
    policy = POLICY.replace("{window: 30}", f"{{window: {text}}}")
    (problem,) = refuse(policy).problems
    assert (problem.code, (problem.line, problem.column)) == (code, at(policy, text))
    assert len(problem.message) < 80, problem.message


def test_a_number_as_a_key_is_one_bad_key() -> None:
    text = POLICY.replace("{window: 30}", "{1.0e+999999999: 30}")
    (problem,) = refuse(text).problems
    assert problem.code == "bad-key"
    assert "`1.0e+999999999`" in problem.message


def test_a_quoted_cap_out_of_range_is_bad_number() -> None:
    """A cap is a decimal, so pydantic reads a quoted one: the bound holds there too."""
    text = POLICY.replace("{associate: 10}", '{associate: "1e999999999"}')
    (problem,) = refuse(text).problems
    assert (problem.code, (problem.line, problem.column)) == ("bad-number", at(text, '"1e9'))
    assert problem.message.startswith("`levers[0].caps.associate`: ")


@pytest.mark.parametrize(("name", "number"), HUGE, ids=[h[0] for h in HUGE])
@pytest.mark.parametrize("place", ["version", "param", "list-param"])
def test_escalations_files_bound_numbers_alike(place: str, name: str, number: str) -> None:
    old, new = {
        "version": ('version: "1"', "version: N"),
        "param": ("{limit: 3}", "{limit: N}"),
        "list-param": ("{limit: 3}", "{limit: [N]}"),
    }[place]
    text = ESCALATIONS.replace(old, new.replace("N", number), 1)
    with pytest.raises(PolicyError) as info:
        parse_escalations(text, file="e.yaml")
    (problem,) = info.value.problems
    assert (problem.code, (problem.line, problem.column)) == ("bad-number", at(text, number))


# -- digest_of ----------------------------------------------------------------------------


def test_the_digest_of_loaded_data_is_its_canonical_json() -> None:
    """`digest_of` json-dumps what `load_yaml` built; a huge int never gets that far
    (it is `bad-number` as it is read, above), so the digest of plain data is pinned."""
    plain = {"b": [1, Decimal("2.50")], "a": "x"}
    canonical = json.dumps(plain, sort_keys=True, default=str, separators=(",", ":"))
    assert digest_of(plain) == "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


# -- timing -------------------------------------------------------------------------------

# Each of these hung (or raised ValueError) before the fix; a subprocess with a timeout
# turns a regression into a failure instead of a hung test run.
TIMED = """
import json, sys, time
from flexpolicy import Policy, PolicyError
from flexpolicy.cases._escalations import parse_escalations
places, huge, policy, escalations = json.load(sys.stdin)
slowest = 0.0
for old, new in places:
    for number in huge:
        for parse, base in ((Policy.from_yaml, policy), (parse_escalations, escalations)):
            if old not in base:
                continue
            text = base.replace(old, new.replace("N", number), 1)
            start = time.perf_counter()
            try:
                parse(text)
            except PolicyError as error:
                assert error.problems[0].code == "bad-number", error
            else:
                sys.exit(f"accepted {number[:20]} at {old}")
            slowest = max(slowest, time.perf_counter() - start)
print(slowest)
"""


def test_huge_numbers_end_quickly() -> None:
    places = [(old, new) for _, old, new in PLACES] + [("{limit: 3}", "{limit: [N]}")]
    args = json.dumps([places, [n for _, n in HUGE], POLICY, ESCALATIONS])
    result = subprocess.run(
        [sys.executable, "-c", TIMED],
        input=args,
        cwd=ROOT / "src",
        timeout=60,
        check=True,
        capture_output=True,
        text=True,
    )
    slowest = float(result.stdout)
    # The refusal itself takes microseconds; a whole load of this small file (YAML
    # parsing included) a few milliseconds.  The margin is for a loaded CI machine.
    assert slowest < 0.5, f"the slowest refusal took {slowest * 1000:.1f} ms"
