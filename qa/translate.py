"""Renderings by the local model across the two languages: questions into Arabic, evidence into English.

Questions (`QuestionTranslator`, `Settings.translate_questions`: on whenever there is a model).
The articles are Arabic. An English question
reaches them only through the multilingual embedding: the lexical (BM25) side can match
its numbers and Latin names at most, and the dense side scores cross-language pairs lower
and less sharply than same-language ones. So an English question can first be rendered in
Arabic by the generative model (a short prompt, greedy, at most `MAX_TOKENS` tokens), and
retrieval uses the rendering beside the question (`qa.retrieve.HybridRetriever.retrieve`,
`lexical_text` and `extra_vector`; `query_extras` builds both), and so does the order of the
retrieved sentences (`qa.extractive.with_rendering`). `bench/retrieval.py --translate` and
`bench/answering.py --translate` measured the gains (see the README). That rendering is only a
search aid: it is never shown, quoted or answered from. It is kept when it looks like an Arabic question
(Arabic by `qa.language.detect_language`, not empty, not far longer than the question); the
question's numbers must survive it, and any that do not are appended, since numbers are what
the lexical side matches best. Arabic questions are not translated at all.

Evidence (`EvidenceRenderer`, opt-in: `Settings.render_evidence`). An English question
answered from Arabic sentences needs English sentences: for each chosen Arabic sentence the
model writes the English sentence that answers the question from it alone (worked examples,
greedy, one line), and `qa.generate` shows it only after `qa.citations` checked it against
that sentence, always beside the sentence as a labelled machine rendering.

Both are cached on disk, one small JSON file per text (in `translations/` and `renderings/`),
named by the sha256 of the model name, the prompt version and the text, so a text is rendered
once per model and prompt. Files are written to a unique temporary name and renamed
(`os.replace`), so concurrent writers never leave a torn file. A model error is not cached
(the next call tries again); an unusable output is.
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

from qa.citations import strip_markers
from qa.language import detect_language
from qa.llm import ChatModel, Message

log = logging.getLogger(__name__)

#: Bump when the prompt or the clean-up changes: cached renderings of another version are not reused.
PROMPT_VERSION = 3  # 3: a Roman numeral "I" no longer exempts a declining rendering
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


# The model speaking for itself in Arabic ("أعتذر، ولكنني لا أستطيع تقديم هذه الإجابة"): seen for 1 of 120 English
# XQuAD dev questions ("Who did the Broncos beat in the divisional game?"), and it went into retrieval.
_AR_DECLINE = re.compile(r"(?:^|\s)(?:[أا]عتذر|عذر[اًا]+|[آا]سف|لا [أا]ستطيع|لا يمكنني|و?لكنني)(?:[\s،,.؟?!]|$)")
# ... unless the question itself is about an apology or speaks in the first person.
_EN_APOLOGY = re.compile(r"\b(?:apolog\w*|sorry|regret\w*|me|my)\b", re.IGNORECASE)


def _first_person(question: str) -> bool:
    """Whether the question apologises or speaks in the first person ("Can I", "did I"; not "World War I").

    An "I" after a capitalised word other than the question's first is a Roman numeral.
    """
    if _EN_APOLOGY.search(question):
        return True
    words = re.findall(r"[A-Za-z']+", question)
    return any(w == "I" and (i <= 1 or not words[i - 1][:1].isupper()) for i, w in enumerate(words))


def usable(question: str, rendering: str) -> bool:
    """Whether a cleaned rendering can stand for the question: Arabic, not empty, not far longer, no refusal."""
    if not rendering or len(rendering) > max(160, 3 * len(question)) or detect_language(rendering) != "ar":
        return False
    return not (_AR_DECLINE.search(rendering) and not _first_person(question))


@dataclass(frozen=True)
class Translation:
    """A rendering and how it was obtained (`seconds`: what the model took, as recorded in the cache for a hit)."""

    text: str | None
    cached: bool
    seconds: float


class _CachedRenderer:
    """A chat model's one-line rendering of a text into another language, cached on disk per model and prompt.

    Subclasses set what differs: the cache folder, the prompt version, the source language,
    the messages, and how a reply is cleaned and judged usable.
    """

    folder_name = CACHE_FOLDER
    prompt_version = PROMPT_VERSION
    source_language = "en"
    what = "question translation"

    def __init__(self, llm: ChatModel, cache_dir: Path, *, max_tokens: int = MAX_TOKENS) -> None:
        """`cache_dir` is the project's cache dir (`Settings.cache_dir`); files go to its `folder_name`."""
        self.llm = llm
        self.folder = Path(cache_dir) / self.folder_name
        self.max_tokens = max_tokens

    def key(self, text: str) -> str:
        """The cache key of `text` for this model and prompt version."""
        return hashlib.sha256(f"{self.llm.name}\n{self.prompt_version}\n{text.strip()}".encode()).hexdigest()

    def messages(self, text: str) -> list[Message]:
        """The chat messages asking for the rendering of `text`."""
        raise NotImplementedError

    def finish(self, text: str, raw: str) -> str | None:
        """The rendering kept from the model's `raw` reply to `text`, or None when it is unusable."""
        raise NotImplementedError

    def lookup(self, text: str) -> Translation:
        """The rendering of `text` (None when it is in another language than the source, or the model failed)."""
        text = text.strip()
        if not text or self.source_language not in ("any", detect_language(text)):
            return Translation(None, cached=False, seconds=0.0)
        hit = self.cached(text)
        if hit is not None:
            return hit
        path = self.folder / f"{self.key(text)}.json"
        t = time.perf_counter()
        try:
            raw = self._generate(text)
        except Exception as exc:  # an endpoint down or a model error: the caller goes on without a rendering
            log.warning("%s by %s failed (%s)", self.what, self.llm.name, type(exc).__name__)
            return Translation(None, cached=False, seconds=time.perf_counter() - t)
        seconds = time.perf_counter() - t
        rendering = self.finish(text, raw)
        self._write(path, {"model": self.llm.name, "prompt_version": self.prompt_version, "question": text,
                           "raw": raw, "translation": rendering, "seconds": round(seconds, 3)})  # fmt: skip
        return Translation(rendering, cached=False, seconds=seconds)

    def cached(self, text: str) -> Translation | None:
        """The cached rendering of `text`, or None when it was never rendered (the model is not called)."""
        hit = self._read(self.folder / f"{self.key(text.strip())}.json")
        if hit is None:
            return None
        rendering = hit.get("translation")
        took = hit.get("seconds")
        seconds = float(took) if isinstance(took, int | float) else 0.0
        return Translation(rendering if isinstance(rendering, str) else None, cached=True, seconds=seconds)

    def _generate(self, text: str) -> str:
        pieces: list[str] = []
        stream = self.llm.stream(self.messages(text))
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
            log.warning("could not cache a %s in %s (%s)", self.what, self.folder, exc)


class QuestionTranslator(_CachedRenderer):
    """English question -> Arabic rendering, by a chat model, cached on disk (see the module docstring)."""

    def messages(self, text: str) -> list[Message]:
        """The chat messages asking for the Arabic rendering of the question `text`."""
        return translate_messages(text)

    def finish(self, text: str, raw: str) -> str | None:
        """The cleaned rendering with the question's numbers kept, or None when it is not an Arabic question."""
        rendering = clean_rendering(raw)
        return keep_numbers(text, rendering) if usable(text, rendering) else None

    def translate(self, question: str) -> str | None:
        """The Arabic rendering of an English `question`, or None (Arabic question, model failed, output unusable)."""
        return self.lookup(question).text


#: Bump when the evidence prompt or its clean-up changes.
EVIDENCE_PROMPT_VERSION = 4
#: Longest English sentence from the evidence, in streamed pieces.
EVIDENCE_MAX_TOKENS = 80
#: What the model replies when the sentence does not answer (never shown).
NO_ANSWER = "NONE"
_EVIDENCE_SYSTEM = (
    "You answer questions about Arabic news articles in English, from one Arabic sentence of an article. Reply "
    "with one short English sentence that answers the question using only what the Arabic sentence says; keep "
    "every name, number and date exactly as the sentence gives it. If the sentence does not answer the question, "
    f"reply {NO_ANSWER}. Reply with the sentence only."
)
# Worked examples with everyday news vocabulary (a 1.5B model follows a shown format far better than a described
# one). They are about nothing in particular: the prompt must not lean towards any corpus.
_EVIDENCE_EXAMPLES = (
    ("When will the talks resume?",
     "وقال وزير الخارجية الفرنسي إن المحادثات ستستأنف في جنيف يوم 12 مارس بمشاركة وفود من خمس دول.",
     "The talks will resume in Geneva on 12 March."),
    ("By how much did wheat prices rise?",
     "وارتفعت أسعار القمح بنسبة 12% خلال الأسبوع الماضي، وفق بيانات نشرتها وزارة الزراعة أمس الثلاثاء.",
     "Wheat prices rose by 12% over the past week."),
    ("Who won the election?",
     "وأغلقت مراكز الاقتراع أبوابها في الثامنة مساء وسط إقبال وصفته اللجنة بالمرتفع.",
     NO_ANSWER),
)  # fmt: skip
_DECLINE = re.compile(
    rf"\b(?:{NO_ANSWER}|sorry|i can(?:not|'t)|unable to|as an ai|the translation|does not (?:say|answer|mention)"
    r"|do not say|not (?:mentioned|stated|specified))\b",
    re.IGNORECASE,
)


def _evidence_request(question: str, sentence: str) -> str:
    return f"Question: {question.strip()}\nArabic sentence: {sentence.strip()}"


def evidence_messages(request: str) -> list[Message]:
    """The chat messages for one request (`Question: …` and `Arabic sentence: …` lines); the rest stays fixed."""
    messages: list[Message] = [("system", _EVIDENCE_SYSTEM)]
    for question, arabic, english in _EVIDENCE_EXAMPLES:
        messages += [("user", _evidence_request(question, arabic)), ("assistant", english)]
    return [*messages, ("user", request)]


class EvidenceRenderer(_CachedRenderer):
    """(English question, Arabic evidence sentence) -> one English sentence answering from it, cached (`renderings/`).

    The output is shown only after `qa.citations.check_citations` has checked it against the
    sentence (numbers, dates and names held, none added, similarity, answering the question),
    and always beside that sentence, labelled as a machine rendering (`qa.render.rendering`).
    Measured with the local 1.5B model (XQuAD dev half A, English questions; README, "English
    answers from the evidence"): given the gold sentence, asking for a whole-sentence translation
    was often garbled (sports sentences came out about football clubs) and the checker kept 9 of
    30, 6 right; asking for the answer the one sentence gives kept 19 of 60, 15 right. In the
    answer flow the chosen sentence is often not the gold one, and the model then states a
    number of that sentence as the answer ("Josh Norman intercepted 3 balls" from "three
    plays"), which every check passes: so `Settings.render_evidence` is off by default.
    A prompt that also showed "a number about something else is not an answer" made the
    model reply NONE to nearly everything (1 of 40 rendered on half B).
    """

    folder_name = "renderings"
    prompt_version = EVIDENCE_PROMPT_VERSION
    source_language = "any"  # the request holds an English question and an Arabic sentence
    what = "evidence rendering"

    def __init__(self, llm: ChatModel, cache_dir: Path, *, max_tokens: int = EVIDENCE_MAX_TOKENS) -> None:
        """`cache_dir` is the project's cache dir (`Settings.cache_dir`); files go to its `renderings/`."""
        super().__init__(llm, cache_dir, max_tokens=max_tokens)

    def messages(self, text: str) -> list[Message]:
        """The chat messages for the request `text` (see `evidence_messages`)."""
        return evidence_messages(text)

    def finish(self, text: str, raw: str) -> str | None:
        """The first line of the reply without labels, quotes or markers; None unless it is a plain English sentence.

        A reply that declines, says the sentence does not answer, talks about translating, is not
        English, or runs far longer than the request (the model went on) is not kept.
        """
        line = strip_markers(clean_rendering(re.sub(r"^\s*(?:english|answer)\s*:\s*", "", raw, flags=re.I)))
        if not line or len(line) > max(200, 2 * len(text)) or _DECLINE.search(line):
            return None
        return line if detect_language(line) == "en" else None

    def render(self, sentence: str, question: str) -> str | None:
        """An English sentence answering `question` from the Arabic `sentence`, or None (see `finish`)."""
        if detect_language(sentence) != "ar" or detect_language(question) != "en":
            return None
        return self.lookup(_evidence_request(question, sentence)).text


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
