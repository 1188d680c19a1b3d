"""The project's exception types.

Few of them, each raised with a message that says what went wrong and what to
do about it. The edges (CLI, UI) translate them. Library code never swallows
`Exception`, with one exception: a generative model that fails (an endpoint down, a
timeout) is logged and the extractive answer is shown instead (`qa.generate`).
"""

from __future__ import annotations


class NewsQAError(Exception):
    """Base class of every error this project raises on purpose."""


class InputError(NewsQAError, ValueError):
    """A question, file or setting was rejected; nothing was changed."""


class IndexMissingError(NewsQAError):
    """There is no index to answer from yet."""


class StoreUnavailableError(NewsQAError):
    """The Chroma server the settings name cannot be reached."""


class StoreMismatchError(NewsQAError):
    """The store was built with another embedding model or chunking than configured."""


class ModelUnavailableError(NewsQAError):
    """A model could not be loaded or materialised offline."""


class StoreChangedError(NewsQAError):
    """The articles an answer cited kept changing while it was answered (ask again)."""
