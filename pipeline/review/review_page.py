"""The review dashboard, ``OUTPUT/review.html``: where every leaflet stands.

One row per reviewed-or-not YAML file (:mod:`pipeline.review.rows`): title,
review status and dates (an overdue review said in words, not by colour
alone), reading grade and the hardest sentences (each linked to its section on the
leaflet's page), the number of problems ``leaflets check`` finds, links to the YAML,
page and PDF, and the difference to a proposed re-extraction.

The page itself is pure (rows in, HTML out); the one function that reads
``OUTPUT/yaml`` and writes the page is at the bottom.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from markupsafe import Markup

from pipeline.errors import LeafletFileError, PipelineError
from pipeline.model import REVIEW_STATUSES
from pipeline.review.approval import LogEntry
from pipeline.review.rows import (
    LeafletFiles,
    ReviewRow,
    review_row,
    row_from_data,
    row_key,
    row_to_data,
    unreadable_row,
)
from pipeline.run.output_folder import (
    HTML_DIR,
    MAX_STATE_BYTES,
    PDF_DIR,
    YAML_DIR,
    OutputFolder,
)
from pipeline.run.review_log import read_histories
from pipeline.yamlio import check_yaml_nesting

if TYPE_CHECKING:  # the renderer's module takes ~0.1 s to load; only its type is needed here
    from pipeline.render import Renderer


TEMPLATE = "review.html"


STYLESHEET = "review.css"


# The counts above the table as filters: the page's one script, from the package (never a styles folder).
FILTER_SCRIPT = Path(__file__).with_name("data") / "review-filter.js"
MAX_SCRIPT_BYTES = 64 * 1024

@dataclass(frozen=True)
class Summary:
    """The counts above the table."""

    leaflets: int
    statuses: tuple[tuple[str, int], ...]
    overdue: int
    invalid: int
    proposed: int
    with_warnings: int
    changed: int


def summarize(rows: Sequence[ReviewRow]) -> Summary:
    return Summary(
        leaflets=len(rows),
        statuses=tuple((status, sum(row.status == status for row in rows)) for status in REVIEW_STATUSES),
        overdue=sum(row.overdue for row in rows),
        invalid=sum(row.errors > 0 for row in rows),
        proposed=sum(row.proposal is not None for row in rows),
        with_warnings=sum(row.warnings > 0 for row in rows),
        changed=sum(row.changed_since_approval for row in rows),
    )


@dataclass(frozen=True)
class PageSetting:
    """Where the page is read: the output folder's own ``review.html`` (the default), or the
    live preview's review page (``preview_list``: the URL of the preview's list of leaflets)."""

    asset_root: str = f"{HTML_DIR}/"  # where the stylesheet finds the fonts and images
    filter_script: str = f"{HTML_DIR}/assets/{FILTER_SCRIPT.name}"
    preview_list: str | None = None


def render_review_page(rows: Sequence[ReviewRow], renderer: Renderer, today: dt.date, setting: PageSetting = PageSetting()) -> str:
    """``review.html`` for an output folder; leaflet text is escaped like everywhere else."""
    return "".join(review_page_chunks(rows, renderer, today, setting))


def review_page_chunks(
    rows: Sequence[ReviewRow], renderer: Renderer, today: dt.date, setting: PageSetting = PageSetting(),
) -> Iterator[str]:
    """:func:`render_review_page` piece by piece: with thousands of rows the page runs to
    megabytes, which need not be held in memory (twice, joined and encoded) to be written."""
    ordered = sorted(rows, key=lambda row: (row.urgency, row.title.casefold(), row.files.id))
    css = Markup(renderer.stylesheet(setting.asset_root)) + Markup("\n") + Markup(renderer.render_page(STYLESHEET))
    return renderer.page_chunks(
        TEMPLATE,
        rows=ordered,
        summary=summarize(ordered),
        today=today,
        max_grade=renderer.theme.max_reading_grade,
        css=css,
        asset_root=setting.asset_root,
        filter_script=setting.filter_script,
        preview_list=setting.preview_list,
    )


def link(folder: str, name: str) -> str:
    """A link from the output folder to ``folder/name``, safe for any file name."""
    return f"{folder}/{quote(name)}"


def _read_text(folder: OutputFolder, path: Path, named: bool = False) -> str | None:
    """A YAML file's text, None when missing; :class:`PipelineError` says why one cannot be read.
    ``named``: a leaflet the operator named, which may lie outside the folder (the preview's)."""
    if named and not os.path.lexists(path):
        return None
    data = folder.read_named_yaml(path) if named else folder.read_yaml(path)
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
    """Links from the review page to one leaflet's files (those that exist; the standard
    edition, or the first other edition there is)."""
    doc_id = OutputFolder.yaml_id(path)
    edition = next(iter(folder.editions(doc_id)), "")
    html, pdf, proposed = folder.html(doc_id, edition), folder.pdf(doc_id, edition), folder.proposed(doc_id)
    return LeafletFiles(
        id=doc_id,
        yaml=link(YAML_DIR, path.name),
        html=link(HTML_DIR, html.name) if html.is_file() else None,
        pdf=link(PDF_DIR, pdf.name) if pdf.is_file() else None,
        proposed=link(YAML_DIR, proposed.name) if os.path.lexists(proposed) else None,
    )


def write_review_page(
    folder: OutputFolder, renderer: Renderer, today: dt.date, fresh: dict[str, dict[str, Any]] | None = None,
) -> Path:
    """Write ``review.html`` for every ``yaml/<id>.yaml`` of ``folder``; returns its path.

    Rows whose YAML, proposed YAML, date and code are as last time come from
    ``.leaflets/review-rows.json`` or from ``fresh`` (rows the run's workers
    made, keyed the same way); the others are checked again here."""
    remembered = {**_read_row_cache(folder), **(fresh or {})}
    max_grade = renderer.theme.max_reading_grade
    histories, _ = read_histories(folder)  # a damaged line is named by the run's report
    cache: dict[str, Any] = {}
    rows = []
    for path in folder.reviewed_yaml():
        made = row_entry(folder, path, today, tuple(histories.get(OutputFolder.yaml_id(path), ())), max_grade, remembered)
        if made is None:
            continue  # removed meanwhile
        row, entry = made
        if entry is not None:
            cache[row.files.id] = entry
        rows.append(row)
    script = folder.html_dir / "assets" / FILTER_SCRIPT.name
    if folder.read_or_none(script, MAX_SCRIPT_BYTES) != FILTER_SCRIPT.read_bytes():
        folder.write(script, FILTER_SCRIPT.read_bytes())
    folder.write(folder.review_page, review_page_chunks(rows, renderer, today))
    folder.write(folder.review_rows, json.dumps(cache, separators=(",", ":")) + "\n")
    return folder.review_page


def row_entry(
    folder: OutputFolder, path: Path, today: dt.date, history: tuple[LogEntry, ...], max_grade: float,
    remembered: dict[str, Any] | None = None, files: LeafletFiles | None = None,
) -> tuple[ReviewRow, dict[str, Any] | None] | None:
    """The review row of ``yaml/<id>.yaml`` and its cache entry ({"key", "row"}; None for a file
    that cannot be read), from ``remembered`` when its key matches; None when the file is gone.
    Run in the main process for the page, and by each worker for the leaflet it just rendered.
    ``files``: the row's links, when not to the output folder's files (the preview's, whose YAML
    files may lie anywhere)."""
    named = files is not None
    files = files or leaflet_files(folder, path)
    try:
        text = _read_text(folder, path, named)
    except PipelineError as error:
        return unreadable_row(files, str(error)), None
    if text is None:
        return None
    try:
        proposed_text = _read_text(folder, folder.proposed(files.id))
        # The proposal is compared with the extraction the reviewer started from: only the source's change shows.
        base_text = _read_text(folder, folder.base(files.id)) if proposed_text is not None else None
    except PipelineError:
        proposed_text = base_text = None  # still linked from the row; the reviewer opens it to see why
    compared = base_text if base_text is not None else text
    key = row_key(text, proposed_text, today, compared, history, max_grade)
    row = _remembered_row((remembered or {}).get(files.id), key, files) or _new_row(
        text, proposed_text, today, files, compared, history, max_grade
    )
    return row, {"key": key, "row": row_to_data(row)}


def _new_row(
    text: str, proposed_text: str | None, today: dt.date, files: LeafletFiles, compared: str,
    history: tuple[LogEntry, ...], max_grade: float,
) -> ReviewRow:
    try:
        check_yaml_nesting(text)  # parsed in this process: absurd nesting would crash it (C stack)
    except LeafletFileError as error:
        return unreadable_row(files, f"{error.diagnostic().place}: {error}")
    return review_row(text, proposed_text, today, files, compared, history, max_grade)
