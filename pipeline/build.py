"""Orchestration: files in, files out, one document at a time.

Everything that reads or writes files for a command lives here; the stages
stay pure. A file that fails is reported in one line and the batch goes on.

- ``run_extract``: input text -> ``normalized/`` and ``yaml/``;
- ``run_render``: YAML on disk -> ``html/``, ``pdf/`` and ``index.html``;
- ``run_build``: both, rendering the YAML on disk for every input (reviewed or not).
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from . import __version__
from .errors import ConfigError, LeafletFileError, PipelineError
from .extract import extract
from .files import collect_inputs, display_path, write_atomic
from .headings import HeadingTable, default_table, load_table
from .normalize import SiteText, default_site_text, load_site_text, normalize
from .records import Record, read_record, sha256_hex, write_record
from .render import IndexEntry, Renderer, RenderOptions, renderer_for
from .yamlio import SCHEMA_FILENAME, dump_leaflet, load_leaflet, schema_text

# Inputs larger than this are refused: a procedure description is a few KB.
MAX_INPUT_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    output: Path = Path("output")
    headings: HeadingTable = field(default_factory=default_table)
    site_text: SiteText = field(default_factory=default_site_text)
    render: RenderOptions = field(default_factory=RenderOptions)  # styles folder, page size, large print

    @classmethod
    def load(
        cls,
        output: Path,
        headings_path: Path | None = None,
        site_text_path: Path | None = None,
        render: RenderOptions | None = None,
    ) -> Settings:
        return cls(
            output=output,
            headings=load_table(headings_path),
            site_text=load_site_text(site_text_path),
            render=render or RenderOptions(),
        )


@dataclass
class FileResult:
    """What happened to one input; one entry of ``report.json``."""

    input: str
    id: str | None = None
    status: str = "failed"  # written | unchanged | kept | proposed | rendered | failed
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


# -- render ------------------------------------------------------------------

YAML_SUFFIX = ".yaml"
PROPOSED_SUFFIX = ".proposed.yaml"
# The pipeline's note of every leaflet rendered into this output folder, for index.html.
RENDERED_MANIFEST = Path(".leaflets") / "rendered.json"


def collect_yaml(paths: list[Path]) -> list[Path]:
    """YAML files as given; folders expanded to their ``*.yaml``, without ``*.proposed.yaml``."""
    found: list[Path] = []
    for path in paths:
        files = collect_inputs([path], suffix=YAML_SUFFIX)
        if path.is_dir():
            files = [file for file in files if not file.name.endswith(PROPOSED_SUFFIX)]
        found += files
    return list(dict.fromkeys(found))


def _output_id(path: Path) -> str:
    """Outputs are named after the YAML file: ``yaml/<id>.yaml`` -> ``html/<id>.html``."""
    return path.name.removesuffix(YAML_SUFFIX) if path.name.endswith(YAML_SUFFIX) else path.stem


def _read_yaml(path: Path) -> str:
    try:
        return read_input(path).decode("utf-8")
    except UnicodeDecodeError as error:
        raise PipelineError(f"not UTF-8 text: {error.reason} at byte {error.start}") from None


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def render_file(
    path: Path, settings: Settings, result: FileResult, *, renderer: Renderer, entries: dict[str, IndexEntry]
) -> None:
    """HTML page and PDF of one YAML file; ``entries`` collects what index.html lists."""
    if path.name.endswith(PROPOSED_SUFFIX):
        reviewed_name = path.name.replace(PROPOSED_SUFFIX, YAML_SUFFIX)
        raise PipelineError(f"is a proposed extraction; review it and save it as {reviewed_name} to render it")
    doc_id = _output_id(path)
    try:
        leaflet = load_leaflet(_read_yaml(path))
    except LeafletFileError as error:
        where = f"line {error.line}, column {error.column}: " if error.line and error.column else ""
        raise PipelineError(_one_line(where + str(error))) from None
    if leaflet.id != doc_id:
        result.warnings.append(
            f"{result.input}: warning: id {leaflet.id!r} differs from the file name; outputs are named {doc_id}"
        )
    try:
        rendered = renderer.render(leaflet)
    except PipelineError:
        raise
    except Exception as error:  # noqa: BLE001 - a layout-engine failure on one leaflet must not stop the batch
        raise PipelineError(_one_line(f"rendering failed: {type(error).__name__}: {error}")) from None
    html_path = settings.output / "html" / f"{doc_id}.html"
    pdf_path = settings.output / "pdf" / f"{doc_id}.pdf"
    write_atomic(html_path, rendered.html)
    write_atomic(pdf_path, rendered.pdf)
    result.outputs += [display_path(html_path), display_path(pdf_path)]
    result.warnings += [f"{result.input}: warning: {_one_line(message)}" for message in rendered.warnings]
    result.status = "rendered"
    entries[doc_id] = IndexEntry(id=doc_id, title=leaflet.title, status=leaflet.review.status)


def copy_assets(renderer: Renderer, html_dir: Path) -> None:
    """Fonts, logo and licences beside the HTML pages, so they work offline from ``html/``."""
    for relative, source in renderer.assets().items():
        target = html_dir / relative
        data = source.read_bytes()
        if not target.is_file() or target.read_bytes() != data:
            write_atomic(target, data)


def _read_manifest(output: Path) -> dict[str, IndexEntry]:
    try:
        data = json.loads((output / RENDERED_MANIFEST).read_text("utf-8"))
        return {
            doc_id: IndexEntry(id=doc_id, title=entry["title"], status=entry["status"]) for doc_id, entry in data.items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # missing or damaged: index.html then lists this run's leaflets only


def write_index(output: Path, renderer: Renderer, rendered: dict[str, IndexEntry]) -> None:
    """``index.html`` listing every leaflet rendered into ``output`` whose page and PDF still exist."""
    entries = {**_read_manifest(output), **rendered}
    entries = {
        doc_id: entry
        for doc_id, entry in sorted(entries.items())
        if (output / "html" / f"{doc_id}.html").is_file() and (output / "pdf" / f"{doc_id}.pdf").is_file()
    }
    manifest = {doc_id: {"title": entry.title, "status": entry.status} for doc_id, entry in entries.items()}
    write_atomic(output / RENDERED_MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    write_atomic(output / "index.html", renderer.render_index(list(entries.values())))


def _render_all(paths: list[Path], settings: Settings, notify: Notify | None) -> list[FileResult]:
    renderer = renderer_for(settings.render)
    prepare_output(settings.output)
    copy_assets(renderer, settings.output / "html")
    rendered: dict[str, IndexEntry] = {}
    work = functools.partial(render_file, renderer=renderer, entries=rendered)
    results: list[FileResult] = []
    first: dict[str, Path] = {}
    for path in paths:
        doc_id = _output_id(path)
        if doc_id in first:
            result = FileResult(input=display_path(path), id=doc_id)
            result.error = f"id {doc_id!r} is already used by {display_path(first[doc_id])}"
        else:
            first[doc_id] = path
            result = _run_one(path, settings, work)
        results.append(result)
        if notify:
            notify(result)
    write_index(settings.output, renderer, rendered)
    return results


def run_render(yaml_paths: list[Path], settings: Settings, notify: Notify | None = None) -> RunReport:
    """``leaflets render``: HTML page and PDF for every YAML file (default ``OUTPUT/yaml``), and ``index.html``."""
    started = time.perf_counter()
    if not yaml_paths:
        default = settings.output / "yaml"
        if not default.is_dir():
            raise ConfigError(f"{default}: no such folder; run `leaflets extract` first or name YAML files")
        yaml_paths = [default]
    report = RunReport(command="render", files=_render_all(collect_yaml(yaml_paths), settings, notify))
    report.seconds = time.perf_counter() - started
    write_atomic(settings.output / "report.json", report.to_json())
    return report


def run_build(inputs: list[Path], settings: Settings, notify: Notify | None = None) -> RunReport:
    """``leaflets build``: extract every input, then render the YAML on disk for each of them.

    The YAML on disk is rendered whatever happened to the extraction: a file a
    reviewer owns (kept, or with a proposed update beside it) is rendered as
    the reviewer left it; drafts are marked as drafts.
    """
    started = time.perf_counter()
    renderer_for(settings.render)  # a bad styles folder or theme stops the run before anything is written
    extracted = run_extract(inputs, settings, notify)
    ids = dict.fromkeys(result.id for result in extracted.files if result.id)
    on_disk = [settings.output / "yaml" / f"{doc_id}{YAML_SUFFIX}" for doc_id in ids]
    yaml_paths = [path for path in on_disk if path.is_file()]
    report = RunReport(command="build", files=extracted.files + _render_all(yaml_paths, settings, notify))
    report.seconds = time.perf_counter() - started
    write_atomic(settings.output / "report.json", report.to_json())
    return report
