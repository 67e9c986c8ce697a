"""`leaflets preview` in headless Chromium: a save on disk shows in the open page by itself,
a broken YAML shows check's error over the last good page, and axe-core finds nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pipeline.review.check import check_text
from tests.support.browser import Browser
from tests.support.preview import Preview
from tests.support.rendering import AXE_SCRIPT, WCAG_TAGS, require

from .conftest import TESTS

pytestmark = pytest.mark.slow

GOOD = (TESTS / "golden" / "003_4a4ee41c62ba9be6" / "expected.yaml").read_text("utf-8")
TITLE = "Dilation of Anal Sphincter"
FRAME_H1 = "((document.querySelector('.page-pane iframe').contentDocument.querySelector('h1') || {}).textContent || '')"
FRAME_TEXT = "((document.querySelector('.page-pane iframe').contentDocument.body || {}).textContent || '')"


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("preview-browser")
    (root / "out" / "yaml").mkdir(parents=True)
    (root / "out" / "yaml" / "anal.yaml").write_text(GOOD, "utf-8")
    (root / "styles").mkdir()
    (root / "styles" / "theme.yaml").write_text("organisation: St Elsewhere Hospital\n", "utf-8")
    with Preview("-o", "out", "--styles", "styles", cwd=root) as preview, Browser() as browser:
        yield preview, browser, root


def open_workbench(preview: Preview, browser: Browser) -> None:
    browser.set_width(1280)
    browser.open(preview.url + "preview/anal")
    browser.wait_for(FRAME_H1)
    browser.evaluate("window.openedOnce = 'this very page'; document.querySelector('.page-pane iframe').contentWindow.keptFrame = 1")


def still_the_same_page(browser: Browser) -> bool:
    return browser.evaluate(
        "window.openedOnce === 'this very page' && document.querySelector('.page-pane iframe').contentWindow.keptFrame === 1"
    )


def test_a_saved_edit_shows_in_the_open_page_without_a_reload(session):
    preview, browser, root = session
    yaml = root / "out" / "yaml" / "anal.yaml"
    open_workbench(preview, browser)
    assert browser.evaluate(FRAME_H1) == TITLE
    browser.evaluate("document.querySelector('.page-pane iframe').contentWindow.scrollTo(0, 600)")
    try:
        yaml.write_text(GOOD.replace(f"title: {TITLE}", "title: Stretching the Anal Muscle"), "utf-8")
        browser.wait_for(FRAME_H1 + " === 'Stretching the Anal Muscle'", timeout=10)
        assert browser.evaluate("document.title") == "Stretching the Anal Muscle - leaflets preview"
        assert browser.evaluate("document.querySelector('h1').textContent") == "Stretching the Anal Muscle"
        assert still_the_same_page(browser)  # neither the page nor its frame was loaded again
        assert browser.evaluate("document.querySelector('.page-pane iframe').contentWindow.scrollY") == 600
    finally:
        yaml.write_text(GOOD, "utf-8")
        browser.wait_for(FRAME_H1 + f" === {json.dumps(TITLE)}")


def test_a_broken_yaml_shows_checks_error_and_the_last_good_page_stays(session):
    preview, browser, root = session
    yaml = root / "out" / "yaml" / "anal.yaml"
    open_workbench(preview, browser)
    broken = GOOD.replace("status: draft", "status: done")
    expected = [problem.format("out/yaml/anal.yaml") for problem in check_text(broken, dt.date.today())]
    assert len(expected) == 1 and ": error: review/status: expected one of draft, reviewed, approved, got 'done'" in expected[0]
    try:
        yaml.write_text(broken, "utf-8")
        browser.wait_for("!!document.querySelector('.failure')", timeout=10)
        assert browser.evaluate("Array.from(document.querySelectorAll('.failure code'), c => c.textContent)") == expected
        assert browser.evaluate(FRAME_H1) == TITLE  # the last good render stays visible
        assert browser.evaluate("document.querySelector('.problems').textContent").count("Error") == 1
        yaml.write_text(broken.replace("title: Dilation", "title: Broken Dilation"), "utf-8")  # still broken
        browser.wait_for("document.querySelector('.failure') && document.querySelector('h1').textContent", timeout=10)
        assert browser.evaluate(FRAME_H1) == TITLE
    finally:
        yaml.write_text(GOOD, "utf-8")
    browser.wait_for("!document.querySelector('.failure')", timeout=10)
    assert browser.evaluate(FRAME_H1) == TITLE and still_the_same_page(browser)


def test_a_saved_styles_file_shows_too(session):
    preview, browser, root = session
    theme = root / "styles" / "theme.yaml"
    open_workbench(preview, browser)
    assert "St Elsewhere Hospital" in browser.evaluate(FRAME_TEXT)
    try:
        theme.write_text("organisation: St Anywhere Clinic\n", "utf-8")
        browser.wait_for(f"{FRAME_TEXT}.includes('St Anywhere Clinic')", timeout=10)
        assert still_the_same_page(browser)
    finally:
        theme.write_text("organisation: St Elsewhere Hospital\n", "utf-8")
        browser.wait_for(f"{FRAME_TEXT}.includes('St Elsewhere Hospital')", timeout=10)


FRAME = "document.querySelector('.page-pane iframe')"


def heading_in_frame(anchor: str) -> str:
    """Where the heading ``anchor`` is in the workbench's frame: its top in the frame's viewport, and the frame's."""
    return (
        f"(function () {{ var frame = {FRAME}; var doc = frame && frame.contentDocument;"
        f" var heading = doc && doc.getElementById({json.dumps(anchor)});"
        " return heading ? {top: heading.getBoundingClientRect().top, height: frame.contentWindow.innerHeight,"
        " scrolled: frame.contentWindow.scrollY} : null; }())"
    )


def test_a_hardest_sentence_on_the_review_page_opens_its_section_in_the_workbench(session):
    preview, browser, root = session
    browser.set_width(1280)
    browser.open(preview.url)
    browser.evaluate("document.querySelector('a[href=\"/review\"]').click()")
    browser.wait_for("location.pathname === '/review' && document.readyState === 'complete'")
    link = "document.querySelector('.hard-sentences a[data-anchor=\"setting\"]')"
    assert browser.evaluate(f"{link}.getAttribute('href')") == "/preview/anal#setting"
    browser.evaluate(f"{link}.click()")
    browser.wait_for("location.pathname === '/preview/anal'")
    place = browser.wait_for(f"(function () {{ var p = {heading_in_frame('setting')}; return p && p.scrolled > 0 && p; }}())")
    assert 0 <= place["top"] < 5 and place["top"] < place["height"], place  # the heading at the top of the frame
    assert browser.evaluate("location.hash") == "#setting"
    # A save keeps the place: the frame's document is updated, not loaded again.
    yaml = root / "out" / "yaml" / "anal.yaml"
    try:
        yaml.write_text(GOOD.replace(f"title: {TITLE}", "title: Stretching the Anal Muscle"), "utf-8")
        browser.wait_for(FRAME_H1 + " === 'Stretching the Anal Muscle'", timeout=10)
        assert browser.evaluate(heading_in_frame("setting"))["scrolled"] == place["scrolled"]
    finally:
        yaml.write_text(GOOD, "utf-8")
        browser.wait_for(FRAME_H1 + f" === {json.dumps(TITLE)}")


AXE_RUN = (
    f"axe.run(document, {{runOnly: {{type: 'tag', values: {json.dumps(WCAG_TAGS)}}}, iframes: false}})"
    ".then(function (result) { return result.violations.map(function (v) {"
    " return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(function (n) { return n.html; })}; }); })"
)


def axe_violations(browser: Browser, url: str, width: int) -> list[dict]:
    browser.set_width(width)
    browser.open(url)
    assert browser.evaluate("window.innerWidth") == width
    browser.evaluate(AXE_SCRIPT.read_text("utf-8") + ";0")  # run by the browser's tools, not the page: its policy stands
    return browser.evaluate(AXE_RUN, timeout=60)


@pytest.mark.parametrize("width", [360, 1280])
def test_axe_finds_nothing_on_the_preview_pages(session, width: int):
    require(AXE_SCRIPT.is_file(), "axe-core (npm install axe-core)")
    preview, browser, root = session
    for page in ("", "review", "preview/anal", "html/anal.html"):
        assert axe_violations(browser, preview.url + page, width) == [], page
    yaml = root / "out" / "yaml" / "anal.yaml"
    try:
        yaml.write_text(GOOD.replace("status: draft", "status: done"), "utf-8")
        browser.open(preview.url + "preview/anal")
        browser.wait_for("!!document.querySelector('.failure')", timeout=10)
        assert axe_violations(browser, preview.url + "preview/anal", width) == [], "with an error shown"
    finally:
        yaml.write_text(GOOD, "utf-8")


def test_the_page_works_under_its_own_policy(session):
    """The script and stylesheet load from the server under script-src 'self': no policy report."""
    preview, browser, _ = session
    browser.open(preview.url + "preview/anal")
    browser.wait_for(FRAME_H1)
    assert browser.evaluate("getComputedStyle(document.querySelector('.bar')).borderBottomStyle") == "solid"
    problems = [event for event in browser.events if event["method"] == "Runtime.exceptionThrown"]
    assert problems == []
    assert browser.evaluate("document.querySelector('[data-connection]').textContent") == ""


def test_the_review_page_works_under_its_policy(session):
    """Its inline stylesheet applies, its fonts load from the styles' assets, its filter script runs."""
    preview, browser, _ = session
    browser.call("Log.enable")  # a refused load (the policy's report) is a log entry
    browser.open(preview.url + "review")
    browser.wait_for("document.querySelectorAll('.review-summary button.filter').length > 0")  # the script ran
    assert browser.evaluate("getComputedStyle(document.querySelector('.review-summary li')).borderTopStyle") == "solid"
    loaded = "Array.from(document.fonts).filter(function (f) { return f.status === 'loaded'; }).map(function (f) { return f.family; })"
    assert any("Atkinson" in family for family in browser.evaluate(f"document.fonts.ready.then(function () {{ return {loaded}; }})"))
    problems = [event for event in browser.events if event["method"] in ("Runtime.exceptionThrown", "Log.entryAdded")]
    assert problems == []
