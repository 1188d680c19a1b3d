"""Opening the lexical index at archive size: its BM25 sidecar against parsing every row, in the same process.

The first `--articles` SaudiNewsNet dev records (repeated under new ids past 12,000, so 50,000 is possible) are
chunked as ingestion does and put in a `LexicalIndex`, which is saved. Then the index is opened twice, each
time as a new process would: from the sidecar (the default), and by parsing every row (the sidecar's pointer
moved aside: the baseline, which is how every start worked before the sidecar); each is timed to the end of
its first search (the BM25 matrix is built then, if it is not loaded), and a warm search after. Figures:
seconds, the ratio baseline / sidecar, the file sizes and peak RSS.

    python bench/lexical.py [--articles 12000] [--evaldata ../shared/evaldata]
"""

from __future__ import annotations

import argparse
import json
import lzma
import resource
import tempfile
import time
from pathlib import Path

from index.chunk import chunk_article
from index.lexical import INDEX_FILE, SIDECAR_FILE, Analyzer, LexicalIndex
from index.models import Article

QUERIES = ["المحادثات النووية مع إيران", "أسعار النفط في السعودية", "How many tons of aid did the ship carry?"]


def build(folder: Path, records: list[dict[str, str]], n: int) -> tuple[int, float, float]:
    """Index `n` articles (records repeated under new ids) and save; chunks, seconds to add, seconds to save."""
    index = LexicalIndex(folder, Analyzer("light"), chunker="bench")
    chunks = 0
    t = time.perf_counter()
    for i in range(n):
        r = records[i % len(records)]
        article = Article(id=f"a{i}", title=r.get("title") or "-", text=r.get("text") or "-", source="bench")
        parts = chunk_article(article, max_chars=500, overlap=1)
        chunks += len(parts)
        index.add_article(article.id, parts)
    added = time.perf_counter() - t
    t = time.perf_counter()
    index.save()
    return chunks, added, time.perf_counter() - t


def open_and_search(folder: Path) -> tuple[float, float, list[str]]:
    """Seconds from opening to the end of the first search, ms of a warm search, and the first search's ids."""
    t = time.perf_counter()
    index = LexicalIndex(folder, Analyzer("light"), chunker="bench")
    first = [c.id for c, _ in index.search(QUERIES[0], 10)]
    cold = time.perf_counter() - t
    t = time.perf_counter()
    for q in QUERIES * 5:
        index.search(q, 10)
    return cold, (time.perf_counter() - t) / (len(QUERIES) * 5) * 1000, first


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=12000)
    ap.add_argument("--evaldata", type=Path, default=Path("../shared/evaldata"))
    args = ap.parse_args()
    path = args.evaldata / "saudinewsnet-dev" / "articles.jsonl.xz"
    with lzma.open(path, "rt", encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        chunks, added, saved = build(folder, records, args.articles)
        mb = (folder / INDEX_FILE).stat().st_size / 1e6
        side = sum(p.stat().st_size for p in folder.glob("bm25-*/*")) / 1e6
        print(f"{args.articles} articles, {chunks} chunks: analysed and added in {added:.1f} s, saved in {saved:.1f} s")
        print(f"files: {INDEX_FILE} {mb:.0f} MB, sidecar {side:.0f} MB")
        sidecar_cold, sidecar_warm, sidecar_ids = open_and_search(folder)
        (folder / SIDECAR_FILE).rename(folder / "pointer.aside")  # the baseline: every row parsed, BM25 rebuilt
        parsed_cold, parsed_warm, parsed_ids = open_and_search(folder)
        assert sidecar_ids == parsed_ids, "both ways find the same chunks"
    print("| open + first search | seconds | warm search, ms |")
    print("|---|---:|---:|")
    print(f"| parse every row (baseline) | {parsed_cold:.2f} | {parsed_warm:.1f} |")
    print(f"| BM25 sidecar | {sidecar_cold:.2f} | {sidecar_warm:.1f} |")
    print(f"ratio baseline / sidecar: {parsed_cold / sidecar_cold:.1f}x")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
