"""Ingest and answer timings of the foundation pipeline on the bundled corpus.

Prints: the ingest time of the corpus into a fresh store (model already loaded),
the cold `qa ask` (a new process: imports, model load, answer), and warm
`Assistant.ask` latencies (p50/p95) in this process, per stage. No assertion:
these are figures to compare across changes on the same machine.

    python bench/answer.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from qa import Assistant, Settings

QUESTIONS = [
    "How many ballistic missiles and drones did Iran launch at Israel?",
    "كم عدد الصواريخ التي أطلقتها إيران على إسرائيل؟",
    "Where were the indirect talks held?",
    "من ترأس الوفد الإيراني في مسقط؟",
    "What is the capital of Australia?",
]


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of `values`, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--corpus", type=Path, default=Path("data/articles"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), _env_file=None)
        assistant = Assistant(settings)
        t = time.perf_counter()
        _ = assistant.embedder
        load = time.perf_counter() - t
        t = time.perf_counter()
        report = assistant.ingest([args.corpus])
        ingest = time.perf_counter() - t
        print(
            f"model load {load:.1f} s; ingest {report.articles_added} articles / {report.chunks_added} chunks "
            f"in {ingest:.2f} s ({ingest / max(1, report.chunks_added) * 1000:.0f} ms per chunk)"
        )
        stages: dict[str, list[float]] = {}
        totals: list[float] = []
        for _ in range(args.runs):
            for q in QUESTIONS:
                t = time.perf_counter()
                answer = assistant.ask(q)
                totals.append((time.perf_counter() - t) * 1000)
                for k, v in answer.timings.items():
                    stages.setdefault(k, []).append(v)
        print(f"warm ask: p50 {statistics.median(totals):.0f} ms, p95 {pct(totals, 0.95):.0f} ms over {len(totals)}")
        for k, v in stages.items():
            print(f"  {k:12s} p50 {statistics.median(v):6.1f} ms  p95 {pct(v, 0.95):6.1f} ms")
        env = {**os.environ, "NEWSQA_DATA_DIR": tmp}
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "cli", "ask", QUESTIONS[0]], env=env, check=True, capture_output=True)
        print(f"cold `qa ask` (new process): {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
