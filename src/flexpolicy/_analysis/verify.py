"""Properties proved for every situation, or refuted with a real counterexample.

* monotone in a field: two situations equal in everything but the field, the
  second with the higher value, and the second never gets a worse outcome
  (deny < refer < approve);
* invariant to a field: changing only the field never changes the outcome;
* a new version against an old one: every kind of change that can happen
  (approve to deny, ...) with an example of each, and whether the new version
  is only ever more generous.

"Proved" means the solver found no situation at all; "refuted" means it found
one *and* the real policy, replayed on it, agrees.  When the real policy does
not agree (the encoder stood in for something it does not model exactly) the
answer is "unknown", never a false alarm.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .._diagnostics.suggest import did_you_mean
from .._engine.semantics import OUTCOME_RANK
from .._lang import types as t
from .._lang.catalog import ATTRIBUTE_TYPES, RECORDS, ROOTS
from ..errors import InputError
from ..models import Situation
from ..policy import Policy
from .encode import APPROVE, DENY, REFER
from .session import Session, replay, simplify
from .solver import Value

Status = Literal["proved", "refuted", "unknown"]
_NAMES = {DENY: "deny", REFER: "refer", APPROVE: "approve"}
_ORDERED = (t.Kind.INT, t.Kind.NUMBER, t.Kind.MONEY, t.Kind.DATE)


@dataclass(frozen=True)
class PropertyResult:
    """The answer to one property: proved, refuted (with situations), or unknown."""

    name: str  # e.g. `monotone:customer.tier`
    status: Status
    message: str
    counterexample: tuple[Situation, ...] = ()
    outcomes: tuple[str, ...] = ()  # the real decisions on the counterexample
    seconds: float = 0.0

    @property
    def holds(self) -> bool | None:
        return {"proved": True, "refuted": False, "unknown": None}[self.status]

    def as_json(self) -> dict[str, Any]:
        return {
            "property": self.name,
            "status": self.status,
            "message": self.message,
            "counterexample": [
                s.model_dump(mode="json", exclude_none=True) for s in self.counterexample
            ],
            "outcomes": list(self.outcomes),
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class Comparison:
    """What a new version decides differently from an old one, over all situations."""

    changes: tuple[PropertyResult, ...]
    only_more_generous: PropertyResult
    seconds: float = 0.0
    unchanged: bool = field(default=False)


# Built-in facts a property may name, as the field that moves them (today stays put):
# `days_since_purchase` grows as the purchase date goes back.  True: reversed.
_BUILTIN_FIELDS: dict[str, tuple[str, bool]] = {
    "days_since_purchase": ("transaction.purchased_at", True),
    "customer_tenure_days": ("customer.member_since", True),
    "days_since_received": ("transaction.delivered_at", True),
    "item_price": ("item.unit_price", False),
    "item_total": ("item.unit_price", False),
}


def field_type(
    path: str, declared: Mapping[str, str] | None = None
) -> tuple[str, tuple[str, ...], t.Type, bool]:
    """Resolve `customer.tier` to (root, path, type, reversed), or explain what is wrong.

    A built-in fact resolves to the field that moves it; `reversed` says that a higher
    field value means a lower fact (an older purchase date, more days since purchase).
    A store attribute (`request.attributes.data_wiped`) resolves to its declared type
    (`declared`: the policy's `attributes:`, key to type), or, for a policy without
    the block (None), to a value of any kind, as the policy reads it.
    """
    if path in _BUILTIN_FIELDS:
        field, reverse = _BUILTIN_FIELDS[path]
        root, fields, typ, _ = field_type(field)
        return root, fields, (t.INT if reverse else typ), reverse
    root, _, rest = path.partition(".")
    head, _, name = rest.partition(".")
    if root in ROOTS and head == "attributes" and name:
        return root, ("attributes", name), _attribute_type(path, root, name, declared), False
    if root not in ROOTS or not rest:
        raise InputError(
            f"`{path}` is not a field of a situation",
            code="bad-property",
            hint=did_you_mean(root, [*ROOTS, *_BUILTIN_FIELDS])
            or "fields look like `customer.tier`",
        )
    record = ROOTS[root].record or root
    name = rest.split(".")[0]
    spec = RECORDS[record].get(name)
    if spec is None or "." in rest:
        raise InputError(
            f"`{path}` is not a field of a situation",
            code="bad-property",
            hint=did_you_mean(name, list(RECORDS[record])) or "fields look like `customer.tier`",
        )
    return root, (name,), spec.type, False


def _attribute_type(path: str, root: str, name: str, declared: Mapping[str, str] | None) -> t.Type:
    """A store attribute's type as the policy reads it (`field_type`)."""
    if "." in name:
        raise InputError(
            f"`{path}` is not a field of a situation",
            code="bad-property",
            hint=f"attributes look like `{root}.attributes.NAME`",
        )
    if declared is None:
        return t.ANY
    kind = declared.get(f"{root}.{name}")
    if kind is None:
        names = [k.partition(".")[2] for k in declared if k.startswith(root + ".")]
        raise InputError(
            f"`{path}` is not declared under the policy's `attributes:`",
            code="bad-property",
            hint=did_you_mean(name, names) or f"the policy never reads `{path}`",
        )
    return ATTRIBUTE_TYPES[kind]


def _read(space: Any, root: str, fields: tuple[str, ...], typ: t.Type) -> Any:
    """The field as the encoder reads it: a declared attribute at its type."""
    if fields[:1] == ("attributes",) and typ.kind is not t.Kind.ANY:
        return space.field(root, fields, typ)
    return space.field(root, fields)


def _declared(policy: Policy) -> Mapping[str, str] | None:
    ir = policy._core.ir
    return None if ir.attributes is None else ir.attribute_types


def verify_monotone(policy: Policy, path: str, *, increasing: bool = True) -> PropertyResult:
    """A higher (or, with `increasing=False`, lower) value of `path` never gets a worse outcome."""
    started = time.perf_counter()
    root, fields, typ, reverse = field_type(path, _declared(policy))
    name = f"monotone:{'' if increasing else '-'}{path}"
    if typ.kind not in _ORDERED:
        raise InputError(
            f"`{path}` is {typ.describe()}, which has no order",
            code="bad-property",
            hint="monotone needs a number or a date; use `invariant:` for other fields",
        )
    session = Session()
    z = session.z
    twin = session.space.twin(".".join((root, *fields)))
    ir = policy._core.ir
    low = _read(session.space, root, fields, typ)
    high = _read(twin, root, fields, typ)
    before, _ = session.encoder(ir).decision()
    after, _ = session.encoder(ir, twin).decision()
    if not (isinstance(low, Value) and isinstance(high, Value)):  # an ordered kind, checked above
        raise TypeError(f"`{path}` is not an ordered value")
    up = increasing != reverse  # the twin's field value is the higher one
    better = high.term > low.term if up else high.term < low.term
    violation = z.And(low.known, high.known, better, after < before)
    direction = "higher" if increasing else "lower"
    return _settle(
        session,
        policy,
        policy,
        name,
        violation,
        twin,
        lambda a, b: OUTCOME_RANK[b] < OUTCOME_RANK[a],
        proved=f"a {direction} `{path}` never gets a worse outcome, for every situation",
        refuted=f"a {direction} `{path}` can get a worse outcome",
        started=started,
    )


def verify_invariant(policy: Policy, path: str) -> PropertyResult:
    """Changing only `path` never changes the outcome."""
    started = time.perf_counter()
    root, fields, typ, _ = field_type(path, _declared(policy))
    session = Session()
    twin = session.space.twin(".".join((root, *fields)))
    ir = policy._core.ir
    _read(session.space, root, fields, typ)
    _read(twin, root, fields, typ)
    before, _ = session.encoder(ir).decision()
    after, _ = session.encoder(ir, twin).decision()
    return _settle(
        session,
        policy,
        policy,
        f"invariant:{path}",
        before != after,
        twin,
        lambda a, b: a != b,
        proved=f"`{path}` never changes the outcome, for every situation",
        refuted=f"`{path}` can change the outcome",
        started=started,
    )


def compare(old: Policy, new: Policy) -> Comparison:
    """Every kind of outcome change from `old` to `new`, each with an example situation."""
    started = time.perf_counter()
    session = Session()
    z = session.z
    before, _ = session.encoder(old._core.ir).decision()
    after, _ = session.encoder(new._core.ir).decision()
    changes: list[PropertyResult] = []
    for a in (APPROVE, REFER, DENY):
        for b in (APPROVE, REFER, DENY):
            if a == b:
                continue
            step = time.perf_counter()
            label = f"{_NAMES[a]} -> {_NAMES[b]}"
            result = _settle(
                session,
                old,
                new,
                f"never {label}",
                z.And(before == a, after == b),
                None,
                lambda x, y, a=a, b=b: (x, y) == (_NAMES[a], _NAMES[b]),
                proved=f"no situation goes from {_NAMES[a]} to {_NAMES[b]}",
                refuted=f"some situations go from {_NAMES[a]} to {_NAMES[b]}",
                started=step,
            )
            changes.append(result)
    stricter = [r for r in changes if _rank(r.name, new=True) < _rank(r.name, new=False)]
    worse = [r for r in stricter if r.status != "proved"]
    if not worse:
        verdict = PropertyResult(
            "only more generous", "proved", "the new version is never stricter than the old one"
        )
    elif any(r.status == "refuted" for r in worse):
        first = next(r for r in worse if r.status == "refuted")
        verdict = PropertyResult(
            "only more generous",
            "refuted",
            "the new version is stricter for some situations",
            first.counterexample,
            first.outcomes,
        )
    else:
        verdict = PropertyResult(
            "only more generous",
            "unknown",
            "could not settle whether the new version is ever stricter",
        )
    return Comparison(
        tuple(changes),
        verdict,
        time.perf_counter() - started,
        unchanged=all(r.status == "proved" for r in changes),
    )


def _rank(label: str, *, new: bool) -> int:
    old_name, new_name = label.removeprefix("never ").split(" -> ")
    return OUTCOME_RANK[new_name if new else old_name]


def _settle(  # noqa: PLR0917 - one question, its two policies and its wording
    session: Session,
    first_policy: Policy,
    second_policy: Policy,
    name: str,
    violation: Any,
    twin: Any,
    confirms: Any,
    *,
    proved: str,
    refuted: str,
    started: float,
) -> PropertyResult:
    answer = session.ask(violation)
    if answer == "unsat":
        return PropertyResult(name, "proved", proved, seconds=time.perf_counter() - started)
    if answer == "unknown":
        return PropertyResult(
            name,
            "unknown",
            "the solver could not settle it in time",
            seconds=time.perf_counter() - started,
        )
    spaces = (session.space,) if twin is None else (session.space, twin)
    found = session.witnesses(violation, spaces=spaces)

    def shows(found: tuple[Situation, ...]) -> bool:
        a, b = replay(first_policy, found[0]), replay(second_policy, found[-1])
        return a is not None and b is not None and bool(confirms(a.outcome, b.outcome))

    if found is not None:
        shown = found
        if shows(shown):
            shown = simplify(shown, shows)
            a, b = replay(first_policy, shown[0]), replay(second_policy, shown[-1])
            assert a is not None  # `shows` just replayed them
            assert b is not None
            return PropertyResult(
                name,
                "refuted",
                refuted,
                shown,
                (a.outcome, b.outcome),
                seconds=time.perf_counter() - started,
            )
    return PropertyResult(
        name,
        "unknown",
        "the solver found a possible counterexample the real policy does not confirm",
        seconds=time.perf_counter() - started,
    )
