"""Cases: one customer problem remembered across contacts, and escalated when it drags on.

    >>> from flexpolicy.cases import CaseBook, load_escalations            # doctest: +SKIP
    >>> book = CaseBook()                     # SQLite at .flexpolicy/cases.db  # doctest: +SKIP
    >>> case = book.open(customer_id="C-1", subject="charged twice", at=when,   # doctest: +SKIP
    ...                  by="E-17", channel="phone")
    >>> print(book.story(case.id))                                          # doctest: +SKIP
    >>> book.sweep(as_of, load_escalations("rules/escalations.yaml"))       # doctest: +SKIP

The database is the record: every write is one committed transaction, and time is always
passed in (`at`, `as_of`), never read from the clock, so every story, sweep and figure can be
replayed for any past moment.  Modules starting with `_` are internal.
"""

from __future__ import annotations

from ._book import CaseBook
from ._escalations import EscalationRules, load_escalations
from ._models import Case, CaseStats, Contact, Escalation, Promise, Step

__all__ = [
    "Case",
    "CaseBook",
    "CaseStats",
    "Contact",
    "Escalation",
    "EscalationRules",
    "Promise",
    "Step",
    "load_escalations",
]
