"""The layers import downwards only: `index` < `qa` < `eval`, `ui` < `cli` (the composition root).

Read from the source (every import statement, also those inside functions), so a lazy import
that would make the library depend on its screen or its judge fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

# What each layer may not import (its own layer and those below it are fine).
FORBIDDEN = {
    "index": {"qa", "eval", "ui", "cli"},
    "qa": {"eval", "ui", "cli"},
    "eval": {"ui", "cli"},
    "ui": {"eval", "cli"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def _sources(layer: str) -> list[Path]:
    folder = REPO / layer
    return sorted(folder.rglob("*.py")) if folder.is_dir() else [REPO / f"{layer}.py"]


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_never_imports_the_layers_above_it(layer: str) -> None:
    sources = _sources(layer)
    assert sources and all(p.exists() for p in sources)
    wrong = {str(p.relative_to(REPO)): sorted(_imports(p) & FORBIDDEN[layer]) for p in sources}
    assert {k: v for k, v in wrong.items() if v} == {}


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from eval.cli import main\n    import ui\n", encoding="utf-8")
    assert _imports(source) == {"eval", "ui"}


def test_the_qa_command_is_the_composition_root() -> None:
    assert {"qa", "index", "eval", "ui"} <= _imports(REPO / "cli.py"), "it wires every layer together"
