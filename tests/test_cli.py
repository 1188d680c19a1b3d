"""The `qa` command as a user runs it: separate processes, the real model, a store in a temp folder."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CACHE, CORPUS, REPO


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    data = tmp_path_factory.mktemp("cli")
    return {**os.environ, "NEWSQA_DATA_DIR": str(data), "NEWSQA_CACHE_DIR": str(CACHE), "NEWSQA_BACKEND": "extractive"}


def qa(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, env=env, cwd=REPO,
                          timeout=300, stdin=subprocess.DEVNULL)  # fmt: skip


def test_ask_before_ingest_fails_with_advice(env: dict[str, str]) -> None:
    res = qa("ask", "How many missiles?", env=env)
    assert res.returncode == 2
    assert res.stderr.strip().splitlines()[-1].startswith("error: no index at") and "qa ingest" in res.stderr


def test_ingest_ask_and_list(env: dict[str, str]) -> None:
    res = qa("ingest", str(CORPUS), env=env)
    assert res.returncode == 0, res.stderr
    assert "3 articles added" in res.stdout
    again = qa("ingest", str(CORPUS), env=env)
    assert "0 articles added" in again.stdout and "3 already indexed" in again.stdout

    res = qa("ask", "How many ballistic missiles and drones did Iran launch at Israel?", "--json", env=env)
    assert res.returncode == 0, res.stderr
    answer = json.loads(res.stdout)
    assert answer["answered"] and answer["language"] == "en"
    assert any("350" in c["quote"] for c in answer["citations"])

    res = qa("ask", "في أي بلد جرت المحادثات غير المباشرة؟", env=env)
    assert res.returncode == 0 and "[1]" in res.stdout and "«" in res.stdout

    listed = [json.loads(line) for line in qa("articles", env=env).stdout.splitlines()]
    assert len(listed) == 3 and {a["outlet"] for a in listed} >= {"الحرة", "الشرق"}
    assert all(a["chunks"] > 0 for a in listed)

    # Filters reach retrieval: one outlet's articles only; a date range no article falls in answers nothing.
    res = qa("ask", "في أي بلد جرت المحادثات غير المباشرة؟", "--outlet", "الشرق", "--json", env=env)
    only = json.loads(res.stdout)
    assert only["passages"] and {p["chunk"]["outlet"] for p in only["passages"]} == {"الشرق"}, res.stderr
    later = qa("ask", "في أي بلد جرت المحادثات غير المباشرة؟", "--since", "2031-01-01", "--json", env=env)
    none = json.loads(later.stdout)
    assert not none["answered"] and none["passages"] == []
    bad = qa("ask", "x", "--until", "2024-13-01", env=env)
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr


def test_bad_input_exits_2_with_one_line(env: dict[str, str], tmp_path: Path) -> None:
    res = qa("ask", "   ", env=env)
    assert res.returncode == 2 and "question is empty" in res.stderr
    res = qa("ingest", str(tmp_path / "missing"), env=env)
    assert res.returncode == 2 and "missing" in res.stderr


@pytest.fixture(scope="module")
def indexed_env(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An environment whose data directory holds the bundled corpus (its own, so test order does not matter)."""
    indexed = {**env, "NEWSQA_DATA_DIR": str(tmp_path_factory.mktemp("cli-indexed"))}
    res = qa("ingest", str(CORPUS), env=indexed)
    assert res.returncode == 0, res.stderr
    return indexed


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _llama_cpp_installed() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("llama_cpp", "llama_index.llms.llama_cpp"))


def _truncated_model(tmp_path: Path) -> Path:
    """The first 4 MB of the real GGUF (a valid header, no weights), or a bare header when it is not set up."""
    from qa.gguf import local_model_path

    real, path = local_model_path(CACHE), tmp_path / "truncated.gguf"
    if real.is_file():
        with real.open("rb") as f:
            path.write_bytes(f.read(4 << 20))
    else:
        path.write_bytes(b"GGUF\x03\x00\x00\x00" + b"\x00" * 64)
    return path


# (case, needs an index, extra environment, arguments, what the error line says)
ERRORS = [
    ("chroma-server-down", False, lambda tmp: {"NEWSQA_CHROMA_URL": f"http://127.0.0.1:{_free_port()}"},
     ["ask", "How many missiles?"], r"cannot reach the Chroma server at http://127\.0\.0\.1:\d+ .*chroma run"),
    ("model-garbage", True, lambda tmp: {"NEWSQA_BACKEND": "local", "NEWSQA_LLM_MODEL_PATH": str(_garbage(tmp))},
     ["ask", "How many missiles?"], r"cannot load the local model .*garbage\.gguf.*make local-llm"),
    ("model-truncated", True,
     lambda tmp: {"NEWSQA_BACKEND": "local", "NEWSQA_LLM_MODEL_PATH": str(_truncated_model(tmp))},
     ["ask", "How many missiles?"], r"cannot load the local model .*truncated\.gguf.*NEWSQA_BACKEND=extractive"),
    ("baseline-missing", False, lambda tmp: {}, ["eval", "--baseline", "no/such/baseline.json"],
     r"--baseline no/such/baseline\.json: no such file"),
    ("baseline-not-json", False, lambda tmp: {}, ["eval", "--baseline", "README.md"],
     r"--baseline README\.md: not valid JSON"),
    ("compare-missing", False, lambda tmp: {}, ["eval", "--compare", "no/such/report.json"],
     r"--compare no/such/report\.json: no such report"),
]  # fmt: skip


def _garbage(tmp_path: Path) -> Path:
    path = tmp_path / "garbage.gguf"
    path.write_bytes(b"this is not a model\n" * 1000)
    return path


@pytest.mark.parametrize(("case", "indexed", "extra", "args", "message"), ERRORS, ids=[e[0] for e in ERRORS])
def test_failures_print_one_error_line_and_exit_2(
    request: pytest.FixtureRequest, env: dict[str, str], tmp_path: Path, case, indexed, extra, args, message
) -> None:
    if case.startswith("model") and not _llama_cpp_installed():
        pytest.skip("llama-cpp-python is not installed (`make local-llm`)")
    base = request.getfixturevalue("indexed_env") if indexed else env
    res = qa(*args, env={**base, **extra(tmp_path)})
    assert res.returncode == 2, res.stderr[-3000:]
    assert "Traceback" not in res.stderr, res.stderr[-3000:]
    errors = [line for line in res.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and errors[0] == res.stderr.strip().splitlines()[-1], res.stderr[-3000:]
    assert re.search(message, errors[0]), errors[0]


def test_a_torn_lexical_index_is_rebuilt_and_the_question_answered(indexed_env: dict[str, str]) -> None:
    from index.lexical import INDEX_FILE

    (path,) = Path(indexed_env["NEWSQA_DATA_DIR"], "lexical").rglob(INDEX_FILE)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    res = qa("ask", "How many ballistic missiles and drones did Iran launch at Israel?", "--json", env=indexed_env)
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr[-3000:]
    assert "rebuilding it from the store" in res.stderr, "a warning, not an error"
    assert json.loads(res.stdout)["answered"]
    assert len(path.read_bytes()) == len(whole), "rebuilt whole"
