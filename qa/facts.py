"""The checkable facts of a sentence (numbers, months, Latin-script names) and whether a passage holds them.

Used by the citation checker: a generated sentence may only state numbers, dates
and names that its cited passages contain. Matching works across the two
languages through what survives translation:

- numbers: digits after `index.normalize` (Arabic-Indic digits folded), thousands
  separators dropped, and the small number words (one..twelve, واحد..اثنا عشر)
  read as digits on both sides; "350 missiles" is held by "350 صاروخا";
- months: English and Arabic month names (Egyptian/Gulf and Levantine forms) are
  one month; "13 April" is held by "13 أبريل";
- Latin-script names (runs of capitalised words and acronyms; punctuation ends a
  run, so "Amman, Jordan" is two names, each checked on its own). A name is held
  when the passage has it in Latin letters, or:
  - known places, peoples and institutions (`_EXONYMS`: the Middle East's
    countries and capitals, the powers and bodies in its news) only through their
    Arabic forms, matched as whole words (clitic و/ف/ب/ل/ك and ال allowed, and
    demonym endings: "Iran" is held by "الإيرانية", "Egypt" not by "مصرعه"). They
    never go through transliteration: "Jordan" needs الأردن (or الأردني...), and
    "Amman, Jordan" fails against a passage that only names عمان;
  - Arabic homographs (`_HOMOGRAPHS`: عمان is Oman or Amman, readings that exclude
    each other) by the reading each occurrence has: its vowel marks in the raw
    text (عُمان Oman, عَمّان Amman), else the nearest cue within `_CUE_WINDOW` words
    (سلطنة, العماني, مسقط for Oman; الأردن, الأردنية for Amman; a cue joined by و,
    "عمان والأردن", is a list of two places, not a cue). With no mark and no cue
    neither reading is held. Homographs whose readings nest (الجزائر Algeria or
    Algiers, تونس, الكويت, غزة: the city is in the country) need no reading: the
    bare word holds the country, the city needs its explicit form (الجزائر العاصمة,
    مدينة الكويت);
  - other names by transliteration: an Arabic word whose consonant skeleton matches
    (Biden ~ بايدن, McGurk ~ ماكغورك). Skeletons of four consonants or fewer must be
    equal, the Arabic word must write long vowels for all but one of the name's
    vowel groups (a transliteration spells its vowels, بايدن; a native word does not,
    بدن), and frequent Arabic words (`_AR_COMMON`: من, الأمن, شهر, الرئيس...) and
    homograph words are never read as transliterations.
  In a run that holds known entities ("Israeli Prime Minister Netanyahu", "US-Iran"),
  every entity must be held and, when words that are not generic titles
  (`_GENERIC`) follow the first one, one of those too ("Iranian Foreign Minister
  Abbas Araghchi" needs عباس or عراقجي); words before it are mostly a capitalised
  sentence start ("Senior US officials") and are not checked.

Deliberately not done: Arabic-script names in Arabic sentences are not
recognised as names (Arabic has no capitals and no offline NER package works
here), so they are left to the semantic check; English common nouns used as
titles ("National Security Council") fail the name check and drop the sentence
unless the passage spells them in Latin letters (a safe failure). The name check
asks whether a passage holds a name, not what it says about it: "Oman" is held
by "الوفد العماني" even where the talks took place elsewhere. Short names with one
vowel ("Brett") get no vowel check, only the common-word list, so a wrong short
name can still meet a rare ordinary word. Generic title words after a held entity
are not checked ("Iranian Revolutionary Guards" passes where Iran is named). Only
عمان is read as a homograph of places that exclude each other (vowel marks are read
on it alone); a passage that names عمان without marks or cues holds neither Oman
nor Amman (a safe failure). Places missing from `_EXONYMS` fall back on
transliteration, which fails safe for translated names ("Jerusalem" ~ القدس).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.normalize import normalize

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Dotted acronyms ("U.S.") are one word; a possessive "'s" is not part of the name.
_LATIN_WORD = re.compile(r"(?:[A-Za-z]\.){2,}|[A-Za-z][A-Za-z'’\-]*")
_POSSESSIVE = re.compile(r"['’]s?$", re.I)
_ARABIC_WORD = re.compile(r"[\u0621-\u064a]+")
# A raw Arabic word with its vowel marks (harakat, dagger alef) and tatweel.
_RAW_ARABIC_WORD = re.compile(r"[\u0621-\u065f\u0670]+")

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
#: Number words of both languages (normalised) -> digits: what `numbers` reads as numbers besides digits.
NUMBER_WORDS: dict[str, str] = {**_EN_NUMBERS, **_AR_NUMBERS}
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

_US = ("الولايات المتحدة", "أمريكا", "أميركا", "الأمريكي", "الأميركي", "واشنطن")
# Names that are translated, not transliterated: English names (lower case) -> their Arabic forms. A country's
# demonym is one entity with it ("Iranian" is held by "إيران", "Iran" by "الإيرانية"). A city that shares its
# Arabic spelling with its country (الجزائر, تونس, الكويت, غزة) is held only by its marked forms.
_ENTITIES: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (("united states", "us", "u.s.", "usa", "u.s.a.", "america", "american", "americans"), _US),
    (("united kingdom", "uk", "u.k.", "britain", "great britain", "british"),
     ("المملكة المتحدة", "بريطانيا", "البريطاني")),
    (("united nations", "un", "u.n."), ("الأمم المتحدة",)),
    (("european union", "eu"), ("الاتحاد الأوروبي", "الاتحاد الأوربي")),
    (("europe", "european", "europeans"), ("أوروبا", "أوربا", "الأوروبي", "الأوربي")),
    (("saudi arabia", "saudi", "saudis"), ("السعودية", "السعودي")),
    (("jordan", "jordanian", "jordanians"), ("الأردن", "الأردني")),
    (("egypt", "egyptian", "egyptians"), ("مصر", "المصري")),
    (("lebanon", "lebanese"), ("لبنان", "اللبناني")),
    (("iraq", "iraqi", "iraqis"), ("العراق", "العراقي")),
    (("yemen", "yemeni", "yemenis"), ("اليمن", "اليمني")),
    (("syria", "syrian", "syrians"), ("سوريا", "سورية", "السوري")),
    (("turkey", "türkiye", "turkish"), ("تركيا", "التركي")),
    (("iran", "iranian", "iranians"), ("إيران", "الإيراني")),
    (("israel", "israeli", "israelis"), ("إسرائيل", "الإسرائيلي")),
    (("palestine", "palestinian", "palestinians"), ("فلسطين", "الفلسطيني")),
    (("qatar", "qatari", "qataris"), ("قطر", "القطري")),
    (("kuwait", "kuwaiti", "kuwaitis"), ("الكويت", "الكويتي")),
    (("kuwait city",), ("مدينة الكويت", "العاصمة الكويتية")),
    (("bahrain", "bahraini", "bahrainis"), ("البحرين", "البحريني")),
    (("united arab emirates", "uae", "u.a.e.", "emirates", "emirati", "emiratis"), ("الإمارات", "الإماراتي")),
    # Oman and Amman also through the homograph عمان (`_HOMOGRAPHS`); these forms name Oman unambiguously.
    (("oman", "omani", "omanis", "sultanate of oman"), ("سلطنة عمان", "العماني")),
    (("amman",), ()),
    (("muscat",), ("مسقط",)),
    (("algeria", "algerian", "algerians"), ("الجزائر", "الجزائري")),
    (("algiers",), ("الجزائر العاصمة", "العاصمة الجزائرية", "مدينة الجزائر")),
    (("tunisia", "tunisian", "tunisians"), ("تونس", "التونسي")),
    (("tunis",), ("تونس العاصمة", "العاصمة التونسية", "مدينة تونس")),
    (("libya", "libyan", "libyans"), ("ليبيا", "الليبي")),
    (("gaza", "gaza strip"), ("غزة",)),
    (("gaza city",), ("مدينة غزة",)),
    (("russia", "russian", "russians"), ("روسيا", "الروسي")),
    (("france", "french"), ("فرنسا", "الفرنسي")),
    (("china", "chinese"), ("الصين", "الصيني")),
    (("germany", "german", "germans"), ("ألمانيا", "الألماني")),
    (("greece", "greek"), ("اليونان", "اليوناني")),
    (("tehran",), ("طهران",)), (("damascus",), ("دمشق",)), (("baghdad",), ("بغداد",)), (("beirut",), ("بيروت",)),
    (("riyadh",), ("الرياض",)), (("doha",), ("الدوحة",)), (("cairo",), ("القاهرة",)), (("vienna",), ("فيينا",)),
    (("geneva",), ("جنيف",)),
    (("white house",), ("البيت الأبيض",)), (("middle east",), ("الشرق الأوسط",)), (("red sea",), ("البحر الأحمر",)),
    (("state department",), ("وزارة الخارجية", "الخارجية")),
    (("iaea", "international atomic energy agency"), ("الوكالة الدولية للطاقة الذرية", "الوكالة الذرية")),
    (("hezbollah",), ("حزب الله",)), (("hamas",), ("حماس",)), (("quds force",), ("فيلق القدس",)),
]  # fmt: skip


def _form_pattern(form: str) -> re.Pattern[str]:
    """A whole-word pattern for a normalised Arabic form, with clitic prefixes, ال and demonym endings allowed."""
    if form.startswith("ال"):  # "الأردن", "والأردن", "بالأردن", "للأردن"; a demonym also without: "أوروبيين"
        head, body = r"(?:[وف]?[بك]?ال|[وف]?لل)" + ("?" if form.endswith("ي") else ""), form[2:]
    else:  # "إيران", "لإيران", "الإيراني"
        head, body = r"[وف]?[بلك]?(?:ال)?", form
    tail = r"(?:ه|ين|ون)?" if body.endswith("ي") else r"(?:ي|يه|يين|يون)?"
    words = r"\s+".join(re.escape(w) for w in body.split())
    return re.compile(rf"(?<!\w){head}{words}{tail}(?!\w)")


_EXONYMS: dict[str, tuple[re.Pattern[str], ...]] = {
    name: tuple(_form_pattern(normalize(f)) for f in forms) for names, forms in _ENTITIES for name in names
}
_LONGEST_EXONYM = max(len(name.split()) for name in _EXONYMS)


@dataclass(frozen=True)
class _Reading:
    """One reading of an Arabic homograph: the English names it gives and what decides it."""

    names: frozenset[str]
    marks: re.Pattern[str]  # searched in the raw word (vowel marks kept)
    cues: tuple[re.Pattern[str], ...]  # fullmatched against normalised words nearby


def _cue_patterns(*forms: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(_form_pattern(normalize(f)).pattern.removeprefix(r"(?<!\w)")) for f in forms)


# Arabic spellings with readings that exclude each other (normalised word -> readings).
_HOMOGRAPHS: dict[str, tuple[_Reading, ...]] = {
    "عمان": (
        _Reading(frozenset({"oman", "omani", "omanis", "sultanate of oman"}), re.compile("ع\u064f"),
                 _cue_patterns("سلطنة", "العماني", "مسقط", "قابوس", "البوسعيدي")),
        _Reading(frozenset({"amman"}), re.compile("ع\u064e|م\u064e?\u0651"),
                 _cue_patterns("الأردن", "الأردني", "الهاشمية")),
    ),
}  # fmt: skip
_CUE_WINDOW = 8  # words either side of a homograph searched for cues
_CLITICS = frozenset({"و", "ف", "ب", "ل", "ك", "وب", "ول", "وك", "فب", "فل", "فك"})

# Capitalised at the start of an English sentence without being a name.
_FUNCTION_WORDS = frozenset(
    "a an the this that these those it its he she they we i you his her their there here in on at by for from "
    "to of with and but or so yet as after before during since while when where what which who whom whose why how "
    "according however also both each some several many most no not yes all about over under between into "
    "then thus therefore meanwhile although though because if".split()
)
# Capitalised title and institution words that Arabic translates ("Israeli Prime Minister Netanyahu").
_GENERIC = frozenset(
    "president vice prime minister ministry foreign defense defence interior secretary general chief state "
    "king queen prince crown sheikh sultan emir supreme leader ayatollah mr mrs ms dr sir lord "
    "army navy air force forces guard guards revolutionary corps council security national government "
    "embassy agency spokesman spokeswoman official officials envoy ambassador special adviser advisor".split()
)
# Frequent Arabic words (normalised, as written or after one clitic prefix) that are never read as a
# transliterated name: their short skeletons equal many names' (من ~ Oman, شهر ~ Suhar, الرئيس ~ Raisi).
_AR_COMMON = frozenset(
    normalize(w)
    for w in """
    من عن ما ماذا إن أن إنه أنه أنها كان كانت يكون تكون كانا قال قالت يقول تقول على إلى في مع بين بعد قبل عند
    لدى منذ حتى حول نحو ضد دون عبر خلال مثل غير كل بعض أي أو أم ثم لم لن قد لا بل لكن ليس هذا هذه ذلك تلك هنا
    هناك هو هي هم هما نحن التي الذي الذين اللذين حيث كما أيضا إذا لو أمام وراء فوق تحت تم جرى عام يوم شهر أشهر
    أسبوع سنة وقت الآن اليوم أمس غدا أول ثاني آخر أخرى أكثر أقل كبير كبار جديد نفس عدة عدد رئيس الرئيس وزير وزارة
    دولة دول بلد بلاد مدينة عاصمة قوة قوات أمن الأمن حرب سلام مسؤول مسؤولون مسؤولين مصدر مصادر إدارة موقع منع
    نظام رد ردا دعم قرار اتفاق أمر أمير ملك شيخ سيد حكومة حزب جيش شعب أرض بحر جو نار ماء مال عمل علم حق
    """.split()
)
# Consonant classes shared by Latin transliterations and Arabic letters (vowels and weak letters dropped).
_LATIN_DIGRAPHS = [("sh", "s"), ("ch", "s"), ("th", "t"), ("dh", "d"), ("kh", "k"), ("gh", "k"), ("ph", "f"),
                   ("ck", "k"), ("x", "ks"), ("ou", ""), ("ee", "")]  # fmt: skip
_LATIN_CLASS = str.maketrans("bpcgjqkxtdszfvlmnrh", "bbkkkkkktdssfflmnrh", "aeiouyw'’-.")
_ARABIC_CLASS = str.maketrans("بتثدذرزسشصضطظفقكلمنهحخغجك", "bttddrssssdtdfkklmnhhkkkk", "اويىءعأإآةئؤ")
_AR_PREFIXES = ("وال", "بال", "لل", "فال", "كال", "ال", "و", "ب", "ل", "ف")
_AR_SUFFIXES = ("يين", "يون", "ية", "يه", "ين", "ون", "ات", "ي")
_SHORT_SKELETON = 5  # skeletons shorter than this must match exactly and pass the vowel check


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
    """Runs of capitalised Latin words and acronyms (not a sentence-initial function word, not a month).

    A run is words separated by white space only: "Amman, Jordan" is two names. A possessive is dropped.
    """
    names: list[str] = []
    run: list[str] = []
    end = 0
    for m in _LATIN_WORD.finditer(sentence):
        if run and sentence[end : m.start()].strip():  # punctuation between two words ends the run
            names.append(" ".join(run))
            run = []
        end = m.end()
        word = m.group(0) if m.group(0).endswith(".") else _POSSESSIVE.sub("", m.group(0).strip("'’-"))
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
    """Whether a Latin-script name is in the passage (see the module docstring for the rules).

    `passage_text` is the raw text: the vowel marks that read a homograph are looked at before normalising.
    """
    norm = normalize(passage_text)
    words = [_POSSESSIVE.sub("", w) if not w.endswith(".") else w for w in name.lower().split()]
    if _has_latin(" ".join(words), norm):
        return True
    entities, leading, rest = _segment(words)
    if entities:
        held = _homograph_names(passage_text)
        if not all(_has_latin(e, norm) or e in held or any(p.search(norm) for p in _EXONYMS[e]) for e in entities):
            return False
        # Words before the first entity are mostly a capitalised sentence start ("Senior US officials"); words
        # after it that are not titles name someone or something more ("Iranian Foreign Minister Araghchi").
        leading = [w for w in rest if w not in _GENERIC]
        if not leading:
            return True
    candidates = _transliteration_candidates(norm)
    return any(_transliterates(w, candidates) for w in leading if len(w) >= 3)


def _has_latin(name: str, norm: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", norm) is not None


def _segment(words: list[str]) -> tuple[list[str], list[str], list[str]]:
    """A name's known entities (longest first), the other words before the first one, and those after it.

    A hyphenated word is read as its parts when one of them is an entity ("US-Iran").
    """
    parts = [p for w in words for p in (w.split("-") if "-" in w and any(x in _EXONYMS for x in w.split("-")) else [w])]
    entities: list[str] = []
    leading: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(parts):
        for n in range(min(_LONGEST_EXONYM, len(parts) - i), 0, -1):
            key = " ".join(parts[i : i + n])
            if key in _EXONYMS:
                entities.append(key)
                i += n
                break
        else:
            (rest if entities else leading).append(parts[i])
            i += 1
    return entities, leading, rest


def _homograph_names(passage_text: str) -> set[str]:
    """The English names the passage's homograph occurrences read as (each decided by marks, else by cues)."""
    raw_words = _RAW_ARABIC_WORD.findall(passage_text)
    norm_words = [normalize(w) for w in raw_words]
    held: set[str] = set()
    for i, word in enumerate(norm_words):
        key = _homograph_key(word)
        if key is None:
            continue
        readings = _HOMOGRAPHS[key]
        marked = [r for r in readings if r.marks.search(raw_words[i])]
        if len(marked) == 1:
            held |= marked[0].names
            continue
        nearest: dict[int, int] = {}  # reading index -> distance of its nearest cue
        for j in range(max(0, i - _CUE_WINDOW), min(len(norm_words), i + _CUE_WINDOW + 1)):
            if j == i or _coordinated(norm_words, i, j):
                continue
            for k, reading in enumerate(readings):
                if any(p.fullmatch(norm_words[j]) for p in reading.cues):
                    nearest[k] = min(nearest.get(k, _CUE_WINDOW + 1), abs(i - j))
        if nearest:
            best = min(nearest.values())
            winners = [k for k, d in nearest.items() if d == best]
            if len(winners) == 1:
                held |= readings[winners[0]].names
    return held


def _homograph_key(word: str) -> str | None:
    if word in _HOMOGRAPHS:
        return word
    for key in _HOMOGRAPHS:
        if word.endswith(key) and word[: -len(key)] in _CLITICS:
            return key
    return None


def _coordinated(words: list[str], i: int, j: int) -> bool:
    """Whether words i and j are next to each other and joined by و ("عمان والأردن"): a list, not a cue."""
    return abs(i - j) == 1 and words[max(i, j)].startswith("و")


def _transliteration_candidates(norm: str) -> list[tuple[str, int]]:
    """(consonant skeleton, long vowels written) of the passage's Arabic words that may spell a name."""
    out: set[tuple[str, int]] = set()
    for word in set(_ARABIC_WORD.findall(norm)):
        if _is_common(word):
            continue
        for stem in _arabic_stems(word):
            if stem in _HOMOGRAPHS or stem in _AR_COMMON:
                continue
            skeleton = _arabic_skeleton(stem)
            if skeleton:
                out.add((skeleton, sum(ch in "اوي" for ch in stem[1:])))
    return sorted(out)


def _is_common(word: str) -> bool:
    return word in _AR_COMMON or any(word.startswith(p) and word[len(p) :] in _AR_COMMON for p in _AR_PREFIXES)


def _transliterates(word: str, candidates: list[tuple[str, int]]) -> bool:
    """Whether one candidate spells the Latin word (see the module docstring)."""
    return any(_spells(skeleton, word, candidates) for skeleton in _latin_skeletons(word))


def _spells(skeleton: str, word: str, candidates: list[tuple[str, int]]) -> bool:
    if len(skeleton) < 2:
        return False
    if len(skeleton) < _SHORT_SKELETON:
        # A transliteration writes the name's vowels as ا/و/ي (بايدن): all vowel groups but one.
        needed = _latin_vowel_groups(word) - 1
        return any(c == skeleton and vowels >= needed for c, vowels in candidates)
    return any(abs(len(c) - len(skeleton)) <= 1 and _edit_distance(skeleton, c) <= 1 for c, _ in candidates)


def _latin_vowel_groups(word: str) -> int:
    w = word.lower()
    return len(re.findall(r"[aeiouy]+", w[1:])) + (w[:1] in ("a", "e", "i", "o", "u"))


def _latin_skeletons(word: str) -> set[str]:
    """The word's consonant skeleton, and that of its stem when it may be a plural or a demonym."""
    w = word.lower()
    stems = {w}
    if w.endswith("s") and len(w) > 4:
        stems.add(w[:-1])  # English plural / possessive (a name may end in s: Abbas)
    stems |= {s[:-3] for s in stems if s.endswith("ian") and len(s) > 5}  # demonym: Iranian -> Iran
    return {_latin_skeleton(stem) for stem in stems}


def _latin_skeleton(word: str) -> str:
    w = word
    for a, b in _LATIN_DIGRAPHS:
        w = w.replace(a, b)
    w = w.translate(_LATIN_CLASS)
    return re.sub(r"(.)\1+", r"\1", re.sub(r"[^a-z]", "", w))


def _arabic_stems(word: str) -> set[str]:
    """The word as written and without a clitic prefix and/or suffix (either may be part of a name)."""
    stems = {word}
    stems |= {word[len(p) :] for p in _AR_PREFIXES if word.startswith(p) and len(word) - len(p) >= 3}
    stems |= {w[: -len(s)] for w in list(stems) for s in _AR_SUFFIXES if w.endswith(s) and len(w) - len(s) >= 3}
    return stems


def _arabic_skeleton(stem: str) -> str:
    return re.sub(r"(.)\1+", r"\1", stem.translate(_ARABIC_CLASS))


def _edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i]
        for j, cb in enumerate(b, start=1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]
