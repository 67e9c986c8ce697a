"""What one line of text is: blank, a list item, a label, a heading by its look, or prose.

Shared by normalize (which joins hard-wrapped lines but never a heading onto a
paragraph, :mod:`pipeline.normalize.joining`) and extract (which builds
structure from the line kinds). A line's shape is worked out once per stage
and passed along with the line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from pipeline.config.headings import HeadingTable, strip_heading_markup

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


# A heading asked as a question: "Why do I need a flexible cystoscopy?" (hospital leaflets
# write most of their headings so, some without the question mark).
QUESTION_WORDS = frozenset(
    "what why how when where who which will can do does is are should could may am would".split()
)
_MAX_QUESTION_WORDS = 14


def is_question_heading(text: str) -> bool:
    """A short question standing alone as a line: ending in ``?``, or opening with a question
    word and ending in no punctuation at all ("What is a flexible cystoscopy")."""
    stripped = strip_heading_markup(text) if is_markup_heading(text) else text.strip()
    words = _WORD.findall(stripped)
    if not words or len(words) > _MAX_QUESTION_WORDS or len(stripped) > 100 or not stripped[0].isupper():
        return False
    if is_list_item(stripped) or re.search(r"[.;!:]", stripped.rstrip("?")):
        return False
    if stripped.endswith("?"):
        return True
    return words[0].lower() in QUESTION_WORDS and stripped[-1].isalnum() and len(words) >= 3


def words_of(text: str) -> str:
    """A line's words, case and spacing aside: how a line written again is told from another."""
    return " ".join(text.casefold().split())


def is_short_plain_line(text: str, max_words: int = 5) -> bool:
    """A few words, no label, nothing at the end: a heading, or a list entry written without a mark."""
    stripped = text.strip()
    if not stripped or is_list_item(stripped) or ":" in stripped or is_finished(stripped) or stripped.endswith(","):
        return False
    return len(stripped.split()) <= max_words


# A line ending in one of these and a colon introduces a list ("The main steps
# are:", "You should:"); it is a sentence, not a heading.
LEAD_IN_WORDS = frozenset(
    "should include includes including involve involves are is may can will must need needs to follows following "
    "be as like such were was have has".split()
)
_LONGEST_HEADING = 90


# A line of more words than a label, ending with a colon, that holds one of these is a
# sentence leading into what follows ("This procedure is performed in various settings:").
_FINITE_VERBS = frozenset("is are was were may can will must should has have".split())
_LABEL_WORDS = 4


# Words that make a line ending in a colon an instruction leading into a list
# ("Please follow these instructions:"), not a heading.
_POINTING_WORDS = frozenset("please these following below".split())


def is_lead_in(text: str) -> bool:
    if not text.endswith(":"):
        return False
    words = text.rstrip(":").lower().split()
    if not words:
        return False
    return words[-1] in LEAD_IN_WORDS or words[0] == "please" or not _POINTING_WORDS.isdisjoint(words[1:]) or (len(words) > _LABEL_WORDS and not _FINITE_VERBS.isdisjoint(words))


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
    return table.match(without_likelihood(text), loose=not reads_as_sentence(text))


# How often, in a parenthesis after a heading: "Common risks (1 in 10 to 1 in 100 people)".
_LIKELIHOOD = re.compile(r"\s*\([^()]*\d[^()]*\)$")


def without_likelihood(text: str) -> str:
    """A heading without a parenthesis of numbers at its end ("Rare risks (less than 1 in 1000)"
    -> "Rare risks"): the numbers say how likely, not what the section is."""
    return _LIKELIHOOD.sub("", text) or text


@dataclass(frozen=True)
class HeadingStyle:
    """How one file writes its known headings: an unknown line written the same way is a heading too."""

    case: str | None = None  # "lower" or "sentence" when every known heading is written so
    colon: bool = False  # every known heading ends with ":" (or "?" for a question)
    set_off: bool = False  # blank lines follow the known headings
    blank_before: bool = False  # a blank line stands before every known heading but one at most

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
    preceded = [not texts[index - 1].strip() for index, _ in headings if index]
    return HeadingStyle(
        case=case,
        colon=any(text.endswith(":") for _, text in headings)
        and all(text.endswith((":", "?")) for _, text in headings),
        set_off=0 < 2 * sum(followed) >= len(followed),
        blank_before=len(preceded) >= 2 and sum(preceded) >= len(preceded) - 1,
    )
