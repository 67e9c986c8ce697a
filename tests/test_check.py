"""`leaflets check` logic: broken YAML gives every problem with line:col, said plainly."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from pipeline.model import SCHEMA_VERSION, SCHEMA_VERSIONS
from pipeline.review.check import check_text

from .conftest import TESTS

TODAY = dt.date(2026, 11, 22)
GOOD = (TESTS / "golden" / "003_4a4ee41c62ba9be6" / "expected.yaml").read_text("utf-8")


def problems(text: str) -> list[str]:
    return [problem.format("f.yaml") for problem in check_text(text, TODAY)]


def errors(text: str) -> list[str]:
    return [line for line in problems(text) if ": error: " in line]


def line_of(fragment: str, text: str = GOOD) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if fragment in line)


PLAIN_LANGUAGE = ("a patient does not know", "speaks to the reader as 'you'", "sentence at reading grade", "passive voice")


def test_generated_yaml_has_no_errors_only_the_expected_warnings():
    found = problems(GOOD)
    assert found[0] == "f.yaml:4:8: warning: reading grade 9.9 for the whole leaflet, above 6; 30 of its 34 graded " \
        "sentences are above 6, the 5 hardest marked (US school grade, Flesch-Kincaid; 6 is a reading age of about 11)"
    words = [line for line in found[1:] if any(kind in line for kind in PLAIN_LANGUAGE)]
    assert words == found[1:]  # the rest are plain-language warnings, each at the words concerned
    assert "f.yaml:33:10: warning: 'anoscopy' may be a word a patient does not know; explain it where it is first used, " \
        "e.g. (a look inside the back passage with a short tube)" in found
    assert "f.yaml:36:60: warning: says 'the patient': a leaflet speaks to the reader as 'you'" in found


BROKEN = {
    "syntax: unclosed bracket": (
        GOOD.replace("also_known_as:\n- Anal Sphincter Dilation", "also_known_as: [Anal Sphincter Dilation"),
        ["f.yaml:{n}:15: error: invalid YAML: did not find expected ',' or ']'"],
        "technical_term:",
    ),
    "syntax: tab indentation": (
        GOOD.replace("  system: CPT4", "\tsystem: CPT4"),
        ["f.yaml:{n}:1: error: invalid YAML: a tab character; YAML indents with spaces only"],
        "system: CPT4",
    ),
    "unsafe tag": (
        GOOD.replace("technical_term: Sphincterotomy by Dilation", "technical_term: !!python/object/apply:os.system ['id']"),
        ["f.yaml:{n}:17: error: invalid YAML: could not determine a constructor for the tag "
         "'tag:yaml.org,2002:python/object/apply:os.system'"],
        "technical_term:",
    ),
    "alias": (
        GOOD.replace("title: Dilation of Anal Sphincter", "title: &t Dilation of Anal Sphincter")
        .replace("technical_term: Sphincterotomy by Dilation", "technical_term: *t"),
        ["f.yaml:{n}:8: error: YAML anchors and aliases (&name, *name) are not allowed"],
        "title:",
    ),
    "wrong type": (
        GOOD.replace("title: Dilation of Anal Sphincter", "title: [Dilation, of, Anal]"),
        ["f.yaml:{n}:8: error: title: expected text, got a list"],
        "title:",
    ),
    "unknown key": (
        GOOD.replace("  reviewer: null", "  reviewer: null\n  reviewr: Dr Who"),
        ["f.yaml:{n}:3: error: review: unknown key 'reviewr'"],
        "reviewr:",
    ),
    "missing key": (
        GOOD.replace("technical_term: Sphincterotomy by Dilation\n", ""),
        ["f.yaml:2:1: error: missing key 'technical_term'"],
        None,
    ),
    "bad status": (
        GOOD.replace("status: draft", "status: done"),
        ["f.yaml:{n}:11: error: review/status: expected one of draft, reviewed, approved, got 'done'"],
        "status:",
    ),
    "impossible date": (
        GOOD.replace("reviewed_on: null", "reviewed_on: 2026-13-45"),
        ["f.yaml:{n}:16: error: invalid value: month must be in 1..12"],
        "reviewed_on:",
    ),
    "date as words": (
        GOOD.replace("next_review_due: null", "next_review_due: next spring"),
        ["f.yaml:{n}:20: error: review/next_review_due: expected a date as YYYY-MM-DD or null, got 'next spring'"],
        "next_review_due:",
    ),
    "misspelt block": (
        GOOD.replace("  - paragraph: Typically", "  - paragrph: Typically"),
        ["f.yaml:{n}:5: error: sections/duration/0: expected one block key (paragraph, bullets, steps, or heading "
         "with content), got paragrph"],
        "paragrph",
    ),
    "labelled item with extra key": (
        GOOD.replace("      text: Less invasive, less recovery time", "      text: Less invasive, less recovery time\n      note: x"),
        ["f.yaml:{n}:7: error: sections/alternatives/0/bullets/3: an item takes only 'label', 'text' and 'items'"],
        "label: Pros of alternatives",
    ),
    "duplicate key": (
        GOOD.replace("title: Dilation of Anal Sphincter", "title: Dilation of Anal Sphincter\ntitle: Again"),
        ["f.yaml:{n}:1: error: duplicate key 'title'"],
        "title: Again",
    ),
    "schema version": (
        re.sub(r"schema_version: \d+", f"schema_version: {SCHEMA_VERSION + 1}", GOOD),
        [f"f.yaml:2:17: error: schema_version: expected one of {', '.join(map(str, SCHEMA_VERSIONS))}, "
         f"got {SCHEMA_VERSION + 1}"],
        None,
    ),
    "empty title": (
        GOOD.replace("title: Dilation of Anal Sphincter", "title: ''"),
        ["f.yaml:{n}:8: error: title: expected non-empty text, got ''"],
        "title:",
    ),
    "section missing": (
        GOOD.replace("  duration:\n  - paragraph: Typically, the procedure takes about 20-30 minutes, excluding anesthesia preparation\n      and recovery time.\n", ""),
        ["f.yaml:{n}:3: error: sections: missing key 'duration'"],
        "summary:",
    ),
    "not a mapping": ("- just\n- a list\n", ["f.yaml:1:1: error: expected a leaflet mapping, got a list"], None),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_yaml_is_reported_with_position(name):
    text, expected, anchor = BROKEN[name]
    if anchor is not None:
        number = line_of(anchor, text)
        expected = [line.replace("{n}", str(number)) for line in expected]
    assert errors(text) == expected


def test_every_problem_is_reported_not_only_the_first():
    text = GOOD.replace("status: draft", "status: done").replace("title: Dilation of Anal Sphincter", "title: 5")
    text = text.replace("  reviewer: null", "  reviewer: null\n  reviewr: x")
    assert len(errors(text)) == 3


def _approved(text: str, **fields: str) -> str:
    text = text.replace("status: draft", "status: approved")
    for field, value in fields.items():
        text = text.replace(f"{field}: null", f"{field}: {value}")
    return text


def test_review_lints():
    text = _approved(GOOD, reviewed_on="2027-01-01", next_review_due="2026-01-01")
    found = problems(text)
    assert f"f.yaml:{line_of('reviewer: null')}:13: warning: approved, but review.reviewer is not set" in found
    assert f"f.yaml:{line_of('reviewed_on:', text)}:16: warning: reviewed_on 2027-01-01 is in the future" in found
    assert f"f.yaml:{line_of('next_review_due:', text)}:20: warning: next review was due on 2026-01-01" in found


def test_content_lints():
    text = GOOD.replace("    - Anesthesiologist\n", "    - Anesthesiologist\n    - Surgeon\n    - Similar Codes\n")
    long_item = "Word " * 100
    text = text.replace("    - Surgical nurse", f"    - {long_item.strip()}")
    text = text.replace("  setting:\n  - paragraph: The procedure is usually performed in a hospital or an outpatient surgical\n      center equipped for such operations.\n", "  setting: []\n")
    found = [line.split(": warning: ")[1] for line in problems(text) if ": warning: " in line]
    assert "section 'setting' is empty" in found
    assert "repeated in section 'personnel': 'Surgeon'" in found
    assert "site text left in the content: 'Similar Codes'" in found
    assert "499 characters is too long for one leaflet item (at most 400)" in found
