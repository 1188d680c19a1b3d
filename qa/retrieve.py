"""Hybrid retrieval: dense (e5 through Chroma) and lexical (Arabic BM25) results fused, duplicates collapsed.

Each side proposes candidates under the same filter (article ids, outlets, a
date range, always restricted to committed articles). Every candidate gets its
dense cosine (lexical-only hits are scored with their stored vectors), and the
fused score is

    fused = cosine + lexical_weight * coverage * bm25 / max_bm25

where `coverage` is the share of the question's analysed terms that occur in
the index at all. So the lexical side counts in proportion to what it can say:
an Arabic question over Arabic text uses it fully, an English question whose
only shared terms are a number or a name uses it a little, and one with no
shared term not at all (fixed-k reciprocal-rank fusion, which ignores this,
lowered recall for dense-strong sets and English questions: see the README for
the figures of `bench/retrieval.py` that chose this form and the weight).

Near-duplicates (the same caption or paragraph twice, in one article or two)
take one slot: a passage is dropped when its normalised text equals, or its
word set overlaps at least `DUPLICATE_OVERLAP` with, a better one.

`Passage.score` stays the dense cosine (what the extractive answerer's
thresholds are calibrated on); `Passage.fused` is the fused score that sets
the order.

An English question can bring its Arabic rendering (`qa.translate`): the
lexical side then analyses `lexical_text` instead of the question, and the
dense side takes `extra_vector` (the rendering's query vector) as a second
query. Candidates come from both vectors, and the dense score of a candidate
is the weighted mean of its two cosines (`extra_mode="mean"`, weight
`extra_weight` on the rendering, 0.3 by default: picked on half A of XQuAD
dev by `bench/retrieval.py --translate`) or the larger one (`"max"`, worse);
`Passage.score` stays the cosine to the question's own vector.

With a `SentenceRerank` (`qa.rerank`), the first candidates of an English question's fused order
are rescored by their best sentence's cosine too, and `Passage.fused` is that score.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from index.errors import InputError
from index.lexical import LexicalIndex
from index.models import Chunk
from index.normalize import DUPLICATE_OVERLAP, normalize, text_key, tokens, word_jaccard
from index.store import ChunkStore
from qa.language import detect_language
from qa.models import Passage
from qa.question import analyze_question, coverage
from qa.rerank import SentenceRerank
from qa.settings import Settings


class RetrievalFilter(BaseModel):
    """Restricts retrieval to some articles; empty fields do not restrict.

    A date range keeps articles whose stated date falls in it (inclusive). Dates
    written without a year ("13 أبريل") match when some year of the range makes
    them fall inside it; articles with no readable date are left out.
    """

    model_config = ConfigDict(frozen=True)

    article_ids: tuple[str, ...] | None = Field(None, description="Only these articles.")
    outlets: tuple[str, ...] | None = Field(None, description="Only articles of these outlets (as recorded).")
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def from_strings(
        cls, outlets: Sequence[str] | None, since: str | None, until: str | None
    ) -> RetrievalFilter | None:
        """A filter from what people type (outlets, YYYY-MM-DD dates); None when nothing is set.

        A malformed date or an empty range is an `InputError` (the chat, the CLI and the HTTP API
        all read their filters through here).
        """

        def day(text: str | None, what: str) -> date | None:
            if not text or not text.strip():
                return None
            try:
                return date.fromisoformat(text.strip())
            except ValueError:
                raise InputError(f"the {what} date {text.strip()!r} is not a date: write it as YYYY-MM-DD") from None

        date_from, date_to = day(since, "from"), day(until, "to")
        chosen = tuple(o for o in outlets or () if o.strip())
        if not chosen and date_from is None and date_to is None:
            return None
        if date_from and date_to and date_from > date_to:
            raise InputError(f"the date range is empty: {date_from} is after {date_to}")
        return cls(outlets=chosen or None, date_from=date_from, date_to=date_to)

    @property
    def needs_articles(self) -> bool:
        """Whether the filter reads article records (outlet or date), not only ids."""
        return bool(self.outlets) or self.date_from is not None or self.date_to is not None


ExtraMode = Literal["mean", "max"]


class HybridRetriever:
    """Dense + lexical retrieval over one store and its lexical index."""

    def __init__(
        self, store: ChunkStore, lexical: LexicalIndex, *, lexical_weight: float, candidates: int = 20,
        extra_mode: ExtraMode = "mean", extra_weight: float = 0.3, rerank: SentenceRerank | None = None,
        name_weight: float = 0.0,
    ) -> None:  # fmt: skip
        self.store = store
        self.lexical = lexical
        self.lexical_weight = lexical_weight
        self.candidates = candidates
        self.extra_mode = extra_mode
        self.extra_weight = extra_weight
        self.rerank = rerank
        self.name_weight = name_weight

    @classmethod
    def from_settings(
        cls, store: ChunkStore, lexical: LexicalIndex, settings: Settings, *, rerank: SentenceRerank | None = None,
        **overrides: Any,
    ) -> HybridRetriever:  # fmt: skip
        """The retriever `settings` describe (lexical weight, candidates, name weight); `overrides` replace any."""
        kwargs: dict[str, Any] = {
            "lexical_weight": settings.lexical_weight,
            "rerank": rerank,
            "candidates": settings.retrieval_candidates,
            "name_weight": settings.name_weight,
        }
        return cls(store, lexical, **(kwargs | overrides))

    def retrieve(
        self, question: str, vector: Sequence[float], k: int, where: RetrievalFilter | None = None, *,
        lexical_text: str | None = None, extra_vector: Sequence[float] | None = None,
        lexical_weight: float | None = None,
    ) -> list[Passage]:  # fmt: skip
        """The `k` best distinct passages for the question, best first.

        `lexical_text` is analysed for the lexical side instead of the question (an
        English question's Arabic rendering); `extra_vector` is a second query vector
        for the dense side (the rendering's), combined as `extra_mode` says;
        `lexical_weight` overrides the retriever's weight for this call.
        """
        self._catch_up()
        allowed = None if where is None else self._allowed(where, self.store.article_ids())
        if (allowed is not None and not allowed) or k <= 0:
            return []
        weight_of_sentences = self.rerank.weight(detect_language(question)) if self.rerank is not None else 0.0
        pool = max(k, self.rerank.candidates) if self.rerank is not None and weight_of_sentences > 0 else k
        n = max(self.candidates, 3 * pool)
        chroma_where = None if allowed is None else {"article_id": {"$in": sorted(allowed)}}
        dense = self.store.search(vector, n, where=chroma_where)
        cosines = {c.id: s for c, s in dense}
        chunks = {c.id: c for c, _ in dense}
        vectors = [np.asarray(vector, dtype=np.float32)]
        sides = [cosines]
        if extra_vector is not None:
            other = self.store.search(extra_vector, n, where=chroma_where)
            chunks |= {c.id: c for c, _ in other}
            vectors.append(np.asarray(extra_vector, dtype=np.float32))
            sides.append({c.id: s for c, s in other})
            floors = [min(side.values(), default=0.0) for side in sides]
            self._fill(sides, vectors, list(chunks))
        else:
            floors = [min(cosines.values(), default=0.0)]
        scores = {
            cid: self._dense_score([side[cid] for side in sides])
            for cid in chunks
            if all(cid in side for side in sides)
        }
        terms = self.lexical.analyzer(lexical_text if lexical_text and lexical_text.strip() else question)
        base = self.lexical_weight if lexical_weight is None else lexical_weight
        weight = base * self.lexical.coverage(terms) if base > 0 else 0.0
        bm25: dict[str, float] = {}
        if weight > 0:
            lexical = self.lexical.search(terms, n, allowed)
            committed = self.store.committed({c.article_id for c, _ in lexical})  # none half-written or removed
            lexical = [(c, s) for c, s in lexical if c.article_id in committed]
            bm25 = {c.id: s for c, s in lexical}
            chunks |= {c.id: c for c, _ in lexical}
            self._score_lexical_only(lexical, scores, sides, vectors, self._dense_score(floors), weight, k)
        fused = fuse(scores, bm25, weight)
        if self.name_weight > 0 and detect_language(question) == "en":
            fused = self._with_names(question, fused, chunks)
        ids = list(fused)
        kept = [ids[i] for i in collapse_duplicates([chunks[i].text for i in ids], pool)]
        if self.rerank is not None and weight_of_sentences > 0:  # English questions: by their best sentence too
            best = self.rerank.best_sentence_cosines(vector, [chunks[i] for i in kept])
            w = weight_of_sentences
            pairs = zip(kept, best, strict=True)
            fused = {i: (1 - w) * fused[i] + w * (b if b is not None else cosines[i]) for i, b in pairs}
            kept = sorted(kept, key=lambda i: -fused[i])
        return [
            Passage(chunk=chunks[cid], score=round(cosines[cid], 6), fused=round(fused[cid], 6), rank=r)
            for r, cid in enumerate(kept[:k], start=1)
        ]

    def _with_names(self, question: str, fused: dict[str, float], chunks: dict[str, Chunk]) -> dict[str, float]:
        """An English question's fused scores + `name_weight` x the share of its names and numbers a passage holds.

        `qa.question.coverage` across languages: a Latin name is held by its transliteration or its exonym
        (`qa.facts.name_in`), which the lexical side cannot see ("McGurk" is no term of an Arabic index).
        Only the first `2 * candidates` passages are read (name matching costs a regex pass per passage and name);
        the rest keep their order below them.
        """
        slot = analyze_question(question)
        if not slot.names and not slot.numbers:
            return fused
        head = list(fused)[: 2 * self.candidates]
        boosted = {cid: fused[cid] + self.name_weight * coverage(slot, [chunks[cid].text]) for cid in head}
        rest = {cid: v for cid, v in fused.items() if cid not in boosted}
        return dict(sorted(boosted.items(), key=lambda kv: -kv[1])) | rest

    def _dense_score(self, cosines: Sequence[float]) -> float:
        """A candidate's dense score from its cosine to each query vector (the question's first)."""
        if len(cosines) == 1:
            return cosines[0]
        if self.extra_mode == "max":
            return max(cosines)
        return (1 - self.extra_weight) * cosines[0] + self.extra_weight * cosines[1]

    def _fill(self, sides: list[dict[str, float]], vectors: list[npt.NDArray[np.float32]], ids: Sequence[str]) -> None:
        """Give every one of `ids` its cosine on every side, reading the stored vectors it lacks one for."""
        missing = [cid for cid in ids if any(cid not in side for side in sides)]
        for cid, v in self.store.vectors_of(missing).items():
            stored = np.asarray(v, dtype=np.float32)
            for side, q in zip(sides, vectors, strict=True):
                side.setdefault(cid, float(stored @ q))

    def _catch_up(self) -> None:
        """Sync the lexical index when the store moved (another process or instance wrote to it).

        The store's state is its chunk and article counts, read before the sync: a writer puts an
        article's chunks first and its record after, so a sync that falls between the two sees the
        chunks counted but not the article, and the record's arrival moves the state again.
        """
        state = (self.store.chunk_count(), self.store.article_count())
        if state != self.lexical.state() and state != self.lexical.synced_at:
            self.lexical.sync(self.store)
            self.lexical.synced_at = state

    def _score_lexical_only(
        self, lexical: list[tuple[Chunk, float]], scores: dict[str, float], sides: list[dict[str, float]],
        vectors: list[npt.NDArray[np.float32]], floor: float, weight: float, k: int,
    ) -> None:  # fmt: skip
        """Give lexical-only hits their dense score, reading stored vectors only for hits that could reach the top `k`.

        A hit the dense side did not propose scores at most `floor` (the dense score of the
        lowest proposed cosines), so with that bound a hit that cannot beat the current k-th
        fused score is left out.
        """
        top = max((s for _, s in lexical), default=0.0)
        bound = {c.id: floor + weight * s / top for c, s in lexical if c.id not in scores}
        if not bound:
            return
        known = sorted(fuse(scores, {c.id: s for c, s in lexical}, weight).values(), reverse=True)
        cut = known[min(len(known), 2 * k) - 1] if known else float("-inf")  # room for duplicates collapsing
        wanted = [cid for cid, b in bound.items() if b >= cut]
        for cid, v in self.store.vectors_of(wanted).items():
            stored = np.asarray(v, dtype=np.float32)
            got = [float(stored @ q) for q in vectors]
            for side, cos in zip(sides, got, strict=True):
                side[cid] = cos
            scores[cid] = self._dense_score(got)

    def _allowed(self, where: RetrievalFilter, committed: set[str]) -> set[str]:
        allowed = set(committed)
        if where.article_ids is not None:
            allowed &= set(where.article_ids)
        if where.needs_articles:
            outlets = {normalize(o).strip() for o in where.outlets or ()}
            keep = set()
            for a in self.store.articles():
                if outlets and normalize(a.outlet or "").strip() not in outlets:
                    continue
                if (where.date_from or where.date_to) and not date_in_range(a.date, where.date_from, where.date_to):
                    continue
                keep.add(a.id)
            allowed &= keep
        return allowed


def fuse(cosines: dict[str, float], bm25: dict[str, float], weight: float) -> dict[str, float]:
    """Fused scores, best first: cosine plus `weight` times the BM25 score relative to the best one."""
    top = max(bm25.values(), default=0.0)
    scores = {cid: cos + (weight * bm25.get(cid, 0.0) / top if top > 0 else 0.0) for cid, cos in cosines.items()}
    return dict(sorted(scores.items(), key=lambda kv: -kv[1]))


def collapse_duplicates(texts: Sequence[str], k: int) -> list[int]:
    """Indexes of the first `k` texts that are not near-duplicates of an earlier kept one."""
    kept: list[int] = []
    keys: set[str] = set()
    words: list[set[str]] = []
    for i, text in enumerate(texts):
        key = text_key(text)
        bag = set(tokens(text))
        if key in keys or any(word_jaccard(bag, w) >= DUPLICATE_OVERLAP for w in words):
            continue
        kept.append(i)
        keys.add(key)
        words.append(bag)
        if len(kept) == k:
            break
    return kept


_MONTHS = {
    normalize(name): n
    for n, names in enumerate(
        [
            "يناير|كانون الثاني|january|jan", "فبراير|شباط|february|feb", "مارس|آذار|march|mar",
            "أبريل|ابريل|إبريل|نيسان|april|apr", "مايو|أيار|may", "يونيو|يونيه|حزيران|june|jun",
            "يوليو|يوليه|تموز|july|jul", "أغسطس|اغسطس|آب|august|aug", "سبتمبر|أيلول|september|sept|sep",
            "أكتوبر|اكتوبر|تشرين الأول|october|oct", "نوفمبر|تشرين الثاني|november|nov",
            "ديسمبر|كانون الأول|december|dec",
        ],
        start=1,
    )
    for name in names.split("|")
}  # fmt: skip
_MONTH_RE = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_NAMED = re.compile(
    rf"(?:(?<!\d)(\d{{1,2}})\s+)?(?:من\s+)?({_MONTH_RE})\b(?:\s*[/(]\s*(?:{_MONTH_RE})\s*\)?)?(?:\D{{0,12}}?(\d{{4}}))?"
)
_NAMED_EN = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?!\d)(?:st|nd|rd|th)?,?(?:\s+(\d{{4}}))?")
_ISO = re.compile(r"(\d{4})-(\d\d)-(\d\d)")
_DMY = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")


def parse_date(text: str | None) -> tuple[int | None, int, int | None] | None:
    """(year or None, month, day or None) of a date as articles write it, or None when unreadable."""
    if not text:
        return None
    t = normalize(text)
    if m := _ISO.search(t):
        return int(m[1]), int(m[2]), int(m[3])
    if m := _DMY.search(t):
        return int(m[3]), int(m[2]), int(m[1])
    if m := _NAMED_EN.search(t):
        return (int(m[3]) if m[3] else None), _MONTHS[m[1]], int(m[2])
    if m := _NAMED.search(t):
        return (int(m[3]) if m[3] else None), _MONTHS[m[2]], (int(m[1]) if m[1] else None)
    return None


def date_in_range(text: str | None, start: date | None, end: date | None) -> bool:
    """Whether the article date `text` lies in [start, end] (see `RetrievalFilter` for dates without a year)."""
    parsed = parse_date(text)
    if parsed is None:
        return False
    year, month, day = parsed
    lo, hi = start or date.min, end or date.max
    if year is not None:
        years: Sequence[int] = [year]
    else:  # no year written: any year the range covers (one open end: the other end's year)
        years = range((start or hi).year, (end or lo).year + 1)
    for y in years:
        first = date(y, month, day or 1)
        last = date(y, month, day or 28)
        if first <= hi and last >= lo:
            return True
    return False
