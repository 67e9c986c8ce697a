"""The commands ``extract``, ``render`` and ``build``, each a checklist.

Collect the files, take the output folder (one run at a time), decide per
document what is out of date (:mod:`pipeline.run.plan`), run that work on
worker processes (:mod:`pipeline.run.workers`), then bring the folder's own
pages and ``report.json`` up to date (:mod:`pipeline.run.pages`).

- ``run_extract``: input text -> ``normalized/`` and ``yaml/``;
- ``run_render``: YAML on disk -> ``html/``, ``pdf/``, ``index.html``;
- ``run_build``: both, rendering the YAML on disk for every input (reviewed or not).
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ConfigError, PipelineError
from pipeline.run.document import leave_out, renderer_of
from pipeline.run.files import collect_inputs, display_path
from pipeline.run.freshness import outputs_intact
from pipeline.run.output_folder import EDITION_SUFFIXES, collect_yaml
from pipeline.run.pages import finish_run
from pipeline.run.plan import Plan, plan_inputs, plan_yaml
from pipeline.run.records import editions, read_record
from pipeline.run.report import FileResult, RunReport, cannot_write
from pipeline.run.review_log import add_entries, read_histories
from pipeline.run.settings import Settings
from pipeline.run.workers import run_tasks
from pipeline.run.writing import remove

Notify = Callable[[FileResult], None]


@dataclass
class Hooks:
    """How the caller follows the run: every document, the start of the work, each worker result."""

    notify: Notify | None = None
    on_start: Callable[[int], None] | None = None
    on_work: Notify | None = None


def run_extract(inputs: list[Path], settings: Settings, hooks: Hooks | None = None) -> RunReport:
    """``leaflets extract``: normalized text and YAML for every input."""
    files = collect_inputs(inputs)
    return _run("extract", settings, hooks, lambda: plan_inputs(files, settings, render=False), extracts=True)


def run_render(yaml_paths: list[Path], settings: Settings, hooks: Hooks | None = None) -> RunReport:
    """``leaflets render``: HTML page and PDF for every YAML file (default ``OUTPUT/yaml``), and ``index.html``."""
    if not yaml_paths:
        default = settings.folder.yaml_dir
        if not default.is_dir():
            raise ConfigError(f"{display_path(default)}: no such folder; run `leaflets extract` first or name YAML files")
        yaml_paths = [default]
    files = collect_yaml(yaml_paths)
    return _run("render", settings, hooks, lambda: plan_yaml(files, settings), renders=True)


def run_build(inputs: list[Path], settings: Settings, hooks: Hooks | None = None) -> RunReport:
    """``leaflets build``: extract every input, then render the YAML on disk for each of them.

    The YAML on disk is rendered whatever happened to the extraction: a file a
    reviewer owns (kept, or with a proposed update beside it) is rendered as
    the reviewer left it; drafts are marked as drafts.
    """
    files = collect_inputs(inputs)
    return _run("build", settings, hooks, lambda: plan_inputs(files, settings, render=True), extracts=True, renders=True)


def _run(
    command: str, settings: Settings, hooks: Hooks | None, make_plan: Callable[[], Plan],
    *, extracts: bool = False, renders: bool = False,
) -> RunReport:
    """The checklist every command follows."""
    hooks = hooks or Hooks()
    started = time.perf_counter()
    with settings.folder.claim(command):  # one run per output folder, from here to the end
        plan = make_plan()
        if plan.tasks and extracts:
            settings.check_extraction_data()  # a broken data file stops the run before any work
        if plan.tasks and renders:
            renderer_of(settings).pdf_writer()  # so does a bad styles folder, theme or print stylesheet
        log_notes = _with_review_history(plan, settings) if renders else []
        notes = settings.folder.prepare()
        for result in plan.done:
            if result.status == "left out":
                _withdraw(settings, result)
        report = _execute(command, plan, settings, hooks, started)
        if renders and settings.approved_only:
            for result in [*_left_out_elsewhere(settings, report), *_stale_editions(settings, report)]:
                report.files.append(result)
                if hooks.notify:
                    hooks.notify(result)
        report.notes += log_notes + notes
        _log_transitions(settings, report)
        return finish_run(report, settings, index=renders, rendered_any=renders and bool(plan.tasks))


def _with_review_history(plan: Plan, settings: Settings) -> list[str]:
    """Give each rendering task its leaflet's review log; notes for lines of the log that are not entries."""
    try:
        histories, notes = read_histories(settings.folder)
    except PipelineError as error:
        raise ConfigError(f"{display_path(settings.folder.review_log)}: cannot be read ({error}); no approval can be confirmed") from None
    plan.tasks[:] = [
        dataclasses.replace(task, history=tuple(histories.get(task.doc_id, ()))) if task.render else task
        for task in plan.tasks
    ]
    return notes


def _withdraw(settings: Settings, result: FileResult) -> None:
    """A leaflet left out of a published set before any work: its page and PDF removed."""
    try:
        leave_out(settings, result.id or "", result, result.left_out or "")
    except OSError as error:
        result.status, result.error = "failed", f"not published, but {cannot_write(error)}"


def _left_out_elsewhere(settings: Settings, report: RunReport) -> list[FileResult]:
    """For --approved-only: pages and PDFs in the folder of leaflets this run did not publish
    (not among its inputs, or their YAML gone) are removed too, so the folder holds exactly
    the published set."""
    published = {result.id for result in report.files if result.status in ("built", "up to date")}
    handled = {result.id for result in report.files}
    left_out = []
    for doc_id in sorted(settings.folder.published_ids() - published):
        reason = "not published by this run" if doc_id in handled else "not among this run's leaflets"
        result = FileResult(input=display_path(settings.folder.html(doc_id)), id=doc_id, left_out=reason)
        _withdraw(settings, result)
        left_out.append(result)
    return left_out


def _stale_editions(settings: Settings, report: RunReport) -> list[FileResult]:
    """For --approved-only: another edition of a published leaflet stays only if it was made from
    the YAML just published, with the styles and code of this run, says of its review what this
    edition says, and is untouched since; any other is removed (it may show text that was never
    approved in this form, or another theme's phone number)."""
    results = []
    folder = settings.folder
    for published in [result for result in report.files if result.status in ("built", "up to date") and result.id]:
        doc_id = published.id
        record = read_record(folder, doc_id)
        made_editions = editions(record)
        for edition in EDITION_SUFFIXES:
            if edition == settings.edition:
                continue
            paths = [folder.html(doc_id, edition), folder.pdf(doc_id, edition)]
            if not any(os.path.lexists(path) for path in paths):
                continue
            made = made_editions.get(edition)
            if (
                made is not None
                and outputs_intact(folder, doc_id, record, edition, record.seen_yaml_sha256)
                and made.deps == settings.editions_render_deps[edition]
                and made.shown_as == getattr(made_editions.get(settings.edition), "shown_as", None)
            ):
                continue
            result = FileResult(input=display_path(paths[0]), id=doc_id, status="left out")
            try:
                removed = [path for path in paths if remove(folder.root, path)]
                result.left_out = (
                    "another edition, not made from the text published now with these styles; "
                    + " and ".join(display_path(path) for path in removed) + " removed"
                )
            except OSError as error:
                result.status, result.error = "failed", f"not published, but {cannot_write(error)}"
            results.append(result)
    return results


def _log_transitions(settings: Settings, report: RunReport) -> None:
    """Add what this run saw to the review log; a log that cannot be written is an error of the run."""
    entries = [entry for result in report.files for entry in result.review_log]
    try:
        add_entries(settings.folder, entries)
    except OSError as error:
        report.errors.append(f"leaflets: error: {cannot_write(error)}; {len(entries)} review transitions not logged")


def _execute(command: str, plan: Plan, settings: Settings, hooks: Hooks, started: float) -> RunReport:
    """Run the plan's tasks; Ctrl-C stops the workers and returns what finished."""
    report = RunReport(command=command, jobs=settings.jobs)
    by_input: dict[str, FileResult] = {}

    def take(result: FileResult) -> None:
        by_input[result.input] = result
        if hooks.notify:
            hooks.notify(result)

    def finished(result: FileResult) -> None:
        take(result)
        if hooks.on_work:
            hooks.on_work(result)

    for result in plan.done:
        take(result)
    if hooks.on_start:
        hooks.on_start(len(plan.tasks))
    try:
        run_tasks(plan.tasks, settings, finished)
    except KeyboardInterrupt:
        report.interrupted = True
    order = [result.input for result in plan.done] + [task.display for task in plan.tasks]
    report.files = [by_input[name] for name in dict.fromkeys(order) if name in by_input]
    report.seconds = time.perf_counter() - started
    return report
