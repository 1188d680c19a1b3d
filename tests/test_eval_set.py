"""The seed evaluation set: its shape, and that every gold article, quote and key fact is grounded in the corpus."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from eval.cases import EvalCase, load_cases, record_labels, resolve_articles
from index.errors import InputError
from index.load import find_article_files, read_articles
from index.models import Article
from index.normalize import normalize
from qa.language import detect_language

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "eval" / "data" / "seed.jsonl"
KINDS = ("fact", "differs_by_outlet", "multi_passage", "follow_up", "unanswerable")


@pytest.fixture(scope="module")
def cases() -> list[EvalCase]:
    return load_cases(SEED)


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    return [a for f in find_article_files([REPO / "data" / "articles"]) for a in read_articles(f)]


def test_size_balance_and_kinds(cases):
    assert len(cases) >= 80
    langs = Counter(c.language for c in cases)
    for lang in ("ar", "en"):
        assert 0.4 <= langs[lang] / len(cases) <= 0.6, langs
    assert sum(not c.answerable for c in cases) >= 15
    present = {(c.language, c.kind) for c in cases}
    assert {(lang, kind) for lang in ("ar", "en") for kind in KINDS} <= present
    assert len({c.id for c in cases}) == len(cases)


def test_every_article_is_covered(cases, articles):
    covered = {label for c in cases for label in c.gold_articles}
    missing = {a.source for a in articles} - covered
    assert not missing, f"bundled articles without a case: {sorted(missing)}"


def test_labels_resolve_and_quotes_are_verbatim(cases, articles):
    resolved = resolve_articles(cases, articles)
    for case in cases:
        for gold in case.gold_quotes:
            assert gold.quote in resolved[gold.article].text, (case.id, gold.quote)


def test_answerable_cases_are_grounded(cases):
    for case in cases:
        if not case.answerable:
            assert not (case.key_facts or case.gold_quotes or case.gold_articles), case.id
            continue
        assert case.key_facts and case.gold_quotes, case.id
        quotes = [normalize(g.quote) for g in case.gold_quotes]
        for fact in case.key_facts:
            assert any(normalize(v) in q for v in fact.variants for q in quotes), (case.id, fact.fact)


def test_kind_specific_shape(cases):
    for case in cases:
        assert bool(case.history) == (case.kind == "follow_up"), case.id
        if case.kind == "multi_passage":
            assert len(case.gold_quotes) >= 2, case.id
        if case.kind == "differs_by_outlet":
            assert len(set(case.gold_articles)) >= 2, case.id


def test_question_language_matches(cases):
    for case in cases:
        assert detect_language(case.question) == case.language, case.id
        for turn in case.history:
            assert detect_language(turn.question) == case.language, case.id


# --- the loader's and resolver's errors -----------------------------------------------------------


def _case(**overrides: object) -> dict[str, object]:
    case: dict[str, object] = {
        "id": "en-fact-001",
        "question": "How many missiles?",
        "language": "en",
        "kind": "fact",
        "answerable": True,
        "gold_answer": "350.",
        "key_facts": [{"fact": "350", "variants": ["350"]}],
        "gold_articles": ["a.txt"],
        "gold_quotes": [{"article": "a.txt", "quote": "350 missiles"}],
    }
    case.update(overrides)
    return case


def _write(tmp_path: Path, *records: dict[str, object]) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


def _article(source: str, text: str) -> Article:
    return Article(id="x" + source, title="t", text=text, source=source)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"id": "ar-fact-001"}, "does not match language"),
        ({"kind": "follow_up"}, "does not match language"),
        ({"key_facts": []}, "needs key facts"),
        ({"id": "en-unans-001", "kind": "unanswerable"}, "unanswerable exactly when"),
        ({"gold_articles": ["b.txt"]}, "not in gold_articles"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_load_cases_rejects_inconsistent_cases(tmp_path, overrides, message):
    path = _write(tmp_path, _case(), _case(**{"id": "en-fact-002", **overrides}))
    with pytest.raises(InputError, match="line 2") as err:
        load_cases(path)
    assert message in str(err.value)


def test_load_cases_rejects_duplicate_ids_and_bad_json(tmp_path):
    with pytest.raises(InputError, match="repeats case id 'en-fact-001'"):
        load_cases(_write(tmp_path, _case(), _case()))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": \n', encoding="utf-8")
    with pytest.raises(InputError, match="line 1 is not valid JSON"):
        load_cases(bad)


def test_resolve_articles_names_the_case_when_a_label_or_quote_is_stale(tmp_path):
    cases = load_cases(_write(tmp_path, _case()))
    assert resolve_articles(cases, [_article("a.txt", "Iran fired 350 missiles.")])["a.txt"].source == "a.txt"
    with pytest.raises(InputError, match=re.escape("en-fact-001: gold article 'a.txt' is not in the corpus")):
        resolve_articles(cases, [_article("other.txt", "350 missiles")])
    with pytest.raises(InputError, match="en-fact-001: quote '350 missiles' is not a verbatim span"):
        resolve_articles(cases, [_article("a.txt", "Iran fired 350 ballistic missiles.")])


def test_labels_can_be_jsonl_record_ids(tmp_path):
    """A gold label may be a JSON Lines record's `id` (plus `#n`): it resolves to the article read from that line."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = [
        json.dumps({"id": "snn-aaa", "title": "First", "text": "Iran fired 350 missiles at Israel in April."}),
        "",
        json.dumps({"title": "No id", "text": "An article without an id is ingested but cannot be named by one."}),
        json.dumps({"id": "snn-bbb", "title": "Second", "text": "Grossi said enrichment reached 84 percent."}),
    ]
    (corpus / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    articles = read_articles(corpus / "news.jsonl")
    records = record_labels([corpus])
    assert records == {"snn-aaa": "news.jsonl:1", "snn-bbb": "news.jsonl:4"}

    quote = {"article": "snn-bbb", "quote": "enrichment reached 84 percent"}
    cases = load_cases(_write(tmp_path, _case(gold_articles=["snn-bbb"], gold_quotes=[quote])))
    assert resolve_articles(cases, articles, records)["snn-bbb"].source == "news.jsonl:4"
    with pytest.raises(InputError, match="gold article 'snn-bbb' is not in the corpus"):
        resolve_articles(cases, articles)  # without the record ids the label means nothing

    later = {"article": "snn-bbb#2", "quote": "84 percent"}
    cases = load_cases(_write(tmp_path, _case(gold_articles=["snn-bbb#2"], gold_quotes=[later])))
    embedded = [_article("news.jsonl:4#2", "Read also: 84 percent.")]  # the second article cleaned out of a record
    assert resolve_articles(cases, embedded, records)["snn-bbb#2"].source == "news.jsonl:4#2"
    with pytest.raises(InputError, match="not a verbatim span of snn-bbb#2"):
        resolve_articles(cases, [_article("news.jsonl:4#2", "Read also: 85 percent.")], records)
