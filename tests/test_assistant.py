"""The query API's logic on a real embedded Chroma with a fake (text-dependent) embedder."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.errors import IndexMissingError, InputError, StoreMismatchError
from qa.assistant import Assistant, clean_question
from qa.extractive import NOT_IN_ARTICLES
from qa.settings import Settings
from tests.conftest import CORPUS, FakeEmbedder


def _assistant(settings: Settings, emb: FakeEmbedder, **overrides: object) -> Assistant:
    # The fake embedder's similarities live on another scale than e5's: thresholds to match.
    s = settings.model_copy(update={"min_relevance_ar": 0.25, "min_relevance_en": 0.25, **overrides})
    return Assistant(s, embedder=emb)


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("؟؟ ... !!", "empty"),
        ("\x00\x01", "empty"),
        ("a" * 2001, "limit is 2,000"),
    ],
)
def test_bad_questions_are_refused_clearly(question: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        clean_question(question, 2000)


def test_question_is_cleaned() -> None:
    assert clean_question("  كم\x00 صاروخا\u200b  أطلقت\n إيران؟ ", 2000) == "كم صاروخا أطلقت إيران؟"


def test_ask_without_index_says_run_ingest(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    with pytest.raises(IndexMissingError, match="qa ingest"):
        _assistant(settings, fake_embedder).ask("كم صاروخا؟")


def test_ingest_twice_adds_and_embeds_nothing_new(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    a = _assistant(settings, fake_embedder)
    first = a.ingest([CORPUS])
    assert (first.files, first.articles_added, first.articles_unchanged) == (2, 3, 0)
    assert first.chunks_added == a.store().chunk_count() > 0
    calls = fake_embedder.calls
    second = a.ingest([CORPUS])
    assert (second.articles_added, second.chunks_added, second.articles_unchanged) == (0, 0, 3)
    assert fake_embedder.calls == calls, "nothing is embedded for known articles"
    # A new process (new Assistant) on the same folder sees the same index.
    assert _assistant(settings, FakeEmbedder()).store().chunk_count() == first.chunks_added


def test_bad_file_is_reported_and_the_rest_indexed(
    settings: Settings, fake_embedder: FakeEmbedder, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(
        (CORPUS / "001_ea4f6c5abfcd3f77.txt").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" * 50)
    report = _assistant(settings, fake_embedder).ingest([folder])
    assert report.articles_added == 1
    assert sorted(Path(f.source).name for f in report.failed) == ["binary.txt", "empty.txt"]
    assert all("binary.txt" in f.error or "empty.txt" in f.error for f in report.failed)


def test_changed_chunking_is_refused_not_mixed(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    _assistant(settings, fake_embedder).ingest([CORPUS])
    other = _assistant(settings, fake_embedder, chunk_max_chars=300)
    with pytest.raises(StoreMismatchError, match="rebuild"):
        other.ingest([CORPUS])
    report = other.ingest([CORPUS], rebuild=True)
    assert report.articles_added == 3


def test_answer_quotes_exact_article_spans(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    a = _assistant(settings, fake_embedder)
    a.ingest([CORPUS])
    answer = a.ask("أطلقت إيران 350 صاروخا بالستيا وطائرة بدون طيار باتجاه إسرائيل")
    assert answer.answered and answer.language == "ar" and answer.backend == "extractive"
    assert "350" in answer.citations[0].quote
    articles = {x.id: x for x in a.articles()}
    for c in answer.citations:
        assert articles[c.article_id].text[c.start : c.end] == c.quote
        assert f"{c.quote} [{c.marker}]" in answer.text
    assert [c.marker for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert [p.rank for p in answer.passages] == list(range(1, len(answer.passages) + 1))


def test_unrelated_question_gets_the_fixed_reply(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    a = _assistant(settings, fake_embedder)
    a.ingest([CORPUS])
    answer = a.ask("Which team won the basketball championship?")
    assert (answer.answered, answer.citations, answer.text) == (False, (), NOT_IN_ARTICLES["en"])
    assert answer.passages, "the passages that were looked at are still reported"


def test_retrieve_honours_k(settings: Settings, fake_embedder: FakeEmbedder) -> None:
    a = _assistant(settings, fake_embedder)
    a.ingest([CORPUS])
    assert len(a.retrieve("إيران", k=2)) == 2
    scores = [p.score for p in a.retrieve("محادثات عمان", k=6)]
    assert scores == sorted(scores, reverse=True)
