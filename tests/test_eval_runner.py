"""The evaluation runner on a tiny set with scripted answers (right, wrong, badly cited, refused,
and an answered unanswerable question), scored with the real citation checker; expected values by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from eval.cases import EvalCase, resolve_articles
from eval.report import below_thresholds, compare, load, markdown, save
from eval.runner import run_eval
from qa.extractive import NOT_IN_ARTICLES
from qa.models import Answer, Citation, Passage

approx = pytest.approx

ALHURRA, ASHARQ, SECOND = "000_a1ddd61cadbabb1f.txt", "001_ea4f6c5abfcd3f77.txt", "000_a1ddd61cadbabb1f.txt#2"
MISSILES = "وكانت إيران أطلقت 350 صاروخا بالستيا وطائرة بدون طيار باتجاه إسرائيل"
PURITY = "فيما رفعت طهران من معدلات التخصيب إلى درجة نقاء 84%"
STOCK = "مخزونات إيرانية تبلغ نحو 400 كيلوغرام من اليورانيوم عالي التخصيب"


def _case(
    i: str, question: str, answer: str, facts: list[list[str]] = (), quotes: list[tuple[str, str]] = ()
) -> EvalCase:  # type: ignore[assignment]
    return EvalCase.model_validate({
        "id": i, "question": question, "language": "en", "kind": "unanswerable" if not facts else "fact",
        "answerable": bool(facts), "gold_answer": answer,
        "key_facts": [{"fact": v[0], "variants": v} for v in facts],
        "gold_articles": sorted({a for a, _ in quotes}), "gold_quotes": [{"article": a, "quote": q} for a, q in quotes],
    })  # fmt: skip


CASES = [
    _case("en-fact-001", "How many missiles and drones did Iran launch at Israel?",
          "Iran launched 350 ballistic missiles and drones at Israel.", [["350"]], [(ALHURRA, MISSILES)]),
    _case("en-fact-002", "To what purity did Tehran raise enrichment?", "Tehran raised enrichment to 84% purity.",
          [["84%", "84"]], [(ASHARQ, PURITY)]),
    _case("en-fact-003", "How much highly enriched uranium does Iran hold?",
          "Iran holds about 400 kilograms of highly enriched uranium.", [["400"]], [(SECOND, STOCK)]),
    _case("en-unans-001", "What is the capital of Australia?", "The articles do not say."),
    _case("en-unans-002", "Who won the 2022 World Cup?", "The articles do not say."),
]  # fmt: skip


class ScriptedAssistant:
    """Answers from a script, each citing a chosen chunk, as an unchecked backend would."""

    def __init__(self, real: Any, articles: dict[str, Any]) -> None:
        self.settings, self.embedder, self._real = real.settings, real.embedder, real
        wanted = {"missiles": (ALHURRA, MISSILES), "purity": (ASHARQ, PURITY), "stock": (SECOND, STOCK)}
        chunk = {key: self._chunk_with(articles[label], quote) for key, (label, quote) in wanted.items()}
        self.script = {
            CASES[0].question: ("Iran launched 350 ballistic missiles and drones at Israel [1].", [chunk["missiles"]]),
            CASES[1].question: ("Tehran raised enrichment to 60% purity [1].", [chunk["missiles"], chunk["purity"]]),
            CASES[2].question: ("Iran holds about 400 kilograms of highly enriched uranium [1].", [chunk["missiles"]]),
            CASES[3].question: (None, [chunk["missiles"]]),
            CASES[4].question: ("Argentina won the 2022 World Cup [1].", [chunk["purity"]]),
        }

    def _chunk_with(self, article: Any, quote: str) -> Any:
        start = article.text.index(quote)
        for p in self._real.retrieve(quote, k=8):
            if p.chunk.article_id == article.id and p.chunk.start <= start < p.chunk.end:
                return p.chunk
        raise AssertionError(f"no chunk holds {quote!r}")

    def ask(self, question: str, history: Any = None) -> Answer:
        text, chunks = self.script[question]
        passages = tuple(Passage(chunk=c, score=0.8, rank=i) for i, c in enumerate(chunks, start=1))
        if text is None:
            return Answer(question=question, text=NOT_IN_ARTICLES["en"], language="en", answered=False,
                          passages=passages, backend="scripted", timings={"generation": 10.0})  # fmt: skip
        c = chunks[0]
        cite = Citation(marker=1, article_id=c.article_id, title=c.title, chunk_id=c.id, quote=c.text, start=c.start,
                        end=c.end)  # fmt: skip
        return Answer(question=question, text=text, language="en", answered=True, citations=(cite,),
                      passages=passages, backend="scripted", timings={"generation": 20.0})  # fmt: skip


@pytest.fixture(scope="module")
def report(real_assistant: Any) -> Any:
    articles = resolve_articles(CASES, real_assistant.articles())
    return run_eval(ScriptedAssistant(real_assistant, articles), CASES, articles, set_name="tiny")  # type: ignore[arg-type]


def test_metrics_match_hand_computed_values(report: Any) -> None:
    t = report.totals
    # gold ranks: case 1 -> 1, case 2 -> 2 (purity chunk second), case 3 -> None (only the missile chunk)
    assert (t["hit@1"], t["hit@5"], t["mrr"]) == approx((1 / 3, 2 / 3, (1 + 1 / 2 + 0) / 3), abs=1e-4)
    # facts: 350 stated; 84 not (it says 60); 400 stated
    assert (t["key_fact_accuracy"], t["answer_correct"]) == approx((2 / 3, 2 / 3), abs=1e-4)
    # F1: 1 (same words); tehran raised enrichment to 60|84 purity -> 5 of 6 shared -> 5/6; 1
    assert t["token_f1"] == approx((1 + 5 / 6 + 1) / 3, abs=1e-4)
    # 4 answered sentences; only the first is supported by what it cites (60 is not in the passage,
    # the 400 kg sentence cites the missile passage, the World Cup has no support)
    assert (t["citation_recall"], t["citation_precision"]) == approx((1 / 4, 1 / 4), abs=1e-4)
    # refused: only case 4; unanswerable: cases 4 and 5
    assert (t["refusal_precision"], t["refusal_recall"]) == approx((1.0, 0.5), abs=1e-4)
    assert t["language_match"] == 1.0 and t["model_answers"] == 1.0  # every answer by the (scripted) model
    assert (t["generation_p50_ms"], t["generation_p95_ms"]) == (20.0, 20.0)
    assert report.by_language["en"]["cases"] == 5


def test_reports_compare_and_thresholds(report: Any, tmp_path: Path) -> None:
    _, md, png = save(report, tmp_path / "run")
    assert png.stat().st_size > 1000 and "| key_fact_accuracy | 0.667 |" in md.read_text()
    again = load(tmp_path / "run")
    assert again == report
    better = again.model_copy(update={"totals": {**again.totals, "key_fact_accuracy": 0.9}})
    text = compare(report, better)
    assert "| key_fact_accuracy | 0.667 | 0.900 | +0.233 ▲ |" in text
    assert below_thresholds(report, {"key_fact_accuracy": 0.6}) == []
    assert below_thresholds(report, {"refusal_recall": 0.9})[0].startswith("refusal_recall = 0.500")
    assert "no such metric" in below_thresholds(report, {"accuracy": 0.1})[0]
    assert below_thresholds(report, {"en.language_match": 1.0}) == []
    assert below_thresholds(report, {"en.refusal_recall": 0.6})[0].startswith("en.refusal_recall = 0.500")
    assert "no such metric" in below_thresholds(report, {"ar.hit@1": 0.1})[0]  # the tiny set has no Arabic case
    assert "en-unans-002" in markdown(report)


def test_an_evaluation_run_shows_the_ingestion_of_its_corpus_then_its_cases(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """`qa eval` indexes its corpus first (minutes for an archive): the articles embedded are shown as they go."""
    from eval.cli import main
    from qa.settings import Settings
    from tests.conftest import CACHE, CORPUS

    settings = Settings(data_dir=tmp_path / "data", cache_dir=CACHE, _env_file=None)
    out = tmp_path / "report"
    assert main(["--backend", "extractive", "--limit", "2", "--corpus", str(CORPUS), "--out", str(out)], settings) == 0
    err = capsys.readouterr().err
    assert "ingest" in err and f"{len(list(CORPUS.glob('*.txt')))}/{len(list(CORPUS.glob('*.txt')))}" in err, err
    assert err.index("ingest") < err.index("eval seed") and (out / "report.json").is_file()
