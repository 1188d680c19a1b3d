"""The extractive answer: the retrieved sentences that best answer the question, cited.

No generative model: each retrieved passage is split into sentences, every
sentence is embedded and compared with the question, and the best ones (at most
`max_sentences`, close in score to the best) become the answer, each followed by
its citation marker. When even the best sentence is not similar enough to the
question, the answer says the articles do not cover it and cites nothing.

It does not translate: an English question gets the Arabic sentences that answer it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.chunk import split_sentences
from index.embed import Embedder
from qa.models import Citation, Language, Passage

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


def score_sentences(query_vector: Sequence[float], candidates: list[Candidate], embedder: Embedder) -> list[Candidate]:
    """Candidates with their cosine similarity to the question, best first."""
    if not candidates:
        return []
    vectors = np.asarray(embedder.embed_passages([c.text for c in candidates]), dtype=np.float32)
    scores = vectors @ np.asarray(query_vector, dtype=np.float32)
    scored = [Candidate(c.passage, c.start, c.end, c.text, float(s)) for c, s in zip(candidates, scores, strict=True)]
    return sorted(scored, key=lambda c: -c.score)


def select(scored: Sequence[Candidate], *, min_relevance: float, max_sentences: int) -> list[Candidate]:
    """The sentences that make the answer; empty when none is relevant enough."""
    if not scored or scored[0].score < min_relevance:
        return []
    best = scored[0].score
    return [c for c in scored if c.score >= best - SCORE_MARGIN][:max_sentences]


def compose(chosen: Sequence[Candidate], language: Language) -> tuple[str, tuple[Citation, ...]]:
    """Answer text with a marker after each sentence, and the citations the markers name."""
    if not chosen:
        return NOT_IN_ARTICLES[language], ()
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
    return " ".join(f"{c.quote} [{c.marker}]" for c in citations), citations
