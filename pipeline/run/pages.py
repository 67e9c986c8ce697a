"""The output folder's own pages, kept current after each run: ``index.html`` (every rendered
leaflet) and ``review.html`` (the review dashboard), then ``report.json``.

Each page is made again only when what it shows changed, so a run with nothing
to do does not load the layout engine. A page that cannot be written (a full
disk) is one line in the report, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Collection
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.run.document import renderer_of
from pipeline.run.files import display_path
from pipeline.run.output_folder import (
    MAX_STATE_BYTES,
    PROPOSED_SUFFIX,
    YAML_SUFFIX,
    OutputFolder,
    id_problem,
)
from pipeline.run.records import code_fingerprint, fingerprint
from pipeline.run.report import RunReport, cannot_write
from pipeline.run.settings import Settings
from pipeline.yamlio import peek_yaml


def finish_run(report: RunReport, settings: Settings, *, index: bool, rendered_any: bool = False) -> RunReport:
    """The folder's own files: ``index.html``, ``review.html``, ``report.json``.

    A failure to write one (a full or read-only disk) is one line in the
    report, not a traceback; the others are still tried, and a ``report.json``
    that cannot be written is removed rather than left looking current.
    """
    folder = settings.folder
    today = settings.today
    fresh = {result.id: result.review_row for result in report.files if result.id and result.review_row}
    steps = [(folder.review_page, lambda: write_review(folder, settings, today, fresh))]
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


def _entries_from_yaml(folder: OutputFolder, known: Collection[str] = ()) -> dict[str, dict[str, str]]:
    """Index entries read back from the YAML folder, when the manifest is missing or damaged;
    the leaflets in ``known`` (rendered by this run, which knows their title) are not read."""
    entries = {}
    for path in folder.reviewed_yaml():
        if OutputFolder.yaml_id(path) in known:
            continue
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
    rendered = {
        result.id: {"title": result.title, "status": result.review_status or "draft"}
        for result in report.files
        if result.render == "rendered" and result.id and result.title
    }
    known = _read_manifest(folder)
    entries = dict(known if known is not None else _entries_from_yaml(folder, rendered.keys()))
    entries.update(rendered)
    editions = {doc_id: tuple(folder.editions(doc_id)) for doc_id in entries}
    entries = {doc_id: entry for doc_id, entry in sorted(entries.items()) if editions[doc_id]}
    if not rendered_any and entries == known and folder.index.is_file() and not settings.approved_only:
        return
    from pipeline.render import (
        IndexEntry,  # Jinja2 and the theme take ~0.1 s to load: only when a page is made
    )

    renderer = renderer_of(settings)
    copy_assets(renderer, folder)
    review_page = None if settings.approved_only else folder.review_page.name  # a published set links no dashboard
    index = renderer.render_index(
        [IndexEntry(id=k, title=v["title"], status=v["status"], editions=editions[k]) for k, v in entries.items()],
        review_page=review_page,
    )
    folder.write(folder.index, index)
    # After the page: a manifest that says more than the page would stop it being made again.
    folder.write(folder.manifest, json.dumps(entries, indent=2, ensure_ascii=False) + "\n")


def _review_fingerprint(folder: OutputFolder, today: dt.date, styles: str) -> str:
    """What the review page shows depends on: the code, today, the styles (its look, and the
    theme's reading grade), the YAML files, the extraction a proposal is compared with, which
    outputs exist, and the review log (approvals)."""
    parts: list[bytes | str] = [code_fingerprint(), today.isoformat(), styles]
    yaml_dir = folder.yaml_dir
    for path in sorted(yaml_dir.glob(f"*{YAML_SUFFIX}")) if yaml_dir.is_dir() else ():
        doc_id = path.name.removesuffix(PROPOSED_SUFFIX).removesuffix(YAML_SUFFIX)
        present = f"{int(folder.html(doc_id).is_file())}{int(folder.pdf(doc_id).is_file())}"
        parts += [path.name, _yaml_or_refusal(folder, path), present]
        if path.name.endswith(PROPOSED_SUFFIX):
            parts += ["base", _yaml_or_refusal(folder, folder.base(doc_id))]
    parts += ["log", _stat_of(folder.review_log)]
    return fingerprint(parts)


def _stat_of(path: Path) -> str:
    """Size and change time of a file that is only ever appended to: enough to tell it changed,
    without reading a log that grows for years on every run."""
    try:
        stat = os.lstat(path)
    except FileNotFoundError:
        return "none"
    return f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}"


def _yaml_or_refusal(folder: OutputFolder, path: Path) -> bytes | str:
    try:
        return folder.read_yaml(path) or b""
    except PipelineError as error:
        return str(error)


def write_review(folder: OutputFolder, settings: Settings, today: dt.date, fresh: dict | None = None) -> None:
    """``review.html``, rewritten only when something it shows changed (it checks every YAML)."""
    current = _review_fingerprint(folder, today, settings.render_deps)
    previous = folder.read_or_none(folder.review_state, MAX_STATE_BYTES)
    if previous is not None and previous.decode("utf-8", "replace").strip() == current and folder.review_page.is_file():
        return
    from pipeline.review.review_page import write_review_page

    write_review_page(folder, renderer_of(settings), today, fresh)
    folder.write(folder.review_state, current + "\n")


def copy_assets(renderer, folder: OutputFolder) -> None:  # noqa: ANN001 - a pipeline.render.Renderer
    """Fonts, logo and licences beside the HTML pages, so they work offline from ``html/``."""
    for relative, source in renderer.assets().items():
        target = folder.html_dir / relative
        data = source.read_bytes()
        if folder.read_or_none(target, len(data)) != data:
            folder.write(target, data)
