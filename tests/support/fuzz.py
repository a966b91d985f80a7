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

from tests.support import policy_gen

ROOT = Path(__file__).resolve().parents[2]

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
    # the shapes of issue 14: each input is a policy of up to thousands of facts or
    # digits, loaded (and decided) whole, so a few hundred of them per run
    "bulk-fact-doubling": 0.002,
    "bulk-fact-chains": 0.002,
    "bulk-deep-expressions": 0.002,
    "bulk-big-numbers": 0.003,
    "bulk-linear-source": 0.0005,
    "hyp-shapes": 0.001,
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
# in tests/build/test_sandbox.py and tests/facts/test_fact_numbers.py.
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


# -- policy shapes that once took the loader down (issue 14) ----------------------------
#
# Four families, each a pure function of its parameters (so hypothesis can shrink a
# failure to the smallest size) and a `random_*` function of a seeded Random for the
# bulk.  Sizes reach past the loader's limits on purpose: a shape over a limit must be
# refused cleanly (`too-deep`, `fact-cycle`, `bad-number`, ...) and fast, one under
# them must load, decide and explain.
#
# - fact doubling: `f{i}: f{i-1} + f{i-1}` (and a boolean and a Fibonacci variant), once
#   exponential in generated code;
# - long chains: `f{i}: f{i-1} + 1` (`not`, `coalesce`, `-`), and fact cycles;
# - deep expressions: `1*1*...*1 > 0`, `a + b + ...`, long `any:` lists, nested `not:`,
#   parentheses;
# - big numbers: `1.0e+999999999` and hex, octal, binary and sexagesimal ints of
#   thousands of digits, in params, `version`, `amount`, caps and expressions, and
#   numbers just inside the bounds.

# Where the shape's top expression goes.  `cond` places take a true/false condition
# (an expression or a structured form); `value` places take an expression (placeholders
# and amounts); `when` etc. compare a number with zero first.
COND_PLACES = ["when", "when-list", "any", "not", "guard", "flex", "lever", "fact"]
VALUE_PLACES = ["amount", "default-amount", "explain", "customer", "lever-explain"]
ORDERS = ["file", "reversed", "shuffled"]
# The bases of numeric chains: one internal, others a customer's sentence may show.
NUMBER_BASES = [
    "customer.purchases_12m",
    "customer.purchases_12m",
    "days_since_purchase",
    "coalesce(request.amount, 1)",
    "item_price",
    "customer.attributes.score",
]
BOOL_BASES = [
    "customer.purchases_12m > 0",
    "request.store_at_fault",
    "known(customer.segment)",
    "coalesce(request.has_receipt, true)",
]


def _ordered(facts: list[tuple[str, Any]], order: str, seed: int = 0) -> dict[str, Any]:
    if order == "reversed":
        facts = facts[::-1]
    elif order == "shuffled":
        facts = facts[:]
        random.Random(seed).shuffle(facts)
    return dict(facts)


def placed_policy(
    facts: list[tuple[str, Any]],
    top: Any,
    place: str,
    *,
    numeric: bool,
    order: str = "file",
    params: dict[str, Any] | None = None,
) -> str:
    """A policy (JSON text, which is YAML) that uses `top` once, where `place` says.

    `top` is an expression (a number when `numeric`, else true/false) or, for
    conditions, a structured form (`{any: [...]}`, `{not: ...}`, a list)."""
    structured = not isinstance(top, str)
    if (structured and place in VALUE_PLACES) or (not numeric and "amount" in place):
        place = "when"  # no placeholder holds a structured form, no amount is true/false
    cond: Any = f"({top}) >= 0" if numeric and not structured else top
    approve: dict[str, Any] = {"id": "r", "when": "customer.tier >= 1", "outcome": "approve"}
    approve["remedy"] = "refund"
    rules: list[dict[str, Any]] = [approve]
    levers: list[dict[str, Any]] = []
    default: dict[str, Any] = {"outcome": "deny"}
    policy_facts = list(facts)
    if place == "when":
        approve["when"] = cond
    elif place == "when-list":
        approve["when"] = ["customer.tier >= 1", cond]
    elif place == "any":
        approve["when"] = {"any": [cond, "customer.tier > 4"]}
    elif place == "not":
        approve["when"] = {"not": cond}
    elif place == "guard":
        rules.insert(
            0,
            {"id": "g", "kind": "guard", "when": cond, "outcome": "refer"}
            | {"authority": "supervisor"},
        )
    elif place == "flex":
        approve.update(when="customer.tier >= 5")
        rules.append({"id": "past", "when": "customer.tier >= 1", "outcome": "deny"})
        rules.append(
            {"id": "fx", "kind": "flex", "bends": ["past", "default"], "when": cond}
            | {"outcome": "approve", "remedy": "store_credit", "authority": "supervisor"}
        )
    elif place == "lever":
        levers.append({"id": "l", "when": cond, "caps": {"associate": 10, "supervisor": 25}})
    elif place == "fact":
        policy_facts.append(("top_fact", cond))
        approve["when"] = ["customer.tier >= 1", "top_fact"]
    elif place == "amount":
        approve["amount"] = top
    elif place == "default-amount":
        default = {"outcome": "approve", "remedy": "store_credit", "amount": top}
    elif place == "explain":
        approve["explain"] = "Because {" + top + "}, approved."
    elif place == "customer":
        approve["explain"] = {"staff": "Approved.", "customer": "As {" + top + "} shows."}
    else:  # lever-explain
        levers.append({"id": "l", "caps": {"associate": 10}, "explain": "Offer it: {" + top + "}."})
    policy: dict[str, Any] = {
        "policy": "shapes",
        "version": "1",
        "applies_to": ["return", "exchange"],
        "roles": ["associate", "supervisor", "store_manager"],
        "params": {"window_days": 30, **(params or {})},
        "facts": _ordered(policy_facts, order, len(policy_facts)),
        "rules": rules,
        "default": default,
    }
    if levers:
        policy["levers"] = levers
    return json.dumps(policy, indent=1)


DOUBLING_SHAPES = ["sum", "bool", "fib"]


def doubling_policy(shape: str, depth: int, place: str, order: str = "file", base: int = 0) -> str:
    """Each fact uses the one before it twice (`sum`, `bool`) or the two before it (`fib`)."""
    if shape == "bool":
        facts = [("b0", BOOL_BASES[base % len(BOOL_BASES)])]
        facts += [
            (f"b{i}", f"b{i - 1} and (b{i - 1} or customer.returns_12m > {i})")
            for i in range(1, depth + 1)
        ]
        return placed_policy(facts, f"b{depth}", place, numeric=False, order=order)
    facts = [("f0", NUMBER_BASES[base % len(NUMBER_BASES)])]
    for i in range(1, depth + 1):
        if shape == "fib":
            facts.append((f"f{i}", "f0 + 1" if i == 1 else f"f{i - 1} + f{i - 2}"))
        else:
            facts.append((f"f{i}", f"f{i - 1} + f{i - 1}"))
    return placed_policy(facts, f"f{depth}", place, numeric=True, order=order)


CHAIN_SHAPES = ["plus", "minus", "negate", "not", "coalesce", "coalesce-bool"]


def chain_policy(shape: str, length: int, place: str, order: str = "file", base: int = 0) -> str:
    """`length` facts, each built on the one before: `f{i}: f{i-1} + 1` and the like."""
    numeric = shape not in ("not", "coalesce-bool")
    if shape == "not":
        first = BOOL_BASES[base % len(BOOL_BASES)]
    elif shape == "coalesce-bool":
        first = "request.has_receipt"
    elif shape == "coalesce":
        first = "request.amount"
    else:
        first = NUMBER_BASES[base % len(NUMBER_BASES)]
    step = {
        "plus": "f{p} + 1",
        "minus": "f{p} - {i}",
        "negate": "-f{p}",
        "not": "not f{p}",
        "coalesce": "coalesce(f{p}, {i})",
        "coalesce-bool": "coalesce(f{p}, false)",
    }[shape]
    facts = [("f0", first)]
    facts += [(f"f{i}", step.format(p=i - 1, i=i)) for i in range(1, length + 1)]
    return placed_policy(facts, f"f{length}", place, numeric=numeric, order=order)


def cycle_policy(length: int, place: str, order: str = "file", tail: int = 0) -> str:
    """Facts `c0 .. c{length-1}` each using the next, the last using the first; a chain
    of `tail` facts leads into the cycle, and the rule reads the chain's end."""
    facts = [(f"c{i}", f"c{(i + 1) % length} + 1") for i in range(length)]
    facts += [(f"t{i}", f"{'t' + str(i - 1) if i else 'c0'} + 1") for i in range(tail)]
    top = f"t{tail - 1}" if tail else f"c{length // 2}"
    return placed_policy(facts, top, place, numeric=True, order=order)


DEEP_SHAPES = ["product", "sum", "any", "not", "parens", "negate"]
_SUM_TERMS = ["customer.tier", "customer.purchases_12m", "window_days", "1", "item_price"]


def deep_expression_policy(shape: str, size: int, place: str, variant: int = 0) -> str:
    """One expression (or structured condition) `size` operands long or deep."""
    if shape == "product":
        factor = ["1", "1", "customer.tier", "item_price"][variant % 4]
        return placed_policy([], "*".join([factor] * size), place, numeric=True)
    if shape == "sum":
        terms = [_SUM_TERMS[(variant + k) % len(_SUM_TERMS)] for k in range(size)]
        return placed_policy([], " + ".join(terms), place, numeric=True)
    if shape == "any":
        items: list[Any] = [f"customer.attributes.a{k} == 1" for k in range(size)]
        if variant % 3 == 1:  # the same list as an expression of `or`s, where it fits
            top: Any = " or ".join(items)
        elif variant % 3 == 2:
            top = {"not": {"any": items}}
        else:
            top = {"any": items}
        return placed_policy([], top, place if variant % 3 == 1 else "when", numeric=False)
    if shape == "not":
        top = BOOL_BASES[variant % len(BOOL_BASES)]
        for _ in range(size):
            top = {"not": top}
        return placed_policy([], top, place, numeric=False)
    if shape == "parens":
        inner = ATOMS_ALL[variant % len(ATOMS_ALL)]
        return placed_policy([], "(" * size + inner + ")" * size, place, numeric=False)
    # negate: - - - 1
    return placed_policy([], "-" * size + "1", place, numeric=True)


def _log_size(rng: random.Random, top: int, bottom: int = 1) -> int:
    """A size from `bottom` to `top`, small ones as likely as large ones by order of magnitude."""
    return min(top, max(bottom, round(bottom * (top / bottom) ** rng.random())))


def random_doubling_policy(rng: random.Random) -> str:
    depth = rng.choice([rng.randint(1, 40), rng.randint(1, 12), rng.choice([39, 40, 62, 63, 64])])
    place = rng.choice(COND_PLACES + VALUE_PLACES)
    return doubling_policy(
        rng.choice(DOUBLING_SHAPES), depth, place, rng.choice(ORDERS), rng.randrange(8)
    )


def random_chain_policy(rng: random.Random) -> str:
    if rng.random() < 0.2:
        length = _log_size(rng, 3000, 2)
        return cycle_policy(
            length,
            rng.choice(COND_PLACES + VALUE_PLACES),
            rng.choice(ORDERS),
            rng.choice([0, 0, 1, rng.randint(1, 70)]),
        )
    length = rng.choice([rng.randint(1, 64), rng.randint(1, 300), rng.choice([60, 64, 65, 67])])
    return chain_policy(
        rng.choice(CHAIN_SHAPES),
        length,
        rng.choice(COND_PLACES + VALUE_PLACES),
        rng.choice(ORDERS),
        rng.randrange(8),
    )


_DEEP_SIZES = {"product": 400, "sum": 400, "any": 600, "not": 30, "parens": 70, "negate": 70}


def random_deep_expression_policy(rng: random.Random) -> str:
    shape = rng.choice(DEEP_SHAPES)
    top = _DEEP_SIZES[shape]
    size = _log_size(rng, top) if rng.random() < 0.8 else rng.randint(max(1, top - 10), top)
    if shape == "not" and rng.random() < 0.1:
        size = rng.randint(31, 64)  # past the brief's 30, up to YAML's own depth limit
    return deep_expression_policy(
        shape, size, rng.choice(COND_PLACES + VALUE_PLACES), rng.randrange(12)
    )


# -- big numbers -------------------------------------------------------------------------

NUMBER_KINDS = ["exponent", "hex", "octal", "binary", "sexagesimal", "decimal", "inside"]
# Numbers at or just inside the bounds (28 digits before the point and after): they load.
INSIDE_BOUNDS = [
    "9" * 28,
    "-" + "9" * 28,
    "0." + "9" * 28,
    "9" * 28 + "." + "9" * 28,
    "0." + "0" * 27 + "1",
    "1.0e+27",
    "1.0e-27",
    "9.999e+27",
    "1_000_000_000_000_000_000_000_000_000",
    hex(10**28 - 1),
    bin(10**28 - 1),
    "0" + oct(10**28 - 1)[2:],
    "0x" + "0" * 5000 + "ff",
    "1:30",
    "190:20:30",
]
# Just outside.
OUTSIDE_BOUNDS = ["1" + "0" * 28, hex(10**28), "1.0e+28", "0." + "0" * 28 + "1", "1.0e-29"]


def big_number(kind: str, size: int, variant: int = 0) -> str:
    """YAML number text of `kind` with about `size` digits (an exponent of `size`)."""
    sign = ["", "", "-", "+"][variant % 4]
    rng = random.Random(size * 31 + variant)
    if kind == "exponent":
        mantissa = ["1.0", "9.99", "0.0", "1.", "12_345.6"][variant % 5]
        return f"{sign}{mantissa}e{'+-'[variant // 5 % 2]}{size}"
    if kind == "hex":
        return sign + "0x" + "".join(rng.choice("0123456789abcdefABCDEF") for _ in range(size))
    if kind == "octal":
        return sign + "0" + "".join(rng.choice("01234567") for _ in range(size))
    if kind == "binary":
        return sign + "0b1" + "".join(rng.choice("01_") for _ in range(size - 1))
    if kind == "sexagesimal":
        groups = [str(rng.randint(1, 99))] + [str(rng.randint(0, 59)) for _ in range(size // 2)]
        return sign + ":".join(groups)
    if kind == "decimal":
        return sign + "1" + "".join(rng.choice("0123456789") for _ in range(size - 1))
    numbers = INSIDE_BOUNDS + OUTSIDE_BOUNDS
    return numbers[(size + variant) % len(numbers)]


NUMBER_PLACES = [
    "param",
    "param-list",
    "version",
    "amount",
    "default-amount",
    "cap",
    "cap-text",
    "amount-expr",
    "when-expr",
    "fact",
    "title",
    "param-key",
]


def big_number_policy(number: str, where: str) -> str:
    """A small policy (YAML text) holding `number`, unquoted unless `where` says text."""
    head = {
        "version": 'version: "1"\n',
        "params": "params: {window_days: 30}\n",
        "title": "",
        "facts": "",
        "rule": "",
        "default": "",
        "levers": "",
    }
    q = json.dumps
    if where == "param":
        head["params"] = f"params: {{window_days: 30, x: {number}}}\n"
    elif where == "param-list":
        head["params"] = f"params:\n  window_days: 30\n  xs: [1, {number}, 2]\n"
    elif where == "version":
        head["version"] = f"version: {number}\n"
    elif where == "amount":
        head["rule"] = f"    amount: {number}\n"
    elif where == "default-amount":
        head["default"] = f"default: {{outcome: approve, remedy: refund, amount: {number}}}\n"
    elif where == "cap":
        head["levers"] = f"levers:\n  - {{id: l, caps: {{associate: 1, supervisor: {number}}}}}\n"
    elif where == "cap-text":
        head["levers"] = f"levers:\n  - {{id: l, caps: {{associate: {q(number)}}}}}\n"
    elif where == "amount-expr":
        head["rule"] = f"    amount: {q(number)}\n"
    elif where == "when-expr":
        head["rule"] = f"  - id: w\n    when: {q('customer.purchases_12m < ' + number)}\n"
        head["rule"] += "    outcome: deny\n"
    elif where == "fact":
        head["facts"] = f"facts:\n  big: {number}\n"
    elif where == "title":
        head["title"] = f"title: {number}\n"
    else:  # param-key
        head["params"] = f"params: {{window_days: 30, {number}: 1}}\n"
    # `head["rule"]` adds a key to this rule, or a rule after it
    rule = "rules:\n  - id: r\n    when: customer.tier >= 1\n    outcome: approve\n"
    rule += "    remedy: refund\n" + head["rule"]
    return (
        "policy: numbers\n"
        + head["version"]
        + head["title"]
        + "applies_to: [return, exchange]\n"
        + "roles: [associate, supervisor, store_manager]\n"
        + head["params"]
        + head["facts"]
        + rule
        + head["default"]
        + head["levers"]
    )


_NUMBER_SIZES = {
    "exponent": 999_999_999,
    "hex": 20_000,
    "octal": 20_000,
    "binary": 20_000,
    "sexagesimal": 20_000,
    "decimal": 20_000,
    "inside": len(INSIDE_BOUNDS) + len(OUTSIDE_BOUNDS),
}


def random_big_number_policy(rng: random.Random) -> str:
    kind = rng.choice(NUMBER_KINDS)
    top = _NUMBER_SIZES[kind]
    roll = rng.random()
    if roll < 0.15:
        size = top
    elif roll < 0.3:
        size = rng.choice([26, 27, 28, 29, 30, 112, 113])  # around the bounds
    else:
        size = _log_size(rng, top)
    return big_number_policy(big_number(kind, size, rng.randrange(40)), rng.choice(NUMBER_PLACES))


def shape_situations(rng: random.Random) -> list[dict[str, Any]]:
    """A few situations for the shapes: the base one, one with counts and attributes
    (so that chains and `any:` lists have something to read), one mutated."""
    busy = base_situation()
    busy["customer"].update(purchases_12m=rng.choice([3, 1_000_000_000]), returns_12m=2)
    busy["customer"]["attributes"] |= {f"a{rng.randrange(600)}": 1, "a0": "1", "a1": None}
    busy["customer"]["segment"] = "loyal"
    busy["request"]["has_receipt"] = rng.choice([True, False])
    return [base_situation(), busy, mutate_situation(rng, busy, 1)]


# The largest of each family: the cases that hung, or ran out of memory, before issue 14.
# test_fuzz.py runs them in a subprocess with a timeout before fuzzing a family in process.
def worst_cases() -> dict[str, list[tuple[str, str]]]:
    cases: dict[str, list[tuple[str, str]]] = {
        "doubling": [],
        "chain": [],
        "deep": [],
        "number": [],
    }
    # (a boolean fact counts two levels: `b31` is the deepest that loads)
    for shape in DOUBLING_SHAPES:
        for depth in (31, 64) if shape == "bool" else (20, 40, 64):
            cases["doubling"].append((f"{shape}-{depth}", doubling_policy(shape, depth, "when")))
    # in sentences, with a first fact that is not internal (so no walk stops early)
    cases["doubling"].append(("sum-40-explain", doubling_policy("sum", 40, "explain", base=2)))
    cases["doubling"].append(("fib-40-customer", doubling_policy("fib", 40, "customer", base=2)))
    text = doubling_policy("bool", 40, "lever-explain", base=1)
    cases["doubling"].append(("bool-40-lever-explain", text))
    for shape in CHAIN_SHAPES:
        for order in ("file", "reversed"):
            text = chain_policy(shape, 300, "when", order)
            cases["chain"].append((f"{shape}-300-{order}", text))
    for order in ("file", "reversed"):
        cases["chain"].append((f"cycle-3000-{order}", cycle_policy(3000, "when", order)))
    for shape, top in _DEEP_SIZES.items():
        cases["deep"].append((f"{shape}-{top}", deep_expression_policy(shape, top, "when")))
    cases["deep"].append(("not-64", deep_expression_policy("not", 64, "when")))
    numbers = [
        "1.0e+999999999",
        "1.0e-999999999",
        "-1.0e+999999999",
        big_number("hex", 20_000),
        big_number("octal", 20_000),
        big_number("binary", 20_000),
        big_number("sexagesimal", 20_000),
        big_number("decimal", 20_000),
    ]
    for number in numbers:
        for where in NUMBER_PLACES:
            cases["number"].append((f"{number[:16]}-{where}", big_number_policy(number, where)))
    return cases


# -- their hypothesis strategies: the same functions, with shrinkable parameters -------

all_places = st.sampled_from(COND_PLACES + VALUE_PLACES)
doubling_policies = st.builds(
    doubling_policy,
    st.sampled_from(DOUBLING_SHAPES),
    st.integers(1, 40),
    all_places,
    st.sampled_from(ORDERS),
    st.integers(0, 7),
)
chain_policies = st.one_of(
    st.builds(
        chain_policy,
        st.sampled_from(CHAIN_SHAPES),
        st.integers(1, 300),
        all_places,
        st.sampled_from(ORDERS),
        st.integers(0, 7),
    ),
    st.builds(
        cycle_policy,
        st.integers(2, 3000),
        all_places,
        st.sampled_from(ORDERS),
        st.integers(0, 70),
    ),
)
deep_expression_policies = st.sampled_from(DEEP_SHAPES).flatmap(
    lambda shape: st.builds(
        deep_expression_policy,
        st.just(shape),
        st.integers(1, _DEEP_SIZES[shape]),
        all_places,
        st.integers(0, 11),
    )
)
big_number_policies = st.sampled_from(NUMBER_KINDS).flatmap(
    lambda kind: st.builds(
        big_number_policy,
        st.builds(
            big_number,
            st.just(kind),
            st.integers(1, _NUMBER_SIZES[kind]),
            st.integers(0, 39),
        ),
        st.sampled_from(NUMBER_PLACES),
    )
)
shape_policies = st.one_of(
    doubling_policies, chain_policies, deep_expression_policies, big_number_policies
)
