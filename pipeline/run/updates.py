"""``leaflets accept ID`` and ``leaflets dismiss ID``: what a reviewer does with a proposed update.

- accept: the source's changes (the extraction the reviewed file started
  from -> the proposed one) are applied over the reviewed file where the
  reviewer left that place as extracted (:mod:`pipeline.review.merge`); a
  place both changed is a conflict: nothing is written unless ``keep_mine``
  says to keep the reviewer's text there. A file whose content changed goes
  back to ``reviewed`` (``draft`` if it was one) for sign-off.
- dismiss: the reviewed file stays as it is; this version of the source is
  recorded as seen, so it is not proposed again.

Both take the output folder like a run, remove the proposal, make the
proposal the new base (what later updates are compared with) and log the
step in the review log.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import ConfigError, LeafletFileError, PipelineError
from pipeline.model import Leaflet
from pipeline.review.approval import LogEntry, content_fingerprint
from pipeline.review.merge import Conflict, three_way
from pipeline.review.rows import word_changes
from pipeline.run.files import display_path
from pipeline.run.output_folder import OutputFolder, id_problem
from pipeline.run.records import Record, read_record, write_record
from pipeline.run.report import cannot_write
from pipeline.run.review_log import add_entries, read_histories
from pipeline.run.writing import remove
from pipeline.yamlio import (
    decode_yaml,
    dump_leaflet,
    leaflet_from_data,
    leaflet_to_data,
    load_leaflet,
)


@dataclass
class UpdateOutcome:
    lines: list[str] = field(default_factory=list)  # what to tell the reviewer
    conflicts: tuple[Conflict, ...] = ()
    written: bool = False


def _load(folder: OutputFolder, path: Path, what: str) -> tuple[bytes, Leaflet]:
    data = folder.read_yaml(path)
    if data is None:
        raise ConfigError(f"{display_path(path)}: no such file ({what})")
    try:
        return data, load_leaflet(decode_yaml(data))
    except LeafletFileError as error:
        raise PipelineError(f"{display_path(path)}: {error.diagnostic().place}: {error} (fix it first: leaflets check)") from None


def _checked_id(doc_id: str) -> str:
    if problem := id_problem(doc_id):
        raise ConfigError(f"{doc_id!r}: {problem}")
    return doc_id


def _log_is_writable(folder: OutputFolder) -> None:
    """Refuse before changing anything when the step could not be logged (the log a link, a folder)."""
    try:
        read_histories(folder)
        folder.append(folder.review_log, "")
    except OSError as error:
        raise PipelineError(f"{cannot_write(error)}; nothing done (the step could not be logged)") from None
    except PipelineError as error:
        raise PipelineError(f"{display_path(folder.review_log)}: {error}; nothing done (the step could not be logged)") from None


def _finish(folder: OutputFolder, doc_id: str, proposal: bytes, entry: LogEntry) -> None:
    """The proposal as the pipeline wrote it becomes the base (what a person changed in it is
    theirs, not the source's), the proposal is removed, and the step is logged."""
    folder.write(folder.base(doc_id), folder.read_yaml(folder.proposed_base(doc_id)) or proposal)
    remove(folder.root, folder.proposed(doc_id))
    remove(folder.root, folder.proposed_base(doc_id))
    record = read_record(folder, doc_id) or Record()
    write_record(folder, doc_id, dataclasses.replace(record, proposed_sha256=None))
    add_entries(folder, [entry])


def _entry(leaflet: Leaflet, doc_id: str, event: str) -> LogEntry:
    review = leaflet.review
    return LogEntry(
        doc_id, event, review.status, review.reviewer,
        review.reviewed_on.isoformat() if review.reviewed_on else None,
        content_fingerprint(leaflet), dt.datetime.now(dt.timezone.utc).isoformat(),
    )


def accept(folder: OutputFolder, doc_id: str, *, keep_mine: bool = False) -> UpdateOutcome:
    doc_id = _checked_id(doc_id)
    outcome = UpdateOutcome()
    with folder.claim("accept"):
        _log_is_writable(folder)
        mine_bytes, mine = _load(folder, folder.yaml(doc_id), "the reviewed leaflet")
        proposal_bytes, theirs = _load(folder, folder.proposed(doc_id), "no proposed update is waiting")
        base_bytes = folder.read_yaml(folder.base(doc_id))
        if base_bytes is None:
            raise PipelineError(
                f"{display_path(folder.yaml(doc_id))}: there is no record of the extraction it started from "
                "(it was made by an older version), so the source's changes cannot be told from yours; "
                f"copy what you need from {folder.proposed(doc_id).name} by hand, then run leaflets dismiss {doc_id}"
            )
        _, base = _load(folder, folder.base(doc_id), "the extraction it started from")
        merged = three_way(leaflet_to_data(base), leaflet_to_data(mine), leaflet_to_data(theirs))
        outcome.conflicts = merged.conflicts
        for conflict in merged.conflicts:
            outcome.lines.append(
                f"{display_path(folder.yaml(doc_id))}: conflict in {conflict.place}: you and the source both changed it; "
                + _difference(conflict.mine, conflict.theirs)
            )
        if merged.conflicts and not keep_mine:
            outcome.lines.append(
                "nothing written: edit your file to take what you want from the source's version, "
                f"then run leaflets accept {doc_id} --keep-mine (your text stays in every conflict)"
            )
            return outcome
        data = merged.data
        changed = content_fingerprint(leaflet_from_data(data)) != content_fingerprint(mine)
        review = dict(data["review"])
        if changed and review["status"] != "draft":
            review["status"] = "reviewed"  # the source's new text needs signing off
        data = {**data, "review": review}
        result = leaflet_from_data(data)
        text = dump_leaflet(result)
        if not folder.replace_if_unchanged(folder.yaml(doc_id), mine_bytes, text.encode("utf-8")):
            raise PipelineError(f"{display_path(folder.yaml(doc_id))}: changed while accepting; nothing done, run it again")
        outcome.written = True
        _finish(folder, doc_id, proposal_bytes, _entry(result, doc_id, "accepted source update"))
        applied = ", ".join(merged.applied) or (
            "nothing else" if merged.conflicts else "nothing (the source's changes were already in your file)"
        )
        kept = f"kept yours in {len(merged.conflicts)} conflicting place(s); " if merged.conflicts else ""
        outcome.lines.append(f"{display_path(folder.yaml(doc_id))}: accepted the source's update: {kept}applied to {applied}")
        if any(line.lstrip().startswith("#") for line in mine_bytes.decode("utf-8").splitlines()[1:]):
            outcome.lines.append("note: the file was written anew, so the # comments it held are gone (the review log keeps the step)")
        if changed and mine.review.status != "draft":
            outcome.lines.append(f"review.status is now {review['status']!r}: check the new text and approve it again")
    return outcome


def dismiss(folder: OutputFolder, doc_id: str) -> UpdateOutcome:
    doc_id = _checked_id(doc_id)
    with folder.claim("dismiss"):
        _log_is_writable(folder)
        _, mine = _load(folder, folder.yaml(doc_id), "the reviewed leaflet")
        proposal_bytes, _ = _load(folder, folder.proposed(doc_id), "no proposed update is waiting")
        _finish(folder, doc_id, proposal_bytes, _entry(mine, doc_id, "dismissed source update"))
    return UpdateOutcome(
        [f"{display_path(folder.proposed(doc_id))}: set aside; {folder.yaml(doc_id).name} is unchanged, "
         "and this version of the source will not be proposed again"]
    )


def _plain(value: object) -> str:
    """A part of a leaflet as its words: texts of paragraphs and items, labels with their text."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return " · ".join(_plain(item) for item in value.values() if item is not None)
    if isinstance(value, list):
        return " · ".join(_plain(item) for item in value)
    return "" if value is None else str(value)


def _difference(mine: object, theirs: object, context: int = 40) -> str:
    """"yours: ... | the source's: ..." showing the words that differ [in brackets], with a little around them."""
    shown = []
    for parts in word_changes(_plain(mine), _plain(theirs)):
        merged: list[list] = []  # changed runs separated only by spaces become one
        for run, changed in parts:
            if merged and (changed or not run.strip()) and merged[-1][1]:
                merged[-1][0] += run
            else:
                merged.append([run, changed])
        pieces = []
        for index, (run, changed) in enumerate(merged):
            if changed:
                before = "".join(text for text, _ in merged[:index])[-context:]
                after = "".join(text for text, _ in merged[index + 1:])[:context]
                pieces.append(f"…{before}[{run.strip()}]{after}…")
        shown.append(" ".join(pieces) or "(nothing)")
    return f"yours: {_short(shown[0], 300)} | the source's: {_short(shown[1], 300)}"


def _short(value: object, limit: int = 160) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"
