"""Concurrency: the shared `Assistant` and model under the chat's workers, and the bounded load run.

The load run (`bench/load.py`), small: concurrent chat users while another process ingests. Real
processes on loopback: a Chroma server, `qa serve` (extractive backend) and `qa ingest`, with
clients asking through `gradio_client`. Nothing about time is asserted; what must hold is checked
by the script itself (no failed request, every article once, no lost or orphaned chunk, every
citation quoting its article), and its exit status and report are checked here.

The model's lock (`qa.llm.LlamaIndexChat`) is tested with a scripted llama-index-like LLM: local
generations run one at a time, an abandoned stream does not block the next answer, and
OpenAI-compatible requests run side by side.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from index.store import ChunkStore
from qa.assistant import Assistant
from qa.llm import LlamaIndexChat
from qa.settings import Settings
from tests.conftest import CORPUS, REPO, FakeEmbedder

MESSAGES = [("system", "answer"), ("user", "how many missiles?")]


@dataclass
class Piece:
    delta: str


class SlowLLM:
    """A llama-index-like LLM: `stream_chat` yields `pieces` deltas, `pause` s apart, and counts what runs."""

    def __init__(self, pieces: int = 20, pause: float = 0.01, barrier: threading.Barrier | None = None) -> None:
        self.pieces, self.pause, self.barrier = pieces, pause, barrier
        self.active = self.most_active = self.produced = 0
        self._count = threading.Lock()

    def stream_chat(self, chat: list[Any]) -> Iterator[Piece]:
        with self._count:
            self.active += 1
            self.most_active = max(self.most_active, self.active)
        try:
            if self.barrier is not None:
                self.barrier.wait()  # returns only when another generation runs at the same time
            for i in range(self.pieces):
                time.sleep(self.pause)
                self.produced += 1
                yield Piece(f"w{i} ")
        finally:
            with self._count:
                self.active -= 1


def _read_all(chat: LlamaIndexChat, out: list[str]) -> None:
    out.append("".join(chat.stream(MESSAGES)))


def test_an_abandoned_stream_does_not_block_the_next_answer() -> None:
    llm = SlowLLM(pieces=40)
    chat = LlamaIndexChat(llm, "local:fake")
    abandoned = chat.stream(MESSAGES)
    assert next(abandoned) == "w0 "  # a reader that stops here (a closed tab) and never closes the stream
    out: list[str] = []
    second = threading.Thread(target=_read_all, args=(chat, out))
    second.start()
    second.join(timeout=30)
    assert not second.is_alive(), "the second answer waited for the abandoned stream"
    assert out == ["".join(f"w{i} " for i in range(40))]
    assert llm.most_active == 1, "llama.cpp still runs one generation at a time"
    del abandoned  # collected: an abandoned generation that is still running stops at its next token


def test_a_closed_stream_stops_its_generation() -> None:
    llm = SlowLLM(pieces=500, pause=0.005)
    chat = LlamaIndexChat(llm, "local:fake")
    stream = chat.stream(MESSAGES)
    next(stream)
    stream.close()
    time.sleep(0.2)
    assert llm.active == 0 and llm.produced < 500, "the generation stopped when its reader went away"
    out: list[str] = []
    _read_all(LlamaIndexChat(SlowLLM(pieces=3), "local:fake"), out)
    assert out == ["w0 w1 w2 "]


def test_local_generations_run_one_at_a_time_and_all_complete() -> None:
    llm = SlowLLM(pieces=10)
    chat = LlamaIndexChat(llm, "local:fake")
    out: list[str] = []
    threads = [threading.Thread(target=_read_all, args=(chat, out)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert out == ["".join(f"w{i} " for i in range(10))] * 4
    assert llm.most_active == 1


def test_openai_compatible_requests_are_not_serialised() -> None:
    llm = SlowLLM(pieces=3, barrier=threading.Barrier(2, timeout=10))
    chat = LlamaIndexChat(llm, "openai:fake", serial=False)
    out: list[str] = []
    threads = [threading.Thread(target=_read_all, args=(chat, out)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert out == ["w0 w1 w2 "] * 2 and llm.most_active == 2, "both requests were in flight at once"


def test_a_failing_generation_raises_in_the_reader_and_frees_the_model() -> None:
    class Failing(SlowLLM):
        def stream_chat(self, chat: list[Any]) -> Iterator[Piece]:
            yield Piece("partial ")
            raise ConnectionError("the model went away")

    chat = LlamaIndexChat(Failing(), "local:fake")
    with pytest.raises(ConnectionError, match="went away"):
        list(chat.stream(MESSAGES))
    chat.llm = SlowLLM(pieces=2)
    assert "".join(chat.stream(MESSAGES)) == "w0 w1 ", "the lock was released"


def test_the_store_is_opened_once_under_concurrent_first_use(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    Assistant(settings, embedder=FakeEmbedder()).ingest([CORPUS])
    opened: list[ChunkStore] = []
    real_open = ChunkStore.open

    def slow_open(*args: Any, **kwargs: Any) -> ChunkStore:
        time.sleep(0.2)  # wide open race window: every worker asks before the first open returns
        store = real_open(*args, **kwargs)
        opened.append(store)
        return store

    monkeypatch.setattr(ChunkStore, "open", slow_open)
    assistant = Assistant(settings, embedder=FakeEmbedder())
    start = threading.Barrier(6)
    got: list[ChunkStore] = []

    def worker() -> None:
        start.wait()
        got.append(assistant.store())
        assert assistant.embedder.dim == 512  # the embedder's lock is free while the store opens

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(opened) == 1 and len(got) == 6 and all(s is opened[0] for s in got)
    assert assistant.stats().articles == 3


@pytest.mark.slow
def test_concurrent_users_while_ingesting_lose_nothing() -> None:
    run = subprocess.run(
        [sys.executable, "bench/load.py", "--clients", "6", "--seconds", "15", "--articles", "20"],
        cwd=REPO, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    assert "all checks passed" in run.stdout
    ok, failed = map(int, re.search(r"requests: (\d+) ok, (\d+) failed", run.stdout).groups())  # type: ignore[union-attr]
    assert ok > 6 and failed == 0
    assert "20 articles added" in run.stdout, run.stdout
