"""Incremental ingestion, removal and crash safety, on an embedded store and on a real Chroma server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from index.errors import InputError
from index.store import drop_store
from qa.assistant import Assistant
from qa.settings import Settings
from tests.conftest import CORPUS, REPO, FakeEmbedder


@pytest.fixture(params=["embedded", "server"])
def store_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    if request.param == "embedded":
        return settings
    url = request.getfixturevalue("chroma_server")
    drop_store(url=url)  # each test starts from an empty server
    return settings.model_copy(update={"chroma_url": url})


def _assistant(settings: Settings) -> Assistant:
    return Assistant(settings, embedder=FakeEmbedder())


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _chunk_article_ids(assistant: Assistant) -> list[str]:
    res = assistant.store()._chunks.get(include=["metadatas"])
    return [m["article_id"] for m in res["metadatas"]]


def test_everything_works_on_both_stores(store_settings: Settings) -> None:
    a = _assistant(store_settings)
    report = a.ingest([CORPUS])
    assert report.articles_added == 3
    assert a.ingest([CORPUS]).articles_added == 0
    hits = a.retrieve("أطلقت إيران 350 صاروخا بالستيا", k=3)
    assert "350" in hits[0].chunk.text
    assert len(a.articles()) == 3 and a.store().chunk_count() == report.chunks_added


def test_changed_article_replaces_its_chunks(store_settings: Settings, tmp_path: Path) -> None:
    a = _assistant(store_settings)
    folder = tmp_path / "news"
    path = _write(folder, "a.txt", "عنوان أول\n\nأطلقت إيران 350 صاروخا على إسرائيل. وقال مسؤول إن الرد قادم.")
    _write(folder, "b.txt", "عنوان ثان\n\nجرت المحادثات في مسقط بوساطة عمانية.")
    a.ingest([folder])
    old_ids = {x.id for x in a.articles()}
    path.write_text("عنوان أول\n\nأطلقت إيران 300 صاروخ على إسرائيل. وقال مسؤول إن الرد قادم.", encoding="utf-8")
    report = a.ingest([folder])
    assert (report.articles_added, report.articles_removed, report.articles_unchanged) == (1, 1, 1)
    arts = a.articles()
    assert len(arts) == 2 and len(old_ids & {x.id for x in arts}) == 1
    assert set(_chunk_article_ids(a)) == {x.id for x in arts}, "no stale chunk remains"
    assert all("350" not in p.chunk.text for p in a.retrieve("كم صاروخا أطلقت إيران", k=5))


def test_remove_by_id_and_by_file(store_settings: Settings, tmp_path: Path) -> None:
    a = _assistant(store_settings)
    a.ingest([CORPUS])
    second = next(x for x in a.articles() if x.source.endswith("#2"))
    assert a.remove(second.id) == [second.id]
    assert second.id not in {x.id for x in a.articles()} and second.id not in _chunk_article_ids(a)
    removed = a.remove(CORPUS / "001_ea4f6c5abfcd3f77.txt")
    assert len(removed) == 1 and len(a.articles()) == 1
    with pytest.raises(InputError, match="qa articles"):
        a.remove("no-such-article")


KILL_SCRIPT = """
import sys, time
from pathlib import Path
from qa.assistant import Assistant
from qa.settings import Settings
from tests.conftest import FakeEmbedder

sys.modules["index.ingest"].EMBED_BATCH = 5  # one or two articles a batch: batches to kill between and inside

class Slow(FakeEmbedder):
    batches = 0

    def embed_passages(self, texts):
        Slow.batches += 1
        print(Slow.batches, flush=True)  # batch n starts: n - 1 batches are written
        time.sleep(0.02 * len(texts))  # slow enough that the kill lands mid-batch
        return super().embed_passages(texts)

settings = Settings(data_dir=Path(sys.argv[1]), _env_file=None)
Assistant(settings, embedder=Slow()).ingest([Path(sys.argv[2])])
print("finished", flush=True)
"""


def _many_articles(folder: Path, n: int) -> None:
    sentences = [
        s for s in (CORPUS / "000_a1ddd61cadbabb1f.txt").read_text(encoding="utf-8").split("\n") if len(s) > 60
    ]
    for i in range(n):
        body = "\n\n".join(f"{sentences[(i + j) % len(sentences)]} رقم {i}-{j}." for j in range(6))
        _write(folder, f"art{i:03d}.txt", f"خبر رقم {i}\n\n{body}")


@pytest.mark.parametrize("kill_after", [3, 9])
def test_sigkill_during_ingest_then_resume_leaves_each_article_once(tmp_path: Path, kill_after: int) -> None:
    """SIGKILL while batch `kill_after` is being embedded; the next run completes the store, nothing twice."""
    folder, data = tmp_path / "news", tmp_path / "data"
    _many_articles(folder, 20)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(data), str(folder)], stdout=subprocess.PIPE,
                            text=True, env=env, cwd=REPO)  # fmt: skip
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip() == str(kill_after):
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"

    settings = Settings(data_dir=data, _env_file=None)
    a = Assistant(settings, embedder=FakeEmbedder())
    report = a.ingest([folder])
    assert not report.failed
    arts = a.articles()
    assert len(arts) == 20 and len({x.id for x in arts}) == 20
    assert report.articles_unchanged >= kill_after - 1, "batches written before the kill are kept"
    assert report.articles_added >= 1, "the kill landed before the end"
    counts = a.store().chunk_counts()
    chunk_owners = _chunk_article_ids(a)
    assert len(chunk_owners) == sum(counts.values()), "no duplicated or orphaned chunk"
    assert {i: chunk_owners.count(i) for i in counts} == counts


def test_an_article_removed_while_answering_is_never_cited(store_settings: Settings, tmp_path: Path) -> None:
    """Another process removes the article the first retrieval found: the answer is made again without it."""
    folder = tmp_path / "news"
    _write(folder, "a.txt", "Iran launched 350 missiles at Israel in April.\n")
    _write(folder, "b.txt", "Officials said Iran launched about 350 missiles and drones at Israel.\n")
    assistant = _assistant(store_settings.model_copy(update={"min_relevance_en": -1.0}))
    assistant.ingest([folder])
    other = _assistant(store_settings)  # the other process, on the same store
    retrieve, removed = assistant._retrieve, []

    def retrieve_then_remove(*args, **kwargs):  # type: ignore[no-untyped-def]
        passages = retrieve(*args, **kwargs)
        if not removed:  # the first time only: the top passage's article disappears before the answer is returned
            removed.append(passages[0].chunk.article_id)
            other.remove(removed[0])
        return passages

    assistant._retrieve = retrieve_then_remove  # type: ignore[method-assign]
    answer = assistant.ask("How many missiles did Iran launch at Israel?")
    assert removed and answer.answered and answer.citations
    assert all(c.article_id != removed[0] for c in answer.citations)
    assert {a.id for a in assistant.articles()} == {c.article_id for c in answer.citations}


def test_a_truncated_lexical_index_is_rebuilt_and_the_question_answered(settings: Settings) -> None:
    """A torn `chunks.jsonl` (a writer killed mid-write) costs nothing: the assistant re-reads the store."""
    from index.lexical import INDEX_FILE

    settings = settings.model_copy(update={"min_relevance_ar": -1.0})  # fake vectors: no relevance gate
    a = _assistant(settings)
    a.ingest([CORPUS])
    path = settings.lexical_dir / INDEX_FILE
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 3])

    fresh = _assistant(settings)  # the next command, in a new process
    answer = fresh.ask("كم صاروخا أطلقت إيران على إسرائيل؟")
    assert answer.answered and any("350" in c.quote for c in answer.citations)
    assert fresh.lexical().article_ids() == {x.id for x in fresh.articles()}, "rebuilt from the store"
    assert len(fresh.lexical()) == fresh.stats().chunks
    assert path.read_bytes() != whole[: len(whole) // 3], "and saved whole again"
    assert _assistant(settings).lexical().article_ids() == fresh.lexical().article_ids()


def test_two_assistants_in_one_process_ingest_and_answer_at_once(settings: Settings, tmp_path: Path) -> None:
    """`qa serve` and `qa ingest` in one process: one ingests article by article while the other answers."""
    import threading

    folder = tmp_path / "news"
    _many_articles(folder, 12)
    writer, reader = _assistant(settings), _assistant(settings)
    writer.ingest([CORPUS])
    errors: list[BaseException] = []
    done = threading.Event()

    def ingest() -> None:
        try:
            for path in sorted(folder.iterdir()):
                writer.ingest([path])
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            done.set()

    thread = threading.Thread(target=ingest)
    thread.start()
    answers = 0
    while not done.is_set() or answers == 0:
        assert reader.ask("كم صاروخا أطلقت إيران على إسرائيل؟").text
        answers += 1
    thread.join(timeout=120)
    assert not errors, errors
    assert len(reader.articles()) == 15
    reader.retrieve("خبر رقم 11")  # falls behind, re-syncs
    assert reader.lexical().article_ids() == {x.id for x in reader.articles()}


def test_a_reader_that_syncs_between_an_articles_chunks_and_its_record_catches_up(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race CI met once: the reader synced after an article's chunks landed and before its record did.

    The store's chunk count no longer moved when the record arrived, so a reader keyed on chunks alone
    never read that article into its lexical index. The reader here asks exactly in that window.
    """
    folder = tmp_path / "news"
    _many_articles(folder, 2)
    writer, reader = _assistant(settings), _assistant(settings)
    writer.ingest([folder / "art000.txt"])
    reader.retrieve("خبر رقم 0")
    store = writer.store()
    record = store._copy_meta  # called after the chunks are written, before the records are

    def between(articles):  # type: ignore[no-untyped-def]
        reader.retrieve("خبر رقم 1")  # sees the chunks counted, the article not yet committed
        assert reader.lexical().article_ids() == {x.id for x in reader.articles()}, "not committed yet"
        return record(articles)

    monkeypatch.setattr(store, "_copy_meta", between)
    writer.ingest([folder / "art001.txt"])
    assert len(reader.articles()) == 2
    reader.retrieve("خبر رقم 1")
    assert reader.lexical().article_ids() == {x.id for x in reader.articles()}
