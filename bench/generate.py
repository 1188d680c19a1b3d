"""Time to first token and total time per answer, for each available backend (a measurement, not a test).

Indexes the bundled corpus into a temporary store, then asks the same questions of
every backend that is available here: `extractive` always, `local` when `make
local-llm` has run, `openai` when NEWSQA_OPENAI_BASE_URL and NEWSQA_OPENAI_MODEL are
set. Prints one line per answer (first token, total, stage timings, verified or
fallback) and the median per backend. The first local answer includes loading the
model; it is reported separately.

    python bench/generate.py [--questions 6]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from qa.assistant import Assistant
from qa.llm import local_available
from qa.settings import Settings

QUESTIONS = [
    "How many missiles did Iran launch at Israel?",
    "كم صاروخا أطلقت إيران على إسرائيل؟",
    "Where were the indirect talks between US and Iranian officials held?",
    "أين جرت المحادثات غير المباشرة بين الأميركيين والإيرانيين؟",
    "How large is Iran's stockpile of highly enriched uranium?",
    "ما حجم مخزونات إيران من اليورانيوم عالي التخصيب؟",
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--questions", type=int, default=len(QUESTIONS))
    ap.add_argument("--corpus", type=Path, default=Path("data/articles"))
    args = ap.parse_args()
    base = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        settings = base.model_copy(update={"data_dir": Path(tmp)})
        indexer = Assistant(settings.model_copy(update={"backend": "extractive"}))
        indexer.ingest([args.corpus])
        backends = ["extractive"]
        if local_available(settings):
            backends.append("local")
        if settings.openai_base_url and settings.openai_model:
            backends.append("openai")
        for backend in backends:
            assistant = Assistant(settings.model_copy(update={"backend": backend}), embedder=indexer.embedder)
            t = time.perf_counter()
            _ = assistant.llm
            print(f"\n{backend}: model loaded in {time.perf_counter() - t:.1f} s")
            firsts, totals = [], []
            for question in QUESTIONS[: args.questions]:
                t = time.perf_counter()
                first = None
                for event in assistant.ask_stream(question):
                    if first is None:
                        first = time.perf_counter() - t
                    answer = event.answer
                total = time.perf_counter() - t
                assert answer is not None
                firsts.append(first or total)
                totals.append(total)
                stages = " ".join(f"{k}={v / 1000:.1f}" for k, v in answer.timings.items())
                print(f"  first token {first or total:5.1f} s  total {total:5.1f} s  [{answer.backend}]  {stages}")
                print(f"    {question}\n    -> {answer.text[:150]}")
            print(f"  median: first token {statistics.median(firsts):.1f} s, total {statistics.median(totals):.1f} s")


if __name__ == "__main__":
    main()
