"""The "nothing is lost" check: every word of content in the input is in the YAML.

Words are counted, so a repeated sentence that vanished once is caught too.
Only heading words (a line, or a ``Heading:`` prefix, that the synonym table
maps to a section or the name block), name-block labels and list markers are
not content: they become YAML keys and structure.
"""

from __future__ import annotations

import html
import html.entities
import re
import unicodedata
from collections import Counter

from pipeline.config.headings import HeadingTable, default_table

_WORD = re.compile(r"[^\W_]+")
_MARKER = re.compile(
    r"^\s*(?:[-*+–—·−‒»→⇒•●○◦▪■□‣⁃➢➤►▸◆◇♦❖▶▷✓✔\uf0b7\uf0a7\uf076\uf0d8\uf0fc]+|\(?\d{1,3}[.)]"
    r"|[Ss][Tt][Ee][Pp]\s+\d{1,3}\s*[.:)\-–—]|\(?[a-z]\))\s*"
)
_LINE_BREAK = re.compile(r"\r\n|[\r\n\u2028\u2029\x85\x0b\x0c]")
# An HTML character reference ("&amp;", "&#8217;") stands for a character, not for a word.
_REFERENCE = re.compile(r"&(?:#\d{1,7}|#[xX][\da-fA-F]{1,6}|[A-Za-z][A-Za-z\d]{1,31});")


def characters(text: str) -> str:
    def character(reference: re.Match[str]) -> str:
        name = reference[0][1:]
        return html.unescape(reference[0]) if name.startswith("#") else html.entities.html5.get(name, reference[0])

    return _REFERENCE.sub(character, text)


def words(text: str) -> Counter[str]:
    return Counter(word.casefold() for word in _WORD.findall(unicodedata.normalize("NFC", text)))


def _label_free(line: str, table: HeadingTable) -> str:
    """Drops name-block labels such as ``Common Name(s):`` or ``Medical term:``, wherever
    they stand in the line (a title line may hold them): up to four words before a colon."""
    def drop(match: re.Match[str]) -> str:
        words = match.group(1).split(" ")
        for count in range(min(4, len(words)), 0, -1):
            if table.name_label(" ".join(words[-count:]).lstrip("(")):
                return " ".join(words[:-count]) + match.group(2)
        return match.group(0)

    return re.sub(r"([^:;]{1,200}):(\s|$)", drop, line)


def without_list_marks(text: str) -> str:
    """Each line without its bullet or number ("Step 2:", "(b)"), which become structure."""
    return "\n".join(_MARKER.sub("", line) for line in _LINE_BREAK.split(text))


# "also known as a or b": the phrase says the names that follow are synonyms, and
# the words joining them become the list; neither is content of its own.
_SYNONYMS = re.compile(
    r"\b(?:(?:also|commonly|often|sometimes)\s+(?:known|referred\s+to|called)(?:\s+as)?|also\s+called|a\.?k\.?a\.?)\b(?P<names>.*)",
    re.IGNORECASE,
)


def _synonym_free(line: str) -> str:
    found = _SYNONYMS.search(line)
    if not found:
        return line
    return line[: found.start()] + re.sub(r"\b(?:or|and)\b", " ", found["names"], flags=re.IGNORECASE)


def content_words(text: str, table: HeadingTable | None = None) -> Counter[str]:
    table = table or default_table()
    counts: Counter[str] = Counter()
    for raw in _LINE_BREAK.split(characters(text)):
        line = _MARKER.sub("", raw.strip())
        if not line or table.match(line) is not None:
            continue
        head, colon, rest = line.partition(":")
        if colon and len(head) <= 60 and table.match(head, loose=False) is not None:
            line = rest
        counts += words(_synonym_free(_label_free(line, table)))
    return counts


def missing_words(input_text: str, yaml_text: str, table: HeadingTable | None = None) -> Counter[str]:
    """Content words of the input that the YAML holds fewer times than the input."""
    return content_words(input_text, table) - words(yaml_text)
