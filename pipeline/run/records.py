"""What the pipeline remembers about each leaflet it wrote, and what it depended on.

One small JSON file per leaflet under ``OUTPUT/.leaflets/records/``, out of a
reviewer's way. It says which input bytes and which data/style files the
outputs were made from (so an unchanged leaflet is not rebuilt), and holds
the fingerprint of the YAML the pipeline generated (so a later run can tell
whether a person edited the file since).

A record is written after the outputs it describes: a run killed in between
leaves no record, and the next run simply does that leaflet again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from pipeline import __version__
from pipeline.errors import ConfigError, PipelineError
from pipeline.render.styles import MAX_STYLES_ASSET_BYTES, Refused, confined_file
from pipeline.run.files import display_path, read_limited
from pipeline.run.output_folder import MAX_RECORD_BYTES, OutputFolder


def sha256_hex(data: bytes | str) -> str:
    payload = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(payload).hexdigest()


@dataclass(frozen=True)
class Record:
    input_sha256: str | None = None  # input bytes the YAML was last extracted from
    extract_deps: str | None = None  # fingerprint of what extraction used (version, data files)
    yaml_sha256: str | None = None  # the YAML text the pipeline itself generated
    rendered_yaml_sha256: str | None = None  # the YAML text the HTML and PDF were made from
    render_deps: str | None = None  # fingerprint of what rendering used (version, styles, options)
    rendered_as: str | None = None  # what the page says of its review: its standing, and "overdue" once past due
    proposed_sha256: str | None = None  # the proposed update the pipeline last wrote beside the YAML
    # Every edition rendered (JSON: suffix -> [YAML, page, PDF] SHA-256s), so a published set keeps
    # another edition only if it was made from the same YAML and is untouched.
    edition_files: str | None = None
    seen_yaml_sha256: str | None = None  # the YAML whose review the pipeline last looked at (rendering it or not)
    standing: str | None = None  # where that YAML's review stood: draft | reviewed | approved | changed
    approval: str | None = None  # the approval in effect (a review log entry as JSON), should the log lose it


def edition_files(record: Record) -> dict[str, list[str]]:
    """The record's editions: suffix -> [YAML, page, PDF] SHA-256s; {} when none or damaged."""
    try:
        data = json.loads(record.edition_files or "{}")
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: value for key, value in data.items() if isinstance(value, list) and len(value) == 3}


def read_record(folder: OutputFolder, doc_id: str) -> Record | None:
    """The record of ``doc_id``; None when missing, damaged or refused (a link, a huge file)."""
    data = folder.read_or_none(folder.record(doc_id), MAX_RECORD_BYTES)
    try:
        entries = json.loads(data or b"")
        known = {field.name for field in fields(Record)}
        return Record(**{key: value for key, value in entries.items() if key in known and isinstance(value, str)})
    except (ValueError, TypeError, AttributeError):
        # A missing or damaged record means "not known to be ours": the YAML is protected.
        return None


def write_record(folder: OutputFolder, doc_id: str, record: Record) -> None:
    folder.write(folder.record(doc_id), json.dumps(asdict(record), indent=1) + "\n")


# -- fingerprints of what outputs depend on ------------------------------------


def fingerprint(parts: Iterable[bytes | str]) -> str:
    """One hash over several parts, each length-prefixed so boundaries cannot blur."""
    digest = hashlib.sha256(__version__.encode())
    for part in parts:
        payload = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(payload).to_bytes(8, "big"))
        digest.update(payload)
    return digest.hexdigest()


@functools.cache
def code_fingerprint() -> str:
    """One hash over the source of the whole package: part of every output's fingerprint.

    The version number changes only at a release, while every commit of main
    ships, so a change to the code must make outputs again. The whole package,
    not a list of the modules thought to matter: such a list goes stale.
    """
    return fingerprint(part for relative, source in package_sources() for part in (relative, source))


def package_sources() -> list[tuple[str, bytes]]:
    """(path, source) of every module of the package, in a fixed order."""
    root = Path(__file__).resolve().parents[1]  # pipeline/, not this module's own folder
    return [(path.relative_to(root).as_posix(), path.read_bytes()) for path in sorted(root.rglob("*.py"))]


def folder_files(folders: Iterable[Path]) -> list[tuple[str, Path]]:
    """Every file the styles folders offer, by relative path, first folder winning.

    Only what the renderer may read: entries :func:`~pipeline.render.styles.confined_file`
    refuses (links leading outside, pipes, devices) are left out, and linked
    folders are not entered, so none of them is ever opened here.
    """
    found: dict[str, Path] = {}
    for folder in folders:
        for parent, _, names in os.walk(folder):  # followlinks=False
            for name in names:
                relative = (Path(parent) / name).relative_to(folder).as_posix()
                if name.startswith(".") or relative in found:
                    continue
                try:
                    if (real := confined_file(folder, relative)) is not None:
                        found[relative] = real
                except Refused:
                    continue
    return sorted(found.items())


def folders_fingerprint(folders: Iterable[Path], *extra: str) -> str:
    folders = tuple(folders)
    parts: list[bytes | str] = list(extra)
    for relative, path in folder_files(folders):
        folder = next(folder for folder in folders if path.is_relative_to(folder))
        try:
            data = read_limited(path, MAX_STYLES_ASSET_BYTES, "the limit for a styles file", inside=folder)
        except PipelineError as error:  # replaced since it was listed
            raise ConfigError(f"{display_path(path)}: {error}") from None
        parts += [relative, data]
    return fingerprint(parts)
