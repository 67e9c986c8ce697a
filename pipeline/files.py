"""Safe file reading and writing and input discovery: the only place that touches paths."""

from __future__ import annotations

import errno
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
# Every temporary file the pipeline makes ends so, and only such files are ever
# cleaned up: ".<name>.<random>.leaflets.tmp" beside the file it becomes.
TEMPORARY_SUFFIX = ".leaflets.tmp"
# A file set aside for a moment while it is replaced only if unchanged (see
# replace_if_unchanged); a run killed at that moment leaves it to be put back.
ASIDE_SUFFIX = ".leaflets.aside"


def _mode_of(path: Path) -> int:
    """The permissions ``path`` has if it is a regular file, else those of a new file."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return _NEW_FILE_MODE
    return stat.S_IMODE(info.st_mode) if stat.S_ISREG(info.st_mode) else _NEW_FILE_MODE


def _write_temporary(path: Path, data: bytes | str | Iterable[str]) -> Path:
    """``data`` in a new temporary file beside ``path``, with the permissions ``path`` should get."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX)
    except OSError as error:
        raise OSError(error.errno, error.strerror, os.fspath(path)) from None
    try:
        os.fchmod(handle, _mode_of(path))
        with os.fdopen(handle, "wb") as stream:
            if isinstance(data, bytes):
                stream.write(data)
            elif isinstance(data, str):
                stream.write(data.encode("utf-8"))
            else:  # text in pieces (a long page as a template makes it)
                for piece in data:
                    stream.write(piece.encode("utf-8"))
    except BaseException as error:
        Path(name).unlink(missing_ok=True)
        if isinstance(error, OSError):  # a full disk, say: name the file it was for, not the temporary
            raise OSError(error.errno, error.strerror, os.fspath(path)) from None
        raise
    return Path(name)


def write_atomic(path: Path, data: bytes | str | Iterable[str]) -> None:
    """Write to a temporary file beside ``path`` and rename it into place.

    A run killed half-way leaves either the old file or the new one, never a
    truncated mix. The file keeps the permissions it had; a new one gets those
    ``open`` would give it (0666 less the umask), not the owner-only ones of a
    temporary file, so reviewers and web servers can read what a batch writes.
    A link at ``path`` is replaced by the file, never followed.
    """
    temporary = _write_temporary(path, data)
    try:
        os.replace(temporary, path)
    except BaseException as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OSError(error.errno, error.strerror, os.fspath(path)) from None
        raise


def replace_if_unchanged(path: Path, expected: bytes | None, data: bytes | str) -> bool:
    """Put ``data`` at ``path`` only if ``path`` still holds exactly ``expected``
    (``None``: only if there is no file there). False, leaving what is there, otherwise.

    For files a person may save at any moment (a reviewer's YAML): checking and
    then renaming would leave a moment in which a save is overwritten. Instead
    the file is first moved aside (one atomic step, after which a save makes a
    new file), checked there, and the new file is linked into place only if no
    file has appeared meanwhile. A save that was still writing into the old
    file is noticed after the link and put back.
    """
    temporary = _write_temporary(path, data)
    try:
        if expected is None:
            return _place_new(temporary, path)
        aside = temporary.with_name(temporary.name.removesuffix(TEMPORARY_SUFFIX) + ASIDE_SUFFIX)
        try:
            os.rename(path, aside)
        except FileNotFoundError:
            return False  # removed meanwhile: whoever did it decided
        if _bytes_or_none(aside) != expected:
            _put_back(aside, path)
            return False
        if not _place_new(temporary, path):
            aside.unlink()  # a save made a new file meanwhile; the old one was ours
            return False
        if _bytes_or_none(aside) != expected:
            os.replace(aside, path)  # a save wrote into the old file after all: it wins
            return False
        aside.unlink()
        return True
    finally:
        temporary.unlink(missing_ok=True)


def _place_new(temporary: Path, path: Path) -> bool:
    """Give ``temporary``'s file the name ``path`` unless a file has that name (atomic where links work)."""
    try:
        os.link(temporary, path)
        return True
    except FileExistsError:
        return False
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
    # A file system without hard links: the check and the rename are two steps.
    if os.path.lexists(path):
        return False
    os.replace(temporary, path)
    return True


def _put_back(aside: Path, path: Path) -> None:
    """Return a file moved aside to its name; a newer file saved there meanwhile is kept."""
    if not _place_new(aside, path):
        return  # the newer save stands; ``aside`` is that person's earlier version
    aside.unlink(missing_ok=True)


def _bytes_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def restore_set_aside(folder: Path) -> list[Path]:
    """Put back files a killed run left moved aside in ``folder``; the paths restored.

    Only while no other run works in the folder (the caller holds its lock).
    A file saved at the name meanwhile is newer and is kept; the aside copy is then removed.
    """
    restored = []
    for aside in sorted(folder.glob(f".*{ASIDE_SUFFIX}")):
        name = aside.name[1:].removesuffix(ASIDE_SUFFIX).rsplit(".", 1)[0]
        target = folder / name
        if not aside.is_symlink() and aside.is_file():
            if _place_new(aside, target):
                restored.append(target)
            aside.unlink(missing_ok=True)
    return restored


def remove_temporaries(folder: Path) -> None:
    """Remove this pipeline's temporary files in ``folder`` (a killed run's); nothing else.

    Only while no other run works in the folder (the caller holds its lock).
    """
    for path in folder.glob(f".*{TEMPORARY_SUFFIX}"):
        if path.is_symlink() or path.is_file():
            path.unlink(missing_ok=True)


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
            raise PipelineError(f"is a link leading outside {display_path(inside)}/; refused (remove the link)")
        handle = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
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
    except RuntimeError:  # a loop of links
        raise PipelineError("cannot read: a loop of links") from None
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
