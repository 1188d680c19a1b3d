"""Data the query API returns: passages, citations and answers (frozen pydantic models)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from index.models import Article, Chunk

Language = Literal["ar", "en"]

__all__ = ["Answer", "Article", "Chunk", "Citation", "Language", "Passage"]


class Passage(BaseModel):
    """A retrieved chunk with its similarity to the question (higher is closer)."""

    model_config = ConfigDict(frozen=True)

    chunk: Chunk
    score: float
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
