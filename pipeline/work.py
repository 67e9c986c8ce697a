"""The work on one document, as a worker process does it: read, run the stages, write.

A :class:`Task` says what to do for one leaflet (extract, render, or both);
:func:`run_task` does it and returns a :class:`FileResult`. Every file is
written atomically, and the leaflet's record last, so a run killed at any
point leaves whole files and the next run redoes only what has no record.
"""

from __future__ import annotations

import functools
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import InputError, LeafletFileError, PipelineError
from pipeline.files import display_path
from pipeline.output_folder import MAX_YAML_BYTES, OutputFolder, PROPOSED_SUFFIX, YAML_SUFFIX  # noqa: F401 - re-exported
from pipeline.records import Record, read_record, sha256_hex, write_record
from pipeline.settings import Settings
# A line longer than this is no procedure text (a minified page, a data dump),
# and every regular expression of normalize and extract would run over it.
MAX_LINE_CHARACTERS = 20_000


@dataclass
class FileResult:
    """What happened to one leaflet; one entry of ``report.json``."""

    input: str
    id: str | None = None
    status: str = "failed"  # built | up to date | skipped | failed
    extract: str | None = None  # written | unchanged | kept | proposed
    render: str | None = None  # rendered
    outputs: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    # For index.html: what the rendered leaflet is called and where it stands.
    title: str | None = None
    review_status: str | None = None


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


def cannot_write(error: OSError) -> str:
    """``cannot write output/pdf/x.pdf: No space left on device``: one line for a failed write."""
    where = f" {display_path(Path(os.fsdecode(error.filename)))}" if error.filename else " output"
    return f"cannot write{where}: {error.strerror or error}"


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- extraction and the reviewer's YAML -----------------------------------------


def peek_yaml(data: bytes | str, limit: int = MAX_YAML_BYTES) -> Any:
    """Plain data of a YAML file the pipeline only peeks into (status, title), without the schema.

    As guarded as a full load: size, nesting, anchors and aliases (a "billion
    laughs" bomb expands when the data is printed) and unsafe tags are refused
    with :class:`LeafletFileError`.
    """
    from pipeline.yamlio import check_yaml_nesting, parse_yaml

    if len(data) > limit:
        raise LeafletFileError(f"larger than {limit:,} bytes")
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    check_yaml_nesting(text)
    return parse_yaml(text)


def _yaml_status_and_source(text: bytes) -> tuple[str | None, str | None]:
    """(review.status, source.sha256) of a YAML file on disk, None where unreadable."""
    try:
        data = peek_yaml(text)
        return data["review"]["status"], data["source"]["sha256"]
    except (LeafletFileError, KeyError, TypeError, ValueError):
        return None, None


def _generated_by_us(existing: bytes, record: Record | None) -> bool:
    if record is None or record.yaml_sha256 != sha256_hex(existing):
        return False
    status, _ = _yaml_status_and_source(existing)
    return status == "draft"


def store_yaml(folder: OutputFolder, doc_id: str, fresh: str, input_sha256: str, result: FileResult, record: Record) -> Record:
    """Write the fresh YAML unless a person owns the file on disk (README: Review rules).

    The file is replaced only if it still holds exactly the bytes judged to be
    the pipeline's own (:func:`~pipeline.writing.replace_if_unchanged`), so a
    reviewer who saves while this runs keeps their edit. Returns the record as
    it should be after this step.
    """
    target = folder.yaml(doc_id)
    fresh_bytes = fresh.encode("utf-8")
    existing = _read_own_yaml(folder, target)
    result.outputs.append(display_path(target))
    ours = Record(**{**record.__dict__, "yaml_sha256": sha256_hex(fresh_bytes)})
    if existing == fresh_bytes:
        result.extract = "unchanged"
        return ours
    if existing is None or _generated_by_us(existing, record if record.yaml_sha256 else None):
        if folder.replace_if_unchanged(target, existing, fresh_bytes):
            result.extract = "written"
            return ours
        result.warnings.append(
            f"{display_path(target)}: warning: changed by someone while this run was updating it; kept as they left it"
        )
        existing = _read_own_yaml(folder, target)
        if existing is None:
            result.extract = "kept"
            return record
    return _keep_reviewed(folder, doc_id, existing, fresh_bytes, input_sha256, result, record)


def _read_own_yaml(folder: OutputFolder, path: Path) -> bytes | None:
    try:
        return folder.read_yaml(path)
    except PipelineError as error:
        raise PipelineError(f"cannot use {display_path(path)}: {error}") from None


def _keep_reviewed(
    folder: OutputFolder, doc_id: str, existing: bytes, fresh: bytes, input_sha256: str, result: FileResult, record: Record
) -> Record:
    """A person owns ``yaml/<id>.yaml``: keep it, and propose the fresh extraction if its source changed."""
    status, source_sha256 = _yaml_status_and_source(existing)
    result.extract = "kept"
    if source_sha256 == input_sha256:
        return record
    target, proposed = folder.yaml(doc_id), folder.proposed(doc_id)
    current = _read_own_yaml(folder, proposed)
    written = current == fresh or (
        (current is None or sha256_hex(current) == record.proposed_sha256)
        and folder.replace_if_unchanged(proposed, current, fresh)
    )
    owner = "was edited by a person" if status == "draft" else f"is {status or 'unreadable'}"
    if not written:
        result.warnings.append(
            f"{display_path(proposed)}: warning: was edited by a person and is kept as it is; the newer extraction "
            f"of a changed source was not written (copy what you need into {target.name}, then delete {proposed.name})"
        )
        # Not done: the next run extracts again and proposes once the edited proposal is gone.
        return Record(**{**record.__dict__, "input_sha256": None})
    result.extract = "proposed"
    result.outputs.append(display_path(proposed))
    result.warnings.append(
        f"{display_path(target)}: warning: {owner} and its source changed; "
        f"the new extraction is in {proposed.name} for review"
    )
    return Record(**{**record.__dict__, "proposed_sha256": sha256_hex(fresh)})


def check_line_lengths(text: str, limit: int = MAX_LINE_CHARACTERS) -> None:
    """Refuse text with a line longer than ``limit`` characters, naming the first such line."""
    if len(text) <= limit:
        return
    for number, line in enumerate(text.splitlines(), 1):
        if len(line) > limit:
            raise InputError(
                f"line {number} is {len(line):,} characters long; the limit is {limit:,} (not procedure text?)"
            )


def _has_content(leaflet) -> bool:  # noqa: ANN001 - a pipeline.model.Leaflet
    return any(leaflet.sections.values()) or any(extra.content for extra in leaflet.extra_sections)


def extract_document(task: Task, settings: Settings, result: FileResult, record: Record) -> Record:
    from pipeline.extract import extract
    from pipeline.normalize import decode, normalize_text
    from pipeline.yamlio import dump_leaflet

    assert task.data is not None
    input_sha256 = sha256_hex(task.data)
    text, encoding = decode(task.data)
    check_line_lengths(text)
    normalized = normalize_text(text, encoding, site_text=settings.site_text, headings=settings.headings)
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
    normalized_path = settings.folder.normalized(task.doc_id)
    settings.folder.write(normalized_path, normalized.text)
    result.outputs.append(display_path(normalized_path))
    record = Record(**{**record.__dict__, "input_sha256": input_sha256, "extract_deps": settings.extract_deps})
    return store_yaml(settings.folder, task.doc_id, fresh, input_sha256, result, record)


# -- rendering -----------------------------------------------------------------


@functools.cache
def _renderer(settings: Settings):  # noqa: ANN202 - imported lazily: the layout engine is slow to load
    from pipeline.render import renderer_for

    return renderer_for(settings.render)


def yaml_text(data: bytes) -> str:
    """A leaflet YAML's text: UTF-8, nested at most ``yamlio.MAX_YAML_DEPTH`` levels."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PipelineError(f"not UTF-8 text: {error.reason} at byte {error.start}") from None
    from pipeline.yamlio import check_yaml_nesting

    check_yaml_nesting(text)
    return text


def _first_yaml_error(text: str) -> str:
    """The first problem ``leaflets check`` finds, with its place, for a one-line error."""
    import datetime as dt

    from pipeline.check import ERROR, check_text

    errors = [problem for problem in check_text(text, dt.date.today()) if problem.severity == ERROR]
    first = errors[0]
    more = f" (and {len(errors) - 1} more: run leaflets check)" if len(errors) > 1 else ""
    return _one_line(f"line {first.line}, column {first.column}: {first.message}") + more


def render_document(task: Task, settings: Settings, result: FileResult, record: Record) -> Record:
    from pipeline.yamlio import load_leaflet

    yaml_path = task.yaml_path or settings.folder.yaml(task.doc_id)
    try:
        text = yaml_text(settings.folder.read_named_yaml(yaml_path))
    except LeafletFileError as error:
        raise PipelineError(f"line {error.line}, column {error.column}: {error}") from None
    shown = display_path(yaml_path)
    try:
        leaflet = load_leaflet(text)
    except LeafletFileError:
        raise PipelineError(_first_yaml_error(text)) from None
    if settings.approved_only and leaflet.review.status != "approved":
        result.status = "skipped"
        return record
    if leaflet.id != task.doc_id:
        result.warnings.append(f"{shown}: warning: id {leaflet.id!r} differs from the file name; outputs are named {task.doc_id}")
    try:
        rendered = _renderer(settings).render(leaflet)
    except PipelineError:
        raise
    except Exception as error:  # noqa: BLE001 - a layout-engine failure on one leaflet must not stop the batch
        raise PipelineError(_one_line(f"rendering failed: {type(error).__name__}: {error}")) from None
    html_path, pdf_path = settings.folder.html(task.doc_id), settings.folder.pdf(task.doc_id)
    settings.folder.write(html_path, rendered.html)
    settings.folder.write(pdf_path, rendered.pdf)
    result.outputs += [display_path(html_path), display_path(pdf_path)]
    result.warnings += [f"{shown}: warning: {_one_line(message)}" for message in rendered.warnings]
    result.render = "rendered"
    result.title, result.review_status = leaflet.title, leaflet.review.status
    return Record(**{**record.__dict__, "rendered_yaml_sha256": sha256_hex(text), "render_deps": settings.render_deps})


def _needs_render_after_extract(settings: Settings, doc_id: str, record: Record) -> bool:
    """After extraction, render only if the YAML on disk is not what the outputs show."""
    try:
        current = settings.folder.read_yaml(settings.folder.yaml(doc_id))
    except PipelineError:
        return True  # rendering reports why it cannot be read
    return (
        settings.force
        or current is None
        or record.rendered_yaml_sha256 != sha256_hex(current)
        or record.render_deps != settings.render_deps
        or not settings.folder.rendered(doc_id)
    )


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
        if task.render and (not task.extract or _needs_render_after_extract(settings, task.doc_id, record)):
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
        message = _one_line(f"{type(error).__name__}: {error}")
        result.status, result.error = "failed", f"internal error ({message}); please report it with this file"
    if result.status == "built" and result.extract in ("unchanged", "kept") and result.render is None:
        result.status = "up to date"
    result.seconds["total"] = round(time.perf_counter() - started, 6)
    return result
