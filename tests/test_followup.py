"""Follow-up questions rewritten to stand alone: by carry-over without a model, by the model with one."""

from __future__ import annotations

import pytest

from qa.followup import carry_over, looks_like_follow_up, standalone_question
from tests.fakes import ScriptedLLM

MISSILES_Q = "How many missiles did Iran launch at Israel?"
TALKS_Q = "أين جرت المحادثات غير المباشرة بين إيران والولايات المتحدة؟"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("and how many drones?", True),
        ("ومن كان الوسيط؟", True),
        ("What did they say about it?", True),
        ("When did the International Atomic Energy Agency announce its inspection visit to Iran?", False),
        ("ما موقف الوكالة الدولية للطاقة الذرية من مخزونات اليورانيوم الإيرانية المخصب؟", False),
    ],
)
def test_follow_up_detection(question: str, expected: bool) -> None:
    assert looks_like_follow_up(question) is expected


def test_carry_over_brings_back_the_previous_entities() -> None:
    got = carry_over("and how many drones?", [(MISSILES_Q, "Iran launched 350 missiles [1].")])
    assert got.startswith("and how many drones?")
    assert all(w in got for w in ("Iran", "Israel", "missiles", "launch"))
    arabic = carry_over("ومن كان الوسيط؟", [(TALKS_Q, "في عُمان [1].")])
    assert "إيران" in arabic and "المحادثات" in arabic and "الوسيط" in arabic


def test_without_a_model_a_follow_up_is_carried_over_and_a_new_question_is_left_alone() -> None:
    history = [(MISSILES_Q, "Iran launched 350 missiles [1].")]
    assert "Iran" in standalone_question("and how many drones?", history, None)
    new = "When did the International Atomic Energy Agency announce its inspection visit to Iran?"
    assert standalone_question(new, history, None) == new
    assert standalone_question("and how many drones?", [], None) == "and how many drones?"


def test_the_model_rewrites_when_there_is_one() -> None:
    llm = ScriptedLLM("How many drones did Iran launch at Israel?\n")
    got = standalone_question("and how many drones?", [(MISSILES_Q, "350 [1].")], llm)
    assert got == "How many drones did Iran launch at Israel?"
    assert MISSILES_Q in llm.prompts[0][-1][1]  # the earlier question was in the prompt


def test_an_unusable_rewrite_falls_back_to_carry_over() -> None:
    llm = ScriptedLLM("أطلقت إيران 350 طائرة مسيرة.")  # an Arabic answer, not an English question
    got = standalone_question("and how many drones?", [(MISSILES_Q, "350 [1].")], llm)
    assert got == carry_over("and how many drones?", [(MISSILES_Q, "350 [1].")])


@pytest.mark.parametrize(
    "rewrite",
    [
        "من مثّل الجانب الأميركي؟",  # the follow-up restated: nothing of the conversation brought back
        "من مثّل وزير الخارجية الفرنسي؟",  # a referent the conversation never named
    ],
)
def test_a_rewrite_that_brings_back_nothing_of_the_earlier_questions_gives_way_to_carry_over(rewrite: str) -> None:
    history = [("أين أجرى المسؤولون الأميركيون والإيرانيون محادثاتهم غير المباشرة؟", "في عُمان [1].")]
    question = "ومن مثّل الجانب الأميركي؟"
    got = standalone_question(question, history, ScriptedLLM(rewrite))
    assert got == carry_over(question, history) and "محادثاتهم" in got


def test_a_rewrite_naming_the_earlier_referent_is_kept() -> None:
    history = [("Who is Rafael Grossi?", "The IAEA's director general [1].")]
    llm = ScriptedLLM("What did Rafael Grossi say about Tehran recently?")
    assert standalone_question("What did he say about Tehran recently?", history, llm) == (
        "What did Rafael Grossi say about Tehran recently?"
    )
