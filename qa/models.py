"""Data the query API returns: passages, citations and answers (frozen pydantic models)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from index.models import Article, Chunk

Language = Literal["ar", "en"]

__all__ = ["Answer", "AnswerEvent", "Article", "Chunk", "Citation", "Language", "Passage", "SentenceCheck"]


class Passage(BaseModel):
    """A retrieved chunk: `score` is its dense (cosine) similarity to the question, `fused` the hybrid score.

    Passages are ranked by `fused` (dense plus weighted lexical, see `qa.retrieve`); `score`
    stays the cosine so that similarity thresholds keep their meaning.
    """

    model_config = ConfigDict(frozen=True)

    chunk: Chunk
    score: float = Field(description="Cosine similarity of question and passage vectors.")
    fused: float | None = Field(None, description="The hybrid score that set the rank (None: dense only).")
    rank: int = Field(ge=1)


class Citation(BaseModel):
    """What marker `[marker]` in an answer points at: an exact span of a cleaned article."""

    model_config = ConfigDict(frozen=True)

    marker: int = Field(ge=1)
    article_id: str
    title: str
    outlet: str | None = None
    date: str | None = None
    chunk_id: str
    quote: str = Field(min_length=1, description="Exactly the article's text from start to end.")
    start: int = Field(ge=0)
    end: int = Field(gt=0)
    also_reported_by: tuple[str, ...] = Field(
        (),
        description="Other outlets whose articles are copies of the cited one (the same story, `index.dedup`).",
    )
    rendering: str | None = Field(
        None,
        description="A machine rendering of the claim in the question's language (the model's sentence that cites "
        "this span and passed the checks); the quote stays the evidence.",
    )


class SentenceCheck(BaseModel):
    """The citation checker's verdict on one generated sentence (see `qa.citations`)."""

    model_config = ConfigDict(frozen=True)

    text: str = Field(description="The sentence as the model wrote it, markers included.")
    cited: tuple[int, ...] = Field((), description="The marker numbers the model wrote.")
    markers: tuple[int, ...] = Field((), description="Its markers in the shown answer (empty when dropped).")
    verified: bool
    reason: str | None = Field(None, description="Why it was dropped.")
    note: str | None = Field(None, description="Repairs made to a kept sentence (citations removed or added).")
    support: float | None = Field(None, description="Similarity to the best cited span.")
    answers: bool | None = Field(None, description="Whether it fills the question's slot (None: not reached).")


def total_ms(timings: dict[str, float]) -> float:
    """Milliseconds an answer took: its stages summed, first_token counted once (it is inside generation)."""
    return sum(v for k, v in timings.items() if k != "first_token")


class Answer(BaseModel):
    """An answer in the question's language, with the citations its markers refer to."""

    model_config = ConfigDict(frozen=True)

    question: str
    text: str
    language: Language
    answered: bool = Field(description="False when the articles do not answer the question.")
    citations: tuple[Citation, ...] = ()
    passages: tuple[Passage, ...] = ()
    backend: str = "extractive"
    timings: dict[str, float] = Field(default_factory=dict, description="Milliseconds per stage.")
    sentences: tuple[SentenceCheck, ...] = Field((), description="Per generated sentence: verified or why not.")
    standalone_question: str | None = Field(None, description="A follow-up rewritten to stand alone, as retrieved.")
    coverage: float | None = Field(
        None, description="Share of what the question names found in the retrieved passages (`qa.question.coverage`)."
    )
    answerability: float | None = Field(
        None, description="The learned P(the passages answer the question) (`qa.answerability`; None: not applied)."
    )
    draft: str | None = Field(None, description="The model's unchecked text (None for extractive answers).")


class AnswerEvent(BaseModel):
    """One step of a streamed answer: a draft token, or the final verified answer (which replaces the draft)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["token", "answer"]
    text: str = Field("", description="For tokens: the new piece of the draft.")
    answer: Answer | None = None
