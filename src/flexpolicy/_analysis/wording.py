"""Wording checks for the sentences a customer reads: no leaks, no coercion, plain language.

Policy authors write rationale templates such as "Because the mistake was ours, we can offer
store credit."  The engine guarantees the *decision*; these checks look after the *words*.
A customer should never see a rule id or an internal score ("tier", "fraud"), should not be
ordered about or blamed ("you must", "you failed to"), and should be able to read the text
at a glance (Flesch-Kincaid grade 8 or below).  The checks are heuristics meant to help an
author, so each issue carries a concrete rewrite hint rather than a verdict.

Placeholders (`{customer.tier}`) are left alone here - the template checker owns them - and
`{{` / `}}` are literal braces, as in `flexpolicy._build.templates`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["WordingIssue", "check_customer_text", "reading_grade"]


@dataclass(frozen=True, slots=True)
class WordingIssue:
    """One problem in a customer-facing text, with where it starts and how to fix it."""

    code: str  # "customer-text-leak" | "coercive-wording" | "hard-to-read"
    message: str  # one lowercase line, user text quoted in backticks
    hint: str  # a concrete rewrite suggestion
    offset: int  # character offset into the text (0 for whole-text issues)


# Internal-score words that should never reach a customer, whatever the policy calls them.
_INTERNAL_WORDS = (
    *("tier", "score", "scoring", "profitability", "segment", "lifetime value", "abusive"),
    *("fraud", "flagged", "watch list", "watchlist", "exceptions granted"),
)

_PLEASE = 'ask instead of ordering: "please ..."'
_CITE = "give the reason in plain words instead of citing policy"
_CAN_DO = 'say what the customer can do instead ("what we can do is ...")'
_NOT_ABLE = 'say "we\'re not able to ..." and follow with what the customer can do'
_BLAME = 'describe what happened without blame ("the receipt wasn\'t with the return")'

# Coercive phrase -> rewrite hint.  Matched case-insensitively on word boundaries.
_COERCIVE: dict[str, str] = {
    phrase: hint
    for hint, phrases in (
        (_PLEASE, ("you must", "you have to", "you are required to")),
        (_CITE, ("required by policy", "policy states", "policy says", "per policy")),
        (_CITE, ("as per our policy",)),
        (_CAN_DO, ("not allowed", "not permitted", "prohibited", "under no circumstances")),
        (_CAN_DO, ("no exceptions", "non-negotiable")),
        (_NOT_ABLE, ("denied",)),
        (_BLAME, ("you failed to", "you should have", "you shouldn't have", "you should not have")),
    )
    for phrase in phrases
}

_WORD = re.compile(r"[^\W_](?:[^\W_]|')*")  # letters/digits, with inner apostrophes
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")  # so "59.99" is not two sentences
_VOWEL_GROUP = re.compile(r"[aeiouy]+")
# "ia"/"io" read as two syllables (ra-di-o, vi-a), except in -tion, -sion, -cial, -gion, ...
_HIATUS = re.compile(r"(?<![cgstx])i[ao]")
_MASK = "#"  # not a word char and not a space: phrases never match across a placeholder


def _mask_placeholders(text: str, fill: str | None = None) -> str:
    """Blank out `{...}` placeholders, keeping offsets unless `fill` replaces each one.

    With `fill=None` each placeholder character becomes `_MASK` and `{{`/`}}` stay as two
    characters, so offsets into the result are offsets into `text`.  With a `fill` word,
    each placeholder becomes that word and `{{`/`}}` become single braces (for reading).
    An unclosed `{` is taken literally; the template checker reports it.
    """
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        pair = text[i : i + 2]
        if pair in ("{{", "}}"):
            out.append(pair if fill is None else pair[0])
            i += 2
            continue
        end = text.find("}", i + 1) if text[i] == "{" else -1
        if end == -1:
            out.append(text[i])
            i += 1
            continue
        out.append(_MASK * (end + 1 - i) if fill is None else f" {fill} ")
        i = end + 1
    return "".join(out)


def _syllables(word: str) -> int:
    """Estimate the syllables of one word; good enough for a grade level, not for poetry.

    Count groups of vowels (`aeiouy`), drop a silent final "e" ("store") but keep "-le"
    after a consonant ("table") and "-ee" ("agree"), likewise a silent "-ed" ("charged",
    but not "refunded" or "agreed"), add one for a simple "ia"/"io" hiatus
    ("radio", "via"), and never go below one.  A number counts as one syllable per group of
    digits, which keeps "59" and "2026" short as they are in speech.
    """
    w = word.lower().replace("'", "")
    if any(ch.isdigit() for ch in w):
        return max(1, len(re.findall(r"\d+", w)))
    count = len(_VOWEL_GROUP.findall(w))
    consonant_le = w.endswith("le") and len(w) > 2 and w[-3] not in "aeiouy"
    if count > 1 and w.endswith("e") and not (consonant_le or w.endswith("ee")):
        count -= 1
    elif count > 1 and w.endswith("ed") and w[-3] not in "aeioudt":
        count -= 1  # "charged", "used"; but "refunded", "agreed" keep the syllable
    count += len(_HIATUS.findall(w))
    return max(1, count)


def _words(text: str) -> list[str]:
    """The words of `text`: runs of letters and digits, with apostrophes inside."""
    return _WORD.findall(text.replace("\u2019", "'"))


def _sentence_count(text: str) -> int:
    """Sentences end at `.`, `!` or `?` followed by a space or the end; at least one."""
    pieces = _SENTENCE_END.split(text)
    return max(1, sum(1 for piece in pieces if _WORD.search(piece)))


def reading_grade(text: str) -> float:
    """Flesch-Kincaid grade level of `text`, clamped at 0.

    0.39 * words/sentences + 11.8 * syllables/words - 15.59, with the word, sentence and
    syllable counts of `_words`, `_sentence_count` and `_syllables`.
    """
    words = _words(text)
    if not words:
        return 0.0
    syllables = sum(_syllables(word) for word in words)
    grade = 0.39 * len(words) / _sentence_count(text) + 11.8 * syllables / len(words) - 15.59
    return max(0.0, grade)


def _phrase_pattern(
    phrases: Iterable[str], boundary: str, *, plural: bool = False, loose_hyphen: bool = False
) -> tuple[re.Pattern[str], list[str]] | None:
    """One case-insensitive alternation over `phrases`, and the phrases in its order.

    Alternative `i` is the named group `p{i}`, so `phrases[int(m.lastgroup[1:])]` is the
    phrase a match came from.  Longest phrases go first, so "as per our policy" wins over a
    shorter phrase at the same place.  Spaces match any run of whitespace; with
    `loose_hyphen` a hyphen also matches a space or nothing ("non negotiable").  A match
    must not touch a character of the class `boundary`; `plural` allows a trailing "s".
    """
    by_folded = {p.strip().lower(): p.strip() for p in phrases if p.strip()}
    unique = sorted(by_folded.values(), key=lambda p: (-len(p), p))
    if not unique:
        return None
    alternatives = []
    for i, phrase in enumerate(unique):
        body = r"\s+".join(re.escape(word) for word in phrase.split())
        if loose_hyphen:
            body = body.replace(r"\-", r"[-\s]?")
        alternatives.append(f"(?P<p{i}>{body})")
    suffix = "s?" if plural else ""
    pattern = rf"(?<!{boundary})(?:{'|'.join(alternatives)}){suffix}(?!{boundary})"
    return re.compile(pattern, re.IGNORECASE), unique


def _matches(
    scan: str, compiled: tuple[re.Pattern[str], list[str]] | None
) -> list[tuple[int, int, str]]:
    """`(start, end, phrase)` for each non-overlapping match in `scan`."""
    if compiled is None:
        return []
    pattern, phrases = compiled
    return [
        (m.start(), m.end(), phrases[int(str(m.lastgroup)[1:])]) for m in pattern.finditer(scan)
    ]


def _quote(fragment: str) -> str:
    """User text for a one-line message: whitespace collapsed, in backticks."""
    return "`" + " ".join(fragment.split()) + "`"


# The short words that join an ordinary English compound with a hyphen: `non-refundable`,
# `in-store`, `self-service`, `follow-up`, `add-on`, `drop-off`.
_COMPOUND_PARTS = frozenset({
    "non", "self", "re", "pre", "co", "anti", "post", "multi", "semi", "well", "ex",
    "in", "out", "over", "under", "sub", "cross", "all", "half", "full", "up", "off",
    "on", "back", "down", "free", "long", "short", "one", "two",
})  # fmt: skip


def ordinary_word(rule_id: str) -> bool:
    """Whether a rule id reads as an ordinary word in a sentence, so naming it is no leak.

    `refund`, `exchange` and `non-refundable` are words a customer reads every day; a
    sentence that says them says nothing internal.  An id of several words joined by
    hyphens or underscores (`loyal-store-fault`, `no_receipt_credit`), or with digits,
    is a name only the policy uses.
    """
    if not rule_id.isascii() or any(ch.isdigit() or ch == "_" for ch in rule_id):
        return False
    parts = rule_id.lower().split("-")
    if len(parts) == 1:
        return True
    return len(parts) == 2 and all(parts) and bool(_COMPOUND_PARTS.intersection(parts))


def check_customer_text(
    text: str,
    *,
    rule_ids: Iterable[str],
    internal_terms: Iterable[str],
    max_grade: float = 8.0,
) -> list[WordingIssue]:
    """Every wording problem in one customer-facing text, leaks and coercion by offset first.

    `rule_ids` are the policy's rule ids (matched as whole ids, `-` and `_` included; an
    id that is an ordinary word, `refund` or `non-refundable`, is no leak: `ordinary_word`);
    `internal_terms` are extra phrases the store keeps internal, checked along with a
    built-in list of internal-score words (a trailing plural "s" is allowed).  Words inside
    `{...}` placeholders are not checked.  The readability issue, if any, comes last.
    """
    # Same length as `text`, so every match offset is an offset into the original.
    scan = _mask_placeholders(text).replace("\u2019", "'").replace("\u2018", "'")
    found: list[WordingIssue] = []

    named = [rule_id for rule_id in rule_ids if not ordinary_word(rule_id)]
    for start, end, rule_id in _matches(scan, _phrase_pattern(named, r"[\w-]")):
        found.append(
            WordingIssue(
                "customer-text-leak",
                f"customer text names rule {_quote(rule_id)}",
                "customers should not see rule ids; say what the rule means in plain words",
                start,
            )
        )
        # Hide the id so a score word inside it ("gold-tier-bonus") is not reported again.
        scan = scan[:start] + _MASK * (end - start) + scan[end:]

    terms = _phrase_pattern([*internal_terms, *_INTERNAL_WORDS], r"\w", plural=True)
    for start, end, _term in _matches(scan, terms):
        found.append(
            WordingIssue(
                "customer-text-leak",
                f"customer text mentions {_quote(text[start:end])}, an internal score",
                'say what it means for the customer ("as a valued customer") instead',
                start,
            )
        )

    coercive = _phrase_pattern(_COERCIVE, r"\w", loose_hyphen=True)
    for start, end, phrase in _matches(scan, coercive):
        found.append(
            WordingIssue(
                "coercive-wording",
                f"customer text reads as coercive: {_quote(text[start:end])}",
                _COERCIVE[phrase],
                start,
            )
        )

    found.sort(key=lambda issue: issue.offset)
    readable = _mask_placeholders(text, fill="it")
    if len(_words(readable)) >= 8:
        grade = round(reading_grade(readable), 1)  # the message shows one decimal
        if grade > max_grade:
            found.append(
                WordingIssue(
                    "hard-to-read",
                    f"customer text reads at grade {grade:.1f}; "
                    f"plain language is grade {max_grade:g} or below",
                    "use shorter sentences and everyday words",
                    0,
                )
            )
    return found
