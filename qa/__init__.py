"""Question answering over Arabic news articles, with cited answers.

The public API: `Assistant(settings)` with `ingest`, `retrieve`, `ask` and `ask_stream`, the
`Settings`, the returned models and the project's exceptions. Importing this
package does not load a model or import torch.
"""

from index.errors import (
    IndexMissingError,
    InputError,
    ModelUnavailableError,
    NewsQAError,
    StoreChangedError,
    StoreMismatchError,
)
from index.ingest import IngestFailure, IngestReport
from qa.assistant import Assistant
from qa.citations import VerifiedAnswer, check_citations
from qa.models import Answer, AnswerEvent, Article, Chunk, Citation, Passage, SentenceCheck
from qa.retrieve import RetrievalFilter
from qa.settings import Settings

__all__ = [
    "Answer",
    "AnswerEvent",
    "Article",
    "Assistant",
    "Chunk",
    "Citation",
    "IndexMissingError",
    "IngestFailure",
    "IngestReport",
    "InputError",
    "ModelUnavailableError",
    "NewsQAError",
    "Passage",
    "RetrievalFilter",
    "SentenceCheck",
    "Settings",
    "StoreChangedError",
    "StoreMismatchError",
    "VerifiedAnswer",
    "check_citations",
]
