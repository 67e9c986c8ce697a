"""A reviewer's usual mistakes in a leaflet YAML, made on the sample's YAML: each said plainly, at its line, with a fix."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.review.check import check_text

from .conftest import TESTS

SAMPLE = (TESTS / "golden" / "003_4a4ee41c62ba9be6" / "expected.yaml").read_text("utf-8")


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


def first_error(old: str, new: str):
    assert old in SAMPLE, old
    edited = SAMPLE.replace(old, new, 1)
    problems = [p for p in check_text(edited, dt.date(2026, 12, 1)) if p.severity == "error"]
    return edited, problems[0]


@pytest.mark.parametrize(
    ("old", "new", "at", "says"),
    [
        ("- paragraph: This procedure involves widening", "- paragraph: Important: this procedure involves widening",
         "Important:", ['put the whole text in double quotes: - paragraph: "Important: this procedure', "(to the end of the text)"]),
        ("  reviewer: null", "  reviewer: Dr Ng: consultant", "Dr Ng", ['reviewer: "Dr Ng: consultant"']),
        ("    - Anal stricture or stenosis", "    - Important: anal stricture or stenosis", "Important:",
         ['put the whole entry in double quotes: - "Important: anal stricture or stenosis"']),
        ("  notes: null", '  notes: "call the ward first', "call the ward", ["a quote opened here is never closed"]),
        ("    - Anal stricture or stenosis", "    - 'Anal stricture' or stenosis", "'Anal stricture'",
         ["text goes on after its closing quote", "\"'Anal stricture' or stenosis\""]),
        ("    - Anal stricture or stenosis", "    Anal stricture or stenosis", "    Anal stricture", ["is its dash missing?"]),
        ("    - Anal stricture or stenosis", "\t- Anal stricture or stenosis", "\t- Anal", ["a tab character"]),
    ],
    ids=["colon in a paragraph", "colon in a field", "colon in a list entry", "unclosed quote", "text after a quote",
         "missing dash", "tab"],
)
def test_usual_mistakes_are_said_plainly_at_their_line(old, new, at, says):
    edited, error = first_error(old, new)
    assert error.line == line_of(edited, at)
    for words in says:
        assert words in error.message
    assert "mapping values" not in error.message and "end of stream" not in error.message
