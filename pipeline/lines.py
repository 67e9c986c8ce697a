"""Lines of text: what one line is (blank, list item, heading or prose), and
which physical lines of a file are one hard-wrapped paragraph or list item.

Shared by normalize (which joins wrapped lines but never a heading onto a
paragraph) and extract (which builds structure from the line kinds). A line's
shape is worked out once per stage and passed along with the line.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from .headings import HeadingTable, strip_heading_markup

BULLET = re.compile(r"^- (?P<text>.*)$")
STEP = re.compile(r"^(?P<number>\d{1,3})\. (?P<text>.*)$")
MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+\S")
EMPHASIS_LINE = re.compile(r"^(\*\*|__)[^*_].*\1:?$")
NAME_PARENTHESIS = re.compile(r"^\((?P<body>[^()]*:.*)\)\.?$")
# A known heading followed by text on the same line: "Duration: About an hour."
INLINE_HEADING = re.compile(r"^(?P<heading>[^:]{2,60}?)\s*:\s+(?P<text>\S.*)$")
LABELLED = re.compile(r"^(?P<label>[^\W\d_][^:.!?;]{0,48}?)\s*:\s+(?P<text>\S.*)$")
LABEL_ONLY = re.compile(r"^(?P<label>[^\W\d_][^:.!?;]{0,48}?)\s*:$")
_FINISHED = re.compile(r"""[.!?:;]['"’”)\]]*$""")
_SENTENCE_END = re.compile(r"[.,;!]\W*$")
_WORD = re.compile(r"[^\W_][\w'’-]*")
MAX_LABEL_WORDS = 5  # "Label: text" has at most this many words before the colon


class Line(NamedTuple):
    """A line of normalized text and the 1-based source line it starts on."""

    number: int
    text: str


class LineShape(NamedTuple):
    """What a line is, apart from the headings a table knows; see :func:`line_shape`."""

    text: str
    list_kind: str | None  # "bullets" for "- item", "steps" for "3. step"
    item: str  # a list item's text after its mark, else the whole line
    # Of the item: ("Goals", "To relieve ...") of "Goals: To relieve ..." or "- Goals: To relieve ..."
    labelled: tuple[str, str] | None
    label_only: str | None  # "Symptoms" of "Symptoms:" or "- Symptoms:"
    parenthesis: bool  # "(Common names: ...; Medical term: ...)"
    markup: bool  # a Markdown or bold heading
    finished: bool  # ends like a sentence, a label or a heading with a colon

    @property
    def is_label_line(self) -> bool:
        """``Goals: To relieve ...``: a short capitalised label, a colon, then text (not a list item)."""
        return self.labelled is not None and self.text[:1].isupper()


def line_shape(text: str) -> LineShape:
    """The shape of ``text`` as it is (callers strip it where that matters)."""
    list_kind, item = None, text
    step = STEP.match(text)
    if text.startswith("- "):
        list_kind, item = "bullets", text[2:]
    elif step:
        list_kind, item = "steps", step["text"]
    labelled = label_only = None
    if (match := LABELLED.match(item)) and _few_words(match["label"]):
        labelled = match["label"], match["text"]
    elif (match := LABEL_ONLY.match(item)) and _few_words(match["label"]):
        label_only = match["label"]
    return LineShape(
        text=text,
        list_kind=list_kind,
        item=item,
        labelled=labelled,
        label_only=label_only,
        parenthesis=NAME_PARENTHESIS.match(text) is not None,
        markup=is_markup_heading(text),
        finished=is_finished(text),
    )


def _few_words(label: str) -> bool:
    return len(label.split()) <= MAX_LABEL_WORDS


def is_finished(text: str) -> bool:
    """Ends like a sentence, a label or a heading with a colon."""
    return _FINISHED.search(text.rstrip()) is not None


def is_list_item(text: str) -> bool:
    return text.startswith("- ") or STEP.match(text) is not None


def is_markup_heading(text: str) -> bool:
    return bool(MARKDOWN_HEADING.match(text) or EMPHASIS_LINE.match(text))


def looks_like_title(text: str, max_words: int = 7) -> bool:
    """A short Title Case line with no sentence punctuation: a heading or a name."""
    if is_list_item(text) or _SENTENCE_END.search(text.strip()):
        return False
    stripped = strip_heading_markup(text)
    if not stripped or len(stripped) > 70 or ":" in stripped:
        return False
    words = _WORD.findall(stripped)
    if not words or len(words) > max_words or not stripped[0].isupper():
        return False
    significant = [word for word in words if len(word) > 3]
    return all(word[0].isupper() for word in significant)


def is_marked_heading(text: str) -> bool:
    """Plainly a heading by its form: Markdown or bold, ``A Heading:`` or a short question."""
    if is_list_item(text):
        return False
    if is_markup_heading(text):
        return True
    stripped = text.strip()
    words = _WORD.findall(stripped)
    if not words or len(stripped) > 80 or not stripped[0].isupper():
        return False
    if stripped.endswith(":") and len(words) <= 8 and not re.search(r"[.;!?]", stripped[:-1]):
        return True
    return stripped.endswith("?") and len(words) <= 10 and not re.search(r"[.;!]", stripped)


def is_short_plain_line(text: str, max_words: int = 5) -> bool:
    """A few words, no label, nothing at the end: a heading, or a list entry written without a mark."""
    stripped = text.strip()
    if not stripped or is_list_item(stripped) or ":" in stripped or is_finished(stripped) or stripped.endswith(","):
        return False
    return len(stripped.split()) <= max_words


# A line ending in one of these and a colon introduces a list ("The main steps
# are:", "You should:"); it is a sentence, not a heading.
LEAD_IN_WORDS = frozenset(
    "should include includes including are is may can will must need needs to follows following be as like such "
    "were was have has".split()
)
_LONGEST_HEADING = 90


def is_lead_in(text: str) -> bool:
    if not text.endswith(":"):
        return False
    words = text.rstrip(":").split()
    return bool(words) and words[-1].lower() in LEAD_IN_WORDS


def reads_as_sentence(text: str) -> bool:
    """Punctuated like a sentence, or a lead-in ending in a verb and a colon."""
    stripped = strip_heading_markup(text) if is_markup_heading(text) else text.strip()
    return bool(_SENTENCE_END.search(stripped)) or is_lead_in(text.strip())


def known_heading(text: str, table: HeadingTable) -> str | None:
    """The section key a whole line names, or None.

    Bullets are never headings; a numbered line is one only when its text is
    exactly a known heading ("3. Risks"), since steps are rarely a bare heading.
    The looser comparison (heading words among filler words) is only for lines
    that read like a heading, not like a sentence ("The main steps are:").
    """
    if len(text) > _LONGEST_HEADING or text.startswith("- "):
        return None
    step = STEP.match(text)
    if step:
        return table.match(step["text"], loose=False)
    return table.match(text, loose=not reads_as_sentence(text))


@dataclass(frozen=True)
class HeadingStyle:
    """How one file writes its known headings: an unknown line written the same way is a heading too."""

    case: str | None = None  # "lower" or "sentence" when every known heading is written so
    colon: bool = False  # every known heading ends with ":" (or "?" for a question)
    set_off: bool = False  # blank lines follow the known headings

    def fits(self, text: str, max_words: int = 6) -> bool:
        """A short line in this file's heading case (Title Case and UPPER are plain headings anyway)."""
        stripped = text.strip()
        if self.case is None or not stripped[:1].isalpha() or is_lead_in(stripped):
            return False
        bare = stripped[:-1] if self.colon and stripped.endswith(":") else stripped
        if (self.colon and bare == stripped) or not is_short_plain_line(bare, max_words):
            return False
        if self.case == "lower":
            return bare == bare.lower()
        return bare[0].isupper() and len(bare.split()) > 1 and bare[1:] == bare[1:].lower()


_MARKUP = re.compile(r"^#{1,6}\s+|\*\*|__")


def _case_of(heading: str) -> str:
    heading = strip_heading_markup(heading)
    words = heading.split()
    if heading == heading.lower():
        return "lower"
    if len(words) > 1 and heading[0].isupper() and heading[1:] == heading[1:].lower():
        return "sentence"
    return "one word" if len(words) == 1 and heading[0].isupper() else "other"


def _may_be_heading_line(text: str, table: HeadingTable) -> bool:
    """A known heading on its own line, not the indented or full-stopped end of a wrapped sentence, nor a step."""
    if not text or text[0] == " " or text.endswith(".") or is_list_item(text):
        return False
    return known_heading(text, table) is not None


def heading_style(texts: Sequence[str], table: HeadingTable) -> HeadingStyle:
    """The style of the whole lines in ``texts`` that are known headings."""
    headings = [(index, text.strip()) for index, text in enumerate(texts) if _may_be_heading_line(text, table)]
    if len(headings) < 2:
        return HeadingStyle()
    headings = [(index, _MARKUP.sub("", text).strip()) for index, text in headings]
    cases = {_case_of(text) for _, text in headings}
    case = None
    if cases == {"lower"}:
        case = "lower"
    elif "sentence" in cases and cases <= {"sentence", "one word"}:
        case = "sentence"
    followed = [not texts[index + 1].strip() for index, _ in headings if index + 1 < len(texts)]
    return HeadingStyle(
        case=case,
        colon=any(text.endswith(":") for _, text in headings)
        and all(text.endswith((":", "?")) for _, text in headings),
        set_off=0 < 2 * sum(followed) >= len(followed),
    )


# -- joining hard-wrapped lines ----------------------------------------------

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


def join_wrapped_lines(lines: list[Line], table: HeadingTable) -> list[Line]:
    """Physical lines -> logical ones: hard-wrapped paragraphs and list items joined."""
    wrapping = _Wrapping(wrap_width(lines), [line.text for line in lines], table)
    joined: list[Line] = []
    paragraph: _Paragraph | None = None  # the one being assembled, if any
    for line in lines:
        if not line.text:  # a blank line stands alone, and what follows it starts afresh
            if paragraph is not None:
                joined.append(Line(paragraph.number, paragraph.text))
                paragraph = None
            joined.append(line)
            continue
        shape = line_shape(line.text.strip())
        if (
            paragraph is not None
            and len(paragraph.text) < MAX_JOINED_CHARACTERS
            and not line.text.startswith("- ")  # a list item always starts a paragraph of its own
            and _continues(paragraph, line.text, shape, wrapping)
        ):
            paragraph.extend(line.text, shape)
        else:
            standalone = paragraph is None or _ends_a_block(paragraph, wrapping)
            if paragraph is not None:
                joined.append(Line(paragraph.number, paragraph.text))
            paragraph = _Paragraph(line.number, line.text, shape, line.text, standalone)
    if paragraph is not None:
        joined.append(Line(paragraph.number, paragraph.text))
    return joined
