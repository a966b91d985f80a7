"""Merge the `diff` reports of consecutive chunks of one history into the report of the whole.

Why: a history too long for one process is replayed in chunks - Dask partitions
(`flexpolicy.dask.diff_bag`), parallel jobs, a month at a time - and the author
still wants the one report `diff` gives on the whole history, to the last cent
and in the same order, so that a report computed in pieces and one computed in
one go print and serialise alike (`as_json()` equal, key order included).

What makes that exact: every figure of a `DiffReport` is a sum (counts, money as
`Decimal`, skipped counts per code, transitions, outcomes and roles per side),
and `diff` keeps the *first* `examples` changed situations per (old, new) pair in
history order, so the examples of the whole are the chunks' examples
concatenated in chunk order, cut to `examples`.  The orders of the report's
tables are `diff.ordered_report`'s, the one constructor both use; `outcomes`,
`money` and `pending` keep the order the reports give them (every report lists
every key), and `examples` the order each pair first changed in the history.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from .diff import DiffExample, DiffReport, MoneyLine, ordered_report

__all__ = ["merge_reports"]

Pair = tuple[str, str]


def _add_counts(into: dict[str, int], more: dict[str, int]) -> None:
    for key, count in more.items():
        into[key] = into.get(key, 0) + count


def _add_pairs(into: dict[str, tuple[int, int]], more: dict[str, tuple[int, int]]) -> None:
    for key, (old, new) in more.items():
        before = into.get(key, (0, 0))
        into[key] = (before[0] + old, before[1] + new)


def _add_money(into: dict[str, tuple[Decimal, Decimal]], more: dict[str, MoneyLine]) -> None:
    for key, line in more.items():
        old, new = into.get(key, (Decimal(0), Decimal(0)))
        into[key] = (old + line.old, new + line.new)


def _lines(sums: dict[str, tuple[Decimal, Decimal]]) -> dict[str, MoneyLine]:
    return {key: MoneyLine(old, new) for key, (old, new) in sums.items()}


def merge_reports(reports: Sequence[DiffReport], *, examples: int) -> DiffReport:
    """The report `diff` gives on the whole history, from the reports of its chunks.

    `reports` are the reports of consecutive chunks of one history, in history
    order, each made by `diff` with the same two versions and at least
    `examples` examples per pair (fewer gives fewer examples, never wrong
    ones).  Raises `ValueError` for no reports, a negative `examples`, or
    reports of different policy versions.
    """
    if examples < 0:
        raise ValueError(f"examples must be at least 0, not {examples}")
    if not reports:
        raise ValueError("merge_reports needs at least one report (diff an empty history instead)")
    first = reports[0]
    for report in reports[1:]:
        if (report.old_policies, report.new_policies) != (first.old_policies, first.new_policies):
            raise ValueError(
                "reports of different policy versions cannot be merged: "
                f"{first.old_policies} -> {first.new_policies} and "
                f"{report.old_policies} -> {report.new_policies}"
            )
    total = decided = changed = rule_changes = 0
    skipped: dict[str, int] = {}
    transitions: dict[Pair, int] = {}
    outcomes: dict[str, tuple[int, int]] = {}
    roles: dict[str, tuple[int, int]] = {}
    money: dict[str, tuple[Decimal, Decimal]] = {}
    pending: dict[str, tuple[Decimal, Decimal]] = {}
    levers_old = levers_new = Decimal(0)
    kept: dict[Pair, list[DiffExample]] = {}
    for report in reports:
        total += report.total
        decided += report.decided
        changed += report.changed
        rule_changes += report.rule_changes
        _add_counts(skipped, report.skipped)
        for pair, count in report.transitions.items():
            transitions[pair] = transitions.get(pair, 0) + count
        _add_pairs(outcomes, report.outcomes)
        _add_pairs(roles, report.roles)
        _add_money(money, report.money)
        _add_money(pending, report.pending)
        levers_old += report.levers.old
        levers_new += report.levers.new
        for pair, shown in report.examples.items():
            room = examples - len(kept.setdefault(pair, []))
            kept[pair].extend(shown[: max(room, 0)])
    return ordered_report(
        old_policies=first.old_policies,
        new_policies=first.new_policies,
        total=total,
        decided=decided,
        skipped=skipped,
        changed=changed,
        transitions=transitions,
        rule_changes=rule_changes,
        outcomes=outcomes,
        money=_lines(money),
        pending=_lines(pending),
        levers=MoneyLine(levers_old, levers_new),
        roles=roles,
        examples=kept,
    )
