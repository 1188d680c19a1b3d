"""The `openai` backend against a real OpenAI-compatible HTTP endpoint on loopback, and where its key may go.

The endpoint is a small scripted server speaking the chat-completions protocol (streamed as
server-sent events, as llama.cpp's server, Ollama and vLLM do). It answers from the prompt it
receives, so everything between the settings and the verified answer is the real path:
llama-index's `OpenAILike`, the `openai` client, HTTP, streaming, the citation checker. The API
key must reach the endpoint and nowhere else: not the answer, the logs, the settings' text, an
evaluation report, the chat page or its HTTP API.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import ui
from index.chroma_server import free_port
from qa.assistant import Assistant
from qa.extractive import NOT_IN_ARTICLES
from qa.settings import Settings
from tests.conftest import CACHE, CORPUS

KEY = "sk-test-9f3c1d2e7a6b5c4d-do-not-leak"


class Endpoint(ThreadingHTTPServer):
    """Records what it was sent; answers a grounded prompt by citing the passage that holds a number of missiles."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def reply(self, messages: list[dict[str, str]]) -> str:
        user = messages[-1]["content"]
        for m in re.finditer(r'<passage n="(\d+)">\n(.*?)\n</passage>', user, re.S):
            if "350" in m.group(2):
                return f"Iran launched 350 ballistic missiles and drones at Israel [{m.group(1)}]."
        return NOT_IN_ARTICLES["en"]


class _Handler(BaseHTTPRequestHandler):
    server: Endpoint

    def log_message(self, *args: Any) -> None:  # keep the test output quiet
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        if self.path != "/v1/chat/completions":
            self.send_error(404)
            return
        text = self.server.reply(body["messages"])
        base = {"id": "c1", "created": 0, "model": body["model"]}
        if not body.get("stream"):
            payload = {**base, "object": "chat.completion", "choices": [
                {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}]}  # fmt: skip
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        words = text.split(" ")
        for i, word in enumerate(words):
            delta = {"role": "assistant", "content": word if i == 0 else " " + word}
            chunk = {**base, "object": "chat.completion.chunk",
                     "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}  # fmt: skip
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
        stop = {"index": 0, "delta": {}, "finish_reason": "stop"}
        end = {**base, "object": "chat.completion.chunk", "choices": [stop]}
        self.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())


@pytest.fixture(scope="module")
def endpoint() -> Iterator[Endpoint]:
    server = Endpoint()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory, real_embedder: Any) -> Path:
    """The bundled corpus indexed once (extractive settings: indexing does not need the model)."""
    data = tmp_path_factory.mktemp("openai")
    Assistant(Settings(data_dir=data, cache_dir=CACHE, backend="extractive", _env_file=None),
              embedder=real_embedder).ingest([CORPUS])  # fmt: skip
    return data


def _assistant(endpoint: Endpoint, data_dir: Path, real_embedder: Any, **extra: Any) -> Assistant:
    # The endpoint scripts answers, not the Arabic rendering of an English question (tests/test_translate.py).
    settings = Settings(data_dir=data_dir, cache_dir=CACHE, backend="openai", openai_base_url=endpoint.url,
                        openai_model="scripted", translate_questions=False, _env_file=None, **extra)  # fmt: skip
    return Assistant(settings, embedder=real_embedder)


def test_openai_backend_streams_a_verified_answer_and_sends_the_key(
    endpoint: Endpoint, data_dir: Path, real_embedder: Any
) -> None:
    assistant = _assistant(endpoint, data_dir, real_embedder, openai_api_key=KEY)
    events = list(assistant.ask_stream("How many missiles did Iran launch at Israel?"))
    assert sum(e.kind == "token" for e in events) > 1 and events[-1].kind == "answer"
    answer = events[-1].answer
    assert answer is not None
    assert answer.backend == "openai:scripted"
    assert "350" in answer.text and answer.citations
    assert all(s.verified for s in answer.sentences)
    assert "350" in answer.citations[0].quote
    sent = endpoint.requests[-1]
    assert sent["auth"] == f"Bearer {KEY}" and sent["body"]["model"] == "scripted" and sent["body"]["stream"]


def test_the_standard_openai_api_key_variable_is_used(
    endpoint: Endpoint, data_dir: Path, real_embedder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY + "-env")
    monkeypatch.delenv("NEWSQA_OPENAI_API_KEY", raising=False)
    assistant = _assistant(endpoint, data_dir, real_embedder)
    assert assistant.ask("How many missiles did Iran launch at Israel?").answered
    assert endpoint.requests[-1]["auth"] == f"Bearer {KEY}-env"


def test_an_endpoint_that_is_down_gives_the_extractive_answer_not_an_error(data_dir: Path, real_embedder: Any) -> None:
    down = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    settings = Settings(data_dir=data_dir, cache_dir=CACHE, backend="openai", openai_model="scripted",
                        openai_base_url=down, openai_timeout=5, _env_file=None)  # fmt: skip
    assistant = Assistant(settings, embedder=real_embedder)
    answer = assistant.ask("How many missiles did Iran launch at Israel?", history=[("Who attacked Israel?", "Iran")])
    assert answer.backend.startswith("extractive (fallback: openai:scripted failed")
    assert answer.answered and "350" in answer.text and answer.citations


def test_the_key_appears_nowhere_but_in_the_request(
    endpoint: Endpoint,
    data_dir: Path,
    real_embedder: Any,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    from gradio_client import Client

    from eval.cases import load_cases, resolve_articles
    from eval.cli import DEFAULT_SET
    from eval.report import save
    from eval.runner import run_eval

    caplog.set_level(logging.DEBUG)  # the openai client and httpx log requests at debug level
    assistant = _assistant(endpoint, data_dir, real_embedder, openai_api_key=KEY, port=free_port())
    seen: list[str] = [repr(assistant.settings), str(assistant.settings), assistant.settings.model_dump_json()]
    answer = assistant.ask("How many missiles did Iran launch at Israel?")
    assert answer.answered
    seen.append(answer.model_dump_json())

    cases = load_cases(DEFAULT_SET)[:3]
    report = run_eval(assistant, cases, resolve_articles(cases, assistant.articles()), set_name="seed")
    seen += [p.read_text(encoding="utf-8", errors="replace") for p in save(report, tmp_path / "report")]

    app = ui.launch(assistant.settings, assistant=assistant, block=False)
    try:
        url = f"http://127.0.0.1:{assistant.settings.port}/"
        for page in ("", "config", "gradio_api/info"):
            with urllib.request.urlopen(url + page, timeout=30) as r:
                seen.append(r.read().decode("utf-8", "replace"))
        seen.append(json.dumps(Client(url, verbose=False).predict("How many drones?", api_name="/ask")))
    finally:
        app.close()

    out, err = capfd.readouterr()
    seen += [out, err, caplog.text]
    assert endpoint.requests and endpoint.requests[-1]["auth"] == f"Bearer {KEY}"
    for text in seen:
        assert KEY not in text and KEY[8:24] not in text
