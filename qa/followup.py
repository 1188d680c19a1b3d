"""Follow-up questions made standalone before retrieval.

"and how many drones?" after "How many missiles did Iran launch at Israel?" means
"How many drones did Iran launch at Israel?"; retrieval needs the full question.
With a model, the model rewrites it (`qa.prompt.rewrite_messages`); its output is
used only when it looks like a question in the same language and brings back a term
of the earlier questions that the follow-up lacks (else it did not resolve anything). Without one (or
when the rewrite is unusable), the previous question's content words that the
follow-up lacks are carried over: crude, but it brings the entities back, which
is what the embedding search needs.

A question that does not look like a follow-up (long, no leading "and"/"و",
no pronoun) is left alone, so a change of topic is not polluted.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Sequence

from index.lexical import Analyzer
from index.normalize import normalize
from qa.language import detect_language
from qa.llm import ChatModel
from qa.prompt import rewrite_messages

log = logging.getLogger(__name__)

_WORD = re.compile(r"[^\W_]+")
_EN_STOP = frozenset(
    "a an the and or but so of to in on at by for from with about as is are was were be been did do does done "
    "has have had will would can could should what which who whom whose when where why how many much "
    "it its they them their he him his she her this that these those there then also too else more again "
    "please tell me us".split()
)
# Normalised (index.normalize) Arabic particles, question words and pronouns.
_AR_STOP = frozenset(
    normalize(w)
    for w in (
        "و ف ثم او أو أم في على من إلى الى عن مع هل ما ماذا من كم كيف متى أين لماذا أي التي الذي الذين "
        "هو هي هم هن هما ذلك تلك هذا هذه هؤلاء كان كانت عند ايضا أيضا وماذا ومن وكم وكيف ومتى وأين ولماذا"
    ).split()
)
# Pronouns standing for something named earlier (possessives and demonstratives usually come with their noun).
_EN_PRONOUNS = frozenset("it they them he him she".split())
_AR_PRONOUNS = frozenset(normalize(w) for w in "هو هي هم هن هما".split())
_LEADING = re.compile(r"^\s*(and|also|what about|how about|so|then)\b|^\s*(و|ف|ماذا عن)", re.IGNORECASE)
#: A question with at most this many content words is read as a follow-up.
SHORT = 3


def content_words(text: str) -> list[str]:
    """Words that carry meaning (not particles, question words or pronouns), in order, as written."""
    out = []
    for w in _WORD.findall(text):
        n = normalize(w)
        if n in _EN_STOP or n in _AR_STOP or len(n) < 2:
            continue
        out.append(w)
    return out


def looks_like_follow_up(question: str) -> bool:
    """Short, or opening with "and"/"و"/"what about", or leaning on a pronoun."""
    words = [normalize(w) for w in _WORD.findall(question)]
    if _LEADING.search(question) or len(content_words(question)) <= SHORT:
        return True
    return any(w in _EN_PRONOUNS or w in _AR_PRONOUNS for w in words)


def carry_over(question: str, history: Sequence[tuple[str, str]]) -> str:
    """The question followed by the previous question's content words it does not already have."""
    if not history:
        return question
    have = {normalize(w) for w in content_words(question)}
    carried = [w for w in content_words(history[-1][0]) if normalize(w) not in have]
    carried = list(dict.fromkeys(carried))
    return f"{question} ({' '.join(carried)})" if carried else question


def standalone_question(question: str, history: Sequence[tuple[str, str]], llm: ChatModel | None) -> str:
    """`question` rewritten to stand alone given `history` (unchanged when it is not a follow-up)."""
    if not history or not looks_like_follow_up(question):
        return question
    if llm is not None:
        try:
            rewritten = _first_line("".join(llm.stream(rewrite_messages(question, history))))
        except Exception as exc:  # an endpoint down or timing out: the carry-over still makes it standalone
            log.warning("follow-up rewrite by %s failed (%s); carrying over instead", llm.name, type(exc).__name__)
            rewritten = ""
        if _usable(rewritten, question) and _brings_back(rewritten, question, history):
            return rewritten
    return carry_over(question, history)


def _first_line(text: str) -> str:
    line = next((ln for ln in text.strip().splitlines() if ln.strip()), "")
    return line.strip().strip('"“”«»').strip()


@functools.cache
def _analyzer() -> Analyzer:
    return Analyzer("light")


def _brings_back(rewritten: str, question: str, history: Sequence[tuple[str, str]]) -> bool:
    """Whether the rewrite holds a term of the earlier questions that the follow-up lacks (stemmed, as the index).

    A rewrite that only restates the follow-up ("من مثّل الجانب الأميركي؟" for "ومن مثّل الجانب الأميركي؟") or
    swaps its referent for one the conversation never named ("ماذا قال إيران" after a question on Vedant Patel)
    is what the 1.5B model gave for 4 of the seed set's 12 follow-ups; the carry-over at least brings the
    referent back.
    """
    analyze = _analyzer()
    earlier = set(analyze(" ".join(q for q, _ in history[-3:]))) - set(analyze(question))
    return bool(earlier & set(analyze(rewritten)))


def _usable(rewritten: str, question: str) -> bool:
    """A rewrite is kept when it is a plausible question in the question's language, not an answer or an essay."""
    return (
        bool(rewritten)
        and len(rewritten) <= max(200, 4 * len(question))
        and detect_language(rewritten) == detect_language(question)
        and len(content_words(rewritten)) >= len(content_words(question))
    )
