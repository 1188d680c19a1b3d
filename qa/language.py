"""Which language a question is in: Arabic or English, by the script of its words.

Only the two languages the product serves. Mixed text goes by the majority of
words, a tie by the first word with letters, so an English question naming an
Arabic person is English and an Arabic question naming "ChatGPT" is Arabic. An
answer's language (`answer_language`) leaves out the «quoted» Arabic evidence an
English answer may carry.
"""

from __future__ import annotations

import re

from qa.models import Language

_WORD = re.compile(r"[^\W\d_]+")
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")


_QUOTED = re.compile(r"«[^»]*»")


def answer_language(text: str) -> Language:
    """The language an answer is written in: its own words, not the «quoted» evidence it carries."""
    own = _QUOTED.sub(" ", text)
    return detect_language(own if _WORD.search(own) else text)


def detect_language(text: str) -> Language:
    """Return "ar" or "en" for `text` ("en" when it has no letters at all)."""
    words = _WORD.findall(text)
    arabic = [bool(_ARABIC.search(w)) for w in words]
    n_ar = sum(arabic)
    n_other = len(arabic) - n_ar
    if n_ar != n_other:
        return "ar" if n_ar > n_other else "en"
    return "ar" if arabic and arabic[0] else "en"
