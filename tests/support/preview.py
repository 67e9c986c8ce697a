"""Starting ``leaflets preview`` in a process of its own, for the server and browser tests and the benchmark."""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Self

ROOT = Path(__file__).resolve().parents[2]


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}


class Preview:
    """``python -m pipeline preview ARGS`` run in ``cwd``; :attr:`url` once it serves."""

    def __init__(self, *args: str, cwd: Path, timeout: float = 60):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "preview", *args], cwd=cwd, env=environment(),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.url = ""
        line = self._line(timeout)
        if " at http://" not in line:
            self.process.kill()
            raise AssertionError(f"preview did not start: {line!r} {self.process.stderr.read()}")
        self.url = line.split(" at ", 1)[1].split(" ", 1)[0]
        self.port = int(self.url.rstrip("/").rsplit(":", 1)[1])

    def _line(self, timeout: float) -> str:
        ready = select.select([self.process.stdout], [], [], timeout)[0]
        return self.process.stdout.readline() if ready else ""

    def children(self) -> list[int]:
        """Ids of the preview's child processes (its PDF worker and the like)."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.process.pid:
                    found.append(int(entry.name))
        return found

    def stop(self, sig: int = signal.SIGINT, timeout: float = 20) -> tuple[int, str, str]:
        """Send ``sig``; (exit status, the rest of standard output, standard error)."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            out, err = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate()
            raise AssertionError(f"preview did not stop on signal {sig}: {err}") from None
        return self.process.returncode, out, err

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.stop()


def raw_get(port: int, target: str, host: str | None = None, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """One request with ``target`` sent exactly as given (no client tidies it up):
    (status, headers in lower case, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        request = f"{method} {target} HTTP/1.0\r\nHost: {host or f'127.0.0.1:{port}'}\r\n\r\n"
        connection.sendall(request.encode("latin-1"))
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {key.lower(): value for key, value in headers.items()}, body


def wait_until(condition, timeout: float = 10, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(interval)
    return value
