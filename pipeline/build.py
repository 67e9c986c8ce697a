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
import os
import time
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipeline import __version__
from pipeline.batch import run_tasks
from pipeline.errors import ConfigError, LeafletFileError, PipelineError
from pipeline.files import InputFiles, collect_inputs, display_path, read_limited
from pipeline.output_folder import MAX_STATE_BYTES, OutputFolder, PROPOSED_SUFFIX, YAML_SUFFIX, id_problem
from pipeline.records import Record, read_record, sha256_hex
from pipeline.settings import Settings
from pipeline.work import FileResult, Task, cannot_write

# Inputs larger than this are refused: a procedure description is a few KB.
MAX_INPUT_BYTES = 2 * 1024 * 1024

Notify = Callable[[FileResult], None]


@dataclass
class RunReport:
    command: str
    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    jobs: int = 1
    interrupted: bool = False
    notes: list[str] = field(default_factory=list)  # about the run, not one file
    errors: list[str] = field(default_factory=list)  # the run could not finish its own files (a full disk)

    @property
    def failed(self) -> list[FileResult]:
        return [result for result in self.files if result.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.errors

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
            "notes": self.notes,
            "errors": self.errors,
            "files": [_report_entry(result) for result in self.files],
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _report_entry(result: FileResult) -> dict[str, object]:
    entry = asdict(result)
    del entry["title"], entry["review_status"]
    return entry


# -- reading -------------------------------------------------------------------


def read_input(path: Path) -> bytes:
    return read_limited(path, MAX_INPUT_BYTES, "the limit for an input file")


# -- deciding what to do ---------------------------------------------------------


@dataclass
class Plan:
    tasks: list[Task] = field(default_factory=list)
    done: list[FileResult] = field(default_factory=list)  # failed before any work, or up to date


def _rendered_up_to_date(settings: Settings, doc_id: str, record: Record | None, yaml_text: bytes | None) -> bool:
    if record is None or yaml_text is None or settings.force:
        return False
    return (
        record.rendered_yaml_sha256 == sha256_hex(yaml_text)
        and record.render_deps == settings.render_deps
        and settings.folder.rendered(doc_id)
    )


def _not_approved(yaml_text: bytes | None) -> bool:
    """For --approved-only: a quick look at review.status, without validating the file."""
    from pipeline.work import peek_yaml

    try:
        return peek_yaml(yaml_text or b"")["review"]["status"] != "approved"
    except Exception:  # noqa: BLE001 - an unreadable file is the renderer's to report
        return False


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


def _refusal(path: Path, doc_id: str, refused: dict[Path, str]) -> str | None:
    """Why ``path`` may not be worked on at all, before it is read."""
    if path in refused:
        return refused[path]
    return id_problem(doc_id)


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
            yaml_text = _yaml_on_disk(settings.folder, doc_id)
        except PipelineError as error:
            plan.done.append(FileResult(input=shown, id=doc_id, error=str(error)))
            continue
        record = read_record(settings.folder, doc_id)
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
        doc_id, shown = OutputFolder.yaml_id(path), display_path(path)
        if path.name.endswith(PROPOSED_SUFFIX):
            reviewed = path.name.replace(PROPOSED_SUFFIX, YAML_SUFFIX)
            error = f"is a proposed extraction; review it and save it as {reviewed} to render it"
            plan.done.append(FileResult(input=shown, id=doc_id, error=error))
            continue
        refusal = _refusal(path, doc_id, refused)
        if refusal:
            plan.done.append(FileResult(input=shown, id=doc_id, error=refusal))
            continue
        clash = _claim_id(doc_id, path, owners)
        if clash:
            plan.done.append(clash)
            continue
        try:
            yaml_text = settings.folder.read_named_yaml(path)
        except PipelineError:
            yaml_text = None  # rendering reports why
        record = read_record(settings.folder, doc_id)
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


def _finish(report: RunReport, settings: Settings, *, index: bool, rendered_any: bool = False) -> RunReport:
    """The folder's own files: ``index.html``, ``review.html``, ``report.json``.

    A failure to write one (a full or read-only disk) is one line in the
    report, not a traceback; the others are still tried, and a ``report.json``
    that cannot be written is removed rather than left looking current.
    """
    folder = settings.folder
    today = dt.date.today()
    steps = [(folder.review_page, lambda: write_review(folder, settings, today))]
    if index:
        steps.insert(0, (folder.index, lambda: write_index(folder, settings, report, rendered_any)))
    for path, step in steps:
        try:
            step()
        except OSError as error:
            report.errors.append(f"leaflets: error: {cannot_write(error)}")
        except PipelineError as error:
            report.errors.append(f"{display_path(path)}: error: {error}")
        except (MemoryError, RecursionError) as error:
            report.errors.append(f"{display_path(path)}: error: could not be made ({type(error).__name__})")
    try:
        folder.write(folder.report, report.to_json())
    except OSError as error:
        report.errors.append(f"leaflets: error: {cannot_write(error)}")
        try:
            if os.path.lexists(folder.report):
                folder.report.unlink()
        except OSError:
            report.errors.append(
                f"leaflets: error: {display_path(folder.report)} could not be removed either; it is from an earlier run"
            )
    return report


# -- index.html ----------------------------------------------------------------


def _read_manifest(folder: OutputFolder) -> dict[str, dict[str, str]] | None:
    """The manifest's entries; None when it is missing, damaged or forged (an id that names no leaflet file)."""
    try:
        data = json.loads(folder.read_or_none(folder.manifest, MAX_STATE_BYTES) or b"")
        entries = {doc_id: {"title": str(e["title"]), "status": str(e["status"])} for doc_id, e in data.items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if any(not isinstance(doc_id, str) or id_problem(doc_id) for doc_id in entries):
        return None
    return entries


def _entries_from_yaml(folder: OutputFolder) -> dict[str, dict[str, str]]:
    """Index entries read back from the YAML folder, when the manifest is missing or damaged."""
    from pipeline.work import peek_yaml

    entries = {}
    for path in folder.reviewed_yaml():
        try:
            data = peek_yaml(folder.read_yaml(path) or b"")
            entries[OutputFolder.yaml_id(path)] = {"title": str(data["title"]), "status": str(data["review"]["status"])}
        except Exception:  # noqa: BLE001 - a broken file is simply not listed; render reports it
            continue
    return entries


def write_index(folder: OutputFolder, settings: Settings, report: RunReport, rendered_any: bool) -> None:
    """``index.html`` listing every leaflet rendered into the folder whose page and PDF still exist.

    Rewritten only when a leaflet was rendered or the list changed, so a run
    with nothing to do does not load the layout engine.
    """
    known = _read_manifest(folder)
    entries = dict(known if known is not None else _entries_from_yaml(folder))
    for result in report.files:
        if result.render == "rendered" and result.id and result.title:
            entries[result.id] = {"title": result.title, "status": result.review_status or "draft"}
    entries = {doc_id: entry for doc_id, entry in sorted(entries.items()) if folder.rendered(doc_id)}
    if not rendered_any and entries == known and folder.index.is_file():
        return
    from pipeline.render import IndexEntry
    from pipeline.work import _renderer

    renderer = _renderer(settings)
    copy_assets(renderer, folder)
    index = renderer.render_index([IndexEntry(id=k, title=v["title"], status=v["status"]) for k, v in entries.items()])
    folder.write(folder.index, index)
    # After the page: a manifest that says more than the page would stop it being made again.
    folder.write(folder.manifest, json.dumps(entries, indent=2, ensure_ascii=False) + "\n")


# -- review.html ---------------------------------------------------------------


def _review_fingerprint(folder: OutputFolder, today: dt.date) -> str:
    """What the review page shows depends on: the YAML files, which outputs exist, and today."""
    from pipeline.records import fingerprint

    parts: list[bytes | str] = [today.isoformat()]
    yaml_dir = folder.yaml_dir
    for path in sorted(yaml_dir.glob(f"*{YAML_SUFFIX}")) if yaml_dir.is_dir() else ():
        doc_id = path.name.removesuffix(PROPOSED_SUFFIX).removesuffix(YAML_SUFFIX)
        present = f"{int(folder.html(doc_id).is_file())}{int(folder.pdf(doc_id).is_file())}"
        parts += [path.name, _yaml_or_refusal(folder, path), present]
    return fingerprint(parts)


def _yaml_or_refusal(folder: OutputFolder, path: Path) -> bytes | str:
    try:
        return folder.read_yaml(path) or b""
    except PipelineError as error:
        return str(error)


def write_review(folder: OutputFolder, settings: Settings, today: dt.date) -> None:
    """``review.html``, rewritten only when something it shows changed (it checks every YAML)."""
    current = _review_fingerprint(folder, today)
    previous = folder.read_or_none(folder.review_state, MAX_STATE_BYTES)
    if previous is not None and previous.decode("utf-8", "replace").strip() == current and folder.review_page.is_file():
        return
    from pipeline.dashboard import write_review_page
    from pipeline.work import _renderer

    write_review_page(folder, _renderer(settings), today)
    folder.write(folder.review_state, current + "\n")


def copy_assets(renderer, folder: OutputFolder) -> None:  # noqa: ANN001 - a pipeline.render.Renderer
    """Fonts, logo and licences beside the HTML pages, so they work offline from ``html/``."""
    for relative, source in renderer.assets().items():
        target = folder.html_dir / relative
        data = source.read_bytes()
        if folder.read_or_none(target, len(data)) != data:
            folder.write(target, data)


# -- commands ------------------------------------------------------------------


@dataclass
class Hooks:
    """How the caller follows the run: every document, the start of the work, each worker result."""

    notify: Notify | None = None
    on_start: Callable[[int], None] | None = None
    on_work: Notify | None = None


def _check_renderer(settings: Settings) -> None:
    """A bad styles folder, theme or print stylesheet stops the run before any work (only loaded when rendering)."""
    from pipeline.work import _renderer

    _renderer(settings).pdf_writer()


def run_extract(inputs: list[Path], settings: Settings, hooks: Hooks | None = None) -> RunReport:
    """``leaflets extract``: normalized text and YAML for every input."""
    hooks = hooks or Hooks()
    started = time.perf_counter()
    files = collect_inputs(inputs)
    with settings.folder.claim("extract"):
        plan = plan_inputs(files, settings, render=False)
        if plan.tasks:
            settings.check_extraction_data()
        notes = settings.folder.prepare()
        report = execute("extract", plan, settings, hooks.notify, started, hooks.on_start, hooks.on_work)
        report.notes += notes
        return _finish(report, settings, index=False)


def run_render(yaml_paths: list[Path], settings: Settings, hooks: Hooks | None = None) -> RunReport:
    """``leaflets render``: HTML page and PDF for every YAML file (default ``OUTPUT/yaml``), and ``index.html``."""
    hooks = hooks or Hooks()
    started = time.perf_counter()
    if not yaml_paths:
        default = settings.folder.yaml_dir
        if not default.is_dir():
            raise ConfigError(f"{display_path(default)}: no such folder; run `leaflets extract` first or name YAML files")
        yaml_paths = [default]
    files = collect_yaml(yaml_paths)
    with settings.folder.claim("render"):
        plan = plan_yaml(files, settings)
        if plan.tasks:
            _check_renderer(settings)
        notes = settings.folder.prepare()
        report = execute("render", plan, settings, hooks.notify, started, hooks.on_start, hooks.on_work)
        report.notes += notes
        return _finish(report, settings, index=True, rendered_any=bool(plan.tasks))


def run_build(inputs: list[Path], settings: Settings, hooks: Hooks | None = None) -> RunReport:
    """``leaflets build``: extract every input, then render the YAML on disk for each of them.

    The YAML on disk is rendered whatever happened to the extraction: a file a
    reviewer owns (kept, or with a proposed update beside it) is rendered as
    the reviewer left it; drafts are marked as drafts.
    """
    hooks = hooks or Hooks()
    started = time.perf_counter()
    files = collect_inputs(inputs)
    with settings.folder.claim("build"):
        plan = plan_inputs(files, settings, render=True)
        if plan.tasks:
            settings.check_extraction_data()
            _check_renderer(settings)
        notes = settings.folder.prepare()
        report = execute("build", plan, settings, hooks.notify, started, hooks.on_start, hooks.on_work)
        report.notes += notes
        return _finish(report, settings, index=True, rendered_any=bool(plan.tasks))


# -- check ---------------------------------------------------------------------


@dataclass
class CheckReport:
    files: int = 0
    errors: int = 0
    warnings: int = 0
    lines: list[str] = field(default_factory=list)


def run_check(yaml_paths: list[Path], output: Path, today: dt.date, print_line: Callable[[str], None]) -> CheckReport:
    """``leaflets check``: every problem of every YAML file, one ``file:line:col`` line each."""
    from pipeline.check import ERROR, check_text

    report = CheckReport()
    if not yaml_paths:
        default = OutputFolder(output).yaml_dir
        if not default.is_dir():
            raise ConfigError(f"{display_path(default)}: no such folder; name YAML files to check")
        yaml_paths = [default]
    from pipeline.work import yaml_text

    folder = OutputFolder(output)
    collected = collect_yaml(yaml_paths)
    for path in collected:
        report.files += 1
        shown = display_path(path)
        try:
            if path in collected.refused:
                raise PipelineError(collected.refused[path])
            problems = check_text(yaml_text(folder.read_named_yaml(path)), today)
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
