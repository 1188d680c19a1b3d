"""The chat as people use it: a real Gradio server on loopback, driven by headless Chromium and gradio_client.

Screenshots go to artifacts/ui/ (git-ignored).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import ui
from index.chroma_server import free_port
from qa.assistant import Assistant
from tests.conftest import CORPUS, REPO

SHOTS = REPO / "artifacts" / "ui"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                  "--disable-background-networking", "--disable-component-update"]  # fmt: skip


@pytest.fixture(scope="module")
def ui_assistant(tmp_path_factory: pytest.TempPathFactory, real_embedder: Any) -> Assistant:
    """Its own store (the upload test adds to it), on the real model."""
    from qa.settings import Settings

    # model_drafts="all": when the local model is picked it writes the answer, so the draft streaming is tested (by
    # default the local 1.5B model drafts none: qa.settings.LOCAL_MODEL_DRAFTS).
    settings = Settings(data_dir=tmp_path_factory.mktemp("ui"), _env_file=None, port=free_port(), backend="extractive",
                        model_drafts="all")  # fmt: skip
    assistant = Assistant(settings, embedder=real_embedder)
    assistant.ingest([CORPUS])
    return assistant


@pytest.fixture(scope="module")
def server(ui_assistant: Assistant) -> Iterator[str]:
    app = ui.launch(ui_assistant.settings, assistant=ui_assistant, block=False)
    yield f"http://127.0.0.1:{ui_assistant.settings.port}/"
    app.close()


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Debian's chromium is missing: `make setup` installs it (apt-get install chromium)"
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        pg = browser.new_page(viewport={"width": 1200, "height": 1000})
        pg.set_default_timeout(60_000)
        pg.goto(server, wait_until="domcontentloaded")
        pg.wait_for_selector("#question textarea")
        yield pg
        browser.close()


def _ask(page: Any, question: str) -> Any:
    before = page.locator("#chat .answer").count()
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    page.wait_for_function(f"document.querySelectorAll('#chat .answer').length > {before}")
    return page.locator("#chat .answer").nth(before)


def test_arabic_question_gets_rtl_answer_and_clickable_citation(page: Any) -> None:
    answer = _ask(page, "كم عدد الصواريخ التي أطلقتها إيران على إسرائيل؟")
    assert answer.get_attribute("dir") == "rtl"
    assert answer.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert "350" in answer.inner_text()
    assert page.eval_on_selector("#question textarea", "e => e.dir") == "auto"
    cite = answer.locator("a.cite").first
    target = cite.get_attribute("href")[1:]
    source = page.locator(f"[id='{target}']")
    assert source.evaluate("e => e.open") is False
    cite.click()
    page.wait_for_function(f"document.getElementById('{target}').open === true")
    mark = source.locator("mark")
    assert mark.is_visible() and "350" in mark.inner_text()
    assert "الحرة" in source.locator("summary").inner_text(), "title, outlet and date are shown"
    page.screenshot(path=str(SHOTS / "arabic-answer.png"), full_page=True)


def test_english_question_gets_cited_answer(page: Any) -> None:
    answer = _ask(page, "To what purity level did Tehran raise uranium enrichment?")
    cites = answer.locator("a.cite")
    assert cites.count() >= 1
    sources = page.locator("#chat .sources").last.inner_text()
    assert "Sources" in sources
    assert "84%" in answer.inner_text()
    for i in range(cites.count()):
        cites.nth(i).click()
    sources = page.locator("#chat .sources").last
    assert sources.locator("details[open]").count() == cites.count()
    assert "84%" in sources.locator("mark").all_inner_texts().__str__()
    page.screenshot(path=str(SHOTS / "english-answer.png"), full_page=True)


def test_unanswerable_question_says_so_without_sources(page: Any) -> None:
    answer = _ask(page, "What is the capital of Australia?")
    assert "do not say" in answer.inner_text()
    last_message = page.locator("#chat .answer").last.locator("xpath=..")
    assert last_message.locator(".sources").count() == 0


def test_local_model_streams_a_draft_then_the_verified_answer(page: Any) -> None:
    """With the local model picked in Settings, the draft streams in, then the checked answer replaces it."""
    page.get_by_text("Settings · الإعدادات").click()
    page.click("#backend input")
    page.get_by_role("option", name="local").click()
    page.wait_for_function("document.querySelector('#status').innerText.includes('Backend: local')")
    before = page.locator("#chat .answer").count()
    page.fill("#question textarea", "How many ballistic missiles and drones did Iran launch at Israel?")
    page.press("#question textarea", "Enter")
    page.wait_for_selector("#chat .draft", timeout=180_000)  # tokens arrive before the check
    page.wait_for_function(f"document.querySelectorAll('#chat .answer').length > {before}", timeout=300_000)
    answer = page.locator("#chat .answer").nth(before)
    assert "350" in answer.inner_text() and answer.locator("a.cite").count() >= 1
    assert page.locator("#chat .draft").count() == 0, "the verified answer replaced the draft"
    assert "local" in page.locator("#chat .answer-meta").last.inner_text()
    page.screenshot(path=str(SHOTS / "local-answer.png"), full_page=True)
    page.click("#backend input")
    page.get_by_role("option", name="extractive").click()
    page.get_by_text("Settings · الإعدادات").click()


def test_the_same_question_twice_each_marker_opens_its_own_source(page: Any) -> None:
    """Issue 15: the second answer's [1] opened the first answer's source (ids came from the answer's text)."""
    question = "In which country did the US and Iranian officials hold indirect talks?"
    first, second = _ask(page, question), _ask(page, question)
    first_msg, second_msg = first.locator("xpath=.."), second.locator("xpath=..")
    assert first.inner_text() == second.inner_text(), "the same answer twice"
    first_target = first.locator("a.cite").first.get_attribute("href")[1:]
    target = second.locator("a.cite").first.get_attribute("href")[1:]
    assert first_target != target
    second.locator("a.cite").first.click()
    page.wait_for_function(f"document.getElementById('{target}').open === true")
    assert second_msg.locator(f"details[open][id='{target}']").count() == 1, "it opened inside the second message"
    assert first_msg.locator("details[open]").count() == 0, "the first message's sources stay closed"
    assert page.locator(f"[id='{target}']").count() == 1 and page.locator(f"[id='{first_target}']").count() == 1


def _align(locator: Any) -> str:
    return locator.evaluate("e => getComputedStyle(e).direction + ' ' + getComputedStyle(e).textAlign")


def _new_conversation(page: Any) -> None:
    page.get_by_text("Settings · الإعدادات").click()
    page.get_by_role("button", name="New conversation").click()
    page.wait_for_function("document.querySelectorAll('#chat .answer').length === 0")
    page.get_by_text("Settings · الإعدادات").click()


def test_arabic_messages_are_right_aligned_and_english_left(page: Any) -> None:
    """Issue 15: Arabic messages were rtl but computed text-align left (a ragged right edge)."""
    _new_conversation(page)  # so the English question is not read as a follow-up of an earlier one
    # The bundled articles are Arabic, so a cited answer quotes Arabic: the English answer here is the refusal.
    english = _ask(page, "What is the capital of Australia?")
    assert "do not say" in english.inner_text()
    assert _align(english) == "ltr left"
    assert _align(english.locator("xpath=..").locator(".answer-meta")) == "ltr left"
    assert _align(page.locator("#chat .user-question").last) == "ltr left"
    arabic = _ask(page, "كم عدد الصواريخ التي أطلقتها إيران على إسرائيل؟")
    arabic_msg = arabic.locator("xpath=..")
    assert _align(arabic) == "rtl right"
    assert _align(arabic_msg.locator(".sources")) == "rtl right"
    assert _align(arabic_msg.locator(".sources blockquote").first) == "rtl right"
    assert _align(page.locator("#chat .user-question").last) == "rtl right", "the Arabic question too"
    page.screenshot(path=str(SHOTS / "alignment.png"), full_page=True)


def _submit(page: Any, text: str) -> None:
    before = page.locator("#chat .error").count()
    page.fill("#question textarea", text)
    page.press("#question textarea", "Enter")
    page.wait_for_function(f"document.querySelectorAll('#chat .error').length > {before}")


def test_rejected_question_is_not_echoed_stays_in_the_box_and_is_answered_in_its_language(page: Any) -> None:
    """Issue 15: an over-long question was echoed in full and the box cleared; an empty one left an empty bubble."""
    asked = page.locator("#chat .user-question").count()
    too_long = "كم عدد الصواريخ التي أطلقتها إيران؟ " * 80  # over settings.max_question_chars (2,000)
    _submit(page, too_long)
    error = page.locator("#chat .error").last
    assert error.get_attribute("dir") == "rtl" and "السؤال طوله" in error.inner_text()
    assert "characters long" in error.locator(".error-detail").inner_text(), "the English detail stays available"
    assert page.locator("#chat .user-question").count() == asked, "the question is not echoed"
    assert page.input_value("#question textarea") == too_long, "the question stays in the box, to be shortened"
    _submit(page, "why " * 600)
    assert "characters long" in page.locator("#chat .error").last.inner_text()
    assert "السؤال" not in page.locator("#chat .error").last.inner_text(), "an English question, an English error"
    _submit(page, "   ")
    assert "the question is empty" in page.locator("#chat .error").last.inner_text()
    assert page.locator("#chat .user-question").count() == asked, "no empty user bubble"
    page.screenshot(path=str(SHOTS / "rejected-question.png"), full_page=True)
    page.fill("#question textarea", "")


def test_articles_tab_lists_and_adds_articles(page: Any, tmp_path: Path) -> None:
    page.get_by_role("tab", name="Articles · المقالات").click()
    table = page.locator("#articles")
    table.wait_for()
    assert "الشرق" in table.inner_text() and "الحرة" in table.inner_text()
    new = tmp_path / "uploaded-note.txt"
    new.write_text("زيارة مرتقبة\n\nأعلنت الوكالة الدولية للطاقة الذرية أن مفتشيها سيزورون طهران الأسبوع المقبل.",
                   encoding="utf-8")  # fmt: skip
    bad = tmp_path / "image.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    page.locator("#upload input[type=file]").set_input_files([str(new), str(bad)])
    page.wait_for_timeout(1500)  # the upload lands before the button is pressed
    page.click("#add")
    report = page.locator("#ingest-report")
    page.wait_for_function("document.querySelector('#ingest-report').innerText.includes('added')")
    text = report.inner_text()
    assert "1 articles added" in text and "image.txt" in text and "binary" in text.lower()
    page.wait_for_function("document.querySelector('#articles').innerText.includes('زيارة مرتقبة')")
    page.screenshot(path=str(SHOTS / "articles-tab.png"), full_page=True)
    page.get_by_role("tab", name="Chat · المحادثة").click()


def test_articles_tab_searches_titles_and_counts_outlets(page: Any) -> None:
    page.get_by_role("tab", name="Articles · المقالات").click()
    caption = page.locator("#articles-caption")
    page.wait_for_function("document.querySelector('#articles-caption').innerText.includes('per outlet')")
    assert "page 1 of 1" in caption.inner_text() and "الحرة 1" in caption.inner_text()
    page.fill("#article-search textarea, #article-search input", "الحرة")  # an outlet: its one article
    page.wait_for_function("document.querySelector('#articles-caption').innerText.includes('matching')")
    page.wait_for_function("!document.querySelector('#articles').innerText.includes('الشرق')")
    assert "**" not in caption.inner_text() and caption.inner_text().startswith("1 of ")
    page.click("#articles-next")  # past the last page: stays on it
    page.wait_for_timeout(500)
    assert "page 1 of 1" in caption.inner_text() and "الحرة" in page.inner_text("#articles")
    page.fill("#article-search textarea, #article-search input", "")
    page.wait_for_function("document.querySelector('#articles').innerText.includes('الشرق')")
    page.get_by_role("tab", name="Chat · المحادثة").click()


def test_articles_are_paged_and_searched_with_arabic_normalised() -> None:
    from index.store import ArticleEntry

    entries = [ArticleEntry(id=f"a{i:03}", title=f"خبر رقم {i}" if i % 2 else f"أخبار إيران {i}",
                            outlet="الحرة" if i < 30 else "عكاظ", source=f"f.jsonl#{i}", chunks=3)
               for i in range(120)]  # fmt: skip
    first = ui.article_page(entries)
    assert len(first.rows) == ui.ARTICLES_PAGE and first.pages == 3 and first.rows[0][5] == "a000"
    assert "showing 1–50" in first.caption and "عكاظ 90 · الحرة 30" in first.caption
    last = ui.article_page(entries, page=99)  # clamped to the last page
    assert last.page == 3 and len(last.rows) == 20 and "showing 101–120" in last.caption
    assert ui.article_page(entries, page=0).page == 1
    # "اخبار ايران" finds "أخبار إيران" (alef forms folded), and only those.
    found = ui.article_page(entries, "اخبار ايران")
    assert "60** of 120" in found.caption and all(r[0].startswith("أخبار إيران") for r in found.rows)
    none = ui.article_page(entries, "nothing like it")
    assert none.rows == [] and none.pages == 1 and "showing 0–0" in none.caption


def test_heading_status_and_articles_are_read_when_shown(
    page: Any, server: str, ui_assistant: Assistant, real_embedder: Any, tmp_path: Path
) -> None:
    """Issue 15: after an upload elsewhere, the counts stayed stale until the server restarted."""
    other = page.context.browser.new_page()  # a second session, open before the articles are added
    other.goto(server, wait_until="domcontentloaded")
    other.wait_for_selector("#question textarea")
    elsewhere = Assistant(ui_assistant.settings, embedder=real_embedder)  # another session's assistant, same store
    note = tmp_path / "elsewhere.txt"
    note.write_text("Inspectors due in Tehran\n\nThe IAEA said its inspectors would visit Tehran next week.",
                    encoding="utf-8")  # fmt: skip
    assert elsewhere.ingest([note]).articles_added == 1
    n_articles, n_chunks = len(elsewhere.store().article_ids()), elsewhere.store().chunk_count()
    other.get_by_role("tab", name="Articles · المقالات").click()
    other.wait_for_function("document.querySelector('#articles').innerText.includes('Inspectors due in Tehran')")
    assert f"{n_articles} articles" in other.inner_text("#status")
    other.close()
    page.reload(wait_until="domcontentloaded")
    page.wait_for_selector("#question textarea")
    page.wait_for_function(f"document.querySelector('#status').innerText.includes('{n_articles} articles')")
    assert f"{n_chunks} passages" in page.inner_text("#status")
    intro = page.locator("#intro")
    assert "Arabic news QA" in intro.locator("h1").inner_text()
    assert f"Ask about {n_articles} indexed news articles in Arabic or English" in intro.inner_text()
    assert "cited" in intro.inner_text()
    page.screenshot(path=str(SHOTS / "heading.png"), full_page=True)


def test_settings_filter_answers_to_an_outlet_and_a_date_range(page: Any) -> None:
    """Issue 14: the settings drawer restricts retrieval to the chosen outlets and dates."""
    page.get_by_text("Settings · الإعدادات").click()
    page.click("#outlets input")
    assert {"الحرة", "الشرق"} <= set(page.get_by_role("option").all_inner_texts()), "the corpus's outlets"
    page.get_by_role("option", name="الشرق").click()
    page.keyboard.press("Escape")
    answer = _ask(page, "في أي بلد جرت المحادثات غير المباشرة؟")
    sources = answer.locator("xpath=..").locator(".source summary").all_inner_texts()
    assert sources and all("الشرق" in label for label in sources), sources
    page.fill("#since textarea, #since input", "2031-01-01")
    assert "لا تذكر" in _ask(page, "في أي بلد جرت المحادثات غير المباشرة؟").inner_text()  # no article that late
    page.screenshot(path=str(SHOTS / "filters.png"), full_page=True)
    page.reload(wait_until="domcontentloaded")  # back to no filter for the tests after
    page.wait_for_selector("#question textarea")


def test_filter_settings_are_read_and_a_bad_date_is_refused_without_losing_the_question(
    ui_assistant: Assistant,
) -> None:
    from qa.retrieve import RetrievalFilter

    assert RetrievalFilter.from_strings(None, "", "  ") is None and RetrievalFilter.from_strings([], None, None) is None
    assert RetrievalFilter.from_strings(["الشرق"], "2024-05-01", "") == RetrievalFilter(
        outlets=("الشرق",), date_from=date(2024, 5, 1)
    )
    (reply,) = ui.respond(ui_assistant, "متى جرت المحادثات؟", [], [], since="8 مايو")
    assert reply.box == "متى جرت المحادثات؟" and "YYYY-MM-DD" in reply.chat[-1]["content"]
    (reply,) = ui.respond(ui_assistant, "متى جرت المحادثات؟", [], [], since="2024-06-01", until="2024-05-01")
    assert reply.box == "متى جرت المحادثات؟" and "the date range is empty" in reply.chat[-1]["content"]
    *_, done = ui.respond(ui_assistant, "في أي بلد جرت المحادثات غير المباشرة؟", [], [], outlets=["الحرة"])
    assert "الحرة" in done.chat[-1]["content"] and "· الشرق" not in done.chat[-1]["content"]


def test_respond_keeps_a_rejected_question_in_the_box_and_words_the_error_in_its_language(
    ui_assistant: Assistant,
) -> None:
    chat = [{"role": "assistant", "content": "earlier"}]
    (reply,) = ui.respond(ui_assistant, "ما " * 1000, chat, [])
    assert reply.box == "ما " * 1000 and reply.turns == []
    assert reply.chat[:-1] == chat and reply.chat[-1]["role"] == "assistant", "no user message is added"
    assert "السؤال طوله 3,000 حرفًا" in reply.chat[-1]["content"]
    (reply,) = ui.respond(ui_assistant, "", [], [])
    assert reply.box == "" and [m["role"] for m in reply.chat] == ["assistant"]
    assert "the question is empty" in reply.chat[-1]["content"]


def test_http_api_rejects_a_bad_question_with_its_reason(server: str) -> None:
    """Issue 15: gradio_client got an opaque error instead of the InputError's message."""
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    client = Client(server, verbose=False)
    with pytest.raises(AppError, match="the question is empty"):
        client.predict("   ", api_name="/ask")
    with pytest.raises(AppError, match="the question is 5,000 characters long; the limit is 2,000"):
        client.predict("x" * 5000, api_name="/ask")


def test_http_api_answers_like_the_python_api(server: str, ui_assistant: Assistant) -> None:
    from gradio_client import Client

    question = "In which country did the US and Iranian officials hold indirect talks?"
    got = Client(server, verbose=False).predict(question, api_name="/ask")
    want = ui_assistant.ask(question).model_dump(mode="json")
    for key in ("text", "language", "answered", "citations"):
        assert got[key] == want[key], key
    assert got["answered"] and got["citations"]
    # The same filters as the chat's settings drawer and `qa ask --outlet/--since/--until`.
    client = Client(server, verbose=False)
    one = client.predict(question, ["الحرة"], "", "", api_name="/ask")
    assert one["passages"] and {p["chunk"]["outlet"] for p in one["passages"]} == {"الحرة"}
    late = client.predict(question, None, "2031-01-01", "", api_name="/ask")
    assert not late["answered"] and late["passages"] == []


def test_only_the_ask_endpoint_is_public_and_server_is_on_loopback(server: str) -> None:
    from gradio_client import Client

    api = Client(server, verbose=False).view_api(print_info=False, return_format="dict")
    assert set(api["named_endpoints"]) == {"/ask"}
    assert server.startswith("http://127.0.0.1:")


def test_upload_handler_reads_only_uploaded_files(ui_assistant: Assistant, tmp_path: Path) -> None:
    """A request naming a server path outside the upload folder is refused and nothing is ingested."""
    uploads = tmp_path / "uploads"
    outside = tmp_path / "private" / "secret.txt"
    outside.parent.mkdir()
    outside.write_text("سر\n\nنص خاص لا يجوز أن يدخل الفهرس عبر الواجهة.", encoding="utf-8")
    before = ui_assistant.store().chunk_count()
    report = ui.add_articles(ui_assistant, [str(outside), str(uploads / ".." / "private" / "secret.txt")], uploads)
    assert report.count("only uploads can be added") == 2
    assert ui_assistant.store().chunk_count() == before


def test_login_is_required_when_set_and_the_password_is_never_served(ui_assistant: Assistant) -> None:
    import urllib.request

    from gradio_client import Client
    from pydantic import SecretStr

    password = "correct-horse-battery-staple-7"
    settings = ui_assistant.settings.model_copy(
        update={"port": free_port(), "auth_user": "editor", "auth_password": SecretStr(password)}
    )
    app = ui.launch(settings, assistant=ui_assistant, block=False)
    try:
        url, question = f"http://127.0.0.1:{settings.port}/", "Where were the talks held?"
        with pytest.raises(Exception):  # noqa: B017 (gradio_client raises its own or httpx's error)
            Client(url, verbose=False).predict(question, api_name="/ask")
        got = Client(url, auth=("editor", password), verbose=False).predict(question, api_name="/ask")
        assert got["answered"] and got["citations"]
        with urllib.request.urlopen(url, timeout=30) as r:
            page = r.read().decode("utf-8", "replace")
        assert password not in page and password not in repr(settings)
    finally:
        app.close()
