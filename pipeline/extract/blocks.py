"""A segment's lines -> paragraphs, bullet lists and numbered steps; labelled items kept as label and text."""

from __future__ import annotations

from pipeline.lines import LineShape
from pipeline.model import Block, Item, Line


def _item(shape: LineShape, number: int) -> Item:
    if shape.labelled:
        label, rest = shape.labelled
        return Item(text=rest, label=label, line=number)
    if shape.label_only:
        return Item(text="", label=shape.label_only, line=number)
    return Item(text=shape.item, line=number)


def build_blocks(lines: list[Line], shapes: list[LineShape]) -> tuple[Block, ...]:
    """Paragraphs, bullet lists and steps of ``lines`` (of those ``shapes``)."""
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
        else:
            groups.append(("paragraph", line.number, line.text))
            continue
        item = _item(shape, line.number)
        if groups and groups[-1][0] == kind:
            groups[-1][2].append(item)  # type: ignore[union-attr]
        else:
            groups.append((kind, line.number, [item]))
    return tuple(
        Block(kind="paragraph", text=body, line=number)
        if isinstance(body, str)
        else Block(kind=kind, items=tuple(body), line=number)  # type: ignore[arg-type]
        for kind, number, body in groups
    )


