"""Fit and measure the answerability model (`qa.answerability`) on XQuAD dev: half A to fit, half B to report.

Every XQuAD dev question is asked twice through the real retrieval (chunks, e5, Chroma,
BM25) and sentence scoring: over all paragraphs (answerable) and without its gold
paragraph, the rest of its article kept (unanswerable, with close distractors). For each
its `qa.answerability.features` are recorded (`--rows`, reused when present). Then, per
question language:

- the rule before the model: the relevance threshold on the best passing sentence, and a
  coverage floor (`PREVIOUS_FLOOR`);
- the learned rule: the relevance threshold, and a logistic regression (fitted on half A)
  whose threshold is the highest that keeps at least today's share of half A's answerable
  questions answered (or `--answered`);

each as answered (full index) and refused (gold removed) on half A and half B, with a
plot of the trade-off on half B (`--plot`). `--write` saves the fitted model to
`qa/answerability.json`, which the answer flow loads.

    python bench/answerability.py [--evaldata ../shared/evaldata] [--answered en=0.97] [--write]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from answering import CachedEmbedder, build, load

from index.embed import load_embedder
from qa.answerability import FEATURES, MODEL_PATH, AnswerabilityModel, LanguageModel, features
from qa.extractive import candidate_sentences, rank_sources
from qa.question import analyze_question
from qa.retrieve import RetrievalFilter
from qa.settings import Settings

Row = dict[str, object]
#: The coverage floor that was the rule before the model (Settings.min_coverage_*), compared with it.
PREVIOUS_FLOOR = {"ar": 0.35, "en": 0.0}


def collect(evaldata: Path, settings: Settings) -> tuple[str, list[Row]]:
    """The embedder's id, and the features of every question over the full index and without its gold paragraph."""
    articles, cases = load(evaldata)
    embedder = CachedEmbedder(load_embedder(cache_dir=settings.cache_dir))
    rows: list[Row] = []
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        retriever = build(articles, settings, embedder, Path(tmp))
        all_ids = tuple(a.id for a in articles)
        for n, case in enumerate(cases):
            q = str(case["question"])
            vector = embedder.embed_query(q)
            slot = analyze_question(q)
            without = RetrievalFilter(article_ids=tuple(i for i in all_ids if i != case["article"]))
            row: Row = {k: case[k] for k in ("question", "language", "half", "article")}
            for name, where in (("full", None), ("removed", without)):
                passages = retriever.retrieve(q, vector, settings.top_k, where)
                ranked = rank_sources(vector, candidate_sentences(passages), embedder, slot)
                row[name] = features(slot, passages, ranked)
            rows.append(row)
            if n % 200 == 0:
                print(f"  {n}/{len(cases)} questions, {time.perf_counter() - t0:.0f} s", flush=True)
    return embedder.model_id, rows


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 50) -> tuple[np.ndarray, float]:
    """Weights and bias of an L2-penalised logistic regression (Newton's method; the bias is not penalised)."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    penalty = np.eye(xb.shape[1]) * l2
    penalty[-1, -1] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(xb @ w, -60, 60)))
        grad = xb.T @ (p - y) + penalty @ w
        hess = xb.T @ (xb * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def matrix(rows: Sequence[Row], condition: str, names: Sequence[str]) -> np.ndarray:
    return np.array([[float(r[condition][f]) for f in names] for r in rows])  # type: ignore[index]


def fit(rows: Sequence[Row], names: Sequence[str], gate: float, answered: float) -> LanguageModel:
    """The model fitted on `rows` (one language, half A), thresholded to keep `answered` of them answered."""
    x = np.vstack([matrix(rows, "full", names), matrix(rows, "removed", names)])
    y = np.concatenate([np.ones(len(rows)), np.zeros(len(rows))])
    mu, sd = x.mean(axis=0), x.std(axis=0)
    sd[sd == 0] = 1.0
    w, b = fit_logistic((x - mu) / sd, y)
    model = LanguageModel(features=tuple(names), mean=tuple(mu.round(6)), scale=tuple(sd.round(6)),
                          weights=tuple(w.round(6)), bias=round(b, 6), threshold=0.0)  # fmt: skip
    probs = np.array([model.probability(r["full"]) for r in rows])  # type: ignore[arg-type]
    gated = np.array([float(r["full"]["best_pass"]) >= gate for r in rows])  # type: ignore[index]
    # The highest threshold that keeps `answered` of the answerable questions answered (gate and model).
    best = 0.0
    for t in np.unique(np.round(probs, 4)):
        if np.mean(gated & (probs >= t)) >= answered:
            best = float(t)
    return model.model_copy(update={"threshold": round(best, 4)})


Rule = Callable[[dict[str, float]], bool]


def rates(rows: Sequence[Row], keep: Rule) -> tuple[float, float]:
    """(answered on the full index, refused with the gold paragraph removed) under the rule `keep(features)`."""
    answered = float(np.mean([keep(r["full"]) for r in rows]))  # type: ignore[arg-type]
    refused = float(np.mean([not keep(r["removed"]) for r in rows]))  # type: ignore[arg-type]
    return answered, refused


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--evaldata", type=Path, default=Settings(_env_file=None).evaldata_dir)
    ap.add_argument("--cache-dir", type=Path, default=Path(".cache"))
    ap.add_argument("--rows", type=Path, default=Path("artifacts/answerability-rows.json"))
    ap.add_argument(
        "--answered",
        action="append",
        default=[],
        metavar="LANG=SHARE",
        help="share of half A's answerable questions LANG's threshold keeps (default: today's share)",
    )
    ap.add_argument("--features", default=",".join(FEATURES), help="comma-separated subset of the features")
    ap.add_argument("--plot", default="artifacts/answerability.png", help="where the plot goes ('': none)")
    ap.add_argument("--write", action="store_true", help=f"save the fitted model to {MODEL_PATH}")
    args = ap.parse_args()
    settings = Settings(cache_dir=args.cache_dir, _env_file=None)
    if args.rows.exists():
        saved = json.loads(args.rows.read_text(encoding="utf-8"))
        embedder_id, rows = str(saved["embedder"]), list(saved["rows"])
        print(f"rows from {args.rows} ({len(rows)} questions; delete it to measure again)")
    else:
        embedder_id, rows = collect(args.evaldata, settings)
        args.rows.parent.mkdir(parents=True, exist_ok=True)
        args.rows.write_text(json.dumps({"embedder": embedder_id, "rows": rows}, ensure_ascii=False), encoding="utf-8")
    names = tuple(args.features.split(","))
    models: dict[str, LanguageModel] = {}
    curves = {}
    for lang in ("ar", "en"):
        a = [r for r in rows if r["language"] == lang and r["half"] == "A"]
        b = [r for r in rows if r["language"] == lang and r["half"] == "B"]
        gate, floor = settings.min_relevance(lang), PREVIOUS_FLOOR[lang]  # type: ignore[arg-type]

        def today(f: dict[str, float], gate: float = gate, floor: float = floor) -> bool:
            return f["best_pass"] >= gate and f["cov_all"] >= floor

        targets = dict(item.split("=") for item in args.answered)
        target = float(targets[lang]) if lang in targets else rates(a, today)[0]
        model = fit(a, names, gate, target)
        models[lang] = model

        def learned(f: dict[str, float], gate: float = gate, m: LanguageModel = model) -> bool:
            return f["best_pass"] >= gate and m.probability(f) >= m.threshold

        print(f"\n{lang}: {len(a)} questions in half A, {len(b)} in half B; relevance threshold {gate}")
        for name, rule in ((f"before (relevance + coverage floor {floor:.2f})", today),
                           (f"learned (relevance + P >= {model.threshold:.3f})", learned)):  # fmt: skip
            (ka, ra), (kb, rb) = rates(a, rule), rates(b, rule)
            print(f"  {name}: A answered {ka:.3f} refused {ra:.3f}; B answered {kb:.3f} refused {rb:.3f}")
        weights = zip(names, model.weights, strict=True)
        print("  weights (standardised): " + ", ".join(f"{f} {w:+.2f}" for f, w in weights))
        curves[lang] = curve(b, model, gate, today)
    if args.plot:
        plot(curves, Path(args.plot))
        print(f"\nplot in {args.plot}")
    if args.write:
        fitted = "XQuAD dev half A, bench/answerability.py --features " + ",".join(names)
        AnswerabilityModel(models=models, embedder=embedder_id, fitted_on=fitted).save(MODEL_PATH)
        print(f"model written to {MODEL_PATH}")


def curve(rows: Sequence[Row], model: LanguageModel, gate: float, today: Rule) -> dict[str, list[tuple[float, float]]]:
    """Half B's (answered, refused) as the learned threshold, the coverage floor and the relevance threshold vary."""
    learned = [rates(rows, lambda f, t=t: f["best_pass"] >= gate and model.probability(f) >= t)
               for t in np.linspace(0, 0.95, 40)]  # fmt: skip
    covered = [rates(rows, lambda f, c=c: f["best_pass"] >= gate and f["cov_all"] >= c) for c in np.linspace(0, 1, 21)]
    relevance = [rates(rows, lambda f, t=t: f["best_pass"] >= t) for t in np.linspace(0.70, 0.92, 23)]
    return {"learned model": learned, "coverage floor": covered, "relevance threshold only": relevance,
            "today": [rates(rows, today)]}  # fmt: skip


def plot(curves: dict[str, dict[str, list[tuple[float, float]]]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(curves), figsize=(5 * len(curves), 4.2))
    for ax, (lang, lines) in zip(np.atleast_1d(axes), curves.items(), strict=True):
        for name, points in lines.items():
            xs, ys = zip(*points, strict=True)
            ax.plot(xs, ys, "o" if name == "today" else "-", label=name, markersize=8 if name == "today" else 3)
        ax.set(title=f"{lang} questions, XQuAD dev half B", xlabel="answerable questions answered",
               ylabel="gold paragraph removed: refused", xlim=(0.5, 1.0), ylim=(0, 1))  # fmt: skip
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
