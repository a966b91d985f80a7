"""One vocabulary and one copy of the operator tables.

The operator tables (`_lang.ops`) are what the engines, the explainers and the
document writer rewrite comparisons with, so they are checked against the
run-time semantics themselves; the vocabulary (`_explain.words`) names only fields
that exist, and is the one the document and the terminal use.
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from flexpolicy._authoring import doc
from flexpolicy._explain import phrases, words
from flexpolicy._lang import checked as c
from flexpolicy._lang import runtime as rt
from flexpolicy._lang import types as t
from flexpolicy._lang.catalog import ROOTS
from flexpolicy._lang.ops import COMPARISONS, MEMBERSHIP, MIRROR, NEGATE, constant_right, unparse
from flexpolicy.cli import _render

VALUES: list[Any] = [0, 1, 2, Decimal("1.50"), date(2026, 1, 1), date(2026, 2, 1), "a", "b", True]


@pytest.mark.parametrize("op", COMPARISONS)
def test_mirror_swaps_the_sides(op: str) -> None:
    for a, b in itertools.product(VALUES, repeat=2):
        assert rt.compare(op, a, b) == rt.compare(MIRROR[op], b, a), (a, op, b)


@pytest.mark.parametrize("op", COMPARISONS + MEMBERSHIP)
def test_negate_is_not(op: str) -> None:
    sets = [frozenset({"a"}), ("a", "b"), ()]
    pairs = itertools.product(VALUES, sets if op in MEMBERSHIP else VALUES)
    for a, b in pairs:
        held = rt.compare(op, a, b)
        assert rt.compare(NEGATE[op], a, b) == (None if held is None else not held), (a, op, b)
        assert NEGATE[NEGATE[op]] == op


def test_only_a_lone_constant_moves_right() -> None:
    days = c.Builtin(t.INT, 0, 0, "days_since_purchase")
    thirty, forty = c.Const(t.INT, 0, 0, 30), c.Const(t.INT, 0, 0, 40)
    assert constant_right(">=", thirty, days) == ("<=", days, thirty)
    assert constant_right("<=", days, thirty) == ("<=", days, thirty)
    assert constant_right("<", thirty, forty) == ("<", thirty, forty)
    assert constant_right("in", thirty, days) == ("in", thirty, days)
    assert unparse(c.Cmp(t.BOOL, 0, 0, ">=", thirty, days)) == "30 >= days_since_purchase"


def test_every_worded_field_exists() -> None:
    for dotted, entry in words.FIELD_WORDS.items():
        root, *path = dotted.split(".")
        assert root in ROOTS, dotted
        spec = words.field_spec(c.Field(t.ANY, 0, 0, root, tuple(path)))
        assert spec is not None, dotted
        if entry.modifiers:
            assert spec.type.kind is t.Kind.BOOL, dotted
        if entry.includes or entry.includes_modifier:
            assert spec.type.kind is t.Kind.SET, dotted


def test_one_vocabulary() -> None:
    """The document, the terminal and the decision wording use the same words."""
    for module in (_render, doc, phrases):
        names = vars(module)
        for name in ("remedy_words", "role_words", "money", "fmt", "humanize"):
            assert names.get(name, getattr(words, name)) is getattr(words, name), (module, name)
        assert not {"REMEDY_WORDS", "_MIRROR", "_NEGATE", "_LABELS", "_FLAGS"} & set(names)
