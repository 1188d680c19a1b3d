"""Calibrate the citation checker's `min_support` (sentence vs cited span similarity) on held-out data.

Data: parallel XQuAD dev (Arabic paragraphs; the same questions and answers in Arabic and
English). A generated answer sentence is simulated by a statement built from a question and
its answer ("<question> <answer>"), in Arabic and in English; its supporting span is the Arabic
context sentence holding the answer. Two kinds of wrong citation:
  - *same paragraph*: another sentence of the same paragraph (a plausible wrong span among the
    retrieved ones: same topic, other fact);
  - *other article*: a sentence of another article (a citation to an unrelated passage).
Also English context sentence -> its Arabic answer sentence (a translated answer sentence).
Both sides are embedded as passages, as the checker does. Prints, per proxy, the positive and
negative medians, the Youden-J threshold for each negative kind, and pass rates at a few thresholds.

    python bench/calibrate_support.py [--evaldata ../shared/evaldata]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np

from index.chunk import split_sentences
from index.embed import load_embedder
from qa.settings import Settings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--evaldata", type=Path, default=Settings(_env_file=None).evaldata_dir)
    ap.add_argument("--cache-dir", type=Path, default=Path(".cache"))
    args = ap.parse_args()
    rng = random.Random(0)
    ar = json.loads((args.evaldata / "xquad-dev" / "xquad.ar.dev.json").read_text(encoding="utf-8"))
    en = json.loads((args.evaldata / "xquad-dev" / "xquad.en.dev.json").read_text(encoding="utf-8"))
    en_by_id = {}
    for art in en["data"]:
        for para in art["paragraphs"]:
            spans = split_sentences(para["context"])
            for qa in para["qas"]:
                a = qa["answers"][0]
                sent = next((para["context"][s:e] for s, e in spans if s <= a["answer_start"] < e), None)
                en_by_id[qa["id"]] = (qa["question"], a["text"], sent)

    texts: list[str] = []

    def idx(t: str) -> int:
        texts.append(t)
        return len(texts) - 1

    # (proxy name, claim index, gold index, same-paragraph negative index, other-article negative index)
    pairs: list[tuple[str, int, int, int, int]] = []
    all_sents = [
        (ai, para["context"][s:e])
        for ai, art in enumerate(ar["data"])
        for para in art["paragraphs"]
        for s, e in split_sentences(para["context"])
    ]
    for ai, art in enumerate(ar["data"]):
        for para in art["paragraphs"]:
            ctx = para["context"]
            spans = split_sentences(ctx)
            if len(spans) < 2:
                continue
            for qa in para["qas"]:
                a = qa["answers"][0]
                gold = [i for i, (s, e) in enumerate(spans) if s <= a["answer_start"] < e]
                if not gold:
                    continue
                g = gold[0]
                others = [i for i in range(len(spans)) if i != g]
                same = ctx[slice(*spans[rng.choice(others)])]
                other = rng.choice([t for aj, t in all_sents if aj != ai])
                gi, si, oi = idx(ctx[slice(*spans[g])]), idx(same), idx(other)
                pairs.append(("ar statement", idx(f"{qa['question']} {a['text']}"), gi, si, oi))
                if qa["id"] in en_by_id:
                    q_en, a_en, sent_en = en_by_id[qa["id"]]
                    pairs.append(("en statement", idx(f"{q_en} {a_en}"), gi, si, oi))
                    if sent_en:
                        pairs.append(("en sentence", idx(sent_en), gi, si, oi))

    emb = load_embedder(cache_dir=args.cache_dir)
    t = time.perf_counter()
    vecs = np.asarray(emb.embed_passages(texts), dtype=np.float32)
    print(f"embedded {len(texts)} texts in {time.perf_counter() - t:.0f} s; {len(pairs)} claims")
    for proxy in ("ar statement", "en statement", "en sentence"):
        rows = [p for p in pairs if p[0] == proxy]
        sims = np.asarray([[vecs[c] @ vecs[g], vecs[c] @ vecs[s], vecs[c] @ vecs[o]] for _, c, g, s, o in rows])
        report(proxy, sims[:, 0], sims[:, 1], sims[:, 2])


def report(proxy: str, pos: np.ndarray, same: np.ndarray, other: np.ndarray) -> None:
    """Youden-J thresholds against each negative kind, and rates at a few thresholds."""
    grid = np.arange(0.70, 0.95, 0.005)
    print(
        f"\n{proxy} (n={len(pos)}): supporting span median {np.median(pos):.3f}, "
        f"same-paragraph span {np.median(same):.3f}, other-article span {np.median(other):.3f}"
    )
    for name, neg in (("same paragraph", same), ("other article", other)):
        j = [(pos >= g).mean() - (neg >= g).mean() for g in grid]
        best = grid[int(np.argmax(j))]
        print(
            f"  vs {name}: best threshold {best:.3f}: supported kept {(pos >= best).mean():.1%}, "
            f"wrong span rejected {(neg < best).mean():.1%}"
        )
    for g in (0.76, 0.78, 0.80, 0.82, 0.84):
        print(
            f"  threshold {g:.2f}: kept {(pos >= g).mean():.1%}, same-paragraph rejected {(same < g).mean():.1%}, "
            f"other-article rejected {(other < g).mean():.1%}"
        )


if __name__ == "__main__":
    main()
