"""What an operator sees while a batch runs: problems, progress, and the summary.

On a terminal a progress bar (tqdm); elsewhere (CI, logs) a plain line every
few seconds. Errors and warnings always get one line each, naming the file.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from pipeline.run.document import FileResult

PLAIN_PROGRESS_EVERY = 5.0  # seconds between progress lines when not on a terminal


class Console:
    def __init__(self, quiet: bool = False, verbose: bool = False, stream: TextIO | None = None):
        self.quiet = quiet
        self.verbose = verbose
        self.stream = stream or sys.stderr
        self._bar = None
        self._total = 0
        self._done = 0
        self._failed = 0
        self._started = time.monotonic()
        self._last_line = self._started
        self._command = ""

    # -- progress -------------------------------------------------------------

    def start(self, command: str, total: int) -> None:
        """Called once the run knows how many documents need work."""
        self._command, self._total = command, total
        self._started = self._last_line = time.monotonic()
        if self.quiet or total == 0:
            return
        if self.stream.isatty():
            from tqdm import tqdm

            tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked
            self._bar = tqdm(total=total, desc=command, unit="leaflet", file=self.stream, leave=False)

    def _write(self, line: str) -> None:
        if self._bar is not None:
            self._bar.write(line, file=self.stream)
        else:
            print(line, file=self.stream, flush=True)

    def _progress(self) -> None:
        if self._bar is not None:
            self._bar.update(1)
            return
        now = time.monotonic()
        if self.quiet or self._total == 0 or (now - self._last_line < PLAIN_PROGRESS_EVERY and self._done < self._total):
            return
        self._last_line = now
        rate = self._done / (now - self._started) if now > self._started else 0.0
        self._write(
            f"{self._command}: {self._done}/{self._total} done ({100 * self._done // self._total}%), "
            f"{self._failed} failed, {rate:.1f}/s"
        )

    # -- per document -----------------------------------------------------------

    def file_done(self, result: FileResult) -> None:
        """Called for every document, including the ones that needed no work."""
        if result.error:
            self._write(f"{result.input}: error: {result.error}")
        if not self.quiet:
            for note in result.explanations:
                self._write(note)
            for warning in result.warnings:
                self._write(warning)
            if result.left_out:
                self._write(f"{result.input}: left out: {result.left_out}")
        if self.verbose and not result.error:
            detail = ", ".join(part for part in (result.extract, result.render) if part)
            self._write(f"{result.input}: {result.status}" + (f" ({detail})" if detail else ""))

    def work_done(self, result: FileResult) -> None:
        """Called for a document a worker handled (it counts towards the progress)."""
        self._done += 1
        self._failed += result.error is not None
        self._progress()

    def finish(self, summary_line: str) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        if not self.quiet:
            print(summary_line, flush=True)
