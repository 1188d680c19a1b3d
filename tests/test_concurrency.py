"""The bounded load run (`bench/load.py`), small: concurrent chat users while another process ingests.

Real processes on loopback: a Chroma server, `qa serve` (extractive backend) and `qa ingest`, with
clients asking through `gradio_client`. Nothing about time is asserted; what must hold is checked
by the script itself (no failed request, every article once, no lost or orphaned chunk, every
citation quoting its article), and its exit status and report are checked here.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


def test_concurrent_users_while_ingesting_lose_nothing() -> None:
    run = subprocess.run(
        [sys.executable, "bench/load.py", "--clients", "6", "--seconds", "15", "--articles", "20"],
        cwd=REPO, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    assert "all checks passed" in run.stdout
    ok, failed = map(int, re.search(r"requests: (\d+) ok, (\d+) failed", run.stdout).groups())  # type: ignore[union-attr]
    assert ok > 6 and failed == 0
    assert "20 articles added" in run.stdout, run.stdout
