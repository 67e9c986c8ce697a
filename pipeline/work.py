"""The work on one document, as a worker process does it: read, run the stages, write.

A :class:`Task` says what to do for one leaflet (extract, render, or both);
:func:`run_task` does it and returns a :class:`FileResult`. Every file is
written atomically, and the leaflet's record last, so a run killed at any
point leaves whole files and the next run redoes only what has no record.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError, LeafletFileError, PipelineError
from .files import display_path, read_limited, write_atomic
from .records import Record, read_record, sha256_hex, write_record
from .settings import MAX_YAML_BYTES, Settings

YAML_SUFFIX = ".yaml"
PROPOSED_SUFFIX = ".proposed.yaml"
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
    from .yamlio import check_yaml_nesting, parse_yaml

    if len(data) > limit:
        raise LeafletFileError(f"larger than {limit:,} bytes")
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    check_yaml_nesting(text)
    return parse_yaml(text)


def _yaml_status_and_source(text: str) -> tuple[str | None, str | None]:
    """(review.status, source.sha256) of a YAML file on disk, None where unreadable."""
    try:
        data = peek_yaml(text)
        return data["review"]["status"], data["source"]["sha256"]
    except (LeafletFileError, KeyError, TypeError, ValueError):
        return None, None


def _generated_by_us(existing: str, record: Record | None) -> bool:
    if record is None or record.yaml_sha256 != sha256_hex(existing):
        return False
    status, _ = _yaml_status_and_source(existing)
    return status == "draft"


def store_yaml(output: Path, doc_id: str, fresh: str, input_sha256: str, result: FileResult, record: Record) -> Record:
    """Write the fresh YAML unless a person owns the file on disk (contract: Review rules).

    Returns the record as it should be after this step.
    """
    target = output / "yaml" / f"{doc_id}{YAML_SUFFIX}"
    try:
        existing = target.read_text("utf-8")
    except FileNotFoundError:
        existing = None
    except (OSError, UnicodeDecodeError) as error:
        raise PipelineError(f"cannot read existing {target.name}: {error}") from None
    mine = Record(**{**record.__dict__, "yaml_sha256": sha256_hex(fresh)})
    result.outputs.append(display_path(target))
    if existing == fresh:
        result.extract = "unchanged"
        return mine
    if existing is None or _generated_by_us(existing, record if record.yaml_sha256 else None):
        write_atomic(target, fresh)
        result.extract = "written"
        return mine
    status, source_sha256 = _yaml_status_and_source(existing)
    result.extract = "kept"
    if source_sha256 != input_sha256:
        proposed = target.with_name(f"{doc_id}{PROPOSED_SUFFIX}")
        write_atomic(proposed, fresh)
        result.extract = "proposed"
        result.outputs.append(display_path(proposed))
        owner = "was edited by a person" if status == "draft" else f"is {status or 'unreadable'}"
        result.warnings.append(
            f"{display_path(target)}: warning: {owner} and its source changed; "
            f"the new extraction is in {proposed.name} for review"
        )
    return record


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
    from .extract import extract
    from .normalize import decode, normalize_text
    from .yamlio import dump_leaflet

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
    normalized_path = settings.output / "normalized" / f"{task.doc_id}.txt"
    write_atomic(normalized_path, normalized.text)
    result.outputs.append(display_path(normalized_path))
    record = Record(**{**record.__dict__, "input_sha256": input_sha256, "extract_deps": settings.extract_deps})
    return store_yaml(settings.output, task.doc_id, fresh, input_sha256, result, record)


# -- rendering -----------------------------------------------------------------


@functools.cache
def _renderer(settings: Settings):  # noqa: ANN202 - imported lazily: the layout engine is slow to load
    from .render import renderer_for

    return renderer_for(settings.render)


def read_yaml_text(path: Path, limit: int) -> str:
    """A leaflet YAML's text: at most ``limit`` bytes, UTF-8, nested at most ``yamlio.MAX_YAML_DEPTH`` levels."""
    data = read_limited(path, limit, "the limit for a leaflet YAML")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PipelineError(f"not UTF-8 text: {error.reason} at byte {error.start}") from None
    from .yamlio import check_yaml_nesting

    check_yaml_nesting(text)
    return text


def _first_yaml_error(text: str) -> str:
    """The first problem ``leaflets check`` finds, with its place, for a one-line error."""
    import datetime as dt

    from .check import ERROR, check_text

    errors = [problem for problem in check_text(text, dt.date.today()) if problem.severity == ERROR]
    first = errors[0]
    more = f" (and {len(errors) - 1} more: run leaflets check)" if len(errors) > 1 else ""
    return _one_line(f"line {first.line}, column {first.column}: {first.message}") + more


def render_document(task: Task, settings: Settings, result: FileResult, record: Record) -> Record:
    from .yamlio import load_leaflet

    yaml_path = task.yaml_path or settings.output / "yaml" / f"{task.doc_id}{YAML_SUFFIX}"
    try:
        text = read_yaml_text(yaml_path, settings.max_yaml_bytes)
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
    html_path = settings.output / "html" / f"{task.doc_id}.html"
    pdf_path = settings.output / "pdf" / f"{task.doc_id}.pdf"
    write_atomic(html_path, rendered.html)
    write_atomic(pdf_path, rendered.pdf)
    result.outputs += [display_path(html_path), display_path(pdf_path)]
    result.warnings += [f"{shown}: warning: {_one_line(message)}" for message in rendered.warnings]
    result.render = "rendered"
    result.title, result.review_status = leaflet.title, leaflet.review.status
    return Record(**{**record.__dict__, "rendered_yaml_sha256": sha256_hex(text), "render_deps": settings.render_deps})


def _needs_render_after_extract(settings: Settings, doc_id: str, record: Record) -> bool:
    """After extraction, render only if the YAML on disk is not what the outputs show."""
    yaml_path = settings.output / "yaml" / f"{doc_id}{YAML_SUFFIX}"
    try:
        current = sha256_hex(yaml_path.read_bytes())
    except OSError:
        return True
    outputs = [settings.output / "html" / f"{doc_id}.html", settings.output / "pdf" / f"{doc_id}.pdf"]
    return (
        settings.force
        or record.rendered_yaml_sha256 != current
        or record.render_deps != settings.render_deps
        or not all(path.is_file() for path in outputs)
    )


def run_task(task: Task, settings: Settings) -> FileResult:
    """Do one leaflet's work; problems become the result's one-line error."""
    result = FileResult(input=task.display, id=task.doc_id, status="built")
    record = read_record(settings.output, task.doc_id) or Record()
    started = time.perf_counter()
    try:
        if task.extract:
            record = extract_document(task, settings, result, record)
            result.seconds["extract"] = round(time.perf_counter() - started, 6)
        if task.render and (not task.extract or _needs_render_after_extract(settings, task.doc_id, record)):
            render_started = time.perf_counter()
            record = render_document(task, settings, result, record)
            result.seconds["render"] = round(time.perf_counter() - render_started, 6)
        write_record(settings.output, task.doc_id, record)
    except PipelineError as error:
        result.status, result.error = "failed", str(error)
    except MemoryError:
        result.status, result.error = "failed", "ran out of memory (the per-document memory limit was reached)"
    except OSError as error:
        result.status, result.error = "failed", f"cannot write output: {error.strerror or error}"
    except RecursionError:
        result.status, result.error = "failed", "too deeply nested to process"
    except Exception as error:  # noqa: BLE001 - a bug met by one document must not take its batch down
        message = _one_line(f"{type(error).__name__}: {error}")
        result.status, result.error = "failed", f"internal error ({message}); please report it with this file"
    if result.status == "built" and result.extract in ("unchanged", "kept") and result.render is None:
        result.status = "up to date"
    result.seconds["total"] = round(time.perf_counter() - started, 6)
    return result
