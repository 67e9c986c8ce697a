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
    proposed_sha256: str | None = None  # the proposed update the pipeline last wrote beside the YAML
    # Every edition rendered (JSON: suffix -> Edition), so each edition is brought up to date on its
    # own and a published set keeps another edition only if it was made from the same YAML and is untouched.
    editions: str | None = None
    seen_yaml_sha256: str | None = None  # the YAML whose review the pipeline last looked at (rendering it or not)
    standing: str | None = None  # where that YAML's review stood: draft | reviewed | approved | changed
    approval: str | None = None  # the approval in effect (a review log entry as JSON), should the log lose it


@dataclass(frozen=True)
class Edition:
    """What one edition's page and PDF were made from, and their SHA-256s."""

    yaml: str  # the YAML text
    page: str
    pdf: str
    deps: str  # what rendering used (version, styles, page options)
    shown_as: str  # what the page says of its review: its standing, and "overdue" once past due
    until: str  # the first day (ISO) the page would read otherwise (past its review date); "" for none


def editions(record: Record | None) -> dict[str, Edition]:
    """The record's editions by file-name suffix; {} when none or damaged."""
    try:
        data = json.loads((record.editions if record else None) or "{}")
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    names = [field.name for field in fields(Edition)]
    return {
        suffix: Edition(**entry)
        for suffix, entry in data.items()
        if isinstance(entry, dict) and sorted(entry) == sorted(names) and all(isinstance(v, str) for v in entry.values())
    }


def with_edition(record: Record, suffix: str, edition: Edition) -> str:
    """The record's editions as JSON, ``suffix`` set to ``edition``."""
    known = {key: value.__dict__ for key, value in editions(record).items()}
    return json.dumps({**known, suffix: edition.__dict__}, sort_keys=True)


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
