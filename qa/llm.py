"""The generative backends, all behind llama-index's `LLM` interface.

- `local`: Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF assembled by `qa.gguf`) run by
  llama-cpp-python through `llama_index.llms.llama_cpp.LlamaCPP`, with the model's
  own ChatML template (llama-index's adapter sends a raw prompt otherwise, and the
  model rambles), greedy decoding, few threads and a small context.
- `openai`: any OpenAI-compatible endpoint (llama.cpp server, Ollama, vLLM, a hosted
  API) through `llama_index.llms.openai_like.OpenAILike`.
- `extractive`: no model (`load_llm` returns None); the caller answers extractively.

`auto` picks `local` when its GGUF and packages are present, else `extractive`.
llama_cpp and the llama-index LLM packages are imported only when a model is
loaded, so `import qa` stays light. Generation goes through `stream_chat`, so
every backend streams.

Concurrency: one `ChatModel` serves every chat worker. llama.cpp runs one
generation at a time, in a thread of its own that fills a queue the caller's
stream reads, so the model lock is never held across a `yield`: a stream the
caller abandons (a closed browser tab, a generator never closed) only lets its
generation run to its end (`NEWSQA_LLM_MAX_TOKENS`), or stop at the next token
once the generator is closed or collected, and the next answer starts. Requests
to an OpenAI-compatible endpoint are not serialised: the server queues them.
"""

from __future__ import annotations

import importlib.util
import queue
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

from index.errors import ModelUnavailableError
from qa.gguf import is_assembled, local_model_path
from qa.settings import Settings

Backend = Literal["local", "openai", "extractive"]
#: A chat message as the prompt module builds it: (role, content), role in system / user / assistant.
Message = tuple[str, str]

_CHATML_END = "<|im_end|>"


class ChatModel(Protocol):
    """What the pipeline needs from a generative model: streamed text for a list of messages."""

    name: str

    def stream(self, messages: Sequence[Message]) -> Iterator[str]:
        """Yield the reply in pieces (deltas)."""
        ...


def chatml(messages: Sequence[Message], *, open_reply: bool = True) -> str:
    """The ChatML prompt Qwen2.5 was trained on (the template in its GGUF), ending with an open assistant turn."""
    text = "".join(f"<|im_start|>{role}\n{content}{_CHATML_END}\n" for role, content in messages)
    return text + "<|im_start|>assistant\n" if open_reply else text


def resolve_backend(settings: Settings) -> Backend:
    """The backend `settings.backend` means here (`auto` -> local when available, else extractive)."""
    if settings.backend != "auto":
        return settings.backend
    return "local" if local_available(settings) else "extractive"


def model_path(settings: Settings) -> Path:
    """The GGUF file the local backend loads."""
    return settings.llm_model_path or local_model_path(settings.cache_dir)


def local_available(settings: Settings) -> bool:
    """True when the GGUF and the llama.cpp packages are installed (checked without importing them)."""
    path = model_path(settings)
    present = is_assembled(path) if settings.llm_model_path is None else path.is_file()
    return present and all(importlib.util.find_spec(m) is not None for m in ("llama_cpp", "llama_index.llms.llama_cpp"))


class LlamaIndexChat:
    """A llama-index `LLM` as a `ChatModel`.

    `serial` (llama.cpp: its contexts are not thread-safe) runs one generation at a time, each
    in a worker thread that holds the lock only while it generates (see the module docstring).
    """

    def __init__(self, llm: Any, name: str, *, serial: bool = True, backend: str | None = None) -> None:
        self.llm = llm
        self.name = name
        #: "local" or "openai" (`Settings.model_drafts_for` reads it); None for any other model.
        self.backend = backend
        self._lock = threading.Lock() if serial else None

    def stream(self, messages: Sequence[Message]) -> Iterator[str]:
        """See `ChatModel.stream`."""
        from llama_index.core.llms import ChatMessage

        chat = [ChatMessage(role=role, content=content) for role, content in messages]
        if self._lock is None:
            for piece in self.llm.stream_chat(chat):
                if piece.delta:
                    yield piece.delta
            return
        pieces: queue.SimpleQueue[str | Exception | None] = queue.SimpleQueue()  # None: the reply is complete
        stop = threading.Event()
        worker = threading.Thread(target=self._generate, args=(self._lock, chat, pieces, stop),
                                  name=f"{self.name} generation", daemon=True)  # fmt: skip
        worker.start()
        try:
            while (piece := pieces.get()) is not None:
                if isinstance(piece, Exception):
                    raise piece
                yield piece
        finally:  # closed, collected or finished: a generation nobody reads stops at its next token
            stop.set()

    def _generate(
        self, lock: threading.Lock, chat: list[Any], pieces: queue.SimpleQueue[str | Exception | None],
        stop: threading.Event,
    ) -> None:  # fmt: skip
        """Run one generation under the model lock, putting its deltas (or its error) on `pieces`."""
        try:
            with lock:
                if stop.is_set():
                    return
                replies = self.llm.stream_chat(chat)
                try:
                    for piece in replies:
                        if stop.is_set():
                            break
                        if piece.delta:
                            pieces.put(piece.delta)
                finally:
                    close = getattr(replies, "close", None)
                    if close is not None:
                        close()  # llama.cpp's own generator ends here, under the lock
        except Exception as exc:  # handed to the reader, which raises it in its own thread
            pieces.put(exc)
        finally:
            pieces.put(None)


def load_llm(settings: Settings) -> LlamaIndexChat | None:
    """The configured model (loaded now), or None for the extractive backend."""
    backend = resolve_backend(settings)
    if backend == "extractive":
        return None
    if backend == "openai":
        return _load_openai(settings)
    return _load_local(settings)


def _load_local(settings: Settings) -> LlamaIndexChat:
    path = model_path(settings)
    if not path.is_file():
        raise ModelUnavailableError(
            f"no local model at {path}: run `make local-llm` (installs llama-cpp-python and assembles the model), "
            "or set NEWSQA_BACKEND=extractive"
        )
    try:
        from llama_index.llms.llama_cpp import LlamaCPP
    except ImportError as exc:
        raise ModelUnavailableError(
            f"the local backend needs llama-cpp-python and llama-index-llms-llama-cpp ({exc}): run `make local-llm`, "
            "or set NEWSQA_BACKEND=extractive"
        ) from exc
    try:
        llm = _llama_cpp(LlamaCPP, path, settings)
    except (ValueError, RuntimeError, OSError) as exc:  # llama_cpp says "Failed to load model from file" (ValueError)
        raise ModelUnavailableError(
            f"cannot load the local model {path} ({exc}): the file is not a whole GGUF model (corrupt or truncated); "
            "run `make local-llm` to assemble it again, point NEWSQA_LLM_MODEL_PATH at a valid GGUF file, "
            "or set NEWSQA_BACKEND=extractive"
        ) from exc
    return LlamaIndexChat(llm, f"local:{path.name}", backend="local")


#: Model states (the KV cache of a prompt and its reply) kept in RAM, the most recent first (see `prefix_states`).
PREFIX_STATES = 3


def prefix_states(max_states: int = PREFIX_STATES) -> Any:
    """A llama-cpp-python state cache that keeps the last `max_states` prompts' states, whatever their size.

    llama.cpp reuses the evaluated tokens its context shares with the next prompt, and only those of the last
    prompt. A question's Arabic rendering (or a follow-up's rewrite) runs between two answers, so the answer
    prompt's fixed system part (about 130 tokens, 2 s at 60 tokens/s) was evaluated again for every English
    question. With this cache the answer prompt starts from the saved state of the last answer (its longest
    common prefix). Each state costs about 170 MB of RAM (the KV cells and one batch of logits), so few are kept.
    """
    from llama_cpp.llama_cache import LlamaRAMCache

    class _LastStates(LlamaRAMCache):
        def __setitem__(self, key: Any, value: Any) -> None:
            super().__setitem__(key, value)
            while len(self.cache_state) > max_states:
                self.cache_state.popitem(last=False)

    return _LastStates(capacity_bytes=1 << 40)  # bounded by count above, not by the KV bytes it measures


def _llama_cpp(cls: Any, path: Path, settings: Settings) -> Any:
    """The llama-index `LlamaCPP` for the GGUF at `path` (loads the model now), with `prefix_states` set."""
    llm = cls(
        model_path=str(path),
        temperature=settings.llm_temperature,
        max_new_tokens=settings.llm_max_tokens,
        context_window=settings.llm_context,
        # The GGUF's own chat template, spelled out: llama-index's default prompt has no chat format.
        messages_to_prompt=lambda msgs: chatml([(str(m.role.value), str(m.content or "")) for m in msgs]),
        completion_to_prompt=lambda text: chatml([("user", text)]),
        generate_kwargs={"stop": [_CHATML_END, "<|endoftext|>"], "top_k": 1, "repeat_penalty": 1.05},
        model_kwargs={"n_threads": settings.llm_threads, "n_threads_batch": settings.llm_threads, "n_batch": 256},
        verbose=False,
    )
    model = getattr(llm, "_model", None)
    if model is not None and hasattr(model, "set_cache"):
        model.set_cache(prefix_states())
    return llm


def _load_openai(settings: Settings) -> LlamaIndexChat:
    if not settings.openai_base_url or not settings.openai_model:
        raise ModelUnavailableError(
            "the openai backend needs NEWSQA_OPENAI_BASE_URL (e.g. http://127.0.0.1:8080/v1) and NEWSQA_OPENAI_MODEL"
        )
    try:
        from llama_index.llms.openai_like import OpenAILike
    except ImportError as exc:
        raise ModelUnavailableError(
            f"the openai backend needs llama-index-llms-openai-like ({exc}): `pip install -e .`"
        ) from exc
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    llm = OpenAILike(
        model=settings.openai_model,
        api_base=settings.openai_base_url,
        api_key=key,
        is_chat_model=True,
        temperature=settings.llm_temperature,
        max_tokens=settings.llm_max_tokens,
        context_window=settings.llm_context,
        timeout=settings.openai_timeout,
        max_retries=1,
    )
    # Not serialised: the server queues requests.
    return LlamaIndexChat(llm, f"openai:{settings.openai_model}", serial=False, backend="openai")
