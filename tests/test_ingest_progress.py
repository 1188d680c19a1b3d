"""Ingestion of a large file: bounded embedding batches and progress per article (fake embedder, real Chroma)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from index.chunk import chunker_id
from index.ingest import EMBED_BATCH, ingest
from index.store import ChunkStore
from tests.conftest import FakeEmbedder


class BatchRecorder(FakeEmbedder):
    """The fake embedder, recording how many texts each passage call embeds."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[int] = []

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        self.batches.append(len(texts))
        return super().embed_passages(texts)


def _archive(path: Path, n: int) -> Path:
    # Each article: six paragraphs of distinct sentences, several chunks at 200 characters.
    lines = []
    for i in range(n):
        body = "\n\n".join(f"قال المسؤول رقم {i} في الفقرة {p} إن الاجتماع {i * 7 + p} سيعقد قريبا في المدينة."
                           for p in range(6))  # fmt: skip
        lines.append(json.dumps({"title": f"خبر {i}", "text": body, "outlet": "وكالة"}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_large_jsonl_is_embedded_in_bounded_batches_with_progress_per_article(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _archive(folder / "archive.jsonl", 60)  # 3 chunks each at 200 characters
    embedder = BatchRecorder()
    store = ChunkStore.open(tmp_path / "store", model_id=embedder.model_id, dim=embedder.dim,
                            chunker=chunker_id(200, 0), create=True)  # fmt: skip
    calls: list[tuple[int, int, str]] = []
    report = ingest([folder], store, embedder, max_chars=200, overlap=0, progress=lambda *a: calls.append(a))
    assert report.articles_added == 60 and report.chunks_added > 2 * EMBED_BATCH  # one file, several batches
    assert max(embedder.batches) <= EMBED_BATCH and len(embedder.batches) >= 3
    assert calls[0] == (0, 60, "") and calls[-1][:2] == (60, 60)
    done = [c[0] for c in calls]
    assert done == sorted(done) and len(set(done)) >= 4  # it moves during the one file, not once at its end
    assert "archive.jsonl" in calls[1][2] and "chunks/s" in calls[1][2]
    assert store.chunk_count() == report.chunks_added and len(store.article_ids()) == 60

    again: list[tuple[int, int, str]] = []
    second = ingest([folder], store, embedder, max_chars=200, overlap=0, progress=lambda *a: again.append(a))
    assert second.articles_added == 0 and again[0] == (0, 0, "")  # nothing left to embed: nothing to wait for
