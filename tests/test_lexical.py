"""The lexical index: the Arabic analyser, BM25 search, persistence and keeping in step with the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.chunk import chunk_article
from index.ingest import write_articles
from index.lexical import INDEX_FILE, SIDECAR_FILE, Analyzer, LexicalIndex, light_stem
from index.models import Article, Chunk
from index.store import ChunkStore
from tests.conftest import FakeEmbedder

ART = [
    Article(id="a1", title="صواريخ", text="أطلقت إيران ٣٥٠ صاروخاً بالستياً وطائرة مسيّرة باتجاه إسرائيل.", source="1"),
    Article(id="a2", title="محادثات", text="جرت المحادثات غير المباشرة في سلطنة عُمان بين الوفدين.", source="2"),
    Article(id="a3", title="تخصيب", text="رفعت طهران مستوى تخصيب اليورانيوم إلى 84% وفق الوكالة.", source="3"),
]


def _chunks(a: Article) -> list[Chunk]:
    return chunk_article(a, max_chars=500, overlap=1)


@pytest.mark.parametrize("stemmer", ["snowball", "light"])
def test_analyzer_matches_inflected_vocalised_and_plain_forms(stemmer: str) -> None:
    an = Analyzer(stemmer)  # type: ignore[arg-type]
    assert an("المُحَادَثَاتُ") == an("المحادثات")
    assert an("الصَّوَارِيخ") == an("الصواريخ")
    assert an("في") == [] and an("the of") == []  # stop words, Arabic and English
    assert an("٣٥٠ Missiles") == ["350", "missil"]


def test_light_stemmer_strips_proclitics_snowball_keeps() -> None:
    assert Analyzer("light")("والصواريخ") == Analyzer("light")("الصواريخ")
    assert Analyzer("snowball")("والصواريخ") != Analyzer("snowball")("الصواريخ")  # one reason light wins


def test_light_stem_keeps_three_letters() -> None:
    assert light_stem("والمدرسه") == "مدرس"
    assert light_stem("بالكتاب") == "كتاب"
    assert light_stem("ولد") == "ولد"


def test_search_ranks_the_matching_chunk_and_respects_allowed() -> None:
    lx = LexicalIndex(None, Analyzer("light"))
    for a in ART:
        lx.add_article(a.id, _chunks(a))
    hits = lx.search("أين جرت المحادثات؟", 3)
    assert hits[0][0].article_id == "a2" and hits[0][1] > 0
    assert lx.search("كم صاروخا أطلقت إيران؟", 3)[0][0].article_id == "a1"
    assert lx.search("المحادثات", 3, allowed_articles={"a1", "a3"}) == []
    assert lx.search("What is the capital of Australia?", 3) == []
    assert lx.coverage(lx.analyzer("How many missiles, 350?")) == pytest.approx(1 / 3)


def _store(path: Path, emb: FakeEmbedder) -> ChunkStore:
    return ChunkStore.open(path, model_id=emb.model_id, dim=emb.dim, chunker="c", create=True)


def _add(store: ChunkStore, emb: FakeEmbedder, a: Article) -> list[Chunk]:
    chunks = _chunks(a)
    write_articles(store, emb, [(a, chunks, None)])
    return chunks


def test_index_persists_updates_incrementally_and_rebuilds_from_the_store(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    store = _store(tmp_path / "chroma", fake_embedder)
    folder = tmp_path / "lexical"
    lx = LexicalIndex(folder, Analyzer("light"), chunker="c")
    for a in ART[:2]:
        lx.add_article(a.id, _add(store, fake_embedder, a))
    lx.save()
    assert LexicalIndex(folder, Analyzer("light"), chunker="c").article_ids() == {"a1", "a2"}

    # Incremental: a third article is added, one removed; a fresh load sees exactly that.
    lx.add_article("a3", _add(store, fake_embedder, ART[2]))
    store.remove_article("a1")
    lx.remove_article("a1")
    lx.save()
    again = LexicalIndex(folder, Analyzer("light"), chunker="c")
    assert again.article_ids() == {"a2", "a3"}
    assert again.search("تخصيب اليورانيوم", 1)[0][0].article_id == "a3"
    assert not again.sync(store), "already in step: nothing to do"

    # A missing file is rebuilt from the store; one from another analyser or chunker is not trusted.
    (folder / INDEX_FILE).unlink()
    rebuilt = LexicalIndex(folder, Analyzer("light"), chunker="c")
    assert len(rebuilt) == 0 and rebuilt.sync(store)
    assert rebuilt.article_ids() == {"a2", "a3"} and (folder / INDEX_FILE).exists()
    assert LexicalIndex(folder, Analyzer("snowball"), chunker="c").article_ids() == set()
    assert LexicalIndex(folder, Analyzer("light"), chunker="other").article_ids() == set()


def test_sync_drops_articles_the_store_no_longer_holds(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    store = _store(tmp_path / "chroma", fake_embedder)
    lx = LexicalIndex(tmp_path / "lexical", Analyzer("light"), chunker="c")
    for a in ART:
        lx.add_article(a.id, _add(store, fake_embedder, a))
    store.remove_article("a2")  # e.g. another process removed it
    assert lx.sync(store)
    assert lx.article_ids() == {"a1", "a3"}
    assert lx.search("المحادثات", 3) == []


def _saved(folder: Path, fake_embedder: FakeEmbedder, tmp_path: Path) -> ChunkStore:
    store = _store(tmp_path / "chroma", fake_embedder)
    lx = LexicalIndex(folder, Analyzer("light"), chunker="c")
    for a in ART:
        lx.add_article(a.id, _add(store, fake_embedder, a))
    lx.save()
    return store


def _cut_mid_line(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _cut_at_a_line(data: bytes) -> bytes:
    return b"".join(data.splitlines(keepends=True)[:-1])  # whole lines, but the last row is missing


@pytest.mark.parametrize(
    "tear",
    [_cut_mid_line, _cut_at_a_line, lambda data: b"\x00\xff" * 50, lambda data: b"[1, 2]\n", lambda data: b""],
    ids=["mid-line", "at-a-line", "garbage", "no-header", "empty"],
)
def test_a_torn_file_loads_empty_with_a_warning_and_sync_rebuilds_it(
    tmp_path: Path, fake_embedder: FakeEmbedder, caplog: pytest.LogCaptureFixture, tear
) -> None:
    folder = tmp_path / "lexical"
    store = _saved(folder, fake_embedder, tmp_path)
    path = folder / INDEX_FILE
    path.write_bytes(tear(path.read_bytes()))
    with caplog.at_level("WARNING", logger="index.lexical"):
        torn = LexicalIndex(folder, Analyzer("light"), chunker="c")
    assert len(torn) == 0, "never half an index"
    if path.read_bytes():
        assert "unreadable" in caplog.text and "rebuilding it from the store" in caplog.text
    assert torn.sync(store) and torn.article_ids() == {"a1", "a2", "a3"}
    again = LexicalIndex(folder, Analyzer("light"), chunker="c")
    assert again.article_ids() == {"a1", "a2", "a3"} and len(again) == len(torn), "the file was rewritten whole"


def test_save_leaves_no_temporary_file_and_each_writer_uses_its_own(tmp_path: Path) -> None:
    """Two instances on one folder (two `Assistant`s in one process) save in turn from threads."""
    import threading

    folder = tmp_path / "lexical"
    writers = [LexicalIndex(folder, Analyzer("light"), chunker="c") for _ in range(2)]
    errors: list[BaseException] = []

    def work(lx: LexicalIndex, article: Article) -> None:
        try:
            for i in range(30):
                aid = f"{article.id}-{i % 2}"
                chunks = [c.model_copy(update={"article_id": aid, "id": f"{aid}-{c.id}"}) for c in _chunks(article)]
                lx.add_article(aid, chunks)
                lx.save()
        except BaseException as exc:  # reported below, with the thread's failure
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(lx, a)) for lx, a in zip(writers, ART, strict=False)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    left = {p.name for p in folder.iterdir()}
    assert INDEX_FILE in left and not {n for n in left if n.startswith(".")}, "no temporary file is left behind"
    assert left - {INDEX_FILE, SIDECAR_FILE} == {n for n in left if n.startswith("bm25-")}, left  # and sidecars
    loaded = LexicalIndex(folder, Analyzer("light"), chunker="c").article_ids()
    assert loaded in ({"a1-0", "a1-1"}, {"a2-0", "a2-1"}), "one writer's whole version"


def _results(lx: LexicalIndex, query: str, allowed: set[str] | None = None) -> list[tuple[str, str, float]]:
    return [(c.id, c.text, round(s, 6)) for c, s in lx.search(query, 5, allowed_articles=allowed)]


QUERIES = ["أين جرت المحادثات؟", "كم صاروخا أطلقت إيران؟", "تخصيب اليورانيوم 84%", "Where were the talks held?"]


def test_a_saved_index_opens_from_its_sidecar_without_parsing_a_row_and_answers_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "lexical"
    built = LexicalIndex(folder, Analyzer("light"), chunker="c")
    for a in ART:
        built.add_article(a.id, _chunks(a))
    built.save()
    assert (folder / SIDECAR_FILE).is_file()
    parsed: list[object] = []
    real = Chunk.model_validate
    monkeypatch.setattr(Chunk, "model_validate", lambda row: parsed.append(row) or real(row))
    opened = LexicalIndex(folder, Analyzer("light"), chunker="c")
    assert parsed == [] and opened.state() == built.state() and opened.article_ids() == built.article_ids()
    for q in QUERIES:
        assert _results(opened, q) == _results(built, q), q
    assert _results(opened, "المحادثات", {"a1", "a3"}) == [] and _results(opened, "المحادثات", {"a2"})
    assert len(parsed) <= 2 * len(QUERIES), "a result's chunk is read from its row alone"
    # The first change parses the file, and the index then answers as one built in memory with that change.
    opened.remove_article("a1")
    expected = LexicalIndex(None, Analyzer("light"), chunker="c")
    for a in ART[1:]:
        expected.add_article(a.id, _chunks(a))
    for q in QUERIES:
        assert _results(opened, q) == _results(expected, q), q
    opened.save()
    assert LexicalIndex(folder, Analyzer("light"), chunker="c").article_ids() == {"a2", "a3"}


def test_a_sidecar_of_another_version_of_the_file_is_not_used(tmp_path: Path) -> None:
    """Two writers: the file of one and the sidecar of the other never go together (the token differs)."""
    folder = tmp_path / "lexical"
    first = LexicalIndex(folder, Analyzer("light"), chunker="c")
    first.add_article("a1", _chunks(ART[0]))
    first.save()
    sidecar = (folder / SIDECAR_FILE).read_bytes()
    dirs = {p.name for p in folder.glob("bm25-*")}
    second = LexicalIndex(tmp_path / "other", Analyzer("light"), chunker="c")
    second.add_article("a2", _chunks(ART[1]))
    second.save()
    (folder / INDEX_FILE).write_bytes((tmp_path / "other" / INDEX_FILE).read_bytes())  # the other writer's file
    assert (folder / SIDECAR_FILE).read_bytes() == sidecar and {p.name for p in folder.glob("bm25-*")} == dirs
    opened = LexicalIndex(folder, Analyzer("light"), chunker="c")
    assert opened.article_ids() == {"a2"} and _results(opened, "المحادثات") == _results(second, "المحادثات")
    assert _results(opened, "صاروخا") == []
    # A sidecar whose arrays are gone costs only the full parse.
    for d in (tmp_path / "other").glob("bm25-*"):
        for f in d.iterdir():
            f.unlink()
    assert LexicalIndex(tmp_path / "other", Analyzer("light"), chunker="c").article_ids() == {"a2"}
