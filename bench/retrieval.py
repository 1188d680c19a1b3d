"""Retrieval benchmark: our hybrid pipeline vs llama-index's defaults on the Arabic SQuAD-format sets.

For each set, the unique contexts are indexed and every question asked; the table gives recall@1,
recall@5 and MRR@10 per question language, index build time, warm query latency (p50/p95, embedding
included) and peak memory, for `ours`, `ours-dense` (lexical weight 0), `llamaindex-dense`
(VectorStoreIndex over Chroma, same e5 model) and `llamaindex-bm25` (BM25Retriever defaults).
The XQuAD set also asks the English questions (matched by id) of the Arabic contexts.

The machine is shared: latency and build times are noisy (differences under ~10 ms or ~15 % are noise).

    python bench/retrieval.py [--evaldata ../shared/evaldata] [--sets arcd,mlqa,tydi,xquad]
        [--pipelines ours,ours-dense,llamaindex-dense,llamaindex-bm25] [--limit N]
        [--chunk-max-chars 500 --chunk-overlap 1 --lexical-weight W --stemmer snowball]
Writes artifacts/retrieval.json and artifacts/retrieval.png.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

for _key, _value in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"), ("ANONYMIZED_TELEMETRY", "False")):
    os.environ.setdefault(_key, _value)

from tqdm import tqdm  # noqa: E402

from eval.squad import PIPELINES, format_table, plot, run_squad_retrieval  # noqa: E402
from index.embed import load_embedder  # noqa: E402
from qa.settings import Settings  # noqa: E402

#: name -> (file, parallel questions file) under the evaldata folder
SETS = {
    "arcd": ("arcd/arcd-test.json", None),
    "mlqa": ("mlqa/dev-context-ar-question-ar.json", None),
    "tydi": ("tydiqa/tydiqa-goldp-dev-arabic.json", None),
    "xquad": ("xquad-dev/xquad.ar.dev.json", "xquad-dev/xquad.en.dev.json"),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--evaldata", type=Path, default=Settings(_env_file=None).evaldata_dir)
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--pipelines", default=",".join(PIPELINES))
    ap.add_argument("--limit", type=int, default=None, help="ask at most this many questions per set")
    ap.add_argument("--chunk-max-chars", type=int)
    ap.add_argument("--chunk-overlap", type=int)
    ap.add_argument("--lexical-weight", type=float)
    ap.add_argument("--stemmer", choices=["snowball", "light", "none"])
    ap.add_argument("--out", type=Path, default=Path("artifacts/retrieval"))
    args = ap.parse_args()
    overrides = {
        "chunk_max_chars": args.chunk_max_chars, "chunk_overlap": args.chunk_overlap,
        "lexical_weight": args.lexical_weight, "lexical_stemmer": args.stemmer,
    }  # fmt: skip
    settings = Settings(_env_file=None, **{k: v for k, v in overrides.items() if v is not None})
    embedder = load_embedder(settings.embedding_model, cache_dir=settings.cache_dir,
                             query_prefix=settings.query_prefix, passage_prefix=settings.passage_prefix)  # fmt: skip
    reports = []
    for name in args.sets.split(","):
        file, parallel = SETS[name]
        bars: dict[str, tqdm] = {}  # type: ignore[type-arg]

        def progress(stage: str, done: int, total: int, bars: dict[str, tqdm] = bars, name: str = name) -> None:  # type: ignore[type-arg]
            bar = bars.get(stage)
            if bar is None:
                for old in bars.values():
                    old.close()
                bar = bars[stage] = tqdm(total=total, desc=f"{name} {stage}", leave=False)
            bar.update(done - bar.n)

        t = time.perf_counter()
        report = run_squad_retrieval(
            args.evaldata / file, args.evaldata / parallel if parallel else None, settings=settings,
            embedder=embedder, pipelines=args.pipelines.split(","), limit=args.limit, progress=progress,
        )  # fmt: skip
        for old in bars.values():
            old.close()
        print(format_table(report), f"\n({time.perf_counter() - t:.0f} s)\n", flush=True)
        reports.append(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    json_path = args.out.with_suffix(".json")
    json_path.write_text(json.dumps([r.model_dump() for r in reports], ensure_ascii=False, indent=1))
    plot(reports, args.out.with_suffix(".png"))
    print(f"wrote {json_path} and {args.out.with_suffix('.png')}")


if __name__ == "__main__":
    main()
