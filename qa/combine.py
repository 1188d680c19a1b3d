"""Answers across articles: what each outlet says, and questions in several parts.

The extractive answer (`qa.extractive.select`) takes the sentences closest to the
question. Two everyday cases need more than that:

- **Outlets.** When sentences that answer come from articles of different outlets
  (`add_outlets`), the answer gives each outlet's best one, attributed from the
  article's metadata (never inferred from the text), and says whether they agree on
  the asked value (`slot_values`, `relation`: numbers, dates, relative times and Latin
  names, compared after normalisation, so "8 مايو" and "May 8" agree and "مصدران" and
  "3 مصادر" do not). The same sentence carried by several outlets (wire copy) is shown
  once, cited to each (`qa.extractive.compose`).
- **Parts.** A question in several parts ("why did Iran attack, and how was the attack
  repelled?") is split at the conjunction that opens its next question (`question_parts`);
  each part gets its own best sentence that answers it, checked against that part's slot
  (`select_parts`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

import numpy as np

from index.embed import Embedder
from index.normalize import normalize
from qa.extractive import Candidate, months_with_days, relative_times
from qa.facts import latin_names, months, numbers
from qa.question import (
    YEAR,
    Slot,
    analyze_question,
    check_answering,
    counted_nouns,
    counts_asked,
    date_numbers,
    dual_of_counted,
    percent_numbers,
    skeleton,
)

Relation = Literal["agree", "differ"] | None

#: Another outlet's best answering sentence joins the answer when its score is this close to the best.
OUTLET_MARGIN = 0.03
#: Question kinds whose answers are values `slot_values` reads, so that outlets can be compared.
COMPARED_KINDS = frozenset({"when", "count", "who", "where"})
#: At most this many outlets are quoted in one answer (the best first).
MAX_OUTLETS = 3
#: A part shorter than this (in words) is asked with the first part beside it: "on what conditions?" alone says little.
SHORT_PART_WORDS = 4

# A conjunction opening another question: "، وكيف …", "وما …", ", and how …", "and on what …". "ولم" is
# "and did not" far more often than "and why"; and not "وما زالت" (still), "وما إلى ذلك" (and so on),
# "ومن المتوقع" (and it is expected), "ومن ثم" (then).
_AR_PART = re.compile(
    r"\s*[،,؛]?\s+و(?=(?:كيف|ما|ماذا|لماذا|متى|من|أين|اين|هل|كم|بماذا|بم|أي|اي|إلى أي|الى اي|على ماذا|عن ماذا)\s)"
    r"(?!ما\s+(?:زال|زالت|يزال|تزال|دام|دامت|برح|انفك|إلى|الى)\b)(?!من\s+(?:المتوقع|المقرر|ثم|جهة|جانب|بين)\b)"
)
_EN_PART = re.compile(
    r"\s*[,;]?\s+and\s+(?=(?:how|what|why|when|where|who|whom|which|whose|on what|in what|to what|for what|with whom|"
    r"is|are|was|were|did|does|do|will|would|can|could|has|have)\b)",
    re.I,
)


def question_parts(question: str) -> list[str]:
    """The questions a compound question asks, each ending with its question mark (one part: the question itself).

    Split only where a conjunction opens another question word, so "the US and the Europeans" stays whole.
    """
    body = question.strip().rstrip("?؟").strip()
    mark = "؟" if re.search(r"[\u0600-\u06ff]", body) else "?"
    pieces = [p.strip() for p in (_AR_PART if mark == "؟" else _EN_PART).split(body)]
    if len(pieces) < 2 or any(len(p.split()) < 2 for p in pieces) or not _asks(pieces[0], mark):
        return [question]  # "the merger between UPT and what network?" is one question
    return [p + mark for p in pieces]


_EN_ASKS = re.compile(
    r"^(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should)\b|"
    r"\b(?:how|what|why|when|where|who|whom|which|whose)\b",
    re.I,
)
_AR_ASKS = frozenset(normalize(w) for w in "كم متى أين لماذا لم كيف هل ماذا ما من أي بماذا".split())


def _asks(piece: str, mark: str) -> bool:
    """Whether the first piece of a split is a question of its own (it has a question word)."""
    if mark == "?":
        return bool(_EN_ASKS.search(piece))
    words = [w.lstrip("و") if len(w) > 2 else w for w in normalize(piece).split()]
    return bool(_AR_ASKS & set(words)) or normalize(piece).startswith(("الي اي", "في اي"))


def select_parts(
    parts: Sequence[str],
    candidates: Sequence[Candidate],
    vectors: np.ndarray,
    embedder: Embedder,
    *,
    min_relevance: float,
) -> list[Candidate]:
    """One sentence per part: the closest to it that answers its slot and is relevant enough (none left: skipped).

    `vectors` are the candidates' passage vectors. A short later part is asked with the first beside it.
    """
    rows = []  # per part: its scores over the candidates, answering ones only (others -inf)
    for i, part in enumerate(parts):
        query = part if i == 0 or len(part.split()) >= SHORT_PART_WORDS else f"{part} {parts[0]}"
        slot = analyze_question(part)
        scores = vectors @ np.asarray(embedder.embed_query(query), dtype=np.float32)
        answers = np.array([check_answering(slot, c.text).answers for c in candidates], dtype=bool)
        rows.append(np.where(answers & (scores >= min_relevance), scores, -np.inf))
    # Best pairs first, so a sentence goes to the part it answers best ("why X, and how Y": the Y sentence
    # scores high for the why-part too, but higher for its own).
    matrix = np.array(rows) if rows else np.zeros((0, len(candidates)))
    picked: dict[int, int] = {}
    for flat in np.argsort(-matrix, axis=None):
        i, j = divmod(int(flat), len(candidates))
        if not np.isfinite(matrix[i, j]):
            break
        if i not in picked and j not in picked.values():
            picked[i] = j
    return [replace(candidates[j], score=float(matrix[i, j]), answers=True) for i, j in sorted(picked.items())]


def add_outlets(
    chosen: Sequence[Candidate],
    scored: Sequence[Candidate],
    slot: Slot,
    *,
    min_relevance: float,
    margin: float = OUTLET_MARGIN,
    max_outlets: int = MAX_OUTLETS,
) -> list[Candidate]:
    """`chosen`, with the best answering sentence of each other outlet whose score is close to the best.

    Only for questions whose values can be compared (`COMPARED_KINDS`), only sentences that give a value
    for the slot, and only articles whose outlet is known (the attribution comes from metadata). A sentence
    that counts what the question counts ("3 مصادر" for "كم عدد المصادر") is another outlet's account of that
    very value: it need only be within `margin` of the relevance threshold, not of the best sentence.
    """
    out = list(chosen)
    if not out or slot.kind not in COMPARED_KINDS:
        return out
    seen = {c.passage.chunk.outlet for c in out}
    floor = max(min_relevance, max(c.score for c in out) - margin)
    for c in scored:  # best first
        outlet = c.passage.chunk.outlet
        if len(seen) >= max_outlets:
            break
        if not outlet or outlet in seen or c.answers is False:
            continue
        # floor >= min_relevance, so a sentence counting the asked noun meets the lower of the two bars.
        counted = c.answers is True and counts_asked(slot, c.text)
        if c.score < (min_relevance - margin if counted else floor):
            continue
        if slot_values(c.text, slot) and _same_thing(c.text, out, slot):
            out.append(c)
            seen.add(outlet)
    return out


def _same_thing(sentence: str, chosen: Sequence[Candidate], slot: Slot) -> bool:
    """For a count: whether the sentence's numbers count what the chosen sentences' numbers count.

    "3 مواقع" is no other account of "350 صاروخا"; "3 مصادر" is one of "مصدران". Other kinds: True.
    """
    if slot.kind != "count":
        return True
    nouns = {skeleton(n) for n in counted_nouns(sentence, slot) if n}
    theirs = {skeleton(n) for c in chosen for n in counted_nouns(c.text, slot) if n}
    return bool(nouns & theirs)


def slot_values(sentence: str, slot: Slot) -> frozenset[str]:
    """The values a sentence gives for the asked slot, normalised so that the same value reads the same.

    When: dates ("m4-8" for 8 May, in either language and digit form), years ("y2024") and relative times
    ("this week"). How many/much: its numbers (percentages with "%", Arabic duals of counted nouns as "2"),
    dates and years excluded. Who/where/which/what: the Latin-script names it gives that the question does
    not, by their last word (Arabic names are not recognised: no value). The question's own values never count.
    """
    norm = normalize(sentence)
    if slot.kind == "when":
        found: set[str] = set()
        for _, days, idx in _months_with_days(norm):
            if idx < 100 and idx not in slot.dates:
                day = min((d for d in days if len(d) <= 2), default=None)
                found.add(f"m{idx}-{int(day)}" if day else f"m{idx}")
        found |= {f"y{y}" for y in YEAR.findall(norm) if y not in slot.numbers}
        found |= set(relative_times(norm))
        return frozenset(found)
    if slot.kind == "count":
        shares = {n + "%" for n in percent_numbers(sentence)}
        plain = numbers(sentence) - date_numbers(sentence) - {s[:-1] for s in shares}
        if any(dual_of_counted(w) for w in norm.split()):
            plain.add("2")
        values = {n for n in plain if n not in slot.numbers} | {s for s in shares if s[:-1] not in slot.numbers}
        if slot.measure == "percent":
            values = {v for v in values if v.endswith("%")}
        elif slot.measure == "count":
            values = {v for v in values if not v.endswith("%")}
        return frozenset(values)
    # A name by its last word: "Ali Bagheri" and "Bagheri" are one person.
    return frozenset(n.lower().split()[-1] for n in latin_names(sentence) if n.lower() not in slot.names)


def relation(values: Sequence[frozenset[str]]) -> Relation:
    """Whether accounts agree (every two share a value) or differ (two share none); None when one gives none."""
    if len(values) < 2 or any(not v for v in values):
        return None
    return "agree" if all(a & b for i, a in enumerate(values) for b in values[i + 1 :]) else "differ"


def outlet_relation(chosen: Sequence[Candidate], slot: Slot) -> Relation:
    """The relation between the outlets' accounts in `chosen` (None with fewer than two known outlets).

    Only accounts of the same thing are compared: for a count, sentences whose numbers count what the
    first one's count (350 missiles and 3 sites neither agree nor differ).
    """
    by_outlet: dict[str, set[str]] = {}
    for c in chosen:
        outlet = c.passage.chunk.outlet
        if not outlet:
            return None
        if c is not chosen[0] and not _same_thing(c.text, chosen[:1], slot):
            continue
        by_outlet.setdefault(outlet, set()).update(slot_values(c.text, slot))
    return relation([frozenset(v) for v in by_outlet.values()])


def _months_with_days(norm: str) -> list[tuple[str, set[str], int]]:
    """`months_with_days`, plus English "May 8" (a day after the month) and "may" as a month only beside a day."""
    out = months_with_days(norm)
    words = norm.split()
    for i, w in enumerate(words):
        after = words[i + 1].rstrip(".,،؛") if i + 1 < len(words) else ""
        before = words[i - 1] if i > 0 else ""
        found = months(w) or ({4} if w == "may" and (after.isdigit() or before.isdigit()) else set())
        if found and after.isdigit() and len(after) <= 2 and not (before.isdigit() and len(before) <= 2):
            out.append(("", {after}, min(found)))
        elif w == "may" and before.isdigit() and len(before) <= 2:
            out.append(("", {before}, 4))
    return out
