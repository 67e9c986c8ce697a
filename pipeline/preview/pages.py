"""The preview's own pages: the list of leaflets and one leaflet's workbench. Pure.

Made from the package's templates in ``data/`` (not the styles folders, so
that styles being edited cannot break the page that shows their errors),
with the leaflets' text escaped like everywhere else. The script and
stylesheet they load come with the package too (``data/preview.js``,
``data/preview.css``), served under the pages' ``script-src 'self'``.

The review dashboard is the one of ``OUTPUT/review.html`` (the styles'
``review.html``), its links into the preview, its filter script from the
package as well.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import jinja2

from pipeline.preview.shown import Shown
from pipeline.review.review_page import FILTER_SCRIPT, PageSetting, render_review_page
from pipeline.review.rows import LeafletFiles, ReviewRow

if TYPE_CHECKING:
    from pipeline.render import Renderer

DATA = Path(__file__).with_name("data")
# The files under /static/ (names from pipeline.preview.paths.STATIC_FILES), all from the package.
STATIC = {
    "preview.js": (DATA / "preview.js", "text/javascript; charset=utf-8"),
    "preview.css": (DATA / "preview.css", "text/css; charset=utf-8"),
    FILTER_SCRIPT.name: (FILTER_SCRIPT, "text/javascript; charset=utf-8"),
}
LIST_URL = "/"
REVIEW_URL = "/review"


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(DATA), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )


def workbench_url(doc_id: str) -> str:
    return f"/preview/{quote(doc_id)}"


def page_url(doc_id: str) -> str:
    return f"/html/{quote(doc_id)}.html"


def pdf_url(doc_id: str) -> str:
    return f"/pdf/{quote(doc_id)}.pdf"


def stream_url(doc_id: str = "") -> str:
    return f"/events/{quote(doc_id)}" if doc_id else "/events"


def list_page(leaflets: Sequence[Shown], notes: Sequence[str], token: str) -> str:
    return _environment().get_template("list.html").render(
        leaflets=leaflets, notes=notes, stream=stream_url(), token=token, review_url=REVIEW_URL,
    )


def review_links(doc_id: str) -> LeafletFiles:
    """A review row's links, into the preview: the leaflet's workbench (a hardest sentence's
    section added as ``#anchor``) and its PDF. The YAML files are not served."""
    return LeafletFiles(id=doc_id, yaml="", html=workbench_url(doc_id), pdf=pdf_url(doc_id))


REVIEW_SETTING = PageSetting(asset_root="/html/", filter_script=f"/static/{FILTER_SCRIPT.name}", preview_list=LIST_URL)


def review_page(rows: Sequence[ReviewRow], renderer: Renderer, today: dt.date) -> str:
    """The review dashboard of ``OUTPUT/review.html`` for the previewed leaflets (rows made with
    :func:`review_links`); :class:`~pipeline.errors.ConfigError` when the styles' template fails."""
    return render_review_page(rows, renderer, today, REVIEW_SETTING)


def workbench_page(shown: Shown, notes: Sequence[str], token: str) -> str:
    return _environment().get_template("workbench.html").render(
        shown=shown, notes=notes, page_url=page_url(shown.doc_id), pdf_url=pdf_url(shown.doc_id),
        stream=stream_url(shown.doc_id), token=token, list_url=LIST_URL, review_url=REVIEW_URL,
    )


@functools.cache
def static_file(name: str) -> tuple[bytes, str]:
    """A file under ``/static/`` and its content type (names from :data:`pipeline.preview.paths.STATIC_FILES` only)."""
    path, content_type = STATIC[name]
    return path.read_bytes(), content_type
