"""The chat's formatting (pure functions) and its HTTP API through gradio_client on loopback."""

from __future__ import annotations

import socket

import pytest

import ui
from index.models import Chunk
from qa.models import Answer, Citation, Passage

TEXT = "جملة أولى. أطلقت إيران 350 صاروخا. جملة ثالثة."
CHUNK = Chunk(id="c1", article_id="a1", title="عنوان <b>", outlet="الشرق", date="8 مايو",
              text=TEXT, start=100, end=100 + len(TEXT), ordinal=0)  # fmt: skip


def _answer(language: str = "ar") -> Answer:
    quote = "أطلقت إيران 350 صاروخا."
    start = 100 + CHUNK.text.index(quote)
    cite = Citation(marker=1, article_id="a1", title=CHUNK.title, outlet="الشرق", date="8 مايو", chunk_id="c1",
                    quote=quote, start=start, end=start + len(quote))  # fmt: skip
    return Answer(question="q", text=f"{quote} [1]", language=language, answered=True, citations=(cite,),
                  passages=(Passage(chunk=CHUNK, score=0.9, rank=1),))  # fmt: skip


def test_arabic_answer_is_right_to_left_with_linked_marker_and_highlight() -> None:
    out = ui.format_answer_html(_answer("ar"))
    assert '<div class="answer" dir="rtl">' in out
    assert '<a href="#src-1">[1]</a>' in out and 'id="src-1"' in out
    assert "<mark>أطلقت إيران 350 صاروخا.</mark>" in out
    assert "جملة أولى. <mark>" in out, "the highlight sits inside its passage"
    assert "عنوان &lt;b&gt;" in out and "<b>عنوان" not in out, "article text is escaped"
    assert "المصادر" in out


def test_english_answer_is_left_to_right() -> None:
    out = ui.format_answer_html(_answer("en"))
    assert 'dir="ltr"' in out and "Sources" in out


def test_unanswered_has_no_sources() -> None:
    a = Answer(question="q", text="The articles do not say.", language="en", answered=False)
    out = ui.format_answer_html(a)
    assert "Sources" not in out and "The articles do not say." in out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(real_assistant):  # type: ignore[no-untyped-def]
    settings = real_assistant.settings.model_copy(update={"port": _free_port()})
    app = ui.launch(settings, assistant=real_assistant, block=False)
    yield f"http://127.0.0.1:{settings.port}/"
    app.close()


def test_http_api_answers_like_the_python_api(server: str, real_assistant) -> None:  # type: ignore[no-untyped-def]
    from gradio_client import Client

    question = "To what purity level did Tehran raise uranium enrichment?"
    got = Client(server, verbose=False).predict(question, api_name="/ask")
    want = real_assistant.ask(question).model_dump(mode="json")
    for key in ("text", "language", "answered", "citations"):
        assert got[key] == want[key], key
    assert any("84%" in c["quote"] for c in got["citations"])


def test_chat_endpoint_is_private_and_server_is_on_loopback(server: str) -> None:
    from gradio_client import Client

    api = Client(server, verbose=False).view_api(print_info=False, return_format="dict")
    assert set(api["named_endpoints"]) == {"/ask"}
    assert server.startswith("http://127.0.0.1:")
