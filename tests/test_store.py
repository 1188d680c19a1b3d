"""The Chroma adapter on a real embedded Chroma in a temporary folder (fake vectors)."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.chunk import chunk_article
from index.errors import IndexMissingError, StoreMismatchError, StoreUnavailableError
from index.ingest import write_articles
from index.models import Article
from index.store import ChunkStore, StoreStats, drop_store
from tests.conftest import FakeEmbedder

ART = Article(
    id="art1", title="محادثات في عمان", outlet="الشرق", date="8 مايو", source="a.txt",
    text="جرت محادثات غير مباشرة في مسقط. أطلقت إيران 350 صاروخا. رفعت طهران التخصيب إلى 84%.",
)  # fmt: skip


def _open(path: Path, emb: FakeEmbedder, create: bool = True, chunker: str = "c1") -> ChunkStore:
    return ChunkStore.open(path, model_id=emb.model_id, dim=emb.dim, chunker=chunker, create=create)


def _add(store: ChunkStore, emb: FakeEmbedder, article: Article = ART) -> int:
    chunks = chunk_article(article, max_chars=50, overlap=0)
    write_articles(store, emb, [(article, chunks, None)])
    return len(chunks)


def test_missing_index_says_what_to_do(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    with pytest.raises(IndexMissingError, match="qa ingest"):
        _open(tmp_path / "none", fake_embedder, create=False)
    assert not (tmp_path / "none").exists(), "reading must not create an empty store"


def test_add_search_and_read_back(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    store = _open(tmp_path, fake_embedder)
    n = _add(store, fake_embedder)
    assert store.chunk_count() == n == 3
    hits = store.search(fake_embedder.embed_query("كم صاروخا أطلقت إيران"), k=2)
    assert "350" in hits[0][0].text
    assert hits[0][1] > hits[1][1]
    c = hits[0][0]
    assert ART.text[c.start : c.end] == c.text and c.outlet == "الشرق" and c.date == "8 مايو"
    assert store.articles() == [ART]
    assert store.article("art1") == ART and store.article("nope") is None
    assert store.chunk_counts() == {"art1": 3}
    # a fresh client on the same folder sees the same data (persisted)
    again = _open(tmp_path, fake_embedder, create=False)
    assert again.article_ids() == {"art1"} and again.chunk_count() == 3


def test_upsert_is_idempotent(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    store = _open(tmp_path, fake_embedder)
    _add(store, fake_embedder)
    _add(store, fake_embedder)
    assert store.chunk_count() == 3 and len(store.articles()) == 1


def test_refuses_another_model_or_chunking(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    _add(_open(tmp_path, fake_embedder), fake_embedder)
    with pytest.raises(StoreMismatchError, match="--rebuild"):
        _open(tmp_path, FakeEmbedder(model_id="other-model"))
    with pytest.raises(StoreMismatchError, match="chunker"):
        _open(tmp_path, fake_embedder, chunker="c2")
    drop_store(tmp_path)
    store = _open(tmp_path, FakeEmbedder(model_id="other-model"))
    assert store.chunk_count() == 0


def test_uncommitted_chunks_are_not_returned(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    """Chunks written without their article record (an interrupted ingest) are invisible."""
    store = _open(tmp_path, fake_embedder)
    _add(store, fake_embedder)
    other = Article(id="art2", title="t", text="أطلقت إيران 350 صاروخا وطائرة مسيرة.", source="b.txt")
    chunks = chunk_article(other)
    store._chunks.upsert(  # simulate a crash between the chunk and the article writes
        ids=[c.id for c in chunks], embeddings=fake_embedder.embed_passages([c.text for c in chunks]),
        documents=[c.text for c in chunks], metadatas=[{"article_id": "art2", "title": "t", "start": c.start,
                                                        "end": c.end, "ordinal": c.ordinal} for c in chunks],
    )  # fmt: skip
    hits = store.search(fake_embedder.embed_query("أطلقت إيران 350 صاروخا وطائرة مسيرة"), k=5)
    assert hits and all(c.article_id == "art1" for c, _ in hits)


def test_stats_and_listing_count_committed_articles(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    store = _open(tmp_path, fake_embedder)
    assert store.stats() == StoreStats(articles=0, chunks=0, outlets={}) and store.listing() == []
    n = _add(store, fake_embedder)
    other = Article(id="art2", title="t", text="أطلقت إيران 350 صاروخا. وطائرة مسيرة.", source="b.txt")
    m = _add(store, fake_embedder, other)
    assert store.stats() == StoreStats(articles=2, chunks=n + m, outlets={"الشرق": 1, "": 1})
    assert store.listing() == [(ART, n), (other, m)], "in source order, each with its chunks"
    # The catalogue is the listing without the texts (what the articles tab and `qa articles` read).
    assert [(e.id, e.title, e.outlet, e.date, e.source, e.chunks) for e in store.catalogue()] == [
        (a.id, a.title, a.outlet, a.date, a.source, k) for a, k in store.listing()
    ]
    store.remove_article("art2")
    assert store.stats().articles == 1 and store.listing() == [(ART, n)] and len(store.catalogue()) == 1


def test_an_unreachable_server_says_what_to_do() -> None:
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(StoreUnavailableError, match=r"cannot reach the Chroma server.*chroma run.*NEWSQA_CHROMA_URL"):
        ChunkStore.open(url=f"http://127.0.0.1:{port}", model_id="m", dim=4, chunker="c")
    with pytest.raises(StoreUnavailableError):
        drop_store(url=f"http://127.0.0.1:{port}")
