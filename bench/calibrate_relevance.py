"""Calibrate the extractive answerer's relevance threshold on held-out data (not on the bundled corpus).

Data: the parallel XQuAD dev set (Arabic paragraphs; the same questions in Arabic and English).
For every question, the *answerable* score is the best similarity between the question and a
sentence of its own paragraph that holds the answer; the *unanswerable* score is the best
similarity to a sentence of another article (the question asked of a corpus that cannot
answer it), with the corpus being one other article or all of them. The script prints, per
question language, the threshold that best separates the two (Youden's J) and the pass rates
at a few thresholds, so the defaults in `qa.settings` are measured values.

    python bench/calibrate_relevance.py [--evaldata ../shared/evaldata]
"""

from __future__ import annotations

import argparse
import json
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
    ar = json.loads((args.evaldata / "xquad-dev" / "xquad.ar.dev.json").read_text(encoding="utf-8"))
    en = json.loads((args.evaldata / "xquad-dev" / "xquad.en.dev.json").read_text(encoding="utf-8"))
    en_q = {q["id"]: q["question"] for a in en["data"] for p in a["paragraphs"] for q in p["qas"]}

    sentences: list[str] = []
    owner: list[int] = []  # article index of each sentence
    questions: list[tuple[str, str, int, list[int]]] = []  # (lang, text, article, answer-sentence ids)
    for ai, art in enumerate(ar["data"]):
        for para in art["paragraphs"]:
            ctx = para["context"]
            spans = split_sentences(ctx)
            base = len(sentences)
            sentences += [ctx[s:e] for s, e in spans]
            owner += [ai] * len(spans)
            for qa in para["qas"]:
                start = qa["answers"][0]["answer_start"]
                gold = [base + i for i, (s, e) in enumerate(spans) if s <= start < e]
                gold = gold or list(range(base, base + len(spans)))  # answer spans two sentences
                questions.append(("ar", qa["question"], ai, gold))
                if qa["id"] in en_q:
                    questions.append(("en", en_q[qa["id"]], ai, gold))

    emb = load_embedder(cache_dir=args.cache_dir)
    t = time.perf_counter()
    S = np.asarray(emb.embed_passages(sentences), dtype=np.float32)
    Q = np.asarray([emb.embed_query(q) for _, q, _, _ in questions], dtype=np.float32)
    print(f"embedded {len(sentences)} sentences and {len(questions)} questions in {time.perf_counter() - t:.0f} s")
    sims = Q @ S.T
    owners = np.asarray(owner)
    n_articles = len(ar["data"])
    # Two unanswerable scenarios: the corpus is one other article (a small, off-topic corpus),
    # or all the other articles (a larger corpus: its best distractor is closer).
    scenarios = {
        "one other article": lambda art: owners == (art + 1) % n_articles,
        "all other articles": lambda art: owners != art,
    }
    for lang in ("ar", "en"):
        for name, corpus in scenarios.items():
            pos, neg = [], []
            for i, (lg, _, art, gold) in enumerate(questions):
                if lg == lang:
                    pos.append(sims[i, gold].max())
                    neg.append(sims[i, corpus(art)].max())
            report(lang, name, np.asarray(pos), np.asarray(neg))


def report(lang: str, scenario: str, p: np.ndarray, n: np.ndarray) -> None:
    """Print the separating threshold (Youden's J) and the trade-off around it."""
    grid = np.arange(0.70, 0.95, 0.005)
    j = [(p >= g).mean() - (n >= g).mean() for g in grid]
    best = grid[int(np.argmax(j))]
    print(
        f"\n{lang} questions, unanswerable = {scenario}: answerable median {np.median(p):.3f}, "
        f"unanswerable median {np.median(n):.3f}"
    )
    print(
        f"  best threshold (Youden) {best:.3f}: answerable kept {(p >= best).mean():.1%}, "
        f"unanswerable refused {(n < best).mean():.1%}"
    )
    for g in (0.76, 0.77, 0.78, 0.80, 0.82, 0.84):
        print(f"  threshold {g:.2f}: answerable kept {(p >= g).mean():.1%}, unanswerable refused {(n < g).mean():.1%}")


if __name__ == "__main__":
    main()
