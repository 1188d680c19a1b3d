"""English questions rendered in Arabic by the local model, for retrieval over Arabic articles.

The articles are Arabic. An English question reaches them only through the
multilingual embedding: the lexical (BM25) side can match its numbers and Latin
names at most, and the dense side scores cross-language pairs lower and less
sharply than same-language ones. So an English question is first rendered in
Arabic by the generative model (a short prompt, greedy, at most
`MAX_TOKENS` tokens), and retrieval uses the rendering beside the question
(`qa.retrieve.HybridRetriever.retrieve`, `lexical_text` and `extra_vector`;
`query_extras` builds both). `bench/retrieval.py --translate` measured the
gain (see the README).

The rendering is only a search aid: it is never shown, quoted or answered
from. It is kept when it looks like an Arabic question (Arabic by
`qa.language.detect_language`, not empty, not far longer than the question);
the question's numbers must survive it, and any that do not are appended, since
numbers are what the lexical side matches best. Arabic questions are not
translated at all (`translate` returns None without calling the model).

Renderings are cached on disk, one small JSON file per question, named by the
sha256 of the model name, `PROMPT_VERSION` and the question, so a question is
translated once per model and prompt. Files are written to a unique temporary
name and renamed (`os.replace`), so concurrent writers never leave a torn file.
A model error is not cached (the next call tries again); an unusable output is.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from qa.language import detect_language
from qa.llm import ChatModel, Message

log = logging.getLogger(__name__)

#: Bump when the prompt or the clean-up changes: cached renderings of another version are not reused.
PROMPT_VERSION = 1
#: Longest rendering, in streamed pieces (one token each from llama.cpp).
MAX_TOKENS = 48
#: The cache folder's name inside the cache dir.
CACHE_FOLDER = "translations"

_SYSTEM = (
    "You translate questions from English into Arabic (Modern Standard Arabic). "
    "Keep every name, number and date. Reply with the Arabic question only, on one line."
)
# One worked example: a 1.5B model follows a shown format far better than a described one.
_EXAMPLE = (
    "How many missiles did Iran launch at Israel on 13 April 2024?",
    "كم عدد الصواريخ التي أطلقتها إيران على إسرائيل في 13 أبريل 2024؟",
)
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_LABEL = re.compile(r"^\s*(?:arabic|translation|الترجمة|السؤال)\s*[:：]\s*", re.IGNORECASE)
_ARABIC_DIGITS = str.maketrans({**{chr(0x0660 + i): str(i) for i in range(10)},
                                **{chr(0x06F0 + i): str(i) for i in range(10)}})  # fmt: skip


class Embeds(Protocol):
    """What `query_extras` needs from an embedder."""

    def embed_query(self, text: str) -> list[float]:
        """The query vector of `text`."""
        ...


def translate_messages(question: str) -> list[Message]:
    """The chat messages asking for the Arabic rendering of `question` (system and example stay fixed, so cached)."""
    return [("system", _SYSTEM), ("user", _EXAMPLE[0]), ("assistant", _EXAMPLE[1]), ("user", question)]


def numbers_of(text: str) -> list[str]:
    """The numbers written in `text` (ASCII digits; Arabic-Indic digits folded), in order, without repeats."""
    return list(dict.fromkeys(_DIGITS.findall(text.translate(_ARABIC_DIGITS))))


def keep_numbers(question: str, rendering: str) -> str:
    """`rendering` with the numbers of `question` it lacks appended (in the question's order)."""
    have = set(numbers_of(rendering))
    missing = [n for n in numbers_of(question) if n not in have]
    return f"{rendering} {' '.join(missing)}" if missing else rendering


def clean_rendering(raw: str) -> str:
    """The first non-empty line of a model reply, without quotes or a leading label."""
    line = next((ln for ln in raw.strip().splitlines() if ln.strip()), "")
    line = _LABEL.sub("", line.strip())
    return line.strip().strip("\"“”«»'").strip()


def usable(question: str, rendering: str) -> bool:
    """Whether a cleaned rendering can stand for the question: Arabic, not empty, not far longer."""
    return bool(rendering) and len(rendering) <= max(160, 3 * len(question)) and detect_language(rendering) == "ar"


@dataclass(frozen=True)
class Translation:
    """A rendering and how it was obtained (`seconds`: what the model took, as recorded in the cache for a hit)."""

    text: str | None
    cached: bool
    seconds: float


class QuestionTranslator:
    """English question -> Arabic rendering, by a chat model, cached on disk (see the module docstring)."""

    def __init__(self, llm: ChatModel, cache_dir: Path, *, max_tokens: int = MAX_TOKENS) -> None:
        """`cache_dir` is the project's cache dir (`Settings.cache_dir`); files go to its `translations/`."""
        self.llm = llm
        self.folder = Path(cache_dir) / CACHE_FOLDER
        self.max_tokens = max_tokens

    def key(self, question: str) -> str:
        """The cache key of `question` for this model and prompt version."""
        return hashlib.sha256(f"{self.llm.name}\n{PROMPT_VERSION}\n{question.strip()}".encode()).hexdigest()

    def translate(self, question: str) -> str | None:
        """The Arabic rendering of an English `question`, or None (Arabic question, model failed, output unusable)."""
        return self.lookup(question).text

    def lookup(self, question: str) -> Translation:
        """`translate`, telling also whether the cache answered and how long the model took."""
        question = question.strip()
        if not question or detect_language(question) != "en":
            return Translation(None, cached=False, seconds=0.0)
        hit = self.cached(question)
        if hit is not None:
            return hit
        path = self.folder / f"{self.key(question)}.json"
        t = time.perf_counter()
        try:
            raw = self._generate(question)
        except Exception as exc:  # an endpoint down or a model error: retrieval goes on without a rendering
            log.warning("question translation by %s failed (%s)", self.llm.name, type(exc).__name__)
            return Translation(None, cached=False, seconds=time.perf_counter() - t)
        seconds = time.perf_counter() - t
        rendering = clean_rendering(raw)
        text = keep_numbers(question, rendering) if usable(question, rendering) else None
        self._write(path, {"model": self.llm.name, "prompt_version": PROMPT_VERSION, "question": question,
                           "raw": raw, "translation": text, "seconds": round(seconds, 3)})  # fmt: skip
        return Translation(text, cached=False, seconds=seconds)

    def cached(self, question: str) -> Translation | None:
        """The cached rendering of `question`, or None when it was never translated (the model is not called)."""
        hit = self._read(self.folder / f"{self.key(question.strip())}.json")
        if hit is None:
            return None
        text = hit.get("translation")
        took = hit.get("seconds")
        seconds = float(took) if isinstance(took, int | float) else 0.0
        return Translation(text if isinstance(text, str) else None, cached=True, seconds=seconds)

    def _generate(self, question: str) -> str:
        pieces: list[str] = []
        stream = self.llm.stream(translate_messages(question))
        try:
            for piece in stream:
                pieces.append(piece)
                # One line is all that is wanted: stop at its end, or at the token cap.
                if len(pieces) >= self.max_tokens or ("\n" in piece and "".join(pieces).strip()):
                    break
        finally:
            close = getattr(stream, "close", None)
            if callable(close):
                close()  # releases the model (and its lock) when stopped early
        return "".join(pieces)

    @staticmethod
    def _read(path: Path) -> dict[str, Any] | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _write(self, path: Path, record: dict[str, Any]) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.stem[:16]}.", suffix=".tmp", dir=self.folder)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump(record, f, ensure_ascii=False)
                os.replace(tmp, path)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        except OSError as exc:  # a read-only or full cache: the rendering is still returned
            log.warning("could not cache a question translation in %s (%s)", self.folder, exc)


@dataclass(frozen=True)
class QueryExtras:
    """What retrieval takes beside an English question: its Arabic rendering for both sides (None: nothing)."""

    lexical_text: str | None = None
    extra_vector: Sequence[float] | None = None

    def as_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `HybridRetriever.retrieve`."""
        return {"lexical_text": self.lexical_text, "extra_vector": self.extra_vector}


def query_extras(question: str, translator: QuestionTranslator | None, embedder: Embeds) -> QueryExtras:
    """The Arabic rendering of an English `question` as retrieval extras; empty for Arabic or when it fails.

    The lexical side reads the question and its rendering together (the question keeps its Latin
    names and numbers exact, the rendering brings Arabic words), the dense side gets the
    rendering's vector: the best variant of `bench/retrieval.py --translate` (`tr-lexboth-dense.3`).
    """
    rendering = translator.translate(question) if translator is not None else None
    if rendering is None:
        return QueryExtras()
    return QueryExtras(lexical_text=f"{question} {rendering}", extra_vector=embedder.embed_query(rendering))
