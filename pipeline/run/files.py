"""Reading files safely, and finding the inputs of a run (writing is in :mod:`pipeline.run.writing`)."""

from __future__ import annotations

import errno
import functools
import os
import re
import stat
from pathlib import Path

from pipeline.errors import ConfigError, PipelineError

INPUT_SUFFIX = ".txt"
# Control characters would break the one-line errors and reports that name a file.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


_LEADS_OUTSIDE = "is a link leading outside {folder}/; refused (remove the link)"
_READ = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC  # never waits for a pipe's writer


@functools.lru_cache(maxsize=16)
def _real_folder(folder: str) -> str:
    """Where a folder really is; the few folders a run reads from are resolved once."""
    return os.path.realpath(folder)


def _is_within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _open_inside(path: Path, inside: Path) -> int:
    """Open ``path`` for reading only if it lies inside the folder ``inside`` once links are
    resolved; nothing outside is ever opened (opening some devices alone does harm).

    A link is resolved and checked before it is followed; anything else is opened
    without following a link put there meanwhile (``O_NOFOLLOW``), and where the
    open file really is is checked from ``/proc`` (a folder swapped on the way).
    """
    folder = _real_folder(os.path.abspath(inside))
    target = os.fspath(path)
    if os.path.islink(target):
        target = os.path.realpath(target)
        if not _is_within(target, folder):
            raise PipelineError(_LEADS_OUTSIDE.format(folder=display_path(inside)))
    handle = os.open(target, _READ | os.O_NOFOLLOW)
    try:
        opened = os.readlink(f"/proc/self/fd/{handle}")
    except OSError:
        return handle  # no /proc: the check before opening stands
    if not _is_within(opened, folder):
        os.close(handle)
        raise PipelineError(_LEADS_OUTSIDE.format(folder=display_path(inside)))
    return handle


def read_limited(path: Path, limit: int, what: str = "the limit", inside: Path | None = None) -> bytes:
    """The bytes of the regular file ``path``, refused past ``limit`` bytes.

    With ``inside``, ``path`` must lie inside that folder once links are
    resolved: a link leading elsewhere is refused, never opened. Pipes, devices
    and sockets are refused without blocking (the file is opened non-blocking
    and checked once open, so it cannot be swapped in between), and at most
    ``limit + 1`` bytes are read, so a file growing while we read it cannot
    exhaust memory.
    """
    try:
        handle = _open_inside(path, inside) if inside is not None else os.open(path, _READ)
        try:
            info = os.fstat(handle)
            if stat.S_ISDIR(info.st_mode):
                raise PipelineError("is a folder, not a file")
            if not stat.S_ISREG(info.st_mode):
                raise PipelineError("is not a regular file (a pipe, device or socket?)")
            if info.st_size > limit:
                raise PipelineError(f"file is {info.st_size:,} bytes; {what} is {limit:,}")
            with os.fdopen(os.dup(handle), "rb") as stream:
                data = stream.read(limit + 1)
        finally:
            os.close(handle)
    except FileNotFoundError:
        raise PipelineError("no such file (a broken link?)") from None
    except OSError as error:
        if error.errno == errno.ELOOP and inside is not None:  # swapped for a link after it was checked
            raise PipelineError(_LEADS_OUTSIDE.format(folder=display_path(inside))) from None
        if error.errno == errno.ELOOP:
            raise PipelineError("cannot read: a loop of links") from None
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
