"""A headless Chromium driven over the DevTools protocol, for pages that change while open.

``--dump-dom`` (see :mod:`tests.support.rendering`) shows a page once; the
preview's pages change after they are opened, so these tests keep a browser
open and ask it questions. The protocol runs over a pipe
(``--remote-debugging-pipe``: Chromium reads commands on its descriptor 3 and
answers on 4, each message JSON ended by a NUL), so no network port and no
WebSocket library are needed.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Any, Self

from tests.support.rendering import CHROMIUM_FLAGS, chromium_binary

# Puts the two pipe ends where Chromium looks for them (3 and 4), then becomes Chromium.
_LAUNCHER = (
    "import fcntl, os, sys\n"
    "ends = [fcntl.fcntl(int(fd), fcntl.F_DUPFD, 100) for fd in sys.argv[1:3]]\n"
    "os.dup2(ends[0], 3); os.dup2(ends[1], 4)\n"
    "os.closerange(5, max(ends) + 1)\n"
    "os.execv(sys.argv[3], sys.argv[3:])\n"
)


class BrowserError(AssertionError):
    pass


class Browser:
    """One headless Chromium with one page; :meth:`close` (or ``with``) ends it."""

    def __init__(self, width: int = 1280, height: int = 900):
        binary = chromium_binary()
        self._profile = tempfile.mkdtemp(prefix="leaflets-cdp-")
        their_in, self._out = os.pipe()
        self._in, their_out = os.pipe()
        self._process = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, str(their_in), str(their_out), binary, *CHROMIUM_FLAGS,
             "--remote-debugging-pipe", f"--user-data-dir={self._profile}", f"--window-size={width},{height}", "about:blank"],
            pass_fds=(their_in, their_out), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(their_in)
        os.close(their_out)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable")
        self.call("Runtime.enable")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the protocol

    def _send(self, message: dict[str, Any]) -> None:
        os.write(self._out, json.dumps(message).encode("utf-8") + b"\0")

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._in], [], [], left)[0]:
                raise BrowserError("Chromium did not answer in time")
            chunk = os.read(self._in, 1 << 16)
            if not chunk:
                raise BrowserError("Chromium stopped")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def _call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None,
              timeout: float = 30) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._send(message)
        deadline = time.monotonic() + timeout
        while True:
            answer = self._receive(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            if "method" in answer:
                self.events.append(answer)

    def call(self, method: str, params: dict[str, Any] | None = None, timeout: float = 30) -> dict[str, Any]:
        """A command to the page's session."""
        return self._call(method, params, self._session, timeout)

    # -- what tests do

    def open(self, url: str, timeout: float = 30) -> None:
        """Go to ``url`` and wait for its load event."""
        self.events.clear()
        self.call("Page.navigate", {"url": url})
        deadline = time.monotonic() + timeout
        while not any(event["method"] == "Page.loadEventFired" for event in self.events):
            event = self._receive(deadline)
            if "method" in event:
                self.events.append(event)

    def evaluate(self, expression: str, timeout: float = 30) -> Any:
        """The value of a JavaScript expression in the page (a promise is awaited)."""
        result = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True, "timeout": timeout * 1000},
            timeout=timeout + 5,
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression[:80]}...: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 10, interval: float = 0.02) -> Any:
        """The first truthy value of ``expression``, tried until ``timeout`` seconds have passed."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"still false after {timeout} s: {expression}")
            time.sleep(interval)

    def set_width(self, width: int, height: int = 900) -> None:
        """Lay the page out ``width`` px wide, as a phone or desktop would (a headless window is at least 500)."""
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})

    def screenshot(self, path: str) -> None:
        import base64

        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        with open(path, "wb") as file:
            file.write(base64.b64decode(data))

    def close(self) -> None:
        try:
            self._call("Browser.close", timeout=5)
        except (BrowserError, OSError):
            self._process.kill()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        for handle in (self._in, self._out):
            try:
                os.close(handle)
            except OSError:
                pass
        shutil.rmtree(self._profile, ignore_errors=True)
