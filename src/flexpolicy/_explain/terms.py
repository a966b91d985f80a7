"""The sentences a rationale adds for a decision's terms: its fee, a choice of remedies
and what the store promised (DESIGN.md 2.3).

Both voices state the fee and the choice; a promise is stated with its due date,
for staff as the date the case book keeps (`2026-11-27`), for the customer in
words (`27 November 2026`: customer text shows no ISO dates, DESIGN 2.4).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from . import words as w

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def date_words(day: date) -> str:
    """`27 November 2026`: a date as a customer reads it (never the locale of the host)."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def fee_sentence(fee: Decimal | None, outcome: str) -> str:
    """ "A fee of 29.85 applies." (an approval's), or "The fee of 35.00 stays." (a denial's)."""
    if fee is None or fee <= 0:
        return ""
    if outcome == "deny":
        return f"The fee of {w.money(fee)} still applies."
    return f"A fee of {w.money(fee)} applies."


def choice_sentence(remedies: Sequence[str], audience: w.Audience) -> str:
    """ "You may choose a refund or an exchange." when more than one remedy is offered."""
    if len(remedies) < 2:
        return ""
    options = w.either([w.remedy_words(r) for r in remedies])
    who = "You may" if audience == "customer" else "The customer may"
    return f"{who} choose {options}."


def promise_sentences(promises: Sequence[tuple[str, date]], audience: w.Audience) -> str:
    """ "We promise: refund to the original payment, by 27 November 2026."."""
    said = []
    for what, due in promises:
        when = date_words(due) if audience == "customer" else due.isoformat()
        lead = "We promise" if audience == "customer" else "Promised"
        said.append(f"{lead}: {what.strip().rstrip('.')}, by {when}.")
    return " ".join(said)


def with_terms(
    text: str,
    *,
    outcome: str,
    fee: Decimal | None,
    remedies: Sequence[str],
    promises: Sequence[tuple[str, date]],
    audience: w.Audience,
) -> str:
    """`text` (a full sentence) followed by the sentences of the decision's terms."""
    extra = [
        fee_sentence(fee, outcome),
        choice_sentence(remedies, audience) if outcome != "deny" else "",
        promise_sentences(promises, audience) if outcome == "approve" else "",
    ]
    return " ".join([text, *(s for s in extra if s)])
