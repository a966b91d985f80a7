"""`flexpolicy case ...`: the case book from the shell.

Every time is given explicitly (`--at`, `--as-of`), never read from the clock, so
a session at the terminal can be replayed exactly.  The database is
`.flexpolicy/cases.db` unless `--db` or `FLEXPOLICY_CASES_DB` names another
(any SQLAlchemy URL, e.g. `postgresql+psycopg://user:pw@127.0.0.1/cases`).
`show`, `sweep` and `stats` print JSON with `--format json` (or `--json`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from ._errors import EXIT_CODES_HELP, fail
from ._options import Format, FormatOption, JsonOption, chosen_format
from ._reading import require
from ._writing import echo, echo_json, stdout_console

if TYPE_CHECKING:
    from ..cases import CaseBook

app = typer.Typer(
    name="case",
    help="Open and follow customer cases; raise escalations; read the measures.",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

Db = Annotated[
    str | None,
    typer.Option("--db", envvar="FLEXPOLICY_CASES_DB", help="database URL (default: SQLite)"),
]
At = Annotated[str, typer.Option("--at", help="when it happened: YYYY-MM-DD or YYYY-MM-DDTHH:MM")]
By = Annotated[str, typer.Option("--by", help="the employee")]


def parse_time(text: str) -> datetime | date:
    """An ISO date or date-time from the command line."""
    try:
        return (
            datetime.fromisoformat(text) if "T" in text or " " in text else date.fromisoformat(text)
        )
    except ValueError:
        fail(
            f"`{text}` is not a date or time",
            code="bad-time",
            hint="write 2026-11-20 or 2026-11-20T14:30",
        )


@contextmanager
def _book(db: str | None) -> Iterator[CaseBook]:
    """The case book, closed afterwards; its errors are told by `cli.main` (exit 2)."""
    from ..cases import CaseBook  # noqa: PLC0415 - SQLAlchemy loads only for `case` commands

    book = CaseBook(db)
    try:
        yield book
    finally:
        book.close()


@app.command("open")
def open_case(  # noqa: PLR0917 - typer maps each parameter to a command-line option
    customer: Annotated[str, typer.Option("--customer", help="the customer id")],
    subject: Annotated[str, typer.Option("--subject", help="the problem, in a few words")],
    at: At,
    by: By,
    channel: Annotated[str, typer.Option(help="phone, email, chat, in_store")] = "phone",
    note: Annotated[str | None, typer.Option(help="what the customer said")] = None,
    case_id: Annotated[str | None, typer.Option("--id", help="an id of your own")] = None,
    db: Db = None,
) -> None:
    """Open a case; prints its id."""
    with _book(db) as book:
        case = book.open(
            customer_id=customer,
            subject=subject,
            at=parse_time(at),
            by=by,
            channel=channel,
            note=note,
            case_id=case_id,
        )
        echo(case.id)


@app.command("log")
def log(  # noqa: PLR0917 - typer maps each parameter to a command-line option
    case_id: Annotated[str, typer.Argument(help="the case")],
    at: At,
    by: By,
    contact: Annotated[
        str | None, typer.Option("--contact", help="a contact, by channel (phone, email...)")
    ] = None,
    note: Annotated[str | None, typer.Option(help="what was said")] = None,
    step: Annotated[str | None, typer.Option(help="a step taken")] = None,
    promise: Annotated[str | None, typer.Option(help="a promise made")] = None,
    due: Annotated[str | None, typer.Option(help="when the promise is due")] = None,
    kept: Annotated[int | None, typer.Option(help="the id of a promise kept")] = None,
    resolve: Annotated[str | None, typer.Option(help="the resolution; closes the case")] = None,
    db: Db = None,
) -> None:
    """Record one event: a contact, a step, a promise, a kept promise or the resolution."""
    chosen = [x for x in (contact, step, promise, kept, resolve) if x is not None]
    if len(chosen) != 1:
        fail(
            "give exactly one of --contact, --step, --promise, --kept, --resolve",
            hint="one `flexpolicy case log` records one event",
        )
    with _book(db) as book:
        when = parse_time(at)
        if contact is not None:
            book.log_contact(case_id, at=when, channel=contact, by=by, note=note)
        elif step is not None:
            book.add_step(case_id, at=when, by=by, action=step)
        elif promise is not None:
            if due is None:
                fail(
                    "a promise needs `--due`",
                    code="bad-promise",
                    hint="give the date it is due: `--due 2026-11-25`",
                )
            made = book.promise(case_id, at=when, by=by, what=promise, due=parse_time(due))
            echo(str(made.id))
        elif kept is not None:
            book.keep_promise(case_id, kept, at=when)
        elif resolve is not None:
            book.resolve(case_id, at=when, by=by, resolution=resolve)


@app.command("show")
def show(
    case_id: Annotated[str, typer.Argument(help="the case")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="the story as of this time")] = None,
    output: FormatOption = None,
    as_json: JsonOption = False,
    db: Db = None,
) -> None:
    """The story so far, for the next employee, and the facts decisions see."""
    chosen = chosen_format(output, as_json)
    with _book(db) as book:
        when = parse_time(as_of) if as_of else None
        case = book.get(case_id)
        story = book.story(case_id, as_of=when)
        facts = book.facts(case_id, when) if when is not None else None
        if chosen is Format.json:
            data = {
                "case": case.model_dump(mode="json"),
                "story": story,
                "facts": facts.model_dump(mode="json") if facts else None,
            }
            echo_json(json.dumps(data, indent=2))
            return
        echo(story)
        if facts is not None:
            shown = ", ".join(f"{k}={v}" for k, v in facts.model_dump().items() if k != "id")
            echo(f"case facts: {shown}")


@app.command("sweep")
def sweep(
    as_of: Annotated[str, typer.Option("--as-of", help="raise what is due at this time")],
    rules: Annotated[Path, typer.Option(help="escalation rules")] = Path("rules/escalations.yaml"),
    output: FormatOption = None,
    as_json: JsonOption = False,
    db: Db = None,
) -> None:
    """Raise the escalations due; each is raised once, ever."""
    chosen = chosen_format(output, as_json)
    from ..cases import load_escalations  # noqa: PLC0415 - SQLAlchemy loads only for `case`

    escalations = load_escalations(require(rules, "an escalations file", stdin=False))
    with _book(db) as book:
        raised = book.sweep(parse_time(as_of), escalations)
        if chosen is Format.json:
            echo_json(json.dumps([e.model_dump(mode="json") for e in raised], indent=2))
            return
        if not raised:
            echo("no escalations due")
            return
        table = Table(title=f"{len(raised)} escalation(s) raised")
        for column in ("case", "rule", "to", "action", "why"):
            table.add_column(column)
        for e in raised:
            table.add_row(e.case_id, e.rule_id, e.escalate_to, e.action, e.staff)
        stdout_console(120).print(table)


@app.command("stats")
def stats(
    as_of: Annotated[str, typer.Option("--as-of", help="measure as of this time")],
    output: FormatOption = None,
    as_json: JsonOption = False,
    db: Db = None,
) -> None:
    """Turnaround, repeat contacts, first-contact resolution, promises kept on time."""
    chosen = chosen_format(output, as_json)
    with _book(db) as book:
        measures = book.stats(parse_time(as_of))
        if chosen is Format.json:
            echo_json(measures.model_dump_json(indent=2))
            return
        table = Table(title="case measures")
        table.add_column("measure")
        table.add_column("value", justify="right")
        for name, value in measures.model_dump().items():
            table.add_row(name.replace("_", " "), "-" if value is None else str(value))
        stdout_console(120).print(table)


__all__ = ["app", "parse_time"]
