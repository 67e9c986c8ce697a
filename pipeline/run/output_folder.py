"""The output folder: where each file of a run goes, who may write there, and how files are read back.

:class:`OutputFolder` knows every path (``yaml/<id>.yaml``, ``html/<id>.html``,
the records under ``.leaflets/``, ...), so no other module builds one by hand.

Everything in the folder may have been put there by someone else (a reviewer,
another process, an attacker), so every file is read back through
:meth:`OutputFolder.read`: a regular file, inside the folder once links are
resolved, no larger than the limit for its kind, never a pipe or a device.

Everything the run writes goes through :meth:`OutputFolder.write` (or
:meth:`OutputFolder.replace_if_unchanged` for a reviewer's files), which never
follows a link below the folder (:mod:`pipeline.run.writing`).

One run works in a folder at a time: :meth:`OutputFolder.claim` takes an
exclusive lock for the whole run (``flock`` on the folder itself, which the
kernel releases when the process dies, so a killed run's lock is never stale,
and which no file deleted in the folder can undo). Only under that lock are a
killed run's temporary files cleaned up.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import socket
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePath

from pipeline.config import MAX_YAML_BYTES, SCHEMA_FILENAME, schema_text
from pipeline.errors import ConfigError, PipelineError
from pipeline.run.files import (
    InputFiles,
    collect_inputs,
    display_path,
    has_control_characters,
    read_limited,
)
from pipeline.run.writing import (
    TEMPORARY_SUFFIX,
    append,
    remove,
    remove_temporaries,
    replace_if_unchanged,
    restore_set_aside,
    write_atomic,
)

YAML_SUFFIX = ".yaml"
PROPOSED = ".proposed"  # a proposed update of x.yaml is x.proposed.yaml
PROPOSED_SUFFIX = f"{PROPOSED}{YAML_SUFFIX}"
STATE_DIR = ".leaflets"
YAML_DIR, NORMALIZED_DIR, HTML_DIR, PDF_DIR = "yaml", "normalized", "html", "pdf"
RECORDS_DIR = f"{STATE_DIR}/records"
# Every folder the pipeline writes into; none may be a link leading out of the output folder.
FOLDERS = (YAML_DIR, NORMALIZED_DIR, HTML_DIR, f"{HTML_DIR}/assets", f"{HTML_DIR}/assets/fonts", PDF_DIR, STATE_DIR, RECORDS_DIR)

PROBE = f".probe{TEMPORARY_SUFFIX}"  # written and removed to test a folder; cleaned up like any temporary file
# Limits for reading files back from the folder (each far above what the pipeline writes).
YAML_LIMIT = "the limit for a leaflet YAML"
MAX_RECORD_BYTES = 64 * 1024  # a record is a few hundred bytes
MAX_LOG_BYTES = 256 * 1024 * 1024  # the review log: a few hundred bytes per transition, kept for years
MAX_STATE_BYTES = 64 * 1024 * 1024  # the index manifest and remembered review rows of many thousands of leaflets
# Longest id (input file stem) in UTF-8 bytes: "<id>.proposed.yaml" and its
# temporary name ".<name>.XXXXXXXX.leaflets.tmp" must stay within the usual 255-byte name limit.
MAX_ID_BYTES = 200


class OutputFolderBusy(ConfigError):
    """Another run holds the output folder."""


# Each edition of a leaflet has files of its own: html/<id><suffix>.html, pdf/<id><suffix>.pdf.
EDITIONS = {("a4", False): "", ("letter", False): ".letter", ("a4", True): ".large-print", ("letter", True): ".letter.large-print"}
EDITION_SUFFIXES = tuple(EDITIONS.values())
# The names `--edition` takes, each for (page size, large print).
EDITION_NAMES = {"a4": ("a4", False), "letter": ("letter", False), "large-print": ("a4", True),
                 "letter-large-print": ("letter", True)}


def edition_suffix(page_size: str, large_print: bool) -> str:
    """"" for the standard A4 edition, ".letter", ".large-print" or ".letter.large-print"."""
    return EDITIONS[(page_size, large_print)]


def id_problem(doc_id: str) -> str | None:
    """Why ``doc_id`` cannot name a leaflet's outputs, or None when it can."""
    if has_control_characters(doc_id):
        return "the file name has control characters (a newline?); rename the file"
    if len(doc_id.encode("utf-8", "surrogateescape")) > MAX_ID_BYTES:
        return f"the file name is too long for its outputs (at most {MAX_ID_BYTES} bytes before .txt); rename the file"
    if doc_id.startswith(".") or "/" in doc_id or "\\" in doc_id or not doc_id.strip():
        return "the file name would make hidden or misplaced outputs (it starts with '.'); rename the file"
    if any(suffix and doc_id.casefold().endswith(suffix) for suffix in EDITION_SUFFIXES):
        return "the file name ends like an edition of another leaflet (.letter, .large-print); rename the file"
    if doc_id.casefold().endswith(PROPOSED):
        return (
            f"the file name ends in {PROPOSED!r}, which names proposed updates "
            f"({YAML_DIR}/<id>{PROPOSED_SUFFIX}); rename the file"
        )
    return None


def _without_edition(name: str) -> str:
    for suffix in sorted(EDITION_SUFFIXES, key=len, reverse=True):
        if suffix and name.endswith(suffix):
            return name[: -len(suffix)]
    return name


class OutputFolder:
    """Paths of one output folder, and the guarded way to read its files."""

    def __init__(self, root: Path):
        self.root = root

    # -- one leaflet's files

    def yaml(self, doc_id: str) -> Path:
        return self.root / YAML_DIR / f"{doc_id}{YAML_SUFFIX}"

    def proposed(self, doc_id: str) -> Path:
        return self.root / YAML_DIR / f"{doc_id}{PROPOSED_SUFFIX}"

    def normalized(self, doc_id: str) -> Path:
        return self.root / NORMALIZED_DIR / f"{doc_id}.txt"

    def html(self, doc_id: str, edition: str = "") -> Path:
        return self.root / HTML_DIR / f"{doc_id}{edition}.html"

    def pdf(self, doc_id: str, edition: str = "") -> Path:
        return self.root / PDF_DIR / f"{doc_id}{edition}.pdf"

    def editions(self, doc_id: str) -> list[str]:
        """The editions of ``doc_id`` whose page and PDF are both here, standard first."""
        return [edition for edition in EDITION_SUFFIXES if self.rendered(doc_id, edition)]

    def record(self, doc_id: str) -> Path:
        return self.root / RECORDS_DIR / f"{doc_id}.json"

    def rendered(self, doc_id: str, edition: str = "") -> bool:
        """Both the page and the PDF of ``doc_id`` are there."""
        return self.html(doc_id, edition).is_file() and self.pdf(doc_id, edition).is_file()

    # -- files of the whole folder

    @property
    def yaml_dir(self) -> Path:
        return self.root / YAML_DIR

    @property
    def html_dir(self) -> Path:
        return self.root / HTML_DIR

    @property
    def index(self) -> Path:
        return self.root / "index.html"

    @property
    def review_page(self) -> Path:
        return self.root / "review.html"

    @property
    def report(self) -> Path:
        return self.root / "report.json"

    @property
    def schema(self) -> Path:
        return self.root / SCHEMA_FILENAME

    @property
    def manifest(self) -> Path:
        """The pipeline's note of every leaflet rendered here, for ``index.html``."""
        return self.root / STATE_DIR / "rendered.json"

    @property
    def review_state(self) -> Path:
        """When ``review.html`` was last made, and from what."""
        return self.root / STATE_DIR / "review.json"

    def base(self, doc_id: str) -> Path:
        """The extraction ``yaml/<id>.yaml`` started from (or whose source update was last taken or
        set aside): what a proposed update is compared with."""
        return self.root / STATE_DIR / "base" / f"{doc_id}{YAML_SUFFIX}"

    def proposed_base(self, doc_id: str) -> Path:
        """The proposed update as the pipeline wrote it (a person may edit the proposal itself):
        the base once the proposal is accepted or dismissed."""
        return self.root / STATE_DIR / "base" / f"{doc_id}{PROPOSED_SUFFIX}"

    @property
    def review_log(self) -> Path:
        """Every review transition a run saw, one JSON object per line, only ever added to."""
        return self.root / "review-log.jsonl"

    @property
    def review_rows(self) -> Path:
        return self.root / STATE_DIR / "review-rows.json"

    @property
    def lock_note(self) -> Path:
        """Which run holds the folder, for the message another run prints (the lock is on the folder)."""
        return self.root / STATE_DIR / "lock"

    def reviewed_yaml(self) -> list[Path]:
        """``yaml/<id>.yaml`` files a reviewer works on (no proposals, no hidden files), by name."""
        if not self.yaml_dir.is_dir():
            return []
        return sorted(
            path for path in self.yaml_dir.glob(f"*{YAML_SUFFIX}")
            if not path.name.endswith(PROPOSED_SUFFIX) and not path.name.startswith(".")
        )

    @staticmethod
    def yaml_id(path: Path) -> str:
        """The id a YAML file's outputs are named after: ``yaml/<id>.yaml`` -> ``html/<id>.html``."""
        return path.name.removesuffix(YAML_SUFFIX) if path.name.endswith(YAML_SUFFIX) else path.stem

    # -- reading back

    def read(self, path: Path, limit: int, what: str = "the limit for this file") -> bytes:
        """The bytes of ``path``, a regular file inside this folder of at most ``limit`` bytes;
        :class:`PipelineError` otherwise (nothing outside the folder is ever read)."""
        return read_limited(path, limit, what, inside=self.root)

    def read_yaml(self, path: Path) -> bytes | None:
        """A leaflet YAML in this folder, or None when nothing at all has that name
        (a broken link is refused like any other file that is not one)."""
        if not os.path.lexists(path):
            return None
        return self.read(path, MAX_YAML_BYTES, YAML_LIMIT)

    def read_named_yaml(self, path: Path) -> bytes:
        """A YAML file named by the operator: guarded like :meth:`read_yaml` if it lies in
        this folder; elsewhere a link is the operator's choice and is followed."""
        if Path(os.path.abspath(path)).is_relative_to(os.path.abspath(self.root)):
            return self.read(path, MAX_YAML_BYTES, YAML_LIMIT)
        return read_limited(path, MAX_YAML_BYTES, YAML_LIMIT)

    def read_or_none(self, path: Path, limit: int) -> bytes | None:
        """:meth:`read`, or None when the file is missing or refused (for the pipeline's own state files)."""
        try:
            return self.read(path, limit)
        except PipelineError:
            return None

    # -- writing

    def write(self, path: Path, data: bytes | str | Iterable[str]) -> None:
        """Write ``path`` (built from this folder) atomically, never through a link."""
        write_atomic(self.root, path, data)

    def withdraw(self, doc_id: str) -> list[Path]:
        """Remove the page and PDF of ``doc_id`` in every edition, so none can be printed; the ones that were there."""
        paths = [path for edition in EDITION_SUFFIXES for path in (self.html(doc_id, edition), self.pdf(doc_id, edition))]
        return [path for path in paths if remove(self.root, path)]

    def published_ids(self) -> set[str]:
        """Ids that have a page or a PDF in this folder, in any edition."""
        found = set()
        for folder, suffix in ((self.root / HTML_DIR, ".html"), (self.root / PDF_DIR, ".pdf")):
            if folder.is_dir() and not folder.is_symlink():
                found |= {_without_edition(entry.name[: -len(suffix)]) for entry in os.scandir(folder) if entry.name.endswith(suffix)}
        return found

    def append(self, path: Path, data: str) -> None:
        """Add ``data`` at the end of ``path``, never through a link."""
        append(self.root, path, data)

    def replace_if_unchanged(self, path: Path, expected: bytes | None, data: bytes | str) -> bool:
        """Replace a file a person may be saving only if it still holds ``expected``
        (see :func:`pipeline.run.writing.replace_if_unchanged`)."""
        return replace_if_unchanged(self.root, path, expected, data)

    # -- owning and preparing the folder

    @contextmanager
    def claim(self, command: str) -> Iterator[None]:
        """Hold the folder for one run; :class:`OutputFolderBusy` if another run holds it."""
        self._check_folders()
        created = not self.root.exists()
        shown = display_path(self.root)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            handle = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as error:
            raise ConfigError(f"{shown}: cannot write to the output folder: {error.strerror or error}") from None
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise OutputFolderBusy(
                    f"{shown}: another run is using this output folder ({self._holder()}); "
                    "wait for it to finish or use another -o folder"
                ) from None
            try:
                self.write(self.lock_note, _holder_note(command))
            except OSError:
                pass  # only a note for others; a folder that cannot be written is reported by prepare()
            yield
        finally:
            os.close(handle)  # releases the lock
            if created:
                self._remove_if_untouched()

    def _holder(self) -> str:
        note = (self.read_or_none(self.lock_note, 1024) or b"").decode("utf-8", "replace").strip()
        note = "".join(ch for ch in note if ch.isprintable())
        return note or "held by another process"

    def _remove_if_untouched(self) -> None:
        """A run that stopped before writing anything (a bad styles folder) leaves no folder behind."""
        state = self.root / STATE_DIR
        try:
            if os.listdir(self.root) == [STATE_DIR] and os.listdir(state) == ["lock"]:
                self.lock_note.unlink()
                state.rmdir()
                self.root.rmdir()
        except OSError:
            pass  # something appeared meanwhile: it stays

    def _check_folders(self) -> None:
        """The folder and the ones the pipeline writes into are folders, not files or links
        (a link would let the run's files land wherever it leads)."""
        shown = display_path(self.root)
        if self.root.exists() and not self.root.is_dir():
            raise ConfigError(f"{shown}: cannot write to the output folder: it is a file, not a folder")
        for name in FOLDERS:
            folder = self.root / name
            if folder.is_symlink():
                raise ConfigError(f"{shown}: {name} is a link; refused (make it a folder of its own)")
            if folder.exists() and not folder.is_dir():
                raise ConfigError(
                    f"{shown}: cannot write to the output folder ({display_path(folder)}): it is a file, not a folder"
                )

    def prepare(self) -> list[str]:
        """Create the folders, check they can be written, publish the schema, and tidy up
        after a killed run (under the lock). Returns notes for the operator.

        A folder that cannot be written stops the run here (exit status 2)
        rather than failing every document one by one.
        """
        notes = []
        try:
            for name in ("", *FOLDERS):
                probe = self.root / name / PROBE
                self.write(probe, b"")  # the only sure test that a folder can be written
                probe.unlink()
                remove_temporaries(self.root, PurePath(name))
            for name in restore_set_aside(self.root, PurePath(YAML_DIR)):
                notes.append(f"{display_path(self.yaml_dir / name)}: put back where a stopped run had set it aside")
            schema = schema_text().encode("utf-8")
            if self.read_or_none(self.schema, MAX_STATE_BYTES) != schema:
                self.write(self.schema, schema)
        except OSError as error:
            raise ConfigError(
                f"{display_path(self.root)}: cannot write to the output folder: {error.strerror or error}"
            ) from None
        return notes


def _holder_note(command: str) -> str:
    started = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    return f"leaflets {command}, process {os.getpid()} on {socket.gethostname()}, since {started}\n"


def collect_yaml(paths: list[Path]) -> InputFiles:
    """YAML files as given; folders expanded to their ``*.yaml``, without ``*.proposed.yaml``."""
    found = InputFiles()
    for path in paths:
        files = collect_inputs([path], suffix=YAML_SUFFIX)
        found.refused.update(files.refused)
        found += [file for file in files if not (path.is_dir() and file.name.endswith(PROPOSED_SUFFIX))]
    return InputFiles(list(dict.fromkeys(found)), found.refused)
