"""Decide and replay histories on a Dask cluster, partition by partition.

Why: a chain's year of requests is millions of situations, often stored as JSON
Lines or Parquet on shared storage.  One process decides about a microsecond per
situation, but reading, validating and explaining them is what costs; Dask
spreads that over the cores of one machine or the workers of a cluster, and
these functions make sure the answer is the one a single process gives:

- `decide_bag(policy, bag)`: a `dask.bag.Bag` of decision records, in the
  bag's order, each exactly what `policy.decide_all` gives locally;
- `decide_frame(policy, frame)`: the same as a `dask.dataframe.DataFrame`, one
  row per input row, same index, for analysis and Parquet;
- `diff_bag(old, new, bag)`: the `DiffReport` of `flexpolicy.authoring.diff`
  over the whole history (`as_json()` equal to the local one), computed as one
  report per partition merged in partition order.

Items are `Situation` models, mappings shaped like one, or JSON text, one
situation per item: the lines `flexpolicy simulate` writes and `dask.bag.read_text`
reads.  Text is parsed as `flexpolicy.read_situations` parses JSON Lines (numbers
as exact `Decimal`); in a bag, blank lines are skipped as that reader skips them.

Errors are the local ones.  The first situation `decide_all` refuses raises
the same `InputError` (class, `code`, `hint`, message) at `compute()`,
numbered by its position in the whole bag or frame ("situation 1234: ..."),
not in its partition: a partition's result passes through a tiny task that
knows how many situations the partitions before it held, and only the first
failing partition raises, so the error is the first in order, however the
cluster ran.  Text that is not JSON is an `InputError` with code `bad-file`,
as `read_situations` makes it.  `diff_bag` counts situations a version
refuses as skipped, exactly as `diff` does, and stops at the first situation
that cannot be read, as `diff` over `read_situations` does.

The input is read as any `map_partitions` reads it, once, by one task per
partition: its tasks look the same in every graph, so a bag decided, then
diffed, then counted never shows the scheduler two versions of one key.

Policies travel to workers as their checked IR (`Policy` pickles that way) and
are compiled once per worker process; each policy is sent once per computation,
under a key made of its digest.  Dask is the optional extra
`pip install 'flexpolicy[dask]'`; `import flexpolicy` never imports it.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter

from ._authoring.diff import DiffReport, diff
from ._authoring.diff_merge import merge_reports
from ._engine.context import coerce
from ._situations.json_text import parse_fast
from .decision import Decision, DecisionRecord
from .errors import FlexPolicyError, InputError
from .models import Situation
from .policy import Policy, PolicySet

if TYPE_CHECKING:
    from dask.bag import Bag
    from dask.dataframe import DataFrame
    from dask.delayed import Delayed

__all__ = [
    "CHEAP_FIELDS",
    "DECISION_FIELDS",
    "DaskUnavailableError",
    "decide_bag",
    "decide_frame",
    "diff_bag",
]

DECISION_FIELDS: tuple[str, ...] = tuple(DecisionRecord.model_fields)
"""Every field of a decision record, in `Decision.model_dump()` order."""

# `missing` is worked out from the explanation, like the texts.
_EXPENSIVE = frozenset({"rationale", "trace", "alternatives", "levers", "missing"})
CHEAP_FIELDS: tuple[str, ...] = tuple(f for f in DECISION_FIELDS if f not in _EXPENSIVE)
"""The fields known once a decision is made: no text is rendered, no alternative searched."""

Side = Policy | PolicySet


class DaskUnavailableError(FlexPolicyError, ImportError):
    """`flexpolicy.dask` needs Dask, which is not installed (also an `ImportError`)."""

    code = "dask-unavailable"

    def __init__(self, missing: str = "dask") -> None:
        super().__init__(
            f"flexpolicy.dask needs {missing}, which is not installed\n"
            "    hint: pip install 'flexpolicy[dask]'"
        )


def _require(module: str) -> Any:
    """Import a Dask module, or raise `DaskUnavailableError` naming what is missing."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise DaskUnavailableError((exc.name or module).split(".")[0]) from None


# -- items to situations (runs on the workers) ----------------------------------------------


class _Blank:
    __slots__ = ()


_BLANK = _Blank()


def _situation_like(item: object, skip_blank: bool) -> object:
    """A JSON text item parsed as `read_situations` parses a line; anything else as it is."""
    if not isinstance(item, str | bytes | bytearray):
        return item
    if skip_blank and not item.strip():
        return _BLANK
    try:
        text = bytes(item) if isinstance(item, bytearray) else item
        return parse_fast(text) or json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON ({exc.msg})", code="bad-file") from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", code="bad-file") from None


def _numbered(position: int, exc: InputError) -> InputError:
    """The error as `decide_all` words it, numbered in the whole collection."""
    return exc.prefixed(f"situation {position}: ")


Failure = tuple[int, InputError]  # the situations read before it, and the error


def _stream(
    policy: Side, items: Iterable[object], skip_blank: bool, failure: list[Failure]
) -> Iterator[Decision]:
    """`policy.decide_all` on one partition, one decision at a time, up to the first error.

    Each decision is `decide_situation`'s, which is `decide_all`'s.  The first
    error ends the stream and lands in `failure`, with how many situations came
    before it, to be numbered once the partitions before are counted.
    Streaming matters: a partition's decisions all alive at once (each holds
    what its explanation is rendered from) cost more in garbage collection than
    the deciding itself.
    """
    decide = policy.decide_situation
    count = 0
    for item in items:
        try:
            value = _situation_like(item, skip_blank)
            if value is _BLANK:
                continue
            decision = decide(value)  # type: ignore[arg-type]  # anything else: an InputError
        except InputError as exc:
            failure.append((count, exc))
            return
        count += 1
        yield decision


@cache
def _adapter(field: str) -> TypeAdapter[Any]:
    annotation = DecisionRecord.model_fields[field].annotation
    assert annotation is not None  # every field of the record is annotated
    return TypeAdapter(annotation)


def _json_value(field: str, value: Any) -> Any:
    if value is None or type(value) in (str, bool):
        return value
    if type(value) is tuple:
        value = list(value)
    return _adapter(field).dump_python(value, mode="json")


def _record(decision: Decision, fields: tuple[str, ...] | None) -> dict[str, Any]:
    """`decision.model_dump(mode="json")`, or just `fields` of it (rendering only those)."""
    if fields is None:
        return decision.model_dump(mode="json")
    return {field: _json_value(field, getattr(decision, field)) for field in fields}


def _check_fields(fields: Iterable[str] | None) -> tuple[str, ...] | None:
    if fields is None:
        return None
    chosen = tuple(fields)
    unknown = [f for f in chosen if f not in DECISION_FIELDS]
    if unknown or len(set(chosen)) != len(chosen):
        raise ValueError(
            f"fields must be distinct names of {', '.join(DECISION_FIELDS)}; "
            f"not {', '.join(unknown) or 'a name twice'}"
        )
    return chosen


# A partition is decided in a *stage* that never raises: it gives its result, how many
# situations it read, and what stopped it.  `_finish` then numbers the first error in the
# whole collection, once every partition before it has reported its count (`_advance`).
Staged = tuple[Any, int, InputError | None]


def _bag_stage(
    items: Iterable[object], policy: Side, fields: tuple[str, ...] | None
) -> list[Staged]:
    failure: list[Failure] = []
    records = [_record(d, fields) for d in _stream(policy, items, True, failure)]
    read, error = failure[0] if failure else (len(records), None)
    return [(records, read, error)]  # a list: the partition of a bag


# Frame partitions are pandas DataFrames, typed `Any`: pandas ships no type information.


def _frame_stage(
    part: Any, *, policy: Side, column: str, fields: tuple[str, ...], keep: tuple[str, ...]
) -> Staged:
    pd = _require("pandas")  # only frames need pandas (untyped, and heavy to import)

    failure: list[Failure] = []
    rows = [
        [_cell(field, getattr(d, field)) for field in fields]
        for d in _stream(policy, part[column].tolist(), False, failure)
    ]
    out = part[list(keep)].iloc[: len(rows)].copy()
    for i, field in enumerate(fields):
        dtype = bool if field == "exception" else object
        out[field] = pd.Series([row[i] for row in rows], index=out.index, dtype=dtype)
    read, error = failure[0] if failure else (len(rows), None)
    return out, read, error


def _unwrap(staged: Staged | list[Staged]) -> Staged:
    return staged[0] if isinstance(staged, list) else staged


def _advance(offset: int | None, staged: Staged | list[Staged]) -> int | None:
    """The situations before the next partition; None once a partition has failed."""
    _, read, error = _unwrap(staged)
    return None if offset is None or error is not None else offset + read


def _finish(staged: Staged | list[Staged], offset: int | None) -> Any:
    """The partition's result, or its error numbered in the whole collection.

    Only the first failing partition raises (`offset` is None after it), so the
    error is the first in order, the one `decide_all` raises locally.
    """
    result, read, error = _unwrap(staged)
    if error is not None and offset is not None:
        raise _numbered(offset + read, error)
    return result


def _cell(field: str, value: Any) -> Any:
    """A frame cell: text, a bool or None; nested fields (lists, records) as JSON text."""
    plain = _json_value(field, value)
    return json.dumps(plain, ensure_ascii=False) if isinstance(plain, list | dict) else plain


# -- graphs -----------------------------------------------------------------------------------


def _shared(side: Side, delayed: Any) -> Delayed:
    """One key per policy content, so each policy crosses the network once per computation."""
    policies = side.policies if isinstance(side, PolicySet) else (side,)
    content = "\n".join(f"{p.engine} {p.digest}" for p in policies)
    kind = "set" if isinstance(side, PolicySet) else "policy"
    token = hashlib.sha256(f"{kind}\n{content}".encode()).hexdigest()[:24]
    shared: Delayed = delayed(side, name=f"flexpolicy-{kind}-{token}", traverse=False)
    return shared


def _in_order(staged: Sequence[Delayed], delayed: Any) -> list[Delayed]:
    """`_finish` of each staged partition, with the count of the situations before it.

    The counts are a chain of tiny tasks, so a partition's result waits for
    the partitions before it to be decided, never for the ones after it.
    """
    out: list[Delayed] = []
    offset: Any = 0
    for k, part in enumerate(staged):
        out.append(delayed(_finish, pure=True)(part, offset))
        if k + 1 < len(staged):
            offset = delayed(_advance, pure=True)(offset, part)
    return out


def _check_side(side: object, name: str) -> None:
    if not isinstance(side, Policy | PolicySet):
        raise TypeError(f"{name} must be a Policy or a PolicySet, not {type(side).__name__}")


def decide_bag(policy: Side, bag: Bag, *, fields: Iterable[str] | None = None) -> Bag:
    """Decide every situation of a bag: a bag of decision records, in the bag's order.

    A record is `decision.model_dump(mode="json")` (the audit record, with
    rationale, trace, alternatives and levers), or with `fields` only those
    keys, in that order: `fields=CHEAP_FIELDS` skips rendering text and
    searching alternatives, by far the largest cost of a record.  Lazy like
    any bag: nothing runs until `compute()`, `to_textfiles()`, ...
    """
    _check_side(policy, "policy")
    chosen = _check_fields(fields)
    bag_module = _require("dask.bag")
    delayed = _require("dask.delayed").delayed
    # The bag is read as by any `map_partitions`, so its tasks look alike in every graph.
    staged = bag.map_partitions(  # type: ignore[no-untyped-call]  # dask.bag: no annotations
        _bag_stage, _shared(policy, delayed), chosen
    )
    decided = _in_order(staged.to_delayed(optimize_graph=False), delayed)
    result: Bag = bag_module.from_delayed(decided)
    return result


def decide_frame(
    policy: Side,
    frame: DataFrame,
    *,
    column: str = "situation",
    fields: Iterable[str] = CHEAP_FIELDS,
    keep: Iterable[str] = (),
) -> DataFrame:
    """Decide the situation in `column` of every row: a frame of decisions, same index.

    `column` holds one situation per row as JSON text (a string column read
    from Parquet or CSV: the lines `flexpolicy simulate` writes), a mapping or
    a `Situation`.  Each field becomes a column: `exception` is bool; the others
    are text as in the JSON record (money as exact decimal text, dates as
    `YYYY-MM-DD`, missing as null), and nested fields (`bends`, `rationale`,
    `trace`, `alternatives`, `levers`) are JSON text, so the frame writes to
    Parquet as it is.  `keep` names input columns to carry along (a store id,
    a date).  Lazy like any Dask frame.
    """
    _check_side(policy, "policy")
    chosen = _check_fields(fields)
    if chosen is None:  # typed away, but said of a bag it means every field
        chosen = DECISION_FIELDS
    carried = tuple(keep)
    pd = _require("pandas")
    dd = _require("dask.dataframe")
    delayed = _require("dask.delayed").delayed
    if column not in frame.columns:
        raise ValueError(f"the frame has no column `{column}`; columns: {list(frame.columns)}")
    clash = sorted(set(carried) & set(chosen))
    if clash or not set(carried) <= set(frame.columns):
        missing = sorted(set(carried) - set(frame.columns))
        raise ValueError(f"cannot keep {clash or missing}: a decision field or not a column")
    meta = frame._meta[list(carried)].copy()
    for field in chosen:
        dtype = bool if field == "exception" else object
        meta[field] = pd.Series([], index=meta.index, dtype=dtype)
    stage = delayed(_frame_stage, pure=True)
    shared = _shared(policy, delayed)
    staged = [
        stage(part, policy=shared, column=column, fields=chosen, keep=carried)
        for part in frame.to_delayed()  # type: ignore[no-untyped-call]  # dask.dataframe: untyped
    ]
    decided = _in_order(staged, delayed)
    divisions = frame.divisions if frame.known_divisions else None
    result: DataFrame = dd.from_delayed(decided, meta=meta, divisions=divisions)
    return result


def _diff_part(
    items: Iterable[object], old: Side, new: Side, examples: int
) -> list[tuple[DiffReport | None, int, InputError | None]]:
    """One partition's report (in a list: a bag's partition), or where it could not be read.

    The situations stream into `diff`, as `read_situations` streams them: a
    situation that cannot be read stops the partition, as it stops `diff`.
    """
    read = 0

    def situations() -> Iterator[Situation]:
        nonlocal read
        for item in items:
            value = _situation_like(item, skip_blank=True)
            if value is _BLANK:
                continue
            # The wording `decide_all` gives a mapping that is not a situation.
            situation = coerce(value, Situation, "situation")
            read += 1
            yield situation

    try:
        report = diff(old, new, situations(), examples=examples)
    except InputError as exc:  # `diff` counts what a version refuses; this is unreadable
        return [(None, read, exc)]
    return [(report, read, None)]


def diff_bag(old: Side, new: Side, bag: Bag, *, examples: int = 3) -> DiffReport:
    """`flexpolicy.authoring.diff(old, new, situations, examples=...)` over a bag.

    Each partition is diffed on a worker and the reports are merged in
    partition order (`merge_reports`), so the result equals the local report,
    examples included.  Runs now, on the current scheduler (the active
    `distributed.Client`, if any), and returns the report.
    """
    _check_side(old, "old")
    _check_side(new, "new")
    if examples < 0:
        raise ValueError(f"examples must be at least 0, not {examples}")
    delayed = _require("dask.delayed").delayed
    parts = bag.map_partitions(  # type: ignore[no-untyped-call]  # dask.bag is not annotated
        _diff_part, _shared(old, delayed), _shared(new, delayed), examples
    ).compute()
    reports: list[DiffReport] = []
    before = 0
    for report, read, failure in parts:
        if failure is not None:
            raise _numbered(before + read, failure)
        assert report is not None
        reports.append(report)
        before += read
    if not reports:
        return diff(old, new, [], examples=examples)
    return merge_reports(reports, examples=examples)
