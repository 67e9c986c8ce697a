"""OUTPUT/index.html: every rendered leaflet with its title, status and links."""

from __future__ import annotations

import pytest

import dataclasses
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

from pipeline.run import commands as build
from pipeline.run.output_folder import OutputFolder
from pipeline.run.settings import Settings
from pipeline.yamlio import dump_leaflet
from tests.support.rendering import (
    axe_violations,
    probe_page,
    reviewed,
    sample_ids,
    sample_leaflet,
    sample_output,
)

pytestmark = pytest.mark.slow  # processes, PDFs, a browser or many examples: CI runs it, the quick subset does not


class Entries(HTMLParser):
    """(title, status, [link targets]) for each ``li.leaflet-entry``."""

    def __init__(self, html: str):
        super().__init__()
        self.entries: list[dict] = []
        self.other_links: list[str] = []
        self._field: str | None = None
        self._list_ended = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if "leaflet-entry" in classes:
            self.entries.append({"title": "", "status": "", "links": []})
        elif self.entries and "entry-title" in classes:
            self._field = "title"
        elif self.entries and "entry-status" in classes:
            self._field = "status"
        elif self.entries and tag == "a" and not self._list_ended:
            self.entries[-1]["links"].append(attrs["href"])
        elif tag == "a":
            self.other_links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag in ("h2", "p"):
            self._field = None
        if tag == "ul" and self.entries:
            self._list_ended = True

    def handle_data(self, data):
        if self._field:
            self.entries[-1][self._field] += data


def index_entries(output: Path) -> list[dict]:
    return Entries((output / "index.html").read_text("utf-8")).entries


def test_index_lists_every_leaflet_with_status_and_working_links():
    output = sample_output()
    entries = index_entries(output)
    titles = sorted((sample_leaflet(doc_id).title for doc_id in sample_ids()), key=str.casefold)
    assert [entry["title"] for entry in entries] == titles
    for entry in entries:
        assert entry["status"] == "Draft - not clinically reviewed"
        assert len(entry["links"]) == 2
        for link in entry["links"]:
            assert not re.match(r"[a-z]+:", link)
            assert (output / link).is_file()
        assert entry["links"][0].endswith(".html") and entry["links"][1].endswith(".pdf")
    assert "review.html" in Entries((output / "index.html").read_text("utf-8")).other_links  # for the reviewers


def _copy_of_sample(tmp_path: Path) -> Path:
    output = tmp_path / "output"
    shutil.copytree(sample_output(), output)
    return output


def test_rendering_one_leaflet_keeps_the_others_in_the_index(tmp_path):
    output = _copy_of_sample(tmp_path)
    first, second = sample_ids()
    (output / "yaml" / f"{first}.yaml").write_text(dump_leaflet(reviewed(sample_leaflet(first))), "utf-8")

    report = build.run_render([output / "yaml" / f"{first}.yaml"], Settings.load(output))

    assert [(result.status, result.render) for result in report.files] == [("built", "rendered")]
    statuses = {entry["title"]: entry["status"] for entry in index_entries(output)}
    assert statuses == {
        sample_leaflet(first).title: "Clinically reviewed and approved",
        sample_leaflet(second).title: "Draft - not clinically reviewed",
    }


def test_leaflets_whose_files_are_gone_leave_the_index(tmp_path):
    output = _copy_of_sample(tmp_path)
    first, second = sample_ids()
    (output / "pdf" / f"{second}.pdf").unlink()
    build.run_render([output / "yaml" / f"{first}.yaml"], Settings.load(output))
    assert [entry["title"] for entry in index_entries(output)] == [sample_leaflet(first).title]


def test_a_damaged_record_is_rebuilt_from_the_yaml_folder(tmp_path):
    output = _copy_of_sample(tmp_path)
    OutputFolder(output).manifest.write_text("{not json", "utf-8")
    first = sample_ids()[0]
    build.run_render([output / "yaml" / f"{first}.yaml"], Settings.load(output))
    assert sorted(entry["title"] for entry in index_entries(output)) == sorted(
        sample_leaflet(doc_id).title for doc_id in sample_ids()
    )


def test_titles_are_escaped_in_the_index(tmp_path):
    leaflet = dataclasses.replace(sample_leaflet(sample_ids()[0]), title="<b>Bold</b> & co")
    yaml_path = tmp_path / "odd.yaml"
    yaml_path.write_text(dump_leaflet(leaflet), "utf-8")
    build.run_render([yaml_path], Settings.load(tmp_path / "output"))
    html = (tmp_path / "output" / "index.html").read_text("utf-8")
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in html and "<b>" not in html


def test_empty_index_says_so(tmp_path):
    (tmp_path / "yaml").mkdir()
    build.run_render([tmp_path / "yaml"], Settings.load(tmp_path / "output"))
    assert "No leaflets yet." in (tmp_path / "output" / "index.html").read_text("utf-8")


def test_axe_finds_no_violation_in_the_index():
    violations, _ = axe_violations(sample_output() / "index.html")
    assert violations == []


def test_index_fits_a_phone():
    result = probe_page(
        sample_output() / "index.html",
        "await doc.fonts.ready; return {width: win.innerWidth, scroll: doc.documentElement.scrollWidth,"
        " loaded: Array.from(doc.fonts).filter(function (f) { return f.status === 'loaded'; }).length};",
        width=360,
    )
    assert result["width"] == 360 and result["scroll"] <= 360
    assert result["loaded"] >= 1  # fonts found through html/assets/ from the output folder


def test_a_fresh_build_lists_its_leaflets_without_reading_their_yaml_again(tmp_path, monkeypatch):
    from pipeline.run import pages

    read = []
    monkeypatch.setattr(pages, "peek_yaml", lambda data: read.append(data) or {})
    report = build.run_build([Path(__file__).parent.parent / "input"], Settings.load(tmp_path / "output", jobs=1))
    assert report.ok and read == []  # the run's own results name every leaflet it rendered
    assert sorted(entry["title"] for entry in index_entries(tmp_path / "output")) == sorted(
        sample_leaflet(doc_id).title for doc_id in sample_ids()
    )
