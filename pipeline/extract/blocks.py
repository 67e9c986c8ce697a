"""A segment's lines -> paragraphs, bullet lists, numbered steps and sub-headed groups.

Labelled items keep label and text; plain items after a label with no text
("- Numbing:") are its sub-items, a nesting the page flattened. Bullets that stand between numbered steps,
or after a step that ends with a colon ("Remove it in one of these ways:"),
are that step's own list: its sub-items, and the numbering goes on after them.
"""

from __future__ import annotations

import re

from pipeline.lines import MAX_LABEL_WORDS, LineShape
from pipeline.model import Block, Item, Line


def _item(shape: LineShape, number: int) -> Item:
    if shape.labelled:
        label, rest = shape.labelled
        return Item(text=rest, label=label, line=number)
    if shape.label_only:
        return Item(text="", label=shape.label_only, line=number)
    return Item(text=shape.item, line=number)


def build_blocks(lines: list[Line], shapes: list[LineShape], nested: frozenset[int] = frozenset()) -> tuple[Block, ...]:
    """Paragraphs, bullet lists and steps of ``lines`` (of those ``shapes``); bullets whose line
    is in ``nested`` were indented under the step above them."""
    content = [line for line in lines if line.text]
    shapes = [shape for line, shape in zip(lines, shapes) if line.text]
    labelled = [shape.labelled is not None and not shape.list_kind for shape in shapes]
    groups: list[tuple[str, int, list[Item] | str]] = []  # (kind, first line, items or paragraph text)
    for index, (line, shape) in enumerate(zip(content, shapes)):
        if shape.list_kind:
            kind = shape.list_kind
        elif labelled[index] and (
            (index > 0 and labelled[index - 1]) or (index + 1 < len(labelled) and labelled[index + 1])
        ):
            kind = "bullets"  # a run of "Label: text" lines: labelled items all the same
        elif len(pairs := label_pairs(line.text)) >= 2:
            # "Tools: a syringe. Anesthesia: none needed.": labelled items written on one line.
            items = [Item(text=text, label=label, line=line.number) for label, text in pairs]
            if groups and groups[-1][0] == "bullets":
                groups[-1][2].extend(items)  # type: ignore[union-attr]
            else:
                groups.append(("bullets", line.number, items))
            continue
        else:
            groups.append(("paragraph", line.number, line.text))
            continue
        item = _item(shape, line.number)
        if groups and groups[-1][0] == kind:
            groups[-1][2].append(item)  # type: ignore[union-attr]
        else:
            groups.append((kind, line.number, [item]))
    groups = [(kind, number, _nest_under_labels(body) if isinstance(body, list) else body) for kind, number, body in groups]
    return tuple(
        Block(kind="paragraph", text=body, line=number)
        if isinstance(body, str)
        else Block(kind=kind, items=tuple(body), line=number)  # type: ignore[arg-type]
        for kind, number, body in _nest_under_steps(groups, nested)
    )


# A label after the start or a sentence's end: a capitalised word or a few, then ": ".
_LABEL_START = re.compile(r"(?:^|(?<=[.;!?] ))(?P<label>[A-Z][\w'&/,-]*(?: [\w'&/,-]+){0,%d}): " % (MAX_LABEL_WORDS - 1))


def label_pairs(text: str) -> list[tuple[str, str]]:
    """``Tools: a, b. Anesthesia: none.`` -> [("Tools", "a, b."), ("Anesthesia", "none.")]; [] for a line
    that is not wholly such pairs (a sentence with a colon in it)."""
    starts = list(_LABEL_START.finditer(text))
    if not starts or starts[0].start() != 0:
        return []
    pairs = []
    for match, following in zip(starts, [*starts[1:], None]):
        body = text[match.end(): following.start() if following else len(text)].strip()
        if not body:
            return []
        pairs.append((match["label"], body))
    return pairs


def _nest_under_labels(items: list[Item]) -> list[Item]:
    """A label with no text ("- Numbing:") followed by plain items of the same list: those
    items are its own, flattened to one level by the page ("- A small injection ...")."""
    nested: list[Item] = []
    for item in items:
        parent = nested[-1] if nested else None
        if parent is not None and parent.label and not parent.text and not item.label:
            nested[-1] = Item(parent.text, parent.label, parent.line, (*parent.items, item))
        else:
            nested.append(item)
    return nested


Group = tuple[str, int, "list[Item] | str"]


def _nest_under_steps(groups: list[Group], indented: frozenset[int] = frozenset()) -> list[Group]:
    """Bullets between two runs of steps, after a step ending with a colon, or indented under a
    step, become sub-items of the step before them, and the two runs of steps one list."""
    nested: list[Group] = []
    for index, (kind, number, body) in enumerate(groups):
        before = nested[-1] if nested else None
        if before is not None and before[0] == "steps" and kind == "bullets":
            following = groups[index + 1][0] if index + 1 < len(groups) else None
            last = before[2][-1]  # type: ignore[index]
            if following == "steps" or (last.text or last.label or "").rstrip().endswith(":") or number in indented:
                before[2][-1] = Item(last.text, last.label, last.line, (*last.items, *body))  # type: ignore[index,misc]
                continue
        if before is not None and before[0] == "steps" and kind == "steps" and _just_nested(groups, index):
            before[2].extend(body)  # type: ignore[union-attr,arg-type]
            continue
        nested.append((kind, number, list(body) if isinstance(body, list) else body))
    return nested


def _just_nested(groups: list[Group], index: int) -> bool:
    """The steps at ``index`` go on after bullets that were made sub-items of the step before them."""
    return index >= 2 and groups[index - 1][0] == "bullets" and groups[index - 2][0] == "steps"


def section_blocks(
    lines: list[Line], shapes: list[LineShape], sub_headings: dict[int, Line], nested: frozenset[int] = frozenset()
) -> tuple[Block, ...]:
    """The blocks of a section: what stands before its first sub-heading, then one group per sub-heading.

    A sub-heading with nothing under it stays as text, a paragraph of its own.
    """
    cuts = sorted(sub_headings)
    blocks = build_blocks(lines[: cuts[0]] if cuts else lines, shapes[: cuts[0]] if cuts else shapes, nested)
    for start, end in zip(cuts, [*cuts[1:], len(lines)]):
        heading = sub_headings[start]
        inner = build_blocks(lines[start:end], shapes[start:end], nested)
        if inner:
            blocks += (Block(kind="group", heading=heading.text, blocks=inner, line=heading.number),)
        else:
            blocks += (Block(kind="paragraph", text=heading.text, line=heading.number),)
    return blocks


