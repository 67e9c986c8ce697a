"""Orchestration: files in, files out, one document at a time.

Everything that reads or writes files for a command lives here; the stages
stay pure. A file that fails is reported in one line and the batch goes on.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from . import __version__
from .errors import ConfigError, PipelineError
from .extract import extract
from .files import collect_inputs, display_path, write_atomic
from .headings import HeadingTable, default_table, load_table
from .normalize import SiteText, default_site_text, load_site_text, normalize
from .records import Record, read_record, sha256_hex, write_record
from .yamlio import SCHEMA_FILENAME, dump_leaflet, schema_text

# Inputs larger than this are refused: a procedure description is a few KB.
MAX_INPUT_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    output: Path = Path("output")
    headings: HeadingTable = field(default_factory=default_table)
    site_text: SiteText = field(default_factory=default_site_text)

    @classmethod
    def load(cls, output: Path, headings_path: Path | None = None, site_text_path: Path | None = None) -> Settings:
        return cls(output=output, headings=load_table(headings_path), site_text=load_site_text(site_text_path))


@dataclass
class FileResult:
    """What happened to one input; one entry of ``report.json``."""

    input: str
    id: str | None = None
    status: str = "failed"  # written | unchanged | kept | proposed | failed
    outputs: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0


@dataclass
class RunReport:
    command: str
    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[FileResult]:
        return [result for result in self.files if result.status == "failed"]

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for result in self.files:
            counts[result.status] = counts.get(result.status, 0) + 1
        return counts

    def to_json(self) -> str:
        data = {
            "command": self.command,
            "version": __version__,
            "summary": {
                "files": len(self.files),
                **self.counts(),
                "warnings": sum(len(result.warnings) for result in self.files),
                "seconds": round(self.seconds, 3),
            },
            "files": [asdict(result) for result in self.files],
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


Notify = Callable[[FileResult], None]


# -- reading -----------------------------------------------------------------


def read_input(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise PipelineError(f"file is {size:,} bytes; the limit is {MAX_INPUT_BYTES:,}")
        return path.read_bytes()
    except IsADirectoryError:
        raise PipelineError("is a folder, not a file") from None
    except OSError as error:
        raise PipelineError(f"cannot read: {error.strerror or error}") from None


# -- the reviewer's YAML -----------------------------------------------------


def _yaml_status_and_source(text: str) -> tuple[str | None, str | None]:
    """(review.status, source.sha256) of a YAML file on disk, None where unreadable."""
    try:
        data = yaml.safe_load(text)
        return data["review"]["status"], data["source"]["sha256"]
    except (yaml.YAMLError, KeyError, TypeError):
        return None, None


def store_yaml(output: Path, doc_id: str, fresh: str, input_sha256: str, result: FileResult) -> None:
    """Write the fresh YAML unless a person owns the file on disk (contract: Review rules)."""
    target = output / "yaml" / f"{doc_id}.yaml"
    try:
        existing = target.read_text("utf-8")
    except FileNotFoundError:
        existing = None
    except (OSError, UnicodeDecodeError) as error:
        raise PipelineError(f"cannot read existing {target.name}: {error}") from None
    record = read_record(output, doc_id)
    fresh_record = Record(input_sha256=input_sha256, yaml_sha256=sha256_hex(fresh))

    if existing == fresh:
        result.status = "unchanged"
    elif existing is None or _generated_by_us(existing, record):
        write_atomic(target, fresh)
        result.status = "written"
    else:
        status, source_sha256 = _yaml_status_and_source(existing)
        result.status = "kept"
        if source_sha256 != input_sha256:
            proposed = target.with_suffix(".proposed.yaml")
            write_atomic(proposed, fresh)
            result.status = "proposed"
            result.outputs.append(display_path(proposed))
            owner = "was edited by a person" if status == "draft" else f"is {status or 'unreadable'}"
            result.warnings.append(
                f"{display_path(target)} {owner} and its source changed; "
                f"the new extraction is in {proposed.name} for review"
            )
        return
    write_record(output, doc_id, fresh_record)
    result.outputs.append(display_path(target))


def _generated_by_us(existing: str, record: Record | None) -> bool:
    if record is None or record.yaml_sha256 != sha256_hex(existing):
        return False
    status, _ = _yaml_status_and_source(existing)
    return status == "draft"


# -- one file ----------------------------------------------------------------


def extract_file(path: Path, settings: Settings, result: FileResult) -> None:
    data = read_input(path)
    doc_id = path.stem
    input_sha256 = sha256_hex(data)
    normalized = normalize(data, site_text=settings.site_text, headings=settings.headings)
    leaflet = extract(
        normalized,
        doc_id=doc_id,
        source_path=result.input,
        sha256=input_sha256,
        headings=settings.headings,
    )
    result.warnings += [warning.format(result.input) for warning in leaflet.warnings]
    normalized_path = settings.output / "normalized" / f"{doc_id}.txt"
    write_atomic(normalized_path, normalized.text)
    result.outputs.append(display_path(normalized_path))
    store_yaml(settings.output, doc_id, dump_leaflet(leaflet), input_sha256, result)


def _run_one(path: Path, settings: Settings, work: Callable[[Path, Settings, FileResult], None]) -> FileResult:
    result = FileResult(input=display_path(path), id=path.stem)
    started = time.perf_counter()
    try:
        work(path, settings, result)
    except PipelineError as error:
        result.status = "failed"
        result.error = str(error)
    except OSError as error:
        result.status = "failed"
        result.error = f"cannot write output: {error.strerror or error}"
    result.seconds = round(time.perf_counter() - started, 6)
    return result


# -- commands ----------------------------------------------------------------


def _duplicate_ids(inputs: list[Path]) -> dict[Path, Path]:
    """Inputs whose id (file stem) an earlier input already has -> that input."""
    first: dict[str, Path] = {}
    clashes: dict[Path, Path] = {}
    for path in inputs:
        if path.stem in first:
            clashes[path] = first[path.stem]
        else:
            first[path.stem] = path
    return clashes


def prepare_output(output: Path) -> None:
    try:
        output.mkdir(parents=True, exist_ok=True)
        schema_path = output / SCHEMA_FILENAME
        if not schema_path.exists() or schema_path.read_text("utf-8") != schema_text():
            write_atomic(schema_path, schema_text())
    except OSError as error:
        raise ConfigError(f"{output}: cannot write to the output folder: {error.strerror or error}") from None


def run_extract(inputs: list[Path], settings: Settings, notify: Notify | None = None) -> RunReport:
    """``leaflets extract``: normalized text and YAML for every input."""
    started = time.perf_counter()
    paths = collect_inputs(inputs)
    prepare_output(settings.output)
    report = RunReport(command="extract")
    clashes = _duplicate_ids(paths)
    for path in paths:
        if path in clashes:
            result = FileResult(input=display_path(path), id=path.stem)
            result.error = f"id {path.stem!r} is already used by {display_path(clashes[path])}"
        else:
            result = _run_one(path, settings, extract_file)
        report.files.append(result)
        if notify:
            notify(result)
    report.seconds = time.perf_counter() - started
    write_atomic(settings.output / "report.json", report.to_json())
    return report
