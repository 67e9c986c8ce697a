"""The preview's web server: the standard library's ``ThreadingHTTPServer``.

One thread per connection, which suits one reviewer's browser on this
machine, update streams held open included. Every request is answered from
the :class:`~pipeline.preview.workbench.Workbench` through a route
(:func:`pipeline.preview.paths.route`): no URL is ever turned into a file
path, so nothing outside the styles folders' assets and the previewed
leaflets can be named. GET and HEAD only.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import socket
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from pipeline.errors import PipelineError
from pipeline.preview import pages
from pipeline.preview.paths import (
    ASSET,
    EVENTS,
    LIST,
    PAGE,
    PDF,
    REVIEW,
    STATIC,
    WORKBENCH,
    Refused,
    host_allowed,
    is_loopback,
    route,
)
from pipeline.preview.pdf_worker import PdfWorker
from pipeline.preview.workbench import Workbench
from pipeline.run.report import one_line

# The preview's own pages: their script and stylesheet from this server, the leaflet in a frame, nothing else.
OWN_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; frame-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# A leaflet page keeps the policy it carries; this only lets the workbench frame it.
LEAFLET_POLICY = "frame-ancestors 'self'"
# The review dashboard is made by the styles' templates, its stylesheet inline like a leaflet's.
REVIEW_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; font-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
KEEP_ALIVE_SECONDS = 15.0  # an idle stream sends a comment this often, so a closed tab is noticed


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # a stream left open never holds up the stop
    allow_reuse_address = True  # --port N again straight after a stop

    def __init__(self, address: tuple[str, int], workbench: Workbench, pdfs: PdfWorker):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, Handler)
        self.workbench = workbench
        self.pdfs = pdfs
        self.loopback = is_loopback(address[0])

    def handle_error(self, request: object, client_address: object) -> None:
        """A bug met while answering: one line on the terminal, not the base class's traceback."""
        error = sys.exc_info()[1]
        self.workbench.report(
            f"leaflets preview: error: internal error answering a request ({one_line(f'{type(error).__name__}: {error}')}); "
            "please report it"
        )

    @property
    def port(self) -> int:
        return self.server_address[1]

    def url(self) -> str:
        host = self.server_address[0]
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port}/"


class Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "leaflets-preview"
    sys_version = ""

    def log_message(self, format: str, *args: object) -> None:
        """Requests are not logged: the terminal is for what happens to the leaflets."""

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def _answer(self, head: bool) -> None:
        if not host_allowed(self.headers.get("Host"), self.server.port, self.server.loopback):
            self._text(HTTPStatus.FORBIDDEN, "refused: this preview answers only to its own address", head)
            return
        try:
            # The target as sent: the base class tidies a leading "//" away in self.path, and what is
            # refused is decided in one place, route().
            wanted = route(self.requestline.split()[1])
        except Refused as error:
            self._text(HTTPStatus.FORBIDDEN, f"refused: {error}", head)
            return
        workbench = self.server.workbench
        if wanted.kind == LIST:
            page = pages.list_page(workbench.everything(), workbench.notices(), workbench.token() or "")
            self._send(HTTPStatus.OK, "text/html; charset=utf-8", page.encode("utf-8"), head, OWN_POLICY)
        elif wanted.kind == WORKBENCH and (shown := workbench.shown(wanted.name)) is not None:
            page = pages.workbench_page(shown, workbench.notices(), workbench.token(wanted.name) or "")
            self._send(HTTPStatus.OK, "text/html; charset=utf-8", page.encode("utf-8"), head, OWN_POLICY)
        elif wanted.kind == REVIEW:
            self._review(head)
        elif wanted.kind == PAGE and (shown := workbench.shown(wanted.name)) is not None:
            if shown.page is None:
                self._text(HTTPStatus.CONFLICT, "\n".join(("No page yet:", *shown.failure)), head)
            else:
                self._send(HTTPStatus.OK, "text/html; charset=utf-8", shown.page.encode("utf-8"), head, LEAFLET_POLICY)
        elif wanted.kind == PDF and workbench.shown(wanted.name) is not None:
            self._pdf(wanted.name, head)
        elif wanted.kind == ASSET and (asset := workbench.asset(wanted.name)) is not None:
            name, data = asset
            self._send(HTTPStatus.OK, mimetypes.guess_type(name)[0] or "application/octet-stream", data, head)
        elif wanted.kind == STATIC:
            data, content_type = pages.static_file(wanted.name)
            self._send(HTTPStatus.OK, content_type, data, head)
        elif wanted.kind == EVENTS and workbench.token(wanted.name) is not None:
            self._stream(wanted.name, head)
        else:
            self._text(HTTPStatus.NOT_FOUND, "not found: no such leaflet or file in this preview", head)

    def _review(self, head: bool) -> None:
        workbench = self.server.workbench
        today = dt.date.today()
        rows, renderer = workbench.review_rows(today, pages.review_links)
        try:
            page = pages.review_page(rows, renderer, today)
        except PipelineError as error:
            self._text(HTTPStatus.INTERNAL_SERVER_ERROR, f"styles: error: the review page could not be made: {error}", head)
            return
        self._send(HTTPStatus.OK, "text/html; charset=utf-8", page.encode("utf-8"), head, REVIEW_POLICY)

    def _pdf(self, doc_id: str, head: bool) -> None:
        workbench = self.server.workbench
        request = workbench.pdf_request(doc_id)
        if request is None:  # removed since the request came in
            self._text(HTTPStatus.NOT_FOUND, "not found: no such leaflet or file in this preview", head)
            return
        key, shown = request
        if shown.leaflet is None or shown.standing is None:
            self._text(HTTPStatus.CONFLICT, "\n".join(("No PDF yet:", *shown.failure)), head)
            return
        pdf = workbench.cached_pdf(doc_id, key)
        if pdf is None:
            try:
                pdf = self.server.pdfs.pdf(shown.leaflet, shown.standing, key[1])
            except PipelineError as error:
                self._text(HTTPStatus.INTERNAL_SERVER_ERROR, f"{shown.display}: error: the PDF could not be made: {error}", head)
                return
            workbench.keep_pdf(doc_id, key, pdf)
        self._send(HTTPStatus.OK, "application/pdf", pdf, head)

    def _stream(self, doc_id: str, head: bool) -> None:
        """Server-Sent Events: the page's token now, then each time it changes."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self._common_headers()
        self.end_headers()
        if head:
            return
        workbench = self.server.workbench
        last = None
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while True:
                token = workbench.wait(doc_id, last, KEEP_ALIVE_SECONDS)
                if token is None:
                    return  # stopping, or the leaflet is gone: the page's next fetch says so
                self.wfile.write(f"data: {token}\n\n".encode() if token != last else b": still here\n\n")
                self.wfile.flush()
                last = token
        except (BrokenPipeError, ConnectionResetError):
            return  # the page was closed

    def _common_headers(self, policy: str | None = None) -> None:
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        if policy:
            self.send_header("Content-Security-Policy", policy)

    def _send(self, status: HTTPStatus, content_type: str, data: bytes, head: bool, policy: str | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self._common_headers(policy)
            self.end_headers()
            if not head:
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser went away mid-answer (a page left, a reload): nobody to tell

    def _text(self, status: HTTPStatus, text: str, head: bool) -> None:
        self._send(status, "text/plain; charset=utf-8", (text + "\n").encode("utf-8"), head, "default-src 'none'")
