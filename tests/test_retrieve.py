"""Hybrid retrieval: fusion, duplicate collapse, filters and dates; on the fake embedder and on the real stack."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from qa.assistant import Assistant
from qa.retrieve import HybridRetriever, RetrievalFilter, collapse_duplicates, date_in_range, fuse, parse_date
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
    fused = [p.fused or 0.0 for p in passages]
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


# An English question's Arabic rendering (qa.translate) for the lexical and the dense side.
_PASSAGES = {
    "talks": "جرت المحادثات غير المباشرة في سلطنة عمان يوم الثلاثاء بين الوفدين.",
    "enrich": "رفعت طهران نسبة تخصيب اليورانيوم إلى 84 في المئة في منشأة فوردو.",
    "missiles": "أطلقت إيران مئات الصواريخ البالستية والطائرات المسيرة باتجاه إسرائيل.",
    "oil": "ارتفعت أسعار النفط في الأسواق العالمية بعد الهجوم على ناقلة في الخليج.",
}


def _retriever(tmp_path: Path, emb: FakeEmbedder) -> tuple[Assistant, HybridRetriever]:
    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    for name, text in _PASSAGES.items():
        (docs / f"{name}.txt").write_text(f"خبر\n\n{text}\n", encoding="utf-8")
    a = _fake(tmp_path, emb)
    a.ingest([docs])
    return a, HybridRetriever(a.store(), a.lexical(), lexical_weight=1.0)


def test_the_lexical_side_analyses_the_lexical_text(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    _, r = _retriever(tmp_path, fake_embedder)
    question = "What enrichment level did Tehran reach?"
    vector = fake_embedder.embed_query(question)
    plain = r.retrieve(question, vector, 2)
    assert all(p.fused == p.score for p in plain), "no English term is in the index: dense only"
    rendering = "ما نسبة تخصيب اليورانيوم التي بلغتها طهران؟"
    got = r.retrieve(question, vector, 2, lexical_text=rendering)
    assert "84" in got[0].chunk.text
    assert got[0].fused is not None and got[0].fused > got[0].score, "the rendering's terms matched"
    off = r.retrieve(question, vector, 2, lexical_text=rendering, lexical_weight=0.0)
    assert all(p.fused == p.score for p in off), "a per-call weight of 0 switches the lexical side off"


def test_the_extra_vector_brings_the_renderings_passage_up(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    _, r = _retriever(tmp_path, fake_embedder)
    r_max = HybridRetriever(r.store, r.lexical, lexical_weight=1.0, extra_mode="max")
    question = "Where were the indirect talks held?"
    vector = fake_embedder.embed_query(question)
    extra = fake_embedder.embed_query("أين جرت المحادثات غير المباشرة؟")
    assert "المحادثات" not in r.retrieve(question, vector, 1)[0].chunk.text, "English words alone miss it here"
    for retriever in (r, r_max):
        got = retriever.retrieve(question, vector, 4, extra_vector=extra)
        assert "المحادثات" in got[0].chunk.text, [p.chunk.text[:30] for p in got]
        fused = [p.fused or 0.0 for p in got]
        assert fused == sorted(fused, reverse=True)
        stored = retriever.store.vectors_of([p.chunk.id for p in got])
        for p in got:  # the score stays the cosine to the question's own vector
            assert p.score == pytest.approx(float(np.asarray(stored[p.chunk.id]) @ np.asarray(vector)), abs=1e-4)
    # The mean counts both cosines; weight 0 on the rendering is the question alone.
    r0 = HybridRetriever(r.store, r.lexical, lexical_weight=1.0, extra_weight=0.0)
    alone = [p.chunk.id for p in r0.retrieve(question, vector, 3)]
    assert [p.chunk.id for p in r0.retrieve(question, vector, 3, extra_vector=extra)] == alone
    dense = HybridRetriever(r.store, r.lexical, lexical_weight=0.0)
    both = dense.retrieve(question, vector, 4, extra_vector=extra)
    cos_q = {p.chunk.id: p.score for p in both}
    stored = r.store.vectors_of(list(cos_q))
    for p in both:
        cos_t = float(np.asarray(stored[p.chunk.id]) @ np.asarray(extra))
        assert p.fused == pytest.approx(0.7 * cos_q[p.chunk.id] + 0.3 * cos_t, abs=1e-4)  # the default weight


def test_english_names_raise_the_passages_that_spell_them(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    _, r = _retriever(tmp_path, fake_embedder)
    question = "What did Tehran do at Fordow?"  # Tehran: an exonym (طهران); Fordow: a transliteration (فوردو)
    vector = fake_embedder.embed_query(question)
    plain = r.retrieve(question, vector, 4)
    assert "فوردو" not in plain[0].chunk.text, "the fake vectors alone put another passage first"
    named = HybridRetriever(r.store, r.lexical, lexical_weight=1.0, name_weight=0.5).retrieve(question, vector, 4)
    assert "فوردو" in named[0].chunk.text
    assert named[0].fused == pytest.approx(named[0].score + 0.5, abs=1e-4), "both names held: + the whole weight"
    assert [p.fused for p in named] == sorted((p.fused for p in named), reverse=True)
    # Arabic questions and English ones without a name or a number are left as they were.
    for q in ("ماذا فعلت طهران في فوردو؟", "what did they do there?"):
        v = fake_embedder.embed_query(q)
        same = HybridRetriever(r.store, r.lexical, lexical_weight=1.0, name_weight=0.5).retrieve(q, v, 4)
        assert [(p.chunk.id, p.fused) for p in same] == [(p.chunk.id, p.fused) for p in r.retrieve(q, v, 4)]


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
    # The bundled articles state no publication date (a date the story mentions is not theirs): a date
    # filter keeps none of them rather than guess.
    assert not [x for x in arts if parse_date(x.date)]
    some_day = date(2024, 5, 8)
    assert real_assistant.retrieve(question, k=8, where=RetrievalFilter(date_from=some_day, date_to=some_day)) == []
    answer = real_assistant.ask(question, where=RetrievalFilter(article_ids=(arts[0].id,)))
    assert answer.passages and {p.chunk.article_id for p in answer.passages} == {arts[0].id}


def test_date_filter_keeps_articles_whose_source_gives_the_date(settings, fake_embedder, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from qa.assistant import Assistant

    rows = [
        {"title": "محادثات في مسقط", "date": "2024-05-08", "text": "جرت المحادثات في مسقط بين الوفدين يوم الأربعاء."},
        {"title": "محادثات أخرى", "date": "2024-06-20", "text": "جرت المحادثات في الدوحة بين الوفدين يوم الخميس."},
    ]
    (tmp_path / "news.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    assistant = Assistant(settings, embedder=fake_embedder)
    assistant.ingest([tmp_path / "news.jsonl"])
    day = date(2024, 5, 8)
    got = assistant.retrieve("أين جرت المحادثات؟", k=8, where=RetrievalFilter(date_from=day, date_to=day))
    assert got and {p.chunk.title for p in got} == {"محادثات في مسقط"}
    assert all(date_in_range(p.chunk.date, day, day) for p in got)
