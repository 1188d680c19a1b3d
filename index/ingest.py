"""Ingestion: files -> cleaned articles -> chunks -> vectors -> store.

One article at a time, so memory stays flat for any number of files and an
interruption loses at most the article being written (the store's write order
makes that safe to repeat). Articles already in the store, by content hash, are
skipped before anything is embedded, so ingesting the same folder twice adds
nothing. When a file changes, its new articles are added and the ones it held
before are removed, so no stale chunk remains. A file that cannot be read is
reported and the others go on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from index.chunk import chunk_article
from index.embed import Embedder
from index.errors import InputError
from index.lexical import LexicalIndex
from index.load import find_article_files, read_articles
from index.store import ChunkStore

#: progress(done_files, total_files, current_file_name)
Progress = Callable[[int, int, str], None]


class IngestFailure(BaseModel):
    """A file that was not indexed, and why."""

    model_config = ConfigDict(frozen=True)

    source: str
    error: str


class IngestReport(BaseModel):
    """What one ingestion run did."""

    model_config = ConfigDict(frozen=True)

    files: int
    articles_added: int
    articles_unchanged: int
    chunks_added: int
    articles_removed: int = 0
    failed: tuple[IngestFailure, ...] = ()
    seconds: float


def ingest(
    paths: Sequence[Path],
    store: ChunkStore,
    embedder: Embedder,
    *,
    max_chars: int,
    overlap: int,
    max_bytes: int = 5_000_000,
    progress: Progress | None = None,
    lexical: LexicalIndex | None = None,
) -> IngestReport:
    """Index the articles in `paths` (files or folders) that the store does not hold yet.

    `lexical` is the store's lexical index: it is updated alongside and saved at the end
    (were it left behind, `LexicalIndex.sync` would catch up from the store).
    """
    t0 = time.perf_counter()
    files = find_article_files(paths)
    known = store.article_ids()
    added = unchanged = chunks_added = replaced = 0
    failed: list[IngestFailure] = []
    for n, path in enumerate(files):
        if progress:
            progress(n, len(files), path.name)
        try:
            articles = read_articles(path, max_bytes=max_bytes)
        except InputError as exc:
            failed.append(IngestFailure(source=str(path), error=str(exc)))
            continue
        file = str(path.resolve())
        for article in articles:
            if article.id in known:
                unchanged += 1
                continue
            chunks = chunk_article(article, max_chars=max_chars, overlap=overlap)
            vectors = embedder.embed_passages([c.text for c in chunks] + [article.title])
            store.add_article(article, chunks, vectors[:-1], vectors[-1], file=file)
            if lexical is not None:
                lexical.add_article(article.id, chunks)
            known.add(article.id)
            added += 1
            chunks_added += len(chunks)
        # The file's new versions are in; now drop what it held before (a changed or removed article).
        # In this order an interruption leaves the old and new versions both, never neither, and the
        # next run finishes the replacement.
        for stale in store.articles_of_file(file) - {a.id for a in articles}:
            store.remove_article(stale)
            if lexical is not None:
                lexical.remove_article(stale)
            known.discard(stale)
            replaced += 1
    if lexical is not None:
        lexical.save()
    if progress:
        progress(len(files), len(files), "")
    return IngestReport(
        files=len(files),
        articles_added=added,
        articles_unchanged=unchanged,
        chunks_added=chunks_added,
        articles_removed=replaced,
        failed=tuple(failed),
        seconds=round(time.perf_counter() - t0, 3),
    )
