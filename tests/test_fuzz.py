"""Fuzzing: nothing but flexpolicy's own errors (and pydantic's, where documented) escapes.

Generated policy files (valid, near-valid, hostile YAML) go through `Policy.from_yaml`,
which may only raise `PolicyError` with a documented code.  Generated situations go
through `decide` (mappings: only `InputError`, as docs/decision-semantics.md promises),
`decide_situation`, `Situation.model_validate_json` (pydantic's `ValidationError` or an
`InputError`) and the JSON Lines reader (only `InputError`).  A decision that succeeds
is total (approve, deny or refer) and deterministic, and explains itself.

`FLEXPOLICY_FUZZ_EXAMPLES` sets how many inputs the whole file tries (100,000 by
default, in about a minute; `make fuzz` tries ten times as many); see fuzz_strategies.
A failure found by a bulk loop prints its seed: `FLEXPOLICY_FUZZ_SEED=<seed>` replays
the run.

The shapes of issue 14 (doubling facts, long chains and cycles, deep expressions, huge
numbers) must also load within `LOAD_SECONDS`: a watchdog stops one that runs over, and
their worst cases run first in a subprocess with a timeout, so a hang fails the run.
"""

from __future__ import annotations

import contextlib
import functools
import json
import queue
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import flexpolicy
from flexpolicy import Decision, InputError, Policy, PolicyError, Situation
from flexpolicy._situations.reader import parse_line
from tests.support import fuzz as fz
from tests.support import policy_gen
from tests.support.paths import POLICY_FILES, ROOT

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

OUTCOMES = {"approve", "deny", "refer"}
DOC_CODES = frozenset(
    re.findall(r"^\| `([a-z-]+)` \|", (ROOT / "docs" / "policy-language.md").read_text(), re.M)
)


def fuzz_settings(name: str) -> settings:
    return settings(
        max_examples=fz.share(name),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# -- the properties ------------------------------------------------------------------


def load(text: str | bytes) -> Policy | None:
    """Load a policy; a refusal must be a `PolicyError` with documented codes."""
    try:
        return Policy.from_yaml(text, file="fuzz.yaml")
    except PolicyError as exc:
        problems = exc.problems
        str(exc)  # the message renders
        if any(problem.code == "internal-error" for problem in problems):
            # documented, but as a bug in flexpolicy: the exception it wraps is the finding
            raise AssertionError(f"loading failed inside flexpolicy: {exc}") from exc.__cause__
    for problem in problems:
        assert problem.code in DOC_CODES, f"undocumented error code {problem.code!r}"
        assert problem.line >= 0
        assert problem.column >= 0
    return None


def decided(call: Callable[[], Decision], explain: bool = True) -> Decision | None:
    """`call()` decides or raises `InputError`; a decision is total and deterministic."""
    try:
        decision = call()
    except InputError as exc:
        error: InputError | None = exc
    except (ArithmeticError, RecursionError, ValueError) as exc:
        if fz.known_finding(exc) is None:
            raise
        return None
    else:
        error = None
    if error is not None:
        assert error.code
        assert str(error)
        return None
    assert decision.outcome in OUTCOMES
    again = call()
    assert again.key() == decision.key()
    if decision.outcome == "refer":
        assert decision.required_role is not None
    if explain:
        try:
            rationale = decision.rationale
            assert rationale.staff  # an `explain: ""` leaves the customer's sentence empty
            assert isinstance(rationale.customer, str)
            assert len(decision.trace) >= 1
            decision.levers  # noqa: B018 - rendering them must not fail
        except ArithmeticError as exc:
            if fz.known_finding(exc) is None:
                raise
    return decision


def decide_mapping(policy: Policy | flexpolicy.PolicySet, data: Any, explain: bool) -> None:
    """Both ways in: the records one by one, and the whole situation."""
    facts = data if isinstance(data, dict) else {}
    decided(
        lambda: policy.decide(
            facts.get("request"),
            customer=facts.get("customer"),
            transaction=facts.get("transaction"),
            actor=facts.get("actor"),
            as_of=facts.get("as_of"),
            case=facts.get("case"),
        ),
        explain,
    )
    decided(lambda: policy.decide_situation(data), explain=False)


def read_json(text: str) -> None:
    """Situation JSON text: pydantic's own reader and the JSON Lines reader."""
    with contextlib.suppress(ValidationError, InputError):
        Situation.model_validate_json(text)
    try:
        parse_line(text, "fuzz.jsonl:1")
    except InputError:
        pass
    except (RecursionError, ValueError) as exc:
        if fz.known_finding(exc) is None:
            raise


@pytest.fixture(scope="module")
def targets() -> list[Policy | flexpolicy.PolicySet]:
    """The shipped policies, one by one and as a set, and a policy that reads everything."""
    stress = Policy.from_yaml(STRESS_POLICY, file="stress.yaml")
    shipped = [flexpolicy.load_policy(p) for p in POLICY_FILES]
    return [flexpolicy.load_policies(ROOT / "rules"), *shipped, stress]


STRESS_POLICY = (
    fz.POLICY_HEAD
    + "rules:\n"
    + "".join(
        f"  - id: s{k}\n    when: {json.dumps(atom)}\n    outcome: approve\n    remedy: refund\n"
        for k, atom in enumerate(fz.ATOMS_ALL)
        if "round(item_price, 2)" not in atom  # a known finding; see test_round_places_regression
    )
)


# -- hypothesis: the shrinking tests ------------------------------------------------------


@fuzz_settings("hyp-valid-policies")
@given(text=policy_gen.policies(), seed=st.integers(0, 2**32))
def test_valid_policies_load_and_decide(text: str, seed: int) -> None:
    fz.count("hyp-valid-policies")
    policy = load(text)
    assert policy is not None, "policy_gen writes policies that load"
    rng = random.Random(seed)
    for _ in range(3):
        data = fz.mutate_situation(rng, fz.base_situation(), rng.randint(0, 2))
        data["request"] = {**fz.base_situation()["request"], "kind": "return"} | (
            data.get("request") if isinstance(data.get("request"), dict) else {}
        )
        decide_mapping(policy, data, explain=True)


@fuzz_settings("hyp-near-valid")
@given(text=fz.near_valid_policies())
def test_near_valid_policies_refused_cleanly(text: str) -> None:
    fz.count("hyp-near-valid")
    policy = load(text)
    if policy is not None:
        decide_mapping(policy, fz.base_situation(), explain=True)


@fuzz_settings("hyp-hostile-yaml")
@given(document=fz.hostile_documents)
def test_hostile_yaml_refused_cleanly(document: str | bytes) -> None:
    fz.count("hyp-hostile-yaml")
    load(document)


@fuzz_settings("hyp-expressions")
@given(text=fz.expression_policies)
def test_expressions_refused_cleanly(text: str) -> None:
    fz.count("hyp-expressions")
    policy = load(text)
    if policy is not None:
        decide_mapping(policy, fz.base_situation(), explain=True)


@fuzz_settings("hyp-situation-mappings")
@given(data=fz.situation_mappings, which=st.integers(0, 100))
def test_situation_mappings_give_input_errors(
    targets: list[Policy | flexpolicy.PolicySet], data: dict[str, Any], which: int
) -> None:
    fz.count("hyp-situation-mappings")
    decide_mapping(targets[which % len(targets)], data, explain=True)


@fuzz_settings("hyp-situation-json")
@given(text=fz.situation_texts)
def test_situation_json_gives_input_errors(text: str) -> None:
    fz.count("hyp-situation-json")
    read_json(text)


# -- the bulk: seeded loops -----------------------------------------------------------------


def bulk(name: str, body: Callable[[random.Random, int], None]) -> None:
    n = fz.share(name)
    seed = fz.SEED + sum(map(ord, name))
    rng = random.Random(seed)
    i = 0
    try:
        for i in range(n):
            body(rng, i)
            fz.count(name)
    except BaseException as exc:
        exc.add_note(f"{name}: input {i} of the run with FLEXPOLICY_FUZZ_SEED={fz.SEED}")
        raise


def test_bulk_expressions() -> None:
    situation = fz.base_situation()

    def body(rng: random.Random, i: int) -> None:
        text = fz.one_rule_policy(fz.random_expression(rng), rng.choice(fz.PLACES))
        policy = load(text)
        if policy is not None:
            data = situation if i % 2 else fz.mutate_situation(rng, situation, 1)
            decide_mapping(policy, data, explain=i % 4 == 0)

    bulk("bulk-expressions", body)


def test_bulk_near_valid_policies() -> None:
    texts = [*fz.shipped_policy_texts(), STRESS_POLICY]
    situation = fz.base_situation()

    def body(rng: random.Random, i: int) -> None:
        text = rng.choice(texts)
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            text = fz.mutate_policy(rng, text)
        policy = load(text)
        if policy is not None and i % 4 == 0:
            decide_mapping(policy, situation, explain=True)

    bulk("bulk-near-valid", body)


def test_bulk_hostile_yaml() -> None:
    def body(rng: random.Random, i: int) -> None:
        document = fz.hostile_yaml(rng)
        started = time.perf_counter()
        load(document)
        assert time.perf_counter() - started < 10, "a hostile document took too long"

    bulk("bulk-hostile-yaml", body)


def test_bulk_situation_mappings(targets: list[Policy | flexpolicy.PolicySet]) -> None:
    def body(rng: random.Random, i: int) -> None:
        data = fz.mutate_situation(rng, fz.base_situation(), rng.choice([0, 1, 1, 2, 3, 5]))
        decide_mapping(targets[i % len(targets)], data, explain=i % 16 == 0)

    bulk("bulk-situation-mappings", body)


def test_bulk_situation_json() -> None:
    def body(rng: random.Random, i: int) -> None:
        data = fz.mutate_situation(rng, fz.base_situation(), rng.choice([0, 1, 2, 3]))
        read_json(fz.json_text(rng, data))

    bulk("bulk-situation-json", body)


# -- the shapes of issue 14: doubling facts, long chains, deep expressions, big numbers ------
#
# Each once took the loader down: a hang, gigabytes of generated code, a SyntaxError or
# RecursionError from CPython.  So, besides the usual properties, every load must finish
# fast (`LOAD_SECONDS`), and a hang must fail the run, not stall it: a watchdog
# (SIGALRM) stops a load that runs over, wherever it is in Python code, and the largest
# input of each family runs first in a subprocess with a timeout and a memory limit,
# for the hangs no signal interrupts (a number pydantic expands in Rust, CPython's
# compiler on a huge module).  A family whose worst cases hang there is not fuzzed in
# process.

LOAD_SECONDS = 5.0  # one load, however large the shape
INPUT_SECONDS = 10.0  # one input: its load and all its decisions
CHILD_SECONDS = 60.0  # one worst case, in the subprocess: past this it counts as hung
CHILD_MEMORY = 4 << 30  # bytes of address space the subprocess may take
MAX_EXPLANATION = 200_000  # characters of one decision's rationale and trace
SHAPE_FAMILIES = {
    "doubling": ("bulk-fact-doubling", fz.random_doubling_policy),
    "chain": ("bulk-fact-chains", fz.random_chain_policy),
    "deep": ("bulk-deep-expressions", fz.random_deep_expression_policy),
    "number": ("bulk-big-numbers", fz.random_big_number_policy),
}


class Overtime(BaseException):
    """Raised by the watchdog inside whatever ran over; its traceback shows where.

    Not an `Exception`: flexpolicy turns those into `internal-error`, and hypothesis
    would spend minutes shrinking a slow input."""


@contextlib.contextmanager
def watchdog(seconds: float, what: str) -> Iterator[None]:
    """Raise `Overtime` in the main thread once `seconds` have passed (where SIGALRM exists)."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def ring(signum: int, frame: object) -> None:
        raise Overtime(f"{what} ran over {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except Overtime as exc:
        # Raised between two bytecodes anywhere, its traceback can hold entries with no
        # line number, which crash pytest's report (INTERNALERROR): say where, start anew.
        where = [
            f"{Path(f.filename).name}:{f.lineno} {f.name}"
            for f in traceback.extract_tb(exc.__traceback__)[-9:-1]
        ]
        raise Overtime(f"{exc}, in: {' < '.join(reversed(where))}") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def timed_load(text: str | bytes) -> Policy | None:
    """`load(text)`, which must also finish within `LOAD_SECONDS`."""
    started = time.perf_counter()
    with watchdog(LOAD_SECONDS, "loading the policy"):
        policy = load(text)
    elapsed = time.perf_counter() - started
    assert elapsed < LOAD_SECONDS, f"loading took {elapsed:.1f} s"
    return policy


def check_shape(text: str, rng: random.Random, explain: bool = True) -> Policy | None:
    """Loads cleanly and fast; a policy that loads decides and explains a few situations,
    in words that grow with the policy, not with the paths through its facts."""
    policy = timed_load(text)
    if policy is not None:
        with watchdog(INPUT_SECONDS, "deciding"):
            situations = fz.shape_situations(rng)
            with contextlib.suppress(InputError):
                decision = policy.decide_situation(situations[0])
                words = len(decision.rationale.staff) + len(decision.rationale.customer)
                words += sum(len(str(step)) for step in decision.trace)
                assert words < MAX_EXPLANATION, (
                    f"{words:,} characters of rationale and trace for a "
                    f"{len(text):,}-character policy: {decision.rationale.staff[:200]}..."
                )
            for data in situations:
                decide_mapping(policy, data, explain)
    return policy


# The subprocess: `python -c ...` imports this module and runs `worst_case_child`.
_CHILD = (
    "import sys; sys.path[:0] = [{tests!r}]; import test_fuzz; test_fuzz.worst_case_child({start})"
)


def _flat_worst_cases() -> list[tuple[str, str, str]]:
    return [
        (family, name, text) for family, cases in fz.worst_cases().items() for name, text in cases
    ]


def worst_case_child(start: int) -> None:
    """Check each worst case from `start` on; one JSON line per case on stdout."""
    if resource is not None:  # a runaway compile fails with MemoryError, not swapping
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))
    for index, (family, name, text) in enumerate(_flat_worst_cases()):
        if index < start:
            continue
        print(json.dumps({"index": index, "started": True}), flush=True)
        started = time.perf_counter()
        try:
            loaded = check_shape(text, random.Random(index)) is not None
            outcome = "loaded" if loaded else "refused"
        except (Exception, Overtime) as exc:
            frames = [f.name for f in traceback.extract_tb(exc.__traceback__)]
            outcome = f"failed: {type(exc).__name__}: {str(exc)[:300]} (in {frames[-3:]})"
        seconds = round(time.perf_counter() - started, 3)
        report = {"index": index, "family": family, "name": name}
        print(json.dumps(report | {"outcome": outcome, "seconds": seconds}), flush=True)


def _run_worst_cases() -> list[dict[str, Any]]:
    """Every worst case's report; a case the child never finished is `hung` (or `crashed`)."""
    cases = _flat_worst_cases()
    results: list[dict[str, Any]] = []
    start = 0
    while start < len(cases):
        start = _run_child(start, cases, results)
    return results


def _run_child(start: int, cases: list[tuple[str, str, str]], results: list[dict[str, Any]]) -> int:
    """One child from case `start` on, until it finishes or a case hangs or kills it;
    returns where the next child starts."""
    command = [sys.executable, "-c", _CHILD.format(tests=str(ROOT / "tests"), start=start)]
    lines: queue.Queue[str | None] = queue.Queue()
    current, outcome = start, None
    # stderr goes to a file: a pipe nobody reads could block the child
    with (
        tempfile.TemporaryFile("w+") as errors,
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True) as child,
    ):

        def pump() -> None:
            assert child.stdout is not None
            for line in child.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        while True:
            try:
                line = lines.get(timeout=CHILD_SECONDS)
            except queue.Empty:
                outcome = f"hung: no answer in {CHILD_SECONDS:g} s"
                child.kill()
                break
            if line is None:  # the child is done, or died
                child.wait()
                if current < len(cases):
                    errors.seek(0)
                    outcome = f"crashed: exit {child.returncode}: {errors.read()[-500:]}"
                break
            report = json.loads(line)
            current = report["index"]
            if "outcome" in report:
                results.append(report)
                current += 1
    if outcome is not None:
        family, name, _ = cases[current]
        results.append({"index": current, "family": family, "name": name, "outcome": outcome})
        current += 1
    return current


@pytest.fixture(scope="module")
def worst_case_results() -> list[dict[str, Any]]:
    return _run_worst_cases()


def _bad_worst_cases(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        r
        for r in results
        if r["outcome"] not in ("loaded", "refused") or r.get("seconds", 0) >= LOAD_SECONDS
    ]


def require_no_hangs(results: list[dict[str, Any]], family: str) -> None:
    """A family whose worst cases hung (or killed) the subprocess would stall this one."""
    hung = [
        r["name"]
        for r in results
        if r["family"] == family and r["outcome"].startswith(("hung", "crashed"))
    ]
    if hung:
        pytest.fail(f"not fuzzed in process: worst cases of {family!r} hang or crash: {hung}")


def test_worst_cases_finish_in_a_subprocess(worst_case_results: list[dict[str, Any]]) -> None:
    """The largest doubling, chain, cycle, deep expression and number: clean and fast."""
    assert len(worst_case_results) == len(_flat_worst_cases())
    assert {r["family"] for r in worst_case_results} == set(SHAPE_FAMILIES)
    bad = _bad_worst_cases(worst_case_results)
    assert not bad, "worst cases that failed, hung or took too long:\n" + "\n".join(
        f"  {r['family']}/{r['name']}: {r['outcome']} ({r.get('seconds', '-')} s)" for r in bad
    )


@pytest.mark.parametrize("family", list(SHAPE_FAMILIES))
def test_bulk_shapes(family: str, worst_case_results: list[dict[str, Any]]) -> None:
    name, generate = SHAPE_FAMILIES[family]
    require_no_hangs(worst_case_results, family)

    def body(rng: random.Random, i: int) -> None:
        check_shape(generate(rng), rng, explain=i % 2 == 0)

    bulk(name, body)


# Shapes of one size n and twice it, for the growth of the generated code.
GROWING: dict[str, Callable[[int, str, str, int], str]] = {
    **{
        f"doubling-{shape}": functools.partial(fz.doubling_policy, shape)
        for shape in fz.DOUBLING_SHAPES
    },
    **{f"chain-{shape}": functools.partial(fz.chain_policy, shape) for shape in fz.CHAIN_SHAPES},
}


def test_bulk_generated_code_grows_linearly(worst_case_results: list[dict[str, Any]]) -> None:
    """Doubling and chained facts: the code for 2n facts is at most about twice that for n
    (1.0-2.0x today), never the 4x of quadratic code or the 2^n of facts pasted into every
    use."""
    require_no_hangs(worst_case_results, "doubling")
    require_no_hangs(worst_case_results, "chain")
    compared = 0

    def body(rng: random.Random, i: int) -> None:
        nonlocal compared
        shape = rng.choice(sorted(GROWING))
        n = rng.randint(5, 30)
        place = rng.choice(fz.COND_PLACES + fz.VALUE_PLACES)
        order, base = rng.choice(fz.ORDERS), rng.randrange(8)
        small = timed_load(GROWING[shape](n, place, order, base))
        large = timed_load(GROWING[shape](2 * n, place, order, base))
        if small is None or large is None:
            return  # refused cleanly, e.g. a customer sentence showing an internal field
        compared += 1
        ratio = len(large._core.source) / len(small._core.source)
        assert ratio < 2.5, (
            f"{shape} at {place}: {len(small._core.source):,} characters of code for {n} facts, "
            f"{len(large._core.source):,} for {2 * n} ({ratio:.1f}x)"
        )

    bulk("bulk-linear-source", body)
    assert compared >= fz.share("bulk-linear-source") // 3, "too few of the pairs loaded"


@fuzz_settings("hyp-shapes")
@given(text=fz.shape_policies, seed=st.integers(0, 2**32))
def test_shapes_refused_cleanly_or_decide(
    worst_case_results: list[dict[str, Any]], text: str, seed: int
) -> None:
    fz.count("hyp-shapes")
    for family in SHAPE_FAMILIES:
        require_no_hangs(worst_case_results, family)
    check_shape(text, random.Random(seed))


# -- the count, last ------------------------------------------------------------------------


def test_fuzz_input_count(record_property: Callable[[str, object], None]) -> None:
    """Every fuzz test of this file ran: together they tried FLEXPOLICY_FUZZ_EXAMPLES inputs."""
    if set(fz.COUNTS) != set(fz.SHARES):
        pytest.skip("only some fuzz tests ran")
    total = sum(fz.COUNTS.values())
    record_property("fuzz_inputs", total)
    record_property("known_findings", dict(fz.FINDINGS_SEEN))
    print(f"\nfuzz: {total:,} generated inputs: {fz.COUNTS}; known findings: {fz.FINDINGS_SEEN}")
    assert total >= fz.TOTAL
    if fz.TOTAL == fz.DEFAULT_TOTAL:
        assert total >= 100_000
