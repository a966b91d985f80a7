"""Customer-facing wording: no rule ids or internal scores, no coercion, plain language."""

from __future__ import annotations

import pytest

import flexpolicy
from flexpolicy._analysis.wording import (
    _COERCIVE,
    WordingIssue,
    _syllables,
    check_customer_text,
    ordinary_word,
    reading_grade,
)
from flexpolicy.analysis import check as check_policy

RULE_IDS = ["loyal-store-fault", "past-window", "no_receipt_credit"]
INTERNAL = ["customer tier", "lifetime value", "account flags", "fraud"]
BUREAUCRATIC = (
    "Notwithstanding the aforementioned considerations, reimbursement eligibility "
    "determinations are contingent upon comprehensive documentation verification "
    "procedures administered organizationally."
)


def check(text: str, max_grade: float = 8.0) -> list[WordingIssue]:
    return check_customer_text(
        text, rule_ids=RULE_IDS, internal_terms=INTERNAL, max_grade=max_grade
    )


def codes(text: str) -> list[tuple[str, int]]:
    return [(issue.code, issue.offset) for issue in check(text)]


# --- reading grade -------------------------------------------------------------------


def test_simple_sentence_reads_below_grade_two() -> None:
    assert reading_grade("The cat sat on the mat.") < 2


def test_bureaucratic_sentence_reads_above_grade_twelve() -> None:
    assert reading_grade(BUREAUCRATIC) > 12


def test_grade_follows_the_formula() -> None:
    # 9 words, 2 sentences, 12 syllables ("table" has 2 and "customer" 3, the rest 1).
    text = "The table is big. We thank our kind customer."
    words, sentences, syllables = 9, 2, 12
    expected = 0.39 * words / sentences + 11.8 * syllables / words - 15.59
    assert reading_grade(text) == pytest.approx(expected)


def test_grade_is_clamped_at_zero_and_empty_text_is_zero() -> None:
    assert reading_grade("Go. Go. Go.") == 0.0
    assert reading_grade("") == 0.0
    assert reading_grade("...") == 0.0


def test_decimal_point_does_not_split_sentences() -> None:
    one = reading_grade("We refund 59.99 to your card today")
    assert one == pytest.approx(reading_grade("We refund 59 99 to your card today"))


@pytest.mark.parametrize(
    ("word", "count"),
    [
        ("cat", 1),
        ("store", 1),  # silent e
        ("the", 1),  # never below one
        ("table", 2),  # -le after a consonant
        ("whole", 1),
        ("agree", 2),
        ("customer", 3),
        ("radio", 3),  # hiatus
        ("nation", 2),  # -tion is not a hiatus
        ("charged", 1),
        ("refunded", 3),
        ("can't", 1),
        ("2026", 1),  # a number is one syllable per digit group
        ("rhythm", 1),
    ],
)
def test_syllable_heuristic(word: str, count: int) -> None:
    assert _syllables(word) == count


# --- leaks ---------------------------------------------------------------------------


def test_rule_id_is_a_leak_with_offset() -> None:
    text = "Approved under Loyal-Store-Fault today."
    [issue] = check(text)
    assert issue.code == "customer-text-leak"
    assert issue.offset == text.index("Loyal")
    assert issue.message == "customer text names rule `loyal-store-fault`"
    assert "plain words" in issue.hint


def test_rule_id_with_underscores_is_found() -> None:
    assert codes("See no_receipt_credit.") == [("customer-text-leak", 4)]


@pytest.mark.parametrize(
    "text", ["This is past-windows.", "This is not-past-window.", "This is past_window_2."]
)
def test_rule_id_needs_whole_id_boundaries(text: str) -> None:
    assert check(text) == []


@pytest.mark.parametrize(
    "word",
    [
        "tier",
        "score",
        "scoring",
        "profitability",
        "segment",
        "lifetime value",
        "abusive",
        "fraud",
        "flagged",
        "watch list",
        "watchlist",
        "exceptions granted",
    ],
)
def test_builtin_internal_words_are_leaks(word: str) -> None:
    text = f"Thanks, the {word} is fine."
    issues = check_customer_text(text, rule_ids=[], internal_terms=[])
    assert [(i.code, i.offset) for i in issues] == [("customer-text-leak", text.index(word))]
    assert issues[0].message == f"customer text mentions `{word}`, an internal score"
    assert "as a valued customer" in issues[0].hint


def test_internal_term_phrase_is_reported_once_and_case_insensitively() -> None:
    text = "Your Customer  Tier and account flags say so."
    assert codes(text) == [("customer-text-leak", 5), ("customer-text-leak", 24)]
    assert check(text)[0].message == "customer text mentions `Customer Tier`, an internal score"


def test_internal_words_need_word_boundaries() -> None:
    assert check("Our frontier store scored a segmental win.") == []


def test_score_word_inside_a_rule_id_is_reported_as_the_rule() -> None:
    issues = check_customer_text(
        "See gold-tier-bonus.", rule_ids=["gold-tier-bonus"], internal_terms=[]
    )
    assert [i.message for i in issues] == ["customer text names rule `gold-tier-bonus`"]


def test_placeholders_are_not_checked() -> None:
    text = "As a {customer.tier} member with {loyal-store-fault} you get {fraud_score} back."
    assert check(text) == []


def test_literal_braces_are_text_not_placeholders() -> None:
    text = "Your {{tier}} is shown."
    assert codes(text) == [("customer-text-leak", text.index("tier"))]


# --- coercive wording ----------------------------------------------------------------


@pytest.mark.parametrize("phrase", sorted(_COERCIVE))
def test_each_coercive_phrase_is_found_with_its_offset(phrase: str) -> None:
    text = f"Sorry. {phrase.upper()} do that."
    issues = check_customer_text(text, rule_ids=[], internal_terms=[])
    assert [(i.code, i.offset) for i in issues] == [("coercive-wording", 7)]
    assert issues[0].message == f"customer text reads as coercive: `{phrase.upper()}`"
    assert issues[0].hint == _COERCIVE[phrase]


def test_every_occurrence_is_an_issue() -> None:
    text = "You must sign. Then you must pay."
    assert codes(text) == [("coercive-wording", 0), ("coercive-wording", 20)]


def test_curly_apostrophe_is_caught() -> None:
    text = "Sadly you shouldn\u2019t have opened it."
    [issue] = check(text)
    assert (issue.code, issue.offset) == ("coercive-wording", 6)
    assert issue.message == "customer text reads as coercive: `you shouldn\u2019t have`"
    assert "without blame" in issue.hint


def test_coercive_phrases_tolerate_spacing_and_hyphen_variants() -> None:
    assert codes("It is non negotiable.") == [("coercive-wording", 6)]
    assert codes("You\nmust.") == [("coercive-wording", 0)]


def test_coercive_phrases_need_word_boundaries() -> None:
    assert check("Anyone who knows you mustard is fine; we cannotate nothing.") == []


def test_phrase_is_not_matched_across_a_placeholder() -> None:
    assert check("Thank you {customer.name} must be happy.") == []


# --- readability and the whole check -------------------------------------------------


def test_hard_to_read_is_one_whole_text_issue_last() -> None:
    issues = check("You must wait. " + BUREAUCRATIC)
    assert [i.code for i in issues] == ["coercive-wording", "hard-to-read"]
    hard = issues[-1]
    assert hard.offset == 0
    assert hard.message.startswith("customer text reads at grade ")
    assert hard.message.endswith("; plain language is grade 8 or below")
    assert hard.hint == "use shorter sentences and everyday words"


def test_max_grade_is_configurable() -> None:
    assert check(BUREAUCRATIC, max_grade=99) == []
    issue = check(BUREAUCRATIC, max_grade=10.5)[0]
    assert issue.message.endswith("plain language is grade 10.5 or below")


def test_short_texts_are_never_flagged_for_grade() -> None:
    text = "Comprehensive organizational reimbursement documentation."
    assert reading_grade(text) > 8
    assert check(text) == []


def test_placeholder_counts_as_one_short_word() -> None:
    text = "You bought it {days_since_purchase} days ago, so we will swap it for you."
    plain = "You bought it it days ago, so we will swap it for you."
    assert check(text) == []
    assert reading_grade(plain) < 8


def test_clean_friendly_sentence_has_no_issues() -> None:
    assert check("Because the mistake was ours, we can offer store credit.") == []
    assert check("The mistake was ours, so we're glad to give you store credit for it.") == []


def test_messages_are_one_lowercase_line() -> None:
    text = "You must\nsend it. " + BUREAUCRATIC + " Your Tier and loyal-store-fault."
    issues = check(text)
    assert {i.code for i in issues} == {"coercive-wording", "customer-text-leak", "hard-to-read"}
    for issue in issues:
        assert "\n" not in issue.message
        assert issue.message[0].islower()
        assert issue.hint


# --- rule ids that are ordinary words (issue 16) ------------------------------------------
ORDINARY_IDS = [
    ("refund", "We can offer you a refund today.", True),
    ("exchange", "An exchange is fine.", True),
    ("non-refundable", "Gift cards are non-refundable.", True),
    ("in-store", "Bring it back in-store.", True),
    ("follow-up", "We will send a follow-up.", True),
    ("loyal-store-fault", "Approved under loyal-store-fault.", False),
    ("past-window", "This is past-window.", False),
    ("no_receipt_credit", "See no_receipt_credit.", False),
    ("window30", "See window30.", False),
]


@pytest.mark.parametrize(
    ("rule_id", "text", "ordinary"), ORDINARY_IDS, ids=[r for r, _, _ in ORDINARY_IDS]
)
def test_a_rule_id_that_is_an_ordinary_word_is_no_leak(
    rule_id: str, text: str, ordinary: bool
) -> None:
    assert ordinary_word(rule_id) is ordinary
    found = check_customer_text(text, rule_ids=[rule_id], internal_terms=())
    leaks = [issue.code for issue in found if issue.code == "customer-text-leak"]
    assert leaks == ([] if ordinary else ["customer-text-leak"])


def test_check_passes_plain_text_in_a_policy_whose_rule_is_called_refund() -> None:
    policy = flexpolicy.Policy.from_yaml(
        """
policy: words
version: "1"
applies_to: [return]
roles: [associate]
rules:
  - id: refund
    when: request.item_condition == "unused"
    outcome: approve
    remedy: refund
    explain:
      staff: Unused, so refund it.
      customer: We can give you a refund.
  - id: non-refundable
    when: request.item_condition == "used"
    outcome: deny
    explain:
      staff: Used items are not refunded.
      customer: Used items are non-refundable.
"""
    )
    assert [f.code for f in check_policy(policy)] == []
