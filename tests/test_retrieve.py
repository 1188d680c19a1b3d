"""Hybrid retrieval: fusion, duplicate collapse, filters and dates; on the fake embedder and on the real stack."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from qa.assistant import Assistant
from qa.retrieve import RetrievalFilter, collapse_duplicates, date_in_range, fuse, parse_date
from qa.settings import Settings
from tests.conftest import CORPUS, FakeEmbedder


def test_fuse_adds_weighted_relative_bm25_to_the_cosine() -> None:
    fused = fuse({"a": 0.80, "b": 0.78, "c": 0.70}, {"b": 10.0, "c": 5.0}, 0.06)
    assert list(fused) == ["b", "a", "c"]
    assert fused["b"] == pytest.approx(0.84) and fused["c"] == pytest.approx(0.73)
    assert list(fuse({"a": 0.8, "b": 0.7}, {"b": 9.0}, 0.0)) == ["a", "b"], "weight 0 is dense only"


def test_duplicates_take_one_slot() -> None:
    texts = [
        "صورة: الرئيسُ يصافح الوزير في القصر.",
        "صورة الرئيس يصافح الوزير في القصر",  # same words, other marks and punctuation
        "الرئيس يصافح الوزير في القصر اليوم صورة",  # near-duplicate (one extra word)
        "جرت المحادثات في مسقط.",
        "رفعت طهران التخصيب.",
    ]
    assert collapse_duplicates(texts, 5) == [0, 3, 4]
    assert collapse_duplicates(texts, 2) == [0, 3]


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("13 أبريل", (None, 4, 13)),
        ("19 يونيو/حزيران 2024", (2024, 6, 19)),
        ("٨ مايو ٢٠٢٣", (2023, 5, 8)),
        ("2024-03-05", (2024, 3, 5)),
        ("5/3/2024", (2024, 3, 5)),
        ("April 13, 2024", (2024, 4, 13)),
        ("no date here", None),
    ],
)
def test_parse_date(text: str, parsed: tuple[int | None, int, int | None] | None) -> None:
    assert parse_date(text) == parsed


def test_date_range_with_and_without_year() -> None:
    assert date_in_range("19 يونيو 2024", date(2024, 6, 1), date(2024, 6, 30))
    assert not date_in_range("19 يونيو 2023", date(2024, 6, 1), date(2024, 6, 30))
    assert date_in_range("13 أبريل", date(2025, 4, 1), date(2025, 4, 30)), "no year: any year of the range"
    assert not date_in_range("13 أبريل", date(2025, 5, 1), None)
    assert not date_in_range(None, date(2025, 1, 1), None)


def _fake(tmp_path: Path, emb: FakeEmbedder, **overrides: object) -> Assistant:
    s = Settings(data_dir=tmp_path / "data", _env_file=None, **overrides)  # type: ignore[arg-type]
    return Assistant(s, embedder=emb)


def test_the_same_caption_twice_takes_one_slot(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    caption = "الرئيس الإيراني يستقبل مدير الوكالة الدولية للطاقة الذرية في طهران صباح اليوم"
    docs = tmp_path / "docs"
    docs.mkdir()
    for i, extra in enumerate(["وبحث الجانبان ملف التفتيش.", "وتناولت المحادثات التعاون الفني."]):
        (docs / f"{i}.txt").write_text(f"خبر {i}\n\n{caption}.\n\n{extra}\n", encoding="utf-8")
    a = _fake(tmp_path, fake_embedder, chunk_max_chars=90, chunk_overlap=0)
    a.ingest([docs])
    passages = a.retrieve("الرئيس الإيراني يستقبل مدير الوكالة الدولية للطاقة الذرية", k=3)
    assert sum(caption in p.chunk.text for p in passages) == 1, [p.chunk.text for p in passages]
    assert [p.rank for p in passages] == list(range(1, len(passages) + 1))
    fused = [p.fused for p in passages]
    assert fused == sorted(fused, reverse=True)


def test_lexical_side_finds_what_the_dense_side_ranks_low(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    a = _fake(tmp_path, fake_embedder, lexical_weight=1.0)
    a.ingest([CORPUS])
    dense_only = _fake(tmp_path, fake_embedder, lexical_weight=0.0)
    q = "اليورانيوم 84%"
    hybrid = a.retrieve(q, k=1)[0]
    assert "84" in hybrid.chunk.text
    assert hybrid.fused is not None and hybrid.fused > hybrid.score, "the lexical side contributed"
    assert dense_only.retrieve(q, k=1)[0].fused == dense_only.retrieve(q, k=1)[0].score


def test_lexical_index_follows_ingest_remove_and_rebuild(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    a = _fake(tmp_path, fake_embedder)
    a.ingest([CORPUS])
    ids = {x.id for x in a.articles()}
    assert a.lexical().article_ids() == ids
    removed = a.remove(sorted(ids)[0])
    assert a.lexical().article_ids() == ids - set(removed)
    a.ingest([CORPUS], rebuild=True)
    fresh = _fake(tmp_path, fake_embedder)  # another process: loads the saved file
    assert fresh.lexical().article_ids() == ids


def test_filters_restrict_both_sides(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    a = _fake(tmp_path, fake_embedder, lexical_weight=0.5)
    a.ingest([CORPUS])
    arts = a.articles()
    one = arts[0]
    got = a.retrieve("إيران المحادثات اليورانيوم", k=10, where=RetrievalFilter(article_ids=(one.id,)))
    assert got and {p.chunk.article_id for p in got} == {one.id}
    assert a.retrieve("إيران", where=RetrievalFilter(article_ids=("no-such-article",))) == []


# On the real stack: the bundled corpus, the real e5 model, a real Chroma (session fixture).
PARAPHRASES = [
    ("How many missiles and drones were launched at Israel by Iran?", "350"),
    ("ما عدد الصواريخ البالستية والمسيرات التي وجهتها طهران نحو إسرائيل؟", "350"),
    ("Where were the secret American-Iranian negotiations held?", "عُمان"),
    ("أين عقدت المباحثات غير المعلنة بين واشنطن وطهران؟", "عُمان"),
    ("What enrichment percentage has Iran reached?", "84%"),
    ("ما نسبة التخصيب التي بلغتها طهران؟", "84%"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("question", "fact"), PARAPHRASES)
def test_paraphrases_rank_the_right_passage_first(real_assistant, question: str, fact: str) -> None:  # type: ignore[no-untyped-def]
    passages = real_assistant.retrieve(question)
    assert fact in passages[0].chunk.text, [p.chunk.text[:60] for p in passages]


@pytest.mark.slow
def test_filters_restrict_results_on_the_real_corpus(real_assistant) -> None:  # type: ignore[no-untyped-def]
    arts = real_assistant.articles()
    question = "Where were the talks held?"
    for art in arts:
        got = real_assistant.retrieve(question, k=4, where=RetrievalFilter(article_ids=(art.id,)))
        assert got and {p.chunk.article_id for p in got} == {art.id}
    with_outlet = [x for x in arts if x.outlet]
    assert with_outlet, "the corpus has an article with an outlet"
    outlet = with_outlet[0].outlet or ""
    got = real_assistant.retrieve(question, k=8, where=RetrievalFilter(outlets=(outlet,)))
    assert got and {p.chunk.outlet for p in got} == {outlet}
    dated = [x for x in arts if parse_date(x.date)]
    year, month, day = parse_date(dated[0].date) or (None, 1, 1)
    on_day = date(year or 2025, month, day or 1)
    got = real_assistant.retrieve(question, k=8, where=RetrievalFilter(date_from=on_day, date_to=on_day))
    assert got and all(date_in_range(p.chunk.date, on_day, on_day) for p in got)
    answer = real_assistant.ask(question, where=RetrievalFilter(article_ids=(arts[0].id,)))
    assert answer.passages and {p.chunk.article_id for p in answer.passages} == {arts[0].id}
