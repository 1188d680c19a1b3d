"""Question answering over Arabic news articles, with cited answers.

The public API: `Assistant(settings)` with `ingest`, `retrieve` and `ask`, the
`Settings`, the returned models and the project's exceptions. Importing this
package does not load a model or import torch.
"""

from index.errors import IndexMissingError, InputError, ModelUnavailableError, NewsQAError, StoreMismatchError
from index.ingest import IngestFailure, IngestReport
from qa.assistant import Assistant
from qa.models import Answer, Article, Chunk, Citation, Passage
from qa.settings import Settings

__all__ = [
    "Answer",
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
    "Settings",
    "StoreMismatchError",
]
