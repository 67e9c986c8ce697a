"""The previewed leaflets as shown, kept current (pipeline.preview.workbench); no browser, no PDF."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.preview import pages
from pipeline.preview.watching import absolute
from pipeline.preview.workbench import Workbench
from pipeline.render import RenderOptions
from pipeline.review.check import run_check
from pipeline.run.output_folder import OutputFolder

from .conftest import TESTS

GOOD = (TESTS / "golden" / "003_4a4ee41c62ba9be6" / "expected.yaml").read_text("utf-8")
TITLE = "Dilation of Anal Sphincter"


@pytest.fixture
def out(tmp_path: Path) -> Path:
    (tmp_path / "out" / "yaml").mkdir(parents=True)
    (tmp_path / "out" / "yaml" / "anal.yaml").write_text(GOOD, "utf-8")
    return tmp_path / "out"


def bench(out: Path, *paths: Path, styles: Path | None = None, lines: list[str] | None = None) -> Workbench:
    report = lines.append if lines is not None else (lambda line: None)
    return Workbench(list(paths) or [out / "yaml"], OutputFolder(out), RenderOptions(styles=styles), report)


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    found = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            info = path.lstat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() and not path.is_symlink() else ""
            found[str(path.relative_to(folder))] = (digest, info.st_mtime_ns)
    return found


def test_a_leaflet_is_shown_with_its_page_and_exactly_what_check_reports(out: Path):
    shown = bench(out).shown("anal")
    assert shown is not None and TITLE in shown.page and shown.failure == ()
    printed: list[str] = []
    run_check([out / "yaml" / "anal.yaml"], out, dt.date.today(), printed.append)
    assert [problem.format(shown.display) for problem in shown.problems] == printed
    assert 'href="../pdf/anal.pdf"' in shown.page  # its PDF, as the preview serves it


def test_a_saved_edit_is_shown_and_a_broken_one_keeps_the_last_good_page(out: Path):
    lines: list[str] = []
    workbench = bench(out, lines=lines)
    first = workbench.shown("anal")
    yaml = out / "yaml" / "anal.yaml"
    yaml.write_text(GOOD.replace(f"title: {TITLE}", "title: Stretching the Anal Muscle"), "utf-8")
    workbench.files_changed({absolute(yaml)})
    edited = workbench.shown("anal")
    assert "Stretching the Anal Muscle" in edited.page and edited.version > first.version
    assert lines[-1].endswith("anal.yaml: updated (0 errors, " + f"{edited.warnings} warnings)")
    yaml.write_text(GOOD.replace("status: draft", "status: done"), "utf-8")
    workbench.files_changed({absolute(yaml)})
    broken = workbench.shown("anal")
    assert broken.page == edited.page and len(broken.failure) == 1
    assert "review/status: expected one of draft, reviewed, approved, got 'done'" in broken.failure[0]
    assert lines[-1] == broken.failure[0]
    assert workbench.token("anal") != f"{edited.version}.{workbench.common_version}"


def test_a_link_in_the_yaml_folder_leading_outside_is_never_read(out: Path, tmp_path: Path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.yaml").write_text(GOOD.replace(TITLE, "Secret Outside Words"), "utf-8")
    (out / "yaml" / "secret.yaml").symlink_to(outside / "secret.yaml")
    workbench = bench(out)
    shown = workbench.shown("secret")
    assert shown is not None and shown.page is None and shown.leaflet is None
    assert "is a link to a file outside" in shown.failure[0]
    assert all("Secret Outside" not in (other.page or "") + other.title for other in workbench.everything())


def test_previewing_writes_nothing_and_logs_no_approval(out: Path):
    approved = GOOD.replace("status: draft", "status: approved").replace("reviewer: null", "reviewer: Dr Example")
    approved = approved.replace("reviewed_on: null", "reviewed_on: 2025-03-05").replace("next_review_due: null", "next_review_due: 2027-03-01")
    (out / "yaml" / "approved.yaml").write_text(approved, "utf-8")
    before = snapshot(out)
    workbench = bench(out)
    for shown in workbench.everything():
        assert shown.page is not None, shown.failure
    assert workbench.shown("approved").standing == "approved"
    workbench.styles_changed()
    workbench.log_changed()
    workbench.listing_changed()
    assert snapshot(out) == before
    assert not (out / "review-log.jsonl").exists() and not (out / "html").exists()


def test_a_proposed_update_beside_the_file_is_said_as_check_says_it(out: Path):
    workbench = bench(out)
    assert not any("proposed update" in problem.message for problem in workbench.shown("anal").problems)
    proposal = out / "yaml" / "anal.proposed.yaml"
    proposal.write_text(GOOD, "utf-8")
    workbench.files_changed({absolute(out / "yaml" / "anal.yaml")})  # what the watcher makes of the proposal
    assert any("a proposed update is waiting in anal.proposed.yaml" in problem.message for problem in workbench.shown("anal").problems)
    assert workbench.ids() == ["anal"]  # the proposal is no leaflet of its own


def test_new_and_removed_files_change_the_list(out: Path):
    workbench = bench(out)
    clock = workbench.clock
    (out / "yaml" / "second.yaml").write_text(GOOD, "utf-8")
    workbench.listing_changed()
    assert workbench.ids() == ["anal", "second"] and workbench.clock > clock
    (out / "yaml" / "anal.yaml").unlink()
    workbench.listing_changed()
    assert workbench.ids() == ["second"] and workbench.shown("anal") is None


def test_a_named_file_outside_the_output_folder(out: Path, tmp_path: Path):
    named = tmp_path / "mine.yaml"
    named.write_text(GOOD, "utf-8")
    workbench = bench(out, named)
    assert workbench.ids() == ["mine"] and TITLE in workbench.shown("mine").page
    named.unlink()  # an editor saving by deleting first
    workbench.listing_changed()
    workbench.files_changed({absolute(named)})
    assert workbench.ids() == ["mine"] and workbench.shown("mine").failure and workbench.shown("mine").page


def test_broken_styles_keep_the_pages_and_say_so(out: Path, tmp_path: Path):
    styles = tmp_path / "styles"
    styles.mkdir()
    (styles / "theme.yaml").write_text("organisation: St Elsewhere Hospital\n", "utf-8")
    workbench = bench(out, styles=styles)
    assert "St Elsewhere Hospital" in workbench.shown("anal").page
    (styles / "theme.yaml").write_text("colours: {text: blue}\n", "utf-8")
    workbench.styles_changed()
    assert workbench.notices() and "colours.text: expected a colour" in workbench.notices()[0]
    assert "St Elsewhere Hospital" in workbench.shown("anal").page
    (styles / "theme.yaml").write_text("organisation: St Anywhere Clinic\n", "utf-8")
    workbench.styles_changed()
    assert workbench.notices() == [] and "St Anywhere Clinic" in workbench.shown("anal").page


def test_assets_only_from_the_styles_folders_and_never_a_script_or_a_link_outside(out: Path, tmp_path: Path):
    styles = tmp_path / "styles"
    (styles / "assets").mkdir(parents=True)
    secret = tmp_path / "secret.txt"
    secret.write_text("secret words", "utf-8")
    (styles / "assets" / "leak.txt").symlink_to(secret)
    (styles / "assets" / "run.js").write_text("alert(1)", "utf-8")
    shutil.copyfile(TESTS.parent / "styles" / "assets" / "logo.svg", styles / "assets" / "mine.svg")
    workbench = bench(out, styles=styles)
    assert workbench.asset("assets/mine.svg")[1].startswith(b"<svg") or b"<svg" in workbench.asset("assets/mine.svg")[1]
    assert workbench.asset("assets/fonts/OFL.txt") is not None  # the built-in folder's
    assert workbench.asset("assets/leak.txt") is None
    assert workbench.asset("assets/run.js") is None
    assert workbench.asset("theme.yaml") is None and workbench.asset("leaflet.html") is None


def test_a_name_that_is_no_file_stops_it_before_it_starts(out: Path):
    with pytest.raises(ConfigError, match="no such file or folder"):
        bench(out, out / "missing.yaml")


def review_page(workbench: Workbench) -> str:
    rows, renderer = workbench.review_rows(dt.date.today(), pages.review_links)
    return pages.review_page(rows, renderer, dt.date.today())


def test_the_review_page_lists_the_hardest_sentences_with_links_into_the_preview(out: Path):
    before = snapshot(out)
    html = review_page(bench(out))
    assert "Hardest sentences</strong>" in html
    hardest = re.findall(r'<a href="([^"]+)" data-leaflet="anal"\s+data-anchor="([^"]+)">', html)
    assert hardest[:2] == [("/preview/anal#alternatives", "alternatives")] * 2 and len(hardest) == 5
    assert all(href == f"/preview/anal#{anchor}" for href, anchor in hardest)
    assert '<a href="/preview/anal">Web page' in html and '<a href="/pdf/anal.pdf">PDF' in html
    assert "html/anal.html" not in html and "yaml/anal.yaml" not in html  # no link to the output folder's files
    assert '<script src="/static/review-filter.js"></script>' in html and 'url("/html/assets/fonts/' in html
    assert '<a href="/">All leaflets in this preview</a>' in html and "leaflets preview -o OUTPUT" not in html
    assert snapshot(out) == before  # made in memory: nothing written, not even review-rows.json


def test_the_review_page_follows_a_save_and_shows_named_and_refused_files(out: Path, tmp_path: Path):
    named = tmp_path / "mine.yaml"
    named.write_text(GOOD.replace(f"title: {TITLE}", "title: My Own Copy"), "utf-8")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.yaml").write_text(GOOD.replace(TITLE, "Secret Outside Words"), "utf-8")
    (out / "yaml" / "secret.yaml").symlink_to(outside / "secret.yaml")
    workbench = bench(out, out / "yaml", named)
    html = review_page(workbench)
    assert "My Own Copy" in html and 'href="/preview/mine#alternatives"' in html  # a file outside the output folder
    assert "is a link to a file outside" in html and "Secret Outside" not in html
    yaml = out / "yaml" / "anal.yaml"
    yaml.write_text(GOOD.replace("status: draft", "status: done"), "utf-8")
    html = review_page(workbench)  # no watcher told: the page reads the files as they are when asked for
    assert "review/status: expected one of draft, reviewed, approved, got &#39;done&#39;" in html
