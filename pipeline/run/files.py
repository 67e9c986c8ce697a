"""Reading files safely, and finding the inputs of a run (writing is in :mod:`pipeline.run.writing`)."""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

from pipeline.errors import ConfigError, PipelineError

INPUT_SUFFIX = ".txt"
# Control characters would break the one-line errors and reports that name a file.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


_LEADS_OUTSIDE = "is a link leading outside {folder}/; refused (remove the link)"


def _opened_inside(handle: int, folder: Path) -> bool:
    """Whether the open file ``handle`` lies inside ``folder``, from where the kernel says it is
    (Linux ``/proc``; elsewhere the check made before opening stands)."""
    try:
        opened = Path(os.readlink(f"/proc/self/fd/{handle}"))
    except OSError:
        return True
    return opened.is_relative_to(folder.resolve())


def read_limited(path: Path, limit: int, what: str = "the limit", inside: Path | None = None) -> bytes:
    """The bytes of the regular file ``path``, refused past ``limit`` bytes.

    With ``inside``, ``path`` must lie inside that folder once links are
    resolved: a link leading elsewhere is refused, never read. Pipes, devices
    and sockets are refused without blocking (the file is opened non-blocking
    and checked once open, so it cannot be swapped in between), and at most
    ``limit + 1`` bytes are read, so a file growing while we read it cannot
    exhaust memory.
    """
    try:
        real = path.resolve(strict=True) if inside is not None else path
        if inside is not None and not real.is_relative_to(inside.resolve()):
            raise PipelineError(_LEADS_OUTSIDE.format(folder=display_path(inside)))
        # Not blocking on a pipe; not following a link put in place of the file since it was resolved.
        flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (os.O_NOFOLLOW if inside is not None else 0)
        handle = os.open(real, flags)
        try:
            if inside is not None and not _opened_inside(handle, inside):  # a folder on the way swapped meanwhile
                raise PipelineError(_LEADS_OUTSIDE.format(folder=display_path(inside)))
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
    except RuntimeError:  # a loop of links
        raise PipelineError("cannot read: a loop of links") from None
    except OSError as error:
        if error.errno == errno.ELOOP and inside is not None:  # swapped for a link after it was resolved
            raise PipelineError(_LEADS_OUTSIDE.format(folder=display_path(inside))) from None
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
