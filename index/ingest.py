"""Ingestion: files -> cleaned articles -> chunks -> vectors -> store.

A few articles at a time: their chunks are embedded in one batch (about 1.7 times
faster than one article per call on a CPU) and written in one go, chunks before
article records, so memory stays flat for any number of files and any size of file
(a .jsonl of 1,500 articles is embedded and written `EMBED_BATCH` chunks at a time)
and an interruption loses at most the batch being written (the write order makes
that safe to repeat). Progress is reported per article: the files are counted first
(read and parsed, which is milliseconds beside embedding), then every written batch
moves the count, with the chunks per second so far.
Articles already in the store, by content hash, are skipped before anything is
embedded, so ingesting the same folder twice adds nothing. When a file changes,
its new articles are added and the ones it held before are removed, so no stale
chunk remains. A file that cannot be read is reported and the others go on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from index.chunk import chunk_article
from index.embed import Embedder
from index.errors import InputError
from index.lexical import LexicalIndex
from index.load import find_article_files, read_articles
from index.models import Article, Chunk
from index.store import ArticleVectors, ChunkStore

#: Chunks embedded together.
EMBED_BATCH = 64
#: progress(done, total, what): for ingestion, articles embedded of those to embed, and the current file
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


def write_articles(
    store: ChunkStore,
    embedder: Embedder,
    items: Sequence[tuple[Article, Sequence[Chunk], str | None]],
    *,
    lexical: LexicalIndex | None = None,
) -> None:
    """Embed the chunks of these (article, chunks, source file) in one batch, then write them.

    An article's own vector is the normalised mean of its chunks' (no text is embedded twice).
    """
    texts = [c.text for _, chunks, _ in items for c in chunks]
    vectors = np.asarray(embedder.embed_passages(texts) if texts else [], dtype=np.float64)
    batch: list[ArticleVectors] = []
    i = 0
    for article, chunks, file in items:
        own = vectors[i : i + len(chunks)]
        i += len(chunks)
        mean = own.mean(axis=0) if len(own) else np.zeros(embedder.dim)
        norm = float(np.linalg.norm(mean))
        centroid = (mean / norm if norm else np.eye(1, embedder.dim)[0]).tolist()
        batch.append((article, chunks, own.tolist(), centroid, file))
    store.add_articles(batch)
    if lexical is not None:
        for article, chunks, _ in items:
            lexical.add_article(article.id, chunks)


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
    # Files read but not yet written: (file, all its articles, the new ones with their chunks).
    pending: list[tuple[str, list[Article], list[tuple[Article, list[Chunk]]]]] = []

    total = _count_new(files, known, max_bytes) if progress else 0
    t_embed = time.perf_counter()

    def flush() -> None:
        """Embed and write the pending articles `EMBED_BATCH` chunks at a time, then drop what their files held."""
        nonlocal added, chunks_added, replaced
        new = [(article, chunks, file) for file, _, items in pending for article, chunks in items]
        for part in _batches(new, EMBED_BATCH):
            write_articles(store, embedder, part, lexical=lexical)
            added += len(part)
            chunks_added += sum(len(chunks) for _, chunks, _ in part)
            if progress:
                rate = chunks_added / max(time.perf_counter() - t_embed, 1e-9)
                name = Path(part[-1][2] or "").name
                progress(added, total, f"{name}, {chunks_added} chunks, {rate:.1f} chunks/s")
        for file, articles, _ in pending:
            # The file's new versions are in; now drop what it held before (a changed or removed article).
            # In this order an interruption leaves the old and new versions both, never neither, and the
            # next run finishes the replacement.
            for stale in store.articles_of_file(file) - {a.id for a in articles}:
                store.remove_article(stale)
                if lexical is not None:
                    lexical.remove_article(stale)
                known.discard(stale)
                replaced += 1
        pending.clear()

    batched = 0
    if progress:
        progress(0, total, "")
    for path in files:
        try:
            articles = read_articles(path, max_bytes=max_bytes)
        except InputError as exc:
            failed.append(IngestFailure(source=str(path), error=str(exc)))
            continue
        items = []
        for article in articles:
            if article.id in known:  # indexed before, or earlier in this run
                unchanged += 1
                continue
            chunks = chunk_article(article, max_chars=max_chars, overlap=overlap)
            items.append((article, chunks))
            known.add(article.id)
            batched += len(chunks)
        pending.append((str(path.resolve()), articles, items))
        if batched >= EMBED_BATCH:
            flush()
            batched = 0
    flush()
    if lexical is not None:
        lexical.save()
    if progress:
        progress(added, max(total, added), "")
    return IngestReport(
        files=len(files),
        articles_added=added,
        articles_unchanged=unchanged,
        chunks_added=chunks_added,
        articles_removed=replaced,
        failed=tuple(failed),
        seconds=round(time.perf_counter() - t0, 3),
    )


def _count_new(files: Sequence[Path], known: set[str], max_bytes: int) -> int:
    """How many articles of `files` the store does not hold (unreadable files count none: they are reported later)."""
    seen = set(known)
    total = 0
    for path in files:
        try:
            articles = read_articles(path, max_bytes=max_bytes)
        except InputError:
            continue
        for article in articles:
            if article.id not in seen:
                seen.add(article.id)
                total += 1
    return total


def _batches(
    items: Sequence[tuple[Article, Sequence[Chunk], str | None]], max_chunks: int
) -> list[list[tuple[Article, Sequence[Chunk], str | None]]]:
    """Consecutive groups of whole articles holding at most `max_chunks` chunks (a longer article goes alone)."""
    out: list[list[tuple[Article, Sequence[Chunk], str | None]]] = []
    size = 0
    for item in items:
        n = len(item[1])
        if out and size + n <= max_chunks:
            out[-1].append(item)
            size += n
        else:
            out.append([item])
            size = n
    return out
