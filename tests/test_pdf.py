"""The PDF a patient holds: its text, pages, fonts, tags, outline and metadata."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader

from pipeline.model import Leaflet
from pipeline.render import Renderer, RenderOptions, renderer_for
from pipeline.render.views import block_views
from tests.support.rendering import (
    DRAFT_MARK,
    _temporary_folder,
    pdftotext,
    require,
    reviewed,
    sample_ids,
    sample_leaflet,
    sample_output,
    squash,
)

pytestmark = pytest.mark.slow  # processes, PDFs, a browser or many examples: CI runs it, the quick subset does not

A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)


def sample_pdf(doc_id: str) -> Path:
    return sample_output() / "pdf" / f"{doc_id}.pdf"


@functools.cache
def rendered_pdf(kind: str) -> Path:
    """A reviewed leaflet (A4) or a large-print US Letter draft, rendered once."""
    leaflet = sample_leaflet(sample_ids()[0])
    if kind == "reviewed":
        pdf = renderer_for(RenderOptions()).render(reviewed(leaflet)).pdf
    else:
        pdf = Renderer(RenderOptions(page_size="letter", large_print=True)).render(leaflet).pdf
    path = _temporary_folder("leaflets-pdf-") / f"{kind}.pdf"
    path.write_bytes(pdf)
    return path


def page_texts(pdf: Path, body_only: bool = False) -> list[str]:
    """Text of each page; ``body_only`` crops away the running header and footer."""
    reader = PdfReader(pdf)
    texts = []
    for number, page in enumerate(reader.pages, start=1):
        args = ["-f", str(number), "-l", str(number)]
        if body_only:
            width, height = float(page.mediabox.width), float(page.mediabox.height)
            top, bottom = 54, 48  # the page margins (19 mm, 17 mm) in points
            args += ["-x", "0", "-y", str(top), "-W", str(int(width)), "-H", str(int(height - top - bottom))]
        texts.append(pdftotext(pdf, *args))
    return texts


def leaflet_texts(leaflet: Leaflet, renderer: Renderer) -> list[str]:
    """Every piece of content text the leaflet should print, headings included."""
    texts = [leaflet.title, *leaflet.also_known_as]
    if leaflet.technical_term:
        texts.append(leaflet.technical_term)
    for key in leaflet.sections:
        views = block_views(leaflet.section(key))
        if views:
            texts.append(renderer.theme.heading(key))
        for view in views:
            texts += [view.text] if view.kind == "p" else [piece for item in view.items for piece in (item.label, item.text) if piece]
    for extra in leaflet.extra_sections:
        texts.append(extra.heading)
        for view in block_views(extra.content):
            texts += [view.text] if view.kind == "p" else [item.text for item in view.items]
    return texts


# -- text --------------------------------------------------------------------


@pytest.mark.parametrize("doc_id", sample_ids())
def test_pdf_text_contains_title_and_every_section(doc_id):
    leaflet = sample_leaflet(doc_id)
    body = squash("".join(page_texts(sample_pdf(doc_id), body_only=True)))
    missing = [text for text in leaflet_texts(leaflet, renderer_for(RenderOptions())) if squash(text) not in body]
    assert missing == []


@pytest.mark.parametrize("doc_id", sample_ids())
def test_every_page_has_title_page_x_of_y_and_draft_mark(doc_id):
    leaflet = sample_leaflet(doc_id)
    pages = page_texts(sample_pdf(doc_id))
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert leaflet.title in text, number
        assert f"Page {number} of {len(pages)}" in text
        assert DRAFT_MARK in text, number
        assert "Example Hospital" in text


def test_reviewed_leaflet_has_no_draft_mark_and_prints_review_dates():
    text = pdftotext(rendered_pdf("reviewed"))
    assert DRAFT_MARK not in text
    assert "Clinically reviewed and approved" in text
    assert "5 March 2025" in text and "1 March 2027" in text


@pytest.mark.parametrize("doc_id", sample_ids())
def test_headings_are_never_last_on_a_page(doc_id):
    headings = {heading for heading in renderer_for(RenderOptions()).theme.sections.values()}
    pages = page_texts(sample_pdf(doc_id), body_only=True)
    for number, text in enumerate(pages[:-1], start=1):
        last_line = [line.strip() for line in text.splitlines() if line.strip()][-1]
        assert last_line not in headings, f"page {number} ends with heading {last_line!r}"


@pytest.mark.parametrize("doc_id", sample_ids())
def test_lines_are_at_most_about_70_characters(doc_id):
    body = "".join(page_texts(sample_pdf(doc_id), body_only=True)).split("About this leaflet")[0]  # the small print aside
    lengths = sorted(len(line) for line in body.splitlines() if line.strip())
    assert lengths[-1] <= 75  # a line of narrow letters runs a little longer
    assert lengths[len(lengths) * 3 // 4] <= 70


# -- pages and fonts -----------------------------------------------------------


def body_font_size(pdf: Path) -> float:
    """The size most of the characters are set in, in points."""
    sizes: Counter[float] = Counter()

    def visit(text, matrix, text_matrix, font, size):
        if text.strip():
            sizes[round(size * text_matrix[3] * matrix[3], 1)] += len(text.strip())

    for page in PdfReader(pdf).pages:
        page.extract_text(visitor_text=visit)
    return sizes.most_common(1)[0][0]


def test_a4_by_default_with_body_text_of_12pt():
    for page in PdfReader(sample_pdf(sample_ids()[0])).pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=0.5)
    assert body_font_size(sample_pdf(sample_ids()[0])) == pytest.approx(12.0, abs=0.1)


@pytest.mark.parametrize("doc_id", sample_ids())
def test_each_sample_leaflet_fits_on_three_a4_pages(doc_id):
    assert len(PdfReader(sample_pdf(doc_id)).pages) <= 3


EDITIONS = {
    "a4": RenderOptions(), "letter": RenderOptions(page_size="letter"), "large-print": RenderOptions(large_print=True),
    "letter-large-print": RenderOptions(page_size="letter", large_print=True),
}


@pytest.mark.parametrize("edition", sorted(EDITIONS))
@pytest.mark.parametrize("doc_id", sample_ids())
def test_no_edition_ends_with_a_page_holding_only_the_publication_details(doc_id, edition, tmp_path):
    pdf = tmp_path / "leaflet.pdf"
    pdf.write_bytes(Renderer(EDITIONS[edition]).render(sample_leaflet(doc_id)).pdf)
    last = page_texts(pdf, body_only=True)[-1]
    assert "About this leaflet" in last
    before = last[: last.index("About this leaflet")]
    assert len(squash(before)) > 40, f"the last page holds only the publication details: {last[:200]!r}"


@pytest.mark.parametrize("edition", ["large-print", "letter"])
def test_a_long_list_of_sources_never_leaves_the_publication_details_alone(edition, tmp_path):
    import dataclasses

    source = "A national guideline on the care of this condition, with its section on treatment, published 2024"
    leaflet = dataclasses.replace(sample_leaflet(sample_ids()[0]), sources=(source,) * 12)
    pdf = tmp_path / "leaflet.pdf"
    pdf.write_bytes(Renderer(EDITIONS[edition]).render(leaflet).pdf)
    last = page_texts(pdf, body_only=True)[-1]
    assert "About this leaflet" in last and len(squash(last[: last.index("About this leaflet")])) > 40


def test_pdf_text_has_urgent_help_contact_and_the_publication_details():
    leaflet = sample_leaflet(sample_ids()[0])
    text = squash(pdftotext(sample_pdf(leaflet.id)))
    for words in (
        "When should I get urgent help?", "call your local emergency number",  # the theme's general text
        "Who can I contact?", "Contact the team looking after you.",  # no number in the built-in theme: its fallback
        "Reference", f"EXH-{leaflet.id}-v1", "Version", "Published", "not yet published (not approved)",
        "Last reviewed", "Next review due", "Other formats:", "Feedback:",
    ):
        assert squash(words) in text, words
    reviewed_text = pdftotext(rendered_pdf("reviewed"), "-layout")  # labels beside their values
    assert re.search(r"Published\s+5 March 2025", reviewed_text) and re.search(r"Next review due\s+1 March 2027", reviewed_text)


def test_letter_and_large_print_by_option():
    pdf = rendered_pdf("letter-large")
    for page in PdfReader(pdf).pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(LETTER, abs=0.5)
    assert body_font_size(pdf) >= 16
    pages = page_texts(pdf)
    assert all(DRAFT_MARK in text and f"of {len(pages)}" in text for text in pages)


def _fonts(reader: PdfReader) -> dict[str, object]:
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    return fonts


def test_fonts_are_embedded_atkinson_hyperlegible():
    fonts = _fonts(PdfReader(sample_pdf(sample_ids()[0])))
    assert fonts
    for name, font in fonts.items():
        assert "Atkinson" in name
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"] if "/DescendantFonts" in font else font["/FontDescriptor"]
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), name


def test_pdffonts_reports_every_font_embedded():
    require(shutil.which("pdffonts") is not None, "pdffonts (poppler-utils)")
    listing = subprocess.run(["pdffonts", str(sample_pdf(sample_ids()[0]))], capture_output=True, text=True, check=True).stdout
    rows = listing.splitlines()[2:]
    assert rows and all(re.search(r"\byes\s+yes\s+yes\b", row) for row in rows), listing


# -- tags, outline, metadata ---------------------------------------------------


@pytest.mark.parametrize("doc_id", sample_ids())
def test_tagged_pdf_ua_with_language_title_and_outline(doc_id):
    leaflet = sample_leaflet(doc_id)
    reader = PdfReader(sample_pdf(doc_id))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 - a pypdf BooleanObject
    assert root["/Lang"] == "en"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    assert b'pdfuaid:part="1"' in root["/Metadata"].get_object().get_data()

    metadata = reader.metadata
    assert metadata.title == f"{leaflet.title} - Example Hospital"
    assert metadata.author == "Example Hospital"
    assert metadata.subject == f"{leaflet.code.descriptor} (CPT4)"
    assert "/CreationDate" not in metadata and "/ModDate" not in metadata  # no wall-clock dates

    top, children = reader.outline[0], reader.outline[1]
    assert top.title == leaflet.title
    theme = renderer_for(RenderOptions()).theme
    expected = [
        theme.heading(key) for key in theme.order
        if block_views(leaflet.section(key)) or key in ("urgent_help", "contact")  # the theme's text when none
    ]
    assert [child.title for child in children] == [*expected, "About this leaflet"]


def test_structure_tree_has_headings_lists_and_paragraphs():
    reader = PdfReader(sample_pdf(sample_ids()[-1]))
    seen: Counter[str] = Counter()

    def walk(element, depth=0):
        element = element.get_object()
        if isinstance(element, dict) or hasattr(element, "keys"):
            if "/S" in element:
                seen[element["/S"]] += 1
            kids = element.get("/K")
            if kids is not None:
                for kid in kids if isinstance(kids, list) else [kids]:
                    if hasattr(kid, "get_object") and depth < 40:
                        walk(kid, depth + 1)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert seen["/H1"] == 1
    assert seen["/H2"] >= 10
    assert seen["/L"] >= 5 and seen["/LI"] >= 10 and seen["/P"] >= 5


def test_reviewed_date_is_the_modification_date():
    assert PdfReader(rendered_pdf("reviewed")).metadata["/ModDate"].startswith("D:20250305")


def test_same_leaflet_renders_to_the_same_bytes():
    renderer = renderer_for(RenderOptions())
    leaflet = sample_leaflet(sample_ids()[0])
    first, second = renderer.render(leaflet), renderer.render(leaflet)
    assert first.pdf == second.pdf and first.html == second.html
    assert first.pdf == sample_pdf(sample_ids()[0]).read_bytes()
