"""The PDF of a previewed leaflet, one click away: made by a warm worker process.

WeasyPrint takes about a second to load and set up its fonts, and a PDF
about a quarter of a second to lay out; in the server's own process that
work would hold up the pages and the updates. So a worker process is started
with the preview, loads the renderer with its PDF writer and lays out a small
leaflet once to warm up, and then makes one PDF at a time on request. It is
started with ``spawn`` (the server has threads by then, which ``fork`` would
copy in mid-step), dies with the preview (even one killed by ``kill -9``),
and a worker that dies or runs past the time limit is replaced by a fresh one
for the next request.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from multiprocessing.connection import Connection, wait

from pipeline.errors import PipelineError
from pipeline.model import CANONICAL_SECTIONS, Block, Code, Leaflet, Review, Source
from pipeline.render.styles import RenderOptions
from pipeline.run.report import one_line
from pipeline.run.settings import DEFAULT_MEMORY_LIMIT_MB, DEFAULT_TIME_LIMIT
from pipeline.run.workers import die_with_parent, limit_memory

_WARM_UP = Leaflet(
    id="warm-up", title="Warm-up", code=Code(), also_known_as=(), technical_term=None,
    sections={key: (Block("paragraph", text="A few words to lay out."),) if key == "summary" else ()
              for key in CANONICAL_SECTIONS},
    extra_sections=(), review=Review(), source=Source(path="warm-up", sha256="0" * 64, encoding="utf-8"),
)


def _serve(connection: Connection, parent: int, options: RenderOptions, generation: int) -> None:
    """The worker: one request ``(generation, leaflet, standing)`` at a time, answered with
    ``("pdf", bytes)`` or ``("error", message)``. A new styles ``generation`` rebuilds the renderer."""
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the preview's business: it stops the worker
    limit_memory(DEFAULT_MEMORY_LIMIT_MB)
    from pipeline.render import Renderer

    renderer: Renderer | None = None
    try:
        renderer = Renderer(options)
        renderer.html_to_pdf(renderer.render_html(_WARM_UP, embed_css=False))
    except PipelineError:
        renderer = None  # styles that do not work: said to the first request, which builds the renderer again
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        wanted, leaflet, standing = request
        try:
            if renderer is None or wanted != generation:
                renderer, generation = Renderer(options), wanted
            answer = ("pdf", renderer.html_to_pdf(renderer.render_html(leaflet, embed_css=False, standing=standing)))
        except PipelineError as error:
            answer = ("error", str(error))
        except Exception as error:  # noqa: BLE001 - a layout-engine failure on one leaflet is that PDF's error
            answer = ("error", one_line(f"rendering failed: {type(error).__name__}: {error}"))
        try:
            connection.send(answer)
        except (BrokenPipeError, OSError):
            return


class PdfWorker:
    """A warm worker process making PDFs of leaflets, one request at a time."""

    def __init__(self, options: RenderOptions, generation: int = 0, time_limit: float = DEFAULT_TIME_LIMIT):
        self.options = options
        self.time_limit = time_limit
        self._generation = generation
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._process: multiprocessing.process.BaseProcess | None = None
        self._connection: Connection | None = None
        self._start()

    def _start(self) -> None:
        ours, theirs = self._context.Pipe()
        self._process = self._context.Process(
            target=_serve, args=(theirs, os.getpid(), self.options, self._generation), daemon=True,
            name="leaflets preview PDF worker",
        )
        self._process.start()
        theirs.close()
        self._connection = ours

    def _stop(self, kill: bool = False) -> None:
        if self._process is None or self._connection is None:
            return
        process, connection = self._process, self._connection
        self._process = self._connection = None
        if kill:
            process.kill()
        try:
            connection.send(None)
        except (BrokenPipeError, OSError):
            pass  # already gone: killed below if not
        process.join(timeout=2)
        if process.is_alive():
            process.kill()
            process.join()
        connection.close()

    def pdf(self, leaflet: Leaflet, standing: str, generation: int) -> bytes:
        """The PDF of ``leaflet`` with the styles of ``generation``; :class:`PipelineError` says why not."""
        with self._lock:
            if self._process is None or not self._process.is_alive():
                self._stop()
                self._start()
            assert self._process is not None and self._connection is not None
            self._generation = generation
            try:
                self._connection.send((generation, leaflet, standing))
            except (BrokenPipeError, OSError):
                self._stop()
                raise PipelineError("the PDF worker stopped; try again") from None
            ready = wait([self._connection, self._process.sentinel], timeout=self.time_limit)
            if self._connection in ready:
                try:
                    kind, value = self._connection.recv()
                except (EOFError, OSError):
                    kind, value = "error", "the PDF worker stopped while making this PDF; try again"
            elif ready:
                kind, value = "error", f"the PDF worker stopped (exit status {self._process.exitcode}); try again"
            else:
                kind, value = "error", f"took longer than {self.time_limit:g} s (the time limit for one PDF); stopped"
            if kind != "pdf":
                if not ready or self._connection not in ready:
                    self._stop(kill=True)
                raise PipelineError(value)
            return value

    def close(self) -> None:
        with self._lock:
            self._stop()
