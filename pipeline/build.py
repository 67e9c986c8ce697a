"""Orchestration: which documents need work, running it, and the account of the run.

Each command reads like a checklist: collect the files, decide per document
what is out of date (from its record, see :mod:`pipeline.records`), run that
work on worker processes (:mod:`pipeline.batch`), then write ``index.html``,
the review page and ``report.json``. The stages themselves stay pure; the
per-document reading and writing is in :mod:`pipeline.work`.

- ``run_extract``: input text -> ``normalized/`` and ``yaml/``;
- ``run_render``: YAML on disk -> ``html/``, ``pdf/``, ``index.html``;
- ``run_build``: both, rendering the YAML on disk for every input (reviewed or not).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import __version__
from .batch import run_tasks
from .errors import ConfigError, LeafletFileError, PipelineError
from .files import InputFiles, collect_inputs, display_path, has_control_characters, read_limited, write_atomic
from .records import STATE_DIR, Record, read_record, sha256_hex
from .settings import Settings
from .work import PROPOSED_SUFFIX, YAML_SUFFIX, FileResult, Task

# Inputs larger than this are refused: a procedure description is a few KB.
MAX_INPUT_BYTES = 2 * 1024 * 1024
# Longest id (input file stem) in UTF-8 bytes: "<id>.proposed.yaml" and its
# temporary name ".<name>.XXXXXXXX.tmp" must stay within the usual 255-byte name limit.
MAX_ID_BYTES = 200
OUTPUT_FOLDERS = ("yaml", "normalized", "html", "pdf", str(STATE_DIR), str(STATE_DIR / "records"))
SCHEMA_FILENAME = "leaflet.schema.json"
# The pipeline's note of every leaflet rendered into this output folder, for index.html.
RENDERED_MANIFEST = STATE_DIR / "rendered.json"

Notify = Callable[[FileResult], None]


@dataclass
class RunReport:
    command: str
    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    jobs: int = 1
    interrupted: bool = False

    @property
    def failed(self) -> list[FileResult]:
        return [result for result in self.files if result.status == "failed"]

    def counts(self) -> dict[str, int]:
        counts = {"built": 0, "up to date": 0, "skipped": 0, "failed": 0}
        for result in self.files:
            counts[result.status] = counts.get(result.status, 0) + 1
        return counts

    @property
    def warnings(self) -> int:
        return sum(len(result.warnings) for result in self.files)

    def summary(self) -> dict[str, object]:
        counts = self.counts()
        return {
            "documents": len(self.files),
            "built": counts["built"],
            "up_to_date": counts["up to date"],
            "skipped": counts["skipped"],
            "failed": counts["failed"],
            "warnings": self.warnings,
            "seconds": round(self.seconds, 3),
            "per_second": round(counts["built"] / self.seconds, 2) if self.seconds else 0.0,
            "jobs": self.jobs,
            "interrupted": self.interrupted,
        }

    def summary_line(self) -> str:
        s = self.summary()
        line = (
            f"{self.command}: {s['built']} built, {s['up_to_date']} up to date, "
            + (f"{s['skipped']} skipped, " if s["skipped"] else "")
            + f"{s['failed']} failed, {s['warnings']} warnings; {s['seconds']:.2f} s, {s['per_second']:.1f}/s"
        )
        return line + (" (interrupted)" if self.interrupted else "")

    def to_json(self) -> str:
        data = {
            "command": self.command,
            "version": __version__,
            "summary": self.summary(),
            "files": [_report_entry(result) for result in self.files],
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _report_entry(result: FileResult) -> dict[str, object]:
    entry = asdict(result)
    del entry["title"], entry["review_status"]
    return entry


# -- the output folder ---------------------------------------------------------


def prepare_output(output: Path) -> None:
    """Create the folder, check it can be written, publish the schema, remove temporaries a killed run left.

    A folder that cannot be written stops the run here (exit status 2) rather
    than failing every document one by one.
    """
    from importlib import resources

    def schema_text() -> str:
        return resources.files("pipeline").joinpath("schema", SCHEMA_FILENAME).read_text("utf-8")

    shown = display_path(output)
    for folder in (output, *(output / name for name in OUTPUT_FOLDERS)):
        if folder.exists() and not folder.is_dir():
            where = "" if folder == output else f" ({display_path(folder)})"
            raise ConfigError(f"{shown}: cannot write to the output folder{where}: it is a file, not a folder")
    try:
        output.mkdir(parents=True, exist_ok=True)
        for folder in (output, *(output / name for name in OUTPUT_FOLDERS)):
            if folder.is_dir():
                _probe_writable(folder)
        schema_path = output / SCHEMA_FILENAME
        if not schema_path.exists() or schema_path.read_text("utf-8") != schema_text():
            write_atomic(schema_path, schema_text())
        for folder in (output, *(output / name for name in OUTPUT_FOLDERS)):
            if folder.is_dir():
                for stale in folder.glob(".*.tmp"):
                    stale.unlink(missing_ok=True)
    except OSError as error:
        raise ConfigError(f"{shown}: cannot write to the output folder: {error.strerror or error}") from None


def _probe_writable(folder: Path) -> None:
    """Create and remove a temporary file: the only sure test that ``folder`` can be written."""
    import os
    import tempfile

    handle, name = tempfile.mkstemp(dir=folder, prefix=".probe.", suffix=".tmp")
    os.close(handle)
    os.unlink(name)


def read_input(path: Path) -> bytes:
    return read_limited(path, MAX_INPUT_BYTES, "the limit for an input file")


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


# -- deciding what to do ---------------------------------------------------------


@dataclass
class Plan:
    tasks: list[Task] = field(default_factory=list)
    done: list[FileResult] = field(default_factory=list)  # failed before any work, or up to date


def _rendered_up_to_date(settings: Settings, doc_id: str, record: Record | None, yaml_text: bytes | None) -> bool:
    if record is None or yaml_text is None or settings.force:
        return False
    outputs = (settings.output / "html" / f"{doc_id}.html", settings.output / "pdf" / f"{doc_id}.pdf")
    return (
        record.rendered_yaml_sha256 == sha256_hex(yaml_text)
        and record.render_deps == settings.render_deps
        and all(path.is_file() for path in outputs)
    )


def _not_approved(yaml_text: bytes | None) -> bool:
    """For --approved-only: a quick look at review.status, without validating the file."""
    from .work import peek_yaml

    try:
        return peek_yaml(yaml_text or b"")["review"]["status"] != "approved"
    except Exception:  # noqa: BLE001 - an unreadable file is the renderer's to report
        return False


def _claim_id(doc_id: str, path: Path, owners: dict[str, Path]) -> FileResult | None:
    """A failed result when another file already produces outputs named ``doc_id``."""
    if doc_id in owners:
        result = FileResult(input=display_path(path), id=doc_id)
        result.error = f"id {doc_id!r} is already used by {display_path(owners[doc_id])}"
        return result
    owners[doc_id] = path
    return None


def _refusal(path: Path, doc_id: str, refused: dict[Path, str]) -> str | None:
    """Why ``path`` may not be worked on at all, before it is read."""
    if path in refused:
        return refused[path]
    if has_control_characters(path.name):
        return "the file name has control characters (a newline?); rename the file"
    if len(doc_id.encode("utf-8", "surrogateescape")) > MAX_ID_BYTES:
        return f"the file name is too long for its outputs (at most {MAX_ID_BYTES} bytes before .txt); rename the file"
    return None


def plan_inputs(paths: list[Path] | InputFiles, settings: Settings, *, render: bool) -> Plan:
    """Extraction (and, for build, rendering) work for each input text file."""
    plan = Plan()
    owners: dict[str, Path] = {}
    refused = getattr(paths, "refused", {})
    for path in paths:
        doc_id, shown = path.stem, display_path(path)
        refusal = _refusal(path, doc_id, refused)
        if refusal:
            plan.done.append(FileResult(input=shown, id=doc_id, error=refusal))
            continue
        clash = _claim_id(doc_id, path, owners)
        if clash:
            plan.done.append(clash)
            continue
        try:
            data = read_input(path)
        except PipelineError as error:
            plan.done.append(FileResult(input=shown, id=doc_id, error=str(error)))
            continue
        record = read_record(settings.output, doc_id)
        yaml_text = _read_bytes(settings.output / "yaml" / f"{doc_id}{YAML_SUFFIX}")
        extract_current = (
            not settings.force
            and record is not None
            and record.input_sha256 == sha256_hex(data)
            and record.extract_deps == settings.extract_deps
            and yaml_text is not None
        )
        render_current = not render or _rendered_up_to_date(settings, doc_id, record, yaml_text)
        if render and extract_current and settings.approved_only and _not_approved(yaml_text):
            plan.done.append(FileResult(input=shown, id=doc_id, status="skipped"))
        elif extract_current and render_current:
            plan.done.append(FileResult(input=shown, id=doc_id, status="up to date"))
        else:
            plan.tasks.append(
                Task(doc_id, shown, input_path=path, data=data, extract=not extract_current, render=render)
            )
    return plan


def _output_id(path: Path) -> str:
    """Outputs are named after the YAML file: ``yaml/<id>.yaml`` -> ``html/<id>.html``."""
    return path.name.removesuffix(YAML_SUFFIX) if path.name.endswith(YAML_SUFFIX) else path.stem


def collect_yaml(paths: list[Path]) -> InputFiles:
    """YAML files as given; folders expanded to their ``*.yaml``, without ``*.proposed.yaml``."""
    found = InputFiles()
    for path in paths:
        files = collect_inputs([path], suffix=YAML_SUFFIX)
        found.refused.update(files.refused)
        found += [file for file in files if not (path.is_dir() and file.name.endswith(PROPOSED_SUFFIX))]
    return InputFiles(list(dict.fromkeys(found)), found.refused)


def plan_yaml(paths: list[Path] | InputFiles, settings: Settings) -> Plan:
    """Rendering work for each YAML file."""
    plan = Plan()
    owners: dict[str, Path] = {}
    refused = getattr(paths, "refused", {})
    for path in paths:
        doc_id, shown = _output_id(path), display_path(path)
        refusal = _refusal(path, doc_id, refused)
        if refusal:
            plan.done.append(FileResult(input=shown, id=doc_id, error=refusal))
            continue
        if path.name.endswith(PROPOSED_SUFFIX):
            reviewed = path.name.replace(PROPOSED_SUFFIX, YAML_SUFFIX)
            error = f"is a proposed extraction; review it and save it as {reviewed} to render it"
            plan.done.append(FileResult(input=shown, id=doc_id, error=error))
            continue
        clash = _claim_id(doc_id, path, owners)
        if clash:
            plan.done.append(clash)
            continue
        yaml_text = _read_bytes(path)
        record = read_record(settings.output, doc_id)
        if settings.approved_only and _not_approved(yaml_text):
            plan.done.append(FileResult(input=shown, id=doc_id, status="skipped"))
        elif _rendered_up_to_date(settings, doc_id, record, yaml_text):
            plan.done.append(FileResult(input=shown, id=doc_id, status="up to date"))
        else:
            plan.tasks.append(Task(doc_id, shown, yaml_path=path, render=True))
    return plan


# -- running -------------------------------------------------------------------


def execute(command: str, plan: Plan, settings: Settings, notify: Notify | None, started: float,
            on_start: Callable[[int], None] | None = None, on_work: Notify | None = None) -> RunReport:
    """Run the plan's tasks; Ctrl-C stops the workers and returns what finished."""
    report = RunReport(command=command, jobs=settings.jobs)
    by_input: dict[str, FileResult] = {}

    def take(result: FileResult) -> None:
        by_input[result.input] = result
        if notify:
            notify(result)

    for result in plan.done:
        take(result)
    if on_start:
        on_start(len(plan.tasks))

    def finished(result: FileResult) -> None:
        take(result)
        if on_work:
            on_work(result)

    try:
        run_tasks(plan.tasks, settings, finished)
    except KeyboardInterrupt:
        report.interrupted = True
    order = [result.input for result in plan.done] + [task.display for task in plan.tasks]
    report.files = [by_input[name] for name in dict.fromkeys(order) if name in by_input]
    report.seconds = time.perf_counter() - started
    return report


def _finish(report: RunReport, settings: Settings, rendered_any: bool) -> RunReport:
    write_index(settings.output, settings, report, rendered_any)
    try:
        write_review(settings.output, settings, dt.date.today())
    finally:
        write_atomic(settings.output / "report.json", report.to_json())
    return report


# -- index.html ----------------------------------------------------------------


def _read_manifest(output: Path) -> dict[str, dict[str, str]] | None:
    try:
        data = json.loads((output / RENDERED_MANIFEST).read_text("utf-8"))
        return {doc_id: {"title": str(e["title"]), "status": str(e["status"])} for doc_id, e in data.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _entries_from_yaml(output: Path) -> dict[str, dict[str, str]]:
    """Index entries read back from the YAML folder, when the manifest is missing or damaged."""
    from .work import peek_yaml

    entries = {}
    for path in sorted((output / "yaml").glob(f"*{YAML_SUFFIX}")):
        if path.name.endswith(PROPOSED_SUFFIX):
            continue
        try:
            data = peek_yaml(path.read_bytes())
            entries[_output_id(path)] = {"title": str(data["title"]), "status": str(data["review"]["status"])}
        except Exception:  # noqa: BLE001 - a broken file is simply not listed; render reports it
            continue
    return entries


def write_index(output: Path, settings: Settings, report: RunReport, rendered_any: bool) -> None:
    """``index.html`` listing every leaflet rendered into ``output`` whose page and PDF still exist.

    Rewritten only when a leaflet was rendered or the list changed, so a run
    with nothing to do does not load the layout engine.
    """
    known = _read_manifest(output)
    entries = dict(known if known is not None else _entries_from_yaml(output))
    for result in report.files:
        if result.render == "rendered" and result.id and result.title:
            entries[result.id] = {"title": result.title, "status": result.review_status or "draft"}
    entries = {
        doc_id: entry
        for doc_id, entry in sorted(entries.items())
        if (output / "html" / f"{doc_id}.html").is_file() and (output / "pdf" / f"{doc_id}.pdf").is_file()
    }
    if not rendered_any and entries == known and (output / "index.html").is_file():
        return
    from .render import IndexEntry
    from .work import _renderer

    renderer = _renderer(settings)
    copy_assets(renderer, output / "html")
    write_atomic(output / RENDERED_MANIFEST, json.dumps(entries, indent=2, ensure_ascii=False) + "\n")
    index = renderer.render_index([IndexEntry(id=k, title=v["title"], status=v["status"]) for k, v in entries.items()])
    write_atomic(output / "index.html", index)


# -- review.html ---------------------------------------------------------------

REVIEW_STATE = STATE_DIR / "review.json"


def _review_fingerprint(output: Path, today: dt.date) -> str:
    """What the review page shows depends on: the YAML files, which outputs exist, and today."""
    from .records import fingerprint

    parts: list[bytes | str] = [today.isoformat()]
    yaml_dir = output / "yaml"
    for path in sorted(yaml_dir.glob(f"*{YAML_SUFFIX}")) if yaml_dir.is_dir() else ():
        doc_id = path.name.removesuffix(PROPOSED_SUFFIX).removesuffix(YAML_SUFFIX)
        present = "".join(str(int((output / kind / f"{doc_id}.{kind}").is_file())) for kind in ("html", "pdf"))
        parts += [path.name, _read_bytes(path) or b"", present]
    return fingerprint(parts)


def write_review(output: Path, settings: Settings, today: dt.date) -> None:
    """``review.html``, rewritten only when something it shows changed (it checks every YAML)."""
    state = output / REVIEW_STATE
    current = _review_fingerprint(output, today)
    previous = _read_bytes(state)
    if previous is not None and previous.decode("utf-8", "replace").strip() == current and (output / "review.html").is_file():
        return
    from .dashboard import write_review_page
    from .work import _renderer

    write_review_page(output, _renderer(settings), today)
    write_atomic(state, current + "\n")


def copy_assets(renderer, html_dir: Path) -> None:  # noqa: ANN001 - a pipeline.render.Renderer
    """Fonts, logo and licences beside the HTML pages, so they work offline from ``html/``."""
    for relative, source in renderer.assets().items():
        target = html_dir / relative
        data = source.read_bytes()
        if not target.is_file() or target.read_bytes() != data:
            write_atomic(target, data)


# -- commands ------------------------------------------------------------------


@dataclass
class Hooks:
    """How the caller follows the run: every document, the start of the work, each worker result."""

    notify: Notify | None = None
    on_start: Callable[[int], None] | None = None
    on_work: Notify | None = None


def _check_renderer(settings: Settings) -> None:
    """A bad styles folder, theme or print stylesheet stops the run before any work (only loaded when rendering)."""
    from .work import _renderer

    _renderer(settings).pdf_writer()


def run_extract(inputs: list[Path], settings: Settings, hooks: Hooks | None = None) -> RunReport:
    """``leaflets extract``: normalized text and YAML for every input."""
    hooks = hooks or Hooks()
    started = time.perf_counter()
    plan = plan_inputs(collect_inputs(inputs), settings, render=False)
    if plan.tasks:
        settings.check_extraction_data()
    prepare_output(settings.output)
    report = execute("extract", plan, settings, hooks.notify, started, hooks.on_start, hooks.on_work)
    try:
        write_review(settings.output, settings, dt.date.today())
    finally:
        write_atomic(settings.output / "report.json", report.to_json())
    return report


def run_render(yaml_paths: list[Path], settings: Settings, hooks: Hooks | None = None) -> RunReport:
    """``leaflets render``: HTML page and PDF for every YAML file (default ``OUTPUT/yaml``), and ``index.html``."""
    hooks = hooks or Hooks()
    started = time.perf_counter()
    if not yaml_paths:
        default = settings.output / "yaml"
        if not default.is_dir():
            raise ConfigError(f"{default}: no such folder; run `leaflets extract` first or name YAML files")
        yaml_paths = [default]
    plan = plan_yaml(collect_yaml(yaml_paths), settings)
    if plan.tasks:
        _check_renderer(settings)
    prepare_output(settings.output)
    report = execute("render", plan, settings, hooks.notify, started, hooks.on_start, hooks.on_work)
    return _finish(report, settings, rendered_any=bool(plan.tasks))


def run_build(inputs: list[Path], settings: Settings, hooks: Hooks | None = None) -> RunReport:
    """``leaflets build``: extract every input, then render the YAML on disk for each of them.

    The YAML on disk is rendered whatever happened to the extraction: a file a
    reviewer owns (kept, or with a proposed update beside it) is rendered as
    the reviewer left it; drafts are marked as drafts.
    """
    hooks = hooks or Hooks()
    started = time.perf_counter()
    plan = plan_inputs(collect_inputs(inputs), settings, render=True)
    if plan.tasks:
        settings.check_extraction_data()
        _check_renderer(settings)
    prepare_output(settings.output)
    report = execute("build", plan, settings, hooks.notify, started, hooks.on_start, hooks.on_work)
    return _finish(report, settings, rendered_any=bool(plan.tasks))


# -- check ---------------------------------------------------------------------


@dataclass
class CheckReport:
    files: int = 0
    errors: int = 0
    warnings: int = 0
    lines: list[str] = field(default_factory=list)


def run_check(yaml_paths: list[Path], output: Path, today: dt.date, print_line: Callable[[str], None]) -> CheckReport:
    """``leaflets check``: every problem of every YAML file, one ``file:line:col`` line each."""
    from .check import ERROR, check_text

    report = CheckReport()
    if not yaml_paths:
        default = output / "yaml"
        if not default.is_dir():
            raise ConfigError(f"{default}: no such folder; name YAML files to check")
        yaml_paths = [default]
    from .settings import MAX_YAML_BYTES
    from .work import read_yaml_text

    collected = collect_yaml(yaml_paths)
    for path in collected:
        report.files += 1
        shown = display_path(path)
        try:
            if path in collected.refused:
                raise PipelineError(collected.refused[path])
            problems = check_text(read_yaml_text(path, MAX_YAML_BYTES), today)
        except LeafletFileError as error:
            report.errors += 1
            where = f"{shown}:{error.line}:{error.column or 1}" if error.line else shown
            print_line(f"{where}: error: {error}")
            continue
        except PipelineError as error:
            report.errors += 1
            print_line(f"{shown}: error: {error}")
            continue
        for problem in problems:
            if problem.severity == ERROR:
                report.errors += 1
            else:
                report.warnings += 1
            print_line(problem.format(shown))
    return report
