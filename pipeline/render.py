"""Render stage: leaflet -> HTML page -> PDF leaflet.

Both come from the same Jinja2 templates and stylesheet in the styles folders:
an optional ``--styles`` folder searched first, then the built-in ``styles/``
beside this package. A :class:`Renderer` holds what is costly to build (the
Jinja2 environment, the theme and, from the first PDF on, the
:class:`~pipeline.pdf.PdfWriter` with WeasyPrint's font configuration and
the parsed print stylesheet) so one instance serves any number of documents;
:func:`renderer_for` keeps one per set of options in each process.

Nothing here reads or writes files for a document: templates, theme and
stylesheet are read when the renderer is built, and WeasyPrint may only
load files from the styles folders (see :mod:`pipeline.pdf`). Text from a
leaflet is always escaped and never fetched.

A styles folder may come from someone else, so its templates are not trusted
either: they run in Jinja2's sandbox (no access to Python internals, so no
code run on the build machine) and may include, import or extend only files
inside the styles folders (:class:`StylesLoader`).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
import jinja2.meta
import jinja2.runtime
import jinja2.sandbox
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from pipeline import __version__
from pipeline.errors import ConfigError, PipelineError
from pipeline.files import display_path
from pipeline.model import Block, CANONICAL_SECTIONS, Item, Leaflet
from pipeline.styles import BUILTIN_STYLES, PAGE_SIZES, RenderOptions, StylesFolders  # noqa: F401 - re-exported
from pipeline.theme import Theme, load_theme

if TYPE_CHECKING:  # the layout engine takes a second to load; only commands that print PDFs need it
    from pipeline.pdf import PdfWriter

LEAFLET_TEMPLATE = "leaflet.html"
INDEX_TEMPLATE = "index.html"
STYLESHEET = "leaflet.css"
GENERATOR = f"leaflet pipeline {__version__}"

# -- what the templates print ------------------------------------------------


@dataclass(frozen=True)
class BlockView:
    """``p`` (text), ``ul``, ``ol`` or ``dl`` (a run of labelled bullets), with items."""

    kind: str
    text: str = ""
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class SectionView:
    key: str
    anchor: str
    heading: str
    blocks: tuple[BlockView, ...]


@dataclass(frozen=True)
class PageView:
    sections: tuple[SectionView, ...]
    draft: bool
    status: str
    reviewed_on: str
    next_review_due: str
    reference: str
    description: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class IndexEntry:
    """One line of ``index.html``: a rendered leaflet."""

    id: str
    title: str
    status: str


def block_views(blocks: Iterable[Block]) -> tuple[BlockView, ...]:
    """Blocks as printed: bullets split into runs of plain (``ul``) and labelled (``dl``) items."""
    views: list[BlockView] = []
    for block in blocks:
        if block.kind == "paragraph":
            if block.text.strip():
                views.append(BlockView("p", text=block.text))
        elif block.kind == "steps":
            if block.items:
                views.append(BlockView("ol", items=block.items))
        else:
            for labelled, run in itertools.groupby(block.items, key=lambda item: item.label is not None):
                views.append(BlockView("dl" if labelled else "ul", items=tuple(run)))
    return tuple(views)


def section_views(leaflet: Leaflet, theme: Theme) -> tuple[SectionView, ...]:
    """Canonical sections in order, then extra sections; empty ones left out."""
    views: list[SectionView] = []
    for key in CANONICAL_SECTIONS:
        if blocks := block_views(leaflet.section(key)):
            views.append(SectionView(key, key.replace("_", "-"), theme.heading(key), blocks))
    for number, extra in enumerate(leaflet.extra_sections, start=1):
        if blocks := block_views(extra.content):
            views.append(SectionView("extra", f"extra-{number}", extra.heading, blocks))
    return tuple(views)


def page_view(leaflet: Leaflet, theme: Theme) -> PageView:
    labels = theme.labels
    review = leaflet.review
    reference = f"{labels['leaflet_id']} {leaflet.id}, {labels['source']} {leaflet.source.sha256[:12]}"
    if leaflet.code.descriptor:
        system = f" ({leaflet.code.system})" if leaflet.code.system else ""
        description = f"{leaflet.code.descriptor}{system}"
    else:
        description = leaflet.technical_term or leaflet.title
    return PageView(
        sections=section_views(leaflet, theme),
        draft=review.status == "draft",
        status=theme.statuses.get(review.status, review.status),
        reviewed_on=theme.format_date(review.reviewed_on),
        next_review_due=theme.format_date(review.next_review_due),
        reference=reference,
        description=description,
        keywords=tuple(dict.fromkeys([*leaflet.also_known_as, *filter(None, [leaflet.technical_term])])),
    )


def css_string(value: object) -> Markup:
    """``value`` as the inside of a double-quoted CSS string."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ").replace("<", "\\3c ")
    return Markup(text)


def _autoescape(template_name: str | None) -> bool:
    # Every HTML template is escaped; the stylesheet is CSS, filled from the trusted theme.
    return template_name is None or not template_name.endswith(".css")


class StylesLoader(jinja2.BaseLoader):
    """Templates from the styles folders, first folder winning, read like any other styles file.

    A name with ``..``, or an entry that is a link leading outside its folder,
    a pipe, a device or over the size limit, is a :class:`ConfigError`
    (see :meth:`StylesFolders.read`); the link is never followed.
    """

    def __init__(self, styles: StylesFolders):
        self.styles = styles

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, None]:
        found = self.styles.read(template)
        if found is None:
            raise jinja2.TemplateNotFound(template)
        path, content = found
        try:
            source = content.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ConfigError(f"{display_path(path)}: not UTF-8 text: {error.reason} at byte {error.start}") from None
        return source, str(path), None  # no up-to-date check: templates are read once per run


def _template_error(error: jinja2.TemplateError, name: str) -> str:
    """One line: a syntax error's text would add its location and source line on lines of their own."""
    if isinstance(error, jinja2.TemplateSyntaxError):
        return f"{error.filename or error.name or name}:{error.lineno}: template error: {error.message}"
    return f"template {name}: {error}"


@contextmanager
def _page_fails_on_error(name: str) -> Iterator[None]:
    """A template error while a page is made (an unsafe attribute, a refused include,
    a macro calling itself for ever) fails that page only."""
    try:
        yield
    except jinja2.TemplateError as error:
        raise PipelineError(_template_error(error, name)) from None
    except ConfigError as error:  # from the loader: an include or import refused at render time
        raise PipelineError(f"template {name}: {error}") from None
    except RecursionError:
        raise PipelineError(f"template {name}: calls itself without end (too deep)") from None
    except MemoryError:
        raise PipelineError(f"template {name}: makes a page too large for memory") from None


# Longest text or list a template may make with "*", and the largest power with "**".
MAX_PRODUCT_LENGTH = 1_000_000
MAX_EXPONENT = 1_000


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja2's sandbox, which also refuses ``"x" * 10**9`` and ``10**10**10``.

    Both operators are intercepted, so they are checked when the page is made
    and never worked out ahead when the template is compiled (in the main
    process, where no per-document memory limit applies).
    """

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: object, right: object) -> object:
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
            raise jinja2.sandbox.SecurityError(f"a power above {MAX_EXPONENT} is not allowed in a template")
        if operator == "*" and _product_length(left, right) > MAX_PRODUCT_LENGTH:
            raise jinja2.sandbox.SecurityError(f"text or a list longer than {MAX_PRODUCT_LENGTH:,} is not allowed")
        return super().call_binop(context, operator, left, right)


def _product_length(left: object, right: object) -> int:
    """How long ``left * right`` would be when it repeats a text or a list (else 0)."""
    for sequence, times in ((left, right), (right, left)):
        if isinstance(sequence, (str, list, tuple)) and isinstance(times, int):
            return len(sequence) * times
    return 0


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
            autoescape=_autoescape,
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
                raise ConfigError(_template_error(error, name)) from None
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
            from pipeline.pdf import PdfWriter

            self._pdf_writer = PdfWriter(self.styles, self.stylesheet(""), STYLESHEET)
        return self._pdf_writer

    def _render_template(self, template: jinja2.Template, **context: object) -> str:
        with _page_fails_on_error(template.name):
            return template.render(**context)

    # -- pure at heart: leaflet -> HTML text -> PDF bytes

    def render_html(self, leaflet: Leaflet, *, embed_css: bool = True) -> str:
        """The standalone HTML page; its assets are expected in ``assets/`` beside it.

        ``embed_css=False`` leaves the stylesheet out, for :meth:`html_to_pdf`
        which applies the parsed one.
        """
        return self._render_template(
            self._leaflet_template,
            leaflet=leaflet,
            page=page_view(leaflet, self.theme),
            css=Markup(self.stylesheet("")) if embed_css else "",
            asset_root="",
        )

    def html_to_pdf(self, html: str) -> bytes:
        """A PDF/UA-1 leaflet from HTML made by :meth:`render_html`."""
        return self.pdf_writer().write(html)[0]

    def render(self, leaflet: Leaflet) -> RenderedLeaflet:
        """The HTML page and the PDF of one leaflet, with WeasyPrint's warnings."""
        html = self.render_html(leaflet)
        pdf, messages = self.pdf_writer().write(self.render_html(leaflet, embed_css=False))
        return RenderedLeaflet(html=html, pdf=pdf, warnings=tuple(messages))

    def render_index(self, entries: Sequence[IndexEntry], html_dir: str = "html", pdf_dir: str = "pdf") -> str:
        """``index.html`` for the output folder: every leaflet with its status and links."""
        ordered = sorted(entries, key=lambda entry: (entry.title.casefold(), entry.id))
        rows = [
            {
                "title": entry.title,
                "status": entry.status,
                "status_label": self.theme.statuses.get(entry.status, entry.status),
                "html": f"{html_dir}/{entry.id}.html",
                "pdf": f"{pdf_dir}/{entry.id}.pdf",
            }
            for entry in ordered
        ]
        return self._render_template(
            self._index_template,
            entries=rows,
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
        with _page_fails_on_error(template.name):
            yield from template.generate(**context)

    def assets(self) -> dict[str, Path]:
        """Files the HTML pages load, by path relative to the page's folder (``assets/...``)."""
        return self.styles.assets()


@functools.lru_cache(maxsize=4)
def renderer_for(options: RenderOptions) -> Renderer:
    """The renderer for ``options``, built once per process."""
    return Renderer(options)


def render_html(leaflet: Leaflet, options: RenderOptions | None = None) -> str:
    return renderer_for(options or RenderOptions()).render_html(leaflet)


def html_to_pdf(html: str, options: RenderOptions | None = None) -> bytes:
    return renderer_for(options or RenderOptions()).html_to_pdf(html)
