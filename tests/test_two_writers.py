"""Two processes (`qa serve` and `qa ingest` on one data directory) saving the lexical index at once.

Real processes, started together, each saving its own version of the index many times over into the
same folder. Neither may fail, no temporary file may be left, and what is on disk at the end is one
writer's version, whole.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from index.lexical import INDEX_FILE, SIDECAR_FILE, Analyzer, LexicalIndex
from tests.conftest import REPO

WRITER = """
import sys, time
from pathlib import Path
from index.lexical import Analyzer, LexicalIndex
from index.models import Chunk

folder, name, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
lx = LexicalIndex(folder, Analyzer("light"), chunker="c")  # loads nothing: the folder is empty yet
(go.parent / f"ready-{name}").touch()
text = "أطلقت إيران 350 صاروخا بالستيا باتجاه إسرائيل وجرت المحادثات في مسقط. " * 20
while not go.exists():  # both writers start saving at the same moment
    time.sleep(0.005)
for i in range(60):
    for a in range(8):
        chunks = [Chunk(id=f"{name}-{a}-{c}", article_id=f"{name}-{a}", title=name, text=text, start=0,
                        end=len(text), ordinal=c) for c in range(4)]
        lx.add_article(f"{name}-{a}", chunks)
    lx.save()
print("saved", flush=True)
"""


def test_two_processes_saving_at_once_never_fail_and_leave_one_whole_index(tmp_path: Path) -> None:
    folder, go = tmp_path / "lexical", tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(folder), name, str(go)],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("serve", "ingest")
    ]
    # Both must have built their (empty) index before either saves: a writer that imports slowly
    # would otherwise load the other's file and save the union, which is right but not this test.
    deadline = time.monotonic() + 300
    while not all((tmp_path / f"ready-{n}").exists() for n in ("serve", "ingest")):
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs), "a writer failed to start"
        time.sleep(0.05)
    go.touch()
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0 and "saved" in out, err[-2000:]
        assert "Traceback" not in err, err[-2000:]
    left = {p.name for p in folder.iterdir()}
    assert INDEX_FILE in left and not {n for n in left if n.startswith(".")}, "no temporary file is left behind"
    assert left - {INDEX_FILE, SIDECAR_FILE} == {n for n in left if n.startswith("bm25-")}, left  # and sidecars
    loaded = LexicalIndex(folder, Analyzer("light"), chunker="c")
    owners = {aid.split("-")[0] for aid in loaded.article_ids()}
    assert len(owners) == 1 and len(loaded.article_ids()) == 8 and len(loaded) == 32, "one writer's whole version"
    assert loaded.search("صاروخا بالستيا", 1), "and it answers"
