"""The int8 ONNX encoder against the fp32 model, in the same process: speed, agreement, retrieval.

1. Throughput: the chunks of the first `--articles` SaudiNewsNet dev articles (cleaned and
   chunked as ingestion does) embedded as passages by both encoders. The machine may be shared,
   so the chunks are cut into `--rounds` slices and the encoders alternate slice by slice; each
   encoder's chunks/s is over all its slices, wall clock and process CPU time.
2. Agreement: cosine int8 vs fp32 (mean, min, p1) of those Arabic chunks' vectors and of the
   XQuAD dev English questions' query vectors.
3. Retrieval: XQuAD dev, dense only: the 120 Arabic paragraphs embedded as passages, the
   Arabic questions and their parallel English ones as queries, paragraphs ranked by cosine;
   recall@1/@5 of the gold paragraph per language and encoder.

    python bench/encoder.py [--articles 300] [--rounds 4] [--evaldata ../shared/evaldata]
"""

from __future__ import annotations

import argparse
import json
import lzma
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt

from index.chunk import chunk_article
from index.clean import clean_document
from index.embed import Embedder, load_embedder
from qa.settings import Settings

Matrix = npt.NDArray[np.float64]


def news_chunks(evaldata: Path, articles: int, settings: Settings) -> list[str]:
    texts: list[str] = []
    with lzma.open(evaldata / "saudinewsnet-dev" / "articles.jsonl.xz", "rt", encoding="utf-8") as f:
        for n, line in enumerate(f):
            if n >= articles:
                break
            row = json.loads(line)
            for article in clean_document(row["text"], row["id"], title=row.get("title")):
                chunks = chunk_article(article, max_chars=settings.chunk_max_chars, overlap=settings.chunk_overlap)
                texts.extend(c.text for c in chunks)
    return texts


def xquad(evaldata: Path) -> tuple[list[str], dict[str, list[tuple[str, int]]]]:
    """Arabic paragraphs, and per language the (question, gold paragraph index) pairs."""
    ar = json.loads((evaldata / "xquad-dev" / "xquad.ar.dev.json").read_text(encoding="utf-8"))
    en = json.loads((evaldata / "xquad-dev" / "xquad.en.dev.json").read_text(encoding="utf-8"))
    english = {q["id"]: q["question"] for a in en["data"] for p in a["paragraphs"] for q in p["qas"]}
    paragraphs: list[str] = []
    questions: dict[str, list[tuple[str, int]]] = {"ar": [], "en": []}
    for article in ar["data"]:
        for p in article["paragraphs"]:
            paragraphs.append(p["context"])
            for q in p["qas"]:
                questions["ar"].append((q["question"], len(paragraphs) - 1))
                if q["id"] in english:
                    questions["en"].append((english[q["id"]], len(paragraphs) - 1))
    return paragraphs, questions


def cosines(a: Matrix, b: Matrix) -> Matrix:
    out: Matrix = (a * b).sum(axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    return out


def recall(embedder: Embedder, passages: Matrix, questions: list[tuple[str, int]]) -> tuple[float, float]:
    q = np.asarray([embedder.embed_query(text) for text, _ in questions])
    gold = np.asarray([g for _, g in questions])
    scores = q @ passages.T
    rank = (scores > scores[np.arange(len(gold)), gold][:, None]).sum(axis=1)  # paragraphs scored above the gold
    return float((rank < 1).mean()), float((rank < 5).mean())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=4, help="slices the two encoders alternate on")
    ap.add_argument("--evaldata", type=Path, default=Settings(_env_file=None).evaldata_dir)
    ap.add_argument("--cache-dir", type=Path, default=Settings(_env_file=None).cache_dir)
    args = ap.parse_args()
    settings = Settings(_env_file=None)
    texts = news_chunks(args.evaldata, args.articles, settings)
    encoders: dict[str, Embedder] = {}
    for name in ("fp32", "int8"):
        encoders[name] = load_embedder(
            settings.embedding_model, cache_dir=args.cache_dir, encoder=name,
            query_prefix=settings.query_prefix, passage_prefix=settings.passage_prefix,
        )  # fmt: skip
    for e in encoders.values():
        e.embed_passages(texts[:16])  # warm up
    lengths = sorted(len(x) for x in texts)
    print(f"{len(texts)} chunks of {args.articles} articles (chars p10/p50/p90 "
          f"{lengths[len(lengths) // 10]}/{lengths[len(lengths) // 2]}/{lengths[9 * len(lengths) // 10]})")  # fmt: skip
    print(f"model ids: {encoders['fp32'].model_id}  /  {encoders['int8'].model_id}", flush=True)

    # 1. throughput, alternating slices; 2. agreement on those vectors
    step = -(-len(texts) // args.rounds)
    vectors: dict[str, list[list[float]]] = {name: [] for name in encoders}
    wall = dict.fromkeys(encoders, 0.0)
    cpu = dict.fromkeys(encoders, 0.0)
    for r, start in enumerate(range(0, len(texts), step)):
        names = list(encoders) if r % 2 == 0 else list(reversed(encoders))
        for name in names:
            t, c = time.perf_counter(), time.process_time()
            vectors[name].extend(encoders[name].embed_passages(texts[start : start + step]))
            wall[name] += time.perf_counter() - t
            cpu[name] += time.process_time() - c
        print(f"  slice {r + 1}: fp32 {wall['fp32']:.0f} s, int8 {wall['int8']:.0f} s so far", flush=True)
    cos_ar = cosines(np.asarray(vectors["fp32"]), np.asarray(vectors["int8"]))
    paragraphs, questions = xquad(args.evaldata)
    english = [text for text, _ in questions["en"]]
    q_vectors = {name: np.asarray([e.embed_query(t) for t in english]) for name, e in encoders.items()}
    cos_en = cosines(q_vectors["fp32"], q_vectors["int8"])

    # 3. retrieval
    rec: dict[tuple[str, str], tuple[float, float]] = {}
    for name, e in encoders.items():
        passages = np.asarray(e.embed_passages(paragraphs))
        for lang in ("ar", "en"):
            rec[name, lang] = recall(e, passages, questions[lang])

    print()
    print("| | fp32 | int8 | int8 / fp32 |")
    print("| --- | --- | --- | --- |")
    print(f"| chunks/s (wall) | {len(texts) / wall['fp32']:.1f} | {len(texts) / wall['int8']:.1f} | "
          f"{wall['fp32'] / wall['int8']:.2f}x |")  # fmt: skip
    print(f"| chunks per CPU-s | {len(texts) / cpu['fp32']:.2f} | {len(texts) / cpu['int8']:.2f} | "
          f"{cpu['fp32'] / cpu['int8']:.2f}x |")  # fmt: skip
    for lang, n in (("ar", len(questions["ar"])), ("en", len(questions["en"]))):
        for k, at in ((0, 1), (1, 5)):
            f, i = rec["fp32", lang][k], rec["int8", lang][k]
            print(f"| XQuAD {lang} R@{at} ({n} q, {len(paragraphs)} paragraphs) | {f:.3f} | {i:.3f} | "
                  f"{100 * (i - f):+.1f} pt |")  # fmt: skip
    print()
    print("| cosine int8 vs fp32 | n | mean | min | p1 |")
    print("| --- | --- | --- | --- | --- |")
    for label, c in (("Arabic news chunks (passages)", cos_ar), ("XQuAD English questions (queries)", cos_en)):
        print(f"| {label} | {len(c)} | {c.mean():.4f} | {c.min():.4f} | {np.percentile(c, 1):.4f} |")


if __name__ == "__main__":
    main()
