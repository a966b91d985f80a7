"""A writer process for the crash tests: appends contacts and prints an ack after each write.

    python tests/case_writer.py URL CASE_ID TAG COUNT [OPEN_EVERY]

An `ack NOTE` line is printed (and flushed) only after `log_contact` returned, i.e. after the
write committed; `open CASE` likewise after `open` returned.  COUNT 0 means forever (until
killed).  With OPEN_EVERY > 0 a new case is opened every OPEN_EVERY writes, so a kill can also
land inside `open`, which must never leave a case without its opening contact.
"""

from __future__ import annotations

import itertools
import sys
from datetime import datetime, timedelta

from flexpolicy.cases import CaseBook

T0 = datetime(2026, 3, 2, 9, 0)


def main(url: str, case_id: str, tag: str, count: int, open_every: int) -> None:
    book = CaseBook(url)
    print("ready", flush=True)
    steps = itertools.count() if count == 0 else range(count)
    for i in steps:
        at = T0 + timedelta(seconds=i)
        if open_every and i % open_every == 0:
            new = book.open(
                customer_id="C-crash",
                subject="crash",
                at=at,
                by="W",
                channel="p",
                case_id=f"{tag}-c{i}",
            )
            print(f"open {new.id}", flush=True)
        note = f"{tag}-{i}"
        book.log_contact(case_id, at=at, channel="phone", by="W", note=note)
        print(f"ack {note}", flush=True)
    book.close()


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[0], args[1], args[2], int(args[3]), int(args[4]) if len(args) > 4 else 0)
