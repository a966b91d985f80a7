"""Reading situation files: `read_situations`.

One situation (YAML or JSON) or many (JSON Lines), numbers read exactly, every
problem an `InputError` that says where without quoting the text (situations
carry personal data).  The reader itself is `_situations`.
"""

from __future__ import annotations

from ._situations.reader import read_situations

__all__ = ["read_situations"]
