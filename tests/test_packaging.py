"""The generic package names resolve to this project, and importing the API stays light."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd="/").stdout


def test_packages_import_as_this_projects() -> None:
    """Run from / so the checkout is not on sys.path by accident: the installed packages must be ours."""
    out = json.loads(
        _run("import json, qa, index, eval, ui; print(json.dumps([m.__file__ for m in (qa, index, eval, ui)]))")
    )
    for path in out:
        assert path.startswith(str(REPO)), path


def test_import_qa_does_not_load_heavy_frameworks() -> None:
    heavy = ("torch", "sentence_transformers", "chromadb", "gradio")
    out = _run(f"import sys, qa; print(' '.join(m for m in {heavy!r} if m in sys.modules))")
    assert out.strip() == ""


def test_cli_entry_point_is_installed() -> None:
    qa_cmd = Path(sys.executable).parent / "qa"
    out = subprocess.run([str(qa_cmd), "--help"], capture_output=True, text=True, check=True).stdout
    assert "ingest" in out and "ask" in out and "serve" in out
