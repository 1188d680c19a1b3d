from __future__ import annotations

import itertools

import pytest

from index.chunk import HARD_MAX_CHARS, chunk_article, chunk_id, split_sentences
from index.models import Article

TEXT = (
    "قال المتحدث إن الوكالة ستزور إيران؟ نعم، خلال أسبوعين! وأضاف أن التخصيب حق؛ ولن تتوقف إيران.\n"
    "وتشعر الوكالة بقلق إزاء 400 كيلوغرام. The talks were held in Oman. A second English sentence."
)


def _article(text: str = TEXT) -> Article:
    return Article(id="a1", title="عنوان", outlet="الشرق", date=None, text=text, source="x.txt")


def test_split_on_arabic_and_latin_punctuation_and_line_breaks() -> None:
    spans = split_sentences(TEXT)
    sentences = [TEXT[s:e] for s, e in spans]
    assert sentences == [
        "قال المتحدث إن الوكالة ستزور إيران؟",
        "نعم، خلال أسبوعين!",
        "وأضاف أن التخصيب حق؛",
        "ولن تتوقف إيران.",
        "وتشعر الوكالة بقلق إزاء 400 كيلوغرام.",
        "The talks were held in Oman.",
        "A second English sentence.",
    ]


def test_decimal_points_do_not_split() -> None:
    text = "ارتفعت النسبة إلى 3.67 بالمئة ثم توقفت. جملة ثانية."
    assert [text[s:e] for s, e in split_sentences(text)] == ["ارتفعت النسبة إلى 3.67 بالمئة ثم توقفت.", "جملة ثانية."]


def test_overlong_sentence_is_cut_at_spaces() -> None:
    text = " ".join(["كلمة"] * 1000)
    spans = split_sentences(text)
    assert len(spans) > 1
    assert all(e - s <= HARD_MAX_CHARS for s, e in spans)
    assert all(not text[s:e].startswith(" ") and not text[s:e].endswith(" ") for s, e in spans)


def test_chunks_are_exact_spans_with_overlap() -> None:
    article = _article()
    chunks = chunk_article(article, max_chars=80, overlap=1)
    assert len(chunks) >= 3
    for c in chunks:
        assert article.text[c.start : c.end] == c.text
        assert c.end - c.start <= 80 or len(split_sentences(c.text)) == 1
    # consecutive chunks share exactly their boundary sentence
    for a, b in itertools.pairwise(chunks):
        assert b.start < a.end, "overlap expected"
        assert split_sentences(article.text, a.start, a.end)[-1][0] == b.start
    # every sentence is in some chunk
    covered = {(s, e) for c in chunks for s, e in split_sentences(article.text, c.start, c.end)}
    assert covered == set(split_sentences(article.text))


def test_no_overlap_partitions_the_sentences() -> None:
    chunks = chunk_article(_article(), max_chars=80, overlap=0)
    assert all(b.start >= a.end for a, b in itertools.pairwise(chunks))


def test_chunk_ids_are_deterministic_and_carry_metadata() -> None:
    a = chunk_article(_article(), max_chars=120)
    b = chunk_article(_article(), max_chars=120)
    assert [c.id for c in a] == [c.id for c in b]
    assert len({c.id for c in a}) == len(a)
    assert a[0].id == chunk_id("a1", a[0].start, a[0].end)
    assert all(c.outlet == "الشرق" and c.article_id == "a1" for c in a)
    assert [c.ordinal for c in a] == list(range(len(a)))


def test_bad_chunk_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        chunk_article(_article(), max_chars=10)
    with pytest.raises(ValueError):
        chunk_article(_article(), overlap=-1)
