"""The Gradio chat: a thin shell over `qa.Assistant`.

Formatting is done by plain functions (unit-tested without a browser); gradio
is imported only by `build_app`. Besides the chat, the app exposes one HTTP API
endpoint, `/ask`, that returns the `Answer` as JSON (use it from `gradio_client`).
"""

from __future__ import annotations

import html
import os
import re
from typing import Any

from index.errors import NewsQAError
from qa.assistant import Assistant
from qa.models import Answer, Citation
from qa.settings import Settings

_MARKER = re.compile(r"\[(\d+)\]")

CSS = """
.answer mark { background: #fde68a; }
.sources { font-size: 0.9em; margin-top: .5em; }
.sources blockquote { margin: .25em 0 .5em; padding: .25em .5em; border-inline-start: 3px solid #d1d5db; }
"""


def direction(language: str) -> str:
    """HTML text direction for a language code."""
    return "rtl" if language == "ar" else "ltr"


def highlighted_passage(answer: Answer, citation: Citation) -> str:
    """The cited chunk's text as HTML with the quoted span marked."""
    chunk = next((p.chunk for p in answer.passages if p.chunk.id == citation.chunk_id), None)
    if chunk is None:
        return f"<mark>{html.escape(citation.quote)}</mark>"
    s, e = citation.start - chunk.start, citation.end - chunk.start
    t = chunk.text
    return f"{html.escape(t[:s])}<mark>{html.escape(t[s:e])}</mark>{html.escape(t[e:])}"


def format_answer_html(answer: Answer) -> str:
    """The answer with linked markers, then its sources with their highlighted passages."""
    ids = {c.marker for c in answer.citations}

    def link(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return f'<sup><a href="#src-{n}">[{n}]</a></sup>' if n in ids else m.group(0)

    body = _MARKER.sub(link, html.escape(answer.text))
    parts = [f'<div class="answer" dir="{direction(answer.language)}">{body}</div>']
    if answer.citations:
        label = "المصادر" if answer.language == "ar" else "Sources"
        items = []
        for c in answer.citations:
            meta = " · ".join(html.escape(x) for x in (c.title, c.outlet or "", c.date or "") if x)
            items.append(
                f'<li id="src-{c.marker}"><b>[{c.marker}]</b> {meta}'
                f'<blockquote dir="rtl">{highlighted_passage(answer, c)}</blockquote></li>'
            )
        parts.append(f'<div class="sources"><b>{label}</b><ol>{"".join(items)}</ol></div>')
    return "".join(parts)


def respond(assistant: Assistant, message: str, history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The chat history with the question and its formatted answer (or the error) appended."""
    turns = [(str(q["content"]), str(a["content"]))
             for q, a in zip(history[::2], history[1::2], strict=False)]  # fmt: skip
    try:
        content = format_answer_html(assistant.ask(message, history=turns))
    except NewsQAError as exc:
        content = f'<div class="error">⚠️ {html.escape(str(exc))}</div>'
    return [*history, {"role": "user", "content": message}, {"role": "assistant", "content": content}]


def build_app(assistant: Assistant) -> Any:
    """The Gradio Blocks app."""
    import gradio as gr

    with gr.Blocks(title="Arabic news QA") as app:
        gr.Markdown("### Ask the articles · اسأل المقالات\nAnswers quote the articles; every `[n]` cites its source.")
        chat = gr.Chatbot(label="Chat", height=520, sanitize_html=True, elem_id="chat")
        box = gr.Textbox(placeholder="Ask in Arabic or English · اسأل بالعربية أو بالإنجليزية", show_label=False,
                         elem_id="question", rtl=False)  # fmt: skip
        gr.Examples(["How many missiles did Iran launch at Israel?", "أين جرت المحادثات غير المباشرة؟"], inputs=box)

        def on_submit(message: str, history: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
            return "", respond(assistant, message, history)

        box.submit(on_submit, [box, chat], [box, chat], api_visibility="private")

        def ask(question: str) -> dict[str, Any]:
            """Answer a question; returns the Answer as JSON (text, language, citations, passages, timings)."""
            return assistant.ask(question).model_dump(mode="json")

        gr.api(ask, api_name="ask")  # type: ignore[attr-defined]
    return app


def launch(settings: Settings | None = None, *, assistant: Assistant | None = None, block: bool = True) -> Any:
    """Start the chat server on the configured host and port (127.0.0.1 unless set).

    With `block=False` it returns the running app at once (call `.close()` to stop it).
    """
    # The chat never phones home (gradio's usage analytics), whatever the environment.
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    settings = settings or Settings()
    assistant = assistant or Assistant(settings)
    assistant.store()  # fail now, with a clear message, when there is no index yet
    app = build_app(assistant)
    auth = None
    if settings.auth_user and settings.auth_password:
        auth = (settings.auth_user, settings.auth_password.get_secret_value())
    app.queue(default_concurrency_limit=4)
    app.launch(server_name=settings.host, server_port=settings.port, auth=auth, css=CSS,
               prevent_thread_lock=not block, quiet=not block, footer_links=["api"])  # fmt: skip
    return app


if __name__ == "__main__":
    launch()
