"""The leaflet data model that every stage speaks.

A leaflet is a title, a few identifying fields, and sections made of blocks.
A block is a paragraph, a bullet list, a list of numbered steps, or a
sub-headed group (a sub-heading such as ``Common`` under risks, and blocks of
its own). List items may carry a label (``Goals: To relieve ...``) and a list
of sub-items (bullets nested under a step). Source line numbers ride along
on blocks and items so warnings can say ``file:line``; they are not written
to the YAML a reviewer reads.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

# 2: sub-headed groups in sections, sub-items under list items.
# 3: the urgent_help section (reviewers write it).
# 4: the doing_nothing section, contact, sources and review.version; for hospital leaflets, the
#    leaflet's own record under source (reference, dates, department, author, the headings read
#    by their words) and no code for a page that has none. Older files still load.
SCHEMA_VERSION = 4
SCHEMA_VERSIONS = (1, 2, 3, 4)

CANONICAL_SECTIONS: tuple[str, ...] = (
    "summary",
    "purpose",
    "indications",
    "preparation",
    "procedure",
    "duration",
    "setting",
    "personnel",
    "risks",
    "benefits",
    "recovery",
    "alternatives",
    "doing_nothing",  # what if I do nothing: written by reviewers, extraction leaves it empty
    "patient_experience",
    "urgent_help",  # when to get urgent help: written by reviewers, extraction leaves it empty
)
# Sections no source page writes: reviewers write them before approving.
REVIEWER_SECTIONS: tuple[str, ...] = ("doing_nothing", "urgent_help")
# The sections the lookup site writes, in its fixed order (for pages whose headings were lost).
SITE_SECTIONS: tuple[str, ...] = tuple(key for key in CANONICAL_SECTIONS if key not in REVIEWER_SECTIONS)
# Sections a file of an older schema version may lack (read as empty).
ADDED_SECTIONS: tuple[str, ...] = REVIEWER_SECTIONS

REVIEW_STATUSES: tuple[str, ...] = ("draft", "reviewed", "approved")

BlockKind = Literal["paragraph", "bullets", "steps", "group"]


class Line(NamedTuple):
    """A line of normalized text and the 1-based source line it starts on."""

    number: int
    text: str


@dataclass(frozen=True)
class Item:
    """One list entry; ``label`` is set for labelled items like ``Goals: ...``, ``items``
    for the entries of a list nested under this one (a step's own bullets)."""

    text: str
    label: str | None = None
    line: int | None = None
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Block:
    """A paragraph (``text``), a list (``items``) of bullets or steps, or a group:
    a sub-heading (``heading``) and the blocks under it (``blocks``, never groups)."""

    kind: BlockKind
    text: str = ""
    items: tuple[Item, ...] = ()
    line: int | None = None
    heading: str = ""
    blocks: tuple[Block, ...] = ()


def without_groups(blocks: tuple[Block, ...]) -> list[Block]:
    """The paragraphs and lists of ``blocks``, those inside groups included, in order."""
    return [inner for block in blocks for inner in (block.blocks if block.kind == "group" else (block,))]


@dataclass(frozen=True)
class ExtraSection:
    """A section whose heading matched no canonical key; kept in source order."""

    heading: str
    content: tuple[Block, ...]
    line: int | None = None


@dataclass(frozen=True)
class Code:
    system: str | None = None
    descriptor: str | None = None


@dataclass(frozen=True)
class Review:
    status: str = "draft"
    reviewer: str | None = None
    reviewed_on: dt.date | None = None
    next_review_due: dt.date | None = None
    version: int = 1  # the leaflet's edition, printed in its reference; a reviewer raises it
    notes: str | None = None

    def is_overdue(self, today: dt.date) -> bool:
        """Its next review was due before ``today``."""
        return overdue(self.next_review_due, today)


def overdue(due: dt.date | None, today: dt.date) -> bool:
    """A review due on ``due`` is overdue ``today`` (never, when no date is set)."""
    return due is not None and due < today


# The form a phone number, web address and e-mail address must have to be printed as a link; the
# theme is checked against them and the JSON Schema holds the same forms for a leaflet's own.
CONTACT_FORMS = {
    "phone": r"\+?[0-9][0-9 ()-]{2,30}",
    "website": r"https?://[^\s<>\"']+",
    "email": r"[^@\s<>\"':]+@[^@\s<>\"']+\.[^@\s<>\"']+",
}


@dataclass(frozen=True)
class Contact:
    """Who a patient can contact about this leaflet's procedure; a field left None is not printed."""

    department: str | None = None
    phone: str | None = None
    hours: str | None = None
    website: str | None = None
    email: str | None = None

    def is_empty(self) -> bool:
        return not any(dataclasses.astuple(self))


@dataclass(frozen=True)
class RemovedLine:
    """A line normalize dropped as site text, with its 1-based source line."""

    line: int
    text: str


@dataclass(frozen=True)
class SourceHeading:
    """A heading of the source read by its words (not a listed synonym), and the section it went to."""

    heading: str
    section: str


# What a leaflet says about itself (its record keeping), in the order written under ``source``.
SOURCE_FIELDS: tuple[str, ...] = ("reference", "published", "review_date", "department", "author")


@dataclass(frozen=True)
class Source:
    path: str
    sha256: str
    encoding: str
    removed: tuple[RemovedLine, ...] = ()
    # The leaflet's own record, from lines such as "Reference Number: ..." (schema version 4).
    reference: str | None = None
    published: str | None = None  # "Last updated", "Date written": ISO date when the page gives a day
    review_date: str | None = None
    department: str | None = None
    author: str | None = None
    headings: tuple[SourceHeading, ...] = ()

    def fields(self) -> dict[str, str]:
        """The leaflet's own record fields it has, in order."""
        return {name: value for name in SOURCE_FIELDS if (value := getattr(self, name))}


ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Diagnostic:
    """A problem worth a reviewer's attention, at a line (and column) of the file it is about.

    The one way every stage reports a problem, and the one place its place is written.
    """

    message: str
    line: int | None = None
    column: int | None = None
    severity: str = WARNING

    @property
    def place(self) -> str:
        """``line 4, column 7`` (or less, when less is known), for a message of its own."""
        if self.line is None:
            return ""
        return f"line {self.line}" + (f", column {self.column}" if self.column is not None else "")

    def format(self, path: str) -> str:
        """``path:4:7: warning: message``, one line as ``leaflets check`` prints it."""
        where = "".join(f":{number}" for number in (self.line, self.column if self.line else None) if number)
        return f"{path}{where}: {self.severity}: {self.message}"

    def sort_key(self) -> tuple[int, int, str, str]:
        return self.line or 0, self.column or 0, self.severity, self.message


@dataclass(frozen=True)
class Leaflet:
    id: str
    title: str
    code: Code | None  # None: not a coded page (a hospital's leaflet)
    also_known_as: tuple[str, ...]
    technical_term: str | None
    sections: dict[str, tuple[Block, ...]]
    extra_sections: tuple[ExtraSection, ...]
    review: Review
    source: Source
    contact: Contact | None = None  # this leaflet's own; None: the theme's
    sources: tuple[str, ...] = ()  # what the content rests on (guidance, papers), printed with it
    schema_version: int = SCHEMA_VERSION
    warnings: tuple[Diagnostic, ...] = field(default=(), compare=False)
    # How each heading was read (which rule decided its section), for --explain.
    explanations: tuple[Diagnostic, ...] = field(default=(), compare=False)

    def section(self, key: str) -> tuple[Block, ...]:
        return self.sections.get(key, ())
