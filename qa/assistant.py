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
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from index.chunk import chunker_id
from index.embed import Embedder, load_embedder
from index.errors import InputError, StoreChangedError
from index.ingest import IngestReport, Progress, ingest
from index.lexical import Analyzer, LexicalIndex
from index.models import Article
from index.store import ArticleEntry, ChunkStore, StoreStats, drop_store
from qa.generate import answer_events, final_answer
from qa.language import detect_language
from qa.llm import ChatModel, load_llm, resolve_backend
from qa.models import Answer, AnswerEvent, Passage
from qa.rerank import SentenceRerank
from qa.rerank import from_settings as rerank_from_settings
from qa.retrieve import HybridRetriever, RetrievalFilter
from qa.settings import Settings
from qa.translate import QueryExtras, QuestionTranslator, query_extras

_SPACES = re.compile(r"\s+")
#: How often an answer citing an article that was removed meanwhile is answered again.
STALE_RETRIES = 3


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

    `embedder` and `llm` replace the configured models (tests pass fakes).
    """

    def __init__(
        self, settings: Settings | None = None, *, embedder: Embedder | None = None, llm: ChatModel | None = None
    ) -> None:
        self.settings = settings or Settings()
        self._embedder = embedder
        self._store: ChunkStore | None = None
        self._lexical: LexicalIndex | None = None
        self._llm: ChatModel | None = llm
        self._rerank: SentenceRerank | None = None
        self._lock = threading.Lock()
        self._store_lock = threading.Lock()  # taken before `_lock` (store() reads `embedder`), never after

    @property
    def embedder(self) -> Embedder:
        """The embedding model, loaded on first use."""
        with self._lock:
            if self._embedder is None:
                s = self.settings
                self._embedder = load_embedder(
                    s.embedding_model, cache_dir=s.cache_dir, query_prefix=s.query_prefix,
                    passage_prefix=s.passage_prefix, encoder=s.encoder,
                )  # fmt: skip
            return self._embedder

    def reranker(self) -> SentenceRerank | None:
        """The sentence reranker (`qa.rerank`), made once: its sentence cache lasts as long as the assistant."""
        embedder = self.embedder
        with self._lock:
            if self._rerank is None:
                self._rerank = rerank_from_settings(self.settings, embedder)
            return self._rerank

    def store(self, *, create: bool = False) -> ChunkStore:
        """The chunk store, opened on first use (`create` makes an empty one if there is none)."""
        with self._store_lock:
            if self._store is None:
                s = self.settings
                embedder = self.embedder
                self._store = ChunkStore.open(
                    s.store_dir, url=s.chroma_url, model_id=embedder.model_id, dim=embedder.dim,
                    chunker=chunker_id(s.chunk_max_chars, s.chunk_overlap), create=create,
                )  # fmt: skip
            return self._store

    def lexical(self) -> LexicalIndex:
        """The lexical (BM25) index beside the store, loaded on first use (`qa.retrieve` keeps it in sync)."""
        with self._lock:
            if self._lexical is None:
                s = self.settings
                chunker = chunker_id(s.chunk_max_chars, s.chunk_overlap)
                self._lexical = LexicalIndex(s.lexical_dir, Analyzer(s.lexical_stemmer), chunker=chunker)
            return self._lexical

    def ingest(
        self, paths: Sequence[Path | str], *, rebuild: bool = False, progress: Progress | None = None
    ) -> IngestReport:
        """Index the articles in `paths` (files or folders); `rebuild` drops the store first."""
        s = self.settings
        if rebuild:
            with self._store_lock:
                self._store = None
            drop_store(s.store_dir, url=s.chroma_url)
            self.lexical().clear()
        store = self.store(create=True)
        self.lexical().sync(store)  # catch up first, so the run below only adds what it indexes
        return ingest(
            [Path(p) for p in paths], store, self.embedder, max_chars=s.chunk_max_chars,
            overlap=s.chunk_overlap, max_bytes=s.max_file_bytes, progress=progress, lexical=self.lexical(),
        )  # fmt: skip

    def remove(self, target: str | Path) -> list[str]:
        """Remove an indexed article by id, or every article read from a file; return the removed ids."""
        store = self.store()
        path = Path(target)
        ids = store.articles_of_file(str(path.resolve())) if path.exists() else {str(target)}
        removed = [i for i in sorted(ids) if store.remove_article(i)]
        for i in removed:
            self.lexical().remove_article(i)
        self.lexical().save()
        if not removed:
            raise InputError(f"no indexed article has the id or file {str(target)!r}: `qa articles` lists them")
        return removed

    def articles(self) -> list[Article]:
        """The indexed articles."""
        return self.store().articles()

    def articles_with_chunks(self) -> list[tuple[Article, int]]:
        """The indexed articles, each with its number of passages (chunks), in source order."""
        return self.store().listing()

    def catalogue(self) -> list[ArticleEntry]:
        """The indexed articles' metadata and passage counts, in source order (no article text: cheap at any size)."""
        return self.store().catalogue()

    def stats(self) -> StoreStats:
        """How many articles and passages are indexed, and articles per outlet."""
        return self.store().stats()

    def retrieve(self, question: str, k: int | None = None, *, where: RetrievalFilter | None = None) -> list[Passage]:
        """The `k` passages that best match the question (hybrid dense + lexical), best first.

        `where` restricts them to some articles, outlets or a date range.
        """
        question = clean_question(question, self.settings.max_question_chars)
        return self._retrieve(question, self.embedder.embed_query(question), k or self.settings.top_k, where)

    def _retrieve(
        self, question: str, vector: Sequence[float], k: int, where: RetrievalFilter | None = None
    ) -> list[Passage]:
        s = self.settings
        retriever = HybridRetriever.from_settings(self.store(), self.lexical(), s, rerank=self.reranker())
        extras = QueryExtras()
        # An English question's Arabic rendering by the model (cached) joins both retrieval sides (qa.translate);
        # the language is checked first, so an Arabic question never loads the model here.
        if detect_language(question) == "en" and (translator := self._translator()) is not None:
            extras = query_extras(question, translator, self.embedder)
        return retriever.retrieve(question, vector, k, where, **extras.as_kwargs())

    def _translator(self) -> QuestionTranslator | None:
        """The question translator when `Settings.translate_questions` is on and there is a model."""
        if not self.settings.translate_questions or self.llm is None:
            return None
        return QuestionTranslator(self.llm, self.settings.cache_dir)

    def ask(
        self,
        question: str,
        history: Sequence[tuple[str, str]] | None = None,
        k: int | None = None,
        *,
        where: RetrievalFilter | None = None,
    ) -> Answer:
        """Answer `question` from the articles, citing the passages that support it.

        `history` is the earlier (question, answer) turns of a conversation;
        a follow-up is rewritten into a standalone question before retrieval
        (`Answer.standalone_question`). With a model (settings `backend`), the answer is
        generated and every sentence checked against the passage it cites (`qa.generate`).
        """
        return final_answer(self.ask_stream(question, history, k, where=where))

    def ask_stream(
        self,
        question: str,
        history: Sequence[tuple[str, str]] | None = None,
        k: int | None = None,
        *,
        where: RetrievalFilter | None = None,
    ) -> Iterator[AnswerEvent]:
        """Like `ask`, streamed: draft tokens (`kind="token"`), then the verified answer (`kind="answer"`).

        The question is checked and the index opened now, so bad input fails before streaming starts.
        """
        s = self.settings
        question = clean_question(question, s.max_question_chars)
        self.store()  # fail fast, before the model is used, when there is no index

        translator = self._translator()  # answer_events asks it only for an English question; the model answers anyway

        def events() -> Iterator[AnswerEvent]:
            return answer_events(
                question, list(history or ()), settings=s, embedder=self.embedder, llm=self.llm,
                retrieve=lambda q, v, n: self._retrieve(q, v, n, where), k=k or s.top_k,
                render_question=translator.translate if translator is not None else None,
            )  # fmt: skip

        return (self._with_copies(e) for e in self._retry_if_stale(events))

    def _with_copies(self, event: AnswerEvent) -> AnswerEvent:
        """The answer event with each citation naming the other outlets that carried the same story."""
        answer = event.answer
        if answer is None or not answer.citations:
            return event
        copies = self.store().copies(c.article_id for c in answer.citations)
        cited = []
        for c in answer.citations:
            others = [a.outlet or a.title for a in copies.get(c.article_id, []) if a.outlet != c.outlet]
            cited.append(c.model_copy(update={"also_reported_by": tuple(dict.fromkeys(others))}) if others else c)
        return AnswerEvent(kind="answer", answer=answer.model_copy(update={"citations": tuple(cited)}))

    def _retry_if_stale(self, events: Callable[[], Iterator[AnswerEvent]]) -> Iterator[AnswerEvent]:
        """The stream, with an answer that cites an article removed or replaced meanwhile answered again.

        Ingestion may run in another process while a question is answered; an answer is only
        returned when every article it cites is still in the store (checked by id, which costs
        the same for any corpus size). The retry does not stream: its draft was already shown.
        """
        for event in events():
            answer = event.answer
            for _ in range(STALE_RETRIES):
                if answer is None or not self._gone(answer):
                    break
                answer = final_answer(events())
            if answer is not None and self._gone(answer):
                raise StoreChangedError("the articles changed while this question was answered: ask again")
            yield event if answer is event.answer else AnswerEvent(kind="answer", answer=answer)

    def _gone(self, answer: Answer) -> bool:
        cited = {c.article_id for c in answer.citations}
        return bool(cited) and self.store().committed(cited) != cited

    @property
    def llm(self) -> ChatModel | None:
        """The generative model of the configured backend, loaded on first use (None: extractive)."""
        with self._lock:
            if self._llm is None and resolve_backend(self.settings) != "extractive":
                self._llm = load_llm(self.settings)
            return self._llm


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)
