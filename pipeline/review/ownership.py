"""Whose a leaflet YAML is, and what a fresh extraction may do to it (the review rules on writing).

A YAML the pipeline wrote and nobody changed since (its bytes are those in the
record, its status ``draft``) may be replaced by a fresh extraction. Any other
(edited by a person, or reviewed or approved) is kept; if its source changed,
the fresh extraction goes beside it as ``<id>.proposed.yaml``, which is the
pipeline's own until a person edits it. Every replacement is a
compare-and-swap (:func:`pipeline.run.writing.replace_if_unchanged`), so a
person saving meanwhile keeps their edit.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import LeafletFileError, PipelineError
from pipeline.run.files import display_path
from pipeline.run.output_folder import OutputFolder
from pipeline.run.records import Record, sha256_hex
from pipeline.run.report import FileResult
from pipeline.run.writing import remove
from pipeline.yamlio import peek_yaml


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
    the pipeline's own (:func:`~pipeline.run.writing.replace_if_unchanged`), so a
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
        folder.write(folder.base(doc_id), fresh_bytes)
        return ours
    if existing is None or _generated_by_us(existing, record if record.yaml_sha256 else None):
        if folder.replace_if_unchanged(target, existing, fresh_bytes):
            result.extract = "written"
            folder.write(folder.base(doc_id), fresh_bytes)  # what a reviewer starts from
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
    target, proposed = folder.yaml(doc_id), folder.proposed(doc_id)
    current = _read_own_yaml(folder, proposed)
    if source_sha256 == input_sha256 or _read_own_yaml(folder, folder.base(doc_id)) == fresh:
        # The source is the one reviewed, or its extraction was already taken or set aside:
        # a proposal the pipeline made of a source that has since gone back is stale.
        if current is not None and sha256_hex(current) == record.proposed_sha256:
            remove(folder.root, proposed)
            remove(folder.root, folder.proposed_base(doc_id))
            result.warnings.append(
                f"{display_path(proposed)}: warning: removed: the source is back to the version {target.name} was reviewed from"
            )
            return Record(**{**record.__dict__, "proposed_sha256": None})
        return record
    written = current == fresh or (
        (current is None or sha256_hex(current) == record.proposed_sha256)
        and folder.replace_if_unchanged(proposed, current, fresh)
    )
    owner = "was edited by a person" if status == "draft" else f"is {status or 'unreadable'}"
    if not written:
        result.warnings.append(
            f"{display_path(proposed)}: warning: was edited by a person and is kept as it is; the newer extraction "
            f"of a changed source was not written (leaflets accept {doc_id} takes its changes into {target.name}; "
            f"leaflets dismiss {doc_id} sets it aside)"
        )
        # Not done: the next run extracts again and proposes once the edited proposal is gone.
        return Record(**{**record.__dict__, "input_sha256": None})
    folder.write(folder.proposed_base(doc_id), fresh)  # what accept and dismiss will take as the new base
    result.extract = "proposed"
    result.outputs.append(display_path(proposed))
    result.warnings.append(
        f"{display_path(target)}: warning: {owner} and its source changed; "
        f"the new extraction is in {proposed.name} for review (leaflets accept {doc_id} or leaflets dismiss {doc_id})"
    )
    return Record(**{**record.__dict__, "proposed_sha256": sha256_hex(fresh)})
