"""The two constant values a policy gives its expressions beyond scalars and lists.

A map param (`windows: {standard: 15, plus: 30}`) and the policy's calendar are
folded into the typed tree as constants, like every other param: the calendar
rides as a hidden last argument of `business_days_between`, so a decision reads
it from the compiled policy and never from shared, mutable state.  Both are
frozen and hashable, so a typed tree holding them stays hashable and the native
back end can share them as constants.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .._facts.labels import normalise_label

__all__ = ["WEEKEND", "Calendar", "ParamMap"]

WEEKEND = frozenset({6, 7})  # ISO weekdays: Saturday and Sunday


class ParamMap(Mapping[str, Any]):
    """A map param: normalised text keys, values of one type."""

    __slots__ = ("_items", "_key")

    def __init__(self, items: Mapping[str, Any]) -> None:
        self._items = {normalise_label(k): v for k, v in items.items()}
        self._key = tuple(sorted(self._items.items(), key=lambda kv: kv[0]))

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(self._key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ParamMap) and self._key == other._key

    def __repr__(self) -> str:
        return f"ParamMap({self._items!r})"

    def find(self, key: Any) -> Any:
        """The value at `key` (a label, compared normalised), or None when it is absent."""
        if not isinstance(key, str):
            return None
        found = self._items.get(key)
        if found is None:
            found = self._items.get(normalise_label(key))
        return found


@dataclass(frozen=True, slots=True)
class Calendar:
    """The policy's `calendar:`: its holidays and its weekend days (ISO, 1 = Monday)."""

    holidays: frozenset[date] = frozenset()
    weekend: frozenset[int] = WEEKEND
