"""Generators for the fuzz tests: policies (valid, near-valid, hostile) and situations.

Two flavours of every generator:

- hypothesis strategies, for the tests that shrink a failure to a small example;
- plain functions of a seeded `random.Random`, for the bulk: hypothesis spends a few
  milliseconds per example on its own bookkeeping, too much for 100,000 inputs in CI.

One setting sizes it all: `FLEXPOLICY_FUZZ_EXAMPLES` is the number of generated
inputs the fuzz tests try in one run (100,000 by default; `make fuzz` asks for ten
times as many).  Each test takes a fixed share of it and records in `COUNTS` how many
inputs it really tried; the last test of `test_fuzz.py` checks the sum.
"""

from __future__ import annotations

import decimal
import json
import os
import random
import traceback
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

import policy_gen

ROOT = Path(__file__).resolve().parents[1]

DEFAULT_TOTAL = 100_000
TOTAL = int(os.environ.get("FLEXPOLICY_FUZZ_EXAMPLES", str(DEFAULT_TOTAL)))
SEED = int(os.environ.get("FLEXPOLICY_FUZZ_SEED", "20261120"))

# How many inputs each test tries: its share of TOTAL.  The shares add up to a little
# more than 1, so the session total reaches TOTAL even if hypothesis stops a test early.
SHARES = {
    "hyp-valid-policies": 0.006,
    "hyp-near-valid": 0.006,
    "hyp-hostile-yaml": 0.006,
    "hyp-expressions": 0.006,
    "hyp-situation-mappings": 0.006,
    "hyp-situation-json": 0.006,
    "bulk-expressions": 0.2,
    "bulk-near-valid": 0.03,
    "bulk-hostile-yaml": 0.02,
    "bulk-situation-mappings": 0.53,
    "bulk-situation-json": 0.22,
}
COUNTS: dict[str, int] = {}


def share(name: str, minimum: int = 20) -> int:
    return max(minimum, round(TOTAL * SHARES[name]))


def count(name: str, n: int = 1) -> None:
    COUNTS[name] = COUNTS.get(name, 0) + n


# -- findings that are known and reported, not yet fixed ---------------------------
#
# Each is a narrow signature (exception type and the function it escapes from) with a
# strict-xfail regression test in test_fuzz.py / test_sandbox.py; the fuzz tests count
# them instead of failing, so that the rest of the input space keeps being explored.
# When one is fixed, its regression test XPASSes (strict) and this entry must go.
# Empty: the six findings of the first runs are fixed, and their regression tests are
# in test_sandbox.py and test_fact_numbers.py.
KNOWN_FINDINGS: dict[str, tuple[type[BaseException], str]] = {}
FINDINGS_SEEN: dict[str, int] = {}


def known_finding(exc: BaseException) -> str | None:
    frames = {f.name for f in traceback.extract_tb(exc.__traceback__)}
    for name, (kind, function) in KNOWN_FINDINGS.items():
        if type(exc) is kind and function in frames:
            FINDINGS_SEEN[name] = FINDINGS_SEEN.get(name, 0) + 1
            return name
    return None


# -- vocabulary ----------------------------------------------------------------------

FIELDS = [
    "customer.tier",
    "customer.segment",
    "customer.lifetime_value",
    "customer.purchases_12m",
    "customer.returns_12m",
    "customer.exceptions_90d",
    "customer.member_since",
    "customer.flags",
    "customer.attributes.score",
    "customer.attributes.vip",
    "customer.id",
    "request.kind",
    "request.amount",
    "request.item_condition",
    "request.packaging_intact",
    "request.has_receipt",
    "request.store_at_fault",
    "request.reason",
    "request.requested_at",
    "transaction.purchased_at",
    "transaction.items",
    "transaction.channel",
    "item.unit_price",
    "item.category",
    "item.final_sale",
    "actor.role",
    "case.contacts_total",
    "days_since_purchase",
    "item_price",
    "customer_tenure_days",
    "today",
    "window_days",
    "params.window_days",
    "unused",
]
FUNCTIONS = [
    "abs",
    "min",
    "max",
    "round",
    "len",
    "lower",
    "upper",
    "days_between",
    "known",
    "coalesce",
    "date",
]
# Things an attacker (or a Python habit) would type.
ESCAPES = [
    "__class__",
    "__globals__",
    "__import__",
    "__builtins__",
    "__dict__",
    "__subclasses__",
    "_U",
    "_cmp",
    "_call",
    "_Decimal",
    "eval",
    "exec",
    "open",
    "getattr",
    "globals",
    "vars",
    "type",
    "lambda",
    "model_fields",
    "model_config",
    "model_copy",
    "model_dump",
    "__pydantic_fields__",
    "upper()",
    "mro",
    "f'{x}'",
    "(x := 1)",
    "[x for x in y]",
    "{}",
    "%s",
    "{0}",
    "\\N{BULLET}",
    "yield",
    "await",
    "import",
    "os.system",
]
OPERATORS = ["==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%"]
OPERATORS += ["and", "or", "not", "in", "not in"]
PUNCT = ["(", ")", "[", "]", ",", ".", "{", "}", ":", "=", "!", "&&", "||", "**", "@", ";"]
LITERALS = [
    "0",
    "1",
    "-1",
    "30",
    "0.5",
    "99.99",
    "true",
    "false",
    "null",
    '"unused"',
    '"vip"',
    "''",
    '"2026-02-30"',
    'date("2026-11-20")',
    'date("9999-12-31")',
    'date("0001-01-01")',
    "[1, 2]",
    '["a", "b"]',
    "[]",
]
HUGE_NUMBERS = [
    "9" * 40,
    "1" + "0" * 400,
    "0." + "0" * 60 + "1",
    "1_000_000",
    "4294967296",
    "18446744073709551616",
    "3000000",
    "99999999999999.9999",
]
# Characters that break naive code: surrogates, direction marks, zero-width, NUL...
ODD = [
    "\u202e",
    "\u200b",
    "\u200d",
    "\ufeff",
    "\u0000",
    "\x7f",
    "\u2028",
    "\ud800",
    "\udfff",
    "\U0001f600",
    "\u0663",
    "\u00b2",
    "\uff43",
    "\u0301",
    "\t",
    "\r",
    "\n",
    "\\",
    '"',
    "'",
    "#",
    "&a",
    "*a",
    "!!python/object:os.system",
    "%",
    "{",
    "}",
    "İ",
    "ß",
    "ﬁ",
]
TOKENS = FIELDS + FUNCTIONS + ESCAPES + OPERATORS + PUNCT + LITERALS + HUGE_NUMBERS + ODD

ATOMS_ALL = [
    "customer.tier >= 4",
    "days_since_purchase <= window_days",
    'request.item_condition == "unused"',
    "request.store_at_fault",
    "coalesce(request.has_receipt, true)",
    "known(customer.segment)",
    '"abusive" in customer.flags',
    "item_price * 2 >= 100",
    "round(item_price) >= 50",
    "round(item_price, 2) >= 50",
    'today - date("2026-01-01") > 10',
    "today + 30 > transaction.purchased_at",
    "customer.attributes.score > 3",
    "len(transaction.items) >= 1",
    "request.amount / 2 < item_price",
    "customer.purchases_12m % 2 == 0",
    'lower(coalesce(customer.segment, "x")) == "loyal"',
    "days_between(transaction.purchased_at, today) < 400",
    "unused",
]


# -- policies ------------------------------------------------------------------------

POLICY_HEAD = """\
policy: fuzz
version: "1"
applies_to: [return, exchange]
roles: [associate, supervisor, store_manager]
params: {window_days: 30}
facts:
  unused: request.item_condition == "unused"
"""


def one_rule_policy(expr: str, where: str = "when") -> str:
    """A small policy whose only variable part is `expr`, placed where `where` says."""
    q = json.dumps(expr)
    if where == "when":
        rule = f"  - id: r\n    when: {q}\n    outcome: approve\n    remedy: refund\n"
    elif where == "amount":
        rule = f"  - id: r\n    when: true\n    outcome: approve\n    amount: {q}\n"
    elif where == "explain":
        rule = (
            f"  - id: r\n    when: customer.tier >= 1\n    outcome: approve\n"
            f"    explain: {json.dumps('Because {' + expr + '}.')}\n"
        )
    elif where == "customer":
        rule = (
            f"  - id: r\n    when: customer.tier >= 1\n    outcome: approve\n"
            f"    explain: {{staff: ok, customer: {json.dumps('As {' + expr + '} says')}}}\n"
        )
    elif where == "literal-explain":
        rule = f"  - id: r\n    when: customer.tier >= 1\n    outcome: approve\n    explain: {q}\n"
    else:  # a fact
        return (
            POLICY_HEAD.replace("facts:\n", f"facts:\n  fuzzed: {q}\n")
            + "rules:\n  - id: r\n    when: fuzzed\n    outcome: approve\n"
        )
    return POLICY_HEAD + "rules:\n" + rule


PLACES = ["when", "when", "when", "amount", "explain", "customer", "literal-explain", "fact"]


def shipped_policy_texts() -> list[str]:
    return [
        p.read_text(encoding="utf-8")
        for p in sorted((ROOT / "rules").glob("*.yaml"))
        if p.name != "escalations.yaml"
    ]


def random_expression(rng: random.Random) -> str:
    """A token soup, a valid-looking combination, or a valid one with one change."""
    mode = rng.random()
    if mode < 0.35:
        return " ".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 9)))
    if mode < 0.7:
        parts = [rng.choice(ATOMS_ALL) for _ in range(rng.randint(1, 3))]
        expr = f" {rng.choice(['and', 'or'])} ".join(f"({p})" for p in parts)
        if rng.random() < 0.3:
            expr = "not " + expr
        return expr
    base = rng.choice(ATOMS_ALL)
    tokens = base.split(" ")
    i = rng.randrange(len(tokens))
    action = rng.randrange(5)
    if action == 0:
        tokens[i] = rng.choice(TOKENS)
    elif action == 1:
        tokens.insert(i, rng.choice(TOKENS))
    elif action == 2:
        tokens[i] = rng.choice(HUGE_NUMBERS)
    elif action == 3:
        t = tokens[i]
        j = rng.randrange(len(t) + 1)
        tokens[i] = t[:j] + rng.choice(ODD) + t[j:]
    else:
        depth = rng.choice([5, 39, 40, 41, 200, 1200])
        tokens[i] = rng.choice(["(" * depth + tokens[i] + ")" * depth, "not " * depth])
        if rng.random() < 0.5:
            tokens[i] = "-" * depth + "1"
    return " ".join(tokens)


MUTATIONS = (
    "drop-line",
    "duplicate-line",
    "swap-lines",
    "rename-key",
    "retype",
    "huge-number",
    "unicode",
    "indent",
    "token",
    "truncate",
)


def mutate_policy(rng: random.Random, text: str) -> str:
    """One mutation of a valid policy text (YAML or JSON)."""
    lines = text.split("\n")
    i = rng.randrange(len(lines))
    kind = rng.choice(MUTATIONS)
    line = lines[i]
    if kind == "drop-line":
        del lines[i]
    elif kind == "duplicate-line":
        lines.insert(i, line)
    elif kind == "swap-lines":
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], line
    elif kind == "rename-key" and ":" in line:
        key, _, rest = line.partition(":")
        new = rng.choice(["whn", "outcome", "kind", "bends", "id", "policy", "x", "", "<<", "1"])
        lines[i] = key[: len(key) - len(key.lstrip())] + new + ":" + rest
    elif kind == "retype" and ":" in line:
        key, _, _ = line.partition(":")
        lines[i] = key + ": " + rng.choice(["[]", "{}", "null", "7", "true", "[[1]]", "'x'", "~"])
    elif kind == "huge-number":
        digits = [k for k, ch in enumerate(line) if ch.isdigit()]
        k = rng.choice(digits) if digits else len(line)
        lines[i] = line[:k] + rng.choice(HUGE_NUMBERS) + line[k:]
    elif kind == "unicode":
        k = rng.randrange(len(line) + 1)
        lines[i] = line[:k] + rng.choice(ODD) + line[k:]
    elif kind == "indent":
        lines[i] = rng.choice(["", " ", "\t", "    ", "      "]) + line.lstrip()
    elif kind == "token":
        words = line.split(" ")
        k = rng.randrange(len(words))
        words[k] = rng.choice(TOKENS)
        lines[i] = " ".join(words)
    else:
        return text[: rng.randrange(len(text) + 1)]
    return "\n".join(lines)


def hostile_yaml(rng: random.Random) -> str | bytes:
    """A document built to hurt a YAML loader."""
    # the expensive kinds (bombs that reach the budget, a 990 kB scalar) less often
    kind = rng.choices(range(14), weights=[1, 3, 3, 1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3])[0]
    n = rng.choice([2, 9, 10, 30])
    if kind == 0:  # billion laughs, of random breadth and depth
        width = rng.randint(2, 12)
        levels = rng.randint(2, 9)
        out = [f"a0: &a0 [{','.join(['lol'] * width)}]"]
        for k in range(1, levels):
            out.append(f"a{k}: &a{k} [{','.join([f'*a{k - 1}'] * width)}]")
        return "\n".join(out) + "\n"
    if kind == 1:  # deep nesting, flow or block
        depth = rng.choice([63, 64, 65, 100, 3000])
        if rng.random() < 0.5:
            return "policy: " + "[" * depth + "]" * depth
        return "".join(" " * k + f"k{k}:\n" for k in range(min(depth, 400))) + " " * 401 + "x"
    if kind == 2:  # python and other tags
        tag = rng.choice(
            [
                "!!python/object/apply:os.system ['true']",
                "!!python/object:flexpolicy.Policy {}",
                "!!python/name:os.system",
                "!!python/module:os",
                "!custom x",
                "!!binary aGVsbG8=",
                "!!set {a, b}",
                "!!omap [a: 1]",
                "!!int 12x",
                "!!float nan",
                "!!timestamp 2026-02-30",
                "!<tag:evil.com,2000:x> y",
            ]
        )
        return POLICY_HEAD + f"title: {tag}\n"
    if kind == 3:  # a huge scalar, around the size limit
        size = rng.choice([1_000, 1_000, 1_000, 990_000, 999_900, 1_000_001])
        return POLICY_HEAD + "description: " + "x" * size + "\n"
    if kind == 4:  # NUL and other control bytes
        return POLICY_HEAD.replace(
            "fuzz", "fu" + rng.choice(["\x00", "\x01", "\x1b", "\x85"]) + "zz"
        )
    if kind == 5:  # invalid UTF-8
        raw = POLICY_HEAD.encode()
        k = rng.randrange(len(raw))
        return (
            raw[:k] + rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"]) + raw[k:]
        )
    if kind == 6:  # BOMs
        bom = rng.choice(["\ufeff", "\ufeff\ufeff", "x\ufeff"])
        return bom + POLICY_HEAD + "rules: []\n"
    if kind == 7:  # duplicate keys
        return (
            POLICY_HEAD + "policy: again\nrules:\n  - {id: a, id: b, when: true, outcome: deny}\n"
        )
    if kind == 8:  # tabs
        return POLICY_HEAD + "rules:\n\t- id: a\n\t  when: true\n"
    if kind == 9:  # merge keys and anchors on keys
        return POLICY_HEAD + "base: &b {outcome: deny}\nrules:\n  - <<: *b\n    id: a\n"
    if kind == 10:  # many small documents, directives, odd top levels
        return rng.choice(
            [
                "---\na: 1\n---\nb: 2\n",
                "%YAML 1.1\n---\na: 1\n",
                "%TAG ! tag:evil,2000:\n--- !x\na: 1\n",
                "",
                "---",
                "...",
                "[]",
                "'text'",
                "null",
                "? [a, b]\n: c\n",
                "? {a: 1}\n: c\n",
                "1: x\n",
                "null: x\ntrue: y\n",
            ]
        )
    if kind == 11:  # many aliases of a mapping
        return "x: &x {a: 1, b: [1, 2, 3]}\nrules: [" + ", ".join(["*x"] * n * 10) + "]\n"
    if kind == 12:  # unknown alias, recursive anchors
        return rng.choice(["a: *nope\n", "a: &a [*a]\n", "a: &a {b: *a}\n", "&a a: *a\n"])
    # rules in bulk
    rules = "".join(
        f"  - {{id: r{k}, when: customer.tier >= 1, outcome: deny}}\n" for k in range(n * 5)
    )
    return POLICY_HEAD + "rules:\n" + rules


# -- situations ------------------------------------------------------------------------


def base_situation() -> dict[str, Any]:
    return {
        "request": {
            "id": "R-1",
            "kind": "return",
            "requested_at": "2026-11-20",
            "sku": "SKU-1",
            "transaction_id": "T-1",
            "item_condition": "unused",
            "packaging_intact": True,
            "store_at_fault": True,
            "amount": "59.99",
        },
        "customer": {
            "id": "C-1",
            "tier": 4,
            "flags": [],
            "attributes": {"score": 3, "vip": True},
            "member_since": "2020-01-01",
            "lifetime_value": "1500.00",
        },
        "transaction": {
            "id": "T-1",
            "purchased_at": "2026-09-01",
            "customer_id": "C-1",
            "items": [{"sku": "SKU-1", "unit_price": "59.99", "category": "electronics"}],
        },
        "actor": {"id": "E-1", "role": "associate"},
    }


ODD_STRINGS = [
    "",
    " ",
    "\u202eevil",
    "a\u200bb",
    "\ud800",
    "\udfff\ud800",
    "\x00",
    "x" * 201,
    "x" * 5000,
    "\U0001f600",
    "İ",
    "\ufeff",
    "__class__",
    "{customer.tier}",
    "%s%s%s",
    "' OR 1=1 --",
    "\n\r\t",
]
BOUNDARY = [
    0,
    -1,
    1,
    5,
    6,
    2**31,
    2**63,
    10**30,
    10**4300,
    -(10**20),
    True,
    False,
    None,
    0.1,
    1e308,
    float("inf"),
    float("nan"),
    "0",
    "-0.00",
    "1e999999",
    "1E-999999",
    "NaN",
    "99999999999999.9999",
    "99999999999999.99999",
    "0." + "0" * 50 + "1",
    decimal.Decimal("1e-30"),
    decimal.Decimal("99999999999999.9999"),
    decimal.Decimal("1e100"),
    decimal.Decimal("4e2205784847214335"),
    decimal.Decimal("4e-2205784847214335"),
    decimal.Decimal("-0e999999999"),
    decimal.Decimal("9" * 28),
    decimal.Decimal("9" * 29),
    10**28 - 1,
    decimal.Decimal("NaN"),
    decimal.Decimal("sNaN"),
    decimal.Decimal("-Infinity"),
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "2026-11-20T25:00:00",
    [],
    {},
    [[[]]],
    ["unused"],
    {"a": {"b": {"c": {}}}},
    *ODD_STRINGS,
]
DATE_VALUES = ["0001-01-01", "9999-12-31", "2026-11-19", "2026-11-21", "2026-02-29", "1970-01-01"]


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = []
    if len(prefix) > 6:  # do not walk into the deep values we made ourselves
        return found
    if isinstance(data, dict):
        for key, value in data.items():
            found.append((*prefix, key))
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for k, value in enumerate(data):
            found.append((*prefix, k))
            found.extend(_paths(value, (*prefix, k)))
    return found


def _nested(depth: int) -> Any:
    value: Any = 1
    for k in range(depth):
        value = [value] if k % 2 else {"a": value}
    return value


def mutate_situation(rng: random.Random, data: dict[str, Any], n: int) -> dict[str, Any]:
    """`n` changes to a situation mapping: drop, retype, boundary values, odd text."""
    data = json.loads(json.dumps(data))
    for _ in range(n):
        paths = _paths(data)
        if not paths:
            break
        path = rng.choice(paths)
        parent: Any = data
        for part in path[:-1]:
            parent = parent[part]
        key = path[-1]
        action = rng.randrange(7)
        if action == 0:
            del parent[key]
        elif action == 1:
            parent[key] = rng.choice(BOUNDARY)
        elif action == 2:
            parent[key] = rng.choice(DATE_VALUES)
        elif action == 3 and isinstance(parent, dict):
            parent[rng.choice([*ODD_STRINGS, "extra", "score", "tier"])] = rng.choice(BOUNDARY)
        elif action == 4:
            parent[key] = _nested(rng.choice([3, 50, 500]))
        elif action == 5:
            parent[key] = rng.choice(ODD_STRINGS)
        else:
            parent[key] = rng.randint(-(2**70), 2**70)
    if rng.random() < 0.3 and isinstance(data.get("customer"), dict):
        data["customer"]["tier"] = rng.choice([1, 2, 3, 4, 5])
    if rng.random() < 0.2 and isinstance(data.get("request"), dict):
        data["request"]["requested_at"] = rng.choice(DATE_VALUES)
    return data


TIERS_AS_TEXT = [
    *("4.0", "4e0", "04", "true", "[4]", "400000000000000000000", "9" * 5000),
    *("4e2205784847214335", "4e-2205784847214335", "0e99999999999", "4.0e+99999999999"),
]


def json_text(rng: random.Random, data: Any) -> str:
    """`data` as JSON, sometimes with raw number syntax no mapping can hold."""
    try:
        text = json.dumps(data, default=str)
    except (ValueError, RecursionError):
        text = "{}"
    mode = rng.randrange(8)
    if mode == 0:
        return text.replace(
            '"59.99"', rng.choice(["59.99", "1e400", "-0", "1" * 5000, "NaN", "4e2205784847214335"])
        )
    if mode == 1:
        k = rng.randrange(len(text) + 1)
        return text[:k] + rng.choice([*ODD, "\\ud800", "\\u0000", '"', "]", "}", ","]) + text[k:]
    if mode == 2:
        return text[: rng.randrange(len(text) + 1)]
    if mode == 3:
        tier = rng.choice(TIERS_AS_TEXT)
        return text.replace('"tier": 4', '"tier": ' + tier, 1)
    return text


# -- hypothesis strategies -----------------------------------------------------------------

token = st.sampled_from(TOKENS)
expressions = st.one_of(
    st.lists(token, min_size=1, max_size=8).map(" ".join),
    st.lists(st.sampled_from(ATOMS_ALL), min_size=1, max_size=3).map(
        lambda parts: " and ".join(f"({p})" for p in parts)
    ),
    st.text(max_size=40),
)
expression_policies = st.builds(one_rule_policy, expressions, st.sampled_from(PLACES))


@st.composite
def near_valid_policies(draw: st.DrawFn) -> str:
    text = draw(st.one_of(policy_gen.policies(), st.sampled_from(shipped_policy_texts())))
    rng = random.Random(draw(st.integers(0, 2**32)))
    for _ in range(draw(st.integers(1, 2))):
        text = mutate_policy(rng, text)
    return text


hostile_documents = st.integers(0, 2**32).map(lambda seed: hostile_yaml(random.Random(seed)))

situation_mappings = st.builds(
    lambda seed, n: mutate_situation(random.Random(seed), base_situation(), n),
    st.integers(0, 2**32),
    st.integers(0, 4),
)
situation_texts = st.one_of(
    st.builds(
        lambda seed, data: json_text(random.Random(seed), data),
        st.integers(0, 2**32),
        situation_mappings,
    ),
    st.text(max_size=60),
)
