"""The renderer: leaflets -> HTML pages and PDFs with one set of options (see :mod:`pipeline.render`)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
import jinja2.meta
from markupsafe import Markup

from pipeline import __version__
from pipeline.errors import ConfigError, PipelineError
from pipeline.model import Leaflet
from pipeline.render.styles import (  # noqa: F401 - re-exported
    BUILTIN_STYLES,
    PAGE_SIZES,
    RenderOptions,
    StylesFolders,
)
from pipeline.render.templates import (
    Sandbox,
    StylesLoader,
    autoescape,
    css_string,
    page_fails_on_error,
    template_error,
)
from pipeline.render.theme import load_theme
from pipeline.render.views import IndexEntry, contact_view, left_out, page_view
from pipeline.review.approval import CHANGED

if TYPE_CHECKING:  # the layout engine takes a second to load; only commands that print PDFs need it
    from pipeline.render.pdf import PdfWriter

LEAFLET_TEMPLATE = "leaflet.html"
INDEX_TEMPLATE = "index.html"
STYLESHEET = "leaflet.css"
GENERATOR = f"leaflet pipeline {__version__}"

# -- the renderer ------------------------------------------------------------


@dataclass(frozen=True)
class RenderedLeaflet:
    html: str
    pdf: bytes
    warnings: tuple[str, ...] = ()


class Renderer:
    """Turns leaflets into HTML pages and PDFs with one set of options; reuse it."""

    def __init__(self, options: RenderOptions | None = None):
        self.options = options = options or RenderOptions()
        page_size = PAGE_SIZES.get(options.page_size.lower())
        if page_size is None:
            raise ConfigError(f"page size: expected one of {', '.join(PAGE_SIZES)}, got {options.page_size!r}")
        self.styles = StylesFolders(options.styles)
        self.theme = load_theme(self.styles.folders, lambda relative: self.styles.find(relative) is not None)
        # The sandbox: templates read attributes and call methods of what they are given, nothing more.
        self.environment = Sandbox(
            loader=StylesLoader(self.styles),
            autoescape=autoescape,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
        )
        self.environment.filters["css_string"] = css_string
        self.environment.globals.update(
            theme=self.theme,
            labels=self.theme.labels,
            large_print=options.large_print,
            page_size=page_size,
            generator=GENERATOR,
        )
        self._templates: dict[str, jinja2.Template] = {}
        self._leaflet_template = self._template(LEAFLET_TEMPLATE)
        self._index_template = self._template(INDEX_TEMPLATE)
        self._stylesheet_template = self._template(STYLESHEET)
        self._stylesheets: dict[str, str] = {}
        self._pdf_writer: PdfWriter | None = None

    def _template(self, name: str) -> jinja2.Template:
        """The template ``name``, loaded with every template it names literally (extends, include,
        import), so that a broken or refused one stops the run before any work (a :class:`ConfigError`)."""
        if name not in self._templates:
            try:
                template = self.environment.get_template(name)
                self._load_references(name, {name})
            except jinja2.TemplateNotFound as error:
                folders = ", ".join(map(str, self.styles.folders))
                raise ConfigError(f"template {error.name} not found in {folders}") from None
            except jinja2.TemplateError as error:
                raise ConfigError(template_error(error, name)) from None
            except ConfigError as error:
                raise ConfigError(f"template {name}: {error}") from None
            self._templates[name] = template
        return self._templates[name]

    def _load_references(self, name: str, seen: set[str]) -> None:
        source = self.environment.loader.get_source(self.environment, name)[0]
        for referenced in jinja2.meta.find_referenced_templates(self.environment.parse(source, name)):
            if referenced is None or referenced in seen:  # None: a name computed at render time
                continue
            seen.add(referenced)
            try:
                self.environment.get_template(referenced)
            except jinja2.TemplateNotFound:
                continue  # may be an `ignore missing` include; if it is ever reached, that leaflet fails
            self._load_references(referenced, seen)

    def stylesheet(self, asset_root: str = "") -> str:
        """The CSS text for pages whose ``assets/`` folder is at ``asset_root``; as it is the same
        for every leaflet, a template error in it is a :class:`ConfigError`."""
        if asset_root not in self._stylesheets:
            try:
                css = self._render_template(self._stylesheet_template, asset_root=asset_root)
            except PipelineError as error:
                raise ConfigError(str(error)) from None
            self._stylesheets[asset_root] = css
        return self._stylesheets[asset_root]

    def pdf_writer(self) -> PdfWriter:
        """What prints this renderer's pages as PDF, made on first use (it loads WeasyPrint);
        a stylesheet that loads a refused file is a :class:`ConfigError` here."""
        if self._pdf_writer is None:
            from pipeline.render.pdf import PdfWriter

            self._pdf_writer = PdfWriter(self.styles, self.stylesheet(""), STYLESHEET)
        return self._pdf_writer

    def _render_template(self, template: jinja2.Template, **context: object) -> str:
        with page_fails_on_error(template.name):
            return template.render(**context)

    # -- pure at heart: leaflet -> HTML text -> PDF bytes

    def render_html(
        self, leaflet: Leaflet, *, embed_css: bool = True, standing: str | None = None,
        links: Mapping[str, str] | None = None, today: dt.date | None = None,
    ) -> str:
        """The standalone HTML page; its assets are expected in ``assets/`` beside it.

        ``embed_css=False`` leaves the stylesheet out, for :meth:`html_to_pdf`
        which applies the parsed one. With ``today``, a leaflet past its next
        review date says so.
        """
        return self._render_template(
            self._leaflet_template,
            leaflet=leaflet,
            page=page_view(leaflet, self.theme, standing, today),
            links=links,
            css=Markup(self.stylesheet("")) if embed_css else "",
            asset_root="",
        )

    def html_to_pdf(self, html: str) -> bytes:
        """A PDF/UA-1 leaflet from HTML made by :meth:`render_html`."""
        return self.pdf_writer().write(html)[0]

    def render(
        self, leaflet: Leaflet, standing: str | None = None, links: Mapping[str, str] | None = None,
        today: dt.date | None = None,
    ) -> RenderedLeaflet:
        """The HTML page and the PDF of one leaflet, with WeasyPrint's warnings.

        ``standing`` is where its review stands (:mod:`pipeline.review.approval`):
        "changed" prints it as not approved. ``links`` ("pdf", "index") are the page's links to
        its PDF and to the index, relative to the page; the PDF leaves them out. ``today``: see
        :meth:`render_html`.
        """
        html = self.render_html(leaflet, standing=standing, links=links, today=today)
        pdf, messages = self.pdf_writer().write(self.render_html(leaflet, embed_css=False, standing=standing, today=today))
        return RenderedLeaflet(html=html, pdf=pdf, warnings=(*left_out(leaflet, self.theme), *messages))

    def _edition_name(self, edition: str) -> str:
        """".letter.large-print" -> "US Letter, large print" in the theme's words."""
        words = {"letter": self.theme.labels["letter_edition"], "large-print": self.theme.labels["large_print_edition"]}
        return ", ".join(words[part] for part in edition.strip(".").split(".") if part)

    def render_index(
        self, entries: Sequence[IndexEntry], html_dir: str = "html", pdf_dir: str = "pdf", review_page: str | None = None
    ) -> str:
        """``index.html`` for the output folder: every leaflet with its status and links, and a
        link to the review dashboard (``review_page``) unless the folder is a published set."""
        ordered = sorted(entries, key=lambda entry: (entry.title.casefold(), entry.id))
        rows = [
            {
                "title": entry.title,
                "status": "draft" if entry.status == CHANGED else entry.status,
                "status_label": (
                    self.theme.labels["changed_mark"] if entry.status == CHANGED
                    else self.theme.statuses.get(entry.status, entry.status)
                ),
                "html": f"{html_dir}/{entry.id}{entry.editions[0]}.html",
                "pdf": f"{pdf_dir}/{entry.id}{entry.editions[0]}.pdf",
                "editions": [
                    {"name": self._edition_name(edition), "html": f"{html_dir}/{entry.id}{edition}.html",
                     "pdf": f"{pdf_dir}/{entry.id}{edition}.pdf"}
                    for edition in entry.editions[1:]
                ],
            }
            for entry in ordered
        ]
        return self._render_template(
            self._index_template,
            entries=rows,
            review_page=review_page,
            contact=contact_view(self.theme.contact, self.theme),
            css=Markup(self.stylesheet(f"{html_dir}/")),
            asset_root=f"{html_dir}/",
        )

    def render_page(self, template_name: str, **context: object) -> str:
        """Any other template in the styles folders (e.g. ``review.html``) with the leaflets' Jinja setup.

        HTML templates are autoescaped; a missing or broken template is a :class:`ConfigError`.
        """
        return self._render_template(self._template(template_name), **context)

    def page_chunks(self, template_name: str, **context: object) -> Iterator[str]:
        """:meth:`render_page` piece by piece, for pages too long to hold twice (``review.html``)."""
        template = self._template(template_name)
        with page_fails_on_error(template.name):
            yield from template.generate(**context)

    def assets(self) -> dict[str, Path]:
        """Files the HTML pages load, by path relative to the page's folder (``assets/...``)."""
        return self.styles.assets()


@functools.lru_cache(maxsize=4)
def renderer_for(options: RenderOptions) -> Renderer:
    """The renderer for ``options``, built once per process."""
    return Renderer(options)
