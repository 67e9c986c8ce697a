"""What the preview shows after each look at a leaflet (pipeline.preview.shown)."""

from __future__ import annotations

import datetime as dt

from pipeline.errors import LeafletFileError, PipelineError
from pipeline.preview.shown import look_again
from pipeline.review.check import check_document

from .conftest import TESTS

TODAY = dt.date(2026, 11, 22)
GOOD = (TESTS / "golden" / "003_4a4ee41c62ba9be6" / "expected.yaml").read_text("utf-8")
SHOWN = "output/yaml/x.yaml"


def page_of(leaflet, standing):
    return f"<h1>{leaflet.title}</h1><p>{standing}</p>"


def look(previous, text_or_error, version, standing="draft", make_page=page_of):
    outcome = text_or_error if isinstance(text_or_error, PipelineError) else check_document(text_or_error, TODAY)
    return look_again(previous, "x", SHOWN, outcome, standing, make_page, version, f"12:00:{version:02d}")


def test_a_good_file_shows_its_page_and_what_check_finds():
    shown = look(None, GOOD, 1)
    assert shown.page == "<h1>Dilation of Anal Sphincter</h1><p>draft</p>"
    assert shown.failure == ()
    assert shown.title == "Dilation of Anal Sphincter"
    assert list(shown.problems) == check_document(GOOD, TODAY).problems
    assert shown.errors == 0 and shown.warnings == len(shown.problems) > 0
    assert (shown.version, shown.page_version, shown.updated, shown.page_updated) == (1, 1, "12:00:01", "12:00:01")


def test_a_broken_yaml_keeps_the_last_good_page_and_says_what_check_says():
    good = look(None, GOOD, 1)
    broken_text = GOOD.replace("status: draft", "status: done")
    broken = look(good, broken_text, 2)
    expected = [problem.format(SHOWN) for problem in check_document(broken_text, TODAY).problems]
    assert list(broken.failure) == expected
    assert expected[0].startswith(f"{SHOWN}:") and ": error: review/status: expected one of draft, reviewed, approved, got 'done'" in expected[0]
    assert broken.page == good.page and broken.leaflet == good.leaflet  # the last good render stays
    assert broken.version == 2 and broken.page_version == 1 and broken.page_updated == "12:00:01"
    fixed = look(broken, GOOD.replace("Dilation of Anal Sphincter", "Stretching the Anal Muscle"), 3)
    assert fixed.failure == () and "Stretching the Anal Muscle" in fixed.page and fixed.page_version == 3


def test_a_syntax_error_is_said_at_its_line_and_column_in_plain_words():
    broken = look(look(None, GOOD, 1), GOOD.replace("title: Dilation of Anal Sphincter", "title: Important: read this"), 2)
    assert len(broken.failure) == 1
    line = next(number for number, text in enumerate(GOOD.splitlines(), 1) if text.startswith("title:"))
    assert broken.failure[0].startswith(f"{SHOWN}:{line}:17: error: a colon followed by a space")
    assert "put the whole text in double quotes" in broken.failure[0]


def test_a_file_that_cannot_be_read_keeps_the_page_and_says_why():
    good = look(None, GOOD, 1)
    gone = look(good, PipelineError("no such file (a broken link?)"), 2)
    assert gone.failure == (f"{SHOWN}: error: no such file (a broken link?)",) and gone.page == good.page
    deep = look(good, LeafletFileError("nested too deeply", 7, 3), 3)
    assert deep.failure == (f"{SHOWN}:7:3: error: nested too deeply",)


def test_a_page_that_fails_to_render_keeps_the_last_good_one():
    good = look(None, GOOD, 1)

    def failing(leaflet, standing):
        raise PipelineError("template leaflet.html: 'x' is undefined")

    failed = look(good, GOOD, 2, make_page=failing)
    assert failed.failure == (f"{SHOWN}: error: template leaflet.html: 'x' is undefined",)
    assert failed.page == good.page and failed.version == 2


def test_nothing_changed_is_the_same_version_and_a_change_off_the_page_is_not_a_new_page():
    first = look(None, GOOD, 1)
    assert look(first, GOOD, 2) is first
    noted = look(first, GOOD.replace("notes: null", "notes: checked the wording"), 3)
    assert noted.version == 3 and noted.page_version == 1  # the notes are not printed: no new page
    assert look(first, GOOD, 4, standing="changed").page_version == 4
