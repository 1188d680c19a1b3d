"""Answers across articles (`qa.combine`): values compared across outlets, attribution, compound questions.

Logic tests with hand-made sentences and the scripted model; the bundled corpus with the real embedder
for the cases the issue names (the talks' date as each outlet gives it, each cited to its article).
"""

from __future__ import annotations

import pytest

from qa.citations import check_citations, misattributed
from qa.combine import add_outlets, outlet_relation, question_parts, relation, slot_values
from qa.extractive import Candidate, compose
from qa.models import Chunk, Passage
from qa.question import analyze_question
from tests.fakes import ScriptedLLM, passage_number

WHEN_AR = analyze_question("متى جرت المحادثات؟")
WHEN_EN = analyze_question("When were the talks held?")
COUNT_AR = analyze_question("كم عدد المصادر التي تحدثت؟")
WHO_EN = analyze_question("Who led the Iranian delegation?")


@pytest.mark.parametrize(
    ("a", "slot_a", "b", "slot_b", "expected"),
    [
        ("جرت المحادثات في 8 مايو الماضي.", WHEN_AR, "The talks were held on May 8.", WHEN_EN, "agree"),
        ("جرت المحادثات في ٨ مايو.", WHEN_AR, "The talks took place on 8 May 2024.", WHEN_EN, "agree"),
        ("جرت المحادثات في عمان هذا الأسبوع.", WHEN_AR, "جرت المحادثات الشهر الماضي في مسقط.", WHEN_AR, "differ"),
        ("جرت المحادثات في 8 مايو.", WHEN_AR, "جرت المحادثات في 9 مايو.", WHEN_AR, "differ"),
        ("حسبما قال مصدران مطلعان على المحادثات.", COUNT_AR, "وذكرت 3 مصادر مطلعة على الاتصالات.", COUNT_AR, "differ"),
        ("حسبما قال مصدران مطلعان على المحادثات.", COUNT_AR, "Two sources said so.", COUNT_AR, "agree"),
        ("قالت ثلاثة مصادر ذلك.", COUNT_AR, "وذكرت 3 مصادر مطلعة.", COUNT_AR, "agree"),
        ("The delegation was led by Ali Bagheri.", WHO_EN, "Bagheri headed it.", WHO_EN, "agree"),
        ("The delegation was led by Ali Bagheri.", WHO_EN, "It was headed by Abbas Araghchi.", WHO_EN, "differ"),
    ],
)
def test_values_are_compared_after_normalisation(a, slot_a, b, slot_b, expected) -> None:  # type: ignore[no-untyped-def]
    assert relation([slot_values(a, slot_a), slot_values(b, slot_b)]) == expected


def test_no_relation_is_claimed_when_an_account_gives_no_value() -> None:
    assert relation([slot_values("جرت المحادثات في 8 مايو.", WHEN_AR), slot_values("جرت المحادثات.", WHEN_AR)]) is None
    # The date's day number and the year are no count.
    assert slot_values("قال مصدر إن المحادثات جرت في 13 أبريل 2024.", COUNT_AR) == frozenset()


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("لماذا هاجمت إيران إسرائيل، وكيف تم صد الهجوم؟", ["لماذا هاجمت إيران إسرائيل؟", "كيف تم صد الهجوم؟"]),
        ("إلى أي نسبة وصل التخصيب وبماذا حذرتها واشنطن؟", ["إلى أي نسبة وصل التخصيب؟", "بماذا حذرتها واشنطن؟"]),
        ("How big was it, and how did Israel hit back?", ["How big was it?", "how did Israel hit back?"]),
        ("Will inspectors go back, and on what conditions?", ["Will inspectors go back?", "on what conditions?"]),
        # A conjunction that opens no question does not split: one question.
        ("Why did the US and the Europeans halt diplomacy?", ["Why did the US and the Europeans halt diplomacy?"]),
        ("ما الدول التي شاركت وما زالت تشارك؟", ["ما الدول التي شاركت وما زالت تشارك؟"]),
        ("ما الفرقة التي تم حلها ولم تشكل مرة أخرى؟", ["ما الفرقة التي تم حلها ولم تشكل مرة أخرى؟"]),
        ("كم عاش ابن خلدون وأين دفن؟", ["كم عاش ابن خلدون؟", "أين دفن؟"]),
        ("من مثّل إيران والولايات المتحدة؟", ["من مثّل إيران والولايات المتحدة؟"]),
        # The first piece asks nothing: "a merger between UPT and what network?" is one question.
        ("اقترح غولدينسون الدمج بين يو بي تي وأي شبكة؟", ["اقترح غولدينسون الدمج بين يو بي تي وأي شبكة؟"]),
        ("He proposed a merger of UPT and what network?", ["He proposed a merger of UPT and what network?"]),
    ],
)
def test_compound_questions_are_split_into_their_questions(question: str, parts: list[str]) -> None:
    assert question_parts(question) == parts


ARTICLE_A = "جرت المحادثات في عمان هذا الأسبوع بحضور مسؤولين كبار. وقال مصدران مطلعان إن الاجتماع ركز على التصعيد."
ARTICLE_B = "جرت المحادثات في 8 مايو بحضور مسؤولين كبار. وقال مصدران مطلعان إن الاجتماع ركز على التصعيد."


def candidate(article: str, article_id: str, outlet: str | None, text: str, score: float) -> Candidate:
    start = article.index(text)
    chunk = Chunk(id=f"{article_id}-0", article_id=article_id, title=article_id, outlet=outlet, text=article,
                  start=0, end=len(article), ordinal=0)  # fmt: skip
    return Candidate(Passage(chunk=chunk, score=score, rank=1), start, start + len(text), text, score, True)


def test_each_outlet_gives_its_account_attributed_and_the_difference_is_said() -> None:
    a = candidate(ARTICLE_A, "a", "الحرة", "جرت المحادثات في عمان هذا الأسبوع بحضور مسؤولين كبار.", 0.90)
    b = candidate(ARTICLE_B, "b", "الشرق", "جرت المحادثات في 8 مايو بحضور مسؤولين كبار.", 0.88)
    far = candidate(ARTICLE_B, "c", "عكاظ", "جرت المحادثات في 8 مايو بحضور مسؤولين كبار.", 0.70)
    chosen = add_outlets([a], [a, b, far], WHEN_AR, min_relevance=0.5)
    assert chosen == [a, b]  # the third outlet is too far from the best
    assert outlet_relation(chosen, WHEN_AR) == "differ"
    text, citations = compose(chosen, "ar", WHEN_AR, outlet_relation(chosen, WHEN_AR))
    assert text.startswith("تختلف روايات المصادر، فبحسب الحرة: جرت المحادثات في عمان هذا الأسبوع")
    assert "بحسب الشرق: جرت المحادثات في 8 مايو" in text
    assert [(c.marker, c.article_id, c.outlet) for c in citations] == [(1, "a", "الحرة"), (2, "b", "الشرق")]
    en, _ = compose(chosen, "en", WHEN_EN, "differ")
    # An English answer names the outlets in English (`qa.outlets`), whatever script their metadata is in.
    assert en.startswith("The outlets differ: according to Alhurra, this week [1]: «")
    assert "According to Asharq, 8 May [2]" in en
    # Not asked for a comparable value: no other outlet is added.
    assert add_outlets([a], [a, b], analyze_question("ما الذي ناقشه المسؤولون؟"), min_relevance=0.5) == [a]


def test_the_same_sentence_from_several_outlets_is_shown_once_cited_to_each() -> None:
    text = "وقال مصدران مطلعان إن الاجتماع ركز على التصعيد."
    a, b = candidate(ARTICLE_A, "a", "الحرة", text, 0.9), candidate(ARTICLE_B, "b", "الشرق", text, 0.9)
    other = candidate(ARTICLE_A, "a", "الحرة", "جرت المحادثات في عمان هذا الأسبوع بحضور مسؤولين كبار.", 0.85)
    shown, citations = compose([a, other, b], "ar", COUNT_AR, "agree")
    assert shown.startswith(f"تتفق المصادر، فبحسب الحرة والشرق: {text} [1][2]")
    assert [c.article_id for c in citations] == ["a", "b", "a"]


def test_an_english_attribution_by_the_outlets_english_name_is_held_by_its_metadata(fake_embedder) -> None:  # type: ignore[no-untyped-def]
    a = candidate(ARTICLE_A, "a", "الحرة", "جرت المحادثات في عمان هذا الأسبوع بحضور مسؤولين كبار.", 0.9)
    b = candidate(ARTICLE_B, "b", "الشرق", "جرت المحادثات في 8 مايو بحضور مسؤولين كبار.", 0.9)
    verified = check_citations(
        "According to Alhurra, the talks were held this week [1]. According to Alhurra, they were on 8 May [2].",
        [a, b], fake_embedder, min_support=-1.0,
    )  # fmt: skip
    assert [s.verified for s in verified.sentences] == [True, False]  # [2] is Asharq's: Alhurra is not held
    assert "Alhurra" in (verified.sentences[1].reason or "")
    # A common word that is also a daily's Arabic name ("اليوم": Al-Yaum) is an attribution only after "بحسب".
    c = candidate(ARTICLE_B, "c", "Al-Yaum", "جرت المحادثات في 8 مايو بحضور مسؤولين كبار.", 0.9)
    assert misattributed("وقالت اليوم إن المحادثات جرت هذا الأسبوع", [a], [a, c]) == []
    assert misattributed("بحسب صحيفة اليوم، جرت المحادثات هذا الأسبوع", [a], [a, c]) == ["Al-Yaum"]


def test_an_attribution_to_an_outlet_no_cited_passage_is_from_is_caught(fake_embedder) -> None:  # type: ignore[no-untyped-def]
    a = candidate(ARTICLE_A, "a", "الحرة", "جرت المحادثات في عمان هذا الأسبوع بحضور مسؤولين كبار.", 0.9)
    b = candidate(ARTICLE_B, "b", "الشرق", "جرت المحادثات في 8 مايو بحضور مسؤولين كبار.", 0.9)
    assert misattributed("بحسب الشرق، جرت المحادثات هذا الأسبوع", [a], [a, b]) == ["الشرق"]
    assert misattributed("According to الحرة and الشرق, the talks were this week", [a], [a, b]) == ["الشرق"]
    assert misattributed("بحسب الحرة، جرت المحادثات هذا الأسبوع", [a], [a, b]) == []
    # "الشرق" in "الشرق الأوسط" (the Middle East) attributes nothing.
    assert misattributed("جرت المحادثات بشأن الشرق الأوسط هذا الأسبوع", [a], [a, b]) == []
    # In English, by the outlets' English names (`qa.outlets`): Alhurra is cited, Asharq is not.
    assert misattributed("According to Asharq, the talks were this week", [a], [a, b]) == ["الشرق"]
    assert misattributed("According to Alhurra, the talks were this week", [a], [a, b]) == []
    # A cited outlet's name that begins another outlet's longer one masks nothing of it.
    c = candidate(ARTICLE_B, "c", "الشرق الأوسط", "جرت المحادثات في 8 مايو بحضور مسؤولين كبار.", 0.9)
    d = candidate(ARTICLE_A, "d", "الشرق", "جرت المحادثات في عمان هذا الأسبوع بحضور مسؤولين كبار.", 0.9)
    assert misattributed("بحسب الشرق الأوسط، جرت المحادثات هذا الأسبوع", [d], [c, d]) == ["الشرق الأوسط"]
    assert misattributed("بحسب الشرق، جرت المحادثات هذا الأسبوع", [d], [c, d]) == []
    verified = check_citations(
        "بحسب الشرق: جرت المحادثات في عمان هذا الأسبوع بحضور مسؤولين كبار [1]. "
        "بحسب الشرق: جرت المحادثات في 8 مايو بحضور مسؤولين كبار [2].",
        [a, b], fake_embedder, min_support=-1.0,
    )  # fmt: skip
    assert [s.verified for s in verified.sentences] == [False, True]
    assert "attributes it to الشرق" in (verified.sentences[0].reason or "")


def test_a_model_that_attributes_a_claim_to_the_wrong_outlet_is_not_shown(settings, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    from qa.assistant import Assistant
    from tests.conftest import CORPUS

    open_settings = settings.model_copy(update={"min_relevance_ar": -1.0, "min_support_ar": -1.0})

    def reply(user: str) -> str:  # the 350 sentence is Alhurra's; the model says Asharq reported it
        return f"بحسب الشرق، أطلقت إيران 350 صاروخا بالستيا وطائرة بدون طيار [{passage_number(user, '350')}]."

    assistant = Assistant(open_settings, embedder=fake_embedder, llm=ScriptedLLM(reply))
    assistant.ingest([CORPUS])
    answer = assistant.ask("كم عدد الصواريخ التي أطلقتها إيران على إسرائيل؟", k=40)  # every passage: both outlets
    assert {p.chunk.outlet for p in answer.passages} >= {"الحرة", "الشرق"}
    assert answer.draft and "الشرق" in answer.draft
    assert answer.backend.startswith("extractive (fallback")
    assert [s.verified for s in answer.sentences] == [False]
    assert "attributes it to الشرق" in (answer.sentences[0].reason or "")


def test_bundled_corpus_when_were_the_talks_gives_each_outlets_date_cited_to_its_article(real_assistant) -> None:  # type: ignore[no-untyped-def]
    answer = real_assistant.ask("متى جرت المحادثات الأميركية الإيرانية غير المباشرة في عمان؟")
    outlets = {c.outlet: c for c in answer.citations}
    assert set(outlets) == {"الحرة", "الشرق"}, answer.text
    assert "هذا الأسبوع" in outlets["الحرة"].quote and "الشهر الماضي" in outlets["الشرق"].quote
    assert answer.text.startswith("تختلف روايات المصادر، فبحسب")
    for c in answer.citations:  # each citation is its own article's exact span
        article = next(a for a in real_assistant.articles() if a.id == c.article_id)
        assert article.outlet == c.outlet and article.text[c.start : c.end] == c.quote


def test_bundled_corpus_compound_question_gets_a_cited_sentence_per_part(real_assistant) -> None:  # type: ignore[no-untyped-def]
    answer = real_assistant.ask("إلى أي نسبة وصل تخصيب إيران لليورانيوم، وبماذا حذرتها واشنطن؟")
    assert 2 <= len(answer.citations) <= 3, answer.text
    quotes = [c.quote for c in answer.citations]
    assert any("84%" in q for q in quotes) and any("ثمن باهظ" in q for q in quotes)


def test_counts_of_different_things_are_neither_compared_nor_added() -> None:
    missiles = "أطلقت إيران 350 صاروخا باتجاه إسرائيل في الهجوم."
    sites = "وعثر المراقبون على يورانيوم في 3 مواقع غير معلنة بعد الهجوم."
    other = "أطلقت إيران 300 صاروخ باتجاه إسرائيل في الهجوم."
    article = f"{missiles} {sites} {other}"
    count = analyze_question("كم صاروخا أطلقت إيران في الهجوم؟")
    a = candidate(article, "a", "الحرة", missiles, 0.9)
    b = candidate(article, "b", "الشرق", sites, 0.89)
    c = candidate(article, "c", "عكاظ", other, 0.88)
    assert outlet_relation([a, b], count) is None  # 350 missiles and 3 sites: two things
    assert add_outlets([a], [a, b, c], count, min_relevance=0.5) == [a, c]  # 300 missiles is another account
    assert outlet_relation([a, c], count) == "differ"


def test_a_noun_skeleton_is_shared_by_singular_dual_and_broken_plural() -> None:
    from qa.question import skeleton

    assert skeleton("مصدران") == skeleton("مصادر") == skeleton("المصدر")
    assert skeleton("الأشخاص") == skeleton("شخصا")
    assert skeleton("صواريخ") == skeleton("صاروخا") != skeleton("مواقع")


def test_a_model_answer_leaving_out_a_part_gives_way_to_the_answer_per_part(real_assistant, real_embedder) -> None:  # type: ignore[no-untyped-def]
    from qa.assistant import Assistant

    question = "إلى أي نسبة وصل تخصيب إيران لليورانيوم، وبماذا حذرتها واشنطن؟"
    settings = real_assistant.settings.model_copy(update={"backend": "local"})

    def one_part(user: str) -> str:
        return f"رفعت طهران معدلات التخصيب إلى درجة نقاء 84% [{passage_number(user, '84%')}]."

    def both_parts(user: str) -> str:
        return (f"رفعت طهران معدلات التخصيب إلى درجة نقاء 84% [{passage_number(user, '84%')}]. "
                f"وحذرت الولايات المتحدة إيران من دفع ثمن باهظ [{passage_number(user, 'ثمن باهظ')}].")  # fmt: skip

    partial = Assistant(settings, embedder=real_embedder, llm=ScriptedLLM(one_part)).ask(question)
    assert partial.backend.startswith("extractive (fallback"), partial.text
    assert any("ثمن باهظ" in c.quote for c in partial.citations) and any("84%" in c.quote for c in partial.citations)
    assert partial.sentences and all(s.verified for s in partial.sentences), "its draft was true, only partial"
    whole = Assistant(settings, embedder=real_embedder, llm=ScriptedLLM(both_parts)).ask(question)
    assert whole.backend == "scripted", whole.text
    assert "84%" in whole.text and "ثمن باهظ" in whole.text


def test_a_wire_sentence_two_outlets_ran_with_small_edits_is_shown_once() -> None:
    # Read on the archive: Al-Madina and Sabq ran the same sentence, "كافة" for "كل" and the date spaced otherwise.
    a_text = "وأوضحت الجوازات أن عدد المصحح وضعهم من اليمنيين في كافة مراكز التصحيح بمناطق المملكة بلغ 354863 شخصا."
    b_text = "وأوضحت الجوازات أن عدد المصحح وضعهم من اليمنيين في كل مراكز التصحيح بمناطق المملكة بلغ 354863 شخصًا."
    a, b = candidate(a_text, "a", "المدينة", a_text, 0.9), candidate(b_text, "b", "سبق", b_text, 0.9)
    text, citations = compose([a, b], "ar", COUNT_AR, "agree")
    assert text == f"تتفق المصادر، فبحسب المدينة وسبق: {a_text} [1][2]"
    assert [c.article_id for c in citations] == ["a", "b"]


def test_sentences_that_count_what_the_question_counts_lead_and_bring_the_other_outlets_count(fake_embedder) -> None:  # type: ignore[no-untyped-def]
    from qa.extractive import rank_sources, select
    from qa.question import asked_noun, counts_asked, skeleton

    assert asked_noun("كم عدد المصادر التي اعتمد عليها الموقع؟") == skeleton("مصادر")
    assert asked_noun("كم صاروخا أطلقت إيران؟") == skeleton("صاروخ")
    assert asked_noun("كم يبلغ سعر النفط؟") is None and asked_noun("How many sources?") is None
    slot = analyze_question("كم عدد المصادر التي نقل عنها الموقع؟")
    vague = "نقل الموقع عن مصادر مطلعة أن 5 مسؤولين حضروا المحادثات."  # a number, but of officials
    two = "قال مصدران مطلعان للموقع إن المحادثات جرت هذا الأسبوع."
    three = "وذكرت 3 مصادر مطلعة للموقع أن الوفد زار مسقط سرا."
    article = f"{vague} {two} {three}"
    assert not counts_asked(slot, vague) and counts_asked(slot, two) and counts_asked(slot, three)
    a = candidate(article, "a", "الحرة", vague, 0.86)
    b = candidate(article, "a", "الحرة", two, 0.83)
    c = candidate(article, "b", "الشرق", three, 0.79)
    ranked = rank_sources(fake_embedder.embed_query(vague), [a, b, c], fake_embedder, slot)
    assert ranked[-1].text == vague and ranked[-1].answers  # it answers (a number), and is closest to the query
    assert [x.text for x in ranked][:2] == [two, three]  # the counting ones first, whatever their cosine
    # Scores as given (the fake embedder's cosines are not the point): the vague one is closest but does not lead.
    chosen = select([b, c, a], min_relevance=0.8, max_sentences=2, slot=slot)
    assert chosen == [b]  # the other count is too far from the lead's score, and the vague one counts nothing
    with_outlets = add_outlets(chosen, [b, c, a], slot, min_relevance=0.8)
    assert with_outlets == [b, c]  # another outlet's count of the same sources, close to the relevance threshold
    assert outlet_relation(with_outlets, slot) == "differ"  # 2 sources and 3 sources
    assert select([a], min_relevance=0.9, max_sentences=2, slot=slot) == []  # nothing relevant enough
