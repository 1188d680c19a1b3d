"""Start and stop a local Chroma server (`chroma run`) on loopback, for tests, benchmarks and trials.

Server mode is how the store outgrows one process: every process that sets
`NEWSQA_CHROMA_URL` to the server's URL shares one store. In production you run
`chroma run --path DIR --host 127.0.0.1 --port 8000` yourself; this module does
the same from Python and waits until the server answers.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import TracebackType

from index.errors import NewsQAError


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ChromaServer:
    """`with ChromaServer(path) as url:` runs a Chroma server on loopback for the block."""

    def __init__(self, path: Path, port: int | None = None, log: Path | None = None) -> None:
        self.path = Path(path)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log or self.path.with_name(self.path.name + "-server.log")
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> str:
        """Start the server and wait until its heartbeat answers; return its URL."""
        chroma = Path(sys.executable).parent / "chroma"
        exe = str(chroma) if chroma.exists() else shutil.which("chroma")
        if exe is None:
            raise NewsQAError("the `chroma` command is missing: install chromadb (`make setup`)")
        self.path.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            self._proc = subprocess.Popen(
                [exe, "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2).read()
                return self.url
            except OSError:
                if self._proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise NewsQAError(f"the Chroma server did not start: see {self.log}") from None
                time.sleep(0.2)

    def stop(self) -> None:
        """Stop the server (politely, then firmly)."""
        if self._proc is None:
            return
        self._proc.terminate()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._proc = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()
