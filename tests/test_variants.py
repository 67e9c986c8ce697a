"""Every layout variant of a seed extracts to the same leaflet as the clean seed."""

from __future__ import annotations

import json

import pytest

from pipeline.model import Leaflet

from .conftest import TESTS, leaflet_from_bytes

VARIANTS = TESTS / "fixtures" / "variants"
MANIFEST = json.loads((VARIANTS / "manifest.json").read_text("utf-8"))


def _original(name: str) -> Leaflet:
    return leaflet_from_bytes((TESTS / "golden" / name / "input.txt").read_bytes())


def _without_line_numbers(leaflet: Leaflet) -> dict:
    """What a reader sees: sections and names, not where they stood in the file."""
    def blocks(content):
        return [
            (block.kind, block.heading or block.text, [(item.label, item.text) for item in block.items])
            for block in content
        ]

    return {
        "title": leaflet.title,
        "also_known_as": leaflet.also_known_as,
        "technical_term": leaflet.technical_term,
        "code": leaflet.code,
        "sections": {key: blocks(content) for key, content in leaflet.sections.items()},
        "extra_sections": [(extra.heading, blocks(extra.content)) for extra in leaflet.extra_sections],
    }


def test_there_are_at_least_twenty_variants():
    assert len(MANIFEST) >= 20


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_variant_extracts_like_its_original(name: str):
    expect = MANIFEST[name]
    variant = leaflet_from_bytes((VARIANTS / f"{name}.txt").read_bytes())
    original = _original(expect["original"])

    got = _without_line_numbers(variant)
    want = _without_line_numbers(original)
    extra_headings = expect.get("extra_sections", [])
    assert [heading for heading, _ in got["extra_sections"]] == extra_headings
    got["extra_sections"] = want["extra_sections"]
    for key, headings in expect.get("sub_headings", {}).items():  # parts the variant adds to a section
        added = [block for block in got["sections"][key] if block[0] == "group"]
        assert [text for _, text, _ in added] == headings
        got["sections"][key] = [block for block in got["sections"][key] if block[0] != "group"]
    assert got == want
    assert variant.review == original.review
