"""The checkable facts of a sentence (numbers, months, Latin-script names) and whether a passage holds them.

Used by the citation checker: a generated sentence may only state numbers, dates
and names that its cited passages contain. Matching works across the two
languages through what survives translation:

- numbers: digits after `index.normalize` (Arabic-Indic digits folded), thousands
  separators dropped, and the small number words (one..twelve, واحد..اثنا عشر)
  read as digits on both sides; "350 missiles" is held by "350 صاروخا";
- months: English and Arabic month names (Egyptian/Gulf and Levantine forms) are
  one month; "13 April" is held by "13 أبريل";
- Latin-script names (capitalised words, acronyms): held when the passage has the
  word, or an Arabic word whose consonant skeleton matches its transliteration
  (Biden ~ بايدن, McGurk ~ ماكغورك, Tehran ~ طهران), or, for a short list of
  country and institution names that are translated rather than transliterated,
  their Arabic form (United States ~ الولايات المتحدة).

Deliberately not done: Arabic-script names in Arabic sentences are not
recognised as names (Arabic has no capitals and no offline NER package works
here), so they are left to the semantic check; English common nouns used as
titles ("National Security Council") fail the name check and drop the sentence
unless the passage spells them in Latin letters (a safe failure). Skeletons of
three consonants or fewer must match exactly, yet can still meet an ordinary
word: "Suhar" (s-h-r) was accepted against "شهر" (month) in the bench run, so a
wrong short name can slip through when the sentence is otherwise supported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.normalize import normalize

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*")
_ARABIC_WORD = re.compile(r"[\u0621-\u064a]+")

_EN_NUMBERS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
}  # fmt: skip
# Normalised Arabic number words (masculine and feminine forms), for passages that spell numbers out.
_AR_NUMBERS = {
    normalize(w): d
    for d, words in {
        "1": ("واحد", "واحدة"), "2": ("اثنان", "اثنين", "اثنتان", "اثنتين"), "3": ("ثلاث", "ثلاثة"),
        "4": ("أربع", "أربعة"), "5": ("خمس", "خمسة"), "6": ("ست", "ستة"), "7": ("سبع", "سبعة"),
        "8": ("ثماني", "ثمانية", "ثمان"), "9": ("تسع", "تسعة"), "10": ("عشر", "عشرة"),
    }.items()
    for w in words
}  # fmt: skip
_MONTHS = [
    ("january", "يناير", "كانون الثاني"), ("february", "فبراير", "شباط"), ("march", "مارس", "آذار"),
    ("april", "أبريل", "ابريل", "نيسان"), ("may", "مايو", "أيار"), ("june", "يونيو", "حزيران"),
    ("july", "يوليو", "تموز"), ("august", "أغسطس", "آب"), ("september", "سبتمبر", "أيلول"),
    ("october", "أكتوبر", "تشرين الأول"), ("november", "نوفمبر", "تشرين الثاني"),
    ("december", "ديسمبر", "كانون الأول"),
]  # fmt: skip
_DAYS = [
    ("monday", "الاثنين", "الإثنين"), ("tuesday", "الثلاثاء"), ("wednesday", "الأربعاء"), ("thursday", "الخميس"),
    ("friday", "الجمعة"), ("saturday", "السبت"), ("sunday", "الأحد"),
]  # fmt: skip
# Months are 0-11, weekdays 100-106: one "date words" vocabulary.
_MONTH_OF = {normalize(name): i for i, names in enumerate(_MONTHS) for name in names}
_MONTH_OF |= {normalize(name): 100 + i for i, names in enumerate(_DAYS) for name in names}
# Names that are translated, not transliterated (lower-case English -> normalised Arabic forms).
_EXONYMS = {
    k: tuple(normalize(v) for v in vs)
    for k, vs in {
        "united states": ("الولايات المتحدة", "أمريكا", "أميركا", "الأمريكي", "الأميركي", "واشنطن"),
        "us": ("الولايات المتحدة", "أمريكا", "أميركا", "الأمريكي", "الأميركي", "واشنطن"),
        "u.s.": ("الولايات المتحدة", "أمريكا", "أميركا", "الأمريكي", "الأميركي", "واشنطن"),
        "america": ("أمريكا", "أميركا", "الولايات المتحدة"),
        "american": ("الأمريكي", "الأميركي", "الأمريكية", "الأميركية", "الأميركيين", "الأمريكيين"),
        "americans": ("الأمريكيين", "الأميركيين"),
        "united kingdom": ("المملكة المتحدة", "بريطانيا"), "uk": ("المملكة المتحدة", "بريطانيا"),
        "britain": ("بريطانيا", "المملكة المتحدة"), "british": ("البريطاني", "البريطانية", "بريطانيا"),
        "united nations": ("الأمم المتحدة",), "un": ("الأمم المتحدة",),
        "saudi arabia": ("السعودية",), "saudi": ("السعودية", "السعودي"), "jordan": ("الأردن",),
        "egypt": ("مصر",), "lebanon": ("لبنان",), "iraq": ("العراق",), "yemen": ("اليمن",), "syria": ("سوريا", "سورية"),
        "turkey": ("تركيا",), "china": ("الصين",), "germany": ("ألمانيا",), "greece": ("اليونان",),
        "white house": ("البيت الأبيض",), "middle east": ("الشرق الأوسط",), "red sea": ("البحر الأحمر",),
        "state department": ("وزارة الخارجية", "الخارجية"),
        "iaea": ("الوكالة الدولية للطاقة الذرية", "الوكالة الذرية"),
        "international atomic energy agency": ("الوكالة الدولية للطاقة الذرية",),
        "hezbollah": ("حزب الله",), "hamas": ("حماس",), "quds force": ("فيلق القدس",),
    }.items()
}  # fmt: skip
# Capitalised at the start of an English sentence without being a name.
_FUNCTION_WORDS = frozenset(
    "a an the this that these those it its he she they we i you his her their there here in on at by for from "
    "to of with and but or so yet as after before during since while when where what which who whom whose why how "
    "according however also both each some several many most no not yes all about over under between into "
    "then thus therefore meanwhile although though because if".split()
)
# Consonant classes shared by Latin transliterations and Arabic letters (vowels and weak letters dropped).
_LATIN_DIGRAPHS = [("sh", "s"), ("ch", "s"), ("th", "t"), ("dh", "d"), ("kh", "k"), ("gh", "k"), ("ph", "f"),
                   ("ck", "k"), ("x", "ks"), ("ou", ""), ("ee", "")]  # fmt: skip
_LATIN_CLASS = str.maketrans("bpcgjqkxtdszfvlmnrh", "bbkkkkkktdssfflmnrh", "aeiouyw'’-")
_ARABIC_CLASS = str.maketrans("بتثدذرزسشصضطظفقكلمنهحخغجك", "bttddrssssdtdfkklmnhhkkkk", "اويىءعأإآةئؤ")
_AR_PREFIXES = ("وال", "بال", "لل", "فال", "كال", "ال", "و", "ب", "ل", "ف")
_AR_SUFFIXES = ("يين", "يون", "ية", "يه", "ين", "ون", "ات", "ي")


@dataclass(frozen=True)
class Facts:
    """What a sentence states that can be checked word for word."""

    numbers: frozenset[str]
    months: frozenset[int]
    names: tuple[str, ...]


def numbers(text: str) -> set[str]:
    """The numbers in `text` as canonical digit strings (number words included)."""
    norm = normalize(text)
    found = {m.group(0).replace(",", "") for m in _NUMBER.finditer(norm)}
    for word in re.findall(r"[^\W\d_]+", norm):
        digit = _EN_NUMBERS.get(word) or _AR_NUMBERS.get(word)
        if digit:
            found.add(digit)
    return found


def months(text: str) -> set[int]:
    """The months (0-11) and weekdays (100-106) named in `text`, in either language."""
    norm = normalize(text)
    words = re.findall(r"[^\W\d_]+", norm)
    found = {_MONTH_OF[w] for w in words if w in _MONTH_OF and w != "may"}
    # Arabic weekdays usually come with a prefix: "يوم الثلاثاء", "والخميس".
    found |= {i for w in words for name, i in _MONTH_OF.items() if i >= 100 and len(w) > len(name) and w.endswith(name)}
    found |= {i for name, i in _MONTH_OF.items() if " " in name and name in norm}
    # English "may" is a month only before or after a number ("13 May", "May 13").
    found |= {4 for m in re.finditer(r"(\d+\s+may\b|\bmay\s+\d+)", norm)}
    return found


def latin_names(sentence: str) -> list[str]:
    """Runs of capitalised Latin words and acronyms (not a sentence-initial function word, not a month)."""
    names: list[str] = []
    run: list[str] = []
    for m in _LATIN_WORD.finditer(sentence):
        word = m.group(0).strip("'’-")
        lower = word.lower()
        is_name = word[:1].isupper() and lower not in _MONTH_OF and lower not in _EN_NUMBERS
        if is_name and lower not in _FUNCTION_WORDS:
            run.append(word)
            continue
        if run:
            names.append(" ".join(run))
        run = []
    if run:
        names.append(" ".join(run))
    return names


def facts_of(sentence: str) -> Facts:
    """The numbers, months and Latin-script names a sentence states."""
    return Facts(frozenset(numbers(sentence)), frozenset(months(sentence)), tuple(latin_names(sentence)))


def missing_facts(facts: Facts, passage_text: str) -> list[str]:
    """The facts the passage does not hold, as readable strings (empty: all are held)."""
    missing = [n for n in sorted(facts.numbers) if n not in numbers(passage_text)]
    held_months = months(passage_text)
    missing += [(_MONTHS[m] if m < 100 else _DAYS[m - 100])[0].capitalize()
                for m in sorted(facts.months) if m not in held_months]  # fmt: skip
    missing += [name for name in facts.names if not name_in(name, passage_text)]
    return missing


def name_in(name: str, passage_text: str) -> bool:
    """Whether a Latin-script name is in the passage: literally, as a known exonym, or by transliteration."""
    norm = normalize(passage_text)
    lower = name.lower()
    if re.search(rf"(?<!\w){re.escape(lower)}(?!\w)", norm):
        return True
    for key, forms in _EXONYMS.items():
        if (lower == key or lower.endswith(" " + key) or lower.startswith(key + " ")) and any(f in norm for f in forms):
            return True
    skeletons = {sk for w in _ARABIC_WORD.findall(norm) for sk in _arabic_skeletons(w)} - {""}
    return any(_close(_latin_skeleton(w), skeletons) for w in name.split() if len(w) >= 3)


def _latin_skeleton(word: str) -> str:
    w = word.lower()
    if w.endswith("s") and len(w) > 4:
        w = w[:-1]  # English plural / possessive
    if w.endswith("ian") and len(w) > 5:
        w = w[:-3]  # demonym: Iranian -> Iran, Syrian -> Syr(ia)
    for a, b in _LATIN_DIGRAPHS:
        w = w.replace(a, b)
    w = w.translate(_LATIN_CLASS)
    return re.sub(r"(.)\1+", r"\1", re.sub(r"[^a-z]", "", w))


def _arabic_skeletons(word: str) -> set[str]:
    """Skeletons of the word as written and without a clitic prefix and/or suffix (either may be part of a name)."""
    stems = {word}
    stems |= {word[len(p) :] for p in _AR_PREFIXES if word.startswith(p) and len(word) - len(p) >= 3}
    stems |= {w[: -len(s)] for w in list(stems) for s in _AR_SUFFIXES if w.endswith(s) and len(w) - len(s) >= 3}
    return {re.sub(r"(.)\1+", r"\1", w.translate(_ARABIC_CLASS)) for w in stems}


def _close(skeleton: str, candidates: set[str]) -> bool:
    if len(skeleton) < 2:
        return False
    if skeleton in candidates:
        return True
    if len(skeleton) < 5:  # short skeletons match too many words: exact only
        return False
    return any(abs(len(c) - len(skeleton)) <= 1 and _edit_distance(skeleton, c) <= 1 for c in candidates)


def _edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i]
        for j, cb in enumerate(b, start=1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]
