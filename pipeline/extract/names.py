"""The name block: title, common names and technical term, in any of the forms pages write them.

Labelled lines (``Common Name(s): ...``, ``Technical Terms: ...``, as bullets
or not, or the one-line ``(Common names: ...; Medical term: ...)``), synonyms
written into the title line itself (``X, also known as Y.``, ``X. Commonly
known as Y.``, ``X (also called Y)``, ``X Common Names: Y Technical Terms: Z``)
or on a line of their own (``Commonly known as Y or Z.``). The title never
keeps the billing wording of the code's descriptor (``(List separately in
addition to code for primary procedure)``, ``; each additional ...``): that
stays in ``code.descriptor``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.config.headings import HeadingTable, strip_heading_markup
from pipeline.lines import BULLET, NAME_PARENTHESIS, is_list_item
from pipeline.model import Line


@dataclass
class Names:
    title: str | None = None
    title_line: Line | None = None
    also_known_as: list[str] = field(default_factory=list)
    technical_term: str | None = None
    leftover: list[Line] = field(default_factory=list)


def _take_name_field(label: str, value: str, names: Names, table: HeadingTable) -> bool:
    meaning = table.name_label(label)
    if meaning == "common_names":
        names.also_known_as += split_names(value)
    elif meaning == "technical_term":
        if names.technical_term and value.strip() != names.technical_term:
            return False  # a second, different term: kept as leftover text
        names.technical_term = value.strip() or None
    return meaning is not None


def name_fields(text: str, table: HeadingTable) -> list[tuple[str, str]]:
    """The (label, value) pairs of a name-field line: ``- Common Name(s): ...``,
    ``Technical Term: ...`` or ``(Common names: ...; Medical term: ...)``; else none."""
    parenthesis = NAME_PARENTHESIS.match(text) if text.startswith("(") else None
    if parenthesis:
        parts = [part.split(":", 1) for part in parenthesis["body"].split(";")]
        if all(len(part) == 2 and table.name_label(part[0]) for part in parts):
            return [(label, value) for label, value in parts]
    bullet = BULLET.match(text)
    label, colon, value = (bullet["text"] if bullet else text).partition(":")
    return [(label, value)] if colon and table.name_label(label) else []


# "also known as", "commonly referred to as", "also called": synonyms follow.
_SYNONYMS_INTRO = r"(?:(?:also|commonly|often|sometimes)\s+(?:known|referred\s+to|called)(?:\s+as)?|also\s+called|a\.?k\.?a\.?)"
_SYNONYMS_LINE = re.compile(rf"^{_SYNONYMS_INTRO}:?\s+(?P<names>.+?)\.?$", re.IGNORECASE)
_SYNONYMS_IN_TITLE = re.compile(
    rf"(?:,\s*|\.\s+|\s*\(\s*)(?P<intro>{_SYNONYMS_INTRO}):?\s+(?P<names>[^()]+?)\s*\)?\.?$", re.IGNORECASE
)
# The billing wording of add-on codes, which a leaflet's title has no use for.
# "(HCPCS Code: G0403)" at the end of a name line: the code, kept in code.descriptor, not the title.
CODE_TAG = re.compile(r"\((?:HCPCS|CPT-?4?)\s+code:?\s*[A-Z0-9]{4,6}\)", re.IGNORECASE)
_BILLING = re.compile(
    r"\s*\((?:list|report)(?:\s+separately)?\s+in\s+addition\s+to[^)]*\)\.?"
    r"|\s*[;,]\s*each\s+additional\b.*$"
    rf"|\s*{CODE_TAG.pattern}\.?",
    re.IGNORECASE,
)


def split_names(value: str) -> list[str]:
    """``a, b; c`` -> the names, each word kept (``a or b`` is one name here)."""
    if _one_name_with_shared_words(value):
        return [value.strip().rstrip(".")]
    return [name.strip() for name in re.split(r"\s*[;,]\s*(?:or\s+|and\s+)?", value) if name.strip()]


def split_synonyms(value: str) -> list[str]:
    """What follows "also known as": ``a, b, or c`` / ``"a" or b`` -> the names, without quotes."""
    if _one_name_with_shared_words(value):
        return [value.strip().rstrip(".").strip(_QUOTES)]
    parts = re.split(r"\s*[;,]\s*(?:or\s+|and\s+)?|\s+or\s+", value.strip().rstrip("."))
    return [part.strip(_QUOTES) for part in parts if part.strip(_QUOTES)]


_QUOTES = " \"'“”‘’"
_LINKING_WORDS = {"with", "of", "for", "using", "by", "via"}


def _one_name_with_shared_words(value: str) -> bool:
    """A series that names one thing, its words shared between the items: ``Colonoscopy or
    Sigmoidoscopy Anesthesia`` (single words, then the one they share: splitting would leave a
    bare "Colonoscopy"), ``Bladder Endoscopy with Fulguration, Cryosurgery, or Laser Surgery``
    (the items after the first complete its "with")."""
    if ";" in value:
        return False
    items = [item.strip() for item in re.split(r",\s*(?:or\s+|and\s+)?|\s+or\s+", value.strip().rstrip(".")) if item.strip()]
    if len(items) < 2:
        return False
    single_words_then_longer = all(len(item.split()) == 1 and not item.isupper() for item in items[:-1]) and len(items[-1].split()) > 1
    if single_words_then_longer and " or " in value and "," not in value:
        return True
    first_links = any(word.lower() in _LINKING_WORDS for word in items[0].split()[1:])
    rest_link = any(word.lower() in _LINKING_WORDS for item in items[1:] for word in item.split())
    ends_as_series = re.search(r",\s*(?:or|and)\s+\S+[^,]*$", value) is not None
    return first_links and not rest_link and ends_as_series


def without_billing_words(title: str) -> str:
    """The title without ``(List separately in addition to ...)``, ``; each additional ...``
    or a code tag; as it was if nothing else would be left."""
    bare = _BILLING.sub("", title).strip().rstrip(".,;").strip()
    return bare or title


def title_and_names(text: str, table: HeadingTable) -> tuple[str, list[str], str | None]:
    """A title line -> (title, common names, technical term) it holds."""
    common: list[str] = []
    term: str | None = None
    for label, value in reversed(_inline_name_fields(text, table)):  # "X Common Names: a, b Technical Terms: c"
        text = text[: text.rindex(f"{label}:")].rstrip(" .,;(")
        if table.name_label(label) == "common_names":
            common = split_names(value) + common
        else:
            term = value.strip().rstrip(".") or None
    synonyms = _SYNONYMS_IN_TITLE.search(text)
    if synonyms:
        common = split_synonyms(synonyms["names"]) + common
        text = text[: synonyms.start()]
    return without_billing_words(strip_heading_markup(text)), common, term


def _inline_name_fields(text: str, table: HeadingTable) -> list[tuple[str, str]]:
    """``Common Names: a, b`` and ``Technical Terms: c`` written inside a title line, in order:
    at each colon, the longest run of up to four words before it that is a name-block label."""
    found: list[tuple[str, int, int]] = []  # (label, where it starts, where its value starts)
    for colon in (index for index, char in enumerate(text) if char == ":"):
        words = text[:colon].split(" ")
        for count in range(min(4, len(words)), 0, -1):
            label = " ".join(words[-count:]).lstrip("(")
            if label and label[0].isupper() and table.name_label(label):
                found.append((label, colon - len(label), colon + 1))
                break
    return [
        (label, text[value_start : found[index + 1][1] if index + 1 < len(found) else len(text)].strip(" .,;)"))
        for index, (label, _, value_start) in enumerate(found)
    ]


def parse_name_block(lines: list[Line], table: HeadingTable) -> Names:
    names = Names()
    for line in lines:
        if not line.text:
            continue
        text = line.text
        if (synonyms := _SYNONYMS_LINE.match(text)) and not is_list_item(text):
            names.also_known_as += split_synonyms(synonyms["names"])
            continue
        fields = name_fields(text, table)
        # Every field is taken (a list, not a generator that all() would stop early); a line
        # with a field that could not be taken (a second, different term) is kept as text too.
        if fields and all([_take_name_field(label, value, names, table) for label, value in fields]):  # noqa: C419
            continue
        if names.title is None and not is_list_item(text):
            names.title, common, term = title_and_names(text, table)
            names.also_known_as += common
            names.technical_term = names.technical_term or term
            names.title_line = line
        else:
            names.leftover.append(line)
    return names


