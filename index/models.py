"""Data that crosses the `index` package boundary: articles and their chunks.

Frozen pydantic models, so a value handed to the pipeline cannot be changed
behind its back. The store adapter converts to and from Chroma's dicts; no
Chroma or llama-index type leaves `index`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Article(BaseModel):
    """One cleaned news article, ready to chunk.

    `text` is the cleaned body (title excluded); every chunk offset and every
    citation offset is an index into this string.
    """

    model_config = ConfigDict(frozen=True)

    id: str = Field(min_length=1, description="Stable id: a hash of the cleaned title and text.")
    title: str = Field(description="Headline, or the first sentence when the source has none.")
    outlet: str | None = Field(default=None, description="Publishing outlet, e.g. from a 'source:' line.")
    date: str | None = Field(default=None, description="The date the article states, as written.")
    text: str = Field(min_length=1, description="Cleaned body text.")
    source: str = Field(description="Where it came from: file name, plus '#n' for the n-th article in it.")


class Chunk(BaseModel):
    """A span of an article's cleaned text: `text == article.text[start:end]`."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(min_length=1)
    article_id: str
    title: str
    outlet: str | None = None
    date: str | None = None
    text: str = Field(min_length=1)
    start: int = Field(ge=0)
    end: int = Field(gt=0)
    ordinal: int = Field(ge=0, description="Position of the chunk in its article.")

    @model_validator(mode="after")
    def _span_matches_text(self) -> Chunk:
        if self.end - self.start != len(self.text):
            raise ValueError(
                f"chunk {self.id}: span {self.start}-{self.end} does not match text length {len(self.text)}"
            )
        return self
