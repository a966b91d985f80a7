"""Reading situation files: one situation (YAML or JSON) or many (JSON Lines).

Situation files are data from outside, so problems are `InputError`s that name
the file and, for JSON Lines, the line.  YAML numbers with a decimal point are
read as exact `Decimal`s (`129.00` is 129.00, never the float 129.0), and JSON
numbers likewise.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from pydantic import ValidationError

from .errors import InputError
from .models import Situation

__all__ = ["read_situations"]

MAX_SITUATION_BYTES = 5_000_000


class _ExactLoader(yaml.SafeLoader):
    """A safe loader whose floats are exact decimals."""


def _exact_float(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")  # type: ignore[arg-type]  # scalar node
    try:
        return Decimal(text)
    except InvalidOperation:
        raise yaml.constructor.ConstructorError(
            None, None, f"`{text}` is not a finite number", node.start_mark
        ) from None


_ExactLoader.add_constructor("tag:yaml.org,2002:float", _exact_float)


def _validate(data: object, where: str) -> Situation:
    try:
        return Situation.model_validate(data)
    except ValidationError as exc:
        raise InputError.from_validation(exc, where) from None


def read_situations(path: str | Path) -> Iterator[Situation]:
    """Yield the situations in a `.yaml`/`.yml`/`.json` or `.jsonl` file."""
    file = Path(path)
    try:
        if file.suffix == ".jsonl":
            with file.open("r", encoding="utf-8") as handle:
                for number, line in enumerate(handle, start=1):
                    if not line.strip():
                        continue
                    where = f"{file}:{number}"
                    try:
                        data = json.loads(line, parse_float=Decimal)
                    except json.JSONDecodeError as exc:
                        raise InputError(
                            f"{where}: not JSON ({exc.msg})", code="bad-file"
                        ) from None
                    yield _validate(data, where)
            return
        if file.stat().st_size > MAX_SITUATION_BYTES:
            raise InputError(f"{file}: larger than {MAX_SITUATION_BYTES:,} bytes", code="bad-file")
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read `{file}`: {exc.strerror or exc}", code="bad-file") from None
    except UnicodeDecodeError:
        raise InputError(f"{file}: not UTF-8 text", code="bad-file") from None
    try:
        if file.suffix == ".json":
            data = json.loads(text, parse_float=Decimal)
        else:
            data = yaml.load(text, Loader=_ExactLoader)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"{file}: cannot parse: {exc}", code="bad-file") from None
    if isinstance(data, list):
        for i, item in enumerate(data):
            yield _validate(item, f"{file}[{i}]")
    else:
        yield _validate(data, str(file))
