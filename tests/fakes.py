"""A scripted fake LLM and helpers to build numbered sources, for logic tests of generation and checking."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from qa.extractive import Candidate
from qa.models import Chunk, Passage


class ScriptedLLM:
    """Replies with the scripted texts in turn (streamed word by word) and records the prompts it was given."""

    name = "scripted"

    def __init__(self, *replies: str | Callable[[str], str]) -> None:
        """Each reply is a text, or a function of the last (user) message that returns one."""
        self.replies = list(replies)
        self.prompts: list[list[tuple[str, str]]] = []

    def stream(self, messages: Sequence[tuple[str, str]]) -> Iterator[str]:
        self.prompts.append(list(messages))
        script = self.replies.pop(0)
        reply = script if isinstance(script, str) else script(messages[-1][1])
        for i, word in enumerate(reply.split(" ")):
            yield word if i == 0 else " " + word


ARTICLE = (
    "وكانت إيران أطلقت 350 صاروخا بالستيا وطائرة بدون طيار باتجاه إسرائيل في 13 أبريل. "
    "وجرت المحادثات غير المباشرة في عُمان يوم الثلاثاء بحضور بريت ماكغورك. "
    "the talks took place in oman on tuesday with brett mcgurk present."
)


def sources(*texts: str, article: str = ARTICLE) -> list[Candidate]:
    """Numbered sources, each a sentence of `article` found by its text (so offsets are exact)."""
    out = []
    for rank, text in enumerate(texts, start=1):
        start = article.index(text)
        end = start + len(text)
        chunk = Chunk(id=f"a-{start}-{end}", article_id="a", title="t", text=text, start=start, end=end, ordinal=0)
        out.append(Candidate(Passage(chunk=chunk, score=0.9, rank=rank), start, end, text, 0.9))
    return out


MISSILES = "وكانت إيران أطلقت 350 صاروخا بالستيا وطائرة بدون طيار باتجاه إسرائيل في 13 أبريل."
TALKS = "وجرت المحادثات غير المباشرة في عُمان يوم الثلاثاء بحضور بريت ماكغورك."
TALKS_EN = "the talks took place in oman on tuesday with brett mcgurk present."


def passage_number(user_message: str, needle: str) -> int:
    """The number of the prompt passage that contains `needle`."""
    for m in re.finditer(r'<passage n="(\d+)">\n(.*?)\n</passage>', user_message, re.S):
        if needle in m.group(2):
            return int(m.group(1))
    raise AssertionError(f"no passage holds {needle!r}")
