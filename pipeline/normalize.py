"""Stage 1, normalize: raw bytes -> clean lines of Unicode text.

It decides what is text and in which encoding, which characters a leaflet
keeps (one line break, one kind of space, ``- `` for every bullet mark,
``1.`` for every number mark), which lines are the website's rather than the
procedure's, and which physical lines are one hard-wrapped paragraph.

The work is two ordered lists of small named rules, ``TEXT_RULES`` on the
whole text and then ``LINE_RULES`` on each line, then two steps that need
data: site text is removed (and every removed line recorded) and hard-wrapped
paragraphs and list items are joined. Each line remembers the source line it
came from.
"""

from __future__ import annotations

import codecs
import functools
import html
import html.entities
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import charset_normalizer
import ftfy
import yaml

from .errors import ConfigError, InputError
from .headings import HeadingTable, builtin_data_text, default_table
from .lines import HeadingStyle, Line, LineShape, heading_style, is_finished, known_heading, line_shape, looks_like_title
from .model import RemovedLine

# -- decoding ----------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)
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

# A character reference with its semicolon: "&amp;", "&#8217;", "&#x2019;".
_HTML_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Lead bytes of UTF-8 read as Windows-1252 or Latin-1: the mojibake a scraped page
# suffers from. ftfy also recodes text that only looks like other mojibake (Cyrillic,
# MacRoman), so text without one of these is not given to it.
_MOJIBAKE_LEAD = re.compile("[\u00c2-\u00f4]")
_LINE_BREAK = re.compile("\r\n|[\r\u2028\u2029\x85\x0b\x0c]")
# U+FFFE and U+FFFF are not characters (a byte-swapped BOM, a sentinel): never text,
# and YAML can only write them as escapes a reviewer would read as "\uFFFE".
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff\ufffe\uffff]")
_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")


def unescape_html_entities(text: str) -> str:
    """``Risks &amp; Complications`` -> ``Risks & Complications``: scraped pages keep some
    HTML character references. Names HTML does not know stay as they are."""
    return _HTML_ENTITY.sub(_character, text)


def _character(reference: re.Match[str]) -> str:
    text = reference[0]
    if text[1] == "#":
        return html.unescape(text)
    # Only a whole known name: html.unescape would also read "&parameters;" as "&para" + "meters;".
    return html.entities.html5.get(text[1:], text)


def repair_mojibake(text: str) -> str:
    """``â€™`` -> ``’`` and friends, by ftfy, which knows far more cases than a table."""
    return ftfy.fix_encoding(text) if _MOJIBAKE_LEAD.search(text) else text


def compose_unicode(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def unify_line_endings(text: str) -> str:
    return _LINE_BREAK.sub("\n", text)


def remove_invisible(text: str) -> str:
    """Zero-width characters, soft hyphens, stray BOMs, non-characters and control characters."""
    return _CONTROL.sub("", _INVISIBLE.sub("", text))


def unify_spaces(text: str) -> str:
    """Tabs become four spaces (they indent list continuations); odd spaces become one."""
    return _SPACES.sub(" ", text.expandtabs(4))


TEXT_RULES: tuple[Callable[[str], str], ...] = (
    unescape_html_entities,
    repair_mojibake,
    compose_unicode,
    unify_line_endings,
    remove_invisible,
    unify_spaces,
)

# -- line rules --------------------------------------------------------------

_INNER_SPACES = re.compile(r"(?<=\S) {2,}(?=\S)")
# Marks that are also dashes or arrows in running text count only with a space after them;
# the symbols (and the private-use ones that Word's Symbol and Wingdings fonts leave) also without.
_BULLET_MARK = re.compile(
    r"(?P<indent>\s*)(?!\*\*|- )"
    r"(?:[-*+–—·−‒»→⇒]\s+|[•●○◦▪■□‣⁃➢➤►▸◆◇♦❖▶▷✓✔\uf0b7\uf0a7\uf076\uf0d8\uf0fc]\s*)(?=\S)"
)
# "1.", "1)", "(1)", "Step 1:" (or "Step 1." / "Step 1 -"), and lettered "a)" / "(a)".
_NUMBER_MARK = re.compile(
    r"(?P<indent>\s*)"
    r"(?:\(?(?P<number>\d{1,3})[.)]|(?i:step)\s+(?P<step>\d{1,3})\s*[.:)\-–—]|\(?(?P<letter>[a-z])\))"
    r"\s+(?=\S)"
)
_BOLD_LABEL = re.compile(r"^(?P<lead>\s*(?:- |\d{1,3}\. )?)(\*\*|__)(?P<label>[^*_:]{1,48}?)(?::\2|\2:)(?=\s|$)")


def strip_trailing_space(line: str) -> str:
    return line.rstrip()


def collapse_inner_spaces(line: str) -> str:
    """Runs of spaces between words become one; indentation stays as it is."""
    return _INNER_SPACES.sub(" ", line)


def unify_bullets(line: str) -> str:
    """``•``, ``*``, ``–``, ``●`` and friends -> ``- ``; indentation kept for now."""
    mark = _BULLET_MARK.match(line)
    return f"{mark['indent']}- {line[mark.end():]}" if mark else line


def unify_numbering(line: str) -> str:
    """``1)``, ``(1)`` and ``Step 1:`` -> ``1.``; ``a)`` and ``(a)`` -> ``1.`` (the letter's place)."""
    mark = _NUMBER_MARK.match(line)
    if not mark:
        return line
    number = mark["number"] or mark["step"] or str(ord(mark["letter"]) - ord("a") + 1)
    return f"{mark['indent']}{number}. {line[mark.end():]}"


def unwrap_bold_labels(line: str) -> str:
    """``- **Goals:** text`` and ``**Goals**: text`` -> ``- Goals: text``."""
    return _BOLD_LABEL.sub(r"\g<lead>\g<label>:", line)


LINE_RULES: tuple[Callable[[str], str], ...] = (
    strip_trailing_space,
    collapse_inner_spaces,
    unify_bullets,
    unify_numbering,
    unwrap_bold_labels,
)


def clean_line(line: str) -> str:
    for rule in LINE_RULES:
        line = rule(line)
    return line


# -- site text ---------------------------------------------------------------


@dataclass(frozen=True)
class SiteTextRule:
    name: str
    pattern: re.Pattern[str]
    drop_rest: bool = False


@dataclass(frozen=True)
class SiteText:
    rules: tuple[SiteTextRule, ...]

    def match(self, line: str) -> tuple[SiteTextRule, re.Match[str]] | None:
        """The first rule that matches the whole line, stripped and its inner runs
        of white space made one space; a blank line is never site text."""
        key = " ".join(line.split())
        if not key:
            return None
        for rule in self.rules:
            found = rule.pattern.fullmatch(key)
            if found:
                return rule, found
        return None


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
    return SiteText(tuple(rules))


@functools.cache
def default_site_text() -> SiteText:
    return site_text_from_data(yaml.safe_load(builtin_data_text("site_text.yaml")))


def remove_site_text(lines: list[Line], site_text: SiteText) -> tuple[list[Line], list[RemovedLine], dict[str, str]]:
    """Drop site lines, leaving a blank in their place so paragraphs stay apart."""
    kept: list[Line] = []
    removed: list[RemovedLine] = []
    facts: dict[str, str] = {}
    for index, line in enumerate(lines):
        found = site_text.match(line.text)
        if found is None:
            kept.append(line)
            continue
        rule, match = found
        facts.update({key: value for key, value in match.groupdict().items() if value})
        dropped = lines[index:] if rule.drop_rest else [line]
        removed += [RemovedLine(number, text.strip()) for number, text in dropped if text.strip()]
        kept += [Line(number, "") for number, _ in dropped]
        if rule.drop_rest:
            break
    return kept, removed, facts


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
    # Started after a blank line, a heading, a list item, a finished line or a title.
    standalone: bool
    physical_lines: int = 1

    def extend(self, text: str, shape: LineShape) -> None:
        self.text = f"{self.text.rstrip()} {shape.text}"
        self.shape = line_shape(self.text.strip())
        self.last_line = text
        self.physical_lines += 1


@dataclass(frozen=True)
class _Wrapping:
    """What the whole file tells about its line breaks."""

    width: int | None  # the width it was hard-wrapped at, if it was
    style: HeadingStyle  # how its known headings are written
    table: HeadingTable

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
    return (
        paragraph.physical_lines == 1
        and paragraph.standalone
        and wrapping.looks_like_heading(paragraph.shape.text)
    )


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
    wrapping = _Wrapping(wrap_width(lines), heading_style([line.text for line in lines], table), table)
    shapes = [line_shape(line.text.strip()) for line in lines]
    joined: list[Line] = []
    paragraph: _Paragraph | None = None  # the one being assembled, if any
    for line, shape in zip(lines, shapes):
        if not line.text:  # a blank line stands alone, and what follows it starts afresh
            if paragraph is not None:
                joined.append(Line(paragraph.number, paragraph.text))
                paragraph = None
            joined.append(line)
        elif (
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


def tidy_lines(lines: list[Line]) -> list[Line]:
    """No indentation, at most one blank line in a row, none at either end."""
    texts = [line.text.strip() for line in lines]
    tidy = [
        Line(line.number, text)
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


# Share of control characters above which a file is binary data, not text.
_BINARY_CONTROL_SHARE = 0.05
_SAMPLE = 65_536  # characters looked at for control characters


def _check_is_text(text: str) -> None:
    if not text.strip():
        raise InputError("empty file" if not text else "file holds only whitespace")
    controls = len(_CONTROL.findall(text[:_SAMPLE]))
    if controls > _BINARY_CONTROL_SHARE * min(len(text), _SAMPLE):
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
    cleaned = [Line(number, clean_line(line)) for number, line in enumerate(text.split("\n"), 1)]
    kept, removed, facts = remove_site_text(cleaned, site_text or default_site_text())
    joined = join_wrapped_lines(kept, headings or default_table())
    return Normalized(tuple(tidy_lines(joined)), encoding, tuple(removed), facts.get("code_system"))


def normalize(data: bytes, *, site_text: SiteText | None = None, headings: HeadingTable | None = None) -> Normalized:
    """Raw bytes of one input file -> normalized lines."""
    text, encoding = decode(data)
    return normalize_text(text, encoding, site_text=site_text, headings=headings)
