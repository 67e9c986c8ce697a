"""Render stage: leaflet -> HTML page -> PDF leaflet.

Both come from the same Jinja2 templates and stylesheet in the styles folders:
an optional ``--styles`` folder searched first, then the built-in ``styles/``
beside this package. A :class:`Renderer` holds what is costly to build (the
Jinja2 environment, the theme and, from the first PDF on, the
:class:`~pipeline.render.pdf.PdfWriter` with WeasyPrint's font configuration and
the parsed print stylesheet) so one instance serves any number of documents;
:func:`renderer_for` keeps one per set of options in each process.

Nothing here reads or writes files for a document: templates, theme and
stylesheet are read when the renderer is built, and WeasyPrint may only
load files from the styles folders (see :mod:`pipeline.render.pdf`). Text from a
leaflet is always escaped and never fetched.

What the templates are given is worked out in :mod:`pipeline.render.views`;
how templates are loaded and run, in :mod:`pipeline.render.templates`.
"""

from __future__ import annotations

from typing import Any

from pipeline.render.styles import (
    BUILTIN_STYLES,
    PAGE_SIZES,
    RenderOptions,
    StylesFolders,
)

__all__ = [
    "BUILTIN_STYLES", "PAGE_SIZES", "IndexEntry", "RenderOptions", "RenderedLeaflet", "Renderer", "StylesFolders",
    "renderer_for",
]
_RENDERER_NAMES = {"IndexEntry", "RenderedLeaflet", "Renderer", "renderer_for"}


def __getattr__(name: str) -> Any:
    """The renderer itself on first use: Jinja2 and the theme take ~0.1 s to load, and a
    run that only needs the options (to tell whether anything is out of date) does without."""
    if name in _RENDERER_NAMES:
        from pipeline.render import renderer

        return getattr(renderer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
