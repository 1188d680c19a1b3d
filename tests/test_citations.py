"""The citation checker's logic, with a fake text-dependent embedder (the real one is in test_generate_real)."""

from __future__ import annotations

import pytest

from qa.citations import check_citations, is_refusal, split_answer
from qa.facts import facts_of, missing_facts
from tests.fakes import ARTICLE, MISSILES, TALKS, TALKS_EN, sources

# The fake embedder does not match across scripts, so the fact checks are tested with the similarity check off.
NO_SIM = -1.0


def test_english_answer_splits_into_sentences_with_their_markers() -> None:
    got = split_answer("Iran launched 350 missiles [1]. The talks were held in Oman [2][3]! Why? [2]")
    assert got == [
        ("Iran launched 350 missiles [1].", (1,)),
        ("The talks were held in Oman [2][3]!", (2, 3)),
        ("Why [2]?", (2,)),  # a marker after the stop moves before it
    ]


def test_arabic_answer_splits_on_arabic_punctuation_and_reads_arabic_digits() -> None:
    got = split_answer("أطلقت إيران 350 صاروخا [١]؛ وجرت المحادثات في عُمان [2]. هل انتهت؟ نعم [١، ٢]")
    assert [m for _, m in got] == [(1,), (2,), (), (1, 2)]
    assert got[0][0].startswith("أطلقت إيران") and got[1][0].startswith("وجرت")


def test_mixed_answer_and_markers_written_after_the_full_stop() -> None:
    text = "Iran launched 350 missiles at Israel. [1] وجرت المحادثات في عُمان. [2]\n[3] Brett McGurk attended."
    got = split_answer(text)
    assert [m for _, m in got] == [(1,), (2,), (3,)]
    assert got[1][0].startswith("وجرت") and got[2][0].endswith("attended.")


def test_marker_on_its_own_line_belongs_to_the_sentence_before() -> None:
    assert split_answer("Iran launched 350 missiles.\n[1]") == [("Iran launched 350 missiles.", (1,))]


def test_sentence_whose_number_is_not_in_the_cited_passage_is_dropped(fake_embedder) -> None:
    src = sources(MISSILES, TALKS)
    answer = "Iran launched 300 missiles at Israel [1]. The talks were held in Oman on Tuesday [2]."
    v = check_citations(answer, src, fake_embedder, min_support=NO_SIM)
    assert [c.verified for c in v.sentences] == [False, True]
    assert "300" in (v.sentences[0].reason or "")
    assert v.text == "The talks were held in Oman on Tuesday [1]."  # renumbered to the citations shown
    assert len(v.citations) == 1 and v.citations[0].quote == TALKS
    assert ARTICLE[v.citations[0].start : v.citations[0].end] == v.citations[0].quote
    assert v.sentences[1].markers == (1,) and v.sentences[1].cited == (2,)


def test_cross_language_numbers_dates_and_names_are_checked() -> None:
    held = missing_facts(facts_of("Iran launched 350 missiles at Israel on 13 April."), MISSILES)
    assert held == []
    assert missing_facts(facts_of("Iran launched 350 missiles on 14 May."), MISSILES) == ["14", "May"]
    assert missing_facts(facts_of("Brett McGurk met them in Oman on Tuesday."), TALKS) == []
    assert missing_facts(facts_of("Netanyahu met them in Oman on Friday."), TALKS) == ["Friday", "Netanyahu"]
    assert missing_facts(facts_of("أطلقت إيران ٣٥٠ صاروخا"), MISSILES) == []  # Arabic-Indic digits folded


def test_a_name_may_be_held_by_the_passage_the_cited_sentence_refers_back_to(fake_embedder) -> None:
    from qa.extractive import Candidate
    from qa.models import Chunk, Passage

    chunk_text = (
        "وقالت الوكالة الدولية للطاقة الذرية إنها تريد استئناف التفتيش. "
        "وتشعر الوكالة بقلق بالغ إزاء مصير مخزونات تبلغ نحو 400 كيلوغرام من اليورانيوم."
    )
    sentence = "وتشعر الوكالة بقلق بالغ إزاء مصير مخزونات تبلغ نحو 400 كيلوغرام من اليورانيوم."
    start = chunk_text.index(sentence)
    chunk = Chunk(id="c", article_id="a", title="t", text=chunk_text, start=0, end=len(chunk_text), ordinal=0)
    src = [Candidate(Passage(chunk=chunk, score=0.9, rank=1), start, start + len(sentence), sentence, 0.9)]
    v = check_citations("The IAEA is worried about 400 kilograms of uranium [1].", src, fake_embedder,
                        min_support=NO_SIM)  # fmt: skip
    assert v.answered and v.sentences[0].verified  # "the agency" of the sentence is the IAEA its passage names
    # A number must be in the sentence itself; a name nowhere in the passage is not held either.
    for wrong in ("The IAEA is worried about 500 kilograms of uranium [1].",
                  "Rafael Grossi is worried about 400 kilograms of uranium [1]."):  # fmt: skip
        v = check_citations(wrong, src, fake_embedder, min_support=NO_SIM)
        assert not v.answered and "not in the cited passage" in (v.sentences[0].reason or "")


def test_a_sentence_repeated_with_another_citation_is_kept_once(fake_embedder) -> None:
    src = sources(MISSILES, TALKS)
    draft = "[1] Iran launched 350 missiles at Israel. [2] Iran launched 350 missiles at Israel. [1] They met in Oman."
    v = check_citations(draft, src, fake_embedder, min_support=NO_SIM)
    assert [c.verified for c in v.sentences] == [True, False, True]
    assert v.sentences[1].reason == "repeats an earlier sentence of the answer"
    assert v.text.count("350") == 1


def test_citation_to_a_passage_that_was_not_given_is_removed(fake_embedder) -> None:
    src = sources(MISSILES, TALKS)
    v = check_citations("Iran launched 350 missiles at Israel [1][7].", src, fake_embedder, min_support=NO_SIM)
    assert v.answered and v.sentences[0].verified
    assert "[7]" not in v.text and v.text.endswith("[1].")
    assert "7" in (v.sentences[0].note or "") and v.sentences[0].markers == (1,)


def test_sentence_citing_only_missing_passages_is_repaired_or_dropped(fake_embedder) -> None:
    src = sources(MISSILES, TALKS)
    v = check_citations("Iran launched 350 missiles [9]. Iran launched 900 drones [9].", src, fake_embedder,
                        min_support=NO_SIM)  # fmt: skip
    first, second = v.sentences
    assert first.verified and "added [1]" in (first.note or "")  # one given passage holds its facts
    assert not second.verified and second.reason == "no citation to a given passage"
    assert v.text == "Iran launched 350 missiles [1]."


def test_sentence_far_from_its_cited_span_is_dropped(fake_embedder) -> None:
    src = sources(TALKS_EN)
    good = "the talks took place in oman on tuesday [1]."
    bad = "the weather was pleasant and sunny all week [1]."
    v = check_citations(f"{good} {bad}", src, fake_embedder, min_support=0.5)
    assert [c.verified for c in v.sentences] == [True, False]
    assert "too far" in (v.sentences[1].reason or "")


def test_sentence_in_the_other_language_is_dropped(fake_embedder) -> None:
    src = sources(MISSILES)
    v = check_citations("أطلقت إيران 350 صاروخا [1].", src, fake_embedder, min_support=NO_SIM, language="en")
    assert not v.answered and "language" in (v.sentences[0].reason or "")


def test_nothing_supported_means_not_answered(fake_embedder) -> None:
    v = check_citations("Iran launched 900 missiles [1].", sources(MISSILES), fake_embedder, min_support=NO_SIM)
    assert not v.answered and v.text == "" and v.citations == ()


@pytest.mark.parametrize("text", ["The articles do not say.", "لا تذكر المقالات المتاحة ما يجيب عن هذا السؤال."])
def test_fixed_reply_is_recognised_as_a_refusal(fake_embedder, text: str) -> None:
    assert is_refusal(text)
    assert check_citations(text, sources(MISSILES), fake_embedder, min_support=NO_SIM).refused


def test_markers_are_renumbered_in_order_of_appearance(fake_embedder) -> None:
    src = sources(TALKS, MISSILES)
    answer = "Iran launched 350 missiles at Israel [2]. The talks were held in Oman [1]."
    v = check_citations(answer, src, fake_embedder, min_support=NO_SIM)
    assert v.text == "Iran launched 350 missiles at Israel [1]. The talks were held in Oman [2]."
    assert [c.quote for c in v.citations] == [MISSILES, TALKS]


def test_markers_written_first_belong_to_the_sentence_after() -> None:
    got = split_answer("[1] Iran launched 350 missiles. [2] It was the first attack.")
    assert [m for _, m in got] == [(1,), (2,)]


def test_a_sentence_citing_the_wrong_passage_is_re_cited_to_the_one_that_supports_it(fake_embedder) -> None:
    src = sources(MISSILES, TALKS)
    v = check_citations("Iran launched 350 missiles at Israel [2].", src, fake_embedder, min_support=NO_SIM)
    assert v.answered and v.sentences[0].verified
    assert "re-cited" in (v.sentences[0].note or "") and v.citations[0].quote == MISSILES


def test_a_garbled_or_cited_refusal_is_never_a_verified_claim(fake_embedder) -> None:
    src = sources(MISSILES, TALKS)
    for answer in ("ال.articles لا تذكر المقالات المتاحة ما يجيب عن هذا السؤال [1].",
                   "Sure. The articles do not say [2]."):  # fmt: skip
        v = check_citations(answer, src, fake_embedder, min_support=NO_SIM)
        assert not v.answered and v.refused and not v.citations, answer
    mixed = check_citations("Iran launched 350 missiles [1]. The articles do not say. [2]", src, fake_embedder,
                            min_support=NO_SIM)  # fmt: skip
    assert mixed.answered and not mixed.refused and mixed.text == "Iran launched 350 missiles [1]."
    assert "not a claim" in (mixed.sentences[1].reason or "")


def test_a_number_the_question_gives_is_still_a_claim_the_cited_passage_must_hold(fake_embedder) -> None:
    from qa.question import analyze_question

    slot = analyze_question("Why did diplomacy stop after the 12-day war?")
    v = check_citations("Worries deepened after the 12-day war [1].", sources(MISSILES), fake_embedder,
                        min_support=NO_SIM, slot=slot)  # fmt: skip
    assert not v.answered and "12" in (v.sentences[0].reason or "")


DENIAL_AR = "ولطالما نفت طهران سعيها لامتلاك أسلحة نووية، مؤكدة أن برنامجها النووي سلمي بحت."
DENIAL_EN = "Tehran has long denied seeking nuclear weapons, saying its nuclear programme is purely peaceful."


@pytest.mark.parametrize(
    ("answer", "kept"),
    [
        ("Tehran is seeking nuclear weapons [1].", False),  # the denied clause, asserted
        ("Tehran has long denied seeking nuclear weapons [1].", True),  # the denial itself
        ("Tehran does not seek nuclear weapons [1].", True),  # a negation of its own
        ("Tehran says its nuclear programme is purely peaceful [1].", True),  # the other clause: no denial there
    ],
)
def test_a_sentence_that_asserts_what_its_passage_says_is_denied_is_dropped(fake_embedder, answer, kept) -> None:
    src = sources(DENIAL_EN, article=DENIAL_EN)
    v = check_citations(answer, src, fake_embedder, min_support=NO_SIM)
    assert v.sentences[0].verified is kept
    if not kept:
        assert "denied" in (v.sentences[0].reason or "") and "denied seeking" in (v.sentences[0].reason or "")


def test_an_arabic_sentence_that_reverses_an_arabic_denial_is_dropped(fake_embedder) -> None:
    src = sources(DENIAL_AR, article=DENIAL_AR)
    reversed_claim = check_citations("تسعى طهران لامتلاك أسلحة نووية [1].", src, fake_embedder, min_support=NO_SIM)
    assert not reversed_claim.answered and "نفت" in (reversed_claim.sentences[0].reason or "")
    for fine in ("نفت طهران سعيها لامتلاك أسلحة نووية [1].", "تؤكد طهران أن برنامجها النووي سلمي بحت [1]."):
        assert check_citations(fine, src, fake_embedder, min_support=NO_SIM).answered, fine


def test_citing_a_vaguer_passage_does_not_dodge_the_denial_of_the_closest_one(fake_embedder) -> None:
    vague = "Tehran and Washington exchanged messages about the nuclear programme."
    article = f"{DENIAL_EN} {vague}"
    src = sources(DENIAL_EN, vague, article=article)
    v = check_citations("Tehran is seeking nuclear weapons [2].", src, fake_embedder, min_support=NO_SIM)
    assert not v.answered and "says is denied" in (v.sentences[0].reason or "")  # re-cited to it, or the closest
    fine = check_citations("Tehran and Washington exchanged messages [2].", src, fake_embedder, min_support=NO_SIM)
    assert fine.answered


def test_the_cited_articles_outlet_named_in_latin_script_is_held_by_its_metadata(fake_embedder) -> None:  # type: ignore[no-untyped-def]
    """Archive outlets are Latin ("Al-Weeam"): naming the cited article's outlet is no fact missing from its text."""
    (src,) = sources(MISSILES)
    of = src.passage.chunk.model_copy(update={"outlet": "Al-Weeam"})
    cited = [src.__class__(src.passage.model_copy(update={"chunk": of}), src.start, src.end, src.text, src.score)]
    answer = f"According to Al-Weeam [1]: «{MISSILES}»"
    assert check_citations(answer, cited, fake_embedder, min_support=NO_SIM).answered
    # Another outlet than the cited article's is still a name the passage does not hold.
    other = f"According to Okaz [1]: «{MISSILES}»"
    verdict = check_citations(other, cited, fake_embedder, min_support=NO_SIM)
    assert not verdict.answered and "Okaz" in (verdict.sentences[0].reason or "")
