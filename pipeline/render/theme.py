"""Branding and wording of the leaflets, as data: ``theme.yaml`` in the styles folders.

The built-in ``styles/theme.yaml`` holds every key. A ``theme.yaml`` in a
``--styles`` folder only needs the keys it changes; mappings are merged key by
key, anything else replaces the built-in value. The merged theme is checked
as a whole and every problem is reported at once ("expected X, got Y"),
including colour pairs whose contrast is below the WCAG AA ratio of 4.5:1.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any

import yaml

from pipeline.errors import ConfigError
from pipeline.hidden import hidden_character
from pipeline.model import CANONICAL_SECTIONS, CONTACT_FORMS, REVIEW_STATUSES, Contact
from pipeline.render.styles import StylesFolders, read_styles_file

THEME_FILENAME = "theme.yaml"
# What a leaflet prints under headings: its sections, where its information comes from (the
# leaflet's sources, when it has any), and who to contact (theme data or the leaflet's own).
PRINTED_SECTIONS = (*CANONICAL_SECTIONS, "sources", "contact")
CONTACT_FIELDS = tuple(field.name for field in dataclasses.fields(Contact))
REFERENCE_FIELDS = ("prefix", "id", "version")
MIN_CONTRAST = 4.5

# Colour roles; each (foreground, background) pair below must reach MIN_CONTRAST.
COLOUR_ROLES = (
    "text",
    "background",
    "muted",
    "accent",
    "on_accent",
    "link",
    "draft_text",
    "draft_background",
    "rule",
)
CONTRAST_PAIRS = (
    ("text", "background"),
    ("muted", "background"),
    ("accent", "background"),
    ("link", "background"),
    ("on_accent", "accent"),
    ("draft_text", "draft_background"),
    ("draft_text", "background"),
)

# Words the templates print; the section headings live under ``sections``.
LABEL_KEYS = (
    "also_known_as",
    "technical_term",
    "draft_mark",
    "draft_note",
    "changed_mark",
    "changed_note",
    "about",
    "status",
    "reviewed_on",
    "next_review_due",
    "not_set",
    "reference",
    "department",
    "phone",
    "hours",
    "website",
    "email",
    "published",
    "not_published",
    "version",
    "other_formats",
    "feedback",
    "overdue_mark",
    "overdue_note",
    "page",
    "of",
    "index_title",
    "index_intro",
    "web_page",
    "pdf",
    "no_leaflets",
    "review_dashboard",
    "contents",
    "this_leaflet",
    "download_pdf",
    "all_leaflets",
    "letter_edition",
    "large_print_edition",
)

_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")


@dataclass(frozen=True)
class Theme:
    language: str
    organisation: str
    logo: str | None
    contact: Contact  # every leaflet's, unless it has its own
    contact_fallback: str | None  # printed when no way to reach the team is known
    reference_prefix: str
    reference_format: str
    other_formats: str | None
    feedback: str | None
    footer_text: str | None
    urgent_help: str | None  # the general text printed when a leaflet has none of its own
    colours: Mapping[str, str]
    labels: Mapping[str, str]
    sections: Mapping[str, str]
    statuses: Mapping[str, str]
    months: tuple[str, ...]
    order: tuple[str, ...]  # the printed sections (canonical ones and "contact") in the order printed
    max_reading_grade: float  # sentences above this US school grade are warned about (check, review page)

    def heading(self, section: str) -> str:
        return self.sections[section]

    def reference(self, leaflet_id: str, version: int) -> str:
        """The leaflet's human reference, ``EXH-00811-v2`` with the default format."""
        return self.reference_format.format(prefix=self.reference_prefix, id=leaflet_id, version=version)

    def format_date(self, date: dt.date | None) -> str:
        """``5 March 2025``: day, month name from the theme, year; never locale-dependent."""
        if date is None:
            return self.labels["not_set"]
        return f"{date.day} {self.months[date.month - 1]} {date.year}"


# -- contrast ----------------------------------------------------------------


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of ``#rrggbb``."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# -- loading -----------------------------------------------------------------


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` on top of ``base``; nested mappings are merged, the rest replaced."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _parse_theme_file(path: Path, content: bytes) -> dict[str, Any]:
    try:
        data = yaml.safe_load(content.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise ConfigError(f"{where}: invalid YAML: {getattr(error, 'problem', error)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of theme keys, got {type(data).__name__}")
    return data


def load_theme(folders: Sequence[Path], asset_exists: Callable[[str], bool]) -> Theme:
    """Merge ``theme.yaml`` from ``folders`` (resolved; searched first to last, so the first wins).

    ``asset_exists`` tells whether a path relative to the styles folders names
    a file, to check the logo.
    """
    data: dict[str, Any] = {}
    sources = []
    for folder in folders:
        # Confined and size-limited: a link leading outside the folder, a pipe or a huge file is refused.
        if (content := read_styles_file(folder, THEME_FILENAME)) is not None:
            sources.append((folder / THEME_FILENAME, content))
    for path, content in reversed(sources):
        data = merge(data, _parse_theme_file(path, content))
    problems = theme_problems(data, asset_exists)
    if problems:
        names = ", ".join(str(path) for path, _ in sources) or THEME_FILENAME
        raise ConfigError(f"{names}: " + "; ".join(problems))
    return _theme_from_data(data)


# -- checking ----------------------------------------------------------------


def _describe(value: Any) -> str:
    return "nothing" if value is None else repr(value)


def _text(value: Any, optional: bool = False) -> str | None:
    """A problem description, or None when ``value`` is acceptable text."""
    if value is None and optional:
        return None
    if isinstance(value, str) and value.strip():
        return hidden_character(value)
    return f"expected {'text or null' if optional else 'text'}, got {_describe(value)}"


def _mapping_problems(
    data: Any, where: str, keys: Sequence[str], check: Callable[[Any], str | None]
) -> list[str]:
    if not isinstance(data, Mapping):
        return [f"{where}: expected a mapping with keys {', '.join(keys)}, got {_describe(data)}"]
    problems = [f"{where}.{key}: missing" for key in keys if key not in data]
    problems += [f"{where}.{key}: unknown key" for key in data if key not in keys]
    for key in keys:
        if key in data and (problem := check(data[key])):
            problems.append(f"{where}.{key}: {problem}")
    return problems


def _colour(value: Any) -> str | None:
    if isinstance(value, str) and _COLOUR.fullmatch(value):
        return None
    return f"expected a colour like #1b1b1b, got {_describe(value)}"


def _logo(value: Any, asset_exists: Callable[[str], bool]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        return f"expected a file name in the styles folders or null, got {_describe(value)}"
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts or "\\" in value:
        return f"expected a path inside the styles folders, got {value!r}"
    if not path.parts or path.parts[0] != "assets":
        return f"expected a file under assets/ so it is copied beside the pages, got {value!r}"
    if not asset_exists(value):
        return f"no file {value!r} in the styles folders"
    return None


def _reference_format(value: Any) -> str | None:
    """A format with ``{id}`` and only ``{prefix}``, ``{id}`` and ``{version}`` in braces."""
    if (problem := _text(value)) is not None:
        return problem
    expected = f"expected text with {{id}} and only {{prefix}}, {{id}}, {{version}} in braces, got {value!r}"
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(value) if name is not None]
    except ValueError:
        return expected
    if "id" not in [name for name, _, _ in fields] or any(
        name not in REFERENCE_FIELDS or spec or conversion for name, spec, conversion in fields
    ):
        return expected
    return None


def _contact_field(key: str) -> Callable[[Any], str | None]:
    """The check of one field of ``contact``: a phone, web address or e-mail address in the form it
    needs to be a link (CONTACT_FORMS), other fields text on one line."""
    def check(value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip() or "\n" in value:
            return f"expected text on one line or null, got {_describe(value)}"
        if key in CONTACT_FORMS and re.fullmatch(CONTACT_FORMS[key], value) is None:
            return f"expected {_CONTACT_FORM_NAMES[key]} or null, got {value!r}"
        return hidden_character(value)

    return check


_CONTACT_FORM_NAMES = {
    "phone": "a phone number (digits, spaces and + ( ) - only)",
    "website": "an https:// or http:// address",
    "email": "an e-mail address like team@example.org (no mailto:)",
}


TOP_LEVEL_KEYS = (
    "language",
    "organisation",
    "logo",
    "phone",
    "website",
    "contact",
    "contact_fallback",
    "reference_prefix",
    "reference_format",
    "other_formats",
    "feedback",
    "footer_text",
    "urgent_help",
    "colours",
    "labels",
    "sections",
    "statuses",
    "months",
    "order",
    "max_reading_grade",
)


def theme_problems(data: Mapping[str, Any], asset_exists: Callable[[str], bool]) -> list[str]:
    """Every problem with the merged theme data, each as ``key: expected X, got Y``."""
    problems = [f"{key}: missing" for key in TOP_LEVEL_KEYS if key not in data]
    problems += [f"{key}: unknown key" for key in data if key not in TOP_LEVEL_KEYS]

    language = data.get("language")
    if "language" in data and not (isinstance(language, str) and _LANGUAGE.fullmatch(language)):
        problems.append(f"language: expected a language tag such as en or en-GB, got {_describe(language)}")
    simple_checks: dict[str, Callable[[Any], str | None]] = {
        "organisation": _text,
        "logo": lambda value: _logo(value, asset_exists),
        "phone": _contact_field("phone"),  # the older names of contact.phone and contact.website
        "website": _contact_field("website"),
        "footer_text": lambda value: _text(value, optional=True),
        "urgent_help": lambda value: _text(value, optional=True),
        "contact_fallback": lambda value: _text(value, optional=True),
        "reference_prefix": _text,
        "reference_format": _reference_format,
        "other_formats": lambda value: _text(value, optional=True),
        "feedback": lambda value: _text(value, optional=True),
    }
    for key, check in simple_checks.items():
        if key in data and (problem := check(data[key])):
            problems.append(f"{key}: {problem}")

    if "colours" in data:
        colour_problems = _mapping_problems(data["colours"], "colours", COLOUR_ROLES, _colour)
        problems += colour_problems
        if not colour_problems:
            colours = data["colours"]
            for foreground, background in CONTRAST_PAIRS:
                ratio = contrast_ratio(colours[foreground], colours[background])
                if ratio < MIN_CONTRAST:
                    problems.append(
                        f"colours.{foreground} on colours.{background}: expected contrast of at least "
                        f"{MIN_CONTRAST}:1, got {ratio:.2f}:1"
                    )
    if "contact" in data:
        contact = data["contact"]
        if not isinstance(contact, Mapping):
            problems.append(f"contact: expected a mapping with keys {', '.join(CONTACT_FIELDS)}, got {_describe(contact)}")
        else:
            problems += [f"contact.{key}: unknown key" for key in contact if key not in CONTACT_FIELDS]
            problems += [f"contact.{key}: {problem}" for key in CONTACT_FIELDS
                         if key in contact and (problem := _contact_field(key)(contact[key]))]
    if "labels" in data:
        problems += _mapping_problems(data["labels"], "labels", LABEL_KEYS, _text)
    if "sections" in data:
        problems += _mapping_problems(data["sections"], "sections", PRINTED_SECTIONS, _text)
    if "statuses" in data:
        problems += _mapping_problems(data["statuses"], "statuses", REVIEW_STATUSES, _text)
    if "order" in data:
        order = data["order"]
        if not (isinstance(order, list) and sorted(map(str, order)) == sorted(PRINTED_SECTIONS) and len(order) == len(set(order))):
            problems.append(
                f"order: expected every section once ({', '.join(PRINTED_SECTIONS)}), got {_describe(order)}"
            )
    if "max_reading_grade" in data and (problem := reading_grade_problem(data["max_reading_grade"])):
        problems.append(f"max_reading_grade: {problem}")
    if "months" in data:
        months = data["months"]
        if not (isinstance(months, list) and len(months) == 12 and all(_text(m) is None for m in months)):
            problems.append(f"months: expected a list of 12 month names, got {_describe(months)}")
    return problems


def _theme_from_data(data: Mapping[str, Any]) -> Theme:
    return Theme(
        language=data["language"],
        organisation=data["organisation"].strip(),
        logo=data["logo"],
        contact=Contact(**{  # the older top-level phone and website fill in what contact leaves null
            key: data["contact"].get(key) or (data.get(key) if key in ("phone", "website") else None)
            for key in CONTACT_FIELDS
        }),
        contact_fallback=data["contact_fallback"],
        reference_prefix=data["reference_prefix"].strip(),
        reference_format=data["reference_format"],
        other_formats=data["other_formats"],
        feedback=data["feedback"],
        footer_text=data["footer_text"],
        urgent_help=data["urgent_help"],
        colours=MappingProxyType({key: data["colours"][key].lower() for key in COLOUR_ROLES}),
        labels=MappingProxyType({key: data["labels"][key] for key in LABEL_KEYS}),
        sections=MappingProxyType({key: data["sections"][key] for key in PRINTED_SECTIONS}),
        statuses=MappingProxyType({key: data["statuses"][key] for key in REVIEW_STATUSES}),
        months=tuple(data["months"]),
        order=tuple(data["order"]),
        max_reading_grade=float(data["max_reading_grade"]),
    )


MAX_READING_GRADE_RANGE = (1, 18)


def reading_grade_problem(value: Any) -> str | None:
    """What is wrong with a reading grade threshold (in the theme, or ``check --max-grade``), if anything."""
    low, high = MAX_READING_GRADE_RANGE
    if isinstance(value, (int, float)) and not isinstance(value, bool) and low <= value <= high:
        return None
    return f"expected a US school grade from {low} to {high} (6 is a reading age of about 11), got {_describe(value)}"


def theme_of(override: Path | None = None) -> Theme:
    """The theme of a ``--styles`` folder over the built-in one (or the built-in one alone)."""
    styles = StylesFolders(override)
    return load_theme(styles.folders, lambda relative: styles.find(relative) is not None)


@functools.cache
def builtin_theme() -> Theme:
    return theme_of(None)
