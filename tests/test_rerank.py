"""Sentence-level reranking (`qa.rerank`): best-sentence cosines, the reorder it makes, and where it applies.

The fake embedder's vectors depend on the words, so a passage whose one sentence repeats the
question but whose other sentences dilute its mean vector is exactly the case the reranker is for.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.models import Chunk
from qa.assistant import Assistant
from qa.rerank import SentenceRerank, from_settings
from qa.settings import Settings
from tests.conftest import FakeEmbedder

QUESTION = "Which harbour did the Meridian convoy reach at dawn?"
ANSWERS = (
    "Harbour news.\n\nThe Meridian convoy reached the harbour of Tarsis at dawn on Monday. "
    "Rainfall totals across several unrelated provinces were recorded by weather stations overnight. "
    "Farmers planted barley, lentils and chickpeas in terraced fields along the eastern valleys. "
    "Museum curators catalogued pottery shards, bronze coins and woven textiles from excavations.\n"
)
CLOSE = (
    "Convoy news.\n\nThe convoy and the harbour were mentioned at dawn. Which convoy, which harbour, which dawn. "
    "Meridian harbour convoy dawn reach, reports said.\n"
)


def _chunk(text: str, i: int = 0) -> Chunk:
    return Chunk(id=f"c{i}", article_id=f"a{i}", title="t", text=text, start=0, end=len(text), ordinal=0)


def test_best_sentence_cosine_is_the_closest_sentence_and_none_without_one(fake_embedder: FakeEmbedder) -> None:
    rerank = SentenceRerank(fake_embedder, {"en": 1.0})
    q = fake_embedder.embed_query(QUESTION)
    text = "A short one. The Meridian convoy reached the harbour at dawn today. Markets were calm all week long."
    (best,) = rerank.best_sentence_cosines(q, [_chunk(text)])
    sentence = fake_embedder.embed_passages(["The Meridian convoy reached the harbour at dawn today."])[0]
    assert best == pytest.approx(float(np.dot(sentence, q)), abs=1e-5)
    assert rerank.best_sentence_cosines(q, [_chunk("Too short.")]) == [None]  # headings and fragments do not count


def test_sentence_vectors_are_cached(fake_embedder: FakeEmbedder) -> None:
    rerank = SentenceRerank(fake_embedder, {"en": 1.0}, cache_size=2)
    q = fake_embedder.embed_query(QUESTION)
    chunk = _chunk("The Meridian convoy reached the harbour at dawn today. Markets were calm all week long.")
    rerank.best_sentence_cosines(q, [chunk])
    calls = fake_embedder.calls
    rerank.best_sentence_cosines(q, [chunk])
    assert fake_embedder.calls == calls  # both sentences came from the cache
    rerank.best_sentence_cosines(q, [_chunk("Another sentence of four words. And yet one more of them.")])
    assert len(rerank._cache) == 2  # bounded: the oldest went


def test_weights_per_language_and_off_when_all_zero(fake_embedder: FakeEmbedder) -> None:
    s = Settings(_env_file=None)
    rerank = from_settings(s, fake_embedder)
    assert rerank is not None and rerank.weight("en") == s.rerank_weight_en and rerank.weight("ar") == 0.0
    assert from_settings(s.model_copy(update={"rerank_weight_en": 0.0}), fake_embedder) is None


def _assistant(tmp_path: Path, emb: FakeEmbedder, weight: float) -> Assistant:
    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "answers.txt").write_text(ANSWERS, encoding="utf-8")
    (docs / "close.txt").write_text(CLOSE, encoding="utf-8")
    s = Settings(data_dir=tmp_path / f"data{weight}", rerank_weight_en=weight, chunk_max_chars=2000, _env_file=None)
    assistant = Assistant(s, embedder=emb)
    assistant.ingest([docs])
    return assistant


def test_an_english_question_gets_the_passage_whose_sentence_answers_first(tmp_path: Path) -> None:
    emb = FakeEmbedder()
    plain = _assistant(tmp_path, emb, 0.0).retrieve(QUESTION, k=2)
    assert "Tarsis" not in plain[0].chunk.text  # the passage of question words wins on its mean vector
    reranked = _assistant(tmp_path, emb, 1.0).retrieve(QUESTION, k=2)
    assert "Tarsis" in reranked[0].chunk.text
    assert [p.rank for p in reranked] == [1, 2]
    fused = [p.fused or 0.0 for p in reranked]
    assert fused == sorted(fused, reverse=True)  # `fused` is the score that set the order
    assert {p.chunk.id for p in plain} == {p.chunk.id for p in reranked}
    assert reranked[0].score == next(p.score for p in plain if p.chunk.id == reranked[0].chunk.id)  # cosine kept
