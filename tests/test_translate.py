"""English questions rendered in Arabic for retrieval (qa.translate), on a scripted fake model."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from qa.translate import (
    MAX_TOKENS,
    QuestionTranslator,
    clean_rendering,
    keep_numbers,
    numbers_of,
    query_extras,
    translate_messages,
)
from tests.conftest import FakeEmbedder


class FakeModel:
    """Streams a fixed reply (or one computed from the question) word by word; counts its calls."""

    def __init__(self, reply: str = "أين جرت المحادثات؟", name: str = "fake-model", fail: bool = False) -> None:
        self.reply = reply
        self.name = name
        self.fail = fail
        self.calls = 0
        self.pieces_sent = 0
        self._lock = threading.Lock()

    def stream(self, messages: Sequence[tuple[str, str]]) -> Iterator[str]:
        with self._lock:
            self.calls += 1
        if self.fail:
            raise ConnectionError("endpoint down")
        for i, word in enumerate(self.reply.split(" ")):
            self.pieces_sent += 1
            yield word if i == 0 else " " + word


def test_a_rendering_is_cached_and_a_hit_does_not_call_the_model(tmp_path: Path) -> None:
    model = FakeModel("أين جرت المحادثات غير المباشرة؟")
    t = QuestionTranslator(model, tmp_path)
    assert t.cached("Where were the indirect talks held?") is None and model.calls == 0
    assert t.translate("Where were the indirect talks held?") == "أين جرت المحادثات غير المباشرة؟"
    again = QuestionTranslator(model, tmp_path).lookup("Where were the indirect talks held?")  # a new process
    assert again.text == "أين جرت المحادثات غير المباشرة؟" and again.cached and model.calls == 1
    assert again.seconds == t.cached("Where were the indirect talks held?").seconds  # type: ignore[union-attr]
    files = list((tmp_path / "translations").glob("*.json"))
    assert len(files) == 1 and files[0].stem == t.key("Where were the indirect talks held?")
    record = json.loads(files[0].read_text(encoding="utf-8"))
    assert record["model"] == "fake-model" and record["question"] == "Where were the indirect talks held?"
    other = QuestionTranslator(FakeModel(name="other-model"), tmp_path)
    assert other.key("Where were the indirect talks held?") != t.key("Where were the indirect talks held?")


def test_arabic_questions_are_not_translated(tmp_path: Path) -> None:
    model = FakeModel()
    t = QuestionTranslator(model, tmp_path)
    assert t.translate("أين جرت المحادثات؟") is None and t.translate("   ") is None
    assert model.calls == 0 and not (tmp_path / "translations").exists()
    assert query_extras("أين جرت المحادثات؟", t, FakeEmbedder()).as_kwargs() == {
        "lexical_text": None, "extra_vector": None,
    }  # fmt: skip


def test_the_questions_numbers_survive(tmp_path: Path) -> None:
    assert numbers_of("In 1066, 3.5 km and ٢٠٢٤ and 1066 again") == ["1066", "3.5", "2024"]
    assert keep_numbers("How many in 2015 and 50?", "كم عددهم في ٢٠١٥؟") == "كم عددهم في ٢٠١٥؟ 50"
    assert keep_numbers("No numbers here?", "لا أرقام؟") == "لا أرقام؟"
    t = QuestionTranslator(FakeModel("كم نقطة سجل الفريق في الموسم؟"), tmp_path)
    assert t.translate("How many points did the team score in the 2015 season, in week 7?") == (
        "كم نقطة سجل الفريق في الموسم؟ 2015 7"
    )
    kept = QuestionTranslator(FakeModel("ماذا حدث في عام 1066؟"), tmp_path / "b")
    assert kept.translate("What happened in 1066?") == "ماذا حدث في عام 1066؟"


@pytest.mark.parametrize(
    ("reply", "why"),
    [
        ("", "empty"),
        ("Where were the talks held?", "not Arabic"),
        (" ".join(["المحادثات"] * 200), "far too long"),
        ("من أعتذر، ولكنني لا أستطيع تقديم هذا الإجابة.", "the model declining, in Arabic"),
        ("عذراً، لا يمكنني ترجمة هذا السؤال.", "the model declining, in Arabic"),
    ],
)
def test_unusable_output_gives_none_and_is_cached(tmp_path: Path, reply: str, why: str) -> None:
    model = FakeModel(reply)
    t = QuestionTranslator(model, tmp_path, max_tokens=500)
    assert t.translate("Where were the talks held?") is None, why
    assert t.translate("Where were the talks held?") is None and model.calls == 1, "greedy: the same output again"


def test_a_question_about_an_apology_keeps_its_rendering(tmp_path: Path) -> None:
    t = QuestionTranslator(FakeModel("لماذا اعتذر الفريق الحكومي للهيئة؟"), tmp_path)
    assert t.translate("Why did the government team apologize to the panel?") == "لماذا اعتذر الفريق الحكومي للهيئة؟"
    plain = QuestionTranslator(FakeModel("لماذا اعتذر الفريق الحكومي للهيئة؟"), tmp_path / "b")
    assert plain.translate("What did the government team tell the panel?") is None  # no apology asked: the model's
    # A Roman numeral is no first person: the model declining stays unusable for a question on World War I.
    war = QuestionTranslator(FakeModel("أعتذر، ولكنني لا أستطيع الإجابة."), tmp_path / "c")
    assert war.translate("When did World War I end?") is None
    assert QuestionTranslator(FakeModel("هل يمكنني الاعتذار؟"), tmp_path / "d").translate("Can I apologise?")


def test_a_model_error_gives_none_and_is_not_cached(tmp_path: Path) -> None:
    model = FakeModel(fail=True)
    t = QuestionTranslator(model, tmp_path)
    assert t.translate("Where were the talks held?") is None
    model.fail = False
    assert t.translate("Where were the talks held?") == "أين جرت المحادثات؟" and model.calls == 2


def test_generation_stops_at_the_cap_and_at_the_end_of_the_line(tmp_path: Path) -> None:
    long = FakeModel(" ".join(["كلمة"] * 100))
    QuestionTranslator(long, tmp_path / "a").translate("What is it?")
    assert long.pieces_sent == MAX_TOKENS
    chatty = FakeModel("أين جرت المحادثات؟\nThe question asks where the talks took place and more words follow")
    assert QuestionTranslator(chatty, tmp_path / "b").translate("Where were the talks?") == "أين جرت المحادثات؟"
    assert chatty.pieces_sent < 6
    assert clean_rendering('Arabic: "أين جرت المحادثات؟"\n') == "أين جرت المحادثات؟"
    assert clean_rendering("الترجمة: «كم عدد الصواريخ؟»") == "كم عدد الصواريخ؟"


def test_concurrent_writers_leave_whole_files(tmp_path: Path) -> None:
    questions = [f"Where were talks number {i} held?" for i in range(8)]
    model = FakeModel("أين جرت المحادثات؟")
    start = threading.Barrier(16)
    errors: list[BaseException] = []

    def work(q: str) -> None:
        try:
            start.wait()
            for _ in range(5):  # the same keys again and again, by several writers at once
                assert QuestionTranslator(model, tmp_path).translate(q) is not None
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(q,)) for q in questions + questions]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    files = sorted((tmp_path / "translations").iterdir())
    assert len(files) == len(questions), [f.name for f in files]  # no temporary file left behind
    for f in files:
        assert json.loads(f.read_text(encoding="utf-8"))["translation"].startswith("أين جرت المحادثات؟")


def test_the_prompt_keeps_a_fixed_prefix_and_ends_with_the_question() -> None:
    a, b = translate_messages("First?"), translate_messages("Second?")
    assert a[:-1] == b[:-1] and a[-1] == ("user", "First?")
    assert "number" in a[0][1].lower() and "name" in a[0][1].lower()


def test_query_extras_embed_the_rendering(tmp_path: Path) -> None:
    emb = FakeEmbedder()
    extras = query_extras("Where were the talks?", QuestionTranslator(FakeModel(), tmp_path), emb)
    assert extras.lexical_text == "Where were the talks? أين جرت المحادثات؟"
    assert extras.extra_vector == emb.embed_query("أين جرت المحادثات؟")
    assert query_extras("Where were the talks?", None, emb).lexical_text is None


def test_the_assistant_uses_the_rendering_only_when_asked(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from qa.assistant import Assistant
    from tests.conftest import CORPUS
    from tests.fakes import ScriptedLLM

    settings = settings.model_copy(update={"cache_dir": tmp_path / "cache"})  # a fresh translation cache
    question = "How many missiles did Iran launch at Israel?"
    rendering = "كم صاروخا أطلقت إيران على إسرائيل؟"
    off = Assistant(settings.model_copy(update={"backend": "local"}), embedder=FakeEmbedder(), llm=ScriptedLLM())
    off.ingest([CORPUS])
    plain = off.retrieve(question)
    assert off.llm is not None and off.llm.prompts == []  # type: ignore[attr-defined]
    llm = ScriptedLLM(rendering)
    on = Assistant(settings.model_copy(update={"backend": "local", "translate_questions": True}),
                   embedder=FakeEmbedder(), llm=llm)  # fmt: skip
    translated = on.retrieve(question)
    assert len(llm.prompts) == 1 and question in llm.prompts[0][-1][1]
    # The fake embedder scores by shared words: the Arabic rendering brings the Arabic passage on "350" up.
    assert "350" in translated[0].chunk.text and [p.chunk.id for p in translated] != [p.chunk.id for p in plain]
    assert on.retrieve(question) and len(llm.prompts) == 1  # cached: the model is not asked again


# --- English sentences from Arabic evidence (EvidenceRenderer) ---------------------------------------------------

EVIDENCE = "وكانت إيران أطلقت 350 صاروخا بالستيا وطائرة بدون طيار باتجاه إسرائيل في 13 أبريل."
ASKED = "How many missiles did Iran launch?"


def test_an_evidence_rendering_is_cached_per_question_and_sentence_apart_from_translations(tmp_path: Path) -> None:
    from qa.translate import EvidenceRenderer

    model = FakeModel("Iran launched 350 ballistic missiles and drones towards Israel.")
    r = EvidenceRenderer(model, tmp_path)
    assert r.render(EVIDENCE, ASKED) == "Iran launched 350 ballistic missiles and drones towards Israel."
    assert EvidenceRenderer(model, tmp_path).render(EVIDENCE, ASKED) and model.calls == 1  # cached
    assert r.render(EVIDENCE, "When did Iran launch its missiles?") and model.calls == 2  # another question
    assert {p.parent.name for p in tmp_path.rglob("*.json")} == {"renderings"}
    user = model_prompts(r, EVIDENCE, ASKED)[-1]
    assert user == ("user", f"Question: {ASKED}\nArabic sentence: {EVIDENCE}")


def model_prompts(renderer, sentence: str, question: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    from qa.translate import _evidence_request

    messages = renderer.messages(_evidence_request(question, sentence))
    assert messages[0][0] == "system" and [role for role, _ in messages[1:-1]] == ["user", "assistant"] * 3
    return messages


@pytest.mark.parametrize(
    "reply",
    [
        "NONE",  # the sentence does not answer: the model says so
        "The sentence does not say how many missiles were launched.",
        "I'm sorry, but I cannot assist with that.",  # the model declines
        "وكانت إيران أطلقت 350 صاروخا",  # not English
        "Here is the translation of the sentence you gave me",  # talks about translating
        "Iran launched missiles. " * 30,  # went on far longer than the request
        "",
    ],
)
def test_an_unusable_evidence_rendering_is_none(tmp_path: Path, reply: str) -> None:
    from qa.translate import EvidenceRenderer

    assert EvidenceRenderer(FakeModel(reply), tmp_path, max_tokens=400).render(EVIDENCE, ASKED) is None


def test_an_evidence_rendering_loses_labels_quotes_and_markers_and_needs_arabic_evidence(tmp_path: Path) -> None:
    from qa.translate import EvidenceRenderer

    model = FakeModel('Answer: "Iran launched 350 missiles at Israel [1]."\nIt also said more.')
    r = EvidenceRenderer(model, tmp_path)
    assert r.render(EVIDENCE, ASKED) == "Iran launched 350 missiles at Israel."
    assert r.render("the talks took place in oman on tuesday.", ASKED) is None  # English evidence
    assert r.render(EVIDENCE, "كم صاروخا أطلقت إيران؟") is None and model.calls == 1  # an Arabic question
    assert EvidenceRenderer(FakeModel(fail=True), tmp_path / "x").render(EVIDENCE, ASKED) is None  # a model error
    assert not list((tmp_path / "x").rglob("*.json"))  # ... is not cached: the next call tries again


# --- The rendering in the sentence order (qa.extractive.with_rendering) --------------------------------------------


def test_the_rendering_orders_the_arabic_sentences_and_leaves_their_cosine_alone() -> None:
    import numpy as np

    from qa.extractive import candidate_sentences, rank_sources, sentence_vectors, with_rendering
    from qa.models import Chunk, Passage
    from qa.question import analyze_question

    text = (
        "وجرت المحادثات غير المباشرة في عُمان يوم الثلاثاء بحضور كبار المسؤولين. "
        "وكانت إيران أطلقت 350 صاروخا بالستيا وطائرة بدون طيار باتجاه إسرائيل."
    )
    chunk = Chunk(id="c0", article_id="a", title="t", text=text, start=0, end=len(text), ordinal=0)
    emb = FakeEmbedder()
    question = "How many missiles did Iran launch?"  # shares no word with either Arabic sentence
    slot = analyze_question(question)
    candidates = candidate_sentences([Passage(chunk=chunk, score=0.9, rank=1)])
    vectors = sentence_vectors(candidates, emb)
    scored = rank_sources(emb.embed_query(question), candidates, emb, slot, vectors)
    ordered = with_rendering(scored, candidates, vectors, "كم صاروخا أطلقت إيران باتجاه إسرائيل؟", emb, slot)
    assert "350" in ordered[0].text
    assert {c.text: c.score for c in ordered} == {c.text: c.score for c in scored}  # thresholds read the cosine
    assert all(c.order_score is not None for c in ordered)
    # A rendering that matches the other sentence puts it first among those that answer equally.
    talks = with_rendering(scored, candidates, vectors, "أين جرت المحادثات غير المباشرة يوم الثلاثاء؟", emb, slot)
    by_order = sorted(talks, key=lambda c: -c.order)
    assert "الثلاثاء" in by_order[0].text and np.isfinite([c.order for c in talks]).all()


def test_with_the_opt_in_an_answer_asks_for_the_rendering_once(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from qa.assistant import Assistant
    from tests.conftest import CORPUS
    from tests.fakes import ScriptedLLM

    settings = settings.model_copy(update={
        "cache_dir": tmp_path / "cache", "backend": "local", "translate_questions": True, "min_relevance_en": -1.0,
        "answerability_model": False,
    })  # fmt: skip
    rendering = "كم صاروخا أطلقت إيران على إسرائيل؟"
    llm = ScriptedLLM(rendering, "The articles do not say.")
    assistant = Assistant(settings, embedder=FakeEmbedder(), llm=llm)
    assistant.ingest([CORPUS])
    answer = assistant.ask("How many missiles did Iran launch at Israel?")
    # Retrieval and the sentence order share one rendering (cached); then the answer prompt, then nothing more.
    assert len(llm.prompts) == 2 and "<passage" in llm.prompts[1][-1][1]
    assert answer.answered and "350" in answer.citations[0].quote


def test_an_arabic_question_never_loads_the_model_for_a_rendering(settings) -> None:  # type: ignore[no-untyped-def]
    from qa.assistant import Assistant
    from tests.conftest import CORPUS

    # Local backend and the rendering on, no model handed in: retrieval of an Arabic question must not load one.
    assistant = Assistant(settings.model_copy(update={"backend": "local", "translate_questions": True}),
                          embedder=FakeEmbedder())  # fmt: skip
    assistant.ingest([CORPUS])
    assert assistant.retrieve("كم صاروخا أطلقت إيران على إسرائيل؟")
    assert assistant._llm is None
