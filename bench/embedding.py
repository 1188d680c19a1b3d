"""Passage embedding throughput on real news chunks: batches in the given order against length-sorted batches.

Chunks of the first `--articles` articles of the SaudiNewsNet dev archive (cleaned and
chunked as ingestion does) are embedded by the real e5 model twice in the same process,
once in the order they come (what `embed_passages` did before) and once as
`LlamaIndexEmbedder.embed_passages` does now (sorted by length, returned in order);
it prints chunks per second of each, their ratio, and the least cosine between the two
runs' vectors (padding must not change a vector).

    python bench/embedding.py [--articles 300] [--evaldata ../shared/evaldata]
"""

from __future__ import annotations

import argparse
import json
import lzma
import time
from pathlib import Path

import numpy as np

from index.chunk import chunk_article
from index.clean import clean_document
from index.embed import load_embedder
from qa.settings import Settings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--evaldata", type=Path, default=Settings(_env_file=None).evaldata_dir)
    ap.add_argument("--cache-dir", type=Path, default=Path(".cache"))
    args = ap.parse_args()
    settings = Settings(_env_file=None)
    texts: list[str] = []
    with lzma.open(args.evaldata / "saudinewsnet-dev" / "articles.jsonl.xz", "rt", encoding="utf-8") as f:
        for n, line in enumerate(f):
            if n >= args.articles:
                break
            row = json.loads(line)
            for article in clean_document(row["text"], row["id"], title=row.get("title")):
                chunks = chunk_article(article, max_chars=settings.chunk_max_chars, overlap=settings.chunk_overlap)
                texts.extend(c.text for c in chunks)
    embedder = load_embedder(cache_dir=args.cache_dir)
    embedder.embed_passages(texts[:16])  # warm up
    model, size = embedder.llama_index_model, 16

    t = time.perf_counter()
    given: list[list[float]] = []
    for i in range(0, len(texts), size):
        given.extend(model.get_text_embedding_batch(texts[i : i + size]))
    t_given = time.perf_counter() - t
    t = time.perf_counter()
    sorted_ = embedder.embed_passages(texts)
    t_sorted = time.perf_counter() - t
    a, b = np.asarray(given), np.asarray(sorted_)
    cos = (a * b).sum(axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    lengths = sorted(len(x) for x in texts)
    print(f"{len(texts)} chunks of {args.articles} articles (chars p10/p50/p90 "
          f"{lengths[len(lengths) // 10]}/{lengths[len(lengths) // 2]}/{lengths[9 * len(lengths) // 10]})")  # fmt: skip
    print(f"given order:   {len(texts) / t_given:.1f} chunks/s")
    print(f"sorted by length: {len(texts) / t_sorted:.1f} chunks/s  ({t_given / t_sorted:.2f}x)")
    print(f"least cosine between the two runs' vectors: {cos.min():.6f}")


if __name__ == "__main__":
    main()
