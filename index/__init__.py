"""Cleaning, chunking and embedding news articles into a Chroma store.

Depends on nothing in `qa`; `qa` builds on it.
"""

from index.chunk import chunk_article, split_sentences
from index.clean import clean_document
from index.embed import Embedder, load_embedder
from index.errors import (
    IndexMissingError,
    InputError,
    ModelUnavailableError,
    NewsQAError,
    StoreChangedError,
    StoreMismatchError,
)
from index.ingest import IngestFailure, IngestReport, ingest
from index.load import find_article_files, read_articles
from index.models import Article, Chunk
from index.store import ChunkStore

__all__ = [
    "Article",
    "Chunk",
    "ChunkStore",
    "Embedder",
    "IndexMissingError",
    "IngestFailure",
    "IngestReport",
    "InputError",
    "ModelUnavailableError",
    "NewsQAError",
    "StoreChangedError",
    "StoreMismatchError",
    "chunk_article",
    "clean_document",
    "find_article_files",
    "ingest",
    "load_embedder",
    "read_articles",
    "split_sentences",
]
