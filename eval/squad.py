"""Retrieval benchmark on a SQuAD-format file: does the right paragraph come back.

The unique contexts of the file become the corpus (one article each, its
SQuAD title as headline); every question is asked and it is a hit when a
retrieved passage comes from its own context. Reported per question language:
recall@1, recall@5 and MRR@10, plus index build time (wall and CPU), warm query latency
(p50/p95, embedding included) and the process's peak memory while the
pipeline was built and queried.

Pipelines, all on the same embedding model and in the same run:
- `ours`: the project's pipeline (chunking, Chroma, Arabic BM25, fusion, duplicate collapse);
- `ours-dense`: the same index with the lexical weight at 0 (an ablation);
- `llamaindex-dense`: llama-index's defaults, `VectorStoreIndex` over Chroma (1024-token nodes);
- `llamaindex-bm25`: llama-index's `BM25Retriever` with its defaults on the same nodes.

`questions_path` is a parallel SQuAD file (e.g. XQuAD English) whose questions,
matched by id, are asked of the first file's contexts as well.

`run_cross_language` measures how English questions over Arabic contexts are
searched (`Variant`: the question's Arabic rendering by the local model, see
`qa.translate`, for the lexical side, the dense side or both; more candidates;
another lexical weight), reported for the two halves of the file's articles
(`title_halves`): weights are picked on half A and reported on both.

Our pipeline is built through `index` directly (chunk, embed, store, lexical
index) rather than `Assistant.ingest`, because SQuAD contexts are not news
files: cleaning them would drop or split text and lose the gold paragraph.
"""

from __future__ import annotations

import json
import resource
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from index.chunk import chunk_article, chunker_id
from index.embed import Embedder, LlamaIndexEmbedder
from index.ingest import EMBED_BATCH, write_articles
from index.lexical import Analyzer, LexicalIndex
from index.models import Article, Chunk
from index.store import ChunkStore
from qa.language import detect_language
from qa.rerank import from_settings as rerank_from_settings
from qa.retrieve import HybridRetriever
from qa.settings import Settings

if TYPE_CHECKING:
    from qa.translate import QuestionTranslator

PIPELINES = ("ours", "ours-dense", "llamaindex-dense", "llamaindex-bm25")
TOP = 10
#: progress(stage, done, total)
Progress = Callable[[str, int, int], None]


class Case(BaseModel):
    """One question and the index of the context that answers it."""

    model_config = ConfigDict(frozen=True)

    language: str
    question: str
    context: int
    answers: tuple[str, ...] = ()


class Metrics(BaseModel):
    """Retrieval quality for one question language."""

    model_config = ConfigDict(frozen=True)

    questions: int
    recall_at_1: float
    recall_at_5: float
    mrr_at_10: float


class AnswerMetrics(BaseModel):
    """Answers (not just passages) for the first questions of one language, by the configured backend."""

    model_config = ConfigDict(frozen=True)

    backend: str
    questions: int
    exact_match: float
    f1: float
    answered: float
    seconds_p50: float


class PipelineReport(BaseModel):
    """One pipeline on one file."""

    model_config = ConfigDict(frozen=True)

    pipeline: str
    by_language: dict[str, Metrics]
    #: half ("A", "B": see `title_halves`) -> language -> metrics; empty unless halves were asked for
    by_half: dict[str, dict[str, Metrics]] = {}
    build_seconds: float
    build_cpu_seconds: float
    nodes: int
    latency_p50_ms: float
    latency_p95_ms: float
    peak_memory_mb: float


class SquadReport(BaseModel):
    """Every pipeline on one SQuAD file."""

    model_config = ConfigDict(frozen=True)

    dataset: str
    contexts: int
    chunker: str
    lexical: str
    pipelines: tuple[PipelineReport, ...]
    answers: dict[str, AnswerMetrics] = {}


def load_squad(path: Path, questions_path: Path | None = None) -> tuple[list[Article], list[Case]]:
    """The unique contexts of a SQuAD file as articles, and its questions (plus the parallel file's)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))["data"]
    index: dict[str, int] = {}
    articles: list[Article] = []
    by_id: dict[str, int] = {}
    cases: list[Case] = []
    for doc in data:
        for para in doc["paragraphs"]:
            text = para["context"]
            if text not in index:
                index[text] = len(articles)
                title = str(doc.get("title") or text[:60]).replace("_", " ")
                articles.append(Article(id=f"ctx{len(articles):05d}", title=title, text=text, source=str(path)))
            for qa in para["qas"]:
                by_id[qa["id"]] = index[text]
                cases.append(Case(language=detect_language(qa["question"]), question=qa["question"],
                                  context=index[text], answers=_answers(qa)))  # fmt: skip
    if questions_path is not None:
        other = json.loads(Path(questions_path).read_text(encoding="utf-8"))["data"]
        for doc in other:
            for para in doc["paragraphs"]:
                for qa in para["qas"]:
                    if qa["id"] in by_id:
                        lang = detect_language(qa["question"])
                        cases.append(Case(language=lang, question=qa["question"], context=by_id[qa["id"]],
                                          answers=_answers(qa)))  # fmt: skip
    return articles, cases


def _answers(qa: dict[str, Any]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(a["text"]) for a in qa.get("answers", ()) if str(a.get("text", "")).strip()))


def _peak_reset() -> None:
    """Reset the kernel's peak-RSS mark (Linux), so each pipeline's peak is its own."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _score(ranked: Sequence[Sequence[int]], cases: Sequence[Case]) -> dict[str, Metrics]:
    out = {}
    for lang in sorted({c.language for c in cases}):
        pairs = [(r, c.context) for r, c in zip(ranked, cases, strict=True) if c.language == lang]
        r1 = sum(r[:1] == [g] for r, g in pairs)
        r5 = sum(g in r[:5] for r, g in pairs)
        mrr = sum(1 / (r.index(g) + 1) for r, g in pairs if g in r[:TOP])
        n = len(pairs)
        out[lang] = Metrics(questions=n, recall_at_1=round(r1 / n, 4), recall_at_5=round(r5 / n, 4),
                            mrr_at_10=round(mrr / n, 4))  # fmt: skip
    return out


def _query_all(
    name: str, search: Callable[[str], list[int]], cases: Sequence[Case], progress: Progress | None
) -> tuple[list[list[int]], list[float]]:
    search(cases[0].question)  # warm-up: first-call costs are not what a user waits for per question
    ranked, times = [], []
    for i, case in enumerate(cases):
        t = time.perf_counter()
        ranked.append(search(case.question))
        times.append((time.perf_counter() - t) * 1000)
        if progress and (i % 25 == 0 or i == len(cases) - 1):
            progress(f"{name}: questions", i + 1, len(cases))
    return ranked, times


def _by_half(ranked: Sequence[Sequence[int]], cases: Sequence[Case], halves: dict[int, str] | None
             ) -> dict[str, dict[str, Metrics]]:  # fmt: skip
    if not halves:
        return {}
    out = {}
    for half in sorted(set(halves.values())):
        keep = [i for i, c in enumerate(cases) if halves[c.context] == half]
        out[half] = _score([ranked[i] for i in keep], [cases[i] for i in keep])
    return out


def _report(name: str, ranked: list[list[int]], times: list[float], cases: Sequence[Case], build: float,
            build_cpu: float, nodes: int, halves: dict[int, str] | None = None) -> PipelineReport:  # fmt: skip
    q = statistics.quantiles(times, n=20) if len(times) > 1 else times * 19
    return PipelineReport(
        pipeline=name, by_language=_score(ranked, cases), by_half=_by_half(ranked, cases, halves),
        build_seconds=round(build, 2),
        build_cpu_seconds=round(build_cpu, 2), nodes=nodes,
        latency_p50_ms=round(statistics.median(times), 1), latency_p95_ms=round(q[18], 1),
        peak_memory_mb=round(_peak_mb(), 1),
    )  # fmt: skip


def _ctx(article_id: str) -> int:
    return int(article_id.removeprefix("ctx"))


def build_ours(
    articles: Sequence[Article], settings: Settings, embedder: Embedder, workdir: Path, progress: Progress | None = None
) -> tuple[ChunkStore, LexicalIndex, int, float, float]:
    """Index `articles` with the project's pipeline: (store, lexical index, chunks, wall seconds, CPU seconds)."""
    _peak_reset()
    t0, c0 = time.perf_counter(), time.process_time()
    chunker = chunker_id(settings.chunk_max_chars, settings.chunk_overlap)
    store = ChunkStore.open(workdir / "ours", model_id=embedder.model_id, dim=embedder.dim, chunker=chunker,
                            create=True)  # fmt: skip
    lexical = LexicalIndex(workdir / "ours-lexical", Analyzer(settings.lexical_stemmer), chunker=chunker)
    nodes = 0
    batch: list[tuple[Article, Sequence[Chunk], str | None]] = []
    for i, article in enumerate(articles):  # as `index.ingest` does, minus reading and cleaning files
        chunks = chunk_article(article, max_chars=settings.chunk_max_chars, overlap=settings.chunk_overlap)
        batch.append((article, chunks, None))
        nodes += len(chunks)
        if sum(len(c) for _, c, _ in batch) >= EMBED_BATCH or i == len(articles) - 1:
            write_articles(store, embedder, batch, lexical=lexical)
            batch = []
            if progress:
                progress("ours: build", i + 1, len(articles))
    lexical.save()
    return store, lexical, nodes, time.perf_counter() - t0, time.process_time() - c0


def run_ours(
    articles: Sequence[Article], cases: Sequence[Case], settings: Settings, embedder: Embedder, workdir: Path,
    progress: Progress | None = None, *, dense_ablation: bool = True, answers: int = 0,
) -> tuple[list[PipelineReport], dict[str, AnswerMetrics]]:  # fmt: skip
    """Build and query the project's pipeline (and its dense-only ablation on the same index).

    With `answers`, the first `answers` questions of each language are also answered by the
    configured backend over this index (`qa.generate`, as `Assistant.ask` does) and scored
    against the gold answers: exact match and token F1, the best over the gold answers.
    """
    store, lexical, nodes, build, build_cpu = build_ours(articles, settings, embedder, workdir, progress)
    reports = []
    weights = [("ours", settings.lexical_weight)] + ([("ours-dense", 0.0)] if dense_ablation else [])
    for name, weight in weights:
        rerank = rerank_from_settings(settings, embedder)
        retriever = HybridRetriever.from_settings(store, lexical, settings, rerank=rerank, lexical_weight=weight)

        def search(q: str, r: HybridRetriever = retriever) -> list[int]:
            return [_ctx(p.chunk.article_id) for p in r.retrieve(q, embedder.embed_query(q), TOP)]

        ranked, times = _query_all(name, search, cases, progress)
        reports.append(_report(name, ranked, times, cases, build, build_cpu, nodes))
    scored: dict[str, AnswerMetrics] = {}
    if answers:
        retriever = HybridRetriever.from_settings(store, lexical, settings,
                                                  rerank=rerank_from_settings(settings, embedder))  # fmt: skip
        scored = answer_cases(cases, answers, settings, embedder, retriever, progress)
    return reports, scored


def answer_cases(
    cases: Sequence[Case], per_language: int, settings: Settings, embedder: Embedder, retriever: HybridRetriever,
    progress: Progress | None = None,
) -> dict[str, AnswerMetrics]:  # fmt: skip
    """Answer the first `per_language` questions of each language and score them (EM, F1) per language."""
    from eval.metrics import exact_match, token_f1
    from qa.citations import plain_text
    from qa.generate import answer_events, final_answer
    from qa.llm import load_llm

    llm = load_llm(settings)
    out: dict[str, AnswerMetrics] = {}
    for lang in sorted({c.language for c in cases}):
        chosen = [c for c in cases if c.language == lang and c.answers][:per_language]
        em, f1, answered, seconds = [], [], [], []
        for i, case in enumerate(chosen):
            t = time.perf_counter()
            answer = final_answer(answer_events(
                case.question, [], settings=settings, embedder=embedder, llm=llm, k=settings.top_k,
                retrieve=lambda q, v, n: retriever.retrieve(q, v, n),
            ))  # fmt: skip
            seconds.append(time.perf_counter() - t)
            text = plain_text(answer.text) if answer.answered else ""
            em.append(max(exact_match(text, g) for g in case.answers))
            f1.append(max(token_f1(text, g) for g in case.answers))
            answered.append(answer.answered)
            if progress:
                progress(f"answers ({lang})", i + 1, len(chosen))
        if chosen:
            out[lang] = AnswerMetrics(
                backend=llm.name if llm else "extractive", questions=len(chosen),
                exact_match=round(statistics.mean(em), 4), f1=round(statistics.mean(f1), 4),
                answered=round(statistics.mean(answered), 4), seconds_p50=round(statistics.median(seconds), 2),
            )  # fmt: skip
    return out


def run_llamaindex(
    articles: Sequence[Article], cases: Sequence[Case], embedder: Embedder, workdir: Path,
    progress: Progress | None = None, *, bm25: bool = True, halves: dict[int, str] | None = None,
) -> list[PipelineReport]:  # fmt: skip
    """llama-index's default dense pipeline (VectorStoreIndex over Chroma) and default BM25, same model."""
    import chromadb
    from llama_index.core import Document, StorageContext, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.vector_stores.chroma import ChromaVectorStore

    if not isinstance(embedder, LlamaIndexEmbedder):
        raise TypeError("the llama-index pipelines need the real embedder (a llama-index embedding model)")
    model = embedder.llama_index_model
    docs = [Document(text=a.text, id_=a.id) for a in articles]
    _peak_reset()
    t0, c0 = time.perf_counter(), time.process_time()
    client = chromadb.PersistentClient(path=str(workdir / "llamaindex"),
                                       settings=chromadb.config.Settings(anonymized_telemetry=False))  # fmt: skip
    vector_store = ChromaVectorStore(chroma_collection=client.get_or_create_collection("bench"))
    nodes = SentenceSplitter().get_nodes_from_documents(docs)
    if progress:
        progress("llamaindex-dense: build", 0, 1)
    index = VectorStoreIndex(
        nodes, storage_context=StorageContext.from_defaults(vector_store=vector_store), embed_model=model
    )
    build, build_cpu = time.perf_counter() - t0, time.process_time() - c0
    if progress:
        progress("llamaindex-dense: build", 1, 1)
    dense = index.as_retriever(similarity_top_k=TOP)

    def search_dense(q: str) -> list[int]:
        return [_ctx(n.node.ref_doc_id or "") for n in dense.retrieve(q)]

    ranked, times = _query_all("llamaindex-dense", search_dense, cases, progress)
    reports = [_report("llamaindex-dense", ranked, times, cases, build, build_cpu, len(nodes), halves)]
    if bm25:
        from llama_index.retrievers.bm25 import BM25Retriever

        _peak_reset()
        t0, c0 = time.perf_counter(), time.process_time()
        lexical = BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=TOP)
        build, build_cpu = time.perf_counter() - t0, time.process_time() - c0

        def search_bm25(q: str) -> list[int]:
            return [_ctx(n.node.ref_doc_id or "") for n in lexical.retrieve(q)]

        ranked, times = _query_all("llamaindex-bm25", search_bm25, cases, progress)
        reports.append(_report("llamaindex-bm25", ranked, times, cases, build, build_cpu, len(nodes), halves))
    return reports


def run_squad_retrieval(
    path: Path,
    questions_path: Path | None = None,
    *,
    settings: Settings,
    embedder: Embedder,
    pipelines: Sequence[str] = PIPELINES,
    limit: int | None = None,
    progress: Progress | None = None,
    answers: int = 0,
) -> SquadReport:
    """Benchmark retrieval on one SQuAD file (see the module docstring); `limit` caps the questions.

    `answers` > 0 also answers that many questions per language with `settings.backend` (EM and F1).
    """
    unknown = set(pipelines) - set(PIPELINES)
    if unknown:
        raise ValueError(f"unknown pipelines {sorted(unknown)}: choose from {', '.join(PIPELINES)}")
    articles, cases = load_squad(path, questions_path)
    cases = cases[:limit] if limit else cases
    reports: list[PipelineReport] = []
    scored: dict[str, AnswerMetrics] = {}
    with tempfile.TemporaryDirectory(prefix="squad-bench-") as tmp:
        if "ours" in pipelines or "ours-dense" in pipelines or answers:
            got, scored = run_ours(articles, cases, settings, embedder, Path(tmp), progress,
                                   dense_ablation="ours-dense" in pipelines, answers=answers)  # fmt: skip
            reports += [r for r in got if r.pipeline in pipelines]
        if "llamaindex-dense" in pipelines:
            reports += run_llamaindex(articles, cases, embedder, Path(tmp), progress,
                                      bm25="llamaindex-bm25" in pipelines)  # fmt: skip
    name = Path(path).stem + (f"+{Path(questions_path).stem}" if questions_path else "")
    return SquadReport(
        dataset=name, contexts=len(articles), chunker=chunker_id(settings.chunk_max_chars, settings.chunk_overlap),
        lexical=f"{Analyzer(settings.lexical_stemmer).id} weight={settings.lexical_weight}",
        pipelines=tuple(reports), answers=scored,
    )  # fmt: skip


def title_halves(articles: Sequence[Article]) -> dict[int, str]:
    """Context index -> "A" or "B": the sorted distinct titles alternate, so each article lies wholly in one half."""
    titles = sorted({a.title for a in articles})
    half = {t: "AB"[i % 2] for i, t in enumerate(titles)}
    return {i: half[a.title] for i, a in enumerate(articles)}


class Variant(BaseModel):
    """How English questions are searched; Arabic questions are always searched as they are.

    `lexical`: the text the lexical side analyses (the question, its Arabic rendering, or
    both joined); `dense`: the question's vector alone, or with the rendering's (`mean`,
    `extra_weight` on the rendering, or `max` of the two cosines); `candidates` per side
    (None: the settings'); `lexical_weight_en`: the lexical weight for English questions
    (None: the settings').
    """

    model_config = ConfigDict(frozen=True)

    name: str
    lexical: Literal["question", "rendering", "both"] = "question"
    dense: Literal["question", "mean", "max"] = "question"
    extra_weight: float = 0.5
    candidates: int | None = None
    lexical_weight_en: float | None = None
    name_weight: float | None = None

    @property
    def translates(self) -> bool:
        """Whether the variant needs the rendering."""
        return self.lexical != "question" or self.dense != "question"


def variant_grid() -> list[Variant]:
    """The variants `bench/retrieval.py --translate` measures: the cheap knobs, then the rendering's uses."""
    out = [
        Variant(name="ours"),
        Variant(name="cand40", candidates=40),
        Variant(name="cand60", candidates=60),
        Variant(name="en-lex0", lexical_weight_en=0.0),
        Variant(name="en-lex.12", lexical_weight_en=0.12),
        Variant(name="tr-lexboth", lexical="both"),
        Variant(name="tr-dense.3", dense="mean", extra_weight=0.3),
        Variant(name="tr-dense.5", dense="mean"),
        Variant(name="tr-lexboth-dense.3", lexical="both", dense="mean", extra_weight=0.3),
        Variant(name="tr-union", lexical="rendering", dense="mean", extra_weight=0.0),
    ]
    for w in (0.0, 0.01, 0.02, 0.03, 0.04, 0.08):
        out.append(Variant(name=f"names{w:g}", name_weight=w))
    out.append(Variant(name="tr-lexboth-dense.3-names0", lexical="both", dense="mean", extra_weight=0.3,
                       name_weight=0.0))  # fmt: skip
    for w in (0.03, 0.06, 0.1, 0.15):
        out.append(Variant(name=f"tr-lex{w:g}", lexical="rendering", lexical_weight_en=w))
    for ew in (0.3, 0.5, 0.7):
        for w in (0.06, 0.1, 0.15):
            out.append(Variant(name=f"tr-mean{ew:g}-lex{w:g}", lexical="rendering", dense="mean", extra_weight=ew,
                               lexical_weight_en=w))  # fmt: skip
    for w in (0.06, 0.1):
        out.append(Variant(name=f"tr-max-lex{w:g}", lexical="rendering", dense="max", lexical_weight_en=w))
    return out


class CrossLanguageReport(BaseModel):
    """`run_cross_language`: every variant on both halves, plus llama-index dense, and the translation cost."""

    model_config = ConfigDict(frozen=True)

    dataset: str
    contexts: int
    halves: dict[str, tuple[str, ...]]
    translator: str
    questions_en: int
    translated: int
    translation_p50_s: float
    translation_p95_s: float
    pipelines: tuple[PipelineReport, ...]
    variants: tuple[Variant, ...]
    picked: str | None = None


def run_cross_language(
    path: Path,
    questions_path: Path,
    *,
    settings: Settings,
    embedder: Embedder,
    translator: QuestionTranslator,
    variants: Sequence[Variant] | None = None,
    limit: int | None = None,
    llamaindex: bool = True,
    cached_only: bool = False,
    progress: Progress | None = None,
) -> CrossLanguageReport:
    """Every variant over one index of `path`'s contexts, Arabic and parallel English questions, by half.

    Each English question is rendered once (`translator`, cached on disk); the query vectors
    are computed once per text, so a variant's latency is the retrieval alone (no embedding).
    `picked` is the variant with the best English recall@1 on half A (MRR breaks ties).
    `cached_only` asks only the English questions already in the translator's cache (the
    model is not called), so every variant is scored on the same questions while the cache fills.
    """
    variants = list(variants or variant_grid())
    articles, cases = load_squad(path, questions_path)
    cases = cases[:limit] if limit else cases
    halves = title_halves(articles)
    english = list(dict.fromkeys(c.question for c in cases if c.language == "en"))
    renderings: dict[str, str | None] = {}
    seconds: list[float] = []
    if any(v.translates for v in variants):
        for i, q in enumerate(english):
            done = translator.cached(q) if cached_only else translator.lookup(q)
            if done is not None:
                renderings[q] = done.text
                seconds.append(done.seconds)
            if progress:
                progress("translate", i + 1, len(english))
        if cached_only:
            english = [q for q in english if q in renderings]
            cases = [c for c in cases if c.language != "en" or c.question in renderings]
    texts = list(dict.fromkeys([c.question for c in cases] + [r for r in renderings.values() if r]))
    vectors = {}
    for i, text in enumerate(texts):
        vectors[text] = embedder.embed_query(text)
        if progress and (i % 50 == 0 or i == len(texts) - 1):
            progress("embed queries", i + 1, len(texts))
    reports: list[PipelineReport] = []
    with tempfile.TemporaryDirectory(prefix="squad-xl-") as tmp:
        store, lexical, nodes, build, build_cpu = build_ours(articles, settings, embedder, Path(tmp), progress)
        memo: dict[tuple[Any, ...], tuple[list[int], float]] = {}
        for v in variants:
            retriever = HybridRetriever.from_settings(
                store, lexical, settings, rerank=rerank_from_settings(settings, embedder),
                candidates=v.candidates or settings.retrieval_candidates,
                extra_mode="max" if v.dense == "max" else "mean", extra_weight=v.extra_weight,
                name_weight=settings.name_weight if v.name_weight is None else v.name_weight,
            )  # fmt: skip
            ranked, times = [], []
            for i, case in enumerate(cases):
                q = case.question
                rendering = renderings.get(q) if case.language == "en" and v.translates else None
                lexical_text, extra, weight = None, None, None
                if case.language == "en":
                    weight = v.lexical_weight_en
                    if rendering and v.lexical != "question":
                        lexical_text = rendering if v.lexical == "rendering" else f"{q} {rendering}"
                    if rendering and v.dense != "question":
                        extra = rendering
                key = (retriever.candidates, retriever.name_weight, q, lexical_text, extra, weight,
                       (retriever.extra_mode, retriever.extra_weight) if extra else None)  # fmt: skip
                if key not in memo:
                    t = time.perf_counter()
                    extra_vector = vectors[extra] if extra else None
                    got = retriever.retrieve(q, vectors[q], TOP, lexical_text=lexical_text, extra_vector=extra_vector,
                                             lexical_weight=weight)  # fmt: skip
                    memo[key] = ([_ctx(p.chunk.article_id) for p in got], (time.perf_counter() - t) * 1000)
                ranked.append(memo[key][0])
                times.append(memo[key][1])
                if progress and (i % 50 == 0 or i == len(cases) - 1):
                    progress(f"{v.name}: questions", i + 1, len(cases))
            reports.append(_report(v.name, ranked, times, cases, build, build_cpu, nodes, halves))
        if llamaindex:
            reports += run_llamaindex(articles, cases, embedder, Path(tmp), progress, bm25=False, halves=halves)
    titles: dict[str, tuple[str, ...]] = {
        h: tuple(sorted({a.title for i, a in enumerate(articles) if halves[i] == h})) for h in "AB"
    }
    timed = [x for x in seconds if x > 0]
    tq = statistics.quantiles(timed, n=20) if len(timed) > 1 else timed * 19
    return CrossLanguageReport(
        dataset=Path(path).stem + f"+{Path(questions_path).stem}", contexts=len(articles), halves=titles,
        translator=f"{translator.llm.name} prompt v{_prompt_version()}", questions_en=len(english),
        translated=sum(r is not None for r in renderings.values()),
        translation_p50_s=round(statistics.median(timed), 2) if timed else 0.0,
        translation_p95_s=round(tq[18], 2) if timed else 0.0,
        pipelines=tuple(reports), variants=tuple(variants), picked=pick_best(reports, [v.name for v in variants]),
    )  # fmt: skip


def _prompt_version() -> int:
    from qa.translate import PROMPT_VERSION

    return PROMPT_VERSION


def pick_best(
    reports: Sequence[PipelineReport], names: Sequence[str], half: str = "A", language: str = "en"
) -> str | None:
    """The pipeline among `names` with the best recall@1 (then MRR@10, then recall@5) for `language` on `half`."""
    scored = [
        (m.recall_at_1, m.mrr_at_10, m.recall_at_5, r.pipeline)
        for r in reports
        if r.pipeline in names and (m := r.by_half.get(half, {}).get(language)) is not None
    ]
    return max(scored, key=lambda t: t[:3])[3] if scored else None


def format_cross_language(report: CrossLanguageReport) -> str:
    """A Markdown table: one row per pipeline and language, R@1 / R@5 / MRR@10 on half A, half B and all."""
    lines = [
        f"### {report.dataset}: English questions over Arabic contexts ({report.contexts} contexts; "
        f"half A {len(report.halves.get('A', ()))} articles, half B {len(report.halves.get('B', ()))})",
        "",
        f"Translation: {report.translator}; {report.translated}/{report.questions_en} English questions rendered; "
        f"p50 {report.translation_p50_s:.2f} s, p95 {report.translation_p95_s:.2f} s per question (uncached). "
        f"Picked on half A (English R@1): **{report.picked}**.",
        "",
        "| pipeline | lang | A: R@1 / R@5 / MRR | B: R@1 / R@5 / MRR | all: R@1 / R@5 / MRR | p50 ms |",
        "|---|---|---|---|---|---:|",
    ]

    def cell(m: Metrics | None) -> str:
        return f"{m.recall_at_1:.3f} / {m.recall_at_5:.3f} / {m.mrr_at_10:.3f}" if m else "-"

    for p in report.pipelines:
        for lang in sorted(p.by_language):
            name = f"**{p.pipeline}**" if p.pipeline == report.picked else p.pipeline
            lines.append(
                f"| {name} | {lang} | {cell(p.by_half.get('A', {}).get(lang))} | "
                f"{cell(p.by_half.get('B', {}).get(lang))} | {cell(p.by_language[lang])} | {p.latency_p50_ms:.1f} |"
            )
    return "\n".join(lines)


def format_table(report: SquadReport) -> str:
    """A Markdown table of a report: one row per pipeline and question language."""
    lines = [
        f"### {report.dataset} ({report.contexts} contexts; chunker {report.chunker}; lexical {report.lexical})",
        "",
        "| pipeline | lang | questions | R@1 | R@5 | MRR@10 | build s (cpu s) | nodes | p50 ms | p95 ms | peak MB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in report.pipelines:
        for lang, m in sorted(p.by_language.items()):
            lines.append(
                f"| {p.pipeline} | {lang} | {m.questions} | {m.recall_at_1:.3f} | {m.recall_at_5:.3f} | "
                f"{m.mrr_at_10:.3f} | {p.build_seconds:.1f} ({p.build_cpu_seconds:.0f}) | {p.nodes} | "
                f"{p.latency_p50_ms:.1f} | {p.latency_p95_ms:.1f} | {p.peak_memory_mb:.0f} |"
            )
    if report.answers:
        lines += ["", "| answers by | lang | questions | EM | F1 | answered | s per answer (p50) |",
                  "|---|---|---:|---:|---:|---:|---:|"]  # fmt: skip
        for lang, a in sorted(report.answers.items()):
            lines.append(f"| {a.backend} | {lang} | {a.questions} | {a.exact_match:.3f} | {a.f1:.3f} | "
                         f"{a.answered:.3f} | {a.seconds_p50:.2f} |")  # fmt: skip
    return "\n".join(lines)


def plot(reports: Sequence[SquadReport], path: Path) -> None:
    """A bar chart of recall@1 / recall@5 per set, language and pipeline (matplotlib PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = [(r.dataset, lang) for r in reports for lang in r.pipelines[0].by_language] if reports else []
    names = [p.pipeline for p in reports[0].pipelines] if reports else []
    fig, axes = plt.subplots(1, 2, figsize=(max(8, 2.2 * len(groups)), 4.5), sharey=True)
    width = 0.8 / max(1, len(names))
    for ax, metric in zip(axes, ("recall_at_1", "recall_at_5"), strict=True):
        for j, name in enumerate(names):
            vals: list[float] = []
            for r in reports:
                pipe: Any = next((p for p in r.pipelines if p.pipeline == name), None)
                for lang in r.pipelines[0].by_language:
                    m = pipe.by_language.get(lang) if pipe else None
                    vals.append(getattr(m, metric) if m else 0.0)
            ax.bar([i + j * width for i in range(len(groups))], vals, width, label=name)
        ax.set_xticks([i + 0.4 - width / 2 for i in range(len(groups))])
        ax.set_xticklabels([f"{d}\n{lang}" for d, lang in groups], fontsize=8)
        ax.set_title(metric.replace("_at_", "@"))
        ax.set_ylim(0, 1)
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
