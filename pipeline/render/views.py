"""What the templates print, worked out from a leaflet: sections in order with their
headings, blocks as HTML list kinds, the review status and the reference. Pure."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.model import CONTACT_FORMS, Block, Contact, Item, Leaflet
from pipeline.render.theme import Theme
from pipeline.review.approval import CHANGED


@dataclass(frozen=True)
class ContactLine:
    """One way to reach the team: ``Phone: 0100 496 0000``, a link when ``href`` is set."""

    label: str
    text: str
    href: str | None = None


@dataclass(frozen=True)
class BlockView:
    """``p`` (text), ``ul``, ``ol`` or ``dl`` (a run of labelled bullets) with items (each with
    its own sub-items), ``group``: a sub-heading (``heading``) over blocks of its own, or
    ``contact``: the ways to reach the team (``lines``)."""

    kind: str
    text: str = ""
    items: tuple[Item, ...] = ()
    heading: str = ""
    blocks: tuple[BlockView, ...] = ()
    lines: tuple[ContactLine, ...] = ()


@dataclass(frozen=True)
class SectionView:
    key: str
    anchor: str
    heading: str
    blocks: tuple[BlockView, ...]


@dataclass(frozen=True)
class PageView:
    sections: tuple[SectionView, ...]
    draft: bool  # marked as not to be relied on: a draft, or changed since its approval
    mark: str  # the mark such a page carries, and the note under it
    note: str
    status: str
    status_class: str
    reviewed_on: str
    next_review_due: str
    overdue: bool  # its next review date has passed: the page says so
    published: str  # the approval date, or that it is not published
    version: int
    reference: str
    description: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class IndexEntry:
    """One line of ``index.html``: a rendered leaflet."""

    id: str
    title: str
    status: str
    editions: tuple[str, ...] = ("",)  # file-name suffixes of its editions here ("" standard, ".large-print", ...)


def sentence_case(label: str) -> str:
    """``Involved Professionals`` -> ``Involved professionals``: a label in Title Case as a patient
    reads it. Words in capitals (ENT, MRI) and labels already in sentence case are kept."""
    words = label.split(" ")
    capitals = [word for word in words if word[:1].isalpha() and word.casefold() not in _SMALL_WORDS]
    if len(words) < 2 or not all(word[:1].isupper() for word in capitals):
        return label

    def lower(part: str) -> str:
        return part if part.isupper() or not part[1:].islower() else part.lower()  # ENT, MRI, iPhone kept

    first, *rest = words
    head, *tail = first.split("-")
    return " ".join(["-".join([head, *map(lower, tail)]), *("-".join(map(lower, word.split("-"))) for word in rest)])


_SMALL_WORDS = frozenset("a an and as at by for from in of on or the to with".split())


def _display_item(item: Item, heading: str) -> Item:
    """An item as printed: its label in sentence case, and no label that only repeats the heading above it."""
    label = item.label
    if label is not None and " ".join(label.casefold().split()) == " ".join(heading.casefold().rstrip("?").split()):
        label = None if item.text else label
    elif label is not None:
        label = sentence_case(label)
    sub_items = tuple(_display_item(sub, heading) for sub in item.items)
    return Item(item.text, label, item.line, sub_items) if (label, sub_items) != (item.label, item.items) else item


def block_views(blocks: Iterable[Block], heading: str = "") -> tuple[BlockView, ...]:
    """Blocks as printed: bullets split into runs of plain (``ul``) and labelled (``dl``) items;
    labels in sentence case, a label that repeats ``heading`` (the section's) left out."""
    views: list[BlockView] = []
    for block in blocks:
        if block.items:
            block = Block(block.kind, block.text, tuple(_display_item(item, heading) for item in block.items), block.line,
                          block.heading, block.blocks)
        if block.kind == "group":
            if inner := block_views(block.blocks, heading):
                views.append(BlockView("group", heading=block.heading, blocks=inner))
            elif block.heading.strip():
                views.append(BlockView("p", text=block.heading))  # a sub-heading over nothing is printed as text
        elif block.kind == "paragraph":
            if block.text.strip():
                views.append(BlockView("p", text=block.text))
        elif block.kind == "steps":
            if block.items:
                views.append(BlockView("ol", items=block.items))
        else:
            for labelled, run in itertools.groupby(block.items, key=lambda item: item.label is not None):
                views.append(BlockView("dl" if labelled else "ul", items=tuple(run)))
    return tuple(views)


_LINKS = {  # how each way to reach the team becomes a link, when its text has its form (CONTACT_FORMS)
    "phone": lambda value: "tel:" + re.sub(r"[^0-9+]", "", value),
    "website": lambda value: value,
    "email": lambda value: f"mailto:{value}",
}


def _contact_link(key: str, value: str) -> str | None:
    """The link for a phone, website or e-mail line; None for other text (never a script: URL)."""
    if key not in _LINKS or re.fullmatch(CONTACT_FORMS[key], value) is None:
        return None
    return _LINKS[key](value)


def contact_view(contact: Contact, theme: Theme) -> tuple[BlockView, ...]:
    """The ways to reach the team, each on a line of its own; the theme's fallback when none is known."""
    lines = tuple(
        ContactLine(theme.labels[key], value, _contact_link(key, value))
        for key, value in dataclasses.asdict(contact).items()
        if value
    )
    if not [line for line in lines if line.href]:  # a department alone is no way to reach anyone
        fallback = (BlockView("p", text=theme.contact_fallback),) if theme.contact_fallback else ()
        return (BlockView("contact", lines=lines),) + fallback if lines else fallback
    return (BlockView("contact", lines=lines),)


def section_anchor(kind: str, which: str | int) -> str:
    """The id of a section's heading on the leaflet's page: ``patient-experience`` for the
    canonical section ``patient_experience`` (``kind`` "sections"), ``extra-1`` for the first
    extra section (``kind`` "extra_sections", ``which`` its index from 0)."""
    return str(which).replace("_", "-") if kind == "sections" else f"extra-{int(which) + 1}"


def section_views(leaflet: Leaflet, theme: Theme) -> tuple[SectionView, ...]:
    """Canonical sections in the theme's order, then extra sections; empty ones left out."""
    views: list[SectionView] = []
    for key in theme.order:
        if key == "contact":
            blocks = contact_view(leaflet.contact or theme.contact, theme)
        elif key == "sources":  # a list of its own, not in the small print: it may be long
            blocks = (BlockView("ul", items=tuple(Item(source) for source in leaflet.sources)),) if leaflet.sources else ()
        else:
            blocks = block_views(leaflet.section(key), theme.heading(key))
        if not blocks and key == "urgent_help" and theme.urgent_help:
            blocks = (BlockView("p", text=theme.urgent_help),)  # every leaflet says when to get help
        if blocks:
            views.append(SectionView(key, section_anchor("sections", key), theme.heading(key), blocks))
    for index, extra in enumerate(leaflet.extra_sections):
        if blocks := block_views(extra.content, extra.heading):
            views.append(SectionView("extra", section_anchor("extra_sections", index), extra.heading, blocks))
    return tuple(views)


def left_out(leaflet: Leaflet, theme: Theme) -> tuple[str, ...]:
    """What the page cannot show, said so that no heading disappears unseen; and a page that
    tells the patient no way to reach anyone."""
    notes = [
        f"extra section {extra.heading!r} has no text and is left out of the page"
        for extra in leaflet.extra_sections
        if not block_views(extra.content)
    ]
    if not contact_view(leaflet.contact or theme.contact, theme):
        notes.append(
            "no contact details are printed (no phone, website or e-mail in the leaflet's contact or "
            "the theme's, and no contact_fallback sentence in the theme): set the theme's contact"
        )
    return tuple(notes)


def page_view(leaflet: Leaflet, theme: Theme, standing: str | None = None, today: dt.date | None = None) -> PageView:
    """What the page prints besides the sections; ``standing`` "changed" marks an approved
    leaflet whose content changed since its approval as not approved; a leaflet whose next
    review was due before ``today`` says so."""
    labels = theme.labels
    review = leaflet.review
    changed = standing == CHANGED
    approved = review.status == "approved" and not changed
    if leaflet.code is not None and leaflet.code.descriptor:
        system = f" ({leaflet.code.system})" if leaflet.code.system else ""
        description = f"{leaflet.code.descriptor}{system}"
    else:
        description = leaflet.technical_term or leaflet.title
    return PageView(
        sections=section_views(leaflet, theme),
        draft=review.status == "draft" or changed,
        mark=labels["changed_mark"] if changed else labels["draft_mark"],
        note=labels["changed_note"] if changed else labels["draft_note"],
        status=labels["changed_mark"] if changed else theme.statuses.get(review.status, review.status),
        status_class="draft" if changed else review.status,
        reviewed_on=theme.format_date(review.reviewed_on),
        next_review_due=theme.format_date(review.next_review_due),
        overdue=today is not None and review.is_overdue(today),
        published=theme.format_date(review.reviewed_on) if approved and review.reviewed_on else labels["not_published"],
        version=review.version,
        reference=theme.reference(leaflet.id, review.version),
        description=description,
        keywords=tuple(dict.fromkeys([*leaflet.also_known_as, *filter(None, [leaflet.technical_term])])),
    )
