"""Nothing is lost: every word of content in every fixture appears in its YAML,
and every line normalize dropped is listed in ``source.removed``."""

from __future__ import annotations

import json

import pytest

from pipeline.normalize import decode, normalize
from pipeline.yamlio import dump_leaflet
from tests.support.words import characters, missing_words, without_list_marks, words

from .conftest import TESTS, leaflet_from_bytes

GOLDEN = sorted(path.name for path in (TESTS / "golden").iterdir() if path.is_dir())
VARIANTS = TESTS / "fixtures" / "variants"
MANIFEST = json.loads((VARIANTS / "manifest.json").read_text("utf-8"))
FIXTURES = [TESTS / "golden" / name / "input.txt" for name in GOLDEN] + [
    VARIANTS / f"{name}.txt" for name in sorted(MANIFEST)
]


def _readable_text(path) -> str:
    """The fixture as a person reads it: for encoding variants, its clean original; HTML
    character references as the characters they stand for."""
    if path.parent == VARIANTS and path.stem in {"mojibake"}:
        return (TESTS / "golden" / MANIFEST[path.stem]["original"] / "input.txt").read_text("utf-8")
    return characters(decode(path.read_bytes())[0])


# Together the two tests below say: input -> normalized text loses only the
# lines listed as removed, and normalized text -> YAML loses no word.


@pytest.mark.parametrize("path", FIXTURES, ids=[f"{p.parent.name}/{p.stem}" for p in FIXTURES])
def test_every_content_word_reaches_the_yaml(path):
    data = path.read_bytes()
    yaml_text = dump_leaflet(leaflet_from_bytes(data))
    assert not missing_words(normalize(data).text, yaml_text)


@pytest.mark.parametrize("path", FIXTURES, ids=[f"{p.parent.name}/{p.stem}" for p in FIXTURES])
def test_every_dropped_line_is_listed_as_removed(path):
    data = path.read_bytes()
    normalized = normalize(data)
    kept = words(normalized.text)
    source = words(without_list_marks(_readable_text(path).replace("\u00a0", " ")))
    dropped = source - kept
    removed = words(" ".join(line.text for line in normalized.removed))
    assert not dropped - removed
    leaflet = leaflet_from_bytes(data)
    assert [line.text for line in leaflet.source.removed] == [line.text for line in normalized.removed]


def test_the_check_notices_a_lost_word():
    text = (TESTS / "golden" / GOLDEN[0] / "input.txt").read_text("utf-8")
    yaml_text = dump_leaflet(leaflet_from_bytes(text.encode()))
    assert not missing_words(text, yaml_text)
    assert missing_words(text, yaml_text.replace("sialolithiasis", "stones")) == {"sialolithiasis": 1}
