"""Arabic text normalisation for matching, in one place.

Used identically at indexing and at query time for anything that compares
words (the lexical index, near-duplicate detection, the fake test embedder):
diacritics (harakat, dagger alef, Quranic marks) and tatweel removed, zero-width
and direction marks dropped, alef forms, alef maqsura and ta marbuta folded,
Arabic-Indic and Persian digits turned into ASCII digits, Arabic punctuation
mapped to its Latin form, a press decimal written with ر ("7ر11") read as the
decimal it is ("11.7"), Latin letters lower-cased. It is for matching only:
stored text, quotes and offsets keep the raw characters.

It does not stem or drop stop words: that is the lexical analyser's job
(`index.lexical`), which builds on `tokens`.
"""

from __future__ import annotations

import hashlib
import re

# Harakat and other combining marks U+064B-U+065F, dagger alef U+0670, Quranic annotation
# marks U+06D6-U+06ED, tatweel U+0640; zero-width and bidi controls (invisible, but split words).
_DROP = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_FOLD = str.maketrans(
    {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
        "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي",
        "ک": "ك", "ی": "ي", "ھ": "ه",  # Persian/Urdu letter forms seen in Arabic web text
        **{chr(0x0660 + i): str(i) for i in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + i): str(i) for i in range(10)},  # Persian digits
        "٫": ".", "٬": ",", "،": ",", "؛": ";", "؟": "?", "٪": "%", "«": '"', "»": '"',
    }
)  # fmt: skip
# Letters (any script, marks already removed) and digit runs with inner separators.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")


# Saudi press writes a decimal with ر between its parts, the fraction first ("7ر11" is 11.7, "88ر0 درجة" 0.88,
# "83ر51 دولار للبرميل" 51.83): folded to the decimal it is, so "11.7" in a question or an English answer matches it.
_RA_DECIMAL = re.compile(r"(?<![\d.,/])(\d+)ر(\d+)(?![\d.,/])")


def normalize(text: str) -> str:
    """Fold text for matching (see the module docstring)."""
    return _RA_DECIMAL.sub(r"\2.\1", _DROP.sub("", text).translate(_FOLD).lower())


def tokens(text: str) -> list[str]:
    r"""Normalised word and number tokens of `text`, in order (punctuation dropped).

    Fully vocalised words survive: the marks are removed before the words are
    found, so `كَتَبَ` is one token `كتب` (a `\b\w\w+\b` pattern would drop it).
    """
    return _TOKEN.findall(normalize(text))


#: Word-set overlap (Jaccard) at or above which two texts count as one (a repeated caption, a wire sentence).
DUPLICATE_OVERLAP = 0.8


def word_jaccard(a: set[str], b: set[str]) -> float:
    """Jaccard overlap of two word sets (0 when either is empty)."""
    return len(a & b) / len(a | b) if a and b else 0.0


def near_duplicate(a: str, b: str) -> bool:
    """Whether two texts are one: the same normalised words, or word sets overlapping `DUPLICATE_OVERLAP`."""
    return text_key(a) == text_key(b) or word_jaccard(set(tokens(a)), set(tokens(b))) >= DUPLICATE_OVERLAP


def text_key(text: str) -> str:
    """A hash of the normalised words of `text`: equal for texts that differ only in marks, spacing or punctuation."""
    return hashlib.blake2b(" ".join(tokens(text)).encode(), digest_size=12).hexdigest()
