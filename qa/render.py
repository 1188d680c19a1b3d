"""HTML for answers and their sources: plain functions, no gradio, unit-tested.

An answer renders as its text, right-to-left for Arabic and left-to-right for
English, with each `[n]` marker a link to source n; under it, the sources panel
lists every cited passage (title, outlet, date) with the quoted span highlighted
inside its passage, grouped under each outlet's name when they come from several.
Every piece of article or user text is escaped. Each message is aligned by its own
direction (Arabic to the right, English to the left), and errors are shown in the
language of the question that caused them.

It does not decide what an answer says, which passages it cites or whether a
question is valid: `qa.assistant` and `qa.citations` do; this module only lays out.
"""

from __future__ import annotations

import html
import re
import uuid

from qa.language import answer_language, detect_language
from qa.models import Answer, Citation, Language
from qa.outlets import outlet_name

_MARKER = re.compile(r"\[(\d+)\]")
_QUOTE = re.compile(r"«([^»]*)»")

#: Styles for the chat (RTL-aware: `border-inline-start` follows the text direction). Gradio's chat
#: bubbles align text to the left whatever its direction, so every block says its own alignment.
CSS = """
.answer { line-height: 1.7; }
.answer[dir=rtl], .sources[dir=rtl], .sources blockquote[dir=rtl], .user-question[dir=rtl], .error[dir=rtl],
.draft[dir=rtl], .not-verified[dir=rtl], .intro [dir=rtl] { text-align: right !important; }
.answer[dir=ltr], .sources[dir=ltr], .sources blockquote[dir=ltr], .user-question[dir=ltr], .error[dir=ltr],
.draft[dir=ltr], .not-verified[dir=ltr], .answer-meta, .dropped, .intro [dir=ltr] { text-align: left !important; }
.error-detail { font-size: .85em; opacity: .8; margin-top: .3em; }
.answer a.cite { text-decoration: none; font-weight: 600; padding: 0 .1em; cursor: pointer; }
.sources { font-size: .92em; margin-top: .6em; border-top: 1px solid #e5e7eb; padding-top: .4em; }
.sources details { margin: .2em 0; }
.sources details > summary { cursor: pointer; }
.sources details.flash { outline: 2px solid #f59e0b; border-radius: 4px; }
.sources blockquote { margin: .3em 0 .5em; padding: .3em .6em; border-inline-start: 3px solid #d1d5db;
  unicode-bidi: plaintext; }
.sources mark { background: #fde68a; color: inherit; }
.outlet-group { margin: .3em 0; }
.outlet-name { font-weight: 600; font-size: .9em; opacity: .8; margin-top: .3em; }
.also-reported { font-size: .85em; opacity: .8; margin: 0 0 .4em; }
.rendering { font-size: .9em; opacity: .85; margin: 0 0 .5em; }
.answer-meta { font-size: .8em; opacity: .7; margin-top: .4em; }
.not-verified { opacity: .75; text-decoration: line-through; }
.dropped { font-size: .85em; margin-top: .4em; opacity: .85; }
.draft { opacity: .6; font-style: italic; }
"""


def direction(text: str) -> str:
    """`rtl` when most words of `text` are Arabic, not counting «quoted» evidence (an English-led answer is `ltr`)."""
    return "rtl" if answer_language(text) == "ar" else "ltr"


def highlighted_passage(answer: Answer, citation: Citation) -> str:
    """The cited passage as HTML with the quoted span marked (the quote alone if the passage is missing)."""
    chunk = next((p.chunk for p in answer.passages if p.chunk.id == citation.chunk_id), None)
    if chunk is None or not (chunk.start <= citation.start and citation.end <= chunk.end):
        return f"<mark>{html.escape(citation.quote)}</mark>"
    s, e = citation.start - chunk.start, citation.end - chunk.start
    t = chunk.text
    return f"{html.escape(t[:s])}<mark>{html.escape(t[s:e])}</mark>{html.escape(t[e:])}"


def source_label(citation: Citation) -> str:
    """'title · outlet · date', escaped, for a source line."""
    return " · ".join(html.escape(x) for x in (citation.title, citation.outlet, citation.date) if x)


def message_uid() -> str:
    """A fresh id for one rendered message, so the element ids of two messages never collide.

    Random, not derived from the answer: the same question asked twice gets the same answer,
    and each `[n]` must still open the source of its own message.
    """
    return "m" + uuid.uuid4().hex[:12]


def rendering(c: Citation) -> str:
    """The machine rendering of a cited claim, labelled as such (empty when there is none)."""
    if not c.rendering:
        return ""
    text = html.escape(c.rendering)
    return f'<div class="rendering" dir="{direction(c.rendering)}"><i>Machine rendering:</i> {text}</div>'


def also_reported(c: Citation, language: Language) -> str:
    """The "also reported by …" line under a source other outlets carried too (empty when none is known)."""
    if not c.also_reported_by:
        return ""
    label, sep = ("وأوردته أيضًا:", "، ") if language == "ar" else ("Also reported by", ", ")
    names = sep.join(html.escape(outlet_name(x, language)) for x in c.also_reported_by)
    return f'<div class="also-reported" dir="{"rtl" if language == "ar" else "ltr"}">{label} {names}</div>'


def format_answer_html(answer: Answer, *, footer: str | None = None, uid: str | None = None) -> str:
    """The answer with clickable markers, then its sources with their highlighted passages.

    `uid` prefixes the ids of its source elements (a fresh `message_uid()` when None).
    """
    uid = uid or message_uid()
    by_marker = {c.marker: c for c in answer.citations}

    def link(m: re.Match[str]) -> str:
        c = by_marker.get(int(m.group(1)))
        if c is None:
            return m.group(0)
        return f'<a class="cite" href="#{uid}-{c.marker}" title="{html.escape(c.quote, quote=True)}">[{c.marker}]</a>'

    body = _MARKER.sub(link, html.escape(answer.text))
    # «Arabic evidence» quoted inside an English answer keeps its own direction.
    body = _QUOTE.sub(lambda m: f'«<bdi dir="{direction(m.group(1))}">{m.group(1)}</bdi>»', body)
    # The direction follows the answer's own text: an English question may get Arabic quotes.
    parts = [f'<div class="answer" dir="{direction(answer.text)}">{body}</div>']
    if answer.citations:
        label = "المصادر" if answer.language == "ar" else "Sources"

        def item(c: Citation) -> str:
            return (
                f'<details class="source" id="{uid}-{c.marker}"><summary><b>[{c.marker}]</b> {source_label(c)}'
                f'</summary><blockquote dir="{direction(c.quote)}">{highlighted_passage(answer, c)}</blockquote>'
                f"{rendering(c)}{also_reported(c, answer.language)}</details>"
            )

        by_outlet: dict[str, list[Citation]] = {}
        for c in answer.citations:
            by_outlet.setdefault(c.outlet or "", []).append(c)
        if len(by_outlet) > 1:  # sources from several outlets: grouped under each outlet's name, as the answer names it
            unnamed = "مصدر غير مسمّى" if answer.language == "ar" else "Outlet not named"
            items = "".join(
                f'<div class="outlet-group"><div class="outlet-name">'
                f"{html.escape(outlet_name(outlet, answer.language) if outlet else unnamed)}</div>"
                + "".join(item(c) for c in cited)
                + "</div>"
                for outlet, cited in by_outlet.items()
            )
        else:
            items = "".join(item(c) for c in answer.citations)
        parts.append(f'<div class="sources" dir="{direction(answer.text)}"><b>{label}</b>{items}</div>')
    dropped = [s for s in answer.sentences if not s.verified]
    if dropped:
        what = "sentence" if len(dropped) == 1 else "sentences"
        items = "".join(
            f'<li class="not-verified" dir="{direction(s.text)}">{html.escape(s.text)} — '
            f"<i>{html.escape(s.reason or '')}</i></li>"
            for s in dropped
        )
        parts.append(
            f'<details class="dropped" dir="ltr"><summary>{len(dropped)} {what} of the draft removed: '
            f"not supported by the passages cited</summary><ul>{items}</ul></details>"
        )
    if footer:
        parts.append(f'<div class="answer-meta" dir="ltr">{html.escape(footer)}</div>')
    return "".join(parts)


def format_draft_html(draft: str) -> str:
    """A streaming draft: shown as unchecked until the verified answer replaces it."""
    return (
        f'<div class="draft" dir="{direction(draft)}">{html.escape(draft)}▌</div>'
        '<div class="answer-meta" dir="ltr">drafting… citations are checked before the answer is shown</div>'
    )


def format_question_html(question: str) -> str:
    """The user's message, escaped, in the direction of its script."""
    return f'<div class="user-question" dir="{direction(question)}">{html.escape(question)}</div>'


#: The input errors `qa` raises (in English), and their Arabic wording; groups carry the figures over.
_ARABIC_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"the question is ([\d,]+) characters long; the limit is ([\d,]+)"),
     "السؤال طوله {0} حرفًا والحد الأقصى {1} حرف: اختصره ثم أعد السؤال."),
    (re.compile(r"the question is empty"), "السؤال فارغ: اسأل عن شيء في المقالات، مثلًا «أين جرت المحادثات؟»"),
    (re.compile(r"the question must be text"), "يجب أن يكون السؤال نصًا."),
    (re.compile(r"^no index at "), "لا يوجد فهرس بعد: أضف مقالات أولًا (`qa ingest`)."),
    (re.compile(r"the articles changed while this question was answered"),
     "تغيّرت المقالات أثناء الإجابة عن هذا السؤال: اسأل مرة أخرى."),
)  # fmt: skip
#: Said before an error that has no Arabic wording (its English text follows).
_ARABIC_FALLBACK = "تعذّرت الإجابة عن هذا السؤال."


def arabic_error(message: str) -> str | None:
    """The Arabic wording of a known error message of `qa` (None when it is not one)."""
    for pattern, arabic in _ARABIC_ERRORS:
        m = pattern.search(message)
        if m:
            return arabic.format(*m.groups())
    return None


def error_language(question: str) -> Language | None:
    """The language to word an error about `question` in (None: no letters, so both)."""
    return detect_language(question) if re.search(r"[^\W\d_]", question) else None


def format_error_html(message: str, language: Language | None = "en") -> str:
    """An error shown in the chat instead of an answer, worded in `language` (None: Arabic and English).

    In Arabic the English message stays under the Arabic one, as the detail to quote in a report.
    """
    if language == "en":
        return f'<div class="error" dir="{direction(message)}">⚠️ {html.escape(message)}</div>'
    arabic = arabic_error(message) or _ARABIC_FALLBACK
    detail = f'<div class="error-detail" dir="ltr" lang="en">{html.escape(message)}</div>'
    return f'<div class="error" dir="rtl" lang="ar">⚠️ {html.escape(arabic)}{detail}</div>'


def format_intro_html(n_articles: int) -> str:
    """The page heading and what the chat does, over how many articles, in English and Arabic."""
    articles = "article" if n_articles == 1 else "articles"
    return (
        '<div class="intro"><h1 dir="ltr">Arabic news QA · اسأل الأخبار</h1>'
        f'<p dir="ltr">Ask about <b>{n_articles} indexed news {articles}</b> in Arabic or English; '
        "every claim in an answer is cited to the passage it comes from.</p>"
        f'<p dir="rtl">اسأل بالعربية أو بالإنجليزية عن المقالات الإخبارية المفهرسة (عددها <b>{n_articles}</b>)؛ '
        "كل معلومة في الإجابة موثّقة بالمقطع الذي أُخذت منه.</p></div>"
    )
