"""The character and line rules of normalize, each a small named function, in order.

``TEXT_RULES`` work on the whole text (character references, mojibake,
Unicode form, line endings, invisible characters, odd spaces); ``LINE_RULES``
on each line (trailing and inner spaces, bullet marks to ``- ``, number marks
to ``1.``, bold labels). Each rule can be tested alone.
"""

from __future__ import annotations

import html
import html.entities
import re
import unicodedata
from collections.abc import Callable

import ftfy

from pipeline.hidden import CONTROL as CONTROL_CHARACTERS
from pipeline.hidden import TEXT_DIRECTION

# A character reference with its semicolon: "&amp;", "&#8217;", "&#x2019;".
_HTML_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Lead bytes of UTF-8 read as Windows-1252 or Latin-1, the mojibake scraped pages have.
# Only text with one of them goes to ftfy, which would also recode other kinds (UTF-8
# read as Windows-1251) that this rule has always left alone.
_MOJIBAKE_LEAD = re.compile("[\u00c2-\u00f4]")
_LINE_BREAK = re.compile("\r\n|[\r\u2028\u2029\x85\x0b\x0c]")
# U+FFFE and U+FFFF are not characters (a byte-swapped BOM, a sentinel): never text,
# and YAML can only write them as escapes a reviewer would read as "\uFFFE".
# Text-direction characters (pipeline.hidden) too: in a page of English they only ever turn
# words around on the page, and a leaflet YAML holding one is refused.
_INVISIBLE = re.compile(f"[\u00ad\u200b-\u200d\u2060\ufeff\ufffe\uffff{TEXT_DIRECTION}]")
# Control characters other than tab and line breaks: never text (and a mark of binary data).
CONTROL = re.compile(f"[{CONTROL_CHARACTERS}]")
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
    return CONTROL.sub("", _INVISIBLE.sub("", text))


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
