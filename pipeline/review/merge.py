"""Three-way update of a reviewed leaflet: the source's changes applied over the reviewer's. Pure.

``base`` is the extraction the reviewer started from, ``mine`` the reviewed
file, ``theirs`` the fresh extraction of the changed source. Each part of the
leaflet (title, other names, technical term, each section, the extra
sections) is merged on its own; lists (names, a section's blocks) block by
block. A change of the source is applied where the reviewer left that place
as it was extracted; where both changed the same place, the reviewer's text
stays and the place is a conflict, never overwritten silently.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# The parts of a leaflet's data a source change may reach, in the order a reviewer reads them.
SCALAR_PARTS = ("title", "technical_term", "code")
LIST_PARTS = ("also_known_as",)


@dataclass(frozen=True)
class Conflict:
    """A place both the reviewer and the source changed: what each made of it."""

    place: str  # "sections.risks", "title"
    mine: Any
    theirs: Any


@dataclass(frozen=True)
class Merged:
    data: dict[str, Any]
    applied: tuple[str, ...]  # places the source's change was applied to
    conflicts: tuple[Conflict, ...]


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _changes(base: list[Any], other: list[Any]) -> list[tuple[int, int, list[Any]]]:
    """(start, end, replacement) of every place ``other`` differs from ``base``, by base position."""
    matcher = difflib.SequenceMatcher(None, [_key(v) for v in base], [_key(v) for v in other], autojunk=False)
    return [(i1, i2, other[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _overlap(first: tuple[int, int, list[Any]], second: tuple[int, int, list[Any]]) -> bool:
    """Two changes touch the same place of the base (an insertion touches the point it is at)."""
    (a1, a2, _), (b1, b2, _) = first, second
    if a1 == a2 or b1 == b2:
        return a1 <= b2 and b1 <= a2
    return a1 < b2 and b1 < a2


Resolve = Callable[[Any, Any, Any], "Any | None"]


def merge_lists(
    base: list[Any], mine: list[Any], theirs: list[Any], resolve: Resolve | None = None
) -> tuple[list[Any], list[tuple[list[Any], list[Any]]]]:
    """(merged list, conflicts as (mine's part, theirs' part)): diff3 on whole items.

    Where both sides replaced the same single item, ``resolve(base item, mine, theirs)``
    may merge the two (a list in which each changed another entry); None leaves it a conflict.
    """
    my_changes, their_changes = _changes(base, mine), _changes(base, theirs)
    applied, conflicts = [], []
    for change in their_changes:
        clashing = [mine_change for mine_change in my_changes if _overlap(change, mine_change)]
        if not clashing:
            applied.append(change)
        elif all(mine_change[2] == change[2] and mine_change[:2] == change[:2] for mine_change in clashing):
            continue  # the same change on both sides
        elif (merged_item := _resolved(base, change, clashing, resolve)) is not None:
            mine_change = clashing[0]
            my_changes[my_changes.index(mine_change)] = (mine_change[0], mine_change[1], [merged_item])
        else:
            mine_part = [item for mine_change in clashing for item in mine_change[2]]
            conflicts.append((mine_part, change[2]))
    edits = sorted([*my_changes, *applied], key=lambda change: (change[0], change[1]))
    merged: list[Any] = []
    position = 0
    for start, end, replacement in edits:
        if start < position:
            continue  # the same change made by both: once
        merged += base[position:start] + replacement
        position = end
    return merged + base[position:], conflicts


def _resolved(base: list[Any], change: tuple[int, int, list[Any]], clashing: list, resolve: Resolve | None) -> Any | None:
    """The one item both sides replaced, merged by ``resolve``; None when that does not apply or fails."""
    start, end, theirs = change
    if resolve is None or len(clashing) != 1 or end - start != 1 or len(theirs) != 1:
        return None
    mine_start, mine_end, mine = clashing[0]
    if (mine_start, mine_end) != (start, end) or len(mine) != 1:
        return None
    return resolve(base[start], mine[0], theirs[0])


def merge_blocks(base: list[Any], mine: list[Any], theirs: list[Any]) -> tuple[list[Any], list[tuple[list[Any], list[Any]]]]:
    """A section's blocks: a list both sides changed (each a different entry) is merged entry by entry."""
    return merge_lists(base, mine, theirs, _merge_block)


def _merge_block(base: Any, mine: Any, theirs: Any) -> Any | None:
    if not (isinstance(base, dict) and isinstance(mine, dict) and isinstance(theirs, dict)):
        return None
    kinds = {frozenset(block) for block in (base, mine, theirs)}
    if len(kinds) != 1:
        return None
    (kind,) = [key for key in base if key != "heading"] or [None]
    if kind in ("bullets", "steps"):
        items, clashes = merge_lists(base[kind], mine[kind], theirs[kind])
        return None if clashes else {kind: items}
    if kind == "content" and _key(base.get("heading")) == _key(mine.get("heading")) == _key(theirs.get("heading")):
        blocks, clashes = merge_blocks(base["content"], mine["content"], theirs["content"])
        return None if clashes else {"heading": base["heading"], "content": blocks}
    return None


def three_way(base: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any]) -> Merged:
    """The reviewed leaflet data ``mine`` with the source's changes (``base`` -> ``theirs``) applied."""
    data = dict(mine)
    applied: list[str] = []
    conflicts: list[Conflict] = []

    def merge_value(place: str, old: Any, my_value: Any, their_value: Any) -> Any:
        if _key(old) == _key(their_value) or _key(my_value) == _key(their_value):
            return my_value
        if _key(old) == _key(my_value):
            applied.append(place)
            return their_value
        conflicts.append(Conflict(place, my_value, their_value))
        return my_value

    def merge_list(place: str, old: list[Any], my_value: list[Any], their_value: list[Any]) -> list[Any]:
        merged, clashes = merge_blocks(old, my_value, their_value)
        if _key(merged) != _key(my_value):
            applied.append(place)
        conflicts.extend(Conflict(place, mine_part, theirs_part) for mine_part, theirs_part in clashes)
        return merged

    for part in SCALAR_PARTS:
        data[part] = merge_value(part, base.get(part), mine.get(part), theirs.get(part))
    for part in LIST_PARTS:
        data[part] = merge_list(part, base.get(part) or [], mine.get(part) or [], theirs.get(part) or [])
    sections = dict(mine.get("sections") or {})
    for key in dict.fromkeys([*sections, *(theirs.get("sections") or {})]):
        sections[key] = merge_list(
            f"sections.{key}",
            (base.get("sections") or {}).get(key) or [],
            sections.get(key) or [],
            (theirs.get("sections") or {}).get(key) or [],
        )
    data["sections"] = sections
    data["extra_sections"] = merge_list(
        "extra_sections", base.get("extra_sections") or [], mine.get("extra_sections") or [], theirs.get("extra_sections") or []
    )
    data["source"] = theirs.get("source", mine.get("source"))
    if data.get("code") is None:
        data.pop("code", None)  # a page without a code has no code key (schema version 4)
    if isinstance(theirs.get("schema_version"), int) and theirs["schema_version"] > (data.get("schema_version") or 0):
        data["schema_version"] = theirs["schema_version"]  # the source's record may need the newer version
    return Merged(data, tuple(dict.fromkeys(applied)), tuple(conflicts))
