"""`flexpolicy.dask` on a real cluster: exactly the local decisions, reports and errors.

One `LocalCluster` of two worker processes serves the whole module (starting one
takes a few seconds): policies really cross process boundaries as pickles, and
errors really come back from a worker.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dask.bag as db
import dask.dataframe as dd
import distributed
import numpy as np
import pandas as pd
import pytest

import flexpolicy
from flexpolicy.authoring import diff, simulate
from flexpolicy.dask import CHEAP_FIELDS, DECISION_FIELDS, decide_bag, decide_frame, diff_bag
from tests.support.paths import RULES

N = 240
TELEPORT = {
    "request": {"id": "REQ-T", "kind": "teleport", "requested_at": "2025-12-01"},
    "customer": {"id": "CUST-T", "tier": 3},
}


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def history() -> list[flexpolicy.Situation]:
    return list(simulate(N, seed=7))


@pytest.fixture(scope="module")
def lines(history: list[flexpolicy.Situation]) -> list[str]:
    """The history as `flexpolicy simulate` writes it: one JSON text a line."""
    return [s.model_dump_json(exclude_none=True) for s in history]


@pytest.fixture(scope="module")
def records(
    policies: flexpolicy.PolicySet, history: list[flexpolicy.Situation]
) -> list[dict[str, Any]]:
    return [d.model_dump(mode="json") for d in policies.decide_all(history)]


@pytest.fixture(scope="module")
def tighter(tmp_path_factory: pytest.TempPathFactory) -> flexpolicy.PolicySet:
    """rules/ with a 14-day returns window and no goodwill policy."""
    folder = tmp_path_factory.mktemp("tighter")
    for path in RULES.glob("*.yaml"):
        if path.name != "goodwill.yaml":
            shutil.copy(path, folder / path.name)
    text = (RULES / "returns.yaml").read_text(encoding="utf-8")
    (folder / "returns.yaml").write_text(
        text.replace("window_days: 30 ", "window_days: 14 "), encoding="utf-8"
    )
    return flexpolicy.load_policies(folder)


@pytest.fixture(scope="module")
def jsonl(tmp_path_factory: pytest.TempPathFactory, lines: list[str]) -> Path:
    """The history in two JSON Lines files, with a blank line, as it sits on shared storage."""
    folder = tmp_path_factory.mktemp("history")
    half = len(lines) // 2
    (folder / "2025-h2.jsonl").write_text("\n".join(lines[:half]) + "\n\n", encoding="utf-8")
    (folder / "2026-h1.jsonl").write_text("\n".join(lines[half:]) + "\n", encoding="utf-8")
    return folder


def read_text(folder: Path) -> Any:
    """The JSON Lines files as a bag of several partitions per file."""
    bag = db.read_text(str(folder / "*.jsonl"), blocksize=12_000)
    assert bag.npartitions >= 6
    return bag


def local_error(policy: Any, situations: list[Any]) -> flexpolicy.InputError:
    with pytest.raises(flexpolicy.InputError) as caught:
        policy.decide_all(situations)
    return caught.value


def same_error(
    remote: pytest.ExceptionInfo[flexpolicy.InputError], local: flexpolicy.InputError
) -> None:
    """The error a worker raised is the one `decide_all` raises locally, to the letter."""
    assert type(remote.value) is type(local)
    assert (remote.value.code, remote.value.hint) == (local.code, local.hint)
    assert str(remote.value) == str(local)


# -- decide_bag ----------------------------------------------------------------------------


def test_json_lines_on_storage_give_the_local_records(
    client: Any, policies: flexpolicy.PolicySet, jsonl: Path, records: list[dict[str, Any]]
) -> None:
    bag = decide_bag(policies, read_text(jsonl))
    assert bag.compute() == records  # the blank line is skipped, as read_situations skips it


def test_models_and_mappings_with_cheap_fields(
    client: Any,
    policies: flexpolicy.PolicySet,
    history: list[flexpolicy.Situation],
    records: list[dict[str, Any]],
) -> None:
    items = [s if i % 2 else s.model_dump(mode="json") for i, s in enumerate(history)]
    got = decide_bag(policies, db.from_sequence(items, npartitions=5), fields=CHEAP_FIELDS)
    assert got.compute() == [{f: r[f] for f in CHEAP_FIELDS} for r in records]
    assert list(got.take(1)[0]) == list(CHEAP_FIELDS)


def test_one_policy_and_chosen_fields(
    client: Any, returns_policy: flexpolicy.Policy, history: list[flexpolicy.Situation]
) -> None:
    returns = [s for s in history if s.request.kind == "return"]
    fields = ("request_id", "outcome", "rationale", "levers", "amount")
    got = decide_bag(returns_policy, db.from_sequence(returns, npartitions=3), fields=fields)
    full = [d.model_dump(mode="json") for d in returns_policy.decide_all(returns)]
    assert got.compute() == [{f: r[f] for f in fields} for r in full]


@pytest.mark.parametrize("where", [0, 97, N - 1])
def test_a_situation_no_policy_decides_fails_as_locally(
    client: Any, policies: flexpolicy.PolicySet, lines: list[str], where: int
) -> None:
    items = [*lines[:where], json.dumps(TELEPORT), *lines[where:]]
    with pytest.raises(flexpolicy.InputError) as caught:
        decide_bag(policies, db.from_sequence(items, npartitions=6)).compute()
    same_error(caught, local_error(policies, [json.loads(x) for x in items]))
    assert str(caught.value).startswith(f"situation {where}: no policy decides `teleport`")


def test_of_several_errors_the_first_in_order_is_raised(
    client: Any, policies: flexpolicy.PolicySet, lines: list[str]
) -> None:
    """However the cluster ran them, as `decide_all` stops at the first."""
    items = [*lines[:30], "{", *lines[30:200], json.dumps(TELEPORT), *lines[200:]]
    bag = db.from_sequence(items[::-1], npartitions=8)  # the teleport comes first
    with pytest.raises(flexpolicy.InputError) as caught:
        decide_bag(policies, bag).compute()
    assert str(caught.value).startswith(f"situation {len(items) - 1 - 201}: no policy decides")
    with pytest.raises(flexpolicy.InputError) as caught:
        decide_bag(policies, db.from_sequence(items, npartitions=8)).compute()
    assert str(caught.value).startswith("situation 30: not JSON")


def test_a_bag_used_again_shows_the_scheduler_one_version_of_each_key(
    client: Any,
    policies: flexpolicy.PolicySet,
    jsonl: Path,
    records: list[dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The input is read as any `map_partitions` reads it, so mixing computations is safe.

    Reading a partition in two ways (say, fused in one graph and not in the next) makes
    the scheduler warn of a "different `run_spec`" for one key, which can deadlock.
    """
    bag = read_text(jsonl)
    logger = logging.getLogger("distributed")  # it does not propagate to the root logger
    logger.addHandler(caplog.handler)
    try:
        # Kept in memory, the decisions keep the scheduler aware of how the bag was read.
        decided = decide_bag(policies, bag, fields=["outcome"]).persist()
        distributed.wait(decided)
        assert diff_bag(policies, policies, bag).total == N
        assert bag.count().compute() == N + 1  # and the blank line
        again = decide_bag(policies, bag, fields=["outcome", "rule_id"]).compute()
        assert again == [{"outcome": r["outcome"], "rule_id": r["rule_id"]} for r in records]
        assert decided.count().compute() == N
        del decided
    finally:
        logger.removeHandler(caplog.handler)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_a_situation_of_another_kind_fails_as_locally(
    client: Any, returns_policy: flexpolicy.Policy, history: list[flexpolicy.Situation]
) -> None:
    items = history[:60]
    with pytest.raises(flexpolicy.InputError) as caught:
        decide_bag(returns_policy, db.from_sequence(items, npartitions=4)).compute()
    same_error(caught, local_error(returns_policy, items))
    assert caught.value.code == "wrong-policy"


def test_facts_that_are_no_situation_fail_as_locally(
    client: Any, policies: flexpolicy.PolicySet, lines: list[str]
) -> None:
    items: list[Any] = [*lines[:70], {"request": {"id": "r"}}, *lines[70:]]
    with pytest.raises(flexpolicy.InputError) as caught:
        decide_bag(policies, db.from_sequence(items, npartitions=4)).compute()
    same_error(
        caught, local_error(policies, [x if isinstance(x, dict) else json.loads(x) for x in items])
    )
    assert caught.value.code == "invalid-facts"


def test_malformed_json_is_a_bad_file_error(
    client: Any, policies: flexpolicy.PolicySet, lines: list[str], tmp_path: Path
) -> None:
    items = [*lines[:130], "{not json", *lines[130:]]
    with pytest.raises(flexpolicy.InputError) as caught:
        decide_bag(policies, db.from_sequence(items, npartitions=4)).compute()
    assert (
        str(caught.value)
        == "situation 130: not JSON (Expecting property name enclosed in double quotes)"
    )
    path = tmp_path / "h.jsonl"
    path.write_text("\n".join(items) + "\n", encoding="utf-8")
    with pytest.raises(flexpolicy.InputError) as local:
        list(flexpolicy.read_situations(path))
    assert caught.value.code == local.value.code == "bad-file"
    assert (
        str(local.value)
        == f"{path}:131: not JSON (Expecting property name enclosed in double quotes, column 2)"
    )


# -- decide_frame --------------------------------------------------------------------------


def plain(row: dict[str, Any]) -> dict[str, Any]:
    """A frame row as a record: missing is None, nested fields parsed from JSON text."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        missing = value is None or (not isinstance(value, list | dict) and pd.isna(value))
        nested = key in (
            "bends",
            "remedies",
            "promises",
            "missing",
            "rationale",
            "trace",
            "alternatives",
            "levers",
        )
        out[key] = None if missing else json.loads(value) if nested else value
    return out


def test_a_parquet_column_of_json_text_gives_the_local_decisions(
    client: Any,
    policies: flexpolicy.PolicySet,
    lines: list[str],
    records: list[dict[str, Any]],
    tmp_path: Path,
) -> None:
    stores = [f"S{i % 7:02d}" for i in range(len(lines))]
    frame = pd.DataFrame({"store": stores, "situation": lines})
    dd.from_pandas(frame, npartitions=5).to_parquet(tmp_path / "history", write_index=False)
    history = dd.read_parquet(tmp_path / "history")
    assert history.npartitions == 5
    decided = decide_frame(policies, history, keep=["store"])
    assert list(decided.columns) == ["store", *CHEAP_FIELDS]
    assert decided.dtypes["exception"] is np.dtype(bool)
    result = decided.compute()
    assert list(result.index) == list(history.index.compute())  # each file's rows 0, 1, ...
    assert list(result["store"]) == stores
    rows = [plain(row) for row in result.drop(columns="store").to_dict("records")]
    assert rows == [{f: r[f] for f in CHEAP_FIELDS} for r in records]


def test_frame_with_every_field_and_unknown_divisions(
    client: Any, policies: flexpolicy.PolicySet, lines: list[str], records: list[dict[str, Any]]
) -> None:
    frame = dd.from_pandas(pd.DataFrame({"s": lines[:90]}), npartitions=3).clear_divisions()
    result = decide_frame(policies, frame, column="s", fields=DECISION_FIELDS).compute()
    assert [plain(row) for row in result.to_dict("records")] == records[:90]


def test_a_frame_row_no_policy_decides_fails_as_locally(
    client: Any, policies: flexpolicy.PolicySet, lines: list[str]
) -> None:
    items = [*lines[:150], json.dumps(TELEPORT), *lines[150:]]
    frame = dd.from_pandas(pd.DataFrame({"situation": items}), npartitions=4)
    with pytest.raises(flexpolicy.InputError) as caught:
        decide_frame(policies, frame).compute()
    same_error(caught, local_error(policies, [json.loads(x) for x in items]))


def test_bad_arguments_are_refused_before_anything_runs(policies: flexpolicy.PolicySet) -> None:
    bag = db.from_sequence([], npartitions=1)
    frame = dd.from_pandas(pd.DataFrame({"situation": ["{}"], "outcome": ["x"]}), npartitions=1)
    with pytest.raises(ValueError, match="fields must be distinct names"):
        decide_bag(policies, bag, fields=["outcome", "verdict"])
    with pytest.raises(ValueError, match="no column `facts`"):
        decide_frame(policies, frame, column="facts")
    with pytest.raises(ValueError, match="cannot keep"):
        decide_frame(policies, frame, keep=["outcome"])
    with pytest.raises(TypeError, match="must be a Policy or a PolicySet"):
        decide_bag("rules", bag)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least 0"):
        diff_bag(policies, policies, bag, examples=-1)


# -- diff_bag ------------------------------------------------------------------------------


@pytest.mark.parametrize("examples", [0, 2])
@pytest.mark.usefixtures("client")
def test_diff_bag_is_the_local_diff(
    policies: flexpolicy.PolicySet,
    tighter: flexpolicy.PolicySet,
    jsonl: Path,
    history: list[flexpolicy.Situation],
    examples: int,
) -> None:
    local = diff(policies, tighter, history, examples=examples)
    assert local.skipped["no-policy"] > 0  # goodwill requests the new version does not decide
    assert len(local.transitions) >= 2
    remote = diff_bag(policies, tighter, read_text(jsonl), examples=examples)
    assert json.dumps(remote.as_json()) == json.dumps(local.as_json())  # key order too


def test_diff_bag_counts_refused_situations_as_skipped(
    client: Any, policies: flexpolicy.PolicySet, tighter: flexpolicy.PolicySet, lines: list[str]
) -> None:
    items = [*lines[:40], json.dumps(TELEPORT), *lines[40:]]
    situations = [flexpolicy.Situation.model_validate_json(x) for x in items]
    remote = diff_bag(policies, tighter, db.from_sequence(items, npartitions=4))
    assert json.dumps(remote.as_json()) == json.dumps(diff(policies, tighter, situations).as_json())


def test_diff_bag_stops_at_unreadable_text_as_local_diff_does(
    client: Any, policies: flexpolicy.PolicySet, lines: list[str], tmp_path: Path
) -> None:
    items = [*lines[:100], "", "[1, 2", *lines[100:]]
    with pytest.raises(flexpolicy.InputError) as caught:
        diff_bag(policies, policies, db.from_sequence(items, npartitions=4))
    assert str(caught.value) == "situation 100: not JSON (Expecting ',' delimiter)"
    path = tmp_path / "h.jsonl"
    path.write_text("\n".join(items) + "\n", encoding="utf-8")
    with pytest.raises(flexpolicy.InputError) as local:
        diff(policies, policies, flexpolicy.read_situations(path))
    assert caught.value.code == local.value.code == "bad-file"


def test_diff_bag_of_an_empty_bag(client: Any, policies: flexpolicy.PolicySet) -> None:
    remote = diff_bag(policies, policies, db.from_sequence(["\n"], npartitions=1))
    assert json.dumps(remote.as_json()) == json.dumps(diff(policies, policies, []).as_json())


# -- an optional dependency ----------------------------------------------------------------


def test_dask_is_optional() -> None:
    """`import flexpolicy` never imports dask; without dask, a clear error with the fix."""
    script = """
import sys
import flexpolicy, flexpolicy.authoring, flexpolicy.analysis
assert "dask" not in sys.modules, "import flexpolicy imported dask"
sys.modules["dask"] = None  # as if not installed
import flexpolicy.dask
try:
    flexpolicy.dask.decide_bag(flexpolicy.load_policies("rules"), None)
except flexpolicy.FlexPolicyError as exc:
    assert isinstance(exc, ImportError) and exc.code == "dask-unavailable", exc
    print(exc)
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=RULES.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "flexpolicy.dask needs dask, which is not installed\n"
        "    hint: pip install 'flexpolicy[dask]'\n"
    )
