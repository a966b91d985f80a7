"""One diagnostic type: every stage's problem is a `Problem`, and prints as one.

A load error, a finding, a problem in an expression or a template and a line of a
decision log all give a `Problem`; their printed forms are byte for byte what they
were before they shared it.  An `InputError` keeps its field and suggestion as data.
"""

from __future__ import annotations

import pickle
from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

import flexpolicy
from flexpolicy import InputError, PolicyError, Problem
from flexpolicy._diagnostics.suggest import (
    closest,
    closest_field,
    did_you_mean,
    did_you_mean_field,
)
from flexpolicy._lang.checker import Scope, check_text
from flexpolicy._lang.lexer import ExprError
from flexpolicy.analysis import Finding
from flexpolicy.audit import LogProblem
from flexpolicy.models import Situation, Transaction
from tests.support.paths import RULES


def test_a_problem_prints_as_compilers_do() -> None:
    problem = Problem("unknown-field", "`customer.teir` is not a field", "p.yaml", 7, 20, "hint")
    assert problem.format() == (
        "p.yaml:7:20: error[unknown-field]: `customer.teir` is not a field\n    hint: hint"
    )
    assert problem.severity == problem.level == "error"
    assert problem.related == ()
    ruled = Problem("bad-bends", "bends nothing", rule_id="late", level="warning")
    assert ruled.format() == "<string>:0:0: warning[bad-bends]: bends nothing (rule `late`)"


def test_a_finding_is_a_problem_and_a_counterexample() -> None:
    problem = Problem(
        "shadowed-rule",
        "rule `b` never decides: `a` always matches first",
        "p.yaml",
        3,
        5,
        "move `b` above `a`",
        "b",
        "error",
        ("a",),
    )
    finding = Finding.of(problem)
    assert finding.problem == problem
    assert finding.severity == "error"
    assert finding.related == ("a",)
    # Its message names the rule already: printed without the `(rule ...)` a load error adds.
    assert finding.format() == (
        "p.yaml:3:5: error[shadowed-rule]: rule `b` never decides: `a` always matches first\n"
        "    hint: move `b` above `a`"
    )


def test_a_load_problem_becomes_a_finding_with_its_rule_in_the_message() -> None:
    problem = Problem("unknown-field", "no such field", "p.yaml", 2, 3, None, "r")
    finding = Finding.from_problem(problem)
    assert finding.message == "no such field (rule `r`)"
    assert finding.format() == problem.format()
    assert finding.rule_id == "r"


def test_an_expression_problem_carries_its_problem_unplaced() -> None:
    scope = Scope(params={}, fact_names=frozenset(), fact_type=lambda _name: None)
    checked = check_text("customer.teir >= 3", scope)
    (error,) = checked.problems
    assert isinstance(error, ExprError)
    assert error.problem == Problem("unknown-field", error.message, hint="did you mean `tier`?")
    assert (error.code, error.start) == ("unknown-field", 9)


def test_a_log_problem_prints_as_a_problem_of_its_line() -> None:
    found = LogProblem(4, "unknown-digest", "policy `p` is not among them", decision_id="d1")
    assert found.problem("log.jsonl").format() == (
        "log.jsonl:4:1: error[unknown-digest]: decision `d1`: policy `p` is not among them"
    )
    torn = LogProblem(9, "torn-line", "the last line is not complete JSON", "warning")
    assert torn.problem("log.jsonl").severity == "warning"


def test_a_policy_error_lists_its_problems() -> None:
    with pytest.raises(PolicyError) as caught:
        flexpolicy.Policy.from_yaml("policy: p\n", file="p.yaml")
    assert caught.value.problems
    assert all(isinstance(p, Problem) for p in caught.value.problems)
    assert str(caught.value).splitlines()[1:] == [
        line for p in caught.value.problems for line in p.format().splitlines()
    ]


# -- input errors: the field and the suggestion as data -------------------------------


def test_a_misspelt_key_names_its_field_and_what_was_meant() -> None:
    data = {
        "request": {"id": "R", "kind": "return", "requested_at": "2026-01-02", "skuu": "A"},
        "customer": {"id": "C", "tier": 3},
    }
    policy = flexpolicy.load_policy(RULES / "returns.yaml")
    with pytest.raises(InputError) as caught:
        policy.decide_situation(data)
    error = caught.value
    assert error.field == ("request", "skuu")
    assert error.suggestion == "sku"
    assert error.hint == "did you mean `sku`?"


def test_from_validation_walks_the_model_it_is_given() -> None:
    with pytest.raises(ValidationError) as caught:
        Transaction.model_validate(
            {
                "id": "T",
                "purchased_at": "2026-01-01",
                "items": [{"sku": "A", "unit_price": 1, "unit_prise": 1}],
            }
        )
    error = InputError.from_validation(caught.value, "invalid transaction", model=Transaction)
    assert error.field == ("items", 0, "unit_prise")
    assert error.suggestion == "unit_price"
    assert (
        error.message == "invalid transaction: `items.0.unit_prise` extra inputs are not permitted"
    )
    assert error.code == "invalid-facts"


def test_a_sku_not_on_the_transaction_suggests_the_closest() -> None:
    data = {
        "request": {
            "id": "R",
            "kind": "return",
            "requested_at": date(2026, 1, 2),
            "sku": "LAP-16PRO",
        },
        "customer": {"id": "C", "tier": 3},
        "transaction": {
            "id": "T",
            "purchased_at": date(2026, 1, 1),
            "items": [{"sku": "LAP-16PRO-M4", "unit_price": Decimal("10")}],
        },
    }
    with pytest.raises(InputError) as caught:
        Situation.model_validate(data)
    error = caught.value
    assert (error.code, error.field, error.suggestion) == (
        "contradictory-facts",
        ("request", "sku"),
        "LAP-16PRO-M4",
    )


def test_an_input_error_pickles_with_its_data() -> None:
    error = InputError("`x` is bad", code="invalid-facts", field=("request", "x"), suggestion="y")
    again = pickle.loads(pickle.dumps(error))
    assert (again.message, again.code, again.field, again.suggestion) == (
        "`x` is bad",
        "invalid-facts",
        ("request", "x"),
        "y",
    )
    prefixed = error.prefixed("situation 3: ")
    assert str(prefixed) == "situation 3: `x` is bad"
    assert (prefixed.field, prefixed.suggestion) == (("request", "x"), "y")


# -- suggestions --------------------------------------------------------------------


def test_did_you_mean_names_the_closest_candidate() -> None:
    assert closest("teir", ["tier", "segment"]) == "tier"
    assert closest("TIER", ["tier"]) == "tier"
    assert closest("zzz", ["tier"]) is None
    assert did_you_mean("teir", ["tier"]) == "did you mean `tier`?"
    assert did_you_mean("zzz", ["tier"]) is None


def test_a_field_suggestion_follows_the_model_through_lists_and_options() -> None:
    assert closest_field(Situation, ("transaction", "items", 0, "unit_prise")) == "unit_price"
    assert closest_field(Situation, ("custmer",)) == "customer"
    assert did_you_mean_field(Situation, ("request", "skuu")) == "did you mean `sku`?"
    assert closest_field(Situation, ("customer", "attributes", "x")) is None
    assert closest_field(Situation, ()) is None
