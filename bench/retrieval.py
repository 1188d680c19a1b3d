"""Retrieval benchmark: our hybrid pipeline vs llama-index's defaults on the Arabic SQuAD-format sets.

For each set, the unique contexts are indexed and every question asked; the table gives recall@1,
recall@5 and MRR@10 per question language, index build time, warm query latency (p50/p95, embedding
included) and peak memory, for `ours`, `ours-dense` (lexical weight 0), `llamaindex-dense`
(VectorStoreIndex over Chroma, same e5 model) and `llamaindex-bm25` (BM25Retriever defaults).
The XQuAD set also asks the English questions (matched by id) of the Arabic contexts.

The machine is shared: latency and build times are noisy (differences under ~10 ms or ~15 % are noise).

`--translate` measures instead how the XQuAD English questions are searched over the Arabic contexts
(`eval.squad.run_cross_language`): each English question is rendered in Arabic by the local model
(`qa.translate`, cached in the cache dir, so a re-run is cheap) and the variants of `eval.squad.variant_grid`
(the rendering for the lexical side, the dense side, both; more candidates; another lexical weight for
English) are scored on the two halves of the articles (picked on half A, reported on both), beside
llama-index dense. It writes artifacts/retrieval-translate.json.

    python bench/retrieval.py [--evaldata ../shared/evaldata] [--sets arcd,mlqa,tydi,xquad]
        [--pipelines ours,ours-dense,llamaindex-dense,llamaindex-bm25] [--limit N]
        [--chunk-max-chars 500 --chunk-overlap 1 --lexical-weight W --stemmer snowball]
    python bench/retrieval.py --translate [--variants ours,tr-mean0.5-lex0.1] [--limit N] [--cached-only]
Writes artifacts/retrieval.json and artifacts/retrieval.png.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

for _key, _value in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"), ("ANONYMIZED_TELEMETRY", "False")):
    os.environ.setdefault(_key, _value)

from tqdm import tqdm  # noqa: E402

from eval.squad import (  # noqa: E402
    PIPELINES,
    format_cross_language,
    format_table,
    plot,
    run_cross_language,
    run_squad_retrieval,
    variant_grid,
)
from index.embed import Embedder, load_embedder  # noqa: E402
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
    ap.add_argument("--translate", action="store_true", help="XQuAD English questions: the translation variants")
    ap.add_argument("--variants", default=None, help="with --translate: only these variants (names, comma-separated)")
    ap.add_argument("--cached-only", action="store_true", help="with --translate: only questions already translated")
    ap.add_argument("--llm-threads", type=int, default=1, help="with --translate: threads of the local model")
    args = ap.parse_args()
    overrides = {
        "chunk_max_chars": args.chunk_max_chars, "chunk_overlap": args.chunk_overlap,
        "lexical_weight": args.lexical_weight, "lexical_stemmer": args.stemmer,
    }  # fmt: skip
    settings = Settings(_env_file=None, **{k: v for k, v in overrides.items() if v is not None})
    embedder = load_embedder(settings.embedding_model, cache_dir=settings.cache_dir,
                             query_prefix=settings.query_prefix, passage_prefix=settings.passage_prefix,
                             encoder=settings.encoder)  # fmt: skip
    if args.translate:
        translate_bench(args, settings, embedder)
        return
    reports = []
    for name in args.sets.split(","):
        file, parallel = SETS[name]
        bars: dict[str, tqdm] = {}

        def progress(stage: str, done: int, total: int, bars: dict[str, tqdm] = bars, name: str = name) -> None:
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


def _bars(label: str) -> tuple[dict[str, tqdm], Callable[[str, int, int], None]]:
    bars: dict[str, tqdm] = {}

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            for old in bars.values():
                old.close()
            bar = bars[stage] = tqdm(total=total, desc=f"{label} {stage}", leave=False)
        bar.update(done - bar.n)

    return bars, progress


def translate_bench(args: argparse.Namespace, settings: Settings, embedder: Embedder) -> None:
    """XQuAD English over Arabic: every translation variant, by half (see the module docstring)."""
    from qa.llm import load_llm
    from qa.translate import MAX_TOKENS, QuestionTranslator

    # One thread: on a busy 2-core machine llama.cpp's two threads wait on each other (measured 10x slower).
    update = {"backend": "local", "llm_max_tokens": MAX_TOKENS, "llm_threads": args.llm_threads}
    llm = load_llm(settings.model_copy(update=update))
    if llm is None:
        raise SystemExit("--translate needs the local model: run `make local-llm`")
    translator = QuestionTranslator(llm, settings.cache_dir)
    variants = variant_grid()
    if args.variants:
        wanted = args.variants.split(",")
        variants = [v for v in variants if v.name in wanted]
    file, parallel = SETS["xquad"]
    bars, progress = _bars("xquad")
    t = time.perf_counter()
    report = run_cross_language(
        args.evaldata / file, args.evaldata / (parallel or ""), settings=settings, embedder=embedder,
        translator=translator, variants=variants, limit=args.limit, cached_only=args.cached_only, progress=progress,
    )  # fmt: skip
    for old in bars.values():
        old.close()
    print(format_cross_language(report), f"\n({time.perf_counter() - t:.0f} s)\n", flush=True)
    out = args.out.with_name(args.out.name + "-translate").with_suffix(".json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report.model_dump(), ensure_ascii=False, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
