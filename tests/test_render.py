"""The chat's HTML: directions, clickable markers, highlighted quotes, escaping, errors in the asker's language."""

from __future__ import annotations

import pytest

from index.errors import InputError
from index.models import Chunk
from qa.assistant import clean_question
from qa.models import Answer, Citation, Passage
from qa.render import (
    arabic_error,
    direction,
    error_language,
    format_answer_html,
    format_error_html,
    format_intro_html,
    format_question_html,
)

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
    assert 'class="cite" href="#m' in out and ">[1]</a>" in out
    uid = out.split('href="#', 1)[1].split('"', 1)[0]
    assert f'<details class="source" id="{uid}">' in out, "the marker names its source element"
    assert f"<mark>{QUOTE}</mark>" in out and "جملة أولى. <mark>" in out, "the highlight sits inside its passage"
    assert "عنوان &lt;b&gt;" in out and "<b>عنوان" not in out, "article text is escaped"
    assert "المصادر" in out and "extractive · 1 passages" in out


def test_english_answer_is_ltr_with_english_labels() -> None:
    out = format_answer_html(_answer("en", text="Iran launched 350 missiles at Israel [1]."))
    assert '<div class="answer" dir="ltr">' in out and "Sources" in out
    assert '<blockquote dir="rtl">' in out, "the Arabic passage stays right-to-left"


def _target(html: str) -> str:
    return html.split('href="#', 1)[1].split('"', 1)[0]


def test_unknown_markers_stay_plain_and_ids_differ_between_answers() -> None:
    a = format_answer_html(_answer("ar", text=f"{QUOTE} [1] [7]"))
    assert "[7]" in a and 'href="#' in a and a.count('class="cite"') == 1
    b = format_answer_html(_answer("ar"))
    assert _target(a) != _target(b)


def test_the_same_answer_rendered_twice_gets_its_own_ids() -> None:
    """The same question asked twice: each message's [1] must name that message's source (issue 15)."""
    first, second = format_answer_html(_answer("ar")), format_answer_html(_answer("ar"))
    assert _target(first) != _target(second)
    assert f'id="{_target(second)}"' in second and f'id="{_target(second)}"' not in first
    assert _target(format_answer_html(_answer("ar"), uid="msg7")) == "msg7-1", "a given uid is used as is"


def test_unanswered_has_no_sources_and_user_text_is_escaped() -> None:
    out = format_answer_html(Answer(question="q", text="The articles do not say.", language="en", answered=False))
    assert "Sources" not in out and "The articles do not say." in out
    assert (
        format_question_html("<b>كم</b> صاروخا أطلقت؟")
        == '<div class="user-question" dir="rtl">&lt;b&gt;كم&lt;/b&gt; صاروخا أطلقت؟</div>'
    )
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


def _input_error(question: object, max_chars: int = 20) -> str:
    """The English message `qa` raises for `question` (the real one, so a reworded message is caught here)."""
    with pytest.raises(InputError) as info:
        clean_question(question, max_chars)  # type: ignore[arg-type]
    return str(info.value)


def test_every_input_error_of_qa_has_an_arabic_wording() -> None:
    too_long = _input_error("ما " * 1000, max_chars=2000)
    assert arabic_error(too_long) == "السؤال طوله 3,000 حرفًا والحد الأقصى 2,000 حرف: اختصره ثم أعد السؤال."
    assert "السؤال فارغ" in (arabic_error(_input_error("  ؟ ")) or "")
    assert arabic_error(_input_error(None)) == "يجب أن يكون السؤال نصًا."
    assert arabic_error("something else went wrong") is None


def test_errors_are_worded_in_the_language_of_the_question() -> None:
    message = _input_error("ما " * 20)
    arabic = format_error_html(message, error_language("ما " * 20))
    assert arabic.startswith('<div class="error" dir="rtl" lang="ar">⚠️ السؤال طوله 60 حرفًا')
    assert f'<div class="error-detail" dir="ltr" lang="en">{message}</div>' in arabic, "the English detail stays"
    english = format_error_html(message, error_language("why " * 20))
    assert english == f'<div class="error" dir="ltr">⚠️ {message}</div>'
    unknown = format_error_html("the model <x> failed", "ar")
    assert "تعذّرت الإجابة" in unknown and "the model &lt;x&gt; failed" in unknown


def test_a_question_without_letters_gets_the_error_in_both_languages() -> None:
    assert error_language("   ") is None and error_language("?!") is None
    assert error_language("أين؟") == "ar" and error_language("Where?") == "en"
    out = format_error_html(_input_error("   "), None)
    assert "السؤال فارغ" in out and "the question is empty" in out


def test_intro_says_what_the_chat_does_and_over_how_many_articles() -> None:
    out = format_intro_html(12)
    assert "<h1" in out and "Ask about <b>12 indexed news articles</b> in Arabic or English" in out
    assert "cited" in out and '<p dir="rtl">' in out and "<b>12</b>" in out
    assert "1 indexed news article</b>" in format_intro_html(1)


def test_sources_from_several_outlets_are_grouped_under_each_outlets_name() -> None:
    one = _answer("ar")
    other = one.citations[0].model_copy(update={"marker": 2, "outlet": "الحرة <i>", "article_id": "a2"})
    third = one.citations[0].model_copy(update={"marker": 3, "start": 100, "end": 100 + len("جملة أولى.")})
    answer = one.model_copy(update={"citations": (one.citations[0], other, third), "text": f"{QUOTE} [1][2] [3]"})
    out = format_answer_html(answer, uid="m1")
    groups = out.split('<div class="outlet-group">')[1:]
    assert len(groups) == 2
    assert groups[0].startswith('<div class="outlet-name">الشرق</div>') and 'id="m1-1"' in groups[0]
    assert 'id="m1-3"' in groups[0], "a later citation of the same outlet joins its group"
    assert groups[1].startswith('<div class="outlet-name">الحرة &lt;i&gt;</div>') and 'id="m1-2"' in groups[1]
    assert '<div class="outlet-group">' not in format_answer_html(one), "one outlet: no grouping"
    # An English answer's groups name the outlets as the answer does (`qa.outlets`): Asharq, not الشرق.
    english = answer.model_copy(update={"language": "en"})
    assert '<div class="outlet-name">Asharq</div>' in format_answer_html(english, uid="m2")


def test_also_reported_names_the_outlets_as_the_answer_does() -> None:
    cite = _answer("ar").citations[0].model_copy(update={"also_reported_by": ("Al-Weeam", "الحرة")})
    for language, names in (("ar", "وأوردته أيضًا: الوئام، الحرة"), ("en", "Also reported by Al-Weeam, Alhurra")):
        answer = _answer(language).model_copy(update={"citations": (cite,)})
        assert names in format_answer_html(answer), language
