"""``leaflets check``: every problem in a reviewer's YAML, each with line and column.

Schema problems are errors, said as "expected X, got Y"; the content lints
(:mod:`pipeline.review.lints`) are warnings. Pure: text and today's date in,
problems out; the ``leaflets check`` command that reads the files is at the end.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from pipeline.config.site_text import SiteText, default_site_text
from pipeline.errors import ConfigError, LeafletFileError, PipelineError
from pipeline.model import ERROR, Diagnostic, Leaflet
from pipeline.render.theme import builtin_theme
from pipeline.review.approval import APPROVED, CHANGED, LogEntry, observe
from pipeline.review.lints import lint, patient_texts
from pipeline.review.readability import grade_level, leaflet_text
from pipeline.review.sentences import Reading, reading, sentences_of
from pipeline.run.files import display_path
from pipeline.run.output_folder import PROPOSED_SUFFIX, OutputFolder, collect_yaml
from pipeline.run.review_log import read_histories
from pipeline.yamlio import (
    compose_yaml,
    construct,
    decode_yaml,
    leaflet_from_data,
    schema_errors,
)

Path_ = tuple[Any, ...]


# -- where things are in the file ----------------------------------------------


class Positions:
    """Line and column of every value (and mapping key) in a YAML node tree; given the ``text``
    it was parsed from, also of a place inside a text value (:meth:`within`)."""

    def __init__(self, root: yaml.Node | None, text: str | None = None):
        self.text = text
        self.values: dict[Path_, yaml.Node] = {}
        self.keys: dict[Path_, yaml.Node] = {}
        self.duplicates: list[tuple[Path_, yaml.Node]] = []
        if root is not None:
            self._walk(root, ())

    def _walk(self, node: yaml.Node, path: Path_) -> None:
        self.values[path] = node
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.start_mark)
                child = (*path, key)
                if child in self.keys:
                    self.duplicates.append((child, key_node))
                self.keys[child] = key_node
                self._walk(value_node, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._walk(item, (*path, index))

    def at(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """Position of the value at ``path`` (or of its key), else of the nearest parent."""
        for length in range(len(path), -1, -1):
            prefix = tuple(path[:length])
            node = self.keys.get(prefix) if key and length == len(path) else self.values.get(prefix)
            if node is not None:
                return node.start_mark.line + 1, node.start_mark.column + 1
        return 1, 1

    def within(self, path: Path_, offset: int) -> tuple[int, int]:
        """Position of the character at ``offset`` in the text value at ``path``: where the
        words are, however the value is written (over several lines, quoted, a block scalar).
        Else the position of the value itself."""
        node = self.values.get(path)
        if self.text is None or not isinstance(node, yaml.ScalarNode) or not isinstance(node.value, str):
            return self.at(path)
        return place_in_scalar(self.text, node, offset) or self.at(path)


def place_in_scalar(text: str, node: yaml.ScalarNode, offset: int) -> tuple[int, int] | None:
    """1-based line and column in ``text`` of the character at ``offset`` of ``node``'s value.

    The value's words stand in the source in the same order, only the space between them
    differs (a line folded into a space, quotes, indentation), so each word up to the one
    wanted is found in turn after the one before. A word written differently in the source
    (an escape in double quotes) is passed over. None when the source is not what the node
    was parsed from."""
    start, end = node.start_mark, node.end_mark
    if end.index > len(text) or text.count("\n", 0, start.index) != start.line:
        return None
    source = text[start.index : end.index]
    cursor, found = 0, None
    for word in re.finditer(r"\S+", node.value):
        if word.start() > offset:
            break
        at = source.find(word.group(), cursor)
        if at >= 0:
            cursor = at + len(word.group())
            found = at + min(offset - word.start(), len(word.group()) - 1)
    if found is None:
        return None
    line_start = source.rfind("\n", 0, found) + 1
    line = start.line + source.count("\n", 0, found)
    column = found - line_start if line_start else start.column + found
    return line + 1, column + 1


# -- schema errors, said plainly -------------------------------------------------

_JSON_TYPES = {"string": "text", "array": "a list", "object": "a mapping", "integer": "a whole number",
               "null": "nothing (null)", "boolean": "true/false", "number": "a number"}


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else "text"
    return repr(value)


def _expected_type(expected: str | list[str]) -> str:
    names = [expected] if isinstance(expected, str) else expected
    return " or ".join(_JSON_TYPES.get(name, name) for name in names)


def _explain(error: jsonschema.ValidationError) -> tuple[str, Path_, bool]:
    """(message, path of the offending value, whether to point at its key)."""
    validator, value = error.validator, error.instance
    path = tuple(error.absolute_path)
    if validator in ("oneOf", "anyOf"):
        return _explain_alternatives(error)
    if validator == "additionalProperties":
        extra = sorted(set(value) - set(error.schema.get("properties", {})))
        message = f"unknown key {extra[0]!r}" if len(extra) == 1 else f"unknown keys {', '.join(map(repr, extra))}"
        return message, (*path, extra[0]), True
    if validator == "required":
        return f"missing key {error.message.split(' is a required')[0]}", path, False
    if validator == "type":
        return f"expected {_expected_type(error.validator_value)}, got {_kind(value)}", path, False
    if validator == "enum":
        options = ", ".join(str(option) for option in error.validator_value)
        return f"expected one of {options}, got {_kind(value)}", path, False
    if validator == "const":
        return f"expected {error.validator_value!r}, got {_kind(value)}", path, False
    if validator == "minLength":
        return f"expected non-empty text, got {_kind(value)}", path, False
    if validator == "minItems":
        return "expected at least one item, got an empty list", path, False
    if validator in ("pattern", "format"):
        return f"expected {_pattern_name(error)}, got {_kind(value)}", path, False
    return error.message, path, False


def _pattern_name(error: jsonschema.ValidationError) -> str:
    if error.validator == "format" or "\\d{4}" in str(error.validator_value):
        return "a date as YYYY-MM-DD"
    if "64" in str(error.validator_value):
        return "a SHA-256 hex digest (64 characters 0-9a-f)"
    described = error.schema.get("description") if isinstance(error.schema, dict) else None
    if described:  # the schema says in words what the field takes
        return described[:1].lower() + described[1:].rstrip(".")
    return f"text matching {error.validator_value}"


def _explain_alternatives(error: jsonschema.ValidationError) -> tuple[str, Path_, bool]:
    """oneOf/anyOf: say what the value was meant to be, or go to the deeper problem."""
    value, path = error.instance, tuple(error.absolute_path)
    subs = list(error.context)
    if any(sub.validator in ("pattern", "format") for sub in subs):
        return f"expected {_pattern_name(next(s for s in subs if s.validator in ('pattern', 'format')))} "\
            f"or null, got {_kind(value)}", path, False
    deeper = [sub for sub in subs if _depth(sub) > len(error.absolute_path)]
    if deeper:
        return _explain(max(deeper, key=_depth))
    if isinstance(value, dict) and "text" in value and set(value) - {"label", "text", "items"}:
        return "an item takes only 'label', 'text' and 'items'", path, False
    if isinstance(value, dict) and "label" in value and "text" not in value:
        return "a labelled item needs both 'label' and 'text'", path, False
    if isinstance(value, dict) and "text" in value:
        return "an item with 'text' needs a 'label' or its 'items'", path, False
    if isinstance(value, dict) and len(value) == 1 and set(value) <= {"paragraph", "bullets", "steps"}:
        (kind, inner), = value.items()
        wanted = "non-empty text" if kind == "paragraph" else "a non-empty list"
        return f"{kind}: expected {wanted}, got {_kind(inner)}", path, False
    if isinstance(value, dict) and "heading" in value:
        return "a sub-headed group takes a non-empty 'heading' and its 'content' (a list of blocks)", path, False
    if _in_a_list_of_items(path) and isinstance(value, dict) and len(value) == 1:
        (key, rest), = value.items()
        return (
            "a colon followed by a space inside a list entry reads as 'key: value'; put the whole entry in "
            f"double quotes: - {json.dumps(f'{key}: {rest}', ensure_ascii=False)}",
            path, False,
        )
    if isinstance(value, dict):
        keys = ", ".join(map(str, value)) or "none"
        return f"expected one block key (paragraph, bullets, steps, or heading with content), got {keys}", path, False
    return f"expected text, a labelled item or a block, got {_kind(value)}", path, False


def _in_a_list_of_items(path: Path_) -> bool:
    """``.../bullets/3`` or ``.../steps/0`` or ``.../items/1``: an entry of a list of items."""
    return len(path) >= 2 and path[-2] in ("bullets", "steps", "items") and isinstance(path[-1], int)


def _depth(error: jsonschema.ValidationError) -> int:
    """How deep into the document an error reaches; for a oneOf/anyOf, its deepest alternative's error
    (a group is a block of blocks, so the alternatives nest)."""
    if error.validator in ("oneOf", "anyOf") and error.context:
        return max(_depth(sub) for sub in error.context)
    return len(error.absolute_path)


def schema_problems(data: Any, positions: Positions) -> list[Diagnostic]:
    problems = []
    for error in schema_errors(data):
        message, path, at_key = _explain(error)
        line, column = positions.at(path, key=at_key)
        where = "/".join(str(part) for part in (path[:-1] if at_key else path))
        problems.append(Diagnostic(f"{where}: {message}" if where else message, line, column, ERROR))
    return problems


# -- the check -------------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    """What checking one YAML document found: its problems, sorted by position, and
    for a document without errors the leaflet it holds and how it reads (its grade, its
    hardest sentences with their line and column)."""

    problems: list[Diagnostic]
    leaflet: Leaflet | None = None
    reading: Reading | None = None

    @property
    def grade(self) -> float | None:
        return self.reading.grade if self.reading else None


def check_text(
    text: str, today: dt.date, site_text: SiteText | None = None, history: tuple[LogEntry, ...] = (),
    max_grade: float | None = None,
) -> list[Diagnostic]:
    """All problems of one YAML document, sorted by position."""
    return check_document(text, today, site_text, history, max_grade).problems


CHANGED_SINCE_APPROVAL = "changed since its approval"


def approval_problem(leaflet: Leaflet, history: tuple[LogEntry, ...], positions: Positions) -> Diagnostic | None:
    """An approved leaflet whose content changed since its approval, said at its review status."""
    if leaflet.review.status != APPROVED or not history:
        return None
    standing, _ = observe(leaflet, list(history), dt.datetime.now(dt.timezone.utc))
    if standing != CHANGED:
        return None
    approval = next(entry for entry in reversed(history) if entry.event == APPROVED)
    return Diagnostic(
        f"{CHANGED_SINCE_APPROVAL} by {approval.reviewer or 'an unnamed reviewer'} on {approval.reviewed_on or 'an unknown date'}: "
        "it is printed as not approved and --approved-only leaves it out; approve it again "
        "(a new reviewed_on date; on the same day, another status and back) once a reviewer has checked the change",
        *positions.at(("review", "status")),
    )


def check_document(
    text: str, today: dt.date, site_text: SiteText | None = None, history: tuple[LogEntry, ...] = (),
    max_grade: float | None = None,
) -> Checked:
    """:func:`check_text`, keeping the leaflet it read (a caller need not parse it again).

    ``max_grade``: the reading grade sentences are warned above (default: the built-in theme's)."""
    try:
        root = compose_yaml(text)
        positions = Positions(root, text)
        data = construct(root)
    except LeafletFileError as error:
        return Checked([Diagnostic(str(error), error.line or 1, error.column or 1, ERROR)])
    problems = [
        Diagnostic(f"duplicate key {path[-1]!r}", node.start_mark.line + 1, node.start_mark.column + 1, ERROR)
        for path, node in positions.duplicates
    ]
    if not isinstance(data, dict):
        return Checked([*problems, Diagnostic(f"expected a leaflet mapping, got {_kind(data)}", 1, 1, ERROR)])
    problems += schema_problems(data, positions)
    if problems:
        return Checked(sorted(problems, key=Diagnostic.sort_key))
    leaflet = leaflet_from_data(data)
    max_grade = builtin_theme().max_reading_grade if max_grade is None else max_grade
    sentences = sentences_of(patient_texts(leaflet))
    how_it_reads = reading(sentences, grade_level(leaflet_text(leaflet)), max_grade).placed(positions.within)
    problems += lint(leaflet, positions, today, site_text or default_site_text(), how_it_reads)
    if problem := approval_problem(leaflet, history, positions):
        problems.append(problem)
    return Checked(sorted(problems, key=Diagnostic.sort_key), leaflet, how_it_reads)


# -- the command: leaflets check ----------------------------------------------------


def check_file(
    folder: OutputFolder, path: Path, text: str, today: dt.date, history: tuple[LogEntry, ...] = (),
    max_grade: float | None = None,
) -> Checked:
    """What ``leaflets check`` reports for the YAML file ``path`` holding ``text`` (the preview
    shows the same): :func:`check_document`, and a proposed update waiting beside it."""
    checked = check_document(text, today, history=history, max_grade=max_grade)
    doc_id = OutputFolder.yaml_id(path)
    if path.name.endswith(PROPOSED_SUFFIX) or not os.path.lexists(folder.proposed(doc_id)):
        return checked
    waiting = Diagnostic(
        f"a proposed update is waiting in {folder.proposed(doc_id).name}: "
        f"leaflets accept {doc_id} takes its changes, leaflets dismiss {doc_id} sets it aside",
    )
    return Checked([*checked.problems, waiting], checked.leaflet, checked.grade)


@dataclass
class CheckReport:
    files: int = 0
    errors: int = 0
    warnings: int = 0
    lines: list[str] = field(default_factory=list)


def run_check(
    yaml_paths: list[Path], output: Path, today: dt.date, print_line: Callable[[str], None],
    max_grade: float | None = None,
) -> CheckReport:
    """``leaflets check``: every problem of every YAML file, one ``file:line:col`` line each;
    ``max_grade`` as for :func:`check_document`."""
    report = CheckReport()
    if not yaml_paths:
        default = OutputFolder(output).yaml_dir
        if not default.is_dir():
            raise ConfigError(f"{display_path(default)}: no such folder; name YAML files to check")
        yaml_paths = [default]
    folder = OutputFolder(output)
    histories, notes = read_histories(folder)
    for note in notes:
        print_line(note)
    collected = collect_yaml(yaml_paths)
    for path in collected:
        report.files += 1
        shown = display_path(path)
        try:
            if path in collected.refused:
                raise PipelineError(collected.refused[path])
            history = tuple(histories.get(OutputFolder.yaml_id(path), ()))
            problems = check_file(
                folder, path, decode_yaml(folder.read_named_yaml(path)), today, history, max_grade
            ).problems
        except LeafletFileError as error:
            report.errors += 1
            print_line(error.diagnostic().format(shown))
            continue
        except PipelineError as error:
            report.errors += 1
            print_line(f"{shown}: error: {error}")
            continue
        for problem in problems:
            if problem.severity == ERROR:
                report.errors += 1
            else:
                report.warnings += 1
            print_line(problem.format(shown))
    return report
