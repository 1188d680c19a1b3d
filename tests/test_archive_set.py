"""The archive development set (eval/data/archive-dev.jsonl) against the SaudiNewsNet archive it is about.

The archive is read from `settings.evaldata_dir` (../shared/evaldata beside the clone), never copied: only the
records the set names are parsed, written to a temporary .jsonl and read back through `index.load`, so every
gold quote is checked against the text exactly as ingestion cleans it, in a few seconds.
"""

from __future__ import annotations

import json
import lzma
import re
from collections import Counter

import pytest

from eval.cases import EvalCase, load_cases, record_labels, resolve_articles
from index.load import read_articles
from index.models import Article
from index.normalize import normalize
from qa.language import detect_language
from qa.settings import Settings
from tests.conftest import REPO

SET = REPO / "eval" / "data" / "archive-dev.jsonl"
ARCHIVE = (REPO / Settings(_env_file=None).evaldata_dir).resolve() / "saudinewsnet-dev" / "articles.jsonl.xz"
_ID = re.compile(r'"id"\s*:\s*"([^"]+)"')


@pytest.fixture(scope="module")
def cases() -> list[EvalCase]:
    return load_cases(SET)


@pytest.fixture(scope="module")
def gold(cases: list[EvalCase], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Article]:
    """The set's gold articles, cleaned as ingestion cleans them, by the labels the set uses."""
    assert ARCHIVE.is_file(), f"the evaluation data is missing: {ARCHIVE} (../shared/evaldata beside the clone)"
    wanted = {label.partition("#")[0] for c in cases for label in c.gold_articles}
    lines, found = [], set()
    for line in lzma.decompress(ARCHIVE.read_bytes()).decode("utf-8").split("\n"):
        m = _ID.search(line, 0, 200)  # records open with their id: parse only the ones the set names
        if m and m.group(1) in wanted:
            assert json.loads(line)["id"] == m.group(1)
            lines.append(line)
            found.add(m.group(1))
    assert found == wanted, f"gold records missing from the archive: {sorted(wanted - found)}"
    corpus = tmp_path_factory.mktemp("archive") / "articles.jsonl"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return resolve_articles(cases, read_articles(corpus), record_labels([corpus]))


def test_size_languages_and_kinds(cases):
    assert len(cases) >= 60
    langs = Counter(c.language for c in cases)
    assert langs["ar"] == langs["en"], langs
    assert sum(not c.answerable for c in cases) >= 10
    kinds = Counter(c.kind for c in cases)
    assert kinds["fact"] > len(cases) / 2, kinds
    assert kinds["differs_by_outlet"] >= 6, kinds
    for case in cases:
        assert detect_language(case.question) == case.language, case.id
        assert not case.history, case.id


def test_every_quote_is_in_the_cleaned_article_its_label_names(cases, gold):
    for case in cases:
        assert case.gold_articles == sorted(set(case.gold_articles), key=case.gold_articles.index), case.id
        for quote in case.gold_quotes:
            assert quote.quote in gold[quote.article].text, (case.id, quote.article, quote.quote[:60])
        # Every gold article carries a quote, so retrieving any outlet's copy of the passage counts as a hit.
        assert {q.article for q in case.gold_quotes} == set(case.gold_articles), case.id


def test_key_facts_are_grounded_and_outlets_differ(cases, gold):
    for case in cases:
        quotes = [normalize(q.quote) for q in case.gold_quotes]
        for fact in case.key_facts:
            assert any(normalize(v) in q for v in fact.variants for q in quotes), (case.id, fact.fact)
        if case.kind == "fact":  # one answer, whichever article gives it
            for quote in quotes:
                for fact in case.key_facts:
                    assert any(normalize(v) in quote for v in fact.variants), (case.id, fact.fact, quote[:60])
        if case.kind == "differs_by_outlet":
            assert len({gold[label].outlet for label in case.gold_articles}) >= 2, case.id
