"""Near-duplicate articles (the same wire story carried by several outlets): MinHash over word shingles.

Each article gets a 64-value MinHash signature of its normalised word 5-shingles, cut into
16 bands of 4 (`band_keys`): two articles whose shingle sets overlap by a Jaccard of 0.7
share a band with probability 0.99, by 0.3 with 0.12. The store (`index.store`) records the
bands in the article's metadata, looks up a batch's candidates in one query, confirms them
by the estimated Jaccard (`similarity` >= `DUPLICATE_JACCARD`) and records `duplicate_of`:
copies are kept and searchable, never dropped; answers name them as "also reported by".

Costs the same per article whatever the corpus size (one hash per shingle, one store query per
batch). Articles indexed before this existed carry no bands and are never matched.
"""

from __future__ import annotations

import hashlib

import numpy as np

from index.normalize import tokens

#: Signature length, and its cut into bands (rows per band = PERMUTATIONS // BANDS).
PERMUTATIONS = 64
BANDS = 16
#: Words per shingle.
SHINGLE = 5
#: Estimated Jaccard of shingle sets from which two articles are one story's copies.
DUPLICATE_JACCARD = 0.7

_PRIME = (1 << 61) - 1
_rng = np.random.default_rng(20260101)  # fixed: signatures must be comparable across runs and machines
_A = _rng.integers(1, _PRIME, size=PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, size=PERMUTATIONS, dtype=np.uint64)


def signature(text: str) -> np.ndarray:
    """The MinHash signature (`PERMUTATIONS` values) of the text's normalised word shingles."""
    words = tokens(text)
    if len(words) < SHINGLE:
        shingles = {" ".join(words)} if words else {""}
    else:
        shingles = {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
    hashes = np.array(
        [int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=4).digest(), "little") for s in shingles],
        dtype=np.uint64,
    )
    # Universal hashing (a*h + b) mod p per permutation; the product wraps at 2^64, deterministically,
    # as datasketch's does: what matters is the same permutation for every article.
    values = (hashes[:, None] * _A[None, :] + _B[None, :]) % np.uint64(_PRIME)
    return np.asarray(values.min(axis=0), dtype=np.uint64)


def band_keys(sig: np.ndarray) -> list[str]:
    """One short key per band of the signature (equal keys: a candidate pair)."""
    rows = PERMUTATIONS // BANDS
    return [hashlib.blake2b(sig[b * rows : (b + 1) * rows].tobytes(), digest_size=6).hexdigest() for b in range(BANDS)]


def encode(sig: np.ndarray) -> str:
    """The signature as text, for a metadata field."""
    return sig.astype("<u8").tobytes().hex()


def decode(text: str) -> np.ndarray:
    """A signature written by `encode`."""
    return np.frombuffer(bytes.fromhex(text), dtype="<u8").astype(np.uint64)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two articles' shingle sets."""
    return float(np.mean(a == b))
