"""What a single line of text looks like: blank, list item, heading, or prose.

Shared by normalize (which must not join a heading onto a paragraph) and
extract (which builds structure from the line kinds).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
_WORD = re.compile(r"[^\W_][\w'’-]*")


@dataclass(frozen=True)
class Line:
    """A line of normalized text and the 1-based source line it starts on."""

    number: int
    text: str


def is_finished(text: str) -> bool:
    """Ends like a sentence, a label or a heading with a colon."""
    return bool(_FINISHED.search(text.rstrip()))


def is_list_item(text: str) -> bool:
    return bool(BULLET.match(text) or STEP.match(text))


def is_label_line(text: str) -> bool:
    """``Goals: To relieve ...``: a short capitalised label, a colon, then text."""
    labelled = LABELLED.match(text)
    return bool(labelled) and text[0].isupper() and len(labelled["label"].split()) <= 5


def is_markup_heading(text: str) -> bool:
    return bool(MARKDOWN_HEADING.match(text) or EMPHASIS_LINE.match(text))


def looks_like_title(text: str, max_words: int = 7) -> bool:
    """A short Title Case line with no sentence punctuation: a heading or a name."""
    if is_list_item(text) or re.search(r"[.,;!]\W*$", text.strip()):
        return False
    stripped = strip_heading_markup(text)
    if not stripped or len(stripped) > 70 or ":" in stripped:
        return False
    words = _WORD.findall(stripped)
    if not words or len(words) > max_words or not stripped[0].isupper():
        return False
    significant = [word for word in words if len(word) > 3]
    return all(word[0].isupper() for word in significant)


def looks_like_unknown_heading(text: str) -> bool:
    """A line that is plainly a heading even though the table does not know it."""
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
    if stripped.endswith("?") and len(words) <= 10 and not re.search(r"[.;!]", stripped):
        return True
    return looks_like_title(stripped, max_words=6)


def known_heading(text: str, table: HeadingTable) -> str | None:
    """The section key a whole line names, or None.

    Bullets are never headings; a numbered line is one only when its text is
    exactly a known heading ("3. Risks"), since steps are rarely a bare heading.
    """
    if len(text) > 90 or BULLET.match(text):
        return None
    step = STEP.match(text)
    if step:
        return table.match(step["text"], loose=False)
    return table.match(text)
