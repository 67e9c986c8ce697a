"""The preview's own pages: the list of leaflets and one leaflet's workbench. Pure.

Made from the package's templates in ``data/`` (not the styles folders, so
that styles being edited cannot break the page that shows their errors),
with the leaflets' text escaped like everywhere else. The script and
stylesheet they load come with the package too (``data/preview.js``,
``data/preview.css``), served under the pages' ``script-src 'self'``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

import jinja2

from pipeline.preview.shown import Shown

DATA = Path(__file__).with_name("data")
STATIC_TYPES = {"preview.js": "text/javascript; charset=utf-8", "preview.css": "text/css; charset=utf-8"}


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(DATA), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )


def page_url(doc_id: str) -> str:
    return f"/html/{quote(doc_id)}.html"


def pdf_url(doc_id: str) -> str:
    return f"/pdf/{quote(doc_id)}.pdf"


def stream_url(doc_id: str = "") -> str:
    return f"/events/{quote(doc_id)}" if doc_id else "/events"


def list_page(leaflets: Sequence[Shown], notes: Sequence[str], token: str) -> str:
    return _environment().get_template("list.html").render(
        leaflets=leaflets, notes=notes, stream=stream_url(), token=token,
    )


def workbench_page(shown: Shown, notes: Sequence[str], token: str) -> str:
    return _environment().get_template("workbench.html").render(
        shown=shown, notes=notes, page_url=page_url(shown.doc_id), pdf_url=pdf_url(shown.doc_id),
        stream=stream_url(shown.doc_id), token=token,
    )


@functools.cache
def static_file(name: str) -> bytes:
    """``preview.js`` or ``preview.css`` (names from :data:`pipeline.preview.paths.STATIC_FILES` only)."""
    return (DATA / name).read_bytes()
