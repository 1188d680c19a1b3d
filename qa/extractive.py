"""The extractive answer: the retrieved sentences that best answer the question, cited.

No generative model: each retrieved passage is split into sentences, every
sentence is embedded and compared with the question, and the best ones (at most
`max_sentences`, close in score to the best) become the answer, each followed by
its citation marker. When even the best sentence is not similar enough to the
question, the answer says the articles do not cover it and cites nothing.

It does not translate: an English question gets the Arabic sentences that answer it, each
behind a short English lead that states the values lifted from it (`compose`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from index.chunk import split_sentences
from index.embed import Embedder
from index.normalize import near_duplicate, normalize
from qa.facts import NUMBER_WORDS, latin_names, months
from qa.language import detect_language
from qa.models import Citation, Language, Passage
from qa.outlets import outlet_name
from qa.question import (
    DURATION,
    FEW_UNITS,
    NUMERIC_DATE,
    PERCENT_UNIT,
    TIME_UNITS,
    YEAR,
    Slot,
    analyze_question,
    check_answering,
    counts_asked,
    coverage,
    not_counts,
)

#: The fixed reply when the articles do not answer, in the question's language.
NOT_IN_ARTICLES: dict[Language, str] = {
    "ar": "لا تذكر المقالات المتاحة ما يجيب عن هذا السؤال.",
    "en": "The articles do not say.",
}
#: Sentences with fewer words are headings or fragments, not answers.
MIN_WORDS = 4
#: Extra sentences join the best one only when their score is this close to it.
SCORE_MARGIN = 0.02


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage, with offsets in its article."""

    passage: Passage
    start: int
    end: int
    text: str
    score: float = 0.0
    #: The answering check's verdict (`qa.question`): None when not checked.
    answers: bool | None = None
    #: What `rank_sources` ordered it by when that is not `score` alone (cosine + weight x coverage).
    order_score: float | None = None

    @property
    def order(self) -> float:
        """The score the answer's order goes by (`rank_sources`)."""
        return self.score if self.order_score is None else self.order_score


def candidate_sentences(passages: Sequence[Passage]) -> list[Candidate]:
    """Every distinct sentence of the passages (overlapping chunks repeat sentences)."""
    seen: set[tuple[str, int, int]] = set()
    out: list[Candidate] = []
    for p in passages:
        for s, e in split_sentences(p.chunk.text):
            key = (p.chunk.article_id, p.chunk.start + s, p.chunk.start + e)
            text = p.chunk.text[s:e]
            if key in seen or len(text.split()) < MIN_WORDS:
                continue
            seen.add(key)
            out.append(Candidate(p, key[1], key[2], text))
    return out


def sentence_vectors(candidates: Sequence[Candidate], embedder: Embedder) -> np.ndarray:
    """The candidates' passage vectors, one row each (computed once per answer, shared by its scorings)."""
    if not candidates:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.asarray(embedder.embed_passages([c.text for c in candidates]), dtype=np.float32)


def score_sentences(
    query_vector: Sequence[float], candidates: list[Candidate], embedder: Embedder, vectors: np.ndarray | None = None
) -> list[Candidate]:
    """Candidates with their cosine similarity to the question, best first (`vectors`: theirs, if computed)."""
    if not candidates:
        return []
    vectors = sentence_vectors(candidates, embedder) if vectors is None else vectors
    scores = vectors @ np.asarray(query_vector, dtype=np.float32)
    scored = [Candidate(c.passage, c.start, c.end, c.text, float(s)) for c, s in zip(candidates, scores, strict=True)]
    return sorted(scored, key=lambda c: -c.score)


def rank_sources(
    query_vector: Sequence[float],
    candidates: list[Candidate],
    embedder: Embedder,
    slot: Slot,
    vectors: np.ndarray | None = None,
    *,
    weight: float = 0.0,
) -> list[Candidate]:
    """Candidates scored against the question and checked for answering it: those that fill its slot first.

    Within each group the order is the cosine's plus `weight` x the question's coverage by the sentence and
    by its passage (`weighted_scores`; `Settings.source_coverage_weight`), except that for an Arabic count
    question that names what it counts ("كم عدد المصادر") the sentences that count it ("3 مصادر", "مصدران")
    come first among those that answer: "مصادر مطلعة" beside another number is no answer to how many sources.
    This is the order of the extractive answer (`bench/answering.py` item 2b measures it).
    """
    scored = [replace(c, answers=check_answering(slot, c.text).answers)
              for c in score_sentences(query_vector, candidates, embedder, vectors)]  # fmt: skip
    return answer_order(scored, slot, weight)


def answer_order(scored: Sequence[Candidate], slot: Slot, weight: float) -> list[Candidate]:
    """Checked candidates in `rank_sources` order (what answers, what counts the asked noun, cosine + coverage)."""
    if weight > 0:
        scored = [replace(c, order_score=w) for c, w in zip(scored, weighted_scores(scored, slot, weight), strict=True)]
    return sorted(scored, key=lambda c: (not c.answers, not (c.answers and counts_asked(slot, c.text)), -c.order))


#: An English question's Arabic rendering in the sentence order (`with_rendering`): (1 - mix) x the cosine to the
#: question + mix x the cosine to the rendering ...
RENDERING_MIX = 0.3
#: ... + this x the share of the rendering's Arabic content terms the sentence holds (`qa.question.coverage`).
RENDERING_COVERAGE = 0.05


def with_rendering(
    scored: Sequence[Candidate],
    candidates: Sequence[Candidate],
    vectors: np.ndarray,
    rendering: str,
    embedder: Embedder,
    slot: Slot,
) -> list[Candidate]:
    """`rank_sources` output reordered with an English question's Arabic rendering (`qa.translate`) counted in.

    The rendering compares with Arabic sentences in one language: its cosine and its content terms
    (`RENDERING_MIX`, `RENDERING_COVERAGE`) join the question's cosine in each sentence's `order_score`;
    `score` stays the question's cosine, which the relevance threshold and the answerability model read.
    `vectors` are the rows of `candidates` (`sentence_vectors`). `bench/answering.py --translate` (item 5)
    measured it on XQuAD dev's English questions.
    """
    r_vector = np.asarray(embedder.embed_query(rendering), dtype=np.float32)
    r_cosine = {(c.passage.chunk.id, c.start): float(v) for c, v in zip(candidates, vectors @ r_vector, strict=True)}
    r_slot = analyze_question(rendering)
    mixed = [
        replace(c, order_score=(1 - RENDERING_MIX) * c.score + RENDERING_MIX * r_cosine[(c.passage.chunk.id, c.start)]
                + RENDERING_COVERAGE * coverage(r_slot, [c.text]))
        for c in scored
    ]  # fmt: skip
    return answer_order(mixed, slot, 0.0)


def weighted_scores(scored: Sequence[Candidate], slot: Slot, weight: float) -> list[float]:
    """Each sentence's cosine + `weight` x (the question's coverage by the sentence + by its passage).

    `qa.question.coverage`: the share of the question's content terms (across languages: names, numbers)
    the text holds. The passage's coverage is computed once per passage.
    """
    of_passage: dict[str, float] = {}
    for c in scored:
        if c.passage.chunk.id not in of_passage:
            of_passage[c.passage.chunk.id] = coverage(slot, [c.passage.chunk.text])
    return [c.score + weight * (coverage(slot, [c.text]) + of_passage[c.passage.chunk.id]) for c in scored]


def select(
    scored: Sequence[Candidate], *, min_relevance: float, max_sentences: int, slot: Slot | None = None
) -> list[Candidate]:
    """The sentences that make the answer; empty when none that answers (or was not checked) is relevant enough.

    The first usable sentence (in `rank_sources` order) leads; others join, in that order, when their cosine is
    within `SCORE_MARGIN` of its own (not their order score: the coverage terms would leave one sentence almost
    always) and, when it counts what the question counts (`slot`), only if they count it too. The relevance
    threshold applies to the cosine of the best usable sentence.
    """
    usable = [c for c in scored if c.answers is not False]
    if not usable or max(c.score for c in usable) < min_relevance:
        return []
    head = usable[0]
    rest = [c for c in usable[1:] if c.score >= head.score - SCORE_MARGIN]
    if slot is not None and counts_asked(slot, head.text):
        rest = [c for c in rest if counts_asked(slot, c.text)]
    return [head, *rest][:max_sentences]


def compose(
    chosen: Sequence[Candidate], language: Language, slot: Slot | None = None, relation: str | None = None
) -> tuple[str, tuple[Citation, ...]]:
    """Answer text with a marker after each sentence, and the citations the markers name.

    A sentence in the question's language is shown as it is. An Arabic sentence answering
    an English question is shown as the evidence of a short English lead that states only
    what can be lifted from it safely (`english_lead`: its new numbers, dates and Latin
    names): `The articles give 350 [1]: «وكانت إيران أطلقت 350 صاروخا…»`.

    With sentences from several outlets each is attributed to its article's outlet (metadata,
    never inferred; named in the answer's language where `qa.outlets` knows it), the same sentence
    carried by several outlets is shown once with each one's marker, and `relation` ("agree"/"differ",
    `qa.combine.outlet_relation`) opens the answer with whether their accounts of the asked value agree.
    """
    if not chosen:
        return NOT_IN_ARTICLES[language], ()
    same: list[list[Candidate]] = []  # one sentence (a wire copy) is shown once, with every outlet's marker
    for c in chosen:
        found = next((g for g in same if near_duplicate(g[0].text, c.text)), None)
        if found is None:
            same.append([c])
        else:
            found.append(c)
    chosen = [c for group in same for c in group]
    citations = tuple(
        Citation(
            marker=i,
            article_id=c.passage.chunk.article_id,
            title=c.passage.chunk.title,
            outlet=c.passage.chunk.outlet,
            date=c.passage.chunk.date,
            chunk_id=c.passage.chunk.id,
            quote=c.text,
            start=c.start,
            end=c.end,
        )
        for i, c in enumerate(chosen, start=1)
    )
    attribute = len({c.outlet for c in citations}) > 1 and all(c.outlet for c in citations)
    sizes = [len(group) for group in same]
    starts = list(itertools.accumulate([0, *sizes]))
    parts = []
    for i, group in enumerate(citations[a:b] for a, b in itertools.pairwise(starts)):
        quote = group[0].quote
        markers = "".join(f"[{c.marker}]" for c in group)
        outlets = list(dict.fromkeys(outlet_name(c.outlet or "", language) for c in group))
        if language == "en" and detect_language(quote) != "en":
            if attribute:  # "According to Alhurra, this week [1]: «…»" (its English name: `qa.outlets`)
                values = lift_values(quote, slot)
                lead = f"According to {_join(outlets)}" + (f", {_join(values)}" if values else "")
            else:
                lead = english_lead(quote, slot) if i == 0 else "They also say"
            parts.append(f"{lead} {markers}: «{_shorten(quote)}»")
        else:
            parts.append(f"بحسب {_join_ar(outlets)}: {quote} {markers}" if attribute else f"{quote} {markers}")
    text = " ".join(parts)
    if attribute and relation in ("agree", "differ"):  # one clause before the first attribution, not a sentence
        opening = {("en", "agree"): "The outlets agree: a", ("en", "differ"): "The outlets differ: a",
                   ("ar", "agree"): "تتفق المصادر، ف", ("ar", "differ"): "تختلف روايات المصادر، ف"}  # fmt: skip
        text = opening[(language, relation)] + (text[1:] if language == "en" else text)
    return text, citations


def _join_ar(names: Sequence[str]) -> str:
    return " و".join(names)


#: Longest quote shown inside an English-led answer (the citation keeps the whole sentence).
QUOTE_CHARS = 220
_EN_MONTHS = ("January February March April May June July August September October November December").split()
_EN_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_WHEN_YEAR = re.compile(r"(?<![\d.,])(1\d\d\d|20\d\d)(?!\d|[.,]\d|\s*%)")
_YEAR_CUES = frozenset(
    normalize(w)
    for w in "عام العام سنة السنة في منذ من حتى بداية أواخر أوائل مطلع نهاية in since from until by year".split()
)
# Over normalised text: the unit is written as `qa.question` reads shares (its forms of في المئة are normalised).
_NUMBER_WITH_UNIT = re.compile(rf"(\d+(?:[.,]\d+)*)\s*({PERCENT_UNIT})?")
#: A clock time ("5:30", "17:05"): one value, not the numbers 5 and 30.
_CLOCK = re.compile(r"(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])")
# Arabic time expressions (normalised) and their English form, for the lead of a "when" answer.
_RELATIVE_TIMES = [(normalize(ar), en) for ar, en in (
    ("أمس", "yesterday"), ("هذا الأسبوع", "this week"), ("الأسبوع الماضي", "last week"),
    ("الأسبوع المقبل", "next week"), ("الشهر الماضي", "last month"), ("الشهر المقبل", "next month"),
    ("العام الماضي", "last year"), ("العام المقبل", "next year"), ("أسبوعين", "two weeks"),
    ("يومين", "two days"), ("شهرين", "two months"), ("عامين", "two years"),
)]  # fmt: skip


def relative_times(norm: str) -> list[str]:
    """The English forms of the relative time expressions ("هذا الأسبوع": "this week") in normalised text."""
    found = [en for ar, en in _RELATIVE_TIMES if ar in norm]
    found += [m.group(0) for m in _EN_RELATIVE.finditer(norm)]
    return list(dict.fromkeys(found))


_EN_RELATIVE = re.compile(r"\b(?:yesterday|(?:this|last|next) (?:week|month|year))\b")


def english_lead(sentence: str, slot: Slot | None) -> str:
    """An English lead for an Arabic sentence: "The articles give 350", or "The articles say" with nothing to lift.

    Only values the citation checker can verify word for word are lifted: numbers (with a
    percent sign), month and weekday names (with their day number), years, clock times (whole,
    for "when" only), and Latin-script names written in the sentence; none that the question
    itself already gives.
    """
    values = lift_values(sentence, slot)
    return f"The articles give {_join(values)}" if values else "The articles say"


def lift_values(sentence: str, slot: Slot | None) -> list[str]:
    """The values of `sentence` an English lead may state (see `english_lead`), in the slot's order of interest."""
    known = set(slot.numbers) if slot else set()
    norm = normalize(sentence)
    dates: list[str] = []
    used: set[str] = set()
    for name, days, index in months_with_days(norm):
        used |= days
        if index not in (slot.dates if slot else ()):
            dates.append(name)
    clocks = list(dict.fromkeys(m.group(0) for m in _CLOCK.finditer(norm)))
    norm = _CLOCK.sub(" ", norm)  # a time is lifted whole, as a time, or not at all
    # A numeric date is lifted whole when its year is Gregorian ("12/7/2015"), never as numbers; a Hijri year
    # ("1436هـ") is never lifted: it is no amount, and "1436" alone would read as a Gregorian year in English.
    numeric = list(NUMERIC_DATE.finditer(norm))
    clocks += [
        re.sub(r"\s+", "", m.group(0)) for m in numeric if YEAR.fullmatch(m.group(3)) or YEAR.fullmatch(m.group(1))
    ]
    used |= not_counts(norm)  # Hijri years, dates' parts, scores ("2/1"), hours ("الساعة 12")
    years = [y for y in dict.fromkeys(YEAR.findall(norm)) if y not in known]
    nums = []
    for m in _NUMBER_WITH_UNIT.finditer(norm):
        n = m.group(1).replace(",", "")
        if n in known or n in used or n in years:
            continue
        nums.append(n + ("%" if m.group(2) else ""))
    names = [n for n in latin_names(_without_latin_phrases(sentence)) if not slot or n.lower() not in slot.names]
    kind = slot.kind if slot else "what"
    if kind == "when":  # one time expression is the answer; with several, the lead cannot tell which
        # Asked when, a four-digit number after "in", "since", "year"... is a year even outside YEAR's news
        # range ("بدايةً من 1519"); "قتل 1500 جندي" is not.
        words = norm.split()
        cued = [y for prev, w in itertools.pairwise(words)
                if prev.lstrip("و") in _YEAR_CUES and _WHEN_YEAR.fullmatch(y := w.rstrip(".,،؛"))]  # fmt: skip
        found = YEAR.findall(norm) + cued
        years = [y for y in dict.fromkeys(found) if y not in known and y not in used]
        times = list(dict.fromkeys(dates + years + clocks + relative_times(norm)))
        return times if len(times) == 1 else []
    if kind == "count" and slot is not None and slot.measure == "duration":  # "how long": "12 days", "several days"
        durations = [f"{n} {_en_unit(m.group(2), plural=n != '1')}" for m in DURATION.finditer(norm)
                     if (n := NUMBER_WORDS.get(m.group(1), m.group(1).replace(",", ""))) not in known]  # fmt: skip
        durations += [f"{'several' if m.group(1) in ('عده', 'بضعه', 'بضع') else m.group(1)} "
                      f"{_en_unit(m.group(2), plural=True)}" for m in FEW_UNITS.finditer(norm)]  # fmt: skip
        durations += [t for t in relative_times(norm) if t.startswith("two ")]
        found = list(dict.fromkeys(durations))
        return found if len(found) == 1 else []  # one duration is the answer; with several, the lead cannot tell
    if kind == "count" and slot is not None and slot.measure:  # a count is no share, a share is no count
        nums = [n for n in nums if n.endswith("%") == (slot.measure == "percent")]
    if kind == "count" and slot is not None and slot.measure == "count" and not slot.terms & _DURATION_ASKED:
        # "how many rounds": 5 of "5 جولات … حرب استمرت 12 يوما", not the 12 days (unless days are asked)
        spans = {m.group(1).replace(",", "") for m in DURATION.finditer(norm)}
        nums = [n for n in nums if n not in spans]
    groups = {"count": nums, "who": names, "where": names}.get(kind, names)
    return list(dict.fromkeys(groups))[:2]


def _en_unit(unit: str, *, plural: bool) -> str:
    """A time unit of `qa.question.DURATION` in English ("يوما": "day"/"days"); an English one as it is written."""
    en = TIME_UNITS.get(unit)
    if en is None:
        return unit
    return ("centuries" if en == "century" else en + "s") if plural else en


# The question words (analysed English terms) that ask for a number of time units (`qa.question.DURATION`).
_DURATION_ASKED = frozenset("long day week month year hour minut minute old age ago durat".split())


# Three or more Latin-script words in a row, and the lower-case words a name may hold ("Sultanate of Oman").
_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z'’.\-]*(?:[\s,;:]+[A-Za-z][A-Za-z'’.\-]*){2,}")
_NAME_LINKS = frozenset("of the and de du da di del la le al el bin ibn bint von van der den".split())


def _without_latin_phrases(sentence: str) -> str:
    """The sentence with its Latin-script phrases blanked (their capitalised words are no names to lift).

    A run of Latin words holding a lower-case word that links no name ("dux et magister Italiae comesque
    Normannorum", quoted in an Arabic sentence) is a phrase in a foreign language: read on XQuAD dev, "The
    articles give Italiae and Normannorum" answered who the leader was, whose name the Arabic gives.
    """

    def blank(m: re.Match[str]) -> str:
        words = re.findall(r"[A-Za-z][A-Za-z'’.\-]*", m.group(0))
        phrase = any(w[0].islower() and w.lower() not in _NAME_LINKS for w in words)
        return " " * len(m.group(0)) if phrase else m.group(0)

    return _LATIN_RUN.sub(blank, sentence)


def months_with_days(norm: str) -> list[tuple[str, set[str], int]]:
    """English forms of the month and weekday names in normalised text, the numbers they take, their index.

    A month takes the day number before it and the year right after it ("13 أبريل 2024": "13 April 2024").
    """
    out: list[tuple[str, set[str], int]] = []
    words = norm.split()
    for i, w in enumerate(words):
        found = months(w)
        if not found:
            continue
        idx = min(found)
        if idx >= 100:
            out.append((_EN_DAYS[idx - 100], set(), idx))
            continue
        day = words[i - 1] if i > 0 and words[i - 1].isdigit() and len(words[i - 1]) <= 2 else None
        after = words[i + 1].rstrip(".,،؛") if i + 1 < len(words) else ""
        year = after if _WHEN_YEAR.fullmatch(after) else None
        name = " ".join(x for x in (day, _EN_MONTHS[idx], year) if x)
        out.append((name, {x for x in (day, year) if x}, idx))
    return out


def _join(values: Sequence[str]) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " and " + values[-1]


def _shorten(quote: str) -> str:
    if len(quote) <= QUOTE_CHARS:
        return quote
    cut = quote.rfind(" ", 0, QUOTE_CHARS)
    return quote[: cut if cut > 0 else QUOTE_CHARS] + "…"
