"""Schema version 2: sub-headed groups in a section and sub-items under a list item,
through every place a reviewer meets them: the YAML, check, the page and the PDF."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from pipeline.model import SCHEMA_VERSION, Block, Item
from pipeline.review.check import check_text
from pipeline.yamlio import dump_leaflet, load_leaflet
from tests.support.rendering import pdftotext, sample_ids, sample_leaflet

RISKS = (
    Block("paragraph", text="Most people have no problems."),
    Block("group", heading="Common", blocks=(Block("bullets", items=(Item("A sore throat for a day"),)),)),
    Block("group", heading="Rare", blocks=(
        Block("bullets", items=(Item("An infection", label="Infection"), Item("Bleeding that needs a doctor"))),
    )),
)
STEPS = Block("steps", items=(
    Item("You lie on your back."),
    Item("The doctor chooses a method:", items=(Item("freezing", label="Cold"), Item("a small electric current"))),
    Item("A dressing goes on."),
))


def grouped_leaflet():
    base = sample_leaflet(sample_ids()[0])
    sections = {**base.sections, "risks": RISKS, "procedure": (STEPS,)}
    return dataclasses.replace(base, sections=sections)


def test_groups_and_sub_items_are_written_readably_and_read_back():
    text = dump_leaflet(grouped_leaflet())
    assert f"schema_version: {SCHEMA_VERSION}\n" in text
    assert "  - heading: Common\n    content:\n    - bullets:\n      - A sore throat for a day\n" in text
    assert "    - text: 'The doctor chooses a method:'\n      items:\n      - label: Cold\n        text: freezing\n" in text
    again = load_leaflet(text)
    assert again.sections["risks"] == RISKS and again.sections["procedure"] == (STEPS,)
    assert dump_leaflet(again) == text


def test_a_version_1_file_still_loads():
    text = older_file(1)
    assert load_leaflet(text).schema_version == 1


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  - heading: Common\n", "  - heading: ''\n", "risks/1/heading: expected non-empty text, got ''"),
        ("    content:\n    - bullets:\n      - A sore", "    contents:\n    - bullets:\n      - A sore",
         "a sub-headed group takes a non-empty 'heading' and its 'content' (a list of blocks)"),
        ("      items:\n      - label: Cold", "      itemz:\n      - label: Cold", "an item takes only 'label', 'text' and 'items'"),
    ],
)
def test_check_explains_a_broken_group_or_item_at_its_place(old, new, message):
    text = dump_leaflet(grouped_leaflet())
    assert old in text
    broken = text.replace(old, new)
    errors = [problem for problem in check_text(broken, dt.date(2026, 1, 1)) if problem.severity == "error"]
    assert len(errors) == 1 and message in errors[0].message, errors
    changed = broken[: broken.index(new)].count("\n") + 1
    assert changed - 2 <= errors[0].line <= changed + 2, (errors[0].line, changed)  # at the broken place


def test_lints_reach_text_inside_groups_and_sub_items():
    leaflet = grouped_leaflet()
    long_item = Item("x " * 300)
    steps = Block("steps", items=(Item("Lead-in:", items=(long_item,)),))
    text = dump_leaflet(dataclasses.replace(leaflet, sections={**leaflet.sections, "procedure": (steps,)}))
    warnings = [problem.message for problem in check_text(text, dt.date(2026, 1, 1))]
    assert any("too long for one leaflet item" in message for message in warnings)


@pytest.mark.slow
def test_the_page_and_the_pdf_show_sub_headings_under_their_section(tmp_path):
    from pipeline.render import renderer_for
    from pipeline.render.styles import RenderOptions

    renderer = renderer_for(RenderOptions())
    html = renderer.render_html(grouped_leaflet())
    risks = html[html.index('id="risks"'):]
    assert risks.index('<h3 class="sub-heading">Common</h3>') < risks.index('<h3 class="sub-heading">Rare</h3>')
    assert '<ul class="sub-items">' in html and "<strong class=\"item-label\">Cold:</strong> freezing" in html
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(renderer.render(grouped_leaflet()).pdf)
    text = pdftotext(pdf)
    assert text.index("Common") < text.index("A sore throat for a day") < text.index("Rare") < text.index("An infection")
    assert "Cold: freezing" in " ".join(text.split())


def older_file(version: int) -> str:
    """A sample leaflet as a file of schema ``version`` wrote it: without what later versions added."""
    text = dump_leaflet(sample_leaflet(sample_ids()[0])).replace(f"schema_version: {SCHEMA_VERSION}", f"schema_version: {version}")
    added = {2: [], 3: ["  urgent_help: []\n"], 4: ["  doing_nothing: []\n", "contact: null\n", "sources: []\n", "  version: 1\n"]}
    for later in range(version + 1, SCHEMA_VERSION + 1):
        for line in added[later]:
            assert line in text
            text = text.replace(line, "", 1)
    return text


def test_a_version_2_file_without_urgent_help_still_loads():
    leaflet = load_leaflet(older_file(2))
    assert leaflet.schema_version == 2 and leaflet.sections["urgent_help"] == ()


def test_a_version_3_file_without_what_version_4_added_still_loads():
    leaflet = load_leaflet(older_file(3))
    assert leaflet.schema_version == 3 and leaflet.sections["doing_nothing"] == ()
    assert (leaflet.contact, leaflet.sources, leaflet.review.version) == (None, (), 1)
