"""Measure and calibrate the answer side on XQuAD dev: answering check, sentences given to the model, refusals.

XQuAD dev (Arabic paragraphs; the same questions in Arabic and English) is indexed
through the real pipeline (chunks, e5, Chroma, BM25). Its articles are split in two
halves by their order in the file (even: A, tuned on; odd: B, reported), and every
figure is printed for both. For every question:

1. the answering check (`qa.question.check_answering`): pass rate of the sentence
   holding the gold answer (recall) and of the other sentences of the paragraph
   (false accepts), per question kind and language, for `MIN_NEW_TERMS` 1..3;
2. answer-sentence recall: how often the sentence holding the gold answer is among
   the sentences `qa.generate.choose_sources` gives the model, for a few orderings
   and counts (the current one first);
3. answerability: the question asked of the full index (should be answered) and of
   the index without its gold paragraph (the rest of its article stays: close
   distractors, through a `RetrievalFilter`; should be refused), with the relevance
   threshold per language chosen on half A (Youden's J) and applied to half B; then
   (3b) with a floor on `qa.question.coverage` too, over all retrieved passages (`cov`)
   or the passage of the best passing sentence (`cov_best`), jointly and at the
   default relevance threshold (where `Settings.min_coverage_*` come from).

4. with `--answers N`, answers: the first N questions per language of half B (`--half A` to tune) answered by the
   configured backend (`qa.generate`, as `Assistant.ask` does) and, as the peer, by llama-index's
   default query engine over the same paragraphs with the same model and top-k (`--peer N` questions
   per language): the answer contains the gold answer of the question's language (its own words,
   not a «quoted» Arabic sentence; normalised, digits folded), the answer is in the question's
   language, seconds per answer.

   Settings come from NEWSQA_* variables as everywhere (e.g. NEWSQA_RENDER_EVIDENCE=first).

5. with `--translate N`, English questions and their Arabic rendering by the local model (`qa.translate`,
   cached): N questions per half (a fixed shuffle), answer-sentence recall (the gold sentence among the first
   1 / 3 / `llm_sentences` the model is given) with retrieval as by default, with the rendering joining
   retrieval (`NEWSQA_TRANSLATE_QUESTIONS`), and with the rendering in the sentence order as well
   (`qa.extractive.with_rendering`: its cosine and its Arabic terms join the question's cosine).

    python bench/answering.py [--evaldata ../shared/evaldata] [--limit N] [--answers N --peer M [--half A]]
                              [--translate N]
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from statistics import mean

import numpy as np

from index.chunk import chunk_article, chunker_id, split_sentences
from index.embed import Embedder, load_embedder
from index.ingest import write_articles
from index.lexical import Analyzer, LexicalIndex
from index.models import Article
from index.store import ChunkStore
from qa import question as qmod
from qa.extractive import Candidate, answer_order, candidate_sentences, rank_sources, with_rendering
from qa.generate import source_order
from qa.models import Passage
from qa.question import analyze_question, check_answering
from qa.rerank import from_settings as rerank_from_settings
from qa.retrieve import HybridRetriever, RetrievalFilter
from qa.settings import Settings


class CachedEmbedder:
    """The real embedder with passage vectors memoised by text (sentences repeat across questions)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.cache: dict[str, list[float]] = {}

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            self.cache.update(zip(missing, self.inner.embed_passages(missing), strict=True))
        return [self.cache[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


#: Coverage weights of the extractive answer's order that item 2b compares (0: rank_sources, today's order).
ANSWER_WEIGHTS = (0.0, 0.05, 0.1, 0.2)


def load(evaldata: Path) -> tuple[list[Article], list[dict[str, object]]]:
    ar = json.loads((evaldata / "xquad-dev" / "xquad.ar.dev.json").read_text(encoding="utf-8"))
    en = json.loads((evaldata / "xquad-dev" / "xquad.en.dev.json").read_text(encoding="utf-8"))
    en_q = {q["id"]: q for a in en["data"] for p in a["paragraphs"] for q in p["qas"]}
    articles: list[Article] = []
    cases: list[dict[str, object]] = []
    for di, doc in enumerate(ar["data"]):
        for para in doc["paragraphs"]:
            ctx = para["context"]
            aid = f"ctx{len(articles):05d}"
            articles.append(Article(id=aid, title=str(doc["title"]), text=ctx, source=f"xquad-{di}"))
            for qa in para["qas"]:
                start = int(qa["answers"][0]["answer_start"])
                gold = next(((s, e) for s, e in split_sentences(ctx) if s <= start < e), (0, len(ctx)))
                common = {"article": aid, "doc": di, "half": "A" if di % 2 == 0 else "B", "gold": gold}
                cases.append({**common, "language": "ar", "question": qa["question"]})
                if qa["id"] in en_q:
                    cases.append({**common, "language": "en", "question": en_q[qa["id"]]["question"]})
    return articles, cases


def build(articles: Sequence[Article], settings: Settings, embedder: Embedder, workdir: Path) -> HybridRetriever:
    chunker = chunker_id(settings.chunk_max_chars, settings.chunk_overlap)
    store = ChunkStore.open(workdir / "store", model_id=embedder.model_id, dim=embedder.dim, chunker=chunker,
                            create=True)  # fmt: skip
    lexical = LexicalIndex(workdir / "lexical", Analyzer(settings.lexical_stemmer), chunker=chunker)
    batch = [(a, chunk_article(a, max_chars=settings.chunk_max_chars, overlap=settings.chunk_overlap), None)
             for a in articles]  # fmt: skip
    for i in range(0, len(batch), 8):
        write_articles(store, embedder, batch[i : i + 8], lexical=lexical)
    return HybridRetriever.from_settings(store, lexical, settings, rerank=rerank_from_settings(settings, embedder))


def holds_gold(c: Candidate, case: dict[str, object]) -> bool:
    gs, ge = case["gold"]  # type: ignore[misc]
    return c.passage.chunk.article_id == case["article"] and c.start < ge and c.end > gs


def youden(pos: Sequence[float], neg: Sequence[float]) -> tuple[float, float, float]:
    """(threshold, share of pos kept, share of neg refused) maximising J."""
    best = (0.0, 0.0, 0.0, -1.0)
    for t in np.unique(np.round(np.concatenate([pos, neg]), 3)):
        kept = float(np.mean(np.asarray(pos) >= t))
        refused = float(np.mean(np.asarray(neg) < t))
        if kept + refused - 1 > best[3]:
            best = (float(t), kept, refused, kept + refused - 1)
    return best[:3]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--evaldata", type=Path, default=Settings(_env_file=None).evaldata_dir)
    ap.add_argument("--cache-dir", type=Path, default=Path(".cache"))
    ap.add_argument("--limit", type=int, default=0, help="questions per language (0: all)")
    ap.add_argument("--out", type=Path, default=Path("artifacts/answering.json"))
    ap.add_argument("--answers", type=int, default=0, help="answer this many half-B questions per language")
    ap.add_argument("--peer", type=int, default=0, help="... and this many with llama-index's query engine")
    ap.add_argument("--half", choices=("A", "B"), default="B", help="the half --answers draws from (A: tuning)")
    ap.add_argument("--languages", default="ar,en", help="question languages --answers asks (comma-separated)")
    ap.add_argument("--translate", type=int, default=0, help="item 5: this many English questions per half")
    args = ap.parse_args()
    settings = Settings(cache_dir=args.cache_dir, _env_file=None)  # NEWSQA_* variables still apply
    articles, cases = load(args.evaldata)
    if args.translate:
        translated(articles, cases, settings, args.translate)
        return
    if args.answers:
        out = args.out.with_name(f"answers-{args.half}-{settings.render_evidence}.json")
        languages = tuple(args.languages.split(","))
        answers(articles, cases, settings, args.answers, args.peer, out, half=args.half, languages=languages)
        return
    if args.limit:
        cases = [c for lang in ("ar", "en") for c in [c for c in cases if c["language"] == lang][: args.limit]]
    embedder = CachedEmbedder(load_embedder(cache_dir=args.cache_dir))
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        retriever = build(articles, settings, embedder, Path(tmp))
        print(f"indexed {len(articles)} paragraphs in {time.perf_counter() - t0:.0f} s; {len(cases)} questions")
        all_ids = tuple(a.id for a in articles)
        rows = []
        for n, case in enumerate(cases):
            q = str(case["question"])
            vector = embedder.embed_query(q)
            slot = analyze_question(q)
            weight = settings.source_coverage_weight(str(case["language"]))

            def scored(passages: list[Passage], v: list[float] = vector, slot: qmod.Slot = slot) -> list[Candidate]:
                return rank_sources(v, candidate_sentences(passages), embedder, slot)

            full = retriever.retrieve(q, vector, settings.top_k)
            without = RetrievalFilter(article_ids=tuple(i for i in all_ids if i != case["article"]))
            removed = retriever.retrieve(q, vector, settings.top_k, without)
            ranked_full, ranked_removed = scored(full), scored(removed)
            paragraph = next(a for a in articles if a.id == case["article"])
            own = [paragraph.text[s:e] for s, e in split_sentences(paragraph.text)]
            gs, ge = case["gold"]  # type: ignore[misc]
            gold_text = paragraph.text[gs:ge]
            rows.append({
                **case, "kind": slot.kind,
                "gold_new_terms": check_answering(slot, gold_text).new_terms,
                "gold_pass": {m: _passes(slot, gold_text, m) for m in (1, 2, 3)},
                "other_pass": {m: [_passes(slot, s, m) for s in own if s != gold_text] for m in (1, 2, 3)},
                "cos_rank": _gold_rank(sorted(ranked_full, key=lambda c: -c.score), case),
                "model_rank": _gold_rank(source_order(ranked_full, slot, weight), case),
                "ranked_rank": _gold_rank(ranked_full, case),
                # The extractive answer order: answering sentences first, then cosine + w x coverage.
                "answer_rank": {w: _gold_rank(answer_order(ranked_full, slot, w), case) for w in ANSWER_WEIGHTS},
                "best_full": _best_passing(ranked_full, slot), "best_removed": _best_passing(ranked_removed, slot),
                "cov_full": qmod.coverage(slot, [p.chunk.text for p in full]),
                "cov_removed": qmod.coverage(slot, [p.chunk.text for p in removed]),
                "cov_best_full": _best_coverage(ranked_full, slot),
                "cov_best_removed": _best_coverage(ranked_removed, slot),
                "best_full_any": max((c.score for c in ranked_full), default=0.0),
                "best_removed_any": max((c.score for c in ranked_removed), default=0.0),
            })  # fmt: skip
            if n % 100 == 0:
                print(f"  {n}/{len(cases)} questions, {time.perf_counter() - t0:.0f} s", flush=True)
    report(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, ensure_ascii=False, default=str), encoding="utf-8")
    print(f"rows in {args.out}")


def answers(
    articles: Sequence[Article],
    cases: list[dict[str, object]],
    settings: Settings,
    n: int,
    peer: int,
    out: Path,
    *,
    half: str = "B",
    languages: Sequence[str] = ("ar", "en"),
) -> None:
    """Item 4 of the module docstring: our answers and the peer's on `half`, printed and written to `out`."""
    from eval.metrics import fact_stated
    from qa.citations import plain_text
    from qa.generate import answer_events, final_answer
    from qa.language import answer_language
    from qa.llm import load_llm

    gold = _gold_answers(settings.evaldata_dir)
    chosen = [c for lang in languages for c in [c for c in cases if c["language"] == lang and c["half"] == half][:n]]
    embedder = load_embedder(cache_dir=settings.cache_dir)
    llm = load_llm(settings)
    llm_name = llm.name if llm is not None else "-"
    rows: list[dict[str, object]] = []

    def record(
        pipeline: str, case: dict[str, object], text: str, answered: bool, seconds: float, backend: str = ""
    ) -> None:
        own = re.sub(r"«[^»]*»", " ", text)
        golds = gold[(str(case["question"]))]
        rows.append({"pipeline": pipeline, "language": case["language"], "question": case["question"],
                     "answer": text, "gold": golds, "answered": answered, "seconds": round(seconds, 2),
                     "contains": answered and fact_stated(own, golds),
                     "language_match": answer_language(text) == case["language"], "backend": backend})  # fmt: skip

    with tempfile.TemporaryDirectory() as tmp:
        retriever = build(articles, settings, embedder, Path(tmp))
        for i, case in enumerate(chosen):
            t = time.perf_counter()
            answer = final_answer(answer_events(
                str(case["question"]), [], settings=settings, embedder=embedder, llm=llm, k=settings.top_k,
                retrieve=lambda q, v, k: retriever.retrieve(q, v, k),
            ))  # fmt: skip
            record("ours", case, plain_text(answer.text), answer.answered, time.perf_counter() - t, answer.backend)
            print(f"  ours {i + 1}/{len(chosen)}", flush=True)
        if peer and llm is not None:
            from llama_index.core import Document, VectorStoreIndex

            index = VectorStoreIndex.from_documents(
                [Document(text=a.text, id_=a.id) for a in articles],
                embed_model=embedder.llama_index_model,  # type: ignore[attr-defined]
            )
            engine = index.as_query_engine(llm=llm.llm, similarity_top_k=settings.top_k)  # type: ignore[attr-defined]
            subset = [c for lang in ("ar", "en") for c in [c for c in chosen if c["language"] == lang][:peer]]
            for i, case in enumerate(subset):
                t = time.perf_counter()
                text = str(engine.query(str(case["question"])))
                record("llamaindex", case, text, bool(text.strip()), time.perf_counter() - t)
                print(f"  llama-index {i + 1}/{len(subset)}", flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    for pipeline in ("ours", "llamaindex"):
        for lang in ("ar", "en"):
            rs = [r for r in rows if r["pipeline"] == pipeline and r["language"] == lang]
            if rs:
                secs = sorted(float(r["seconds"]) for r in rs)  # type: ignore[arg-type]
                print(f"{pipeline} {lang} ({len(rs)} q): contains gold {mean(bool(r['contains']) for r in rs):.3f}, "
                      f"language match {mean(bool(r['language_match']) for r in rs):.3f}, "
                      f"answered {mean(bool(r['answered']) for r in rs):.3f}, "
                      f"p50 {secs[len(secs) // 2]:.1f} s, p95 {secs[int(0.95 * (len(secs) - 1))]:.1f} s, "
                      f"model {mean(str(r['backend']).startswith(llm_name) for r in rs):.3f}, "
                      f"rendered {mean('rendering' in str(r['backend']) for r in rs):.3f}")  # fmt: skip
    print(f"answers in {out}")


def translated(articles: Sequence[Article], cases: list[dict[str, object]], settings: Settings, n: int) -> None:
    """Item 5 of the module docstring: English answer-sentence recall with and without the question's rendering."""
    import random

    from qa.llm import load_llm
    from qa.translate import QuestionTranslator, query_extras

    english = [c for c in cases if c["language"] == "en"]
    random.Random(7).shuffle(english)
    chosen = [c for half in "AB" for c in [c for c in english if c["half"] == half][:n]]
    embedder = CachedEmbedder(load_embedder(cache_dir=settings.cache_dir))
    llm = load_llm(settings.model_copy(update={"backend": "local"}))
    if llm is None:
        raise SystemExit("--translate needs the local model (make setup assembles it into the cache)")
    translator = QuestionTranslator(llm, settings.cache_dir)
    ranks: dict[tuple[str, str], list[int]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        retriever = build(articles, settings, embedder, Path(tmp))
        for i, case in enumerate(chosen):
            q = str(case["question"])
            vector, slot = embedder.embed_query(q), analyze_question(q)
            extras = query_extras(q, translator, embedder)
            rendering = translator.translate(q)
            plain = rank_sources(vector, candidate_sentences(retriever.retrieve(q, vector, settings.top_k)), embedder,
                                 slot)  # fmt: skip
            joined = rank_sources(vector, candidate_sentences(
                retriever.retrieve(q, vector, settings.top_k, **extras.as_kwargs())), embedder, slot)  # fmt: skip
            order = {"default": source_order(plain, slot, 0.0),
                     "rendering in retrieval": source_order(joined, slot, 0.0)}  # fmt: skip
            joined_vectors = np.asarray(embedder.embed_passages([c.text for c in joined]), dtype=np.float32)
            rendered = joined
            if rendering:
                rendered = with_rendering(joined, joined, joined_vectors, rendering, embedder, slot)
            order["... and in the sentence score"] = source_order(rendered, slot, 0.0)
            # The extractive answer's order (what answers first): its first sentence is what the fallback quotes.
            order |= {"answer: default": plain, "answer: rendering in retrieval": joined, "answer: ... and in the "
                      "sentence score": rendered}  # fmt: skip
            for name, ranked in order.items():
                ranks[(name, str(case["half"]))].append(_gold_rank(ranked, case) or 99)
            if i % 20 == 0:
                print(f"  {i + 1}/{len(chosen)} questions", flush=True)
    print(f"\n5. English questions ({n} per half): the gold sentence among the first 1 / 3 / {settings.llm_sentences} "
          "sentences the model is given")  # fmt: skip
    for name in dict.fromkeys(name for name, _ in ranks):
        cells = []
        for half in "AB":
            rs = ranks[(name, half)]
            cells.append(" / ".join(f"{mean(r <= k for r in rs):.3f}" for k in (1, 3, settings.llm_sentences)))
        print(f"  {name:32s} A {cells[0]}   B {cells[1]}")


def _gold_answers(evaldata: Path) -> dict[str, tuple[str, ...]]:
    """Question text -> its gold answers in its own language (English gold from the parallel English file)."""
    out: dict[str, tuple[str, ...]] = {}
    for name in ("xquad.ar.dev.json", "xquad.en.dev.json"):
        data = json.loads((evaldata / "xquad-dev" / name).read_text(encoding="utf-8"))["data"]
        for doc in data:
            for para in doc["paragraphs"]:
                for qa in para["qas"]:
                    out[qa["question"]] = tuple(dict.fromkeys(a["text"] for a in qa["answers"]))
    return out


def _passes(slot: qmod.Slot, sentence: str, min_new: int) -> bool:
    saved = qmod.MIN_NEW_TERMS
    qmod.MIN_NEW_TERMS = min_new
    try:
        return check_answering(slot, sentence).answers
    finally:
        qmod.MIN_NEW_TERMS = saved


def _gold_rank(ranked: Sequence[Candidate], case: dict[str, object]) -> int | None:
    return next((i for i, c in enumerate(ranked, start=1) if holds_gold(c, case)), None)


def _best_passing(ranked: Sequence[Candidate], slot: qmod.Slot) -> float:
    return max((c.score for c in ranked if check_answering(slot, c.text).answers), default=0.0)


def _best_coverage(ranked: Sequence[Candidate], slot: qmod.Slot) -> float:
    """Coverage of the question's terms by the passage of its best sentence that passes the answering check."""
    best = max((c for c in ranked if check_answering(slot, c.text).answers), key=lambda c: c.score, default=None)
    return 0.0 if best is None else qmod.coverage(slot, [best.passage.chunk.text])


def _joint(rows: Sequence[dict[str, object]], cov: str, t: float, c: float) -> tuple[float, float]:
    """Answered on the full index / refused without the gold paragraph, refusing below score t or coverage c."""
    kept = mean(float(r["best_full"]) >= t and float(r[f"{cov}_full"]) >= c for r in rows)  # type: ignore[arg-type]
    refused = mean(float(r["best_removed"]) < t or float(r[f"{cov}_removed"]) < c for r in rows)  # type: ignore[arg-type]
    return kept, refused


def report(rows: list[dict[str, object]]) -> None:
    by: Callable[[str, str], list[dict[str, object]]] = lambda half, lang: [  # noqa: E731
        r for r in rows if r["half"] == half and r["language"] == lang
    ]
    print("\n1. answering check: gold sentence kept / other sentences of the paragraph kept, by MIN_NEW_TERMS")
    for lang in ("ar", "en"):
        for half in ("A", "B"):
            rs = by(half, lang)
            if not rs:
                continue
            cells = []
            for m in (1, 2, 3):
                g = mean(bool(r["gold_pass"][m]) for r in rs)  # type: ignore[index]
                o = [x for r in rs for x in r["other_pass"][m]]  # type: ignore[index]
                cells.append(f"m={m}: {g:.3f} / {mean(o) if o else 0:.3f}")
            print(f"  {lang} half {half} ({len(rs)} q): " + " · ".join(cells))
        kinds: dict[str, list[bool]] = defaultdict(list)
        for r in rows:
            if r["language"] == lang:
                kinds[str(r["kind"])].append(bool(r["gold_pass"][qmod.MIN_NEW_TERMS]))  # type: ignore[index]
        print(f"  {lang} gold kept by kind (m={qmod.MIN_NEW_TERMS}): "
              + ", ".join(f"{k} {mean(v):.2f} ({len(v)})" for k, v in sorted(kinds.items())))  # fmt: skip
    print("\n2. answer-sentence recall: gold sentence among the first N sentences given to the model")
    for lang in ("ar", "en"):
        for half in ("A", "B"):
            rs = by(half, lang)
            if not rs:
                continue
            cells = []
            for key, name in (("model_rank", "model order"), ("cos_rank", "cosine"), ("ranked_rank", "rank_sources")):
                for n in (3, 5):
                    cells.append(f"{name}@{n} {mean((r[key] or 99) <= n for r in rs):.3f}")  # type: ignore[operator]
            print(f"  {lang} half {half}: " + " · ".join(cells))
    print("\n2b. the extractive answer: gold sentence first (@1) or among the first two (@2), by coverage weight w")
    for lang in ("ar", "en"):
        for half in ("A", "B"):
            rs = by(half, lang)
            if not rs or "answer_rank" not in rs[0]:
                continue
            cells = [
                f"w={w}: @1 {mean((r['answer_rank'][w] or 99) <= 1 for r in rs):.3f} "  # type: ignore[index,operator]
                f"@2 {mean((r['answer_rank'][w] or 99) <= 2 for r in rs):.3f}"
                for w in ANSWER_WEIGHTS
            ]  # type: ignore[index,operator]
            print(f"  {lang} half {half}: " + " · ".join(cells))
    print("\n3. answerability: answer on the full index, refuse without the gold paragraph (threshold from half A)")
    for lang in ("ar", "en"):
        for key in ("", "_any"):
            a = by("A", lang)
            if not a:
                continue
            t, kept, refused = youden([r[f"best_full{key}"] for r in a], [r[f"best_removed{key}"] for r in a])  # type: ignore[misc]
            b = by("B", lang)
            kb = mean(r[f"best_full{key}"] >= t for r in b) if b else 0.0  # type: ignore[operator]
            rb = mean(r[f"best_removed{key}"] < t for r in b) if b else 0.0  # type: ignore[operator]
            name = "passing the check" if not key else "any sentence"
            print(f"  {lang}, best {name}: threshold {t:.3f}; A answered {kept:.3f} refused {refused:.3f}; "
                  f"B answered {kb:.3f} refused {rb:.3f}")  # fmt: skip
    print("\n3b. with a coverage floor too (share of the question's terms in the passages), both chosen on half A")
    for lang in ("ar", "en"):
        a, b = by("A", lang), by("B", lang)
        if not a or not b:
            continue
        for cov in ("cov", "cov_best"):
            grid = [(t / 100, c / 20) for t in range(70, 92) for c in range(0, 21)]
            t, c = max(grid, key=lambda tc: (lambda k, r: k + r - 1)(*_joint(a, cov, *tc)))
            ka, ra = _joint(a, cov, t, c)
            kb, rb = _joint(b, cov, t, c)
            print(
                f"  {lang}, {cov}: score >= {t:.2f} and coverage >= {c:.2f}; A answered {ka:.3f} refused {ra:.3f}; "
                f"B answered {kb:.3f} refused {rb:.3f}"
            )
            d = Settings(_env_file=None).min_relevance(lang)  # type: ignore[arg-type]
            for c in (0.0, 0.25, 0.4, 0.5, 0.6, 0.75):
                (ka, ra), (kb, rb) = _joint(a, cov, d, c), _joint(b, cov, d, c)
                print(
                    f"    default score {d:.3f}, coverage >= {c:.2f}: A answered {ka:.3f} refused {ra:.3f}; "
                    f"B answered {kb:.3f} refused {rb:.3f}"
                )


if __name__ == "__main__":
    main()
