"""The `qa` command as a user runs it: separate processes, the real model, a store in a temp folder."""

from __future__ import annotations

import json
import os
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
    return subprocess.run([sys.executable, "-m", "qa", *args], capture_output=True, text=True, env=env, cwd=REPO,
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


def test_bad_input_exits_2_with_one_line(env: dict[str, str], tmp_path: Path) -> None:
    res = qa("ask", "   ", env=env)
    assert res.returncode == 2 and "question is empty" in res.stderr
    res = qa("ingest", str(tmp_path / "missing"), env=env)
    assert res.returncode == 2 and "missing" in res.stderr
