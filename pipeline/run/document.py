"""The work on one document, as a worker process does it: read, run the stages, write.

A :class:`Task` says what to do for one leaflet (extract, render, or both);
:func:`run_task` does it and returns a :class:`~pipeline.run.report.FileResult`.
Every file is written atomically, and the leaflet's record after the files it
describes, so a run killed at any point leaves whole files and the next run
redoes only what is not known to be done.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from pipeline.errors import InputError, LeafletFileError, PipelineError
from pipeline.model import ERROR, Leaflet, Review
from pipeline.review.approval import (
    APPROVED,
    CHANGED,
    NOT_PUBLISHED,
    LogEntry,
    approval_in_effect,
    observe,
)
from pipeline.review.lints import structure_problems
from pipeline.review.ownership import store_yaml
from pipeline.run.files import display_path
from pipeline.run.freshness import OVERDUE, outputs_intact, rendering_is_current
from pipeline.run.output_folder import PDF_DIR
from pipeline.run.records import (
    Edition,
    Record,
    read_record,
    sha256_hex,
    with_edition,
    write_record,
)
from pipeline.run.report import FileResult, cannot_write, one_line
from pipeline.run.settings import Settings
from pipeline.yamlio import decode_yaml, dump_leaflet, load_leaflet

if TYPE_CHECKING:  # the renderer's module takes ~0.1 s to load; a run with nothing to render does without
    from pipeline.render import Renderer


# A line longer than this is no procedure text (a minified page, a data dump),
# and every regular expression of normalize and extract would run over it.
MAX_LINE_CHARACTERS = 20_000


@dataclass(frozen=True)
class Task:
    """One leaflet's work. ``data`` is the input's bytes, already read to decide the task."""

    doc_id: str
    display: str
    input_path: Path | None = None
    data: bytes | None = None
    yaml_path: Path | None = None
    extract: bool = False
    render: bool = False
    history: tuple[LogEntry, ...] = ()  # the leaflet's review log entries, oldest first


def check_line_lengths(text: str, limit: int = MAX_LINE_CHARACTERS) -> None:
    """Refuse text with a line longer than ``limit`` characters, naming the first such line."""
    if len(text) <= limit:
        return
    for number, line in enumerate(text.splitlines(), 1):
        if len(line) > limit:
            raise InputError(
                f"line {number} is {len(line):,} characters long; the limit is {limit:,} (not procedure text?)"
            )


def _has_content(leaflet: Leaflet) -> bool:
    return any(leaflet.sections.values()) or any(extra.content for extra in leaflet.extra_sections)


def extract_document(task: Task, settings: Settings, result: FileResult, record: Record) -> Record:
    # The stages and their libraries take about half a second to load: only in a run with work to do.
    from pipeline.extract import extract
    from pipeline.normalize import decode, normalize_text


    assert task.data is not None
    input_sha256 = sha256_hex(task.data)
    text, encoding = decode(task.data)
    check_line_lengths(text)
    normalized = normalize_text(
        text, encoding, site_text=settings.site_text, headings=settings.headings, keep_chrome=settings.keep_chrome
    )
    leaflet = extract(
        normalized, doc_id=task.doc_id, source_path=task.display, sha256=input_sha256, headings=settings.headings
    )
    if not _has_content(leaflet):
        raise InputError("no text under any heading (headings only?); nothing to put in a leaflet")
    fresh = dump_leaflet(leaflet)
    size = len(fresh.encode("utf-8"))
    if size > settings.max_yaml_bytes:
        raise InputError(
            f"its YAML would be {size:,} bytes, over the {settings.max_yaml_bytes:,}-byte limit for a leaflet YAML "
            "(more than one procedure?)"
        )
    result.warnings += [warning.format(task.display) for warning in leaflet.warnings]
    if settings.explain:
        result.explanations += [note.format(task.display) for note in leaflet.explanations]
    result.warnings += [f"{task.display}: warning: {message}" for _, _, message in structure_problems(leaflet, settings.headings)]
    normalized_path = settings.folder.normalized(task.doc_id)
    settings.folder.write(normalized_path, normalized.text)
    result.outputs.append(display_path(normalized_path))
    record = Record(**{**record.__dict__, "input_sha256": input_sha256, "extract_deps": settings.extract_deps})
    return store_yaml(settings.folder, task.doc_id, fresh, input_sha256, result, record)


@functools.cache
def renderer_of(settings: Settings) -> Renderer:
    """The renderer for a run's options, made once per process."""
    from pipeline.render import (
        renderer_for,  # ~0.1 s to load: only in a run that renders
    )

    return renderer_for(settings.render)


def _first_yaml_error(text: str) -> str:
    """The first problem ``leaflets check`` finds, with its place, for a one-line error."""
    from pipeline.review.check import (
        check_text,  # loads jsonschema and textstat: only for a broken file
    )



    errors = [problem for problem in check_text(text, dt.date.today()) if problem.severity == ERROR]
    first = errors[0]
    more = f" (and {len(errors) - 1} more: run leaflets check)" if len(errors) > 1 else ""
    return one_line(f"{first.place}: {first.message}") + more


def render_document(task: Task, settings: Settings, result: FileResult, record: Record) -> Record:

    yaml_path = task.yaml_path or settings.folder.yaml(task.doc_id)
    try:
        text = decode_yaml(settings.folder.read_named_yaml(yaml_path))
    except LeafletFileError as error:
        raise PipelineError(f"{error.diagnostic().place}: {error}") from None
    shown = display_path(yaml_path)
    try:
        leaflet = load_leaflet(text)
    except LeafletFileError:
        where = "" if task.yaml_path else f"{display_path(yaml_path)}: "  # build: the message is about the YAML, not the input
        raise PipelineError(where + _first_yaml_error(text)) from None
    # The log and the record know the leaflet by its file name, whatever its id says.
    standing, entry, approval = review_standing(dataclasses.replace(leaflet, id=task.doc_id), task.history, record)
    result.review_log += [entry] if entry else []
    result.review_status = standing
    seen = {"seen_yaml_sha256": sha256_hex(text), "standing": standing, "approval": approval}
    if settings.approved_only and (reason := publication_problem(standing, leaflet.review, settings.today)):
        leave_out(settings, task.doc_id, result, reason)
        return Record(**{**record.__dict__, "editions": None, **seen})  # every edition's files removed
    today = settings.today
    shown_as = standing + OVERDUE if leaflet.review.is_overdue(today) else standing  # what the page says of its review
    current = rendering_is_current(settings, task.doc_id, record, text.encode("utf-8"), shown_as)
    if current and (not settings.approved_only or outputs_intact(settings.folder, task.doc_id, record, settings.edition)):
        return Record(**{**record.__dict__, **seen})  # its page and PDF already show this YAML as it stands
    if leaflet.id != task.doc_id:
        result.warnings.append(f"{shown}: warning: id {leaflet.id!r} differs from the file name; outputs are named {task.doc_id}")
    try:
        links = {"pdf": f"../{PDF_DIR}/{quote(task.doc_id + settings.edition)}.pdf", "index": f"../{settings.folder.index.name}"}
        rendered = renderer_of(settings).render(leaflet, standing, links, today)
    except PipelineError:
        raise
    except Exception as error:  # noqa: BLE001 - a layout-engine failure on one leaflet must not stop the batch
        raise PipelineError(one_line(f"rendering failed: {type(error).__name__}: {error}")) from None
    html_path, pdf_path = settings.folder.html(task.doc_id, settings.edition), settings.folder.pdf(task.doc_id, settings.edition)
    settings.folder.write(html_path, rendered.html)
    settings.folder.write(pdf_path, rendered.pdf)
    result.outputs += [display_path(html_path), display_path(pdf_path)]
    result.warnings += [f"{shown}: warning: {one_line(message)}" for message in rendered.warnings]
    result.render = "rendered"
    result.title = leaflet.title
    return Record(
        **{
            **record.__dict__,
            "editions": with_edition(record, settings.edition, Edition(
                yaml=sha256_hex(text), page=sha256_hex(rendered.html), pdf=sha256_hex(rendered.pdf),
                deps=settings.render_deps, shown_as=shown_as, until=_reads_otherwise_on(leaflet.review, today),
            )),
            **seen,
        }
    )


def _reads_otherwise_on(review: Review, today: dt.date) -> str:
    """The day a page rendered ``today`` goes out of date on its own: the day after its next
    review was due, when that is still to come; "" for never."""
    due = review.next_review_due
    return (due + dt.timedelta(days=1)).isoformat() if due is not None and not review.is_overdue(today) else ""


def review_standing(leaflet: Leaflet, history: tuple[LogEntry, ...], record: Record) -> tuple[str, LogEntry | None, str | None]:
    """(where it stands, the log entry this sight adds, the approval in effect as JSON for the record)."""
    known = None
    if record.approval:
        try:
            known = LogEntry.from_data(json.loads(record.approval))
        except ValueError:
            known = None
    standing, entry = observe(leaflet, list(history), dt.datetime.now(dt.timezone.utc), known)
    if standing not in (APPROVED, CHANGED):
        return standing, entry, None
    review = leaflet.review
    signed = (review.reviewer, review.reviewed_on.isoformat() if review.reviewed_on else None)
    approval = approval_in_effect([*history, *([known] if known else []), *([entry] if entry else [])], signed)
    return standing, entry, json.dumps(approval.to_data()) if approval else None


def publication_problem(standing: str, review: Review, today: dt.date) -> str | None:
    """Why a leaflet may not be published (by ``--approved-only``), or None when it may."""
    if standing != APPROVED:
        return NOT_PUBLISHED.get(standing, f"review status {standing!r}")
    if not (review.reviewer or "").strip() or review.reviewed_on is None:
        return "approved without a reviewer's name and review date (review.reviewer, review.reviewed_on)"
    if review.next_review_due is None:
        return "approved without a next review date (review.next_review_due)"
    if review.is_overdue(today):
        return f"overdue for review (next review was due {review.next_review_due.isoformat()})"
    if review.reviewed_on is not None and review.reviewed_on > today:
        return f"its review date {review.reviewed_on.isoformat()} is in the future"
    return None


def leave_out(settings: Settings, doc_id: str, result: FileResult, reason: str) -> None:
    """Not published: its page and PDF (from an earlier run) removed, so they cannot be printed."""
    removed = settings.folder.withdraw(doc_id)
    result.status, result.left_out = "left out", reason
    if removed:
        result.left_out += "; its " + " and ".join(display_path(path) for path in removed) + " removed"


def _needs_render_after_extract(settings: Settings, doc_id: str, record: Record) -> bool:
    """After extraction, render only if the YAML on disk is not what the outputs show."""
    try:
        current = settings.folder.read_yaml(settings.folder.yaml(doc_id))
    except PipelineError:
        return True  # rendering reports why it cannot be read
    return not rendering_is_current(settings, doc_id, record, current)


def _review_row(task: Task, settings: Settings, result: FileResult) -> dict[str, object] | None:
    """This leaflet's row of ``review.html``, made here so the main process does not check each
    leaflet in turn after the workers are done; None for a YAML outside the folder's own."""
    path = settings.folder.yaml(task.doc_id)
    if task.yaml_path is not None and Path(task.yaml_path).resolve() != path.resolve():
        return None
    from pipeline.review.review_page import row_entry  # noqa: PLC0415 - only workers that render need it

    made = row_entry(
        settings.folder, path, settings.today, (*task.history, *result.review_log),
        renderer_of(settings).theme.max_reading_grade,
    )
    return made[1] if made else None


def run_task(task: Task, settings: Settings) -> FileResult:
    """Do one leaflet's work; problems become the result's one-line error."""
    result = FileResult(input=task.display, id=task.doc_id, status="built")
    record = read_record(settings.folder, task.doc_id) or Record()
    started = time.perf_counter()
    try:
        if task.extract:
            record = extract_document(task, settings, result, record)
            # At once, not after rendering: a run stopped while rendering must still
            # know the YAML it just wrote as its own, not take it for a person's edit.
            write_record(settings.folder, task.doc_id, record)
            result.seconds["extract"] = round(time.perf_counter() - started, 6)
        # With --approved-only every leaflet passes the publication check, its outputs current or not.
        renders = not task.extract or settings.approved_only or _needs_render_after_extract(settings, task.doc_id, record)
        if task.render and renders:
            render_started = time.perf_counter()
            record = render_document(task, settings, result, record)
            result.seconds["render"] = round(time.perf_counter() - render_started, 6)
        write_record(settings.folder, task.doc_id, record)
    except PipelineError as error:
        result.status, result.error = "failed", str(error)
    except MemoryError:
        result.status, result.error = "failed", "ran out of memory (the per-document memory limit was reached)"
    except OSError as error:
        result.status, result.error = "failed", cannot_write(error)
    except RecursionError:
        result.status, result.error = "failed", "too deeply nested to process"
    except Exception as error:  # noqa: BLE001 - a bug met by one document must not take its batch down
        message = one_line(f"{type(error).__name__}: {error}")
        result.status, result.error = "failed", f"internal error ({message}); please report it with this file"
    if task.render and result.status != "failed":
        try:
            result.review_row = _review_row(task, settings, result)
        except Exception:  # noqa: BLE001 - not lost: the main process makes the row itself, and reports what fails
            result.review_row = None
    if result.status == "failed" and settings.approved_only and task.render:
        try:  # an approval that cannot be confirmed is not published
            removed = settings.folder.withdraw(task.doc_id)
        except OSError as error:
            removed = []
            result.error = f"{result.error}; and {cannot_write(error)}"
        if removed:
            result.error = f"{result.error}; not published, its page and PDF removed"
    if result.status == "built" and result.extract in ("unchanged", "kept") and result.render is None:
        result.status = "up to date"
    result.seconds["total"] = round(time.perf_counter() - started, 6)
    return result
