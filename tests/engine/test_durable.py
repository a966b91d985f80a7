"""The durable-rules back end decides exactly as the native one, and contains its traps."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flexpolicy
from flexpolicy._engine import durable as _durable
from flexpolicy._engine.durable import DurableBackend
from tests.support.backends import DIFFERENTIAL, NAMES, verdicts
from tests.support.paths import POLICY_FILES
from tests.support.policy_gen import policies as generated_policies
from tests.support.strategies import threshold_situations

RULES = Path(__file__).resolve().parents[2] / "rules"
SHIPPED = POLICY_FILES
# At least 10,000 situations per shipped policy in CI; more with FLEXPOLICY_DIFF_EXAMPLES.
EXAMPLES = int(os.environ.get("FLEXPOLICY_DIFF_EXAMPLES", "10000"))


def _both(text_or_path: Path | str) -> tuple[flexpolicy.Policy, flexpolicy.Policy]:
    if isinstance(text_or_path, Path):
        return (
            flexpolicy.load_policy(text_or_path),
            flexpolicy.load_policy(text_or_path, engine="durable"),
        )
    return (
        flexpolicy.Policy.from_yaml(text_or_path),
        flexpolicy.Policy.from_yaml(text_or_path, engine="durable"),
    )


def _adapter(policy: flexpolicy.Policy) -> DurableBackend:
    """The durable adapter behind a policy loaded with `engine="durable"`."""
    adapter = policy._core.backend
    assert isinstance(adapter, DurableBackend)
    return adapter


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_durable_decides_like_native_on_every_shipped_policy(path: Path) -> None:
    native, durable = _both(path)
    compared = {"n": 0}

    @settings(DIFFERENTIAL, max_examples=EXAMPLES)
    @given(threshold_situations(native))
    def check(situation: flexpolicy.Situation) -> None:
        first = native.decide_situation(situation)
        second = durable.decide_situation(situation)
        assert first.key() == second.key()
        if compared["n"] % 50 == 0:  # the shared explanation, in full, on a sample
            assert first.model_dump_json() == second.model_dump_json()
        compared["n"] += 1

    check()
    assert compared["n"] >= min(EXAMPLES, 1000)


@pytest.mark.parametrize("name", [n for n in NAMES if n != "reference"])
@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_back_end_matches_like_the_reference(path: Path, name: str) -> None:
    """Through the one contract: each back end's verdict is the reference's, shared."""
    policy = flexpolicy.load_policy(path)

    @settings(DIFFERENTIAL, max_examples=max(100, EXAMPLES // 20))
    @given(threshold_situations(policy))
    def check(situation: flexpolicy.Situation) -> None:
        found = verdicts(policy, situation, (name, "reference"))
        assert found[name] is found["reference"]

    check()


@settings(DIFFERENTIAL, max_examples=max(100, EXAMPLES // 100))
@given(generated_policies(), st.data())
def test_durable_decides_like_native_on_generated_policies(text: str, data: st.DataObject) -> None:
    native, durable = _both(text)
    for _ in range(20):
        situation = data.draw(threshold_situations(native))
        # Every back end, through the one contract: the very same shared verdict.
        found = verdicts(durable, situation)
        assert all(v is found["reference"] for v in found.values()), (text, found)
        assert native.decide_situation(situation).key() == durable.decide_situation(situation).key()


def test_no_limit_of_1024_decisions() -> None:
    _, durable = _both(RULES / "returns.yaml")
    (situation,) = flexpolicy.read_situations(
        Path(__file__).resolve().parents[2] / "examples/situations/power-adapter-supervisor.yaml"
    )
    outcomes = {durable.decide_situation(situation).outcome for _ in range(3000)}
    assert outcomes == {"approve"}


def test_threads_get_the_answers_one_thread_gets() -> None:
    """8 threads x 10,000 decisions on one durable policy agree with one native thread."""
    native, durable = _both(RULES / "returns.yaml")
    base = [
        s
        for f in sorted((RULES.parent / "examples" / "situations").glob("*.yaml"))
        for s in flexpolicy.read_situations(f)
        if s.request.kind == "return"
    ]
    variants = [s.with_changes({"customer.tier": tier}) for s in base for tier in (1, 2, 3, 4, 5)]
    want = [native.decide_situation(s).key() for s in variants]
    work = [i % len(variants) for i in range(10_000)]

    def run(offset: int) -> int:
        wrong = 0
        for i in work[offset:] + work[:offset]:
            wrong += durable.decide_situation(variants[i]).key() != want[i]
        return wrong

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(run, range(0, 800, 100))) == [0] * 8
    assert len({k[0] for k in want}) == 3  # the variants reach every outcome


def test_engine_errors_are_surfaced(monkeypatch: pytest.MonkeyPatch) -> None:
    _, durable = _both(RULES / "returns.yaml")
    host = _adapter(durable)._host

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("rete network on fire")

    monkeypatch.setattr(host, "assert_fact", broken)
    (situation,) = flexpolicy.read_situations(
        Path(__file__).resolve().parents[2] / "examples/situations/late-return-denied.yaml"
    )
    with pytest.raises(flexpolicy.EngineError, match="rete network on fire"):
        durable.decide_situation(situation)


def test_errors_inside_actions_are_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    _, durable = _both(RULES / "returns.yaml")
    matcher = _adapter(durable)

    class Exploding(list[str]):
        def append(self, item: str) -> None:
            raise ValueError(f"cannot record {item}")

    monkeypatch.setattr(matcher, "_hits", Exploding())
    (situation,) = flexpolicy.read_situations(
        Path(__file__).resolve().parents[2] / "examples/situations/late-return-denied.yaml"
    )
    with pytest.raises(flexpolicy.EngineError, match="cannot record"):
        durable.decide_situation(situation)


def test_missing_durable_rules_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_durable, "_import_durable", lambda: None)
    with pytest.raises(flexpolicy.PolicyError) as info:
        flexpolicy.load_policy(RULES / "returns.yaml", engine="durable")
    assert info.value.code == "engine-unavailable"
    assert "flexpolicy[durable]" in (info.value.hint or "")


def test_unsupported_constructs_are_refused_at_load_time() -> None:
    text = """
policy: p
version: "1"
applies_to: [return]
roles: [associate]
rules:
  - id: odd
    when: request.reason in customer.flags
    outcome: approve
"""
    flexpolicy.Policy.from_yaml(text)  # fine on the native engine
    with pytest.raises(flexpolicy.PolicyError) as info:
        flexpolicy.Policy.from_yaml(text, file="p.yaml", engine="durable")
    problem = info.value.problems[0]
    assert problem.code == "durable-unsupported"
    assert problem.rule_id == "odd"
    assert (problem.file, problem.line) == ("p.yaml", 7)


def test_unknown_engine_is_a_policy_error() -> None:
    with pytest.raises(flexpolicy.PolicyError) as info:
        flexpolicy.load_policy(RULES / "returns.yaml", engine="rete")  # type: ignore[arg-type]
    assert info.value.code == "unknown-engine"


def test_imprecise_money_is_refused_not_approximated() -> None:
    text = """
policy: p
version: "1"
applies_to: [refund]
roles: [associate]
rules:
  - id: third
    when: request.amount / 3 > 10
    outcome: approve
    remedy: refund
"""
    native, durable = _both(text)
    request = {"id": "r", "kind": "refund", "requested_at": "2026-11-20", "amount": "100"}
    customer = {"id": "c", "tier": 3}
    assert native.decide(request, customer=customer).outcome == "approve"
    with pytest.raises(flexpolicy.InputError) as info:
        durable.decide(request, customer=customer)
    assert info.value.code == "durable-precision"


def test_rulesets_are_private_to_each_policy() -> None:
    first, second = (flexpolicy.load_policy(RULES / "returns.yaml", engine="durable") for _ in "ab")
    assert _adapter(first)._host is not _adapter(second)._host
