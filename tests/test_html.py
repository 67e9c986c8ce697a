"""The HTML page a patient opens: in headless Chromium, with axe-core, on a phone and a desktop."""

from __future__ import annotations

import re
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from pipeline.render import Renderer, RenderOptions
from tests.support.rendering import (
    axe_violations,
    chromium,
    pdftotext,
    probe_page,
    sample_ids,
    sample_leaflet,
    sample_output,
    squash,
)

pytestmark = pytest.mark.slow  # processes, PDFs, a browser or many examples: CI runs it, the quick subset does not


def sample_page(doc_id: str) -> Path:
    return sample_output() / "html" / f"{doc_id}.html"


class References(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.urls: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if name in ("src", "href", "data", "poster", "srcset") and value]


@pytest.mark.parametrize("doc_id", sample_ids())
def test_page_needs_nothing_but_files_beside_it(doc_id):
    page = sample_page(doc_id)
    html = page.read_text("utf-8")
    urls = References(html).urls + re.findall(r"url\(\"?([^\")]+)\"?\)", html)
    assert urls
    for url in urls:
        assert not re.match(r"[a-zA-Z][a-zA-Z+.-]*:", url), f"absolute URL {url}"
        if url.startswith("#"):
            assert f'id="{url[1:]}"' in html, f"no element {url}"  # the contents' jump links
        else:
            assert (page.parent / url).is_file(), f"{url} is not in {page.parent}"
    # The page links to its PDF and to the index; the PDF leaves the page's links and contents out.
    assert f"../pdf/{doc_id}.pdf" in urls and "../index.html" in urls and "#risks" in urls
    text = pdftotext(sample_output() / "pdf" / f"{doc_id}.pdf")
    assert "On this page" not in text and "Download this leaflet" not in text
    # Every leaflet says when to get urgent help: here the theme's general text, as the sample has none.
    assert squash("When should I get urgent help?") in squash(text) and squash("local emergency number") in squash(text)
    assert (page.parent / "assets" / "fonts" / "OFL.txt").is_file()  # the font licence travels with the fonts


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("doc_id", sample_ids())
def test_axe_finds_no_wcag_a_or_aa_violation(doc_id, width):
    violations, passes = axe_violations(sample_page(doc_id), width)
    assert violations == []
    assert "color-contrast" in passes  # the check really ran on our colours


LAYOUT_PROBE = """
await doc.fonts.ready;
var root = doc.documentElement;
var measure = doc.createElement('span');
measure.style.whiteSpace = 'nowrap';
measure.style.position = 'absolute';
doc.body.appendChild(measure);
var widest = 0;
doc.querySelectorAll('main p, main li, main dd, footer p').forEach(function (el) {
  measure.style.font = win.getComputedStyle(el).font;
  measure.textContent = el.textContent.trim();
  var perChar = measure.getBoundingClientRect().width / measure.textContent.length;
  widest = Math.max(widest, el.clientWidth / perChar);
});
measure.remove();
var overflowing = Array.from(doc.querySelectorAll('body *')).filter(function (el) {
  return el.getBoundingClientRect().right > win.innerWidth + 0.5;
}).map(function (el) { return el.tagName + '.' + el.className; });
var body = win.getComputedStyle(doc.querySelector('main p, main li, main dd'));
return {
  viewport: win.innerWidth,
  overflowing: overflowing,
  scrollWidth: root.scrollWidth,
  bodyFontPx: parseFloat(body.fontSize),
  fontFamily: body.fontFamily,
  textAlign: body.textAlign,
  charsPerLine: widest,
  fonts: Array.from(doc.fonts).map(function (f) { return [f.family, f.weight, f.style, f.status]; }),
};
"""


def large_print_page(doc_id: str) -> Path:
    """The large-print edition of a sample page, beside the sample's assets."""
    page = sample_output() / "html" / f".large-{doc_id}.html"
    page.write_text(Renderer(RenderOptions(large_print=True)).render_html(sample_leaflet(doc_id)), "utf-8")
    return page


@pytest.mark.parametrize(("edition", "width"), [("standard", 360), ("standard", 1280), ("large print", 360)])
def test_readable_on_a_phone_and_a_desktop(edition, width):
    doc_id = sample_ids()[-1]
    page = sample_page(doc_id) if edition == "standard" else large_print_page(doc_id)
    try:
        result = probe_page(page, LAYOUT_PROBE, width=width)
    finally:
        if edition != "standard":
            page.unlink()
    assert result["viewport"] == width
    assert result["overflowing"] == []
    assert result["scrollWidth"] <= width, "the page scrolls sideways"
    assert result["bodyFontPx"] >= (24 if edition == "large print" else 18)
    assert result["textAlign"] in ("left", "start")
    assert result["charsPerLine"] <= 72
    statuses = {(weight, status) for family, weight, style, status in result["fonts"] if "Atkinson" in family}
    assert ("400", "loaded") in statuses and ("700", "loaded") in statuses
    assert not any(status == "error" for *_, status in result["fonts"])


def test_content_security_policy_blocks_nothing_of_ours():
    done = chromium(sample_page(sample_ids()[0]).as_uri(), "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", "--dump-dom")
    assert "<main>" in done.stdout
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line]
    assert console == []


def test_printing_from_the_browser_keeps_all_the_text():
    doc_id = sample_ids()[-1]
    leaflet = sample_leaflet(doc_id)
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "printed.pdf"
        done = chromium(sample_page(doc_id).as_uri(), f"--print-to-pdf={pdf}", "--no-pdf-header-footer", "--virtual-time-budget=5000")
        assert pdf.is_file(), done.stderr[-2000:]
        text = squash(pdftotext(pdf))
        reader = PdfReader(pdf)
        width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert squash(leaflet.title) in text
    assert squash("DRAFT - not clinically reviewed") in text
    for key in leaflet.sections:
        for block in leaflet.section(key):
            for piece in [block.text, *(item.text for item in block.items)]:
                assert squash(piece) in text
    assert (round(width), round(height)) == (595, 842)  # the stylesheet's @page size: A4
    assert shutil.which("pdftotext")
