"""The Chroma adapter: chunks and articles in, `Chunk`s and `Article`s out.

Two collections: `newsqa_chunks` (one vector per chunk, cosine space) and
`newsqa_articles` (the cleaned article text and metadata; its vector is the
normalised mean of its chunks' vectors). The chunk collection records the embedding model and
the chunking that built it, and the store refuses to add or search with any
other, so vectors of two models are never mixed.

Writes are ordered so an interrupted ingestion never leaves a half-written
article: chunks are upserted first (their ids are deterministic, so writing them
again is harmless), and the article record, written last, is what marks the
article as indexed. Searches only return chunks of committed articles.

Chroma result dicts never leave this module. We always pass our own embeddings;
Chroma's default embedder (which downloads a model) is never used.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np
from pydantic import BaseModel, ConfigDict

from index import dedup
from index.errors import IndexMissingError, InputError, StoreMismatchError, StoreUnavailableError
from index.models import Article, Chunk

CHUNKS = "newsqa_chunks"
ARTICLES = "newsqa_articles"
SCHEMA = 1
#: Chunks per Chroma write (a server request stays well under its size limits).
_WRITE_BATCH = 1000
#: (article, its chunks, their vectors, the title's vector, the file it was read from)
ArticleVectors = tuple[Article, Sequence[Chunk], Sequence[Sequence[float]], Sequence[float], str | None]


class StoreStats(BaseModel):
    """What the store holds: indexed articles, their chunks, and articles per outlet ("" when unknown)."""

    model_config = ConfigDict(frozen=True)

    articles: int
    chunks: int
    outlets: dict[str, int]


class ArticleEntry(BaseModel):
    """One indexed article as a catalogue lists it: its metadata and number of chunks, not its text."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    outlet: str | None = None
    date: str | None = None
    source: str
    chunks: int


class ChunkStore:
    """Chunks and articles in one Chroma database (embedded folder or server)."""

    def __init__(self, client: Any, location: str, *, model_id: str, dim: int, chunker: str, create: bool) -> None:
        self._client = client
        self.location = location
        self.model_id = model_id
        self.chunker = chunker
        expected = {"embedding_model": model_id, "dim": dim, "chunker": chunker, "schema": SCHEMA}
        names = {c if isinstance(c, str) else c.name for c in client.list_collections()}
        if CHUNKS not in names and not create:
            raise IndexMissingError(f"no index at {location}: run `qa ingest PATH` first (or `make setup`)")
        self._chunks = client.get_or_create_collection(
            CHUNKS, embedding_function=None, metadata=expected, configuration={"hnsw": {"space": "cosine"}}
        )
        self._articles = client.get_or_create_collection(
            ARTICLES, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )
        found = self._chunks.metadata or {}
        for key in ("embedding_model", "chunker", "dim"):
            if found.get(key) != expected[key]:
                raise StoreMismatchError(
                    f"the index at {location} was built with {key} {found.get(key)!r}, but the settings say "
                    f"{expected[key]!r}: run `qa ingest --rebuild PATH` to rebuild it, or set another data directory"
                )

    @classmethod
    def open(
        cls,
        path: Path | None = None,
        *,
        url: str | None = None,
        model_id: str,
        dim: int,
        chunker: str,
        create: bool = False,
    ) -> ChunkStore:
        """Open the store in folder `path` (embedded Chroma) or on the Chroma server at `url`."""
        client, location = _connect(path, url, create)
        if client is None:
            raise IndexMissingError(f"no index at {location}: run `qa ingest PATH` first (or `make setup`)")
        return cls(client, location, model_id=model_id, dim=dim, chunker=chunker, create=create)

    def article_ids(self) -> set[str]:
        """Ids of the articles that are fully indexed."""
        return set(self._articles.get(include=[])["ids"])

    def add_articles(self, items: Sequence[ArticleVectors]) -> None:
        """Write articles: all their chunks first, then all their records; safe to repeat after an interruption.

        An interruption between the two leaves chunks without a record: invisible, and replaced
        when the articles are ingested again. An item's file is the resolved path the article was
        read from: re-ingesting that file replaces the articles recorded for it (`articles_of_file`).
        """
        for _, chunks, chunk_vectors, _, _ in items:
            if len(chunks) != len(chunk_vectors):
                raise ValueError("one vector per chunk is required")
        chunks = [c for _, cs, _, _, _ in items for c in cs]
        vectors = [list(v) for _, _, vs, _, _ in items for v in vs]
        for i in range(0, len(chunks), _WRITE_BATCH):
            self._chunks.upsert(
                ids=[c.id for c in chunks[i : i + _WRITE_BATCH]],
                embeddings=vectors[i : i + _WRITE_BATCH],
                documents=[c.text for c in chunks[i : i + _WRITE_BATCH]],
                metadatas=[_chunk_meta(c) for c in chunks[i : i + _WRITE_BATCH]],
            )
        if items:
            copies = self._copy_meta([a for a, _, _, _, _ in items])
            self._articles.upsert(
                ids=[a.id for a, _, _, _, _ in items],
                embeddings=[list(t) for _, _, _, t, _ in items],
                documents=[a.text for a, _, _, _, _ in items],
                metadatas=[_article_meta(a, len(cs), f) | copies[a.id] for a, cs, _, _, f in items],
            )

    def _copy_meta(self, articles: Sequence[Article]) -> dict[str, dict[str, Any]]:
        """Per article: its MinHash bands and signature, and `duplicate_of` when it copies an indexed (or earlier) one.

        One store query for the whole batch (`index.dedup`); the first article of a story is its root.
        """
        sigs = {a.id: dedup.signature(a.text) for a in articles}
        keys = {aid: dedup.band_keys(sig) for aid, sig in sigs.items()}
        where = {"$or": [{f"mh{b}": {"$in": sorted({k[b] for k in keys.values()})}} for b in range(dedup.BANDS)]}
        found = self._articles.get(where=where, include=["metadatas"])
        known: list[tuple[str, np.ndarray, str]] = [
            (i, dedup.decode(m["minhash"]), str(m.get("duplicate_of") or i))
            for i, m in zip(found["ids"], found["metadatas"], strict=True) if m.get("minhash")
        ]  # fmt: skip
        out: dict[str, dict[str, Any]] = {}
        for a in articles:
            sig = sigs[a.id]
            meta: dict[str, Any] = {f"mh{b}": k for b, k in enumerate(keys[a.id])} | {"minhash": dedup.encode(sig)}
            best = max(
                ((dedup.similarity(sig, other), root) for i, other, root in known if i != a.id and root != a.id),
                default=(0.0, ""),
            )
            if best[0] >= dedup.DUPLICATE_JACCARD:
                meta["duplicate_of"] = best[1]
            out[a.id] = meta
            known.append((a.id, sig, str(meta.get("duplicate_of") or a.id)))
        return out

    def copies(self, article_ids: Iterable[str]) -> dict[str, list[Article]]:
        """Per article: the other indexed articles recorded as copies of the same story (`index.dedup`).

        Two queries whatever the corpus size: the articles' roots, then every article of those roots.
        """
        ids = sorted(set(article_ids))
        if not ids:
            return {}
        res = self._articles.get(ids=ids, include=["metadatas"])
        root = {i: str(m.get("duplicate_of") or i) for i, m in zip(res["ids"], res["metadatas"], strict=True)}
        roots = sorted(set(root.values()))
        group = self._articles.get(where={"duplicate_of": {"$in": roots}}, include=["documents", "metadatas"])
        heads = self._articles.get(ids=roots, include=["documents", "metadatas"])
        members: dict[str, list[Article]] = {}
        for got in (heads, group):
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                members.setdefault(str(m.get("duplicate_of") or i), []).append(_article_from(i, d, m))
        return {i: [a for a in members.get(r, []) if a.id != i] for i, r in root.items()}

    def _committed(self, article_ids: set[str]) -> set[str]:
        if not article_ids:
            return set()
        return set(self._articles.get(ids=sorted(article_ids), include=[])["ids"])

    def committed(self, article_ids: Iterable[str]) -> set[str]:
        """Which of these articles are fully indexed (costs the same for any corpus size)."""
        return self._committed(set(article_ids))

    def articles_of_file(self, file: str) -> set[str]:
        """Ids of the indexed articles that were read from `file` (a resolved path)."""
        return set(self._articles.get(where={"file": file}, include=[])["ids"])

    def remove_article(self, article_id: str) -> bool:
        """Delete an article and its chunks; False when it was not indexed.

        The record goes first, so its chunks stop being returned at once; an
        interruption before the chunks are deleted leaves only invisible chunks.
        """
        if not self._articles.get(ids=[article_id], include=[])["ids"]:
            return False
        self._articles.delete(ids=[article_id])
        self._chunks.delete(where={"article_id": article_id})
        return True

    def search(self, vector: Sequence[float], k: int, where: dict[str, Any] | None = None) -> list[tuple[Chunk, float]]:
        """The `k` nearest chunks of indexed articles, with cosine similarity, best first."""
        n = self._chunks.count()
        if n == 0 or k <= 0:
            return []
        want = min(n, k * 2 + 4)  # room for chunks of articles still being written or removed
        while True:
            res = self._chunks.query(
                query_embeddings=[list(vector)], n_results=want, where=where,
                include=["documents", "metadatas", "distances"],
            )  # fmt: skip
            # Only the hits' own articles are looked up, so a search costs the same for any corpus size.
            committed = self._committed({meta["article_id"] for meta in res["metadatas"][0]})
            hits = [
                (_chunk_from(cid, doc, meta), 1.0 - float(dist))
                for cid, doc, meta, dist in zip(
                    res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0], strict=True
                )
                if meta["article_id"] in committed
            ]
            if len(hits) >= k or want >= n:
                return hits[:k]
            want = min(n, want * 2)

    def chunks_of(self, article_ids: Sequence[str]) -> list[Chunk]:
        """The stored chunks of these articles, in no particular order (for the lexical index)."""
        if not article_ids:
            return []
        res = self._chunks.get(where={"article_id": {"$in": list(article_ids)}}, include=["documents", "metadatas"])
        return [_chunk_from(i, d, m) for i, d, m in zip(res["ids"], res["documents"], res["metadatas"], strict=True)]

    def vectors_of(self, chunk_ids: Sequence[str]) -> dict[str, list[float]]:
        """The stored vectors of these chunks, by id (to score lexical hits by similarity too)."""
        if not chunk_ids:
            return {}
        res = self._chunks.get(ids=list(chunk_ids), include=["embeddings"])
        return {i: [float(x) for x in v] for i, v in zip(res["ids"], res["embeddings"], strict=True)}

    def chunk_count(self) -> int:
        """Number of chunks in the store (those of articles being written included)."""
        return int(self._chunks.count())

    def article_count(self) -> int:
        """Number of fully indexed articles."""
        return int(self._articles.count())

    def articles(self) -> list[Article]:
        """Every indexed article, in source order."""
        res = self._articles.get(include=["documents", "metadatas"])
        out = [_article_from(i, d, m) for i, d, m in zip(res["ids"], res["documents"], res["metadatas"], strict=True)]
        return sorted(out, key=lambda a: a.source)

    def chunk_counts(self) -> dict[str, int]:
        """Chunks per indexed article id."""
        res = self._articles.get(include=["metadatas"])
        return {i: int(m.get("n_chunks", 0)) for i, m in zip(res["ids"], res["metadatas"], strict=True)}

    def listing(self) -> list[tuple[Article, int]]:
        """Every indexed article with its number of chunks, in source order (one read)."""
        res = self._articles.get(include=["documents", "metadatas"])
        rows = [
            (_article_from(i, d, m), int(m.get("n_chunks", 0)))
            for i, d, m in zip(res["ids"], res["documents"], res["metadatas"], strict=True)
        ]
        return sorted(rows, key=lambda row: row[0].source)

    def catalogue(self) -> list[ArticleEntry]:
        """Every indexed article's metadata and chunk count, in source order: one read, no article text.

        (`listing` reads the texts too: at 12,000 articles tens of MB per call.)
        """
        res = self._articles.get(include=["metadatas"])
        rows = [_entry_from(i, m) for i, m in zip(res["ids"], res["metadatas"], strict=True)]
        return sorted(rows, key=lambda row: row.source)

    def stats(self) -> StoreStats:
        """Counts of the indexed articles (chunks of committed articles only, per-outlet articles)."""
        metas = self._articles.get(include=["metadatas"])["metadatas"]
        return StoreStats(
            articles=len(metas),
            chunks=sum(int(m.get("n_chunks", 0)) for m in metas),
            outlets=dict(Counter(str(m.get("outlet") or "") for m in metas)),
        )

    def article(self, article_id: str) -> Article | None:
        """One indexed article by id, or None."""
        res = self._articles.get(ids=[article_id], include=["documents", "metadatas"])
        if not res["ids"]:
            return None
        return _article_from(res["ids"][0], res["documents"][0], res["metadatas"][0])


def drop_store(path: Path | None = None, *, url: str | None = None) -> None:
    """Delete the collections of a store regardless of the model that built it (`--rebuild`)."""
    client, _ = _connect(path, url, create=False)
    if client is None:
        return
    names = {c if isinstance(c, str) else c.name for c in client.list_collections()}
    for name in (CHUNKS, ARTICLES):
        if name in names:
            client.delete_collection(name)


def _connect(path: Path | None, url: str | None, create: bool) -> tuple[Any, str]:
    """A Chroma client for a server URL or a folder; None for a folder with no store unless `create`."""
    import chromadb
    import chromadb.config

    settings = chromadb.config.Settings(anonymized_telemetry=False)
    if url:
        parts = urlparse(url)
        if not parts.hostname:
            raise InputError(f"Chroma URL {url!r} has no host: use e.g. http://127.0.0.1:8000")
        port = parts.port or 8000
        import httpx

        try:
            client = chromadb.HttpClient(host=parts.hostname, port=port, ssl=parts.scheme == "https", settings=settings)
        except (ValueError, httpx.TransportError) as exc:  # chromadb reports a refused connection as ValueError
            raise StoreUnavailableError(
                f"cannot reach the Chroma server at {url} ({exc}): start it "
                "(`chroma run --path DIR --host 127.0.0.1 --port 8000`), or unset NEWSQA_CHROMA_URL to use the local "
                "folder"
            ) from exc
        return client, url
    if path is None:
        raise InputError("no store location: give a data directory or a Chroma server URL")
    if not create and not (Path(path) / "chroma.sqlite3").exists():
        return None, str(path)
    Path(path).mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings), str(path)


def _drop_none(meta: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in meta.items() if v is not None}


def _article_meta(a: Article, n_chunks: int, file: str | None) -> dict[str, Any]:
    meta = {
        "title": a.title,
        "outlet": a.outlet,
        "date": a.date,
        "source": a.source,
        "n_chunks": n_chunks,
        "file": file,
    }
    return _drop_none(meta)


def _chunk_meta(c: Chunk) -> dict[str, Any]:
    return _drop_none({"article_id": c.article_id, "title": c.title, "outlet": c.outlet, "date": c.date,
                       "start": c.start, "end": c.end, "ordinal": c.ordinal})  # fmt: skip


def _chunk_from(cid: str, doc: str, meta: dict[str, Any]) -> Chunk:
    return Chunk(id=cid, article_id=meta["article_id"], title=meta["title"], outlet=meta.get("outlet"),
                 date=meta.get("date"), text=doc, start=meta["start"], end=meta["end"],
                 ordinal=meta["ordinal"])  # fmt: skip


def _entry_from(aid: str, meta: dict[str, Any]) -> ArticleEntry:
    return ArticleEntry(id=aid, title=meta["title"], outlet=meta.get("outlet"), date=meta.get("date"),
                        source=meta["source"], chunks=int(meta.get("n_chunks", 0)))  # fmt: skip


def _article_from(aid: str, doc: str, meta: dict[str, Any]) -> Article:
    return Article(id=aid, title=meta["title"], outlet=meta.get("outlet"), date=meta.get("date"),
                   text=doc, source=meta["source"])  # fmt: skip
