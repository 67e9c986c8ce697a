"""Deciding what a run does for each file: refused, up to date, left out, or a task for a worker.

Names are checked first (an id that would clash with the pipeline's own names
or with another input's, on any disk), then the input and the YAML on disk
are read and compared with the leaflet's record (:mod:`pipeline.run.freshness`).
"""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.model import Review
from pipeline.review.approval import APPROVED
from pipeline.run.document import Task, publication_problem
from pipeline.run.files import InputFiles, display_path, read_limited
from pipeline.run.freshness import (
    extraction_is_current,
    outputs_intact,
    rendering_is_current,
)
from pipeline.run.output_folder import (
    PROPOSED_SUFFIX,
    OutputFolder,
    id_problem,
)
from pipeline.run.records import Record, read_record, sha256_hex
from pipeline.run.report import FileResult
from pipeline.run.settings import Settings
from pipeline.yamlio import peek_yaml

# Inputs larger than this are refused: a procedure description is a few KB.
MAX_INPUT_BYTES = 2 * 1024 * 1024


def read_input(path: Path) -> bytes:
    return read_limited(path, MAX_INPUT_BYTES, "the limit for an input file")


@dataclass
class Plan:
    tasks: list[Task] = field(default_factory=list)
    done: list[FileResult] = field(default_factory=list)  # failed before any work, or up to date


def _not_publishable(yaml_text: bytes | None, record: Record | None, today: dt.date) -> str | None:
    """For --approved-only, why a leaflet may not be published, when an earlier run already looked
    at the review of this very YAML (so no transition goes unlogged). None when a worker has to
    look (it also reports a file that cannot be read); the due date is read again, for today."""
    if yaml_text is None or record is None or record.standing is None or record.seen_yaml_sha256 != sha256_hex(yaml_text):
        return None
    try:
        review = peek_yaml(yaml_text)["review"]
        dates = {key: _date(review.get(key)) for key in ("reviewed_on", "next_review_due")}
        reviewer = review.get("reviewer")
    except Exception:  # noqa: BLE001 - an unreadable file is the renderer's to report
        return None
    reviewer = reviewer if isinstance(reviewer, str) else None
    return publication_problem(record.standing, Review(status=record.standing, reviewer=reviewer, **dates), today)


def _in_folder(path: Path, folder: Path) -> bool:
    return Path(os.path.abspath(path)).parent == Path(os.path.abspath(folder))


def _date(value: object) -> dt.date | None:
    return value if isinstance(value, dt.date) or value is None else dt.date.fromisoformat(str(value))


def _up_to_date_for_publishing(settings: Settings, doc_id: str, record: Record | None, render_current: bool) -> bool:
    """Outputs current, and (for --approved-only) known to be those the pipeline made of an approved leaflet."""
    if not render_current or not settings.approved_only:
        return render_current
    return (
        record is not None and record.standing == APPROVED
        and outputs_intact(settings.folder, doc_id, record, settings.edition)
    )


def _claim_id(doc_id: str, path: Path, owners: dict[str, Path]) -> FileResult | None:
    """A failed result when another file already produces outputs named ``doc_id``,
    or named like it but for case (one file on a case-insensitive disk)."""
    key = unicodedata.normalize("NFC", doc_id).lower()  # as case- and form-insensitive disks compare names
    owner = owners.get(key)
    if owner is None:
        owners[key] = path
        return None
    result = FileResult(input=display_path(path), id=doc_id)
    if owner.stem == doc_id or OutputFolder.yaml_id(owner) == doc_id:
        result.error = f"id {doc_id!r} is already used by {display_path(owner)}"
    else:
        result.error = (
            f"id {doc_id!r} differs only in case or Unicode form from that of {display_path(owner)}; on a "
            "case-insensitive disk their outputs would overwrite each other (rename one)"
        )
    return result


def _refused(path: Path, doc_id: str, refused: dict[Path, str], owners: dict[str, Path]) -> FileResult | None:
    """A failed result when ``path`` may not be worked on at all (decided before it is read):
    refused when found, a name that cannot name outputs, or an id another file has."""
    reason = refused.get(path) or id_problem(doc_id)
    if reason:
        return FileResult(input=display_path(path), id=doc_id, error=reason)
    return _claim_id(doc_id, path, owners)


def _yaml_on_disk(folder: OutputFolder, doc_id: str) -> bytes | None:
    """The YAML of ``doc_id`` as it is now; a file that is no YAML file (a link out, a pipe) is an error."""
    path = folder.yaml(doc_id)
    try:
        return folder.read_yaml(path)
    except PipelineError as error:
        raise PipelineError(f"cannot use {display_path(path)}: {error}") from None


def plan_inputs(paths: list[Path] | InputFiles, settings: Settings, *, render: bool) -> Plan:
    """Extraction (and, for build, rendering) work for each input text file."""
    plan = Plan()
    owners: dict[str, Path] = {}
    refused = getattr(paths, "refused", {})
    for path in paths:
        doc_id, shown = path.stem, display_path(path)
        if refused_result := _refused(path, doc_id, refused, owners):
            plan.done.append(refused_result)
            continue
        try:
            data = read_input(path)
            yaml_text = _yaml_on_disk(settings.folder, doc_id)
        except PipelineError as error:
            plan.done.append(FileResult(input=shown, id=doc_id, error=str(error)))
            continue
        record = read_record(settings.folder, doc_id)
        extract_current = extraction_is_current(settings, record, sha256_hex(data), yaml_text)
        render_current = not render or rendering_is_current(settings, doc_id, record, yaml_text)
        left_out = settings.approved_only and render and extract_current and _not_publishable(yaml_text, record, settings.today)
        if left_out:
            plan.done.append(FileResult(input=shown, id=doc_id, status="left out", left_out=left_out))
        elif extract_current and (not render or _up_to_date_for_publishing(settings, doc_id, record, render_current)):
            plan.done.append(FileResult(input=shown, id=doc_id, status="up to date"))
        else:
            plan.tasks.append(
                Task(doc_id, shown, input_path=path, data=data, extract=not extract_current, render=render)
            )
    return plan


def plan_yaml(paths: list[Path] | InputFiles, settings: Settings) -> Plan:
    """Rendering work for each YAML file."""
    plan = Plan()
    owners: dict[str, Path] = {}
    refused = getattr(paths, "refused", {})
    for path in paths:
        doc_id, shown = OutputFolder.yaml_id(path), display_path(path)
        if path.name.endswith(PROPOSED_SUFFIX):
            reviewed = path.name.removesuffix(PROPOSED_SUFFIX)
            error = (
                f"is a proposed update, not a leaflet to render; take the source's changes into the reviewed file "
                f"with leaflets accept {reviewed}, or set them aside with leaflets dismiss {reviewed}"
            )
            plan.done.append(FileResult(input=shown, id=doc_id, error=error))
            continue
        if refused_result := _refused(path, doc_id, refused, owners):
            plan.done.append(refused_result)
            continue
        try:
            yaml_text = settings.folder.read_named_yaml(path)
        except PipelineError:
            yaml_text = None  # rendering reports why
        record = read_record(settings.folder, doc_id)
        render_current = rendering_is_current(settings, doc_id, record, yaml_text)
        if settings.approved_only and not _in_folder(path, settings.folder.yaml_dir):
            reason = "reviewed in another output folder, whose review log holds its approvals; publish it from there"
            plan.done.append(FileResult(input=shown, id=doc_id, status="left out", left_out=reason))
        elif settings.approved_only and (left_out := _not_publishable(yaml_text, record, settings.today)):
            plan.done.append(FileResult(input=shown, id=doc_id, status="left out", left_out=left_out))
        elif _up_to_date_for_publishing(settings, doc_id, record, render_current):
            plan.done.append(FileResult(input=shown, id=doc_id, status="up to date"))
        else:
            plan.tasks.append(Task(doc_id, shown, yaml_path=path, render=True))
    return plan
