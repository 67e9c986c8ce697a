"""lines: what one line is, each question alone."""

from __future__ import annotations

import pytest

from pipeline.config.headings import default_table
from pipeline.lines import (
    is_finished,
    is_marked_heading,
    known_heading,
    line_shape,
    looks_like_title,
)


def test_shape_of_list_items():
    assert line_shape("- Rest for a day").list_kind == "bullets"
    assert line_shape("- Rest for a day").item == "Rest for a day"
    assert line_shape("3. Stop eating").list_kind == "steps"
    assert line_shape("3. Stop eating").item == "Stop eating"
    assert line_shape("3.5 hours").list_kind is None


@pytest.mark.parametrize(
    ("text", "labelled", "label_only"),
    [
        ("Goals: To relieve pain", ("Goals", "To relieve pain"), None),
        ("- Goals: To relieve pain", ("Goals", "To relieve pain"), None),  # the item's label
        ("Symptoms:", None, "Symptoms"),
        ("2. Symptoms:", None, "Symptoms"),
        ("A label of far too many words here: text", None, None),
        ("Time 10:30 is fine", None, None),
    ],
)
def test_shape_of_labels(text, labelled, label_only):
    shape = line_shape(text)
    assert (shape.labelled, shape.label_only) == (labelled, label_only)


def test_a_label_line_is_capitalised_and_no_list_item():
    assert line_shape("Goals: To relieve pain").is_label_line
    assert not line_shape("goals: to relieve pain").is_label_line
    assert not line_shape("- Goals: To relieve pain").is_label_line


def test_shape_of_name_parenthesis_and_markup():
    assert line_shape("(Common names: Scope; Medical term: Endoscopy)").parenthesis
    assert not line_shape("(see below)").parenthesis
    assert line_shape("## Risks").markup and line_shape("**Risks**").markup
    assert not line_shape("Risks").markup


@pytest.mark.parametrize("text", ["Done.", 'He said "go."', "Risks:", "(see above.)", "Why? "])
def test_is_finished(text):
    assert is_finished(text)


@pytest.mark.parametrize("text", ["Not yet", "a, b", "(see above)", ""])
def test_is_not_finished(text):
    assert not is_finished(text)


def test_known_heading():
    table = default_table()
    assert known_heading("Risks and Complications", table) == "risks"
    assert known_heading("3. Risks", table) == "risks"
    assert known_heading("- Risks", table) is None
    assert known_heading("The main steps are:", table) is None


def test_headings_by_their_look():
    assert looks_like_title("Special Considerations")
    assert not looks_like_title("Special considerations for the patient.")
    assert is_marked_heading("What Happens Next?")
    assert is_marked_heading("Before You Go:")
    assert not is_marked_heading("- Before You Go:")
