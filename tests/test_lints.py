"""The content lints that catch an extraction gone wrong, through `leaflets check` as a reviewer runs it."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from pipeline.model import Block, ExtraSection, Item, Review
from pipeline.review.check import check_text
from pipeline.yamlio import dump_leaflet, load_leaflet

from .conftest import TESTS, run_leaflets

TODAY = dt.date(2026, 1, 1)
GROUPED = load_leaflet((TESTS / "golden" / "sub_labels" / "expected.yaml").read_text("utf-8"))


def as_before_sub_headings():
    """The leaflet as extraction made it before sub-headings: risks empty, its parts at the end."""
    groups = GROUPED.sections["risks"]
    extras = tuple(ExtraSection(group.heading, group.blocks) for group in groups)
    return dataclasses.replace(GROUPED, sections={**GROUPED.sections, "risks": ()}, extra_sections=extras)


def warnings(leaflet) -> list[str]:
    return [problem.format("f.yaml") for problem in check_text(dump_leaflet(leaflet), TODAY)]


def test_risks_emptied_into_extra_sections_is_reported_at_risks():
    found = warnings(as_before_sub_headings())
    assert any(
        ": warning: section 'risks' is empty while extra sections hold text ('Common', 'Rare'); "
        "a patient would read no risks: move that text under risks" in line for line in found
    ), found
    assert any("extra section 'Common' looks like part of section 'risks'" in line for line in found)
    assert not any("is empty while extra sections" in line for line in warnings(GROUPED))


def test_the_check_command_says_so_and_strict_makes_it_an_error(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "old.yaml").write_text(dump_leaflet(as_before_sub_headings()).replace("schema_version: 3", "schema_version: 1"))
    code, out, _ = run_leaflets(capsys, "check", "old.yaml")
    assert code == 0 and "old.yaml:" in out and "section 'risks' is empty while extra sections hold text" in out
    code, _, err = run_leaflets(capsys, "check", "--strict", "old.yaml")
    assert code == 1 and "errors" in err


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("Urology Department", "names a department, not a procedure"),
        ("The doctor removes the growth. It takes a few minutes.", "reads as a sentence"),
        ("Shaving of a skin growth (List separately in addition to code for primary procedure)", "billing wording"),
        ("A " + "very long name " * 10, "characters long (at most 130)"),
    ],
)
def test_a_title_that_is_no_name_is_reported(title, message):
    found = warnings(dataclasses.replace(GROUPED, title=title))
    assert any(message in line for line in found), found


def test_an_extra_section_without_text_is_reported_as_not_printed():
    leaflet = dataclasses.replace(GROUPED, extra_sections=(ExtraSection("Questions to ask", ()),))
    assert any("extra section 'Questions to ask' has no text; it is not printed" in line for line in warnings(leaflet))


def test_site_text_left_in_an_extra_section_is_reported():
    extra = ExtraSection("More", (Block("bullets", items=(Item("Search all medical codes"),)),))
    found = warnings(dataclasses.replace(GROUPED, extra_sections=(extra,)))
    assert any("site text left in the content: 'Search all medical codes'" in line for line in found)


def test_an_approved_leaflet_without_the_sections_reviewers_write_is_warned_at_each():
    approved = dataclasses.replace(GROUPED, review=Review("approved", "Dr Example", TODAY, dt.date(2027, 1, 1)))
    text = dump_leaflet(approved)
    found = warnings(approved)
    for key, words in (("urgent_help", "when to get urgent help"), ("doing_nothing", "what if I decide not to have it")):
        line = text[: text.index(f"  {key}: []")].count("\n") + 1
        assert any(f"f.yaml:{line}:3: warning: approved without {key!r} ({words})" in entry for entry in found), found
    written = dataclasses.replace(approved, sections={
        **approved.sections,
        "urgent_help": (Block("paragraph", text="Call us if the wound bleeds."),),
        "doing_nothing": (Block("paragraph", text="The lump may stay as it is."),),
    })
    assert not any("approved without" in entry for entry in warnings(written))
    assert not any("approved without" in entry for entry in warnings(GROUPED))  # a draft: not yet
