"""Asserting that a call fails the way a caller can rely on: an `InputError`, well formed."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from flexpolicy import FlexPolicyError, InputError


def first_letter(text: str) -> str:
    """The first letter of a message outside `quoted` user input."""
    return next((ch for ch in re.sub(r"`[^`]*`", "", text) if ch.isalpha()), "")


def input_error(call: Callable[[], object]) -> InputError:
    """Run `call`; it must raise `InputError` (any other exception fails the test)."""
    with pytest.raises(InputError) as info:
        call()
    exc = info.value
    assert isinstance(exc, FlexPolicyError)
    assert exc.code
    assert exc.code == exc.code.lower()
    assert exc.message
    assert first_letter(exc.message).islower(), exc.message
    if exc.hint is not None:
        assert exc.hint.strip() == exc.hint
        assert exc.hint in str(exc)
    return exc
