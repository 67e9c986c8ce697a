"""The leaflets being previewed, each as shown now, kept current as files change.

The :class:`Workbench` is the preview's one piece of state, shared by the
server's threads and the watcher behind one lock: which YAML files are
previewed (the folders and files named, as ``leaflets check`` collects them),
each leaflet as last shown (:mod:`pipeline.preview.shown`), the renderer for
the styles as they are, and each leaflet's review history from the output
folder's log. A leaflet is looked at when first asked for, and again whenever
the watcher says its file, the styles or the log changed; every change that
shows moves the workbench's clock on and wakes the update streams.

It only reads. Nothing is written anywhere, the output folder is not taken
(a build may run beside it), and no review transition is logged: the pages
and PDFs are made in memory, so a preview never publishes a file or records
an approval.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pipeline.errors import ConfigError, PipelineError
from pipeline.model import Leaflet
from pipeline.preview.shown import MakePage, Shown, look_again
from pipeline.preview.watching import absolute
from pipeline.render import Renderer, RenderOptions
from pipeline.render.styles import MAX_STYLES_ASSET_BYTES
from pipeline.review.approval import LogEntry
from pipeline.review.check import Checked, check_file
from pipeline.review.review_page import row_entry
from pipeline.review.rows import LeafletFiles, ReviewRow, unreadable_row
from pipeline.run.document import review_standing
from pipeline.run.files import InputFiles, display_path, read_limited
from pipeline.run.output_folder import OutputFolder, collect_yaml
from pipeline.run.records import Record, read_record
from pipeline.run.report import one_line
from pipeline.run.review_log import read_histories
from pipeline.yamlio import decode_yaml


@dataclass(frozen=True)
class Listed:
    """The files previewed: id -> YAML file, and why some may not be read."""

    files: dict[str, Path]
    refused: dict[str, str]


def list_files(paths: list[Path], folders: frozenset[Path]) -> Listed:
    """The leaflets of ``paths`` by id: folders' ``*.yaml`` (no proposals), and files as named.
    A named file that is missing meanwhile stays listed (an editor may be saving it); a second
    file with an id already taken is refused, as its page would take the other's place."""
    files: dict[str, Path] = {}
    refused: dict[str, str] = {}
    for path in paths:
        found = collect_yaml([path]) if path in folders else InputFiles([path])
        for file in found:
            doc_id = OutputFolder.yaml_id(file)
            if doc_id in files:
                if files[doc_id] != file:
                    refused.setdefault(doc_id, f"{display_path(file)} has the same name; preview one of them at a time")
                continue
            files[doc_id] = file
            if reason := found.refused.get(file):
                refused[doc_id] = reason
    return Listed(files, refused)


class Workbench:
    """The previewed leaflets as shown; thread-safe."""

    def __init__(
        self, paths: list[Path], folder: OutputFolder, options: RenderOptions,
        report: Callable[[str], None] = lambda line: None,
    ):
        collect_yaml(paths)  # a name that is no file or folder is a usage error, before anything starts
        self.paths = paths
        self.folders = frozenset(path for path in paths if path.is_dir())
        self.folder = folder
        self.options = options
        self.report = report
        self.renderer = Renderer(options)  # a broken styles folder stops the preview before it starts (exit 2)
        self.generation = 0  # of the styles: moves on each time they change
        self.styles_failure: str | None = None
        self.notes: tuple[str, ...] = ()
        self.clock = 0  # moves on with every change that shows
        self.common_version = 0  # the clock when something every page shows last changed
        self.stopping = False
        self._lock = threading.Condition(threading.RLock())
        self._listed = list_files(paths, self.folders)
        self._histories: dict[str, list[LogEntry]] = {}
        self._shown: dict[str, Shown] = {}
        self._assets = self.renderer.assets()
        self._pdfs: dict[str, tuple[tuple[int, int], bytes]] = {}
        self._rows: dict[str, Any] = {}  # the review page's rows as last made, as review-rows.json keeps them
        self._read_log()

    # -- what the pages ask for

    def ids(self) -> list[str]:
        with self._lock:
            return list(self._listed.files)

    def shown(self, doc_id: str) -> Shown | None:
        """The leaflet as shown now (looked at first if it never was), None for an unknown id."""
        with self._lock:
            if doc_id not in self._listed.files:
                return None
            if doc_id not in self._shown:
                self._look(doc_id)
            return self._shown[doc_id]

    def everything(self) -> list[Shown]:
        """Every previewed leaflet as shown, by title (the list page)."""
        with self._lock:
            shown = [self.shown(doc_id) for doc_id in self._listed.files]
        return sorted((s for s in shown if s is not None), key=lambda s: (s.title.casefold(), s.doc_id))

    def notices(self) -> list[str]:
        """Lines every page shows: a review log that cannot be read, styles that stopped working."""
        with self._lock:
            return [*self.notes, *([f"styles: error: {self.styles_failure}"] if self.styles_failure else [])]

    def token(self, doc_id: str = "") -> str | None:
        """What a page's update stream compares: it changes whenever the page would show something
        else. ``""`` is the list; None for an unknown id."""
        with self._lock:
            if not doc_id:
                return f"{self.clock}"
            shown = self.shown(doc_id)
            return None if shown is None else f"{shown.version}.{self.common_version}"

    def wait(self, doc_id: str, last: str | None, timeout: float) -> str | None:
        """The token of ``doc_id`` once it differs from ``last`` (or after ``timeout`` seconds);
        None when the id is gone or the preview is stopping."""
        with self._lock:
            self._lock.wait_for(lambda: self.stopping or self.token(doc_id) != last, timeout)
            return None if self.stopping else self.token(doc_id)

    def stop(self) -> None:
        with self._lock:
            self.stopping = True
            self._lock.notify_all()

    def asset(self, relative: str) -> tuple[str, bytes] | None:
        """An asset of the styles folders (``assets/...``, scripts never), as a page loads it."""
        with self._lock:
            path = self._assets.get(relative)
            folders = self.renderer.styles.folders
        if path is None:
            return None
        inside = next(folder for folder in folders if path.is_relative_to(folder))
        try:
            return path.name, read_limited(path, MAX_STYLES_ASSET_BYTES, "the limit for a styles asset", inside=inside)
        except PipelineError:
            return None  # changed into something that may not be served since the styles were looked at

    def review_rows(self, today: dt.date, links: Callable[[str], LeafletFiles]) -> tuple[list[ReviewRow], Renderer]:
        """The review page's row of every previewed leaflet, with ``links`` (id -> the row's links),
        and the renderer to show them with. A row is made again only when what it is made from
        changed (its YAML, proposal, history, the day, the grade), as ``review.html``'s are."""
        with self._lock:
            listed, histories, renderer = self._listed, self._histories, self.renderer
            remembered = dict(self._rows)
        max_grade = renderer.theme.max_reading_grade
        rows, entries = [], {}
        for doc_id, path in listed.files.items():
            files = links(doc_id)
            if doc_id in listed.refused:
                rows.append(unreadable_row(files, listed.refused[doc_id]))
                continue
            made = row_entry(self.folder, path, today, tuple(histories.get(doc_id, ())), max_grade, remembered, files)
            if made is None:
                continue  # removed meanwhile (an editor saving it): the next look has it again
            row, entry = made
            rows.append(row)
            if entry is not None:
                entries[doc_id] = entry
        with self._lock:
            self._rows = entries
        return rows, renderer

    def pdf_request(self, doc_id: str) -> tuple[tuple[int, int], Shown] | None:
        """What the PDF of ``doc_id`` is to be made from: (its key, the leaflet as shown)."""
        shown = self.shown(doc_id)
        if shown is None:
            return None
        with self._lock:
            return (shown.page_version, self.generation), shown

    def cached_pdf(self, doc_id: str, key: tuple[int, int]) -> bytes | None:
        with self._lock:
            cached = self._pdfs.get(doc_id)
            return cached[1] if cached and cached[0] == key else None

    def keep_pdf(self, doc_id: str, key: tuple[int, int], pdf: bytes) -> None:
        with self._lock:
            self._pdfs[doc_id] = (key, pdf)

    # -- what the watcher says

    def files_changed(self, paths: set[Path]) -> None:
        """YAML files (or proposals beside them) changed: look at their leaflets again."""
        with self._lock:
            for doc_id, path in self._listed.files.items():
                if absolute(path) in paths and doc_id in self._shown:
                    self._look(doc_id)

    def listing_changed(self) -> None:
        """A YAML file appeared or went in a previewed folder."""
        with self._lock:
            listed = list_files(self.paths, self.folders)
            if listed != self._listed:
                self._listed = listed
                for doc_id in set(self._shown) - set(listed.files):
                    del self._shown[doc_id]
                self._tick(common=False)

    def styles_changed(self) -> None:
        """A file of the styles folders changed: a new renderer, and every page made again."""
        with self._lock:
            try:
                renderer = Renderer(self.options)
            except ConfigError as error:
                self.styles_failure = f"{error}; the pages show the styles as they were before"
                self.report(f"leaflets preview: error: {error}")
            else:
                self.renderer, self.styles_failure = renderer, None
                self._assets = renderer.assets()
                self.generation += 1
            self._tick(common=True)
            self._look_again_at_all()

    def log_changed(self) -> None:
        """The review log changed (a build logged an approval): where each leaflet stands may too."""
        with self._lock:
            self._read_log()
            self._tick(common=True)
            self._look_again_at_all()

    # -- looking at a leaflet

    def _read_log(self) -> None:
        if not self.folder.root.is_dir():
            self._histories, self.notes = {}, ()
            return
        try:
            self._histories, notes = read_histories(self.folder)
        except PipelineError as error:
            self._histories, notes = {}, [
                f"{display_path(self.folder.review_log)}: error: {error}; no approval can be confirmed"
            ]
        self.notes = tuple(notes)

    def _look_again_at_all(self) -> None:
        for doc_id in list(self._shown):
            self._look(doc_id)

    def _tick(self, common: bool) -> int:
        self.clock += 1
        if common:
            self.common_version = self.clock
        self._lock.notify_all()
        return self.clock

    def _look(self, doc_id: str) -> None:
        path = self._listed.files[doc_id]
        display = display_path(path)
        history = tuple(self._histories.get(doc_id, ()))
        standing = None
        try:
            if doc_id in self._listed.refused:
                raise PipelineError(self._listed.refused[doc_id])
            text = decode_yaml(self.folder.read_named_yaml(path))
        except PipelineError as error:
            outcome: Checked | PipelineError = error
        else:
            outcome = check_file(self.folder, path, text, dt.date.today(), history, self.renderer.theme.max_reading_grade)
            if outcome.leaflet is not None:
                record = read_record(self.folder, doc_id) or Record()
                # The log and the record know a leaflet by its file name, whatever its id says.
                standing = review_standing(dataclasses.replace(outcome.leaflet, id=doc_id), history, record)[0]
        before = self._shown.get(doc_id)
        now = look_again(
            before, doc_id, display, outcome, standing, self._page_maker(doc_id), self.clock + 1,
            time.strftime("%H:%M:%S"),
        )
        self._shown[doc_id] = now
        if now is before:
            return
        self._tick(common=False)
        self._say(before, now)

    def _page_maker(self, doc_id: str) -> MakePage:
        links = {"pdf": f"../pdf/{quote(doc_id)}.pdf", "index": "../index.html"}
        renderer = self.renderer

        def make_page(leaflet: Leaflet, standing: str) -> str:
            try:
                return renderer.render_html(leaflet, standing=standing, links=links)
            except PipelineError:
                raise
            except Exception as error:  # noqa: BLE001 - as in a build: one page fails, the preview goes on
                raise PipelineError(one_line(f"rendering failed: {type(error).__name__}: {error}")) from None

        return make_page

    def _say(self, before: Shown | None, now: Shown) -> None:
        """One line on the terminal for each change a reviewer would want to know about."""
        if now.failure and (before is None or before.failure != now.failure):
            for line in now.failure:
                self.report(line)
        elif before is not None and not now.failure:
            counts = f"{now.errors} error{'s' * (now.errors != 1)}, {now.warnings} warning{'s' * (now.warnings != 1)}"
            self.report(f"{now.display}: updated ({counts})")

