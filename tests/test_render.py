"""The chat's HTML: directions, clickable markers, highlighted quotes, escaping."""

from __future__ import annotations

from index.models import Chunk
from qa.models import Answer, Citation, Passage
from qa.render import direction, format_answer_html, format_error_html, format_question_html

TEXT = "جملة أولى. أطلقت إيران 350 صاروخا. جملة ثالثة."
CHUNK = Chunk(id="c1", article_id="a1", title="عنوان <b>", outlet="الشرق", date="8 مايو",
              text=TEXT, start=100, end=100 + len(TEXT), ordinal=0)  # fmt: skip
QUOTE = "أطلقت إيران 350 صاروخا."


def _answer(language: str = "ar", text: str | None = None) -> Answer:
    start = 100 + TEXT.index(QUOTE)
    cite = Citation(marker=1, article_id="a1", title=CHUNK.title, outlet="الشرق", date="8 مايو", chunk_id="c1",
                    quote=QUOTE, start=start, end=start + len(QUOTE))  # fmt: skip
    return Answer(question="q", text=text or f"{QUOTE} [1]", language=language, answered=True, citations=(cite,),
                  passages=(Passage(chunk=CHUNK, score=0.9, rank=1),))  # fmt: skip


def test_direction_follows_the_script() -> None:
    assert direction("كم صاروخا؟") == "rtl"
    assert direction("How many missiles?") == "ltr"
    assert direction("Iran launched 350 missiles, «أطلقت إيران» [1]") == "ltr"


def test_arabic_answer_is_rtl_with_clickable_marker_and_highlight() -> None:
    out = format_answer_html(_answer("ar"), footer="extractive · 1 passages")
    assert '<div class="answer" dir="rtl">' in out
    assert 'class="cite" href="#a' in out and ">[1]</a>" in out
    uid = out.split('href="#', 1)[1].split('"', 1)[0]
    assert f'<details class="source" id="{uid}">' in out, "the marker names its source element"
    assert f"<mark>{QUOTE}</mark>" in out and "جملة أولى. <mark>" in out, "the highlight sits inside its passage"
    assert "عنوان &lt;b&gt;" in out and "<b>عنوان" not in out, "article text is escaped"
    assert "المصادر" in out and "extractive · 1 passages" in out


def test_english_answer_is_ltr_with_english_labels() -> None:
    out = format_answer_html(_answer("en", text="Iran launched 350 missiles at Israel [1]."))
    assert '<div class="answer" dir="ltr">' in out and "Sources" in out
    assert '<blockquote dir="rtl">' in out, "the Arabic passage stays right-to-left"


def test_unknown_markers_stay_plain_and_ids_differ_between_answers() -> None:
    a = format_answer_html(_answer("ar", text=f"{QUOTE} [1] [7]"))
    assert "[7]" in a and 'href="#' in a and a.count('class="cite"') == 1
    b = format_answer_html(_answer("ar"))
    assert a.split('href="#', 1)[1][:9] != b.split('href="#', 1)[1][:9]


def test_unanswered_has_no_sources_and_user_text_is_escaped() -> None:
    out = format_answer_html(Answer(question="q", text="The articles do not say.", language="en", answered=False))
    assert "Sources" not in out and "The articles do not say." in out
    assert format_question_html("<b>كم</b> صاروخا أطلقت؟") == '<div dir="rtl">&lt;b&gt;كم&lt;/b&gt; صاروخا أطلقت؟</div>'
    assert "&lt;" in format_error_html("bad <input>")


def test_dropped_sentences_are_shown_struck_out_and_never_as_verified() -> None:
    from qa.models import SentenceCheck

    checks = (
        SentenceCheck(text=f"{QUOTE} [1]", cited=(1,), markers=(1,), verified=True),
        SentenceCheck(text="Iran launched 500 missiles [1].", cited=(1,), verified=False,
                      reason="not in the cited passage(s): 500"),
    )  # fmt: skip
    out = format_answer_html(_answer("ar").model_copy(update={"sentences": checks}))
    assert "1 sentence of the draft removed" in out
    assert '<li class="not-verified" dir="ltr">Iran launched 500 missiles [1]. — <i>not in the cited' in out
    assert "500" not in out.split('<details class="dropped"')[0], "the removed sentence is not in the answer"


def test_draft_is_marked_unchecked() -> None:
    from qa.render import format_draft_html

    out = format_draft_html("Iran launched <b>350</b>")
    assert 'class="draft" dir="ltr"' in out and "&lt;b&gt;350" in out and "checked before" in out
