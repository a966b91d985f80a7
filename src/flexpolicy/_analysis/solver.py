"""The one place that imports z3, and the symbolic values the encoder works with.

z3-solver is the optional extra `flexpolicy[verify]`; everything else in the
analysis imports it from here, so a missing install is one clear error.  Every
analysis owns a private `z3.Context`: z3's default context is process-wide
mutable state, which decisions and analyses never share.

Values mirror the run-time semantics of `_lang.runtime`:

* a true/false value is a pair `(t, f)`: "definitely true", "definitely false";
  neither means *unknown* (Kleene logic), both never hold;
* any other value is `known` plus a z3 term for the value when known;
* a store attribute (`customer.attributes.x`) may hold any kind, so it carries
  a kind tag and one term per kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import FlexPolicyError

try:  # pragma: no branch - which branch runs depends on the install
    import z3  # type: ignore[import-untyped]  # z3-solver ships no type information
except ImportError:  # pragma: no cover - exercised only without the extra
    z3 = None


class AnalysisUnavailableError(FlexPolicyError):
    """The exact analysis needs z3-solver, which is not installed."""

    code = "analysis-unavailable"

    def __init__(self) -> None:
        super().__init__(
            "exact analysis needs z3-solver, which is not installed\n"
            "    hint: pip install 'flexpolicy[verify]'"
        )


def solver_module() -> Any:
    """The z3 module, or `AnalysisUnavailableError`."""
    if z3 is None:  # pragma: no cover - exercised only without the extra
        raise AnalysisUnavailableError
    return z3


def available() -> bool:
    return z3 is not None


# Kind tags of a store attribute's value, matching `_lang.runtime._family`.
TAG_BOOL, TAG_NUMBER, TAG_TEXT, TAG_DATE = 0, 1, 2, 3


@dataclass(frozen=True, slots=True)
class Truth:
    """A true/false value: `t` when definitely true, `f` when definitely false."""

    t: Any
    f: Any

    @property
    def known(self) -> Any:
        return z3.Or(self.t, self.f)


@dataclass(frozen=True, slots=True)
class Value:
    """A value of one static kind: `int`, `real`, `text`, `date`, `set`, `list`, `record`."""

    kind: str
    known: Any
    term: Any = None  # None for records: only their presence is modelled


@dataclass(frozen=True, slots=True)
class Dynamic:
    """A store attribute: present or not, and a term for each kind it may hold."""

    known: Any
    tag: Any
    boolean: Any
    number: Any
    text: Any
    day: Any


Sym = Truth | Value | Dynamic
