"""The Gradio chat: a thin shell over `qa.Assistant`.

Two tabs: the chat (answers with clickable citations and a sources panel, right-to-left
for Arabic, example questions, the number of passages in Settings) and the articles
(the indexed list, and adding articles by upload with the same validation and
de-duplication as `qa ingest`). HTML comes from `qa.render`; gradio is imported only
by `build_app`. What the page says about the corpus (heading, status line, articles
table) is computed when it is shown (on page load, on opening the articles tab), so an
upload in another session or process shows up after a reload. The app also exposes one
HTTP API endpoint, `/ask`, returning the `Answer` as JSON (use it from `gradio_client`;
a rejected question raises `gradio.Error` with the reason).
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from index.errors import InputError, NewsQAError
from index.load import SUPPORTED_SUFFIXES
from index.normalize import normalize
from index.store import ArticleEntry
from qa.assistant import Assistant
from qa.llm import local_available, resolve_backend
from qa.models import Answer, total_ms
from qa.render import (
    CSS,
    error_language,
    format_answer_html,
    format_draft_html,
    format_error_html,
    format_intro_html,
    format_question_html,
)
from qa.retrieve import RetrievalFilter
from qa.settings import Settings

EXAMPLES = [
    "How many missiles did Iran launch at Israel?",
    "أين جرت المحادثات غير المباشرة بين واشنطن وطهران؟",
    "What level of uranium enrichment did Tehran reach?",
    "ما حجم مخزون إيران من اليورانيوم عالي التخصيب؟",
]
UI_CSS = CSS + "#question textarea { unicode-bidi: plaintext; text-align: start; }\n"
#: A click on a marker opens, scrolls to and flashes the source it names (ids are unique per message);
#: the question box takes the direction of what is typed into it.
UI_JS = """
() => {
  document.addEventListener('click', (event) => {
    const link = event.target.closest && event.target.closest('a.cite');
    if (!link) return;
    event.preventDefault();
    const box = document.getElementById((link.getAttribute('href') || '').slice(1));
    if (!box) return;
    box.open = true;
    box.scrollIntoView({block: 'nearest'});
    box.classList.add('flash');
    setTimeout(() => box.classList.remove('flash'), 1500);
  });
  document.addEventListener('input', (event) => {
    if (event.target.closest && event.target.closest('#question')) event.target.dir = 'auto';
  });
}
"""


def corpus_size(assistant: Assistant) -> tuple[int, int]:
    """How many articles and passages are indexed now (read from the store on each call)."""
    stats = assistant.stats()
    return stats.articles, stats.chunks


def status_line(assistant: Assistant, size: tuple[int, int] | None = None) -> str:
    """Which backend and corpus answer, in one line (`size`: articles and passages, when the caller has read them)."""
    n_articles, n_chunks = size or corpus_size(assistant)
    where = assistant.settings.chroma_url or str(assistant.settings.data_dir)
    backend = resolve_backend(assistant.settings)
    return f"Backend: **{backend}** · corpus: **{n_articles} articles**, {n_chunks} passages · store: `{where}`"


def footer(answer: Answer) -> str:
    """Backend and total time under an answer."""
    return f"{answer.backend} · {len(answer.passages)} passages · {total_ms(answer.timings):.0f} ms"


#: Rows of the articles table per page (the archive has tens of thousands of articles).
ARTICLES_PAGE = 50


class ArticlesPage(NamedTuple):
    """One page of the articles table, and what it shows of how many."""

    rows: list[list[Any]]  #: title, outlet, date, passages, source, id
    page: int  #: 1-based, clamped to the pages there are
    pages: int
    caption: str


def article_page(
    entries: Sequence[ArticleEntry], query: str = "", page: int = 1, size: int = ARTICLES_PAGE
) -> ArticlesPage:
    """The `page`-th page of the articles whose title, outlet, source or id holds `query` (Arabic normalised, any case).

    The caption gives the matches, the page and the articles per outlet (of the whole index, most first).
    """
    wanted = normalize(query.strip()).lower()
    hits = [e for e in entries if not wanted or any(wanted in normalize(f or "").lower()
                                                     for f in (e.title, e.outlet, e.source, e.id))]  # fmt: skip
    pages = max(1, -(-len(hits) // size))
    page = min(max(1, page), pages)
    shown = hits[(page - 1) * size : page * size]
    rows = [[e.title, e.outlet or "", e.date or "", e.chunks, e.source, e.id] for e in shown]
    outlets = Counter(e.outlet or "?" for e in entries)
    per_outlet = " · ".join(f"{name} {n:,}" for name, n in outlets.most_common())
    first = (page - 1) * size + 1 if shown else 0
    last = first + len(shown) - 1 if shown else 0
    matching = f" matching «{query.strip()}»" if wanted else ""
    caption = f"**{len(hits):,}** of {len(entries):,} articles{matching} · showing {first:,}–{last:,}"
    caption += f" · page {page} of {pages}"
    if per_outlet:
        caption += f"\n\nper outlet: {per_outlet}"
    return ArticlesPage(rows, page, pages, caption)


class Reply(NamedTuple):
    """One state of the chat while a question is answered."""

    chat: list[dict[str, Any]]  #: the messages shown
    turns: list[tuple[str, str]]  #: plain-text (question, answer) turns, for follow-up questions
    box: str  #: what the question box holds


def respond(
    assistant: Assistant, message: str, chat: list[dict[str, Any]], turns: list[tuple[str, str]], k: int | None = None,
    *, outlets: Sequence[str] | None = None, since: str | None = None, until: str | None = None,
) -> Iterator[Reply]:  # fmt: skip
    """Stream the chat: the draft as it is written, then the verified answer (or the error) in its place.

    `outlets`, `since` and `until` (the settings drawer) restrict retrieval. A rejected question
    (empty, too long) or filter is not echoed and stays in the box, to be edited; errors are
    worded in the language of the question.
    """
    user = {"role": "user", "content": format_question_html(message)}
    language = error_language(message)
    try:
        draft = ""
        where = RetrievalFilter.from_strings(outlets, since, until)
        for event in assistant.ask_stream(message, history=turns, k=k, where=where):
            if event.kind == "token":
                draft += event.text
                yield Reply([*chat, user, {"role": "assistant", "content": format_draft_html(draft)}], turns, "")
            elif event.answer is not None:
                answer = event.answer
                reply = {"role": "assistant", "content": format_answer_html(answer, footer=footer(answer))}
                yield Reply([*chat, user, reply], [*turns, (answer.question, answer.text)], "")
    except InputError as exc:
        # Raised before anything streams: the question is not echoed and stays in the box, to be edited.
        yield Reply([*chat, {"role": "assistant", "content": format_error_html(str(exc), language)}], turns, message)
    except NewsQAError as exc:
        yield Reply([*chat, user, {"role": "assistant", "content": format_error_html(str(exc), language)}], turns, "")


class Backends:
    """The assistant of each backend the user can pick, sharing one embedding model (made on first use)."""

    def __init__(self, assistant: Assistant) -> None:
        self.default = assistant
        self._others: dict[str, Assistant] = {}

    def choices(self) -> list[str]:
        """The configured backend first, then the local model when it is installed, then extractive."""
        local = ["local"] if local_available(self.default.settings) else []
        return list(dict.fromkeys([resolve_backend(self.default.settings), *local, "extractive"]))

    def get(self, backend: str | None) -> Assistant:
        """The assistant answering with `backend` (the configured one when None or the same)."""
        if not backend or backend == resolve_backend(self.default.settings):
            return self.default
        if backend not in self._others:
            settings = self.default.settings.model_copy(update={"backend": backend})
            self._others[backend] = Assistant(settings, embedder=self.default.embedder)
        return self._others[backend]


def upload_dir() -> Path:
    """Where gradio stores uploads (its GRADIO_TEMP_DIR, else <tmp>/gradio)."""
    return Path(os.environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio").resolve()


def add_articles(assistant: Assistant, files: list[str] | None, allowed: Path | None = None) -> str:
    """Ingest uploaded files; a Markdown report of what was added, skipped and refused.

    Only files inside the upload folder (`allowed`) are read: a request naming any
    other path on the server is refused.
    """
    if not files:
        return "Choose one or more files first (.txt, .md, .html, .jsonl)."
    allowed = (allowed or upload_dir()).resolve()
    lines, accepted = [], []
    for f in files:
        path = Path(f)
        if not path.resolve().is_relative_to(allowed):
            lines.append(f"- ✗ `{path.name}`: not an uploaded file; only uploads can be added here")
        elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
            lines.append(f"- ✗ `{path.name}`: not a supported type ({', '.join(SUPPORTED_SUFFIXES)})")
        else:
            accepted.append(path)
    if accepted:
        try:
            report = assistant.ingest(accepted)
        except NewsQAError as exc:
            return f"✗ {exc}"
        lines.insert(0, f"**{report.articles_added} articles added** ({report.chunks_added} passages), "
                        f"{report.articles_unchanged} already indexed.")  # fmt: skip
        # Uploads sit in a temporary folder: name the file, not its temporary path.
        lines += [
            f"- ✗ `{Path(x.source).name}`: {x.error.replace(x.source, Path(x.source).name)}" for x in report.failed
        ]
    return "\n".join(lines)


def build_app(assistant: Assistant) -> Any:
    """The Gradio Blocks app."""
    import gradio as gr

    settings = assistant.settings
    backends = Backends(assistant)
    with gr.Blocks(title="Arabic news QA · اسأل الأخبار") as app:
        turns = gr.State([])
        # Placeholders: the heading, status and table are filled in when the page loads (`refresh`).
        intro = gr.HTML(elem_id="intro")
        with gr.Tab("Chat · المحادثة"):
            status = gr.Markdown(elem_id="status")
            # One bubble per message: an error after an answer must not read as part of that answer.
            chat = gr.Chatbot(label="Chat", height=540, elem_id="chat", buttons=["copy"], feedback_options=None,
                              group_consecutive_messages=False)  # fmt: skip
            with gr.Row():
                box = gr.Textbox(placeholder="Ask in Arabic or English · اسأل بالعربية أو بالإنجليزية",
                                 show_label=False, elem_id="question", scale=8, lines=1, max_lines=4)  # fmt: skip
                send = gr.Button("Ask · اسأل", variant="primary", scale=1, elem_id="ask")
            gr.Examples(EXAMPLES, inputs=box, label="Examples · أمثلة")
            with gr.Accordion("Settings · الإعدادات", open=False):
                k = gr.Slider(1, 10, value=settings.top_k, step=1, label="Passages to retrieve", elem_id="top-k")
                with gr.Row():
                    outlets = gr.Dropdown([], value=[], multiselect=True, label="Outlets · المصادر (all when empty)",
                                          elem_id="outlets", scale=2)  # fmt: skip
                    since = gr.Textbox(label="From · من (YYYY-MM-DD)", elem_id="since", max_lines=1, scale=1)
                    until = gr.Textbox(label="To · إلى (YYYY-MM-DD)", elem_id="until", max_lines=1, scale=1)
                pick = gr.Dropdown(backends.choices(), value=backends.choices()[0], label="Backend", elem_id="backend")
                clear = gr.Button("New conversation", size="sm")

        def on_ask(
            message: str, history: list[dict[str, Any]], state: list[tuple[str, str]], top_k: float, backend: str,
            chosen: list[str] | None, date_from: str, date_to: str,
        ) -> Iterator[tuple[str, list[dict[str, Any]], list[tuple[str, str]]]]:  # fmt: skip
            replies = respond(backends.get(backend), message, history, state, int(top_k), outlets=chosen,
                              since=date_from, until=date_to)  # fmt: skip
            for reply in replies:
                yield reply.box, reply.chat, reply.turns

        inputs = [box, chat, turns, k, pick, outlets, since, until]
        for trigger in (box.submit, send.click):
            trigger(on_ask, inputs, [box, chat, turns], api_visibility="private")
        clear.click(lambda: ([], []), None, [chat, turns], api_visibility="private")
        pick.change(lambda backend: status_line(backends.get(backend)), [pick], [status], api_visibility="private")

        with gr.Tab("Articles · المقالات") as articles_tab:
            with gr.Row():
                search = gr.Textbox(placeholder="Search titles, outlets, sources · ابحث في العناوين والمصادر",
                                    show_label=False, elem_id="article-search", scale=6, max_lines=1)  # fmt: skip
                prev_page = gr.Button("‹ Previous", size="sm", elem_id="articles-prev", scale=1)
                next_page = gr.Button("Next ›", size="sm", elem_id="articles-next", scale=1)
            page_no = gr.State(1)
            caption = gr.Markdown(elem_id="articles-caption")
            headers = ["title", "outlet", "date", "passages", "source", "id"]
            table = gr.Dataframe(headers=headers, interactive=False, elem_id="articles",
                                 wrap=True, column_widths=["38%", "10%", "12%", "8%", "20%", "12%"])  # fmt: skip
            uploads = gr.File(
                file_count="multiple", file_types=list(SUPPORTED_SUFFIXES), label="Add articles", elem_id="upload"
            )
            add = gr.Button("Add to the index", elem_id="add")
            report = gr.Markdown(elem_id="ingest-report")

        def refresh(backend: str, chosen: list[str] | None, query: str, page: int) -> tuple[Any, ...]:
            entries = assistant.catalogue()
            known = sorted({e.outlet for e in entries if e.outlet})
            picker = gr.Dropdown(choices=known, value=[o for o in chosen or [] if o in known])
            shown_page = article_page(entries, query or "", page)
            size = (len(entries), sum(e.chunks for e in entries))  # the catalogue holds them: no second read
            return (format_intro_html(len(entries)), status_line(backends.get(backend), size), shown_page.rows, picker,
                    shown_page.caption, shown_page.page)  # fmt: skip

        def turn(query: str, page: int) -> tuple[list[list[Any]], str, int]:
            shown_page = article_page(assistant.catalogue(), query or "", page)
            return shown_page.rows, shown_page.caption, shown_page.page

        # Read the corpus each time it is shown: another session or process may have added articles.
        state = [pick, outlets, search, page_no]
        shown = [intro, status, table, outlets, caption, page_no]
        app.load(refresh, state, shown, api_visibility="private")
        articles_tab.select(refresh, state, shown, api_visibility="private")
        paged = [table, caption, page_no]
        search.change(lambda q: turn(q, 1), [search], paged, api_visibility="private")
        prev_page.click(lambda q, n: turn(q, n - 1), [search, page_no], paged, api_visibility="private")
        next_page.click(lambda q, n: turn(q, n + 1), [search, page_no], paged, api_visibility="private")

        def on_add(files: list[str] | None, *current: Any) -> tuple[Any, ...]:
            return add_articles(assistant, files), *refresh(*current)

        add.click(on_add, [uploads, *state], [report, *shown], api_visibility="private")

        def ask(question: str, outlets: list[str] | None = None, since: str = "", until: str = "") -> dict[str, Any]:
            """Answer a question; returns the Answer as JSON (text, language, citations, passages, timings).

            `outlets`, `since` and `until` (YYYY-MM-DD) restrict the articles answers may come from.
            """
            try:
                where = RetrievalFilter.from_strings(outlets, since, until)
                return assistant.ask(question, where=where).model_dump(mode="json")
            except NewsQAError as exc:
                # gradio hides other exceptions behind a generic error; a gr.Error reaches the client as said.
                raise gr.Error(str(exc)) from exc

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
    app.launch(
        server_name=settings.host, server_port=settings.port, auth=auth, css=UI_CSS, js=UI_JS,
        max_file_size=settings.max_file_bytes, prevent_thread_lock=not block, quiet=not block, footer_links=["api"],
    )  # fmt: skip
    return app


if __name__ == "__main__":
    launch()
