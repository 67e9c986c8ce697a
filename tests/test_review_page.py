"""The review dashboard (OUTPUT/review.html): rows, the proposed-update diff, escaping, and the page in a browser."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

from pipeline.render import renderer_for
from pipeline.render.styles import RenderOptions
from pipeline.review import review_page, rows
from pipeline.review.check import check_text
from pipeline.review.review_page import render_review_page, write_review_page
from pipeline.review.rows import LeafletFiles, proposed_change, review_row
from pipeline.run.output_folder import OutputFolder
from pipeline.yamlio import load_leaflet
from tests.support.rendering import axe_violations, probe_page

from .conftest import TESTS

TODAY = dt.date(2026, 11, 22)
DOC_ID = "003_4a4ee41c62ba9be6"
GOOD = (TESTS / "golden" / DOC_ID / "expected.yaml").read_text("utf-8")
FILES = LeafletFiles(id=DOC_ID, yaml=f"yaml/{DOC_ID}.yaml", html=f"html/{DOC_ID}.html", pdf=f"pdf/{DOC_ID}.pdf")
OLD_SENTENCE = "Risk of bleeding or infection"
NEW_SENTENCE = "Some bleeding or infection can happen"



def unmarked(html: str) -> str:
    """The page without the marks on changed words, to find a line's whole text."""
    return re.sub(r"</?mark[^>]*>", "", html)

def review(text: str, **fields: str) -> str:
    """``text`` with review fields set, e.g. ``status="approved"``."""
    for field, value in fields.items():
        text = text.replace(f"  {field}: {'draft' if field == 'status' else 'null'}\n", f"  {field}: {value}\n", 1)
    return text


APPROVED = review(GOOD, status="approved", reviewer="Dr Example", reviewed_on="2026-03-05", next_review_due="2027-03-01")


def warnings_in(text: str, today: dt.date = TODAY) -> list[str]:
    return [problem.message for problem in check_text(text, today) if problem.severity == "warning"]


def renderer():
    return renderer_for(RenderOptions())


# -- rows ---------------------------------------------------------------------


def test_draft_row():
    row = review_row(GOOD, None, TODAY, FILES)
    assert (row.title, row.status, row.reviewer, row.reviewed_on, row.next_review_due) == (
        "Dilation of Anal Sphincter", "draft", None, None, None)
    assert not row.overdue
    assert row.grade == pytest.approx(9.9, abs=0.05)
    assert [sentence.text for sentence in row.hardest][:2] == [
        "Surgical options like lateral internal sphincterotomy",
        "Medication management with topical anesthetics or nitroglycerin ointment",
    ]
    assert row.hardest[0].line == GOOD.splitlines().index("    - Surgical options like lateral internal sphincterotomy") + 1
    assert (row.hardest[0].section, row.hardest[0].anchor) == ("alternatives", "alternatives")
    assert [sentence.grade for sentence in row.hardest] == sorted((sentence.grade for sentence in row.hardest), reverse=True)
    assert (row.errors, row.warnings) == (0, len(warnings_in(GOOD))) and row.warnings >= 1
    assert row.proposal is None and row.first_error is None


def test_approved_row():
    row = review_row(APPROVED, None, TODAY, FILES)
    assert (row.status, row.reviewer) == ("approved", "Dr Example")
    assert (row.reviewed_on, row.next_review_due) == (dt.date(2026, 3, 5), dt.date(2027, 3, 1))
    assert not row.overdue
    assert row.warnings == len(warnings_in(APPROVED))


def test_overdue_row_counts_the_overdue_warning():
    later = dt.date(2027, 3, 2)
    row = review_row(APPROVED, None, later, FILES)
    assert row.overdue
    assert row.warnings == review_row(APPROVED, None, TODAY, FILES).warnings + 1
    assert "next review was due on 2027-03-01" in warnings_in(APPROVED, later)
    assert not review_row(APPROVED, None, dt.date(2027, 3, 1), FILES).overdue  # due today is not yet overdue


def test_approved_row_without_reviewer():
    text = review(GOOD, status="approved", reviewed_on="2026-03-05", next_review_due="2027-03-01")
    row = review_row(text, None, TODAY, FILES)
    assert row.reviewer is None and row.status == "approved"
    assert row.warnings == review_row(APPROVED, None, TODAY, FILES).warnings + 1


def test_invalid_yaml_still_gets_a_row_with_its_errors():
    text = re.sub(r"schema_version: \d+", "schema_version: one", APPROVED).replace("reviewr", "x")
    text = text.replace("  notes: null", "  notes: null\n  reviewr: x")
    row = review_row(text, None, TODAY, FILES)
    assert row.errors == 2 and row.warnings == 0
    assert row.title == "Dilation of Anal Sphincter" and row.status == "approved"  # what can still be read is shown
    assert row.grade is None
    assert row.first_error.startswith("line 2, column 17: schema_version: expected one of 1, 2, 3")


def test_unparseable_yaml_row_is_named_after_its_file():
    row = review_row("title: [unclosed\n", None, TODAY, FILES)
    assert (row.title, row.status, row.errors) == (DOC_ID, None, 1)
    assert "invalid YAML" in row.first_error


# -- the proposed update ----------------------------------------------------------


def test_diff_marks_the_changed_sentence_removed_and_added():
    reviewed = APPROVED.replace(OLD_SENTENCE, NEW_SENTENCE)
    change = proposed_change(reviewed, GOOD)
    removed = [line.text.strip() for line in change.lines if line.kind == "removed"]
    added = [line.text.strip() for line in change.lines if line.kind == "added"]
    assert f"- {NEW_SENTENCE}" in removed and f"- {OLD_SENTENCE}" in added
    assert "status: approved" in removed and "status: draft" in added
    assert (change.removed, change.added) == (len(removed), len(added))
    assert change.lines[0].kind == "hunk" and "line" in change.lines[0].text
    unchanged = {line.text.strip() for line in change.lines if line.kind == "unchanged"}
    assert "- Pain or discomfort in the anal area post-procedure" in unchanged  # context around the change
    assert "title: Dilation of Anal Sphincter" not in unchanged  # ... but not the whole file

    row = review_row(reviewed, GOOD, TODAY, FILES)
    assert row.proposal == change
    html = render_review_page([row], renderer(), TODAY)
    assert f'<span class="visually-hidden">Removed: </span>    - {NEW_SENTENCE}</del>' in unmarked(html)
    assert f'<span class="visually-hidden">Added: </span>    - {OLD_SENTENCE}</ins>' in unmarked(html)
    assert "<details" in html and "7 lines removed" not in html


def test_no_difference_is_said_so():
    change = proposed_change(GOOD, GOOD)
    assert change.lines == () and (change.removed, change.added) == (0, 0)
    row = review_row(GOOD, GOOD, TODAY, FILES)
    assert "The new extraction is the same as the one the reviewed file started from." in render_review_page([row], renderer(), TODAY)


# -- the page -----------------------------------------------------------------------


class Table(HTMLParser):
    """Text of each ``th``/``td`` (without the phone-layout column names), row by row."""

    def __init__(self, html: str):
        super().__init__()
        self.rows: list[list[str]] = []
        self.headers: list[str] = []
        self._cell: list[str] | None = None
        self._hidden = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell = []
            self._scope = attrs.get("scope")
        elif tag == "span" and attrs.get("aria-hidden") == "true" or self._hidden:
            self._hidden += tag == "span"

    def handle_endtag(self, tag):
        if tag == "span" and self._hidden:
            self._hidden -= 1
        elif tag in ("th", "td") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            (self.headers if self._scope == "col" else self.rows[-1]).append(text)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None and not self._hidden:
            self._cell.append(data)


def test_page_shows_one_row_per_leaflet_with_overdue_said_in_words():
    rows = [
        review_row(APPROVED, None, dt.date(2027, 4, 1), FILES),
        review_row(GOOD.replace("title: Dilation of Anal Sphincter", "title: Another"), None, dt.date(2027, 4, 1),
                   LeafletFiles(id="b", yaml="yaml/b.yaml")),
    ]
    html = render_review_page(rows, renderer(), dt.date(2027, 4, 1))
    table = Table(html)
    assert table.headers == ["Leaflet", "Status", "Reviewer", "Reviewed on", "Next review due", "Reading grade",
                             "Errors", "Warnings", "Files", "Proposed update"]
    body = [row for row in table.rows if len(row) == 10]
    # Most urgent first: the overdue leaflet before the draft.
    assert [row[0] for row in body] == [f"Dilation of Anal Sphincter {DOC_ID}", "Another b"]
    assert body[0][1:6] == ["approved", "Dr Example", "2026-03-05", "Overdue 2027-03-01", "9.9 above 6"]
    assert body[1][8] == "YAML: Another no web page no PDF"
    line = APPROVED[: APPROVED.index("next_review_due: 2027")].count("\n") + 1
    assert f"<strong>Warning:</strong> line {line}, column 20: next review was due on 2027-03-01" in html  # in words, not a count
    assert "<caption>" in html and 'scope="row"' in html
    assert f'href="yaml/{DOC_ID}.yaml"' in html and f'href="pdf/{DOC_ID}.pdf"' in html


def test_page_lists_the_hardest_sentences_linked_to_their_section():
    html = render_review_page([review_row(GOOD, None, TODAY, FILES)], renderer(), TODAY)
    line = GOOD.splitlines().index("    - Surgical options like lateral internal sphincterotomy") + 1
    assert "Hardest sentences</strong>\n(above grade 6; rewrite these first)" in html
    item = re.search(r'<li><span class="hard-grade">grade 18.6</span>(.*?)</li>', html, re.DOTALL)
    assert item is not None
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item.group(1))).strip()
    assert text == f"Surgical options like lateral internal sphincterotomy YAML line {line}, in What are the other options?"
    assert f'<a href="html/{DOC_ID}.html#alternatives" data-leaflet="{DOC_ID}"\n data-anchor="alternatives">' in item.group(1)
    # The grade the page marks comes from the theme.
    assert '<strong class="too-hard">above 6</strong>' in html
    # The built page links to the pages as built, and says how to get links into the live preview.
    assert "<code>leaflets preview -o OUTPUT</code>" in html and "<code>/review</code>" in html
    assert '<script src="html/assets/review-filter.js"></script>' in html


def test_the_dashboard_marks_sentences_above_the_themes_grade(rendered_output, tmp_path):
    output = tmp_path / "output"
    shutil.copytree(rendered_output, output)
    styles = tmp_path / "styles"
    styles.mkdir()
    (styles / "theme.yaml").write_text("max_reading_grade: 18\n", "utf-8")
    default = write_review_page(OutputFolder(output), renderer(), TODAY).read_text("utf-8")
    lenient = write_review_page(OutputFolder(output), renderer_for(RenderOptions(styles=styles)), TODAY).read_text("utf-8")
    assert default.count('class="hard-grade"') > lenient.count('class="hard-grade"') > 0  # rows not taken from memory
    assert "Hardest sentences</strong>\n(above grade 18;" in lenient and "grade 19.8" in lenient
    assert "grade 15.9" in default and "grade 15.9" not in lenient


def test_hostile_text_is_escaped():
    hostile = GOOD.replace("title: Dilation of Anal Sphincter", 'title: "<script>alert(1)</script> {{ 7*7 }}"')
    hostile = review(hostile, reviewer='"<img src=x onerror=alert(2)>"')
    proposed = hostile.replace(OLD_SENTENCE, "<b onmouseover=alert(3)>bold</b>")
    broken = 'title: "<iframe src=javascript:alert(4)>"\nschema_version: 2\n'
    rows = [
        review_row(hostile, proposed, TODAY, FILES),
        review_row(broken, None, TODAY, LeafletFiles(id='x"><svg onload=alert(5)>', yaml="yaml/x%22%3E.yaml")),
    ]
    html = render_review_page(rows, renderer(), TODAY)
    for raw in ("<script>alert", "<img src=x", "<b onmouseover", "<iframe", "<svg", "49"):
        assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "&lt;b onmouseover=alert(3)&gt;bold&lt;/b&gt;" in unmarked(html)
    assert "&lt;iframe src=javascript:alert(4)&gt;" in html
    assert "x&#34;&gt;&lt;svg onload=alert(5)&gt;" in html


def hrefs(html: str) -> list[str]:
    found: list[str] = []

    class Links(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "a":
                found.append(dict(attrs)["href"])

    Links().feed(html)
    return found


# -- reading the output folder ---------------------------------------------------------


GOLDEN_IDS = sorted(folder.name for folder in (TESTS / "golden").iterdir() if (folder / "expected.yaml").is_file())


@pytest.fixture(scope="module")
def rendered_output(tmp_path_factory) -> Path:
    """An output folder as ``leaflets build`` leaves it: the golden YAML, their pages and PDFs, the assets."""
    output = tmp_path_factory.mktemp("dashboard") / "output"
    for doc_id in GOLDEN_IDS:
        text = (TESTS / "golden" / doc_id / "expected.yaml").read_text("utf-8")
        rendered = renderer().render(load_leaflet(text))
        for relative, data in ((f"yaml/{doc_id}.yaml", text), (f"html/{doc_id}.html", rendered.html),
                               (f"pdf/{doc_id}.pdf", rendered.pdf)):
            (output / relative).parent.mkdir(parents=True, exist_ok=True)
            (output / relative).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    for relative, source in renderer().assets().items():
        (output / "html" / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, output / "html" / relative)
    return output


def _output_with_a_proposal(rendered_output: Path, tmp_path: Path) -> Path:
    """The rendered output with one leaflet approved, edited and given a proposed update, and two broken files."""
    output = tmp_path / "output"
    shutil.copytree(rendered_output, output)
    first = DOC_ID
    yaml_path = output / "yaml" / f"{first}.yaml"
    fresh = yaml_path.read_text("utf-8")
    assert OLD_SENTENCE in fresh
    edited = review(fresh, status="approved", reviewer="Dr Example", reviewed_on="2026-03-05",
                    next_review_due="2026-06-01").replace(OLD_SENTENCE, NEW_SENTENCE)
    yaml_path.write_text(edited, "utf-8")
    (output / "yaml" / f"{first}.proposed.yaml").write_text(fresh.replace("Surgical nurse", "Theatre nurse"), "utf-8")
    (output / "yaml" / "zz broken#1.yaml").write_text("title: [unclosed\n", "utf-8")
    (output / "yaml" / "zz_latin1.yaml").write_bytes("title: Caf\xe9\n".encode("latin-1"))
    return output


@pytest.mark.slow
def test_write_review_page_lists_every_yaml_but_not_the_proposed_ones(rendered_output, tmp_path):
    output = _output_with_a_proposal(rendered_output, tmp_path)
    page = write_review_page(OutputFolder(output), renderer(), TODAY)
    assert page == output / "review.html"
    html = page.read_text("utf-8")
    body = [row for row in Table(html).rows if row and len(row) == 10]
    assert len(body) == len(GOLDEN_IDS) + 2
    assert any(row[0] == "zz broken#1" and row[6] == "1" and row[8] == "YAML: zz broken#1 no web page no PDF"
               for row in body)
    assert any(row[0] == "zz_latin1" and row[6] == "1" for row in body)
    assert "not UTF-8 text" in html
    assert 'href="yaml/zz%20broken%231.yaml"' in html
    assert any("Overdue 2026-06-01" in row for row in body)  # due 2026-06-01, today 2026-11-22
    assert "Theatre nurse" in unmarked(html) and NEW_SENTENCE in unmarked(html)
    assert hrefs(html)
    for href in hrefs(html):
        path, _, anchor = href.partition("#")
        assert (output / unquote(path)).is_file(), href
        # A hard sentence's link goes to its section on the leaflet's page.
        assert not anchor or f'id="{anchor}"' in (output / unquote(path)).read_text("utf-8"), href
    assert any("#" in href for href in hrefs(html))


def test_empty_output_folder_gives_a_page_that_says_so(tmp_path):
    html = write_review_page(OutputFolder(tmp_path), renderer(), TODAY).read_text("utf-8")
    assert "No leaflet YAML yet" in html and "<table" not in html


def test_a_yaml_over_the_leaflet_limit_gets_a_row_saying_so(tmp_path):
    """The limit render and check apply (1 MiB), not a larger one of the page's own."""
    (tmp_path / "yaml").mkdir()
    (tmp_path / "yaml" / "big.yaml").write_text("title: x\n" + "# padding\n" * 110_000, "utf-8")
    html = write_review_page(OutputFolder(tmp_path), renderer(), TODAY).read_text("utf-8")
    assert "bytes; the limit for a leaflet YAML is 1,048,576" in html


@pytest.mark.slow
def test_rows_are_remembered_and_checked_again_only_when_their_yaml_changes(rendered_output, tmp_path, monkeypatch):
    output = _output_with_a_proposal(rendered_output, tmp_path)
    first = write_review_page(OutputFolder(output), renderer(), TODAY).read_text("utf-8")
    checked = []
    monkeypatch.setattr(review_page, "review_row", lambda text, *rest: checked.append(text) or review_row(text, *rest))

    assert write_review_page(OutputFolder(output), renderer(), TODAY).read_text("utf-8") == first
    assert checked == []  # every row remembered, the same page

    (output / "yaml" / f"{GOLDEN_IDS[-1]}.yaml").write_text(review(GOOD, status="reviewed"), "utf-8")
    again = write_review_page(OutputFolder(output), renderer(), TODAY).read_text("utf-8")
    assert checked == [review(GOOD, status="reviewed")]
    assert again != first and "Reviewed" in again

    checked.clear()
    write_review_page(OutputFolder(output), renderer(), TODAY + dt.timedelta(days=1))
    assert len(checked) == len(GOLDEN_IDS) + 1  # a new day: overdue reviews change (the unreadable file has no row to check)


@pytest.mark.slow
def test_a_damaged_row_memory_is_made_again(rendered_output, tmp_path):
    output = _output_with_a_proposal(rendered_output, tmp_path)
    first = write_review_page(OutputFolder(output), renderer(), TODAY).read_text("utf-8")
    memory = OutputFolder(output).review_rows
    remembered = json.loads(memory.read_text("utf-8"))
    remembered[DOC_ID]["row"]["title"] = "Forged title"  # a row that no longer matches its key ...
    remembered[DOC_ID]["key"] = "0" * 64
    remembered["zz broken#1"]["row"] = {"title": 3}  # ... and one that is not a row at all
    memory.write_text(json.dumps(remembered), "utf-8")
    assert write_review_page(OutputFolder(output), renderer(), TODAY).read_text("utf-8") == first
    memory.write_text("{not json", "utf-8")
    assert write_review_page(OutputFolder(output), renderer(), TODAY).read_text("utf-8") == first


def test_a_remembered_row_is_the_row_it_was(rendered_output, tmp_path):
    output = _output_with_a_proposal(rendered_output, tmp_path)
    yaml_dir = output / "yaml"
    for path in sorted(yaml_dir.glob("*.yaml")):
        if path.name.endswith(".proposed.yaml"):
            continue
        proposed = yaml_dir / path.name.replace(".yaml", ".proposed.yaml")
        text = path.read_bytes().decode("utf-8", "replace")
        row = review_row(text, proposed.read_text("utf-8") if proposed.is_file() else None, TODAY, FILES)
        assert rows.row_from_data(json.loads(json.dumps(rows.row_to_data(row))), FILES) == row


# -- in a browser ------------------------------------------------------------------------


def _open_dashboard(rendered_output: Path, tmp_path: Path) -> Path:
    """The dashboard of a folder with a proposed update, with every <details> open."""
    output = _output_with_a_proposal(rendered_output, tmp_path)
    page = write_review_page(OutputFolder(output), renderer(), TODAY)
    opened = output / "review-open.html"
    opened.write_text(page.read_text("utf-8").replace("<details ", "<details open "), "utf-8")
    return opened


@pytest.mark.slow
@pytest.mark.parametrize("width", [360, 1280])
def test_axe_finds_no_violation_in_the_dashboard(rendered_output, tmp_path, width):
    page = _open_dashboard(rendered_output, tmp_path)
    violations, passes = axe_violations(page, width)
    assert violations == []
    assert "color-contrast" in passes and "th-has-data-cells" in passes


LAYOUT_PROBE = """
await doc.fonts.ready;
var overflowing = Array.from(doc.querySelectorAll('body *')).filter(function (el) {
  return el.getBoundingClientRect().right > win.innerWidth + 0.5 && !el.closest('.visually-hidden, thead');
}).map(function (el) { return el.tagName + '.' + el.className; });
var diff = doc.querySelector('pre.diff');
return {
  viewport: win.innerWidth,
  scrollWidth: doc.documentElement.scrollWidth,
  overflowing: overflowing,
  diffShown: diff.getBoundingClientRect().height > 0,
  labelsShown: win.getComputedStyle(doc.querySelector('.cell-label')).display !== 'none',
  fontPx: parseFloat(win.getComputedStyle(doc.querySelector('.review-table td')).fontSize),
};
"""


@pytest.mark.slow
@pytest.mark.parametrize("width", [360, 1280])
def test_dashboard_fits_a_phone_and_a_desktop(rendered_output, tmp_path, width):
    result = probe_page(_open_dashboard(rendered_output, tmp_path), LAYOUT_PROBE, width=width)
    assert result["viewport"] == width
    assert result["overflowing"] == []
    assert result["scrollWidth"] <= width, "the page scrolls sideways"
    assert result["diffShown"]
    assert result["labelsShown"] == (width < 900)  # cards on a phone, a table on a desktop
    assert result["fontPx"] >= 15


def test_the_words_that_changed_in_a_line_are_marked():
    change = rows.proposed_change("summary:\n- paragraph: The nurse checks your pulse.\n",
                                  "summary:\n- paragraph: The doctor checks your pulse twice.\n")
    removed, added = [line for line in change.lines if line.kind in ("removed", "added")]
    assert [run for run, changed in removed.parts if changed] == ["nurse", "pulse."]
    assert [run for run, changed in added.parts if changed] == ["doctor", "pulse twice."]
    html = render_review_page([dataclasses.replace(review_row(GOOD, None, TODAY, FILES), proposal=change)], renderer(), TODAY)
    assert '<mark class="diff-words">doctor</mark>' in html and '<mark class="diff-words">nurse</mark>' in html


def test_a_hunk_says_which_part_of_the_leaflet_it_is_in():
    before = "title: A\nsections:\n  summary:\n  - paragraph: x\n  risks:\n  - bullets:\n    - Bleeding\nreview:\n  status: draft\n"
    after = before.replace("Bleeding", "Bruising").replace("title: A", "title: B")
    headings = [line.text for line in rows.proposed_change(before, after, context=0).lines if line.kind == "hunk"]
    assert headings == ["title: proposed YAML line 1", "sections.risks: proposed YAML line 7"]


@pytest.mark.slow
def test_each_rendered_leaflet_gets_its_review_row_from_its_worker_not_the_main_process(sample_workdir, capsys, monkeypatch):
    import os

    from .conftest import run_leaflets

    made_in = sample_workdir / "rows-made-in.txt"
    original = review_page._new_row

    def counted(*args, **kwargs):
        with made_in.open("a") as out:  # workers are forked: each writes its own process id
            out.write(f"{os.getpid()}\n")
        return original(*args, **kwargs)

    monkeypatch.setattr(review_page, "_new_row", counted)
    code, _, err = run_leaflets(capsys, "build", "-j", "2")
    assert code == 0, err
    pids = made_in.read_text().split()
    assert len(pids) == 2 and str(os.getpid()) not in pids  # one row per leaflet, both made by workers
    page = (sample_workdir / "output" / "review.html").read_text("utf-8")
    assert "Dilation Salivary Duct" in page and "Dilation of Anal Sphincter" in page  # the rows made by the workers
    cache = json.loads((sample_workdir / "output" / ".leaflets" / "review-rows.json").read_text("utf-8"))
    assert sorted(cache) == sorted(path.stem for path in (sample_workdir / "input").glob("*.txt"))
