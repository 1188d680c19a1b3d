"""`qa eval --squad`: the SQuAD-format benchmark, on a slice of XQuAD (Arabic contexts, Arabic and English questions).

The slice is cut from `settings.evaldata_dir` (../shared/evaldata, beside the clone) into a
temporary folder: the project never keeps a copy. Real model, real Chroma, every pipeline.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from eval.squad import (
    PIPELINES,
    Variant,
    format_cross_language,
    format_table,
    load_squad,
    run_cross_language,
    run_squad_retrieval,
    title_halves,
    variant_grid,
)
from qa.settings import Settings
from qa.translate import QuestionTranslator
from tests.conftest import CACHE, REPO

pytestmark = pytest.mark.slow
EVALDATA = (REPO / Settings(_env_file=None).evaldata_dir).resolve()


def _slice(src: Path, dst: Path, docs: int = 2, paragraphs: int = 3) -> Path:
    data = json.loads(src.read_text(encoding="utf-8"))
    cut = [{**d, "paragraphs": d["paragraphs"][:paragraphs]} for d in data["data"][:docs]]
    dst.write_text(json.dumps({"version": data.get("version", ""), "data": cut}, ensure_ascii=False), encoding="utf-8")
    return dst


@pytest.fixture(scope="module")
def xquad(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = EVALDATA / "xquad-dev"
    assert folder.is_dir(), f"the evaluation data is missing: {folder} (../shared/evaldata beside the clone)"
    tmp = tmp_path_factory.mktemp("squad")
    return _slice(folder / "xquad.ar.dev.json", tmp / "ar.json"), _slice(folder / "xquad.en.dev.json", tmp / "en.json")


def test_load_pairs_english_questions_with_the_arabic_contexts_by_id(xquad: tuple[Path, Path]) -> None:
    articles, cases = load_squad(*xquad)
    ar = [c for c in cases if c.language == "ar"]
    en = [c for c in cases if c.language == "en"]
    assert len(articles) == 6 and len(ar) == len(en) > 6
    assert [c.context for c in ar] == [c.context for c in en]  # the same questions, in the same order
    assert all(c.answers for c in cases)
    assert all(a in articles[c.context].text for c in ar for a in c.answers)


def test_every_pipeline_is_measured_for_both_languages(xquad: tuple[Path, Path], real_embedder) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(cache_dir=CACHE, backend="extractive", _env_file=None)
    report = run_squad_retrieval(*xquad, settings=settings, embedder=real_embedder, answers=3)
    assert report.contexts == 6 and [p.pipeline for p in report.pipelines] == list(PIPELINES)
    for p in report.pipelines:
        assert set(p.by_language) == {"ar", "en"} and p.nodes >= 6
        for m in p.by_language.values():
            assert 0 <= m.recall_at_1 <= m.mrr_at_10 <= 1 and m.recall_at_1 <= m.recall_at_5
    ours = next(p for p in report.pipelines if p.pipeline == "ours")
    assert ours.by_language["ar"].recall_at_5 >= 0.9  # six paragraphs: the right one is near the top
    bm25 = next(p for p in report.pipelines if p.pipeline == "llamaindex-bm25")
    assert bm25.by_language["en"].recall_at_1 < ours.by_language["en"].recall_at_1  # English words vs Arabic text
    assert set(report.answers) == {"ar", "en"}
    for a in report.answers.values():
        assert a.backend == "extractive" and a.questions == 3 and 0 <= a.exact_match <= a.f1 <= 1
    assert report.answers["ar"].f1 > 0  # the extractive answer quotes the sentence that holds the answer
    table = format_table(report)
    assert "| ours | ar |" in table and "| extractive | ar | 3 |" in table


def test_cli_writes_the_report(xquad: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "report"
    run = subprocess.run(
        [sys.executable, "-m", "cli", "eval", "--squad", str(xquad[0]), "--questions", str(xquad[1]),
         "--limit", "8", "--out", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    assert "| ours | ar |" in (out / "report.md").read_text(encoding="utf-8")
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["contexts"] == 6
    assert (out / "report.png").stat().st_size > 1000


def test_the_halves_split_by_article(xquad: tuple[Path, Path]) -> None:
    articles, _ = load_squad(*xquad)
    halves = title_halves(articles)
    assert set(halves.values()) == {"A", "B"}
    titles = sorted({a.title for a in articles})
    for title in titles:  # every context of one article in the same half
        assert len({halves[i] for i, a in enumerate(articles) if a.title == title}) == 1
    assert {halves[i] for i, a in enumerate(articles) if a.title == titles[0]} == {"A"}
    names = [v.name for v in variant_grid()]
    assert len(names) == len(set(names)) and "ours" in names


class OracleModel:
    """Renders each English question as its parallel Arabic question (a perfect translator), for the plumbing."""

    name = "oracle"

    def __init__(self, pairs: dict[str, str]) -> None:
        self.pairs = pairs
        self.calls = 0

    def stream(self, messages: Sequence[tuple[str, str]]) -> Iterator[str]:
        self.calls += 1
        yield self.pairs[messages[-1][1]]


def test_cross_language_variants_by_half(xquad: tuple[Path, Path], tmp_path: Path, real_embedder) -> None:  # type: ignore[no-untyped-def]
    _, cases = load_squad(*xquad)
    ar = [c for c in cases if c.language == "ar"]
    en = [c for c in cases if c.language == "en"]
    model = OracleModel({e.question: a.question for a, e in zip(ar, en, strict=True)})
    translator = QuestionTranslator(model, tmp_path)
    variants = [Variant(name="ours"), Variant(name="tr-lex", lexical="rendering", lexical_weight_en=0.1),
                Variant(name="tr-mean", lexical="rendering", dense="mean", lexical_weight_en=0.1)]  # fmt: skip
    settings = Settings(cache_dir=CACHE, backend="extractive", _env_file=None)
    report = run_cross_language(*xquad, settings=settings, embedder=real_embedder, translator=translator,
                                variants=variants)  # fmt: skip
    assert model.calls == len({c.question for c in en}) and report.translated == report.questions_en
    assert [p.pipeline for p in report.pipelines] == ["ours", "tr-lex", "tr-mean", "llamaindex-dense"]
    for p in report.pipelines:
        assert set(p.by_half) == {"A", "B"}
        for half in p.by_half.values():
            assert set(half) == {"ar", "en"}
        assert sum(p.by_half[h]["en"].questions for h in "AB") == p.by_language["en"].questions
    by = {p.pipeline: p for p in report.pipelines}
    assert by["tr-lex"].by_language["ar"] == by["ours"].by_language["ar"] == by["tr-mean"].by_language["ar"], (
        "Arabic questions are never translated"
    )
    assert by["tr-mean"].by_language["en"].mrr_at_10 >= by["ours"].by_language["en"].mrr_at_10 - 0.05
    assert report.picked in {"ours", "tr-lex", "tr-mean"}
    again = run_cross_language(*xquad, settings=settings, embedder=real_embedder, translator=translator,
                               variants=variants[:2], llamaindex=False)  # fmt: skip
    assert model.calls == len({c.question for c in en}), "the renderings came from the cache"
    assert again.pipelines[1].by_language == by["tr-lex"].by_language
    table = format_cross_language(report)
    assert "| tr-mean | en |" in table or "| **tr-mean** | en |" in table
