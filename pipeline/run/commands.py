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

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.run.document import renderer_of
from pipeline.run.files import collect_inputs, display_path
from pipeline.run.output_folder import collect_yaml
from pipeline.run.pages import finish_run
from pipeline.run.plan import Plan, plan_inputs, plan_yaml
from pipeline.run.report import FileResult, RunReport
from pipeline.run.settings import Settings
from pipeline.run.workers import run_tasks

Notify = Callable[[FileResult], None]


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


@dataclass
class Hooks:
    """How the caller follows the run: every document, the start of the work, each worker result."""

    notify: Notify | None = None
    on_start: Callable[[int], None] | None = None
    on_work: Notify | None = None


def _checkrenderer_of(settings: Settings) -> None:
    """A bad styles folder, theme or print stylesheet stops the run before any work (only loaded when rendering)."""
    renderer_of(settings).pdf_writer()


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
        return finish_run(report, settings, index=False)


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
            _checkrenderer_of(settings)
        notes = settings.folder.prepare()
        report = execute("render", plan, settings, hooks.notify, started, hooks.on_start, hooks.on_work)
        report.notes += notes
        return finish_run(report, settings, index=True, rendered_any=bool(plan.tasks))


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
            _checkrenderer_of(settings)
        notes = settings.folder.prepare()
        report = execute("build", plan, settings, hooks.notify, started, hooks.on_start, hooks.on_work)
        report.notes += notes
        return finish_run(report, settings, index=True, rendered_any=bool(plan.tasks))
