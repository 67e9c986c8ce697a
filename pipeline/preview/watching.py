"""Watching the files a preview shows, with ``watchfiles``.

What a change means is decided by :func:`affected` (pure): a previewed YAML
file changed (or the proposed update beside it), a YAML file appeared in or
left a previewed folder, a styles file changed, or the review log did.
Everything else (the build's pages and PDFs, an editor's swap and backup
files) is passed over before it wakes anyone.

The YAML folders and the review log's folder are watched without their
subfolders (an output folder may be large, and ``-o .`` would watch a whole
checkout); the styles folders with theirs (fonts live in ``assets/fonts/``).
``watchfiles`` hands over a batch of changes once the files have been quiet
for :data:`QUIET_MS` milliseconds, so an editor's save in several steps is
one update.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import watchfiles

from pipeline.run.output_folder import PROPOSED_SUFFIX, YAML_SUFFIX

QUIET_MS = 30  # a batch is handed over once nothing changed for this long...
MOST_MS = 300  # ...or after this long, whatever keeps changing


@dataclass(frozen=True)
class Watched:
    """What the preview depends on (absolute paths)."""

    yaml_folders: frozenset[Path]
    yaml_files: frozenset[Path]
    log: Path | None
    styles: tuple[Path, ...]


@dataclass(frozen=True)
class Affected:
    """What a batch of changes means: previewed YAML files to look at again (a proposal counts for
    the file it proposes to update), and whether the list, the styles or the log changed."""

    files: frozenset[Path] = field(default_factory=frozenset)
    listing: bool = False
    styles: bool = False
    log: bool = False

    def __bool__(self) -> bool:
        return bool(self.files) or self.listing or self.styles or self.log


def _is_own(name: str) -> bool:
    """An editor's or the pipeline's temporary, swap or backup file (``.x.yaml.swp``, ``x.yaml~``)."""
    return name.startswith(".") or name.endswith("~")


def _leaflet_file(path: Path, watched: Watched) -> tuple[Path | None, bool]:
    """(the previewed YAML file a change at ``path`` concerns, whether ``path`` is in a previewed folder)."""
    name = path.name
    if not name.endswith(YAML_SUFFIX) or _is_own(name):
        return None, False
    own = path.with_name(name.removesuffix(PROPOSED_SUFFIX) + YAML_SUFFIX) if name.endswith(PROPOSED_SUFFIX) else path
    in_folder = path.parent in watched.yaml_folders
    if own in watched.yaml_files or in_folder:
        return own, in_folder and own == path
    return None, False


def _in_styles(path: Path, watched: Watched) -> bool:
    return any(path.is_relative_to(folder) for folder in watched.styles) and not _is_own(path.name)


def affected(changes: Iterable[tuple[watchfiles.Change, str]], watched: Watched) -> Affected:
    files: set[Path] = set()
    listing = styles = log = False
    for change, name in changes:
        path = Path(name)
        own, listed = _leaflet_file(path, watched)
        if own is not None:
            files.add(own)
            listing = listing or (listed and change != watchfiles.Change.modified)
        elif path == watched.log:
            log = True
        elif _in_styles(path, watched):
            styles = True
    return Affected(frozenset(files), listing, styles, log)


def concerns(path: str, watched: Watched) -> bool:
    """Whether a change at ``path`` means anything to the preview (the filter ``watchfiles`` applies)."""
    where = Path(path)
    return _leaflet_file(where, watched)[0] is not None or where == watched.log or _in_styles(where, watched)


def _outermost(folders: Iterable[Path]) -> list[Path]:
    ordered = sorted(set(folders), key=lambda folder: len(folder.parts))
    kept: list[Path] = []
    for folder in ordered:
        if not any(folder.is_relative_to(outer) for outer in kept):
            kept.append(folder)
    return kept


def watch(watched: Watched, on_change: Callable[[Affected], None], stop: threading.Event) -> list[threading.Thread]:
    """Start watching in threads of their own; ``on_change`` is called with each batch that
    means something, until ``stop`` is set."""
    flat = {*watched.yaml_folders, *(path.parent for path in watched.yaml_files)}
    if watched.log is not None:
        flat.add(watched.log.parent)
    groups = [(sorted(folder for folder in flat if folder.is_dir()), False), (_outermost(watched.styles), True)]
    threads = []
    for folders, recursive in groups:
        if not folders:
            continue
        thread = threading.Thread(
            target=_watch_loop, args=(folders, recursive, watched, on_change, stop),
            name=f"leaflets preview watcher ({'styles' if recursive else 'YAML'})", daemon=True,
        )
        thread.start()
        threads.append(thread)
    return threads


def _watch_loop(
    folders: list[Path], recursive: bool, watched: Watched, on_change: Callable[[Affected], None], stop: threading.Event
) -> None:
    for changes in watchfiles.watch(
        *folders, watch_filter=lambda change, path: concerns(path, watched), recursive=recursive,
        step=QUIET_MS, debounce=MOST_MS, stop_event=stop, raise_interrupt=False, yield_on_timeout=False,
    ):
        if found := affected(changes, watched):
            on_change(found)


def absolute(path: Path) -> Path:
    """``path`` made absolute without resolving links, as the watcher reports paths under it."""
    return Path(os.path.abspath(path))
