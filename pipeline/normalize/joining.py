"""Which physical lines of a file are one hard-wrapped paragraph or list item.

A line is joined onto the one before when the file was hard-wrapped and the
line before had no room for this line's first word, or when the line before
clearly stops mid-sentence; never a heading, a new list item or a label line,
and never onto a heading or a line ending with a colon. The width the file
was wrapped at is estimated from the file itself (:func:`wrap_width`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from pipeline.config.headings import HeadingTable
from pipeline.lines import (
    HeadingStyle,
    LineShape,
    heading_style,
    is_finished,
    known_heading,
    line_shape,
    looks_like_title,
    words_of,
)
from pipeline.model import Line

# Lines this long or shorter mean the file was wrapped by a tool or an editor.
_WRAPPED_FILE_WIDTH = 100
# A joined paragraph stops growing at this length (a leaflet paragraph has a few
# hundred characters): the next line starts one of its own. Each line joined
# re-reads the paragraph so far, so without a bound thousands of short lines
# that never end a sentence would cost time and memory with the square of their number.
MAX_JOINED_CHARACTERS = 4_000


@dataclass
class _Paragraph:
    """The logical line being assembled from physical ones."""

    number: int  # of its first physical line
    text: str  # as in the file, indentation and all, its physical lines joined by spaces
    shape: LineShape  # of the stripped text
    last_line: str  # its last physical line, as in the file
    # One line so far, started after a blank line, a heading, a list item, a finished
    # line or a title: if it looks like a heading, it is one.
    standalone: bool

    def extend(self, text: str, shape: LineShape) -> None:
        self.text = f"{self.text.rstrip()} {shape.text}"
        self.shape = line_shape(self.text.strip())
        self.last_line = text
        self.standalone = False


@dataclass
class _Wrapping:
    """What the whole file tells about its line breaks."""

    width: int | None  # the width it was hard-wrapped at, if it was
    texts: list[str]  # its lines
    table: HeadingTable

    @functools.cached_property
    def style(self) -> HeadingStyle:
        """How its known headings are written; worked out when a line first needs it (a third of files do)."""
        return heading_style(self.texts, self.table)

    def is_heading(self, shape: LineShape) -> bool:
        """The (stripped) line is a known or a Markdown/bold heading."""
        return shape.markup or known_heading(shape.text, self.table) is not None

    def looks_like_heading(self, text: str) -> bool:
        """A Title Case line, or a short line written like the file's own headings."""
        return looks_like_title(text) or self.style.fits(text)

    def next_word_did_not_fit(self, previous: _Paragraph, text: str) -> bool:
        """The width test: in a hard-wrapped file, the line before had no room for this line's first word."""
        first_word = text.split(maxsplit=1)[0]
        return bool(self.width) and len(previous.last_line.rstrip()) + 1 + len(first_word) > self.width


def _is_structural(shape: LineShape, wrapping: _Wrapping) -> bool:
    """Starts something of its own: never joined onto the line before."""
    return bool(shape.list_kind) or shape.is_label_line or shape.parenthesis or wrapping.is_heading(shape)


def _is_heading_word_in_a_sentence(previous: _Paragraph, text: str, wrapping: _Wrapping) -> bool:
    """A lower-case heading word going on with the sentence before: "... speeds up" / "recovery".

    A whole line that is exactly a known heading of several words ("how do i
    prepare?") is a heading, whatever its case. One word, or words that only
    loosely name a section ("risks of the procedure and the"), may be the end
    of a sentence in a hard-wrapped file; so may a line indented under a list
    item, or one that ends the sentence with a full stop.
    """
    stripped = text.strip()
    if not stripped[0].islower() or previous.shape.finished:
        return False
    if (previous.shape.list_kind and text.startswith(" ")) or stripped.endswith("."):
        return True
    if len(stripped.split()) > 1 and wrapping.table.match(stripped, loose=False) is not None:
        return False
    return wrapping.next_word_did_not_fit(previous, text)


def _continues(previous: _Paragraph, text: str, shape: LineShape, wrapping: _Wrapping) -> bool:
    """Is ``text`` (of ``shape``, stripped) the rest of ``previous``, cut by a hard wrap?"""
    before, before_shape = previous.shape.text, previous.shape
    if not shape.text or not before:
        return False
    if before.startswith("("):
        if before.count("(") > before.count(")") and not shape.list_kind:
            return True  # "(Common names: ...; Medical" goes on until its ")"
        if before_shape.parenthesis:
            return False  # "(Common names: ...)" is complete in itself
    if wrapping.is_heading(before_shape) or before.endswith(":"):
        return False
    indented = text.startswith(" ")
    if not wrapping.width and before_shape.finished and not indented:
        return False  # a sentence ended the line, and neither a hard wrap nor an indent says more follows
    if not wrapping.width and not indented and not _runs_on(before, shape.text):
        # A file not hard-wrapped breaks its lines where its writer did: two short
        # instructions without full stops, or a bullet and the lead-in after it, stay apart.
        return False
    if before_shape.list_kind and shape.text.endswith(":") and not indented:
        return False  # "- Recurrent infections" / "The goals of the procedure:": a lead-in of its own
    if _is_structural(shape, wrapping):
        return _is_heading_word_in_a_sentence(previous, text, wrapping)
    if before_shape.list_kind and indented:
        return True
    if before_shape.finished:
        # A sentence ended the line: only a width test says more of it follows,
        # and never when a heading follows ("... obstructions." / "Questions to Ask").
        return wrapping.next_word_did_not_fit(previous, text) and not wrapping.looks_like_heading(shape.text)
    if wrapping.next_word_did_not_fit(previous, text):
        return True
    if before_shape.list_kind and wrapping.looks_like_heading(shape.text):
        return False  # "- Radiologist" / "Cost and Insurance": a heading after a list
    # "Special Considerations" on its own line is a heading, not a wrapped line.
    return not _is_standalone_heading(previous, wrapping)


# A line ending with one of these words stops mid-sentence ("... performed by the" / "surgeon").
_RUNS_ON_WORDS = frozenset(
    "a an the and or but nor of to in on at by for from with without into onto than as that which who whose "
    "including such via per under over between during after before".split()
)


def _runs_on(before: str, text: str) -> bool:
    """The line ``before`` clearly stops mid-sentence, or ``text`` clearly goes on with one."""
    last = before.rstrip().rsplit(maxsplit=1)[-1].lower()
    return before.rstrip().endswith((",", "-", "–", "/", "&")) or last in _RUNS_ON_WORDS or text[:1].islower()


def _is_standalone_heading(paragraph: _Paragraph, wrapping: _Wrapping) -> bool:
    return paragraph.standalone and wrapping.looks_like_heading(paragraph.shape.text)


def _ends_a_block(paragraph: _Paragraph, wrapping: _Wrapping) -> bool:
    """Nothing after this paragraph can be its hard-wrapped rest, short of a width test saying so."""
    shape = paragraph.shape
    return (
        not shape.text
        or shape.finished
        or bool(shape.list_kind)
        or wrapping.is_heading(shape)
        or _is_standalone_heading(paragraph, wrapping)
    )


def wrap_width(lines: list[Line]) -> int | None:
    """The width a file was hard-wrapped at, or None when it was not.

    Evidence of wrapping: lines close to the longest one that stop mid-sentence
    and go on in the next line. Two such lines are enough.
    """
    texts = [line.text.rstrip() for line in lines]
    width = max((len(text) for text in texts), default=0)
    if not 30 <= width <= _WRAPPED_FILE_WIDTH:
        return None
    evidence = sum(
        1
        for text, following in zip(texts, texts[1:])
        if len(text) >= 0.8 * width and following.strip() and not is_finished(text)
    )
    return width if evidence >= 2 else None


# A line of at most this many words, seen whole, is whole again when it comes back (a title repeated).
_REPEATED_LINE_WORDS = 12


def join_wrapped_lines(lines: list[Line], table: HeadingTable) -> list[Line]:
    """Physical lines -> logical ones: hard-wrapped paragraphs and list items joined.

    A short line that comes back, wrapped or not ("Carpal tunnel release" as the page's first
    line and again over two lines above the text), is whole the second time too: the text after
    it is never joined onto it.
    """
    wrapping = _Wrapping(wrap_width(lines), [line.text for line in lines], table)
    joined: list[Line] = []
    seen_whole: set[str] = set()  # the words of the short lines written so far
    paragraph: _Paragraph | None = None  # the one being assembled, if any

    def finish(paragraph: _Paragraph) -> None:
        joined.append(Line(paragraph.number, paragraph.text))
        if len(paragraph.text.split()) <= _REPEATED_LINE_WORDS:
            seen_whole.add(words_of(paragraph.text))

    for line in lines:
        if not line.text:  # a blank line stands alone, and what follows it starts afresh
            if paragraph is not None:
                finish(paragraph)
                paragraph = None
            joined.append(line)
            continue
        shape = line_shape(line.text.strip())
        if (
            paragraph is not None
            and len(paragraph.text) < MAX_JOINED_CHARACTERS
            and not line.text.startswith("- ")  # a list item always starts a paragraph of its own
            and words_of(paragraph.text) not in seen_whole
            and _continues(paragraph, line.text, shape, wrapping)
        ):
            paragraph.extend(line.text, shape)
        else:
            standalone = paragraph is None or _ends_a_block(paragraph, wrapping)
            if paragraph is not None:
                finish(paragraph)
            paragraph = _Paragraph(line.number, line.text, shape, line.text, standalone)
    if paragraph is not None:
        finish(paragraph)
    return joined
