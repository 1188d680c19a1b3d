"""HTML for answers and their sources: plain functions, no gradio, unit-tested.

An answer renders as its text, right-to-left for Arabic and left-to-right for
English, with each `[n]` marker a link to source n; under it, the sources panel
lists every cited passage (title, outlet, date) with the quoted span highlighted
inside its passage. Every piece of article or user text is escaped.
"""

from __future__ import annotations

import hashlib
import html
import re

from qa.language import detect_language
from qa.models import Answer, Citation

_MARKER = re.compile(r"\[(\d+)\]")

#: Styles for the chat (RTL-aware: `border-inline-start` follows the text direction).
CSS = """
.answer { line-height: 1.7; }
.answer a.cite { text-decoration: none; font-weight: 600; padding: 0 .1em; cursor: pointer; }
.sources { font-size: .92em; margin-top: .6em; border-top: 1px solid #e5e7eb; padding-top: .4em; }
.sources details { margin: .2em 0; }
.sources details > summary { cursor: pointer; }
.sources details.flash { outline: 2px solid #f59e0b; border-radius: 4px; }
.sources blockquote { margin: .3em 0 .5em; padding: .3em .6em; border-inline-start: 3px solid #d1d5db;
  unicode-bidi: plaintext; }
.sources mark { background: #fde68a; color: inherit; }
.answer-meta { font-size: .8em; opacity: .7; margin-top: .4em; }
.not-verified { opacity: .75; text-decoration: line-through; }
.dropped { font-size: .85em; margin-top: .4em; opacity: .85; }
.draft { opacity: .6; font-style: italic; }
"""


def direction(text: str) -> str:
    """`rtl` when most words of `text` are Arabic (so an Arabic quote in an English answer stays readable)."""
    return "rtl" if detect_language(text) == "ar" else "ltr"


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


def answer_uid(answer: Answer) -> str:
    """A short id unique to this answer, so the element ids of two messages never collide."""
    return "a" + hashlib.sha1(f"{answer.question}\n{answer.text}".encode()).hexdigest()[:8]


def format_answer_html(answer: Answer, *, footer: str | None = None) -> str:
    """The answer with clickable markers, then its sources with their highlighted passages."""
    uid = answer_uid(answer)
    by_marker = {c.marker: c for c in answer.citations}

    def link(m: re.Match[str]) -> str:
        c = by_marker.get(int(m.group(1)))
        if c is None:
            return m.group(0)
        return f'<a class="cite" href="#{uid}-{c.marker}" title="{html.escape(c.quote, quote=True)}">[{c.marker}]</a>'

    body = _MARKER.sub(link, html.escape(answer.text))
    # The direction follows the answer's own text: an English question may get Arabic quotes.
    parts = [f'<div class="answer" dir="{direction(answer.text)}">{body}</div>']
    if answer.citations:
        label = "المصادر" if answer.language == "ar" else "Sources"
        items = "".join(
            f'<details class="source" id="{uid}-{c.marker}"><summary><b>[{c.marker}]</b> {source_label(c)}</summary>'
            f'<blockquote dir="{direction(c.quote)}">{highlighted_passage(answer, c)}</blockquote></details>'
            for c in answer.citations
        )
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
    return f'<div dir="{direction(question)}">{html.escape(question)}</div>'


def format_error_html(message: str) -> str:
    """An error shown in the chat instead of an answer."""
    return f'<div class="error" dir="{direction(message)}">⚠️ {html.escape(message)}</div>'
