"""`list` attributes (DESIGN 2.2): a list of text, read as a set of labels like flags.

Declarations and values are tables with the exact code; every engine decides a
list-attribute policy alike (a hypothesis property over labels in every spelling);
YAML and JSON situations decide alike; the exact analysis reasons about the list as
a set; counterfactuals and `verify` reach declared attributes.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flexpolicy import InputError, Policy, PolicyError
from flexpolicy._audit.kinds import decoded_attributes, tagged
from flexpolicy._diagnostics.quote import cap_quotes
from flexpolicy._lang import runtime as rt
from flexpolicy.analysis import check, verify_invariant, verify_monotone
from flexpolicy.models import Situation
from flexpolicy.situations import read_situations
from tests.support.backends import verdicts

HEAD = """
policy: p
version: 1
applies_to: [return]
roles: [associate, supervisor]
"""

POLICY = (
    HEAD
    + """
attributes:
  request.docs: list
  item.marks: {type: list, public: false}
  request.all_contents: bool
rules:
  - id: no-marks
    kind: guard
    when: '"Scratched" in item.attributes.marks'
    outcome: deny
  - id: papers
    when:
      - '"receipt" in request.attributes.docs'
      - len(request.attributes.docs) <= 2
      - '"copy" not in request.attributes.docs'
    outcome: approve
    remedy: refund
  - id: boxed
    when: [request.attributes.all_contents, '"box" in request.attributes.docs']
    outcome: approve
    remedy: store_credit
default: {outcome: deny}
"""
)
ENGINES = ("native", "durable", "reference")


def _situation(docs: Any = None, marks: Any = None, all_contents: Any = None) -> dict[str, Any]:
    request: dict[str, Any] = {
        "id": "r1",
        "kind": "return",
        "requested_at": "2026-03-20",
        "transaction_id": "t1",
        "sku": "A",
        "attributes": {},
    }
    line: dict[str, Any] = {"sku": "A", "unit_price": "19.99", "attributes": {}}
    for target, key, value in (
        (request, "docs", docs),
        (line, "marks", marks),
        (request, "all_contents", all_contents),
    ):
        if value is not None:
            target["attributes"][key] = value
    return {
        "request": request,
        "customer": {"id": "c1", "tier": 3},
        "transaction": {"id": "t1", "purchased_at": "2026-03-01", "items": [line]},
    }


_POLICIES: dict[str, Policy] = {}


def _policy(engine: str) -> Policy:
    if engine not in _POLICIES:
        _POLICIES[engine] = Policy.from_yaml(POLICY, engine=engine)
    return _POLICIES[engine]


def _decide(engine: str, data: dict[str, Any]) -> tuple[str, str]:
    """The outcome and rule: a whole decision for the two engines, the reference back
    end's verdict (the interpreter, every rule tested) for `reference`."""
    if engine == "reference":
        policy = _policy("native")
        verdict = verdicts(policy, Situation.model_validate(data), ("reference",))["reference"]
        return verdict.outcome, verdict.rule.id
    decision = _policy(engine).decide_situation(copy.deepcopy(data))
    return decision.outcome, decision.rule_id


# -- declarations ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "codes"),
    [
        ("'\"gift\" in request.attributes.tags'", []),
        ("'\"gift\" not in request.attributes.tags'", []),
        ("len(request.attributes.tags) >= 2", []),
        ("known(request.attributes.tags)", []),
        ("'request.reason in request.attributes.tags'", []),
        ("request.attributes.tags", ["type-mismatch"]),  # a list is not a condition
        ("'request.attributes.tags == \"gift\"'", ["type-mismatch"]),
        ("3 in request.attributes.tags", ["type-mismatch"]),
        ("request.attributes.tags > 1", ["type-mismatch"]),
        ("'\"gift\" in request.attributes.other'", ["undeclared-attribute"]),
    ],
)
def test_list_declarations_type_like_flags(rule: str, codes: list[str]) -> None:
    text = HEAD + f"attributes:\n  request.tags: list\nrules:\n  - id: r\n    when: {rule}\n"
    text += "    outcome: deny\n"
    if not codes:
        Policy.from_yaml(text, file="p.yaml")
        return
    with pytest.raises(PolicyError) as caught:
        Policy.from_yaml(text, file="p.yaml")
    assert [p.code for p in caught.value.problems] == codes, caught.value


@pytest.mark.parametrize(
    ("block", "codes"),
    [
        ("  request.tags: list", []),
        ("  request.tags: {type: list, public: false}", []),
        ("  request.tags: lists", ["bad-attribute"]),
        ("  request.tags: {type: set}", ["bad-attribute"]),
        ("  request.tags: List", ["bad-attribute"]),  # types are exact words
    ],
)
def test_the_list_type_is_declared_by_name(block: str, codes: list[str]) -> None:
    text = HEAD + f"attributes:\n{block}\nrules:\n  - id: r\n    when: 'true'\n    outcome: deny\n"
    if not codes:
        Policy.from_yaml(text)
        return
    with pytest.raises(PolicyError) as caught:
        Policy.from_yaml(text)
    assert [p.code for p in caught.value.problems] == codes
    assert "`list`" in (caught.value.problems[0].hint or "")


def test_a_computed_member_is_durable_unsupported() -> None:
    text = HEAD + (
        "attributes:\n  request.tags: list\nrules:\n  - id: r\n"
        "    when: 'request.reason in request.attributes.tags'\n    outcome: deny\n"
    )
    Policy.from_yaml(text, engine="native")
    with pytest.raises(PolicyError) as caught:
        Policy.from_yaml(text, engine="durable")
    assert [p.code for p in caught.value.problems] == ["durable-unsupported"]
    assert "fixed value" in caught.value.problems[0].message


def test_a_private_list_stays_out_of_customer_text() -> None:
    text = POLICY.replace(
        "    remedy: refund\n",
        '    remedy: refund\n    explain: {customer: "Marks: {item.attributes.marks}."}\n',
    )
    with pytest.raises(PolicyError) as caught:
        Policy.from_yaml(text)
    assert [p.code for p in caught.value.problems] == ["internal-in-customer-text"]


# -- values ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("docs", "marks", "expected"),
    [
        (["receipt"], [], ("approve", "papers")),
        (["Receipt ", "RECEIPT"], [], ("approve", "papers")),  # one label
        (["\uff32eceipt"], [], ("approve", "papers")),  # NFKC: full-width R
        (["r\u0435ceipt"], [], ("approve", "papers")),  # a Cyrillic look-alike e
        (["receipt", "tag", "box"], [], ("deny", "default")),  # three labels
        (["receipt", "copy"], [], ("deny", "default")),
        ([], [], ("deny", "default")),  # an empty list is known and empty
        (None, [], ("deny", "default")),  # missing: every test on it unknown
        (["receipt"], ["scratched"], ("deny", "no-marks")),
        (["receipt"], None, ("deny", "no-marks")),  # a guard on a missing list fails closed
        (("receipt",), (), ("approve", "papers")),  # a tuple from Python is a list
    ],
)
def test_list_values_decide_alike_in_every_engine(
    docs: Any, marks: Any, expected: tuple[str, str]
) -> None:
    data = _situation(docs, marks)
    for engine in ENGINES:
        assert _decide(engine, data) == expected, engine


@pytest.mark.parametrize(
    ("docs", "marks", "path"),
    [
        ("receipt", [], "request.attributes.docs"),  # a lone text is not a list
        (["receipt", 1], [], "request.attributes.docs"),
        ([True], [], "request.attributes.docs"),
        (["2026-03-01", "2026-03-01"], ["ok", 2.5], "item.attributes.marks"),
        ([""], [], "request.attributes.docs"),
        (["  "], [], "request.attributes.docs"),
        (["\u200b"], [], "request.attributes.docs"),  # blank once normalised
        (["x" * 201], [], "request.attributes.docs"),
        (7, [], "request.attributes.docs"),
        (["receipt"], "scratched", "item.attributes.marks"),
    ],
)
def test_list_values_that_do_not_fit_are_invalid_attribute(
    docs: Any, marks: Any, path: str
) -> None:
    data = _situation(docs, marks)
    for engine in ENGINES:
        with pytest.raises(InputError) as caught:
            _decide(engine, data)
        error = caught.value
        assert error.code == "invalid-attribute", engine
        assert error.field == tuple(path.split("."))
        assert error.message == (
            f"`{path}` must be a list of text (each at most 200 characters, none blank): "
            "this policy declares it `list`"
        )


def test_a_list_for_an_undeclared_attribute_is_a_fact() -> None:
    """Without `attributes:` a list is a value of its own kind: it is in nothing and
    nothing is compared with it, and text is never searched as if it were a list."""
    text = HEAD + (
        "rules:\n  - id: r\n    when: '\"a\" in request.attributes.x'\n"
        "    outcome: approve\n    remedy: refund\ndefault: {outcome: deny}\n"
    )
    policy = Policy.from_yaml(text)
    listed = _situation()
    listed["request"]["attributes"] = {"x": ["a", "b"]}
    spelled = _situation()
    spelled["request"]["attributes"] = {"x": "abc"}  # text: not searched for "a"
    for data, outcome in ((listed, "approve"), (spelled, "deny")):
        assert policy.decide_situation(data).outcome == outcome
        found = verdicts(policy, Situation.model_validate(data), ("native", "reference"))
        assert {v.outcome for v in found.values()} == {outcome}
    assert rt.member("a", "abc") is None
    assert rt.member("a", ("a",)) is True


def test_yaml_and_json_situations_decide_alike(tmp_path: Path) -> None:
    yaml_file = tmp_path / "s.yaml"
    yaml_file.write_text(
        """
request: {id: r1, kind: return, requested_at: 2026-03-20, transaction_id: t1, sku: A,
          attributes: {docs: [Receipt, box], all_contents: true}}
customer: {id: c1, tier: 3}
transaction:
  id: t1
  purchased_at: 2026-03-01
  items: [{sku: A, unit_price: 19.99, attributes: {marks: []}}]
""",
        encoding="utf-8",
    )
    json_file = tmp_path / "s.json"
    json_file.write_text(
        json.dumps(_situation([" RECEIPT", "Box"], [], all_contents=True)), encoding="utf-8"
    )
    from_yaml, from_json = next(read_situations(yaml_file)), next(read_situations(json_file))
    for engine in ("native", "durable"):
        policy = _policy(engine)
        a, b = policy.decide_situation(from_yaml), policy.decide_situation(from_json)
        assert (a.outcome, a.rule_id, a.amount) == (b.outcome, b.rule_id, b.amount)
        assert (a.outcome, a.rule_id) == ("approve", "papers"), engine


_SPELLINGS = st.sampled_from(
    ["receipt", "Receipt", " RECEIPT ", "box", "BOX", "copy", "Copy ", "tag", "scratched"]
)
_LIST = st.one_of(st.none(), st.lists(_SPELLINGS, max_size=4))


@settings(max_examples=150, deadline=None)
@given(docs=_LIST, marks=_LIST, all_contents=st.sampled_from([None, True, False]))
def test_every_engine_decides_list_policies_alike(
    docs: list[str] | None, marks: list[str] | None, all_contents: bool | None
) -> None:
    data = _situation(docs, marks, all_contents)
    native = _decide("native", data)
    assert _decide("durable", data) == native
    assert _decide("reference", data) == native
    # The meaning, spelled out: labels compared normalised, a missing list unknown.
    docs_set = None if docs is None else {d.strip().lower() for d in docs}
    marks_set = None if marks is None else {m.strip().lower() for m in marks}
    if marks_set is None or "scratched" in marks_set:
        assert native == ("deny", "no-marks")
    elif docs_set is not None and "receipt" in docs_set and len(docs_set) <= 2:
        assert native == ("approve", "papers") if "copy" not in docs_set else native[1] != "papers"


def test_the_audit_record_keeps_each_members_kind() -> None:
    attributes = {"docs": ("a", Decimal("1.5"), date(2026, 1, 2)), "n": Decimal("2")}
    stored = json.loads(json.dumps(tagged(attributes)))
    assert decoded_attributes({"attributes": stored})["attributes"] == {
        "docs": ["a", Decimal("1.5"), date(2026, 1, 2)],
        "n": Decimal("2"),
    }


def test_messages_quote_pieces_not_the_prose_between_them() -> None:
    text = "`a.b` must be an amount (at most 4 decimal places): this policy declares it `money`"
    assert cap_quotes(text) == text
    assert cap_quotes(f"`{'x' * 50}` and `y`") == f"`{'x' * 39}…` and `y`"


# -- what the explanation, the analysis and the test helpers make of it ---------------


def test_counterfactuals_propose_declared_attributes() -> None:
    decision = Policy.from_yaml(POLICY).decide_situation(
        _situation(["tag", "copy", "box"], [], all_contents=False)
    )
    assert decision.outcome == "deny"
    changes = {a.rule_id: a.changes for a in decision.alternatives}
    assert changes["boxed"] == {"request.attributes.all_contents": True}
    # The proposed changes decide as promised, from the public API too.
    s = Situation.model_validate(_situation(["tag", "copy", "box"], [], all_contents=False))
    flipped = Policy.from_yaml(POLICY).decide_situation(s.with_changes(changes["boxed"]))
    assert (flipped.outcome, flipped.rule_id) == ("approve", "boxed")


def test_counterfactuals_add_a_missing_label() -> None:
    text = HEAD + (
        "attributes:\n  request.docs: list\n  customer.score: int\n  transaction.due: date\n"
        "rules:\n  - id: r\n    when: ['\"Receipt\" in request.attributes.docs', "
        "customer.attributes.score >= 3, transaction.attributes.due >= today]\n"
        "    outcome: approve\n    remedy: refund\ndefault: {outcome: deny}\n"
    )
    data = _situation(["box"])
    data["customer"]["attributes"] = {"score": "1"}
    data["transaction"]["attributes"] = {"due": "2026-03-01"}
    decision = Policy.from_yaml(text).decide_situation(data)
    (alternative,) = decision.alternatives
    assert alternative.changes == {
        "request.attributes.docs": ["box", "receipt"],
        "customer.attributes.score": 3,
        "transaction.attributes.due": "2026-03-20",
    }


def test_check_runs_over_a_list_policy() -> None:
    policy = Policy.from_yaml(
        POLICY.replace(
            "default: {outcome: deny}\n",
            "  - id: never\n    when: ['\"copy\" in request.attributes.docs', "
            "'\"copy\" not in request.attributes.docs']\n    outcome: approve\n"
            "    remedy: refund\ndefault: {outcome: deny}\n",
        )
    )
    found = [(f.code, f.rule_id) for f in check(policy)]
    assert found == [("contradictory-conditions", "never")]
    assert check(Policy.from_yaml(POLICY)) == []  # labels in every spelling: one set


def test_verify_names_attributes_as_fields() -> None:
    policy = Policy.from_yaml(POLICY)
    docs = verify_invariant(policy, "request.attributes.docs")
    assert docs.status == "refuted"
    first, second = docs.counterexample
    assert sorted(docs.outcomes) == ["approve", "deny"]
    assert first.request.attributes.get("docs") != second.request.attributes.get("docs")
    assert verify_invariant(policy, "request.attributes.all_contents").status == "refuted"
    with pytest.raises(InputError) as caught:
        verify_invariant(policy, "request.attributes.nope")
    assert caught.value.code == "bad-property"
    with pytest.raises(InputError) as caught:
        verify_monotone(policy, "request.attributes.docs")
    assert caught.value.code == "bad-property"
    assert "has no order" in caught.value.message


def test_verify_proves_monotone_in_a_declared_number() -> None:
    text = HEAD + (
        "attributes:\n  customer.score: int\nrules:\n  - id: r\n"
        "    when: customer.attributes.score >= 3\n    outcome: approve\n    remedy: refund\n"
        "default: {outcome: deny}\n"
    )
    policy = Policy.from_yaml(text)
    assert verify_monotone(policy, "customer.attributes.score").status == "proved"
    lower = verify_monotone(policy, "customer.attributes.score", increasing=False)
    assert lower.status == "refuted"
    assert lower.outcomes == ("approve", "deny")
    assert verify_invariant(policy, "customer.attributes.score").status == "refuted"
