"""Label facts: text that names a category, compared after normalisation.

A label (`customer.flags`, `customer.segment`, `request.kind`, `request.reason`,
`item.category`, `transaction.channel`, ...) is compared as a name, not as the
exact characters a till sent: `Abusive `, `ABUSIVE`, `abusive` and `abusive`
spelt with a Cyrillic a (U+0430) are one flag, so a guard `"abusive" in customer.flags`
cannot be slipped past by case, stray spaces, compatibility forms or a
look-alike letter.  The facts are normalised when a model is built, and the
policy checker normalises every string literal it compares with a label field
the same way (`normalise_label` is the one definition both use).

`normalise_label`, in order:

1. NFKC (full-width letters and ligatures become plain letters);
2. default-ignorable characters (zero-width spaces and joiners, soft hyphens,
   bidirectional controls, variation selectors) are removed;
3. in a label that mixes Latin letters with Cyrillic or Greek ones, the Cyrillic
   and Greek look-alikes of Latin letters (`_LOOKALIKES`) become those letters;
   a label wholly in another script (`москва`, `κρήτη`) is left alone;
4. case folding (`str.casefold`, then NFKC again), and step 3 once more for the
   lower-case forms folding produced;
5. surrounding whitespace is trimmed.

The result is stable: normalising a normalised label changes nothing, so a
situation dumped and read again holds the same labels.  ASCII text (nearly
every label a till sends) takes a fast path: trimmed and lower-cased, which is
what the five steps do to it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import PydanticKnownError, core_schema

from ..errors import EXACT_BRANCH, FAST_BRANCH

__all__ = ["LabelChoice", "LabelText", "is_label", "normalise_label"]

# Cyrillic and Greek letters that look like a Latin letter, from Unicode's
# confusables data (UTS #39 `confusables.txt`, single Latin-letter prototypes),
# plus the lower-case forms of the capitals (labels are compared case-folded, so
# a capital and its small letter must both be caught).  Capital iotas map to `I` (the data's `l`
# prototype is for skeletons that merge `I` and `l`; a reader sees an I).
_LOOKALIKE_LETTERS = {
    "\N{CYRILLIC CAPITAL LETTER A}": "A",
    "\N{CYRILLIC CAPITAL LETTER VE}": "B",
    "\N{CYRILLIC CAPITAL LETTER IE}": "E",
    "\N{CYRILLIC CAPITAL LETTER DZE}": "S",
    "\N{CYRILLIC CAPITAL LETTER BYELORUSSIAN-UKRAINIAN I}": "I",
    "\N{CYRILLIC CAPITAL LETTER JE}": "J",
    "\N{CYRILLIC CAPITAL LETTER KA}": "K",
    "\N{CYRILLIC CAPITAL LETTER EM}": "M",
    "\N{CYRILLIC CAPITAL LETTER EN}": "H",
    "\N{CYRILLIC CAPITAL LETTER O}": "O",
    "\N{CYRILLIC CAPITAL LETTER ER}": "P",
    "\N{CYRILLIC CAPITAL LETTER ES}": "C",
    "\N{CYRILLIC CAPITAL LETTER TE}": "T",
    "\N{CYRILLIC CAPITAL LETTER U}": "Y",
    "\N{CYRILLIC CAPITAL LETTER HA}": "X",
    "\N{CYRILLIC CAPITAL LETTER SOFT SIGN}": "B",
    "\N{CYRILLIC LETTER PALOCHKA}": "I",
    "\N{CYRILLIC CAPITAL LETTER IZHITSA}": "V",
    "\N{CYRILLIC CAPITAL LETTER STRAIGHT U}": "Y",
    "\N{CYRILLIC CAPITAL LETTER KOMI SJE}": "G",
    "\N{CYRILLIC CAPITAL LETTER WE}": "W",
    "\N{CYRILLIC SMALL LETTER A}": "a",
    "\N{CYRILLIC SMALL LETTER VE}": "b",
    "\N{CYRILLIC SMALL LETTER IE}": "e",
    "\N{CYRILLIC SMALL LETTER DZE}": "s",
    "\N{CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I}": "i",
    "\N{CYRILLIC SMALL LETTER JE}": "j",
    "\N{CYRILLIC SMALL LETTER KA}": "k",
    "\N{CYRILLIC SMALL LETTER EM}": "m",
    "\N{CYRILLIC SMALL LETTER EN}": "h",
    "\N{CYRILLIC SMALL LETTER O}": "o",
    "\N{CYRILLIC SMALL LETTER ER}": "p",
    "\N{CYRILLIC SMALL LETTER ES}": "c",
    "\N{CYRILLIC SMALL LETTER TE}": "t",
    "\N{CYRILLIC SMALL LETTER U}": "y",
    "\N{CYRILLIC SMALL LETTER HA}": "x",
    "\N{CYRILLIC SMALL LETTER SOFT SIGN}": "b",
    "\N{CYRILLIC SMALL LETTER PALOCHKA}": "i",
    "\N{CYRILLIC SMALL LETTER IZHITSA}": "v",
    "\N{CYRILLIC SMALL LETTER STRAIGHT U}": "y",
    "\N{CYRILLIC SMALL LETTER GHE}": "r",
    "\N{CYRILLIC SMALL LETTER KOMI DE}": "d",
    "\N{CYRILLIC SMALL LETTER QA}": "q",
    "\N{CYRILLIC SMALL LETTER WE}": "w",
    "\N{CYRILLIC SMALL LETTER OMEGA}": "w",
    "\N{CYRILLIC SMALL LETTER SHHA}": "h",
    "\N{CYRILLIC SMALL LETTER ABKHASIAN CHE}": "e",
    "\N{GREEK CAPITAL LETTER ALPHA}": "A",
    "\N{GREEK CAPITAL LETTER BETA}": "B",
    "\N{GREEK CAPITAL LETTER EPSILON}": "E",
    "\N{GREEK CAPITAL LETTER ZETA}": "Z",
    "\N{GREEK CAPITAL LETTER ETA}": "H",
    "\N{GREEK CAPITAL LETTER IOTA}": "I",
    "\N{GREEK CAPITAL LETTER KAPPA}": "K",
    "\N{GREEK CAPITAL LETTER MU}": "M",
    "\N{GREEK CAPITAL LETTER NU}": "N",
    "\N{GREEK CAPITAL LETTER OMICRON}": "O",
    "\N{GREEK CAPITAL LETTER RHO}": "P",
    "\N{GREEK CAPITAL LETTER TAU}": "T",
    "\N{GREEK CAPITAL LETTER UPSILON}": "Y",
    "\N{GREEK CAPITAL LETTER CHI}": "X",
    "\N{GREEK LETTER DIGAMMA}": "F",
    "\N{GREEK CAPITAL LETTER SAN}": "M",
    "\N{GREEK CAPITAL LUNATE SIGMA SYMBOL}": "C",
    "\N{GREEK CAPITAL LETTER YOT}": "J",
    "\N{GREEK SMALL LETTER ALPHA}": "a",
    "\N{GREEK SMALL LETTER BETA}": "b",
    "\N{GREEK SMALL LETTER EPSILON}": "e",
    "\N{GREEK SMALL LETTER ZETA}": "z",
    "\N{GREEK SMALL LETTER IOTA}": "i",
    "\N{GREEK SMALL LETTER KAPPA}": "k",
    "\N{GREEK SMALL LETTER OMICRON}": "o",
    "\N{GREEK SMALL LETTER RHO}": "p",
    "\N{GREEK SMALL LETTER TAU}": "t",
    "\N{GREEK SMALL LETTER UPSILON}": "u",
    "\N{GREEK SMALL LETTER CHI}": "x",
    "\N{GREEK SMALL LETTER NU}": "v",
    "\N{GREEK SMALL LETTER GAMMA}": "y",
    "\N{GREEK SMALL LETTER SIGMA}": "o",
    "\N{GREEK LUNATE SIGMA SYMBOL}": "c",
    "\N{GREEK LETTER YOT}": "j",
    "\N{GREEK RHO SYMBOL}": "p",
}
_LOOKALIKES: dict[int, str] = {ord(k): v for k, v in _LOOKALIKE_LETTERS.items()}

# Variation selectors and the combining grapheme joiner are default-ignorable
# but not format characters (`Cf`), which are removed by category.
_IGNORABLE_MARKS = frozenset(
    [0x034F, *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0), 0x180B, 0x180C, 0x180D, 0x180F]
)


# Unicode's White_Space, which pydantic's `strip_whitespace` trims (`str.strip`
# would also trim the separators U+001C to U+001F), first the ASCII part.
_ASCII_SPACE = " \t\n\r\x0b\x0c"
_WHITE_SPACE = (
    _ASCII_SPACE
    + "\x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
)


def normalise_label(text: str) -> str:
    """The form a label is compared in (see the module docstring)."""
    if text.isascii():
        return text.strip(_ASCII_SPACE).lower()
    return _normalise_unicode(text)


def _normalise_unicode(text: str) -> str:
    value = unicodedata.normalize("NFKC", text)
    value = "".join(
        ch for ch in value if unicodedata.category(ch) != "Cf" and ord(ch) not in _IGNORABLE_MARKS
    )
    mixed = _mixes_latin_with_lookalikes(value)
    if mixed:
        value = value.translate(_LOOKALIKES)
    value = unicodedata.normalize("NFKC", value.casefold())
    # Folding can make a look-alike (A + U+0345 folds to a + Greek iota): ask again.
    if mixed or _mixes_latin_with_lookalikes(value):
        value = value.translate(_LOOKALIKES)
    return value.strip(_WHITE_SPACE)


def _mixes_latin_with_lookalikes(text: str) -> bool:
    """Whether `text` holds a Latin letter and a Cyrillic or Greek look-alike of one."""
    if not any(ord(ch) in _LOOKALIKES for ch in text):
        return False
    return any(ch.isalpha() and (ch.isascii() or _is_latin(ch)) for ch in text)


def _is_latin(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("LATIN ")


class LabelText:
    """`Annotated` marker: text compared as a label (normalised, then bounded).

    A label is `str` only (bytes are not text) of at most `max_length`
    characters, as given and once normalised (NFKC may lengthen it), and not
    blank; `pattern`, when given, is checked on the normalised label, so `Return`
    is the kind `return`.

    Two branches, tried in order: pydantic's own string checks for ASCII text
    (trimmed and lower-cased without calling Python: nearly every label), then
    `normalise_label` in Python for the rest.  When both refuse a value each says
    why; `InputError.from_validation` reports the exact branch's complaint alone.
    """

    __slots__ = ("max_length", "pattern")

    def __init__(self, max_length: int = 200, *, pattern: str | None = None) -> None:
        self.max_length = max_length
        self.pattern = pattern

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        anchored = None if self.pattern is None else f"^(?:{self.pattern})$"
        fast = core_schema.str_schema(
            strict=True,
            ascii_only=True,
            strip_whitespace=True,
            to_lower=True,
            min_length=1,
            max_length=self.max_length,
            pattern=anchored,
        )
        exact = core_schema.no_info_plain_validator_function(
            _validator(self.max_length, anchored),
            json_schema_input_schema=core_schema.str_schema(max_length=self.max_length),
        )
        return core_schema.union_schema(
            [(fast, FAST_BRANCH), (exact, EXACT_BRANCH)], mode="left_to_right"
        )


def _validator(max_length: int, pattern: str | None) -> Callable[[Any], str]:
    matches = re.compile(pattern).match if pattern is not None else None

    def validate(value: Any) -> str:
        if not isinstance(value, str):
            raise PydanticKnownError("string_type")
        too_long = PydanticKnownError("string_too_long", {"max_length": max_length})
        if len(value) > max_length:
            raise too_long  # before normalising: the work stays bounded
        label = normalise_label(value)
        if len(label) > max_length:
            raise too_long
        if not label:
            raise PydanticKnownError("string_too_short", {"min_length": 1})
        if matches is not None and matches(label) is None:
            raise PydanticKnownError("string_pattern_mismatch", {"pattern": pattern})
        return label

    return validate


class LabelChoice:
    """`Annotated` marker for a `Literal` of labels (the item conditions).

    The value is normalised before the `Literal` checks it, so `Unused ` is
    `unused` while `unusd` is still refused; the field keeps its `Literal` type,
    which the policy checker reads as the closed set of values.  As for
    `LabelText`, an exact value is matched without calling Python.
    """

    __slots__ = ()

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        inner = handler(source)
        exact = core_schema.no_info_before_validator_function(_normalise_choice, inner)
        return core_schema.union_schema(
            [(inner, FAST_BRANCH), (exact, EXACT_BRANCH)], mode="left_to_right"
        )


def _normalise_choice(value: Any) -> Any:
    if type(value) is not str or len(value) > _MAX_CHOICE:
        return value  # the `Literal` refuses it in its own words
    return normalise_label(value)


_MAX_CHOICE = 200


def is_label(annotation: Any, metadata: Any = ()) -> bool:
    """Whether a model field's annotation (or its metadata) makes it a label.

    True for `Label`, `Label | None` and `frozenset[Label]`: the policy checker
    normalises literals compared with such a field.
    """
    markers = (LabelText, LabelChoice)
    if any(isinstance(m, markers) for m in (*metadata, *getattr(annotation, "__metadata__", ()))):
        return True
    return any(is_label(arg) for arg in getattr(annotation, "__args__", ()))
