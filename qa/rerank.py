"""Sentence-level reranking of retrieved passages, for English questions over Arabic text.

A chunk's vector averages several sentences; across languages its cosine to the question is
weak and flat, and the passage that answers often ranks second. The best *sentence* of a
passage, compared with the question on its own, separates them better. `SentenceRerank`
rescores the first `candidates` passages of the fused order as

    score = (1 - w) * fused + w * best_sentence_cosine

with `w` per question language (`Settings.rerank_weight_*`). `bench/retrieval.py` and the
sweep behind the defaults (XQuAD dev, English questions; w chosen on half A, reported on B):
R@1 .774 / .806 -> .808 / .822 at w = 0.5; Arabic questions lose at any w > 0.25 (their
lexical side already separates the passages), so they keep w = 0.

Sentence vectors are memoised (bounded, per embedder) since a conversation asks about the same
passages again and again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence

import numpy as np

from index.chunk import split_sentences
from index.embed import Embedder
from index.models import Chunk
from qa.extractive import MIN_WORDS
from qa.settings import Settings


class SentenceRerank:
    """Rescores passages by their best sentence's cosine to the question (see the module docstring)."""

    def __init__(
        self, embedder: Embedder, weights: Mapping[str, float], *, candidates: int = 20, cache_size: int = 20_000
    ) -> None:
        self.embedder = embedder
        self.weights = dict(weights)
        self.candidates = candidates
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def weight(self, language: str) -> float:
        """The weight of the best sentence's cosine for questions in `language` (0: no reranking)."""
        return self.weights.get(language, 0.0)

    def best_sentence_cosines(self, vector: Sequence[float], chunks: Sequence[Chunk]) -> list[float | None]:
        """For each chunk, the highest cosine of one of its sentences to `vector` (None: no sentence long enough)."""
        per_chunk = [
            [chunk.text[s:e] for s, e in split_sentences(chunk.text) if len(chunk.text[s:e].split()) >= MIN_WORDS]
            for chunk in chunks
        ]
        vectors = self._vectors([t for texts in per_chunk for t in texts])
        q = np.asarray(vector, dtype=np.float32)
        out: list[float | None] = []
        for texts in per_chunk:
            out.append(max(float(vectors[t] @ q) for t in texts) if texts else None)
        return out

    def _vectors(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        with self._lock:
            found = {t: self._cache[t] for t in texts if t in self._cache}
            for t in found:
                self._cache.move_to_end(t)
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            new = np.asarray(self.embedder.embed_passages(missing), dtype=np.float32)
            with self._lock:
                for t, v in zip(missing, new, strict=True):
                    found[t] = self._cache[t] = v
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return found


def from_settings(settings: Settings, embedder: Embedder) -> SentenceRerank | None:
    """The reranker the settings ask for; None when every language's weight is 0."""
    weights = settings.rerank_weights()
    if not any(w > 0 for w in weights.values()):
        return None
    return SentenceRerank(embedder, weights, candidates=settings.rerank_candidates)
