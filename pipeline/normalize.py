"""Stage 1, normalize: raw bytes -> clean lines of Unicode text.

The work is an ordered list of small named rules (``TEXT_RULES`` on the whole
text, then ``LINE_RULES``, which work line by line), then two steps that need
data: site text is removed (and every removed line recorded) and hard-wrapped
paragraphs and list items are joined. Each line remembers the source line it
came from.
"""

from __future__ import annotations

import codecs
import functools
import html
import html.entities
import operator
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import charset_normalizer
import ftfy
import yaml

from .errors import ConfigError, InputError
from .headings import HeadingTable, builtin_data_text, default_table
from .lines import (
    HeadingStyle,
    Line,
    LineShape,
    could_fit_a_heading_style,
    heading_style,
    is_finished,
    known_heading,
    line_shape,
    looks_like_title,
    numbered_lines,
)
from .model import RemovedLine

# -- decoding ----------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)
# Share of control characters above which a file is binary data, not text.
_BINARY_CONTROL_SHARE = 0.05
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 shows as NUL in every other byte of mostly-ASCII text."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def decode(data: bytes) -> tuple[str, str]:
    """Bytes -> (text, name of the encoding they were in)."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return _strict(data[len(bom) :], codec, name), name
    utf16 = _utf16_without_bom(data)
    if utf16:
        return _strict(data, utf16, utf16), utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise InputError("not text in any known encoding (binary data?)")
    return str(best), best.encoding


def _strict(data: bytes, codec: str, name: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        raise InputError(f"not valid {name} text: {error.reason} at byte {error.start}") from None


# -- whole-text rules --------------------------------------------------------
# Each rule first asks a cheap question (str methods run at C speed, where a
# regular expression scans character by character) and skips its work when
# the answer shows there is nothing to do.

# Lead bytes of UTF-8 read as Windows-1252/Latin-1 all land in this range, so
# text without it cannot hold mojibake and skips the (slower) repair.
_MOJIBAKE_HINT = re.compile("[\u00c2-\u00f4]")
_LONE_BREAKS = "\r\u2028\u2029\x85\x0b\x0c"
_LONE_BREAK = re.compile(f"[{_LONE_BREAKS}]")
# U+FFFE and U+FFFF are not characters (a byte-swapped BOM, a sentinel): never text,
# and YAML can only write them as escapes a reviewer would read as "\uFFFE".
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff\ufffe\uffff]")
_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")


_PRINTABLE_ASCII_TAB_NEWLINE = bytes(range(0x20, 0x7F)) + b"\t\n"


def _is_plain_text(text: str) -> bool:
    """Printable apart from newlines and tabs (see _is_plain_multiline_text)."""
    if "\n" not in text and "\t" not in text:
        return text.isprintable()  # a single line
    return _is_plain_multiline_text(text)


@functools.lru_cache(maxsize=1)  # the rules ask in turn about the same text (object), unless one changed it
def _is_plain_multiline_text(text: str) -> bool:
    """Printable apart from newlines and tabs: no other line breaks, invisible,
    control or odd space characters (all of them unprintable to Python).

    Printable ASCII, tabs and newlines are dropped as bytes first (fast), so
    only the few other characters are looked up.
    """
    rest = text.encode("utf-8", "surrogatepass").translate(None, _PRINTABLE_ASCII_TAB_NEWLINE)
    return not rest or rest.decode("utf-8", "surrogatepass").isprintable()


# A character reference with its semicolon: "&amp;", "&#8217;", "&#x2019;".
_HTML_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def unescape_html_entities(text: str) -> str:
    """``Risks &amp; Complications`` -> ``Risks & Complications``: scraped pages keep some
    HTML character references. Names HTML does not know stay as they are."""
    if "&" not in text or ";" not in text:
        return text
    return _HTML_ENTITY.sub(_character, text)


def _character(reference: re.Match[str]) -> str:
    text = reference[0]
    if text[1] == "#":
        return html.unescape(text)
    # Only a whole known name: html.unescape would also read "&parameters;" as "&para" + "meters;".
    return html.entities.html5.get(text[1:], text)


def repair_mojibake(text: str) -> str:
    """``â€™`` -> ``’`` and friends, by ftfy, which knows far more cases than a table."""
    # The hint characters U+00C2-U+00F4 all start with byte C3 in UTF-8.
    if text.isascii() or b"\xc3" not in text.encode("utf-8", "surrogatepass") or not _MOJIBAKE_HINT.search(text):
        return text
    return ftfy.fix_encoding(text)


def compose_unicode(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def unify_line_endings(text: str) -> str:
    if _is_plain_text(text):
        return text
    # "\r\n" first (as the pattern takes it), then any lone break character.
    text = text.replace("\r\n", "\n")
    return _LONE_BREAK.sub("\n", text) if any(mark in text for mark in _LONE_BREAKS) else text


def remove_invisible(text: str) -> str:
    """Zero-width characters, soft hyphens, stray BOMs, non-characters and control characters."""
    return text if _is_plain_text(text) else _CONTROL.sub("", _INVISIBLE.sub("", text))


def unify_spaces(text: str) -> str:
    """Tabs become four spaces (they indent list continuations); odd spaces become one."""
    plain = _is_plain_text(text)
    if "\t" in text:
        text = text.expandtabs(4)
    return text if plain else _SPACES.sub(" ", text)


TEXT_RULES: tuple[Callable[[str], str], ...] = (
    unescape_html_entities,
    repair_mojibake,
    compose_unicode,
    unify_line_endings,
    remove_invisible,
    unify_spaces,
)

# -- line rules --------------------------------------------------------------
# Each works line by line, on one line or on a whole text at once, and skips
# texts that a cheap test shows it would leave as they are. Patterns that
# look at line starts begin with "\n" (the text gets one in front), which lets
# the matcher jump from line to line instead of trying every character; their
# spaces never reach across a line break (``[^\S\n]``).

_TRAILING_SPACE = re.compile(r"[^\S\n]+$", re.MULTILINE)
_INNER_SPACES = re.compile(r"(?<=\S) {2,}(?=\S)")
# Marks that are also dashes or arrows in running text count only with a space after them;
# the symbols (and the private-use ones that Word's Symbol and Wingdings fonts leave) also without.
_SPACED_BULLET_MARKS = "-*+–—·−‒»→⇒"
_SYMBOL_BULLET_MARKS = "•●○◦▪■□‣⁃➢➤►▸◆◇♦❖▶▷✓✔\uf0b7\uf0a7\uf076\uf0d8\uf0fc"
_BULLET_MARK = re.compile(
    r"\n(?P<indent>[^\S\n]*)(?!\*\*|- )"
    rf"(?:[{re.escape(_SPACED_BULLET_MARKS)}][^\S\n]+|[{_SYMBOL_BULLET_MARKS}][^\S\n]*)(?=\S)"
)
_OTHER_BULLET_MARKS = _SPACED_BULLET_MARKS.removeprefix("-") + _SYMBOL_BULLET_MARKS  # all but "-" (see unify_bullets)
# "1.", "1)", "(1)", "Step 1:" (or "Step 1." / "Step 1 -"), and lettered "a)" / "(a)".
_NUMBER_MARK = re.compile(
    r"\n(?P<indent>[^\S\n]*)"
    r"(?:\(?(?P<number>\d{1,3})[.)]|(?i:step)[^\S\n]+(?P<step>\d{1,3})[^\S\n]*[.:)\-–—]|\(?(?P<letter>[a-z])\))"
    r"[^\S\n]+(?=\S)"
)
_BOLD_LABEL = re.compile(
    r"^(?P<lead>[^\S\n]*(?:- |\d{1,3}\. )?)(\*\*|__)(?P<label>[^*_:\n]{1,48}?)(?::\2|\2:)(?=\s|$)", re.MULTILINE
)


def _at_line_starts(pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str], text: str) -> str:
    """``pattern`` (starting with "\n") replaced at the start of every line of ``text``."""
    changed, count = pattern.subn(replace, f"\n{text}")
    return changed[1:] if count else text  # the same text object when nothing changed (see _is_plain_text)


def strip_trailing_space(text: str) -> str:
    if _is_plain_text(text) and not (" \n" in text or "\t\n" in text or text.endswith((" ", "\t"))):
        return text
    return _TRAILING_SPACE.sub("", text)


def collapse_inner_spaces(text: str) -> str:
    if "  " not in text:
        return text
    lines = text.split("\n")  # most runs of spaces are indentation, left as it is
    collapsed = "\n".join(_INNER_SPACES.sub(" ", line) if "  " in line.lstrip(" ") else line for line in lines)
    return text if collapsed == text else collapsed


def unify_bullets(text: str) -> str:
    """``•``, ``*``, ``–``, ``●`` and friends -> ``- ``; indentation kept for now."""
    if _is_plain_text(text) and "-\t" not in text and not any(mark in text for mark in _OTHER_BULLET_MARKS):
        return text
    return _at_line_starts(_BULLET_MARK, lambda mark: f"\n{mark['indent']}- ", text)


def unify_numbering(text: str) -> str:
    """``1)``, ``(1)`` and ``Step 1:`` -> ``1.``; ``a)`` and ``(a)`` -> ``1.`` (the letter's place)."""
    if _is_plain_text(text) and not any(mark in text for mark in ("(", ")", ".\t", ".  ", ". \t", "tep", "TEP")):
        return text  # "1. Step" stays as it is
    return _at_line_starts(_NUMBER_MARK, _numbered, text)


def _numbered(mark: re.Match[str]) -> str:
    letter = mark["letter"]
    number = mark["number"] or mark["step"] or str(ord(letter) - ord("a") + 1)
    return f"\n{mark['indent']}{number}. "


def unwrap_bold_labels(text: str) -> str:
    """``- **Goals:** text`` and ``**Goals**: text`` -> ``- Goals: text``."""
    if "**" not in text and "__" not in text:
        return text
    return _BOLD_LABEL.sub(r"\g<lead>\g<label>:", text)


LINE_RULES: tuple[Callable[[str], str], ...] = (
    strip_trailing_space,
    collapse_inner_spaces,
    unify_bullets,
    unify_numbering,
    unwrap_bold_labels,
)


# Lines repeat from page to page; each distinct one goes through the rules once.
@functools.lru_cache(maxsize=32_768)
def _clean_line(line: str) -> str:
    for rule in LINE_RULES:
        line = rule(line)
    return line

# -- site text ---------------------------------------------------------------


_GROUP_NAME = re.compile(r"\(\?P<\w+>")


@dataclass(frozen=True)
class SiteTextRule:
    name: str
    pattern: re.Pattern[str]
    drop_rest: bool = False


# Remembered answers per rule set; lines repeat from page to page.
_SITE_CACHE_SIZE = 20_000


@dataclass(frozen=True)
class SiteText:
    rules: tuple[SiteTextRule, ...]
    any_rule: re.Pattern[str]
    _verdicts: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)  # line -> some rule matches

    def match(self, line: str) -> tuple[SiteTextRule, re.Match[str]] | None:
        key = _site_key(line)
        if not key or not self.any_rule.fullmatch(key):
            return None
        for rule in self.rules:
            found = rule.pattern.fullmatch(key)
            if found:
                return rule, found
        return None

    def matching_lines(self, lines: Sequence[str]) -> list[int]:
        """Indexes of the lines :meth:`match` accepts."""
        verdicts = list(map(self._verdicts.get, lines))  # None: not seen before
        if None in verdicts:
            for index, verdict in enumerate(verdicts):
                if verdict is None:
                    verdicts[index] = self._verdict(lines[index])
        return [index for index, verdict in enumerate(verdicts) if verdict]

    def _verdict(self, line: str) -> bool:
        if len(self._verdicts) >= _SITE_CACHE_SIZE:
            self._verdicts.clear()
        key = _site_key(line)
        found = self._verdicts[line] = bool(key) and self.any_rule.fullmatch(key) is not None
        return found


def _site_key(line: str) -> str:
    """The line as rules see it: stripped, inner runs of white space made one space."""
    key = line.strip()
    if "  " in key or not key.isprintable():  # tabs and odd spaces are unprintable
        key = " ".join(key.split())
    return key


def site_text_from_data(data: Any) -> SiteText:
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise ConfigError("site text: expected a mapping with a 'rules' list")
    rules = []
    for index, entry in enumerate(data["rules"], 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("pattern"), str):
            raise ConfigError(f"site text: rule {index}: expected a mapping with a 'pattern' string")
        try:
            pattern = re.compile(entry["pattern"], re.IGNORECASE)
        except re.error as error:
            raise ConfigError(f"site text: rule {index}: bad pattern: {error}") from None
        rules.append(SiteTextRule(str(entry.get("name", index)), pattern, bool(entry.get("drop_rest", False))))
    # Group names may repeat across rules, so the combined pre-check drops them.
    unnamed = [_GROUP_NAME.sub("(?:", rule.pattern.pattern) for rule in rules]
    combined = "|".join(f"(?:{pattern})" for pattern in unnamed)
    return SiteText(tuple(rules), re.compile(combined or r"(?!)", re.IGNORECASE))


def load_site_text(path: Path | None = None) -> SiteText:
    if path is None:
        return default_site_text()
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ConfigError(f"{path}: cannot read site text rules: {error}") from None
    return site_text_from_data(data)


@functools.cache
def default_site_text() -> SiteText:
    return site_text_from_data(yaml.safe_load(builtin_data_text("site_text.yaml")))


def remove_site_text(lines: list[Line], site_text: SiteText) -> tuple[list[Line], list[RemovedLine], dict[str, str]]:
    """Drop site lines, leaving a blank in their place so paragraphs stay apart."""
    kept = list(lines)
    removed: list[RemovedLine] = []
    facts: dict[str, str] = {}

    def drop(index: int) -> None:
        number, text = lines[index]
        if text.strip():
            removed.append(RemovedLine(number, text.strip()))
        kept[index] = Line(number, "")

    for index in site_text.matching_lines(list(map(_text_of, lines))):
        rule, match = site_text.match(lines[index].text)  # type: ignore[misc]
        drop(index)
        facts.update({k: v for k, v in match.groupdict().items() if v})
        if rule.drop_rest:
            for later in range(index + 1, len(lines)):
                drop(later)
            break
    return kept, removed, facts


_text_of = operator.attrgetter("text")


# -- joining hard-wrapped lines ----------------------------------------------

# Lines this long or shorter mean the file was wrapped by a tool or an editor.
_WRAPPED_FILE_WIDTH = 100
# A joined paragraph stops growing at this length (a leaflet paragraph has a few
# hundred characters): the next line starts one of its own. Each line joined
# re-reads the paragraph so far, so without a bound thousands of short lines
# that never end a sentence would cost time and memory with the square of their number.
MAX_JOINED_CHARACTERS = 4_000


def _first_word(text: str) -> str:
    parts = text.split(maxsplit=1)
    return parts[0] if parts else ""


class _Paragraph:
    """The logical line being assembled from physical ones; one object, started
    afresh for each paragraph (only finished paragraphs are kept, as pairs)."""

    __slots__ = ("finished", "last_physical", "number", "physical_count", "shape", "standalone", "stripped", "text")

    def start(self, number: int, text: str, shape: LineShape, standalone: bool) -> None:
        self.number = number
        self.text = text  # as in the file, indentation and all
        self.stripped = shape.text
        self.shape = shape  # of the stripped text
        self.last_physical = text
        self.physical_count = 1
        # Started after a blank line, a heading, a list item, a finished line or
        # a title; worked out only for a line that may look like a heading (it
        # matters for no other), False for the rest.
        self.standalone = standalone
        self.finished = shape.finished  # its last physical line ends like a sentence

    def extend(self, text: str, shape: LineShape) -> None:
        self.text = f"{self.text.rstrip()} {shape.text}"
        self.stripped = self.text.strip()
        self.shape = line_shape(self.stripped)
        self.last_physical = text
        self.physical_count += 1
        self.finished = shape.finished


@dataclass
class _Wrapping:
    """What the whole file tells about its line breaks."""

    width: int | None  # the width it was hard-wrapped at, if it was
    texts: list[str]  # its lines
    table: HeadingTable
    headings: dict[str, bool] = field(default_factory=dict)  # is_heading, remembered per text

    @functools.cached_property
    def style(self) -> HeadingStyle:
        """How its known headings are written; worked out when a line first needs it."""
        return heading_style(self.texts, self.table)

    def is_heading(self, text: str, shape: LineShape) -> bool:
        """``text`` (stripped, of that shape) is a known or a Markdown/bold heading."""
        found = self.headings.get(text)
        if found is None:
            found = self.headings[text] = shape.markup or known_heading(text, self.table) is not None
        return found

    def looks_like_heading(self, text: str) -> bool:
        """A Title Case line, or a short line written like the file's own headings."""
        return looks_like_title(text) or (could_fit_a_heading_style(text) and self.style.fits(text))

    def next_word_did_not_fit(self, previous: _Paragraph, text: str) -> bool:
        """The width test: in a hard-wrapped file, the line before had no room for this line's first word."""
        width = self.width
        return bool(width) and len(previous.last_physical.rstrip()) + 1 + len(_first_word(text.strip())) > width


def _is_structural(stripped: str, shape: LineShape, wrapping: _Wrapping) -> bool:
    """Starts something of its own: never joined onto the line before."""
    return bool(shape.list_kind) or shape.is_label_line or shape.parenthesis or wrapping.is_heading(stripped, shape)


def _is_heading_word_in_a_sentence(previous: _Paragraph, text: str, wrapping: _Wrapping) -> bool:
    """A lower-case heading word going on with the sentence before: "... speeds up" / "recovery".

    A whole line that is exactly a known heading of several words ("how do i
    prepare?") is a heading, whatever its case. One word, or words that only
    loosely name a section ("risks of the procedure and the"), may be the end
    of a sentence in a hard-wrapped file; so may a line indented under a list
    item, or one that ends the sentence with a full stop.
    """
    stripped = text.strip()
    if not stripped[0].islower() or previous.finished:
        return False
    if (previous.shape.list_kind and text.startswith(" ")) or stripped.endswith("."):
        return True
    if len(stripped.split()) > 1 and wrapping.table.match(stripped, loose=False) is not None:
        return False
    return wrapping.next_word_did_not_fit(previous, text)


def _continues(previous: _Paragraph, text: str, shape: LineShape, wrapping: _Wrapping) -> bool:
    """Is ``text`` (of ``shape``, stripped) the rest of ``previous``, cut by a hard wrap?"""
    stripped = shape.text
    before = previous.stripped
    if not stripped or not before:
        return False
    before_shape = previous.shape
    if before.startswith("("):
        if before.count("(") > before.count(")") and not shape.list_kind:
            return True  # "(Common names: ...; Medical" goes on until its ")"
        if before_shape.parenthesis:
            return False  # "(Common names: ...)" is complete in itself
    if wrapping.is_heading(before, before_shape) or before.endswith(":"):
        return False
    indented = text.startswith(" ")
    if not wrapping.width and previous.finished and not indented:
        return False  # a sentence ended the line, and neither a hard wrap nor an indent says more follows
    if _is_structural(stripped, shape, wrapping):
        return _is_heading_word_in_a_sentence(previous, text, wrapping)
    if before_shape.list_kind and indented:
        return True
    if previous.finished:
        # A sentence ended the line: only a width test says more of it follows,
        # and never when a heading follows ("... obstructions." / "Questions to Ask").
        return wrapping.next_word_did_not_fit(previous, text) and not wrapping.looks_like_heading(stripped)
    if wrapping.next_word_did_not_fit(previous, text):
        return True
    if before_shape.list_kind and wrapping.looks_like_heading(stripped):
        return False  # "- Radiologist" / "Cost and Insurance": a heading after a list
    # "Special Considerations" on its own line is a heading, not a wrapped line.
    return not _is_standalone_heading(previous, wrapping)


def _is_standalone_heading(paragraph: _Paragraph, wrapping: _Wrapping) -> bool:
    return paragraph.physical_count == 1 and paragraph.standalone and wrapping.looks_like_heading(paragraph.stripped)


def _ends_a_block(paragraph: _Paragraph, wrapping: _Wrapping) -> bool:
    """Nothing after this paragraph can be its hard-wrapped rest, short of a width test saying so."""
    if not paragraph.stripped or paragraph.finished:
        return True
    shape = paragraph.shape
    return (
        bool(shape.list_kind)
        or wrapping.is_heading(paragraph.stripped, shape)
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


@functools.lru_cache(maxsize=32_768)
def _stripped_shape(text: str) -> LineShape:
    return line_shape(text.strip())


def join_wrapped_lines(lines: list[Line], table: HeadingTable) -> list[Line]:
    wrapping = _Wrapping(wrap_width(lines), [line.text for line in lines], table)
    joined: list[tuple[int, str]] = []  # finished paragraphs: (first line, text)
    paragraph: _Paragraph | None = None  # the one being assembled, if any
    spare = _Paragraph()
    for line in lines:
        text = line.text
        if not text:  # a blank line stands alone, and what follows it starts afresh
            if paragraph is not None:
                joined.append((paragraph.number, paragraph.text))
                paragraph = None
            joined.append(line)
            continue
        shape = _stripped_shape(text)
        # A blank line or a list item always starts a paragraph of its own.
        if (
            paragraph is not None
            and paragraph.stripped
            and len(paragraph.text) < MAX_JOINED_CHARACTERS
            and not text.startswith("- ")
            and _continues(paragraph, text, shape, wrapping)
        ):
            paragraph.extend(text, shape)
            continue
        standalone = shape.may_look_like_heading and (paragraph is None or _ends_a_block(paragraph, wrapping))
        if paragraph is None:
            paragraph = spare
        else:
            joined.append((paragraph.number, paragraph.text))
        paragraph.start(line.number, text, shape, standalone)
    if paragraph is not None:
        joined.append((paragraph.number, paragraph.text))
    return numbered_lines(joined)


def tidy_lines(lines: list[Line]) -> list[Line]:
    """No indentation, at most one blank line in a row, none at either end."""
    texts = [line.text.strip() for line in lines]
    tidy = [
        line if text == line.text else Line(line.number, text)
        for index, (line, text) in enumerate(zip(lines, texts))
        if text or (index > 0 and texts[index - 1])  # a blank line only after one with text
    ]
    while tidy and not tidy[-1].text:
        tidy.pop()
    return tidy


# -- the stage ---------------------------------------------------------------


@dataclass(frozen=True)
class Normalized:
    lines: tuple[Line, ...]
    encoding: str
    removed: tuple[RemovedLine, ...]
    code_system: str | None

    @property
    def text(self) -> str:
        return "".join(f"{line.text}\n" for line in self.lines)


_C0_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_C1_CONTROL_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")


def _count_controls(text: str) -> int:
    """How many characters of ``text`` match ``_CONTROL``, counted on its UTF-8 bytes."""
    data = text.encode("utf-8", "surrogatepass")
    return len(data) - len(data.translate(None, _C0_CONTROL_BYTES)) + len(_C1_CONTROL_UTF8.findall(data))


def _check_is_text(text: str) -> None:
    if not text.strip():
        raise InputError("empty file" if not text else "file holds only whitespace")
    controls = 0 if _is_plain_text(text) else _count_controls(text[:65536])
    if controls > _BINARY_CONTROL_SHARE * min(len(text), 65536):
        raise InputError("binary data, not text")


def normalize_text(
    text: str,
    encoding: str = "utf-8",
    *,
    site_text: SiteText | None = None,
    headings: HeadingTable | None = None,
) -> Normalized:
    """Decoded text -> normalized lines (see the module docstring)."""
    _check_is_text(text)
    for rule in TEXT_RULES:
        text = rule(text)
    numbered = numbered_lines(enumerate(map(_clean_line, text.split("\n")), 1))
    kept, removed, facts = remove_site_text(numbered, site_text or default_site_text())
    joined = join_wrapped_lines(kept, headings or default_table())
    return Normalized(tuple(tidy_lines(joined)), encoding, tuple(removed), facts.get("code_system"))


def normalize(data: bytes, *, site_text: SiteText | None = None, headings: HeadingTable | None = None) -> Normalized:
    """Raw bytes of one input file -> normalized lines."""
    text, encoding = decode(data)
    return normalize_text(text, encoding, site_text=site_text, headings=headings)
