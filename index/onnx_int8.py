"""An int8 passage/query encoder: the sentence-transformers model exported to ONNX and quantised.

`build_int8_model` exports the transformer of a local sentence-transformers folder
(multilingual-e5-small by default) to ONNX with `torch.onnx.export` (dynamic batch and
sequence axes) and quantises its MatMul weights with onnxruntime's `quantize_dynamic`:
int8 per output channel (per-tensor scales cost too much: cosine to fp32 fell to ~.98
on Arabic news chunks); the word embeddings stay fp32. Activations are quantised per
batch at run time. The built file lives in the cache under a name keyed by the source
model's identity (its model id, the size and mtime of each file of the folder,
onnxruntime's version and this module's format), is built once in a temporary folder
and renamed into place, so a half-written or stale file is never used.

`OnnxInt8Embedder` runs it with onnxruntime and pools as the sentence-transformers
model does: mean over the attention mask, then L2 normalisation. torch and
transformers are imported only to build; running needs onnxruntime and tokenizers.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from index.embed import in_length_order
from index.errors import ModelUnavailableError

_FORMAT = 2  # bump when the export or the quantisation settings change
_DONE = "int8-build.json"  # written last into a finished folder
MODEL_FILE = "model.int8.onnx"
#: What `model_id` gains over the fp32 model's: vectors of the two are close but not the same.
ID_SUFFIX = "+onnx-int8"


def _fingerprint(source: Path, source_id: str) -> str:
    h = hashlib.sha256()
    h.update(json.dumps({"format": _FORMAT, "id": source_id, "onnxruntime": version("onnxruntime")}).encode())
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        st = path.stat()
        h.update(f"{path.relative_to(source).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def check_mean_pooling(source: Path) -> int:
    """Check that `source` is a sentence-transformers folder that mean-pools and normalises; return its max length."""
    try:
        modules = json.loads((source / "modules.json").read_text())
        types = [m["type"].rsplit(".", 1)[-1] for m in modules]
        pooling_dir = next(m["path"] for m in modules if m["type"].endswith("Pooling"))
        pooling = json.loads((source / pooling_dir / "config.json").read_text())
        st_config = json.loads((source / "sentence_bert_config.json").read_text())
    except (OSError, ValueError, KeyError, StopIteration) as exc:
        raise ModelUnavailableError(
            f"{source} is not a sentence-transformers folder the int8 encoder reads: {exc}"
        ) from exc
    modes = [k for k, v in pooling.items() if k.startswith("pooling_mode_") and v]
    if types != ["Transformer", "Pooling", "Normalize"] or modes != ["pooling_mode_mean_tokens"]:
        raise ModelUnavailableError(
            f"{source}: the int8 encoder implements Transformer + mean Pooling + Normalize, not {types} / {modes}"
        )
    if st_config.get("do_lower_case"):
        raise ModelUnavailableError(f"{source}: lower-casing models are not supported by the int8 encoder")
    return int(st_config.get("max_seq_length", 512))


def build_int8_model(source: Path, source_id: str, cache_dir: Path) -> Path:
    """Return the int8 ONNX file for the model folder `source`, exporting and quantising it once if needed."""
    check_mean_pooling(source)
    target = Path(cache_dir) / f"{source.name}-onnx-int8-{_fingerprint(source, source_id)}"
    if (target / _DONE).is_file():
        return target / MODEL_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".int8-build-", dir=target.parent))
    try:
        _export_fp32(source, tmp / "model.fp32.onnx")
        from onnxruntime.quantization import QuantType, quantize_dynamic

        # MatMul only: the word embeddings (a Gather) stay fp32; quantising them too cost XQuAD dense R@1
        # 1.1 / 1.0 points (ar / en) against 0.8 / 0.3 without, for a file of 118 MB instead of 407 MB.
        quantize_dynamic(
            tmp / "model.fp32.onnx", tmp / MODEL_FILE, per_channel=True, weight_type=QuantType.QInt8,
            op_types_to_quantize=["MatMul"],
        )  # fmt: skip
        (tmp / "model.fp32.onnx").unlink()
        meta = {"format": _FORMAT, "source": str(source), "source_id": source_id}
        (tmp / _DONE).write_text(json.dumps(meta))
        if target.exists() and not (target / _DONE).is_file():  # an unfinished folder of an older run
            shutil.rmtree(target)
        try:
            os.replace(tmp, target)
        except OSError:
            if not (target / _DONE).is_file():  # not a concurrent build that finished first
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target / MODEL_FILE


def _export_fp32(source: Path, out: Path) -> None:
    try:
        import torch
        from transformers import AutoModel
        from transformers.utils import logging as hf_logging
    except ImportError as exc:
        raise ModelUnavailableError(f"building the int8 encoder needs torch and transformers: {exc}") from exc

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    base = AutoModel.from_pretrained(str(source), attn_implementation="eager").eval()

    class LastHidden(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    pad = int(base.config.pad_token_id or 0)
    ids = torch.tensor([[0, 100, 200, 300, 2, pad, pad], [0, 5, 6, 7, 8, 9, 2]])
    mask = (ids != pad).long()
    dynamic = {name: {0: "batch", 1: "seq"} for name in ("input_ids", "attention_mask", "last_hidden_state")}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's warnings about Python booleans in the mask code
        torch.onnx.export(
            LastHidden(base), (ids, mask), str(out), input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"], dynamic_axes=dynamic, opset_version=17, dynamo=False,
        )  # fmt: skip


def default_threads() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class OnnxInt8Embedder:
    """The int8 ONNX encoder behind the `Embedder` protocol (mean pooling + L2 norm, e5 prefixes)."""

    def __init__(
        self,
        onnx_path: Path,
        tokenizer_dir: Path,
        model_id: str,
        *,
        query_prefix: str = "query: ",
        passage_prefix: str = "passage: ",
        batch_size: int = 16,
        threads: int | None = None,
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        max_length = check_mean_pooling(tokenizer_dir)
        self._tokenizer = Tokenizer.from_file(str(tokenizer_dir / "tokenizer.json"))
        special = json.loads((tokenizer_dir / "special_tokens_map.json").read_text())
        pad_token = special.get("pad_token", "<pad>")
        pad_token = pad_token["content"] if isinstance(pad_token, dict) else pad_token
        pad_id = self._tokenizer.token_to_id(pad_token)
        self._tokenizer.enable_truncation(max_length)
        self._tokenizer.enable_padding(pad_id=pad_id if pad_id is not None else 0, pad_token=pad_token)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or default_threads()
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        self._model_id = model_id
        self._query_prefix = query_prefix
        self._passage_prefix = passage_prefix
        self._batch_size = batch_size
        self._dim = int(self._encode(["dimension probe"]).shape[1])

    @property
    def model_id(self) -> str:
        """See `Embedder.model_id`."""
        return self._model_id

    @property
    def dim(self) -> int:
        """See `Embedder.dim`."""
        return self._dim

    def _encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.asarray([e.ids for e in encodings], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
        hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        out: npt.NDArray[np.float32] = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return out

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        """See `Embedder.embed_passages`; batches of similar length (`index.embed.in_length_order`)."""

        def embed_batch(batch: list[str]) -> list[list[float]]:
            vectors: list[list[float]] = self._encode([self._passage_prefix + t for t in batch]).tolist()
            return vectors

        return in_length_order(texts, self._batch_size, embed_batch)

    def embed_query(self, text: str) -> list[float]:
        """See `Embedder.embed_query`."""
        vec: list[float] = self._encode([self._query_prefix + text])[0].tolist()
        return vec
