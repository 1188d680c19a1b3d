"""Run an evaluation set through the public API and score answers, citations and retrieval.

For every case `Assistant.ask` answers (with the case's history for follow-ups), and
the runner records:
- retrieval: rank of the first retrieved passage that holds a gold quote (hit@1, hit@5, MRR);
- answers: key facts stated (any variant, normalised), token F1 against the gold answer,
  language match (the answer's text is in the question's language), refusals on
  unanswerable cases (precision and recall of "the articles do not say");
- citations, ALCE-style, judged by the live pipeline's checker (`qa.citations`): a
  sentence counts for recall when its citations together support it; a citation counts
  for precision when it supports its sentence alone, or the sentence is supported with
  it and not without it;
- latency per stage (p50/p95).
It uses only the public API (`Assistant`, `Answer`) and the shared checker.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from statistics import mean
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from eval.cases import EvalCase
from eval.metrics import gold_rank, key_facts_stated, percentile, refusal_scores, token_f1
from index.models import Article
from qa.assistant import Assistant
from qa.citations import check_citations, plain_text, split_answer, strip_markers
from qa.extractive import Candidate
from qa.language import answer_language as answer_language_of
from qa.models import Answer, total_ms

#: progress(done, total, case id)
Progress = Callable[[int, int, str], None]


class CaseResult(BaseModel):
    """What one case scored."""

    model_config = ConfigDict(frozen=True)

    id: str
    language: str
    kind: str
    answerable: bool
    question: str
    answer: str
    answered: bool
    language_match: bool
    gold_rank: int | None = None
    facts_stated: tuple[bool, ...] = ()
    token_f1: float | None = None
    sentences: int = 0
    sentences_supported: int = 0
    citations: int = 0
    citations_supporting: int = 0
    timings: dict[str, float] = Field(default_factory=dict)
    #: who wrote the shown answer (e.g. "local:…", or "extractive (fallback from …)") and the model's draft
    backend: str = ""
    draft: str | None = None


class EvalReport(BaseModel):
    """A whole run: the totals, the totals per question language, and every case."""

    model_config = ConfigDict(frozen=True)

    set_name: str
    backend: str
    settings: dict[str, Any]
    seconds: float
    totals: dict[str, float]
    by_language: dict[str, dict[str, float]]
    cases: tuple[CaseResult, ...]
    #: Per kind of case (fact, differs_by_outlet, ...): cases, answers with all facts stated, refusals right.
    by_kind: dict[str, dict[str, float]] = Field(default_factory=dict)


def gold_spans(case: EvalCase, articles: dict[str, Article]) -> list[tuple[str, int, int]]:
    """(article id, start, end) of each gold quote in the cleaned articles."""
    spans = []
    for g in case.gold_quotes:
        art = articles[g.article]
        start = art.text.find(g.quote)
        spans.append((art.id, start, start + len(g.quote)))
    return spans


def citation_support(answer: Answer, assistant: Assistant) -> tuple[int, int, int, int]:
    """(sentences, supported sentences, citations, supporting citations) of an answer, ALCE-style."""
    if not answer.answered or not answer.citations:
        return 0, 0, 0, 0
    passages = {p.chunk.id: p for p in answer.passages}
    sources = []
    for c in answer.citations:  # marker n is sources[n-1]: the exact quoted span
        p = passages.get(c.chunk_id) or next(iter(passages.values()))
        sources.append(Candidate(p, c.start, c.end, c.quote, p.score))
    min_support = assistant.settings.min_support(answer.language)  # per-language threshold (qa.settings)
    embedder = assistant.embedder

    def supported(plain: str, markers: Sequence[int]) -> bool:
        """Whether these cited sources together support the sentence, by the live checker."""
        chosen = [sources[m - 1] for m in markers if 1 <= m <= len(sources)]
        if not chosen:
            return False
        text = plain + "".join(f" [{i}]" for i in range(1, len(chosen) + 1))
        return check_citations(text, chosen, embedder, min_support=min_support).answered

    n_sent = n_ok = n_cit = n_cit_ok = 0
    for sentence, markers in split_answer(answer.text):
        plain = strip_markers(sentence)
        n_sent += 1
        together = supported(plain, markers)
        n_ok += together
        for m in markers:
            n_cit += 1
            alone = supported(plain, [m])
            needed = together and not supported(plain, [x for x in markers if x != m])
            n_cit_ok += alone or needed
    return n_sent, n_ok, n_cit, n_cit_ok


def score_case(case: EvalCase, answer: Answer, articles: dict[str, Article], assistant: Assistant) -> CaseResult:
    """Score one answer against its case."""
    retrieved = [(p.chunk.article_id, p.chunk.start, p.chunk.end) for p in answer.passages]
    n_sent, n_ok, n_cit, n_cit_ok = citation_support(answer, assistant)
    # Markers are not words of the answer: "[1]" must neither state the fact "1" nor count for F1.
    plain = plain_text(answer.text)
    answer_language = answer_language_of(plain) if answer.answered else answer.language
    return CaseResult(
        id=case.id, language=case.language, kind=case.kind, answerable=case.answerable, question=case.question,
        answer=answer.text, answered=answer.answered, language_match=answer_language == case.language,
        gold_rank=gold_rank(retrieved, gold_spans(case, articles)) if case.answerable else None,
        facts_stated=tuple(key_facts_stated(plain, [f.variants for f in case.key_facts]))
        if answer.answered else tuple(False for _ in case.key_facts),
        token_f1=token_f1(plain, case.gold_answer) if case.answerable else None,
        sentences=n_sent, sentences_supported=n_ok, citations=n_cit, citations_supporting=n_cit_ok,
        timings=answer.timings, backend=answer.backend, draft=answer.draft,
    )  # fmt: skip


def totals(results: Sequence[CaseResult]) -> dict[str, float]:
    """The run's metrics over `results` (see the module docstring)."""
    answerable = [r for r in results if r.answerable]
    ranks = [r.gold_rank for r in answerable]
    out: dict[str, float] = {"cases": len(results)}
    if answerable:
        out["hit@1"] = mean(rk is not None and rk <= 1 for rk in ranks)
        out["hit@5"] = mean(rk is not None and rk <= 5 for rk in ranks)
        out["mrr"] = mean(1 / rk if rk else 0.0 for rk in ranks)
        out["key_fact_accuracy"] = mean(mean(r.facts_stated) if r.facts_stated else 0.0 for r in answerable)
        out["answer_correct"] = mean(bool(r.facts_stated) and all(r.facts_stated) for r in answerable)
        out["token_f1"] = mean(r.token_f1 or 0.0 for r in answerable)
    n_sent = sum(r.sentences for r in results)
    n_cit = sum(r.citations for r in results)
    out["citation_recall"] = sum(r.sentences_supported for r in results) / n_sent if n_sent else 0.0
    out["citation_precision"] = sum(r.citations_supporting for r in results) / n_cit if n_cit else 0.0
    precision, recall = refusal_scores([not r.answered for r in results], [not r.answerable for r in results])
    out["refusal_precision"], out["refusal_recall"] = precision, recall
    out["language_match"] = mean(r.language_match for r in results) if results else 0.0
    # Share of answers the model wrote (verified), not the extractive answer or its fallback.
    out["model_answers"] = mean(bool(r.backend) and not r.backend.startswith("extractive") for r in results)
    stages = sorted({k for r in results for k in r.timings})
    for stage in [*stages, "total"]:
        values = [total_ms(r.timings) if stage == "total" else r.timings[stage]
                  for r in results if stage == "total" or stage in r.timings]  # fmt: skip
        out[f"{stage}_p50_ms"] = percentile(values, 0.5)
        out[f"{stage}_p95_ms"] = percentile(values, 0.95)
    return {k: round(v, 4) for k, v in out.items()}


def run_eval(
    assistant: Assistant,
    cases: Sequence[EvalCase],
    articles: dict[str, Article],
    *,
    set_name: str,
    progress: Progress | None = None,
) -> EvalReport:
    """Answer every case through `assistant` and score it; `articles` maps gold labels to cleaned articles."""
    t0 = time.perf_counter()
    results: list[CaseResult] = []
    backend = ""
    for n, case in enumerate(cases):
        if progress:
            progress(n, len(cases), case.id)
        answer = assistant.ask(case.question, history=[(t.question, t.answer) for t in case.history])
        if not backend or backend.startswith("extractive ("):  # the run is named after its model, not a fallback
            backend = answer.backend
        results.append(score_case(case, answer, articles, assistant))
    if progress:
        progress(len(cases), len(cases), "")
    s = assistant.settings
    shown = {"embedding_model": s.embedding_model, "top_k": s.top_k, "chunk_max_chars": s.chunk_max_chars,
             "chunk_overlap": s.chunk_overlap, "backend": s.backend}  # fmt: skip
    langs = sorted({r.language for r in results})
    return EvalReport(
        set_name=set_name, backend=backend, settings=shown, seconds=round(time.perf_counter() - t0, 1),
        totals=totals(results), by_language={lg: totals([r for r in results if r.language == lg]) for lg in langs},
        cases=tuple(results), by_kind=kind_totals(results),
    )  # fmt: skip


def kind_totals(results: Sequence[CaseResult]) -> dict[str, dict[str, float]]:
    """Per kind: its cases, and how many were right (answerable: every key fact stated; unanswerable: refused)."""
    out: dict[str, dict[str, float]] = {}
    for kind in dict.fromkeys(r.kind for r in results):
        group = [r for r in results if r.kind == kind]
        right = [all(r.facts_stated) and bool(r.facts_stated) if r.answerable else not r.answered for r in group]
        out[kind] = {"cases": len(group), "right": sum(right), "share": round(mean(right), 4)}
    return out
