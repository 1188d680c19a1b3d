"""The chat as people use it: a real Gradio server on loopback, driven by headless Chromium and gradio_client.

Screenshots go to artifacts/ui/ (git-ignored).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
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

    settings = Settings(data_dir=tmp_path_factory.mktemp("ui"), _env_file=None, port=free_port(), backend="extractive")
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


def test_http_api_answers_like_the_python_api(server: str, ui_assistant: Assistant) -> None:
    from gradio_client import Client

    question = "In which country did the US and Iranian officials hold indirect talks?"
    got = Client(server, verbose=False).predict(question, api_name="/ask")
    want = ui_assistant.ask(question).model_dump(mode="json")
    for key in ("text", "language", "answered", "citations"):
        assert got[key] == want[key], key
    assert got["answered"] and got["citations"]


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
