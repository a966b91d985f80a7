"""Reading situation files: `read_situations`.

One situation (YAML or JSON) or many (JSON Lines).  Situation files are data from
outside, so problems are `InputError`s that name the file and where in it: the
line (and column) for YAML, for JSON Lines and for JSON syntax.  Numbers with a
decimal point are read as exact `Decimal`s (`129.00` is 129.00, never the float
129.0), in YAML as in JSON.

Situations carry personal data (names, emails, notes), so an error never quotes
the text of a situation file: a syntax error gives the line and column, a bad
value the field's path.  A key written twice in one mapping is refused
(`duplicate-key`), as policy files refuse it: YAML and JSON would silently keep
the last one.  The parsing itself is `_situations`'.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import yaml

from ._situations.json_text import load_json
from ._situations.reader import parse_line, validate
from ._situations.where import MAX_SITUATION_BYTES
from ._situations.yaml_text import line_of, load_yaml, locator
from .errors import InputError
from .models import Situation

__all__ = ["read_situations"]


def read_situations(path: str | Path) -> Iterator[Situation]:
    """Yield the situations in a `.yaml`/`.yml`/`.json` or `.jsonl` file.

    Raises `InputError`: `bad-file` (unreadable, too large, not UTF-8, not YAML or
    JSON, nested too deeply), `duplicate-key`, and the codes of the facts
    (`invalid-facts`, `contradictory-facts`, `ambiguous-item`), each message
    starting with where: `file:line:column`, `file:line` or `file[i]`.
    """
    file = Path(path)
    if file.suffix == ".jsonl":
        yield from _read_lines(file)
        return
    try:
        if file.stat().st_size > MAX_SITUATION_BYTES:
            raise InputError(f"{file}: larger than {MAX_SITUATION_BYTES:,} bytes", code="bad-file")
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise _unreadable(file, exc) from None
    except UnicodeDecodeError:
        raise InputError(f"{file}: not UTF-8 text", code="bad-file") from None
    if file.suffix == ".json":
        data = load_json(text, str(file))
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield validate(item, f"{file}[{i}]")
        else:
            yield validate(data, str(file))
        return
    data, node = load_yaml(text, file)
    if isinstance(data, list) and isinstance(node, yaml.SequenceNode):
        for item, item_node in zip(data, node.value, strict=True):
            yield validate(item, f"{file}:{line_of(item_node, ())}", locator(file, item_node))
    else:
        yield validate(data, str(file), None if node is None else locator(file, node))


def _unreadable(file: Path, exc: OSError) -> InputError:
    return InputError(f"cannot read `{file}`: {exc.strerror or exc}", code="bad-file")


def _read_lines(file: Path) -> Iterator[Situation]:
    """The situations of a JSON Lines file, each error naming its line."""
    try:
        handle = file.open("rb")
    except OSError as exc:
        raise _unreadable(file, exc) from None
    with handle:
        number = 0
        while True:
            try:
                raw = handle.readline(MAX_SITUATION_BYTES + 1)
            except OSError as exc:
                raise _unreadable(file, exc) from None
            if not raw:
                return
            number += 1
            if len(raw) > MAX_SITUATION_BYTES:
                raise InputError(
                    f"{file}:{number}: a line longer than {MAX_SITUATION_BYTES:,} bytes",
                    code="bad-file",
                    hint="a JSON Lines file holds one situation per line",
                )
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise InputError(f"{file}:{number}: not UTF-8 text", code="bad-file") from None
            yield parse_line(line, f"{file}:{number}")
