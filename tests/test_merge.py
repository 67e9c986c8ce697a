"""Three-way merge of a reviewer's leaflet with the source's update: nothing a reviewer wrote is lost."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from pipeline.review.merge import merge_lists, three_way


def test_changes_at_different_places_are_both_kept():
    merged, conflicts = merge_lists(["a", "b", "c"], ["A", "b", "c"], ["a", "b", "c", "d"])
    assert merged == ["A", "b", "c", "d"] and conflicts == []


def test_changes_at_the_same_place_are_a_conflict_and_the_reviewers_stay():
    merged, conflicts = merge_lists(["a", "b"], ["a", "mine"], ["a", "theirs"])
    assert merged == ["a", "mine"] and conflicts == [(["mine"], ["theirs"])]


def test_the_same_change_on_both_sides_is_made_once():
    assert merge_lists(["a", "b"], ["a", "c"], ["a", "c"]) == (["a", "c"], [])


def _edited(base: list[str], edits: list[tuple[int, int]], tag: str) -> list[str]:
    """``base`` with each edit (kind, position) applied: replace, insert or delete; new text names its side."""
    result = list(base)
    for number, (kind, position) in enumerate(edits):
        if not result and kind != 1:
            continue
        at = position % (len(result) + (kind == 1)) if result or kind == 1 else 0
        if kind == 0:
            result[at] = f"{tag}-{number}"
        elif kind == 1:
            result.insert(at, f"{tag}-{number}")
        else:
            del result[at]
    return result


edits = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 20)), max_size=6)


@given(st.lists(st.integers(0, 9), max_size=8), edits, edits)
def test_every_reviewer_sentence_is_kept_and_every_source_change_applied_or_reported(numbers, mine_edits, their_edits):
    base = [f"base-{n}-{i}" for i, n in enumerate(numbers)]
    mine, theirs = _edited(base, mine_edits, "mine"), _edited(base, their_edits, "theirs")
    merged, conflicts = merge_lists(base, mine, theirs)
    assert all(item in merged for item in mine if item.startswith("mine"))
    reported = {item for _, their_part in conflicts for item in their_part}
    assert all(item in merged or item in reported for item in theirs if item.startswith("theirs"))
    if mine == base:
        assert merged == theirs and not conflicts
    if theirs == base:
        assert merged == mine and not conflicts


@given(st.lists(st.integers(0, 9), min_size=1, max_size=6), edits, edits, st.booleans(), st.booleans())
def test_a_whole_leaflet_keeps_every_reviewer_sentence(numbers, mine_edits, their_edits, my_title, their_title):
    def leaflet(summary: list[str], title: str) -> dict:
        return {
            "title": title, "technical_term": None, "code": {"system": "CPT4", "descriptor": "d"}, "also_known_as": [],
            "sections": {"summary": [{"paragraph": text} for text in summary], "risks": [{"bullets": ["Bleeding"]}]},
            "extra_sections": [], "review": {"status": "approved"}, "source": {"sha256": "old"},
        }

    base_summary = [f"base-{n}-{i}" for i, n in enumerate(numbers)]
    base = leaflet(base_summary, "Title")
    mine = leaflet(_edited(base_summary, mine_edits, "mine"), "My title" if my_title else "Title")
    theirs = leaflet(_edited(base_summary, their_edits, "theirs"), "Their title" if their_title else "Title")
    theirs["source"] = {"sha256": "new"}
    result = three_way(base, mine, theirs)
    text = json.dumps(result.data)
    reported = json.dumps([conflict.theirs for conflict in result.conflicts])
    assert all(f'"{p["paragraph"]}"' in text for p in mine["sections"]["summary"] if p["paragraph"].startswith("mine"))
    assert ("My title" in text) == my_title and result.data["review"] == {"status": "approved"}
    assert all(
        f'"{p["paragraph"]}"' in text or f'"{p["paragraph"]}"' in reported
        for p in theirs["sections"]["summary"] if p["paragraph"].startswith("theirs")
    )
    assert result.data["source"] == {"sha256": "new"}


def test_a_list_in_which_each_side_changed_another_entry_is_merged_entry_by_entry():
    from pipeline.review.merge import merge_blocks

    base = [{"bullets": ["Surgeon", "Nurse", "Technician"]}]
    mine = [{"bullets": ["Surgeon", "Specialist nurse", "Technician"]}]
    theirs = [{"bullets": ["Surgeon", "Nurse", "Theatre technician"]}]
    assert merge_blocks(base, mine, theirs) == ([{"bullets": ["Surgeon", "Specialist nurse", "Theatre technician"]}], [])
    clash = [{"bullets": ["Surgeon", "Nurse", "Scrub practitioner"]}]
    merged, conflicts = merge_blocks(base, clash, theirs)
    assert merged == clash and conflicts == [(clash, theirs)]
