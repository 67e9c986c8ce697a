"""Reading level of a leaflet (US school grade, Flesch-Kincaid, by textstat)."""

from __future__ import annotations

import textstat

from pipeline.model import CANONICAL_SECTIONS, Block, Leaflet, without_groups


def _block_sentences(block: Block) -> list[str]:
    if block.kind == "paragraph":
        return [block.text]
    # Each list item reads as one sentence, whether or not it ends with a full stop.
    items = [entry for item in block.items for entry in (item, *item.items)]
    return [f"{item.label}: {item.text}" if item.label else item.text for item in items]


def leaflet_text(leaflet: Leaflet) -> str:
    """The text a patient reads, one sentence-like piece per line."""
    blocks = [block for key in CANONICAL_SECTIONS for block in without_groups(leaflet.sections[key])]
    blocks += [block for extra in leaflet.extra_sections for block in without_groups(extra.content)]
    pieces = [piece.strip() for block in blocks for piece in _block_sentences(block) if piece.strip()]
    return "\n".join(piece if piece[-1] in ".!?" else f"{piece}." for piece in pieces)


def grade_level(text: str) -> float | None:
    """Flesch-Kincaid grade, or None for text too short to judge (under 30 words)."""
    if len(text.split()) < 30:
        return None
    return float(textstat.flesch_kincaid_grade(text))
