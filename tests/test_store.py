"""`PolicyStore`: hot reload that never serves a bad file, a half-read directory or a mix."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import flexpolicy
from flexpolicy import PolicyError, PolicyStore, StoreStatus
from flexpolicy._authoring.simulate import simulate
from tests.support.paths import RULES

WINDOW = ("window_days: 30 ", "window_days: 14 ")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    target.mkdir()
    for path in RULES.glob("*.yaml"):
        shutil.copy(path, target / path.name)
    return target


def _write(path: Path, text: str) -> None:
    """Write as an editor saving in place would (no rename): the riskiest way."""
    path.write_text(text, encoding="utf-8")


def _replace(path: Path, text: str) -> None:
    """Write as a deploy would: a new file renamed over the old one."""
    temp = path.with_suffix(".tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def _returns(folder: Path, tight: bool) -> str:
    text = (RULES / "returns.yaml").read_text(encoding="utf-8")
    return text.replace(*WINDOW) if tight else text


@pytest.fixture(scope="module")
def returns_history() -> list[flexpolicy.Situation]:
    return [s for s in simulate(600, seed=21) if s.request.kind == "return"][:150]


def test_a_change_is_served_on_refresh(folder: Path) -> None:
    store = PolicyStore(folder)
    before = store.status
    assert store.refresh() is False  # nothing changed yet
    _write(folder / "returns.yaml", _returns(folder, tight=True))
    assert store.refresh() is True
    after = store.status
    assert after.generation == before.generation + 1
    assert after.healthy
    assert after.digests["returns"] != before.digests["returns"]
    assert after.digests["refunds"] == before.digests["refunds"]
    tight = flexpolicy.load_policy(folder / "returns.yaml")
    assert store.policies["returns"].digest == tight.digest


def test_a_bad_file_never_replaces_the_good_set(
    folder: Path, returns_history: list[flexpolicy.Situation]
) -> None:
    store = PolicyStore(folder)
    good = store.status.digests["returns"]
    _write(folder / "returns.yaml", _returns(folder, tight=False).replace("outcome:", "outcom:", 1))
    assert store.refresh() is False
    status = store.status
    assert not status.healthy
    assert isinstance(status.error, PolicyError)
    assert status.error.file == str(folder / "returns.yaml")
    assert status.error.line > 0
    assert "refusing a change" in repr(store)
    # decisions go on, on the last good version
    decision = store.decide_situation(returns_history[0])
    assert decision.policy_digest == good
    # a second look at the same bad file does not try again, a fix is served
    assert store.refresh() is False
    _write(folder / "returns.yaml", _returns(folder, tight=True))
    assert store.refresh() is True
    assert store.status.healthy
    assert store.status.digests["returns"] != good


def test_a_broken_directory_at_start_is_an_error(folder: Path) -> None:
    (folder / "returns.yaml").write_text("policy: [", encoding="utf-8")
    with pytest.raises(PolicyError):
        PolicyStore(folder)


def test_a_vanished_directory_keeps_the_good_set(folder: Path) -> None:
    store = PolicyStore(folder)
    shutil.rmtree(folder)
    assert store.refresh() is False
    assert store.status.error is not None
    assert store.policies["returns"].digest == store.status.digests["returns"]


def test_a_decision_in_flight_finishes_on_its_version(
    folder: Path, returns_history: list[flexpolicy.Situation]
) -> None:
    store = PolicyStore(folder)
    served = store.policies  # what a decision reads at its start
    _replace(folder / "returns.yaml", _returns(folder, tight=True))
    assert store.refresh() is True
    old = [served.decide_situation(s) for s in returns_history]
    new = [store.decide_situation(s) for s in returns_history]
    assert {d.policy_digest for d in old} == {served["returns"].digest}
    assert {d.policy_digest for d in new} == {store.status.digests["returns"]}
    assert [d.key() for d in old] != [d.key() for d in new]  # the change shows somewhere


def test_status_times_come_from_the_clock(folder: Path) -> None:
    ticks = iter(datetime(2026, 11, 20, 9, m, tzinfo=UTC) for m in range(10))
    store = PolicyStore(folder, clock=lambda: next(ticks))
    assert store.status.loaded_at.minute == 0
    _write(folder / "refunds.yaml", "policy: [")
    store.refresh()
    assert store.status.error_at is not None
    assert store.status.error_at.minute == 1
    assert store.status.loaded_at.minute == 0  # still the good set's


def test_watch_picks_up_a_change_and_stops(folder: Path) -> None:
    with PolicyStore(folder).watch(interval=0.02) as store:
        first = store.status.generation
        _replace(folder / "returns.yaml", _returns(folder, tight=True))
        deadline = time.monotonic() + 10
        while store.status.generation == first and time.monotonic() < deadline:
            time.sleep(0.01)
        assert store.status.generation == first + 1
    assert not any(t.name == "flexpolicy-store-watch" for t in threading.enumerate())


def test_watch_refuses_a_second_watcher_and_a_bad_interval(folder: Path) -> None:
    store = PolicyStore(folder)
    with pytest.raises(ValueError, match="interval"):
        store.watch(interval=0)
    with store.watch(interval=5), pytest.raises(RuntimeError):
        store.watch(interval=5)


def _versions(folder: Path) -> Iterator[str]:
    """Good, tighter, broken, good ... forever: what the reloading thread writes."""
    good, tight = _returns(folder, tight=False), _returns(folder, tight=True)
    broken = good.replace("rules:", "rulez:", 1)
    while True:
        yield from (tight, broken, good, tight, good)


def test_eight_threads_deciding_while_the_store_reloads(
    folder: Path, returns_history: list[flexpolicy.Situation]
) -> None:
    """No wrong and no mixed-version answer: every decision equals what the version it
    names decides, and only versions that loaded cleanly are ever named.  (Only the
    returns policy is in the folder: eight deciding threads leave the reloading one
    a ninth of the interpreter, and a smaller set keeps each reload short.)"""
    for path in folder.iterdir():
        if path.name != "returns.yaml":
            path.unlink()
    expected: dict[str, list[tuple[object, ...]]] = {}
    for tight in (False, True):
        policy = flexpolicy.Policy.from_yaml(_returns(folder, tight=tight))
        expected[policy.digest] = [policy.decide_situation(s).key() for s in returns_history]
    store = PolicyStore(folder)
    stop = threading.Event()
    seen: list[list[tuple[str, int, tuple[object, ...]]]] = [[] for _ in range(8)]
    failures: list[BaseException] = []

    def decide(log: list[tuple[str, int, tuple[object, ...]]]) -> None:
        try:
            while not stop.is_set():
                for i, situation in enumerate(returns_history):
                    decision = store.decide_situation(situation)
                    log.append((decision.policy_digest, i, decision.key()))
        except BaseException as exc:  # reported by the main thread, which asserts on it
            failures.append(exc)

    threads = [threading.Thread(target=decide, args=(log,)) for log in seen]
    for thread in threads:
        thread.start()
    generations, refused = 0, 0
    versions = _versions(folder)
    for _ in range(12):
        _write(folder / "returns.yaml", next(versions))
        if store.refresh():
            generations += 1
        elif store.status.error is not None:
            refused += 1
        time.sleep(0.005)
    stop.set()
    for thread in threads:
        thread.join()
    assert not failures, failures
    assert generations >= 6
    assert refused >= 3
    decided = [entry for log in seen for entry in log]
    assert len(decided) > 8 * len(returns_history)
    for digest, i, key in decided:
        assert digest in expected  # a digest of a version that loaded cleanly
        assert key == expected[digest][i]
    assert len({digest for digest, _, _ in decided}) == 2  # both versions were served


# -- a reload that fails with something other than a FlexPolicyError --------------------------
# An exception of any other type out of the loader is a bug in flexpolicy (today: CPython's
# parser refusing too deeply nested generated code, `RecursionError` in the compiler).  The
# tests inject one, so they keep testing the store once those bugs are fixed.  (Fresh
# instances for each test: raising one instance again would extend its old traceback.)

UNEXPECTED = [
    pytest.param(lambda: SyntaxError("too many nested parentheses"), id="SyntaxError"),
    pytest.param(lambda: RecursionError("maximum recursion depth exceeded"), id="RecursionError"),
    pytest.param(lambda: RuntimeError("the compiler lost its way"), id="RuntimeError"),
    pytest.param(MemoryError, id="MemoryError"),
]
EXPLODE = "# test_store: the loader raises on this file\n"


def _wait_for(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.01)


@pytest.fixture
def exploding_loader(monkeypatch: pytest.MonkeyPatch) -> Callable[[BaseException], None]:
    """Make checking a policy raise `error` on any file that holds `EXPLODE`, as a bug
    in the builder or the compiler would."""

    def install(error: BaseException) -> None:
        original = flexpolicy.policy.build_policy

        def build_policy(loaded: Any) -> Any:
            if EXPLODE in loaded.source:
                raise error
            return original(loaded)

        monkeypatch.setattr(flexpolicy.policy, "build_policy", build_policy)

    return install


def _check_internal(status: StoreStatus, error: BaseException, file: Path) -> None:
    assert not status.healthy
    assert isinstance(status.error, PolicyError)
    (problem,) = status.error.problems
    assert problem.code == "internal-error"
    assert problem.file == str(file)
    assert f"`{type(error).__name__}`" in problem.message
    assert str(error) in problem.message
    assert "bug in flexpolicy" in problem.message
    assert "\n" not in problem.message
    assert "Traceback" not in str(status.error)
    assert problem.message[0].islower()


@pytest.mark.parametrize("make", UNEXPECTED)
def test_the_watcher_survives_an_unexpected_error_and_serves_the_fix(
    folder: Path,
    returns_history: list[flexpolicy.Situation],
    exploding_loader: Callable[[BaseException], None],
    caplog: pytest.LogCaptureFixture,
    make: Callable[[], Exception],
) -> None:
    error = make()
    exploding_loader(error)
    outside = folder.parent / "incoming"
    outside.mkdir()
    with PolicyStore(folder).watch(interval=0.01) as store:
        good = store.status.digests["returns"]
        (outside / "returns.yaml").write_text(EXPLODE + _returns(folder, tight=True), "utf-8")
        os.replace(outside / "returns.yaml", folder / "returns.yaml")  # renamed in
        _wait_for(lambda: not store.status.healthy, "the store to refuse the file")
        _check_internal(store.status, error, folder / "returns.yaml")
        assert store.status.digests["returns"] == good
        assert store.decide_situation(returns_history[0]).policy_digest == good
        [record] = [r for r in caplog.records if r.name == "flexpolicy.store"]
        assert record.exc_info is not None
        assert record.exc_info[0] is type(error)
        # the fix is served, by the same thread
        _replace(folder / "returns.yaml", _returns(folder, tight=True))
        _wait_for(lambda: store.status.healthy, "the store to serve the fix")
        assert store.status.digests["returns"] != good
        assert store.decide_situation(returns_history[0]).policy_digest != good


@pytest.mark.parametrize("make", UNEXPECTED)
def test_a_direct_reload_records_an_unexpected_error_and_keeps_the_good_set(
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    make: Callable[[], Exception],
) -> None:
    """`reload()` and `refresh()` report an unexpected error in `status`, as the watcher
    does, and return False: they do not raise it, and nothing is half replaced."""
    error = make()
    store = PolicyStore(folder)
    served, before = store.policies, store.status
    calls: list[Path] = []

    def broken(directory: Path, **_: Any) -> flexpolicy.PolicySet:
        calls.append(directory)
        raise make()

    monkeypatch.setattr(flexpolicy.store, "load_policies", broken)
    assert store.reload() is False
    _check_internal(store.status, error, folder)  # no file is known: the directory
    assert store.policies is served
    assert store.status.generation == before.generation
    assert store.status.digests == before.digests
    assert store.status.loaded_at == before.loaded_at
    assert [r.exc_info[0] for r in caplog.records if r.exc_info] == [type(error)]
    # refresh: a changed directory is tried, an unchanged one is not tried again
    _write(folder / "returns.yaml", _returns(folder, tight=True))
    assert store.refresh() is False
    assert store.refresh() is False
    assert len(calls) == 2
    monkeypatch.undo()
    assert store.reload() is True
    assert store.status.healthy
    assert store.status.generation == before.generation + 1


def test_an_unexpected_error_message_is_one_clean_line(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(directory: Path, **_: Any) -> flexpolicy.PolicySet:
        raise ValueError("first line \x1b[31mred\x1b[0m\nsecond line\n" + "x" * 5000)

    store = PolicyStore(folder)
    monkeypatch.setattr(flexpolicy.store, "load_policies", broken)
    assert store.reload() is False
    assert store.status.error is not None
    message = store.status.error.problems[0].message  # type: ignore[attr-defined]
    assert "first line" in message
    assert "second line" not in message
    assert "\x1b" not in message
    assert len(message) < 400


def test_keyboard_interrupt_is_not_swallowed(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(directory: Path, **_: Any) -> flexpolicy.PolicySet:
        raise KeyboardInterrupt

    store = PolicyStore(folder)
    served = store.policies
    monkeypatch.setattr(flexpolicy.store, "load_policies", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.reload()
    assert store.policies is served
    assert store.status.healthy


def test_an_unexpected_error_at_construction_is_a_policy_error(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(directory: Path, **_: Any) -> flexpolicy.PolicySet:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(flexpolicy.store, "load_policies", broken)
    with pytest.raises(PolicyError) as caught:
        PolicyStore(folder)
    assert caught.value.code == "internal-error"
    assert isinstance(caught.value.__cause__, RecursionError)  # the traceback, for a report


def test_the_watcher_outlives_a_failure_of_its_own(folder: Path) -> None:
    """Even an error in recording an error (here, the clock) leaves the thread watching."""
    calls = 0

    def clock() -> datetime:
        nonlocal calls
        calls += 1
        if calls in (2, 3):  # the first reload, and recording its failure
            raise RuntimeError("the clock stopped")
        return datetime(2026, 11, 20, 9, tzinfo=UTC)

    with PolicyStore(folder, clock=clock).watch(interval=0.01) as store:
        _replace(folder / "returns.yaml", _returns(folder, tight=True))
        _wait_for(lambda: store.status.generation == 2, "the store to serve the change")
        assert store.status.healthy


def test_a_refresh_that_cannot_even_look_is_recorded(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = PolicyStore(folder)

    def unreadable(self: PolicyStore) -> object:
        raise RuntimeError("the look failed")

    monkeypatch.setattr(PolicyStore, "_fingerprint", unreadable)
    assert store.refresh() is False
    _check_internal(store.status, RuntimeError("the look failed"), folder)
    monkeypatch.undo()
    assert store.refresh() is True  # what was not seen is looked at again
    assert store.status.healthy
