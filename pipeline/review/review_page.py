"""The review dashboard, ``OUTPUT/review.html``: where every leaflet stands.

One row per reviewed-or-not YAML file: title, review status and dates (an
overdue review said in words, not by colour alone), reading grade, the
number of problems ``leaflets check`` finds, links to the YAML, page and PDF,
and, when a fresh extraction was not allowed to overwrite the reviewer's
file, the line difference between the two.

The top of the module is pure (text and dates in, rows and HTML out); the
one function that reads ``OUTPUT/yaml`` and writes the page is at the bottom.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from markupsafe import Markup

from pipeline.errors import LeafletFileError, PipelineError
from pipeline.model import ERROR, REVIEW_STATUSES, WARNING
from pipeline.review.check import MAX_GRADE, check_document
from pipeline.run.output_folder import (
    HTML_DIR,
    MAX_STATE_BYTES,
    PDF_DIR,
    YAML_DIR,
    OutputFolder,
)
from pipeline.run.records import code_fingerprint, fingerprint
from pipeline.yamlio import check_yaml_nesting, parse_yaml

if TYPE_CHECKING:  # the renderer pulls in WeasyPrint; only its type is needed here
    from pipeline.render import Renderer

TEMPLATE = "review.html"
STYLESHEET = "review.css"
CONTEXT_LINES = 2  # unchanged lines shown around each change
MAX_DIFF_LINES = 400  # beyond this the proposed file itself is the better read


# -- rows ---------------------------------------------------------------------


@dataclass(frozen=True)
class LeafletFiles:
    """One leaflet's files, as links relative to the output folder; None when missing."""

    id: str
    yaml: str
    html: str | None = None
    pdf: str | None = None
    proposed: str | None = None


@dataclass(frozen=True)
class DiffLine:
    """One line of a proposed change: ``removed``, ``added``, ``unchanged``, or a ``hunk`` heading."""

    kind: str
    text: str


@dataclass(frozen=True)
class ProposedChange:
    """The reviewed YAML against the fresh extraction beside it."""

    lines: tuple[DiffLine, ...]
    removed: int
    added: int
    truncated: int = 0  # diff lines left out (see MAX_DIFF_LINES)


@dataclass(frozen=True)
class ReviewRow:
    """One leaflet as the dashboard shows it; fields a broken file lacks are None."""

    files: LeafletFiles
    title: str
    status: str | None
    reviewer: str | None
    reviewed_on: dt.date | None
    next_review_due: dt.date | None
    overdue: bool
    grade: float | None
    warnings: int
    errors: int
    first_error: str | None = None
    proposal: ProposedChange | None = None

    @property
    def hard_to_read(self) -> bool:
        return self.grade is not None and self.grade > MAX_GRADE


def review_row(yaml_text: str, proposed_text: str | None, today: dt.date, files: LeafletFiles) -> ReviewRow:
    """The dashboard row for one leaflet YAML (valid or not) and its proposed update, if any."""
    checked = check_document(yaml_text, today)
    problems = checked.problems
    errors = [problem for problem in problems if problem.severity == ERROR]
    warnings = sum(problem.severity == WARNING for problem in problems)
    proposal = proposed_change(yaml_text, proposed_text) if proposed_text is not None else None
    if errors:
        first = errors[0]
        return _row_from_broken(
            yaml_text, today, files, errors=len(errors), warnings=warnings, proposal=proposal,
            first_error=f"{first.place}: {first.message}",
        )
    leaflet = checked.leaflet
    assert leaflet is not None  # a document without errors
    review = leaflet.review
    return ReviewRow(
        files=files,
        title=leaflet.title,
        status=review.status,
        reviewer=review.reviewer or None,
        reviewed_on=review.reviewed_on,
        next_review_due=review.next_review_due,
        overdue=_overdue(review.next_review_due, today),
        grade=checked.grade,
        warnings=warnings,
        errors=0,
        proposal=proposal,
    )


def unreadable_row(files: LeafletFiles, reason: str) -> ReviewRow:
    """The row for a file that could not even be read as text."""
    return ReviewRow(
        files=files, title=files.id, status=None, reviewer=None, reviewed_on=None, next_review_due=None,
        overdue=False, grade=None, warnings=0, errors=1, first_error=reason,
    )


def _overdue(due: dt.date | None, today: dt.date) -> bool:
    return due is not None and due < today


def _row_from_broken(yaml_text: str, today: dt.date, files: LeafletFiles, **counts: Any) -> ReviewRow:
    """A row for a YAML that fails the check: whatever fields still make sense are shown."""
    try:
        data = parse_yaml(yaml_text)
    except LeafletFileError:
        data = None
    data = data if isinstance(data, dict) else {}
    review = data.get("review") if isinstance(data.get("review"), dict) else {}
    title = data.get("title")
    status = review.get("status")
    reviewer = review.get("reviewer")
    due = _as_date(review.get("next_review_due"))
    return ReviewRow(
        files=files,
        title=title.strip() if isinstance(title, str) and title.strip() else files.id,
        status=status if status in REVIEW_STATUSES else None,
        reviewer=reviewer if isinstance(reviewer, str) and reviewer else None,
        reviewed_on=_as_date(review.get("reviewed_on")),
        next_review_due=due,
        overdue=_overdue(due, today),
        grade=None,
        **counts,
    )


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


# -- the difference between the reviewed and the proposed YAML ------------------


def proposed_change(reviewed: str, proposed: str, context: int = CONTEXT_LINES) -> ProposedChange:
    """Changed lines with a little context, in hunks headed by where they are in each file."""
    old, new = reviewed.splitlines(), proposed.splitlines()
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    lines: list[DiffLine] = []
    removed = added = 0
    for group in matcher.get_grouped_opcodes(context):
        lines.append(DiffLine("hunk", _hunk_heading(group)))
        for tag, old_start, old_end, new_start, new_end in group:
            if tag == "equal":
                lines += [DiffLine("unchanged", text) for text in old[old_start:old_end]]
                continue
            lines += [DiffLine("removed", text) for text in old[old_start:old_end]]
            lines += [DiffLine("added", text) for text in new[new_start:new_end]]
            removed += old_end - old_start
            added += new_end - new_start
    shown = lines[:MAX_DIFF_LINES]
    return ProposedChange(tuple(shown), removed=removed, added=added, truncated=len(lines) - len(shown))


def _hunk_heading(group: Sequence[tuple[str, int, int, int, int]]) -> str:
    """``@@ -10,5 +10,6 @@`` said in words, with 1-based line numbers."""
    old_start, old_end = group[0][1], group[-1][2]
    new_start, new_end = group[0][3], group[-1][4]
    return f"Reviewed YAML {_line_range(old_start, old_end)}, proposed YAML {_line_range(new_start, new_end)}"


def _line_range(start: int, end: int) -> str:
    if end - start <= 0:
        return f"after line {start}" if start else "at the start"
    if end - start == 1:
        return f"line {start + 1}"
    return f"lines {start + 1}-{end}"


# -- rows remembered between runs ------------------------------------------------
# Checking a leaflet for its row takes milliseconds (parse, schema, lints, reading
# grade); with thousands of leaflets, a run that changed one of them would spend
# seconds checking the others again. A row is kept with a key over everything it
# was made from, and made again only when the key changes.

# The code a row is made by: a change to any of it makes every row again.


def row_key(yaml_text: str, proposed_text: str | None, today: dt.date) -> str:
    """What a row depends on (its files' links are worked out afresh each time)."""
    proposed = ["proposed", proposed_text] if proposed_text is not None else ["none"]
    return fingerprint([code_fingerprint(), today.isoformat(), yaml_text, *proposed])


def row_to_data(row: ReviewRow) -> dict[str, Any]:
    proposal = row.proposal
    return {
        "title": row.title,
        "status": row.status,
        "reviewer": row.reviewer,
        "reviewed_on": _iso(row.reviewed_on),
        "next_review_due": _iso(row.next_review_due),
        "overdue": row.overdue,
        "grade": row.grade,
        "warnings": row.warnings,
        "errors": row.errors,
        "first_error": row.first_error,
        "proposal": None if proposal is None else {
            "lines": [[line.kind, line.text] for line in proposal.lines],
            "removed": proposal.removed,
            "added": proposal.added,
            "truncated": proposal.truncated,
        },
    }


def row_from_data(data: dict[str, Any], files: LeafletFiles) -> ReviewRow:
    """The row :func:`row_to_data` gave; malformed data raises (KeyError, TypeError, ValueError)."""
    proposal = data["proposal"]
    return ReviewRow(
        files=files,
        title=str(data["title"]),
        status=data["status"],
        reviewer=data["reviewer"],
        reviewed_on=_date(data["reviewed_on"]),
        next_review_due=_date(data["next_review_due"]),
        overdue=bool(data["overdue"]),
        grade=None if data["grade"] is None else float(data["grade"]),
        warnings=int(data["warnings"]),
        errors=int(data["errors"]),
        first_error=data["first_error"],
        proposal=None if proposal is None else ProposedChange(
            lines=tuple(DiffLine(str(kind), str(text)) for kind, text in proposal["lines"]),
            removed=int(proposal["removed"]),
            added=int(proposal["added"]),
            truncated=int(proposal["truncated"]),
        ),
    )


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _date(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


# -- the page -----------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """The counts above the table."""

    leaflets: int
    statuses: tuple[tuple[str, int], ...]
    overdue: int
    invalid: int
    proposed: int
    with_warnings: int


def summarize(rows: Sequence[ReviewRow]) -> Summary:
    return Summary(
        leaflets=len(rows),
        statuses=tuple((status, sum(row.status == status for row in rows)) for status in REVIEW_STATUSES),
        overdue=sum(row.overdue for row in rows),
        invalid=sum(row.errors > 0 for row in rows),
        proposed=sum(row.proposal is not None for row in rows),
        with_warnings=sum(row.warnings > 0 for row in rows),
    )


def render_review_page(rows: Sequence[ReviewRow], renderer: Renderer, today: dt.date) -> str:
    """``review.html`` for an output folder; leaflet text is escaped like everywhere else."""
    return "".join(review_page_chunks(rows, renderer, today))


def review_page_chunks(rows: Sequence[ReviewRow], renderer: Renderer, today: dt.date) -> Iterator[str]:
    """:func:`render_review_page` piece by piece: with thousands of rows the page runs to
    megabytes, which need not be held in memory (twice, joined and encoded) to be written."""
    ordered = sorted(rows, key=lambda row: (row.title.casefold(), row.files.id))
    css = Markup(renderer.stylesheet(f"{HTML_DIR}/")) + Markup("\n") + Markup(renderer.render_page(STYLESHEET))
    return renderer.page_chunks(
        TEMPLATE,
        rows=ordered,
        summary=summarize(ordered),
        today=today,
        max_grade=MAX_GRADE,
        css=css,
        asset_root=f"{HTML_DIR}/",
    )


def link(folder: str, name: str) -> str:
    """A link from the output folder to ``folder/name``, safe for any file name."""
    return f"{folder}/{quote(name)}"


# -- I/O: read OUTPUT/yaml, write OUTPUT/review.html -----------------------------


def _read_text(folder: OutputFolder, path: Path) -> str | None:
    """A YAML file's text, None when missing; :class:`PipelineError` says why one cannot be read."""
    data = folder.read_yaml(path)
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PipelineError(f"not UTF-8 text: {error.reason} at byte {error.start}") from None


def _read_row_cache(folder: OutputFolder) -> dict[str, Any]:
    """doc id -> {"key": ..., "row": ...}; a missing, damaged or refused file is an empty cache."""
    try:
        cache = json.loads(folder.read_or_none(folder.review_rows, MAX_STATE_BYTES) or b"")
    except ValueError:
        return {}
    return cache if isinstance(cache, dict) else {}


def _remembered_row(entry: Any, key: str, files: LeafletFiles) -> ReviewRow | None:
    if not isinstance(entry, dict) or entry.get("key") != key or not isinstance(entry.get("row"), dict):
        return None
    try:
        return row_from_data(entry["row"], files)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None  # damaged: the row is made again


def leaflet_files(folder: OutputFolder, path: Path) -> LeafletFiles:
    """Links from the review page to one leaflet's files (those that exist)."""
    doc_id = OutputFolder.yaml_id(path)
    html, pdf, proposed = folder.html(doc_id), folder.pdf(doc_id), folder.proposed(doc_id)
    return LeafletFiles(
        id=doc_id,
        yaml=link(YAML_DIR, path.name),
        html=link(HTML_DIR, html.name) if html.is_file() else None,
        pdf=link(PDF_DIR, pdf.name) if pdf.is_file() else None,
        proposed=link(YAML_DIR, proposed.name) if os.path.lexists(proposed) else None,
    )


def write_review_page(folder: OutputFolder, renderer: Renderer, today: dt.date) -> Path:
    """Write ``review.html`` for every ``yaml/<id>.yaml`` of ``folder``; returns its path.

    Rows whose YAML, proposed YAML, date and code are as last time come from
    ``.leaflets/review-rows.json``; the others are checked again."""
    remembered = _read_row_cache(folder)
    cache: dict[str, Any] = {}
    rows = []
    for path in folder.reviewed_yaml():
        files = leaflet_files(folder, path)
        try:
            text = _read_text(folder, path)
        except PipelineError as error:
            rows.append(unreadable_row(files, str(error)))
            continue
        if text is None:
            continue  # removed meanwhile
        try:
            proposed_text = _read_text(folder, folder.proposed(files.id))
        except PipelineError:
            proposed_text = None  # still linked from the row; the reviewer opens it to see why
        key = row_key(text, proposed_text, today)
        row = _remembered_row(remembered.get(files.id), key, files) or _new_row(text, proposed_text, today, files)
        cache[files.id] = {"key": key, "row": row_to_data(row)}
        rows.append(row)
    folder.write(folder.review_page, review_page_chunks(rows, renderer, today))
    folder.write(folder.review_rows, json.dumps(cache, separators=(",", ":")) + "\n")
    return folder.review_page


def _new_row(text: str, proposed_text: str | None, today: dt.date, files: LeafletFiles) -> ReviewRow:
    try:
        check_yaml_nesting(text)  # parsed in this process: absurd nesting would crash it (C stack)
    except LeafletFileError as error:
        return unreadable_row(files, f"{error.diagnostic().place}: {error}")
    return review_row(text, proposed_text, today, files)
