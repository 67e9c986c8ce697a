"""Stage 1, normalize: raw bytes -> clean lines of Unicode text.

It decides what is text and in which encoding, which characters a leaflet
keeps (one line break, one kind of space, ``- `` for every bullet mark,
``1.`` for every number mark), which lines are the website's rather than the
procedure's, and which physical lines are one hard-wrapped paragraph.

The work is two ordered lists of small named rules, ``TEXT_RULES`` on the
whole text and then ``LINE_RULES`` on each line, then two steps that need
data: site text is removed (and every removed line recorded) and hard-wrapped
paragraphs and list items are joined (:func:`pipeline.lines.join_wrapped_lines`).
Each line remembers the source line it came from.
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
from .lines import Line, join_wrapped_lines
from .model import RemovedLine

# -- decoding ----------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)


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


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Share of control characters above which a file is binary data, not text.
_BINARY_CONTROL_SHARE = 0.05
_SAMPLE = 65_536  # characters looked at for control characters


def _check_is_text(text: str) -> None:
    if not text.strip():
        raise InputError("empty file" if not text else "file holds only whitespace")
    controls = len(_CONTROL.findall(text[:_SAMPLE]))
    if controls > _BINARY_CONTROL_SHARE * min(len(text), _SAMPLE):
        raise InputError("binary data, not text")


# -- whole-text rules --------------------------------------------------------

# A character reference with its semicolon: "&amp;", "&#8217;", "&#x2019;".
_HTML_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Lead bytes of UTF-8 read as Windows-1252 or Latin-1, the mojibake scraped pages have.
# Only text with one of them goes to ftfy, which would also recode other kinds (UTF-8
# read as Windows-1251) that this rule has always left alone.
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
_BOLD_LABEL = re.compile(r"(?P<lead>\s*(?:- |\d{1,3}\. )?)(\*\*|__)(?P<label>[^*_:]{1,48}?)(?::\2|\2:)(?=\s|$)")


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
    bold = _BOLD_LABEL.match(line)
    return f"{bold['lead']}{bold['label']}:{line[bold.end():]}" if bold else line


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
    """Drop site lines (and all after one whose rule says ``drop_rest``), leaving a blank
    in their place so paragraphs stay apart; returns the lines kept and removed, and the
    facts the rules' named groups found (``code_system``)."""
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


# -- the stage ---------------------------------------------------------------


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


@dataclass(frozen=True)
class Normalized:
    lines: tuple[Line, ...]
    encoding: str
    removed: tuple[RemovedLine, ...]
    code_system: str | None

    @property
    def text(self) -> str:
        return "".join(f"{line.text}\n" for line in self.lines)


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
