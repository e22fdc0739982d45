"""Accent-folded names for patient search: ``fold``, the stored ``search_key`` and the
duplicate check's ``name_key``.

``search_key(family, given)`` is what ``patients.search_key`` holds (revision
0003): every word of the folded family and given names, each preceded by a
space (" ni bhriain siobhan"), so "a word starts with TOKEN" is the plain SQL
``search_key LIKE '% TOKEN%'`` - no regular expression, no per-row Python.
Changing :func:`fold` or the key's shape needs a migration that recomputes the
keys of existing rows.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# Letters that Unicode does not decompose into a base letter plus accents.
_UNDECOMPOSED: Final = {
    "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ħ": "h", "Ħ": "h",
    "ı": "i", "ŧ": "t", "Ŧ": "t", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe",
}  # fmt: skip
# What separates the words of a name.
WORD_SPLIT: Final = re.compile(r"[\s'’.\-]+")


def fold(text: str) -> str:
    """Lower-case, accents removed: 'Conceição' -> 'conceicao', 'Straße' -> 'strasse'."""
    out = [
        _UNDECOMPOSED.get(ch, ch)
        for ch in unicodedata.normalize("NFKD", text)
        if not unicodedata.combining(ch)
    ]
    return "".join(out).casefold()


def name_words(family: str | None, given: str | None) -> list[str]:
    """The folded words of a family and a given name, in that order."""
    return [w for part in (family or "", given or "") for w in WORD_SPLIT.split(fold(part)) if w]


def name_key(name: str | None) -> str:
    """The letters of a name, folded: what the duplicate check compares. Spaces,
    apostrophes, hyphens, commas and any other non-letter typed with the name do not count
    ("O'Brien," "OBrien" and "O`Brien" -> 'obrien'; "Mc Donald" -> 'mcdonald')."""
    return "".join(ch for ch in fold(name or "") if ch.isalpha())


def search_key(family: str | None, given: str | None) -> str:
    """' word word ...': each folded name word preceded by one space ('' for no words)."""
    return "".join(f" {w}" for w in name_words(family, given))
