"""HTML -> PDF bytes, with WeasyPrint confined to the styles folders.

Kept apart from :mod:`pipeline.render` so that commands which only make HTML
(``extract``'s review page, ``index.html``) do not load the layout engine,
which takes about a second. A :class:`PdfWriter` holds what is costly to
build (WeasyPrint's font configuration, the parsed print stylesheet) and
serves any number of documents.

WeasyPrint may only load files from the styles folders, through
:class:`StylesFetcher`; text from a leaflet is never fetched.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from pipeline.errors import ConfigError, PipelineError
from pipeline.render.styles import StylesFolders

PDF_OPTIONS = {
    "pdf_variant": "pdf/ua-1",  # tagged PDF: structure tree, /Lang, /Title shown as the window title
    "pdf_identifier": True,  # the /ID is a hash of the content, so unchanged input gives the same bytes
}


class RefusedResource(ValueError):
    """WeasyPrint asked for something that is not a file in the styles folders."""


class StylesFetcher(URLFetcher):
    """Serves files from the styles folders and refuses every other URL.

    No http, https, ftp or data URL, and no ``file:`` URL outside the styles
    folders, is ever opened. A refusal stops the render of that document
    (``fail_on_errors``) rather than leaving a silent gap in the PDF.
    """

    def __init__(self, styles: StylesFolders):
        super().__init__(fail_on_errors=True)
        self._styles = styles
        self._cache: dict[Path, bytes] = {}

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        relative = self._styles.relative_path(url)
        path = self._styles.find(relative) if relative is not None else None
        if path is None:
            shown = url if len(url) <= 120 else url[:117] + "..."
            raise RefusedResource(f"refused to load {shown}: only files in the styles folders may be used")
        if path not in self._cache:
            self._cache[path] = path.read_bytes()
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), self._cache[path], {"Content-Type": content_type})


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def weasyprint_messages() -> Iterator[list[str]]:
    """WeasyPrint's warnings while the block runs, instead of on stderr."""
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


class PdfWriter:
    """PDF/UA-1 leaflets from HTML pages, printed with one stylesheet; reuse it."""

    def __init__(self, styles: StylesFolders, stylesheet: str, stylesheet_name: str):
        self.styles = styles
        self.fetcher = StylesFetcher(styles)
        self.font_config = FontConfiguration()
        # Browser-only properties in the shared stylesheet make WeasyPrint warn; those are expected.
        with weasyprint_messages():
            try:
                self.print_css = CSS(
                    string=stylesheet, base_url=styles.base_url, url_fetcher=self.fetcher, font_config=self.font_config
                )
            except FatalURLFetchingError as error:
                raise ConfigError(f"{stylesheet_name}: {error.__cause__ or error}") from None

    def write(self, html: str) -> tuple[bytes, list[str]]:
        """The PDF of ``html`` (whose stylesheet is this writer's), with WeasyPrint's warnings."""
        with weasyprint_messages() as messages:
            try:
                document = HTML(string=html, base_url=self.styles.base_url, url_fetcher=self.fetcher)
                pdf = document.write_pdf(stylesheets=[self.print_css], font_config=self.font_config, **PDF_OPTIONS)
            except FatalURLFetchingError as error:
                raise PipelineError(str(error.__cause__ or error)) from None
        return pdf, list(dict.fromkeys(messages))
