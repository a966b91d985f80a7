"""Policies whose shape, not size, used to take the loader down (issue 14).

Facts that each use the last twice made the compiler paste every fact's code into
every use (18 levels: 17 s and 3.4 GB; 20: out of memory); a product of 201 ones, or
67 facts each adding one to the last, made Python code too nested for CPython's
parser (`SyntaxError`); 200 chained facts overflowed the compiler's stack
(`RecursionError`).  Each case that used to hang runs in a subprocess with a timeout,
so that a regression fails instead of stalling the suite.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from decimal import Decimal
from typing import Any

import pytest

from flexpolicy import Policy, PolicyError, Situation
from flexpolicy import policy as policy_module
from flexpolicy._build.conditions import MAX_NESTING
from flexpolicy._engine import native as compile_module
from flexpolicy._engine import native_expr
from flexpolicy._facts.consistency import find_item

HEAD = """\
policy: shapes
version: "1"
applies_to: [return]
roles: [associate, supervisor]
"""
REQUEST = {"id": "R-1", "kind": "return", "requested_at": "2026-11-20"}


def doubling(levels: int) -> str:
    facts = "".join(f"  f{i}: f{i - 1} + f{i - 1}\n" for i in range(1, levels + 1))
    return (
        f"{HEAD}facts:\n  f0: customer.purchases_12m\n{facts}"
        f"rules:\n  - id: r\n    when: f{levels} > 3\n    outcome: approve\n"
        f"    explain: the total is {{f{levels}}}\n"
    )


def chain(length: int, *, reverse: bool = False) -> str:
    lines = [f"  f{i}: f{i - 1} + 1\n" for i in range(1, length + 1)]
    lines.insert(0, "  f0: customer.purchases_12m\n")
    facts = "".join(reversed(lines) if reverse else lines)
    return (
        f"{HEAD}facts:\n{facts}rules:\n  - id: r\n    when: f{length} > 3\n    outcome: approve\n"
    )


def bool_doubling(levels: int) -> str:
    facts = "".join(
        f"  b{i}: b{i - 1} and (b{i - 1} or customer.returns_12m > {i})\n"
        for i in range(1, levels + 1)
    )
    return (
        f"{HEAD}facts:\n  b0: customer.tier > 2\n{facts}rules:\n"
        f"  - id: r\n    when: b{levels}\n    outcome: approve\n    remedy: refund\n"
        f"  - id: s\n    when: not b{levels}\n    outcome: deny\n"
        "  - id: f\n    kind: flex\n    bends: [s]\n"
        f"    when: [b{levels}, customer.tier >= 1]\n    outcome: approve\n"
    )


def in_subprocess(code: str, timeout: float = 60) -> str:
    """Run `code` in a fresh interpreter; a hang fails the test after `timeout` seconds."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_facts_that_double_compile_to_code_that_grows_linearly() -> None:
    """Each fact is computed once per function, so twenty levels (a million-fold
    paste before) cost about twice the code of ten."""
    out = in_subprocess(
        f"""
        from flexpolicy import Policy
        for text in ({doubling(10)!r}, {doubling(20)!r}):
            print(len(Policy.from_yaml(text)._core.source))
        """,
        timeout=60,
    )
    ten, twenty = map(int, out.split())
    assert twenty < 2.5 * ten


def test_a_doubled_fact_still_decides_and_explains() -> None:
    policy = Policy.from_yaml(doubling(20))
    decision = policy.decide(REQUEST, customer={"id": "C", "tier": 2, "purchases_12m": 1})
    assert decision.outcome == "approve"
    assert "1,048,576" in decision.rationale.staff or "1048576" in decision.rationale.staff
    assert decision.trace  # the reference evaluator remembers every fact it computed


@pytest.mark.parametrize("engine", ["native", "durable"])
def test_true_false_facts_that_double_decide_alike_on_both_engines(engine: str) -> None:
    out = in_subprocess(
        f"""
        from flexpolicy import Policy
        policy = Policy.from_yaml({bool_doubling(30)!r}, engine={engine!r})
        for tier, returns in ((1, 0), (3, 0), (3, 50), (5, 2)):
            d = policy.decide({REQUEST!r}, customer={{"id": "C", "tier": tier,
                                                    "returns_12m": returns}})
            print(d.outcome, d.rule_id)
        """,
        timeout=60,
    )
    assert out.split("\n")[:4] == ["deny s", "approve r", "approve r", "approve r"]


def test_the_one_page_summary_words_each_fact_once() -> None:
    """`flexpolicy doc` wrote each fact out at every use: 35 s for 20 levels."""
    in_subprocess(
        f"""
        from flexpolicy import Policy
        from flexpolicy._authoring.doc import summarize
        policy = Policy.from_yaml({bool_doubling(30)!r})
        summarize(policy, audience="staff"), summarize(policy, audience="customer")
        """,
        timeout=60,
    )


def test_a_chain_of_facts_as_deep_as_allowed_loads_and_decides() -> None:
    # f0 reads a field (1 level), each fact adds one (`f{i-1} + 1`), and the condition
    # `f62 > 3` one more: 64 levels.
    policy = Policy.from_yaml(chain(MAX_NESTING - 2))
    decision = policy.decide(REQUEST, customer={"id": "C", "tier": 2})
    assert decision.outcome == "approve"
    decision.rationale  # noqa: B018 - the explainer walks all 64 levels too
    decision.alternatives  # noqa: B018


@pytest.mark.parametrize(("length", "reverse"), [(67, False), (200, False), (2_000, True)])
def test_a_chain_of_facts_too_deep_is_one_located_error(length: int, reverse: bool) -> None:
    """67 facts: `SyntaxError` from CPython; 200: `RecursionError` in the compiler;
    2,000 written last to first would have recursed in the checker."""
    with pytest.raises(PolicyError) as caught:
        Policy.from_yaml(chain(length, reverse=reverse), file="chain.yaml")
    (problem,) = caught.value.problems
    assert problem.code == "too-deep"
    assert problem.message.startswith(f"fact `f{MAX_NESTING}` nests {MAX_NESTING + 1} levels")
    assert problem.line > 0


def test_a_long_cycle_of_facts_is_reported_once_and_short() -> None:
    facts = "".join(f"  f{i}: f{(i + 1) % 3000} + 1\n" for i in range(3000))
    text = f"{HEAD}facts:\n{facts}rules:\n  - id: r\n    when: f0 > 3\n    outcome: approve\n"
    with pytest.raises(PolicyError) as caught:
        Policy.from_yaml(text)
    (problem,) = caught.value.problems
    assert problem.code == "fact-cycle"
    assert problem.message.endswith("f0 -> f1 -> f2 -> f3 -> f4 -> f5 -> ... -> f0 (3,000 facts)")


@pytest.mark.parametrize(
    ("expression", "code"),
    [
        ("*".join(["1"] * 40) + " > 0", "too-deep"),  # 40 factors: 41 levels with the `>`
        ("*".join(["1"] * 201) + " > 0", "too-deep"),
        ("+".join(["customer.tier"] * 60) + " > 0", "too-deep"),
        ("*".join(["1"] * 39) + " > 0", None),
    ],
)
def test_expression_depth_is_the_depth_of_the_tree(expression: str, code: str | None) -> None:
    text = f"{HEAD}rules:\n  - id: r\n    when: {expression}\n    outcome: approve\n"
    if code is None:
        assert Policy.from_yaml(text).decide(REQUEST, customer={"id": "C", "tier": 2})
        return
    with pytest.raises(PolicyError) as caught:
        Policy.from_yaml(text)
    assert [p.code for p in caught.value.problems] == [code]


def test_a_long_any_list_of_unknowns_is_flat_code() -> None:
    """600 conditions that may be unknown nested one `if` each: too deep for CPython."""
    items = "".join(f"        - customer.attributes.a{i} == 1\n" for i in range(600))
    text = f"{HEAD}rules:\n  - id: r\n    when:\n      any:\n{items}    outcome: approve\n"
    policy = Policy.from_yaml(text)
    customer = {"id": "C", "tier": 2}
    assert policy.decide(REQUEST, customer=customer).outcome == "deny"  # all unknown
    customer["attributes"] = {"a599": 1}
    assert policy.decide(REQUEST, customer=customer).outcome == "approve"
    customer["attributes"] = {"a3": 2}
    assert policy.decide(REQUEST, customer=customer).outcome == "deny"


@pytest.mark.parametrize(("nots", "factors"), [(30, 1), (40, 20), (45, 20)])
def test_not_forms_count_toward_the_depth(nots: int, factors: int) -> None:
    """`{not: ...}` forms and the expression inside them add up: 40 + 22 levels load,
    45 + 22 do not."""
    inner = "customer.attributes.x == " + "*".join(["1"] * factors)
    when = "{not: " * nots + inner + "}" * nots
    text = f"{HEAD}rules:\n  - id: r\n    when: {when}\n    outcome: approve\n"
    if nots + factors + 1 > MAX_NESTING:
        with pytest.raises(PolicyError) as caught:
            Policy.from_yaml(text)
        assert [p.code for p in caught.value.problems] == ["too-deep"]
        return
    decision = Policy.from_yaml(text).decide(
        REQUEST, customer={"id": "C", "tier": 2, "attributes": {"x": 2}}
    )
    assert decision.outcome == ("approve" if nots % 2 else "deny")


def test_generated_code_past_the_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compile_module, "MAX_SOURCE", 1_000)
    with pytest.raises(PolicyError) as caught:
        Policy.from_yaml(doubling(5), file="big.yaml")
    (problem,) = caught.value.problems
    assert (problem.code, problem.file) == ("too-complex", "big.yaml")
    assert "characters of code" in problem.message


@pytest.mark.parametrize("error", [SyntaxError, RecursionError, MemoryError])
def test_code_cpython_cannot_compile_is_a_policy_error(
    monkeypatch: pytest.MonkeyPatch, error: type[Exception]
) -> None:
    """Nothing but `PolicyError` may escape loading, even if a limit proves too loose."""

    def refuse(*_args: object) -> None:
        raise error("simulated")

    monkeypatch.setattr(compile_module, "compile", refuse, raising=False)
    with pytest.raises(PolicyError) as caught:
        Policy.from_yaml(doubling(2))
    assert caught.value.code == "too-complex"
    assert error.__name__ in caught.value.message


def test_facts_are_evaluated_once_and_lazily_where_short(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The line item, read by two rules, is looked up once a decision; not at all when
    the first condition of every rule that reads it fails."""
    calls: list[str] = []

    def counting(request: Any, transaction: Any) -> Any:
        calls.append(request.id)
        return find_item(request, transaction)

    monkeypatch.setattr(native_expr, "find_item", counting)
    text = (
        f"{HEAD}facts:\n  price: item_price\n"
        "rules:\n"
        "  - id: costly\n    when: [request.store_at_fault, price > 100]\n    outcome: approve\n"
        "  - id: cheap\n    when: [request.store_at_fault, price <= 100]\n    outcome: approve\n"
    )
    policy = Policy.from_yaml(text)
    facts = {
        "request": {**REQUEST, "sku": "S", "transaction_id": "T", "store_at_fault": True},
        "customer": {"id": "C", "tier": 2},
        "transaction": {
            "id": "T",
            "purchased_at": "2026-11-01",
            "items": [{"sku": "S", "unit_price": "40.00"}],
        },
    }
    decision = policy.decide_situation(Situation.model_validate(facts))
    assert decision.rule_id == "cheap"
    assert calls == ["R-1"]
    facts["request"]["store_at_fault"] = False
    assert policy.decide_situation(Situation.model_validate(facts)).rule_id == "default"
    assert calls == ["R-1"]
    assert decision.amount == Decimal("40.00")


def test_loading_the_worst_shapes_takes_well_under_a_second() -> None:
    started = time.perf_counter()
    for text in (doubling(20), chain(MAX_NESTING - 2), bool_doubling(30)):
        Policy.from_yaml(text)
    assert time.perf_counter() - started < 5  # generous: CI is 2 shared cores


@pytest.mark.parametrize("error", [ValueError("boom"), RecursionError(), KeyError("x")])
def test_nothing_but_policy_error_escapes_loading(
    monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    """A bug anywhere in checking or compiling is `internal-error`, naming the file, with
    the original exception kept as the cause (for a traceback) and never in the text."""

    def broken(_loaded: object) -> None:
        raise error

    monkeypatch.setattr(policy_module, "build_policy", broken)
    with pytest.raises(PolicyError) as caught:
        Policy.from_yaml(doubling(1), file="bug.yaml")
    (problem,) = caught.value.problems
    assert (problem.code, problem.file) == ("internal-error", "bug.yaml")
    assert f"`{type(error).__name__}`" in problem.message
    assert "\n" not in problem.message
    assert caught.value.__cause__ is error


def test_keyboard_interrupt_while_loading_is_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(_loaded: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(policy_module, "build_policy", interrupted)
    with pytest.raises(KeyboardInterrupt):
        Policy.from_yaml(doubling(1))
