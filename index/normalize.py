"""Arabic text normalisation for matching, in one place.

Used identically at indexing and at query time for anything that compares
words: diacritics and tatweel removed, alef forms, alef maqsura and ta marbuta
folded, Arabic-Indic and Persian digits turned into ASCII digits, Latin letters
lower-cased. It is for matching only: stored text, quotes and offsets keep the
raw characters.
"""

from __future__ import annotations

import re

_DIACRITICS = re.compile("[\u064b-\u0652\u0670\u0640]")  # harakat, dagger alef, tatweel
_FOLD = str.maketrans(
    {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
        "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي",
        **{chr(0x0660 + i): str(i) for i in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + i): str(i) for i in range(10)},  # Persian digits
        "٫": ".", "٬": ",", "،": ",", "؛": ";", "؟": "?",
    }
)  # fmt: skip
# Letters (any script, diacritics already removed) and digit runs with inner separators.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")


def normalize(text: str) -> str:
    """Fold text for matching (see the module docstring)."""
    return _DIACRITICS.sub("", text).translate(_FOLD).lower()


def tokens(text: str) -> list[str]:
    """Normalised word and number tokens of `text`."""
    return _TOKEN.findall(normalize(text))
