"""Safe file reading and writing and input discovery: the only place that touches paths."""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .errors import ConfigError, PipelineError

INPUT_SUFFIX = ".txt"
# Control characters would break the one-line errors and reports that name a file.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _mode_for_new_files() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


_NEW_FILE_MODE = _mode_for_new_files()


def write_atomic(path: Path, data: bytes | str | Iterable[str]) -> None:
    """Write to a temporary file beside ``path`` and rename it into place.

    A run killed half-way leaves either the old file or the new one, never a
    truncated mix; the temporary name starts with ``.`` and ends with ``.tmp``.
    The file keeps the permissions it had; a new one gets those ``open`` would
    give it (0666 less the umask), not the owner-only ones of a temporary file,
    so reviewers and web servers can read what a batch writes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = _NEW_FILE_MODE
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(handle, mode)
        with os.fdopen(handle, "wb") as stream:
            if isinstance(data, bytes):
                stream.write(data)
            elif isinstance(data, str):
                stream.write(data.encode("utf-8"))
            else:  # text in pieces (a long page as a template makes it)
                for piece in data:
                    stream.write(piece.encode("utf-8"))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_limited(path: Path, limit: int, what: str = "the limit") -> bytes:
    """The bytes of the regular file ``path``, refused past ``limit`` bytes.

    Pipes, devices and sockets are refused before they are opened (a FIFO
    would block the run, ``/dev/zero`` never ends), and at most ``limit + 1``
    bytes are read, so a file growing while we read it cannot exhaust memory.
    """
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise PipelineError("is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise PipelineError("is not a regular file (a pipe, device or socket?)")
        if info.st_size > limit:
            raise PipelineError(f"file is {info.st_size:,} bytes; {what} is {limit:,}")
        with path.open("rb") as stream:
            data = stream.read(limit + 1)
    except FileNotFoundError:
        raise PipelineError("no such file (a broken link?)") from None
    except OSError as error:
        raise PipelineError(f"cannot read: {error.strerror or error}") from None
    if len(data) > limit:
        raise PipelineError(f"file grew past {limit:,} bytes while it was read; {what} is {limit:,}")
    return data


class InputFiles(list[Path]):
    """Files to work on, in order; ``refused`` says why some of them may not be read."""

    def __init__(self, paths: list[Path] | None = None, refused: dict[Path, str] | None = None):
        super().__init__(paths or [])
        self.refused: dict[Path, str] = dict(refused or {})


def collect_inputs(paths: list[Path], suffix: str = INPUT_SUFFIX) -> InputFiles:
    """Files as given, folders expanded to their ``*suffix`` files, sorted, no repeats.

    A symlink found in a folder must point inside that folder: following one
    that leads elsewhere would let a folder of inputs read any file on the
    machine, so it is listed in ``refused``. A symlink named on the command
    line is the operator's choice and is followed.
    """
    found = InputFiles()
    for path in paths:
        if path.is_dir():
            folder = path.resolve()
            for child in sorted(path.iterdir()):
                if child.suffix != suffix or child.name.startswith("."):
                    continue
                found.append(child)
                if child.is_symlink() and not child.resolve().is_relative_to(folder):
                    found.refused[child] = (
                        f"is a link to a file outside {display_path(path)}/; a link in an input folder "
                        "must stay inside it (name the file on the command line to use it)"
                    )
        elif path.exists() or path.is_symlink():
            found.append(path)
        else:
            raise ConfigError(f"{display_path(path)}: no such file or folder")
    unique = list(dict.fromkeys(found))
    return InputFiles(unique, {path: why for path, why in found.refused.items() if path in unique})


def _escape_controls(text: str) -> str:
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def has_control_characters(text: str) -> bool:
    return _CONTROL.search(text) is not None


def display_path(path: Path) -> str:
    """``path`` relative to the working folder when it lies inside it, POSIX style.

    Control characters in a name (a newline, say) are shown escaped, so every
    message naming a file stays on one line.
    """
    try:
        shown = Path(os.path.abspath(path)).relative_to(os.path.abspath(os.getcwd())).as_posix()
    except ValueError:
        shown = path.as_posix()
    return _escape_controls(shown)
