"""Bounded load test on loopback: concurrent chat users while another process ingests.

Starts a Chroma server, indexes the bundled corpus, starts the chat server (`qa serve`)
against it, then for `--seconds` runs `--clients` threads asking through `gradio_client`
while a separate `qa ingest` process adds `--articles` generated articles to the same store.
It stops by itself and prints latency p50/p95 and throughput (figures, not assertions),
then checks what must hold: zero failed requests, every generated article indexed
exactly once, no orphaned or duplicated chunk, and every citation of every answer quoting
its article exactly. Exit status 1 when a check fails. Everything stays on 127.0.0.1.

    python bench/load.py [--clients 20] [--seconds 60] [--articles 150]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from index.chroma_server import ChromaServer, free_port
from qa import Assistant, Settings

QUESTIONS = [
    "How many missiles did Iran launch at Israel?",
    "أين جرت المحادثات غير المباشرة؟",
    "What level of enrichment did Tehran reach?",
    "ما حجم مخزون إيران من اليورانيوم عالي التخصيب؟",
    "Who mediated between Washington and Tehran?",
    "What is the capital of Australia?",
]


def generate_articles(folder: Path, n: int, corpus: Path) -> None:
    """`n` distinct articles made of corpus sentences, each tagged with its number."""
    lines = [x for f in sorted(corpus.glob("*.txt")) for x in f.read_text(encoding="utf-8").splitlines() if len(x) > 80]
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        body = "\n\n".join(f"{lines[(i * 3 + j) % len(lines)]} (تقرير رقم {i}-{j})" for j in range(5))
        (folder / f"generated-{i:04d}.txt").write_text(f"تقرير مولد رقم {i}\n\n{body}", encoding="utf-8")


def wait_http(url: str, timeout: float = 120) -> None:
    """Wait until `url` answers."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def client_loop(url: str, stop: float, latencies: list[float], errors: list[str], answers: list[dict[str, Any]],
                seed: int) -> None:  # fmt: skip
    """One user: ask questions in turn until `stop` (a monotonic time)."""
    from gradio_client import Client

    client = Client(url, verbose=False)
    i = seed
    while time.monotonic() < stop:
        t = time.perf_counter()
        try:
            answers.append(client.predict(QUESTIONS[i % len(QUESTIONS)], api_name="/ask"))
            latencies.append((time.perf_counter() - t) * 1000)
        except Exception as exc:  # a load test counts every failure, whatever its kind
            errors.append(f"{type(exc).__name__}: {exc}")
        i += 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--articles", type=int, default=150)
    ap.add_argument("--corpus", type=Path, default=Path("data/articles"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name, ChromaServer(Path(tmp_name) / "chroma") as chroma_url:
        tmp = Path(tmp_name)
        settings = Settings(data_dir=tmp / "data", chroma_url=chroma_url, _env_file=None)
        assistant = Assistant(settings)
        assistant.ingest([args.corpus])
        generated = tmp / "generated"
        generate_articles(generated, args.articles, args.corpus)
        port = free_port()
        env = {**os.environ, "NEWSQA_CHROMA_URL": chroma_url, "NEWSQA_DATA_DIR": str(tmp / "data"),
               "NEWSQA_PORT": str(port), "NEWSQA_HOST": "127.0.0.1", "NEWSQA_BACKEND": "extractive"}  # fmt: skip
        ui_log = (tmp / "ui.log").open("wb")
        server = subprocess.Popen([sys.executable, "-m", "cli", "serve"], env=env, stdout=ui_log, stderr=ui_log)
        try:
            url = f"http://127.0.0.1:{port}/"
            wait_http(url)
            print(f"chat server up; {args.clients} clients for {args.seconds:.0f} s while ingesting {args.articles} "
                  "articles in another process", flush=True)  # fmt: skip
            ingest = subprocess.Popen([sys.executable, "-m", "cli", "ingest", str(generated)], env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # fmt: skip
            latencies: list[float] = []
            errors: list[str] = []
            answers: list[dict[str, Any]] = []
            stop = time.monotonic() + args.seconds
            threads = [threading.Thread(target=client_loop, args=(url, stop, latencies, errors, answers, i))
                       for i in range(args.clients)]  # fmt: skip
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            ingest_out, _ = ingest.communicate(timeout=600)
        finally:
            server.terminate()
            server.wait(timeout=30)
        lat = sorted(latencies)
        print(f"requests: {len(lat)} ok, {len(errors)} failed; {len(lat) / args.seconds:.1f} answers/s")
        if lat:
            print(f"latency: p50 {statistics.median(lat):.0f} ms, p95 {lat[int(0.95 * (len(lat) - 1))]:.0f} ms")
        print(f"ingest: {ingest_out.strip()}")
        problems = [f"request failed: {e}" for e in errors[:5]]
        articles = {a.id: a for a in assistant.articles()}
        if len(articles) != 3 + args.articles:
            problems.append(f"expected {3 + args.articles} articles, found {len(articles)}")
        counts = assistant.store().chunk_counts()
        owners = [m["article_id"] for m in assistant.store()._chunks.get(include=["metadatas"])["metadatas"]]
        if len(owners) != sum(counts.values()) or set(owners) != set(counts):
            problems.append(f"{len(owners)} chunks stored, {sum(counts.values())} expected: lost or orphaned chunks")
        for answer in answers:
            for c in answer["citations"]:
                art = articles.get(c["article_id"])
                if art is None or art.text[c["start"] : c["end"]] != c["quote"]:
                    problems.append(f"citation {c['chunk_id']} does not quote its article")
        for p in problems:
            print("FAIL:", p)
        print("all checks passed" if not problems else f"{len(problems)} checks failed")
        return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
