"""Progress on stderr for long work (ingestion, evaluation), shared by the command line and the runners."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any


def progress_bar(desc: str, unit: str) -> tuple[Any, Callable[[int, int, str], None]]:
    """A progress bar on stderr and the `progress(done, total, name)` callback that moves it.

    Shown in logs too (CI): there, plain text at most every 10 s rather than a redrawn bar.
    """
    from tqdm import tqdm

    tty = sys.stderr.isatty()
    bar = tqdm(desc=desc, unit=unit, file=sys.stderr, mininterval=0.2 if tty else 10, ascii=not tty)

    def progress(done: int, total: int, name: str) -> None:
        bar.total = total
        bar.set_postfix_str(name[-40:], refresh=False)
        bar.update(done - bar.n)

    return bar, progress
