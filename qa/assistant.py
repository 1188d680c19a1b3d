"""`Assistant`: the one entry object of the query API.

It owns the settings, loads the embedding model and opens the store lazily (so
constructing it is cheap and `import qa` does not import torch), and exposes
the three things a user does: `ingest`, `retrieve`, `ask`.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from index.chunk import chunker_id
from index.embed import Embedder, load_embedder
from index.errors import InputError
from index.ingest import IngestReport, Progress, ingest
from index.models import Article
from index.store import ChunkStore, drop_store
from qa.extractive import candidate_sentences, compose, score_sentences, select
from qa.language import detect_language
from qa.models import Answer, Passage
from qa.settings import Settings

_SPACES = re.compile(r"\s+")


def clean_question(text: str, max_chars: int) -> str:
    """The question with control characters removed and white space folded, or `InputError`."""
    if not isinstance(text, str):
        raise InputError("the question must be text")
    if len(text) > max_chars:
        raise InputError(f"the question is {len(text):,} characters long; the limit is {max_chars:,}: shorten it")
    kept = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    question = _SPACES.sub(" ", kept).strip()
    if not any(ch.isalnum() for ch in question):
        raise InputError("the question is empty: ask something about the articles, e.g. 'Where were the talks held?'")
    return question


class Assistant:
    """Question answering over the indexed articles.

    `embedder` replaces the configured model (tests pass a fake one).
    """

    def __init__(self, settings: Settings | None = None, *, embedder: Embedder | None = None) -> None:
        self.settings = settings or Settings()
        self._embedder = embedder
        self._store: ChunkStore | None = None
        self._lock = threading.Lock()

    @property
    def embedder(self) -> Embedder:
        """The embedding model, loaded on first use."""
        with self._lock:
            if self._embedder is None:
                s = self.settings
                self._embedder = load_embedder(
                    s.embedding_model, cache_dir=s.cache_dir, query_prefix=s.query_prefix,
                    passage_prefix=s.passage_prefix,
                )  # fmt: skip
            return self._embedder

    def store(self, *, create: bool = False) -> ChunkStore:
        """The chunk store, opened on first use (`create` makes an empty one if there is none)."""
        if self._store is None:
            s = self.settings
            embedder = self.embedder
            self._store = ChunkStore.open(
                s.store_dir, url=s.chroma_url, model_id=embedder.model_id, dim=embedder.dim,
                chunker=chunker_id(s.chunk_max_chars, s.chunk_overlap), create=create,
            )  # fmt: skip
        return self._store

    def ingest(
        self, paths: Sequence[Path | str], *, rebuild: bool = False, progress: Progress | None = None
    ) -> IngestReport:
        """Index the articles in `paths` (files or folders); `rebuild` drops the store first."""
        s = self.settings
        if rebuild:
            self._store = None
            drop_store(s.store_dir, url=s.chroma_url)
        return ingest(
            [Path(p) for p in paths], self.store(create=True), self.embedder, max_chars=s.chunk_max_chars,
            overlap=s.chunk_overlap, max_bytes=s.max_file_bytes, progress=progress,
        )  # fmt: skip

    def remove(self, target: str | Path) -> list[str]:
        """Remove an indexed article by id, or every article read from a file; return the removed ids."""
        store = self.store()
        path = Path(target)
        ids = store.articles_of_file(str(path.resolve())) if path.exists() else {str(target)}
        removed = [i for i in sorted(ids) if store.remove_article(i)]
        if not removed:
            raise InputError(f"no indexed article has the id or file {str(target)!r}: `qa articles` lists them")
        return removed

    def articles(self) -> list[Article]:
        """The indexed articles."""
        return self.store().articles()

    def retrieve(self, question: str, k: int | None = None) -> list[Passage]:
        """The `k` passages closest to the question, best first."""
        question = clean_question(question, self.settings.max_question_chars)
        return self._retrieve(question, self.embedder.embed_query(question), k or self.settings.top_k)

    def _retrieve(self, question: str, vector: Sequence[float], k: int) -> list[Passage]:
        hits = self.store().search(vector, k)
        return [Passage(chunk=c, score=round(s, 6), rank=i) for i, (c, s) in enumerate(hits, start=1)]

    def ask(self, question: str, history: Sequence[tuple[str, str]] | None = None, k: int | None = None) -> Answer:
        """Answer `question` from the articles, citing the passages that support it.

        `history` is the earlier (question, answer) turns of a conversation;
        the extractive backend answers each question on its own.
        """
        s = self.settings
        timings: dict[str, float] = {}
        t = time.perf_counter()
        question = clean_question(question, s.max_question_chars)
        language = detect_language(question)
        self.store()  # fail fast, before the model is used, when there is no index
        vector = self.embedder.embed_query(question)
        timings["embed_query"] = _ms(t)
        t = time.perf_counter()
        passages = self._retrieve(question, vector, k or s.top_k)
        timings["retrieve"] = _ms(t)
        t = time.perf_counter()
        scored = score_sentences(vector, candidate_sentences(passages), self.embedder)
        chosen = select(scored, min_relevance=s.min_relevance(language), max_sentences=s.max_answer_sentences)
        text, citations = compose(chosen, language)
        timings["answer"] = _ms(t)
        return Answer(
            question=question, text=text, language=language, answered=bool(citations), citations=citations,
            passages=tuple(passages), backend="extractive", timings=timings,
        )  # fmt: skip


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)
