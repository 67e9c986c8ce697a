"""Writing files inside a folder the run owns, so that nothing lands outside it and nothing is half-written.

Every write goes to a temporary file beside its target and is renamed into
place. The folders on the way are opened one by one from the folder's root
without following links (``O_NOFOLLOW``), so a folder swapped for a link,
before or during a run, can never lead a write elsewhere: that write fails
with ``ELOOP`` instead.

A file a person may save at any moment (a reviewer's YAML) is replaced only if
it still holds the bytes the run judged to be its own:
:func:`replace_if_unchanged`.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import secrets
import signal
import stat
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path, PurePath

# Every temporary file the pipeline makes ends so, and only such files are ever
# cleaned up: ".<name>.<random>.leaflets.tmp" beside the file it becomes.
TEMPORARY_SUFFIX = ".leaflets.tmp"
# A file set aside for a moment while it is replaced only if unchanged; a run
# killed at that moment leaves it for the next run to put back.
ASIDE_SUFFIX = ".leaflets.aside"
_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC


def _mode_for_new_files() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


_NEW_FILE_MODE = _mode_for_new_files()


@contextmanager
def folder_descriptor(root: Path, relative: PurePath, create: bool = True) -> Iterator[int]:
    """A descriptor of the folder ``root/relative``, reached without following a link below ``root``
    (each missing folder made on the way when ``create``); ``OSError`` names the path otherwise."""
    handle = os.open(root, _DIRECTORY)
    try:
        for part in relative.parts:
            if create:
                with suppress(FileExistsError):
                    os.mkdir(part, dir_fd=handle)
            try:
                child = os.open(part, _DIRECTORY | os.O_NOFOLLOW, dir_fd=handle)
            except OSError as error:
                if error.errno in (errno.ELOOP, errno.ENOTDIR):
                    message = "a folder on the way is a link or a file; refused"
                    raise OSError(error.errno, message, os.fspath(root / relative)) from None
                raise
            os.close(handle)
            handle = child
        yield handle
    finally:
        os.close(handle)


def _inside(root: Path, path: Path) -> PurePath:
    """``path`` relative to ``root``, which it was built from (a ValueError otherwise)."""
    return path.relative_to(root)


def _mode_of(name: str, folder: int) -> int:
    """The permissions the file ``name`` has if it is a regular file, else those of a new file."""
    try:
        info = os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        return _NEW_FILE_MODE
    return stat.S_IMODE(info.st_mode) if stat.S_ISREG(info.st_mode) else _NEW_FILE_MODE


def _write_temporary(folder: int, name: str, data: bytes | str | Iterable[str]) -> str:
    """``data`` in a new temporary file beside ``name``, with the permissions ``name`` should get."""
    temporary = f".{name}.{secrets.token_hex(4)}{TEMPORARY_SUFFIX}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    handle = os.open(temporary, flags, 0o600, dir_fd=folder)
    try:
        os.fchmod(handle, _mode_of(name, folder))
        with os.fdopen(handle, "wb") as stream:
            if isinstance(data, bytes):
                stream.write(data)
            elif isinstance(data, str):
                stream.write(data.encode("utf-8"))
            else:  # text in pieces (a long page as a template makes it)
                for piece in data:
                    stream.write(piece.encode("utf-8"))
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary, dir_fd=folder)
        raise
    return temporary


@contextmanager
def _named_after(path: Path) -> Iterator[None]:
    """An ``OSError`` inside names ``path``, not a temporary file or a descriptor."""
    try:
        yield
    except OSError as error:
        if error.filename == os.fspath(path):
            raise
        raise OSError(error.errno, error.strerror, os.fspath(path)) from None


def write_atomic(root: Path, path: Path, data: bytes | str | Iterable[str]) -> None:
    """Write ``data`` to ``path`` inside ``root``: a temporary file renamed into place.

    A run killed half-way leaves either the old file or the new one, never a
    truncated mix. The file keeps the permissions it had; a new one gets those
    ``open`` would give it (0666 less the umask), not the owner-only ones of a
    temporary file, so reviewers and web servers can read what a batch writes.
    A link at ``path`` is replaced by the file, never followed.
    """
    relative = _inside(root, path)
    with _named_after(path), folder_descriptor(root, relative.parent) as folder:
        temporary = _write_temporary(folder, relative.name, data)
        try:
            os.replace(temporary, relative.name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            with suppress(OSError):
                os.unlink(temporary, dir_fd=folder)
            raise


def remove(root: Path, path: Path) -> bool:
    """Remove ``path`` inside ``root`` if it is there (a link itself, never what it leads to); True if it was."""
    relative = _inside(root, path)
    with _named_after(path):
        try:
            with folder_descriptor(root, relative.parent, create=False) as folder:
                os.unlink(relative.name, dir_fd=folder)
        except FileNotFoundError:
            return False
    return True


def append(root: Path, path: Path, data: str) -> None:
    """Add ``data`` at the end of ``path`` inside ``root`` (made if missing), in one write,
    never through a link; a file that is not a regular file is refused."""
    relative = _inside(root, path)
    payload = data.encode("utf-8")
    with _named_after(path), folder_descriptor(root, relative.parent) as folder:
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        handle = os.open(relative.name, flags, _NEW_FILE_MODE, dir_fd=folder)
        try:
            if not stat.S_ISREG(os.fstat(handle).st_mode):
                raise OSError(errno.EINVAL, "not a regular file; refused", os.fspath(path))
            written = os.write(handle, payload)
            if written != len(payload):
                raise OSError(errno.EIO, f"only {written} of {len(payload)} bytes written", os.fspath(path))
        finally:
            os.close(handle)


# -- replacing a file a person may be saving -------------------------------------


def replace_if_unchanged(root: Path, path: Path, expected: bytes | None, data: bytes | str) -> bool:
    """Put ``data`` at ``path`` only if it still holds exactly ``expected`` (``None``: only if
    there is no file there). False, leaving what is there, when someone changed it meanwhile.

    Checking and then renaming would leave a moment in which a save is
    overwritten. Instead the new file and the old one swap names in one step
    (``renameat2(RENAME_EXCHANGE)``), and the swap is undone if what was swapped
    out is not the file that was checked (a save by renaming made a new one) or
    was written to (a save in place). A Linux read lease on the old file tells
    whether another program opened it for writing meanwhile; a file another
    program holds open for writing is not replaced at all.
    """
    relative = _inside(root, path)
    name = relative.name
    with _named_after(path), folder_descriptor(root, relative.parent) as folder:
        temporary = _write_temporary(folder, name, data)
        try:
            if expected is None:
                return _place_new(folder, temporary, name)
            return _swap_if_unchanged(folder, name, temporary, expected)
        finally:
            with suppress(FileNotFoundError):
                os.unlink(temporary, dir_fd=folder)


# How long a swapped-out file is watched, lease held, before it is let go: a program
# that looked the name up just before the swap gets this long to reach the file.
SWAP_GRACE_SECONDS = 0.002


def _swap_if_unchanged(folder: int, name: str, temporary: str, expected: bytes) -> bool:
    """:func:`replace_if_unchanged` for an existing file; ``temporary`` ends up holding the old one."""
    try:
        handle = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=folder)
    except FileNotFoundError:
        return False  # removed meanwhile: whoever did it decided
    except OSError as error:
        if error.errno == errno.ELOOP:
            return False  # a link now: not the file that was judged
        raise
    with os.fdopen(handle, "rb") as old, _watching_writers(handle) as written_to:

        def unchanged() -> bool:
            old.seek(0)
            return not written_to() and old.read(len(expected) + 1) == expected

        if not unchanged():
            return False
        if not _exchange(folder, temporary, name):
            return _swap_by_moving_aside(folder, name, temporary, unchanged, handle)
        if not _same_file(folder, temporary, handle) or not unchanged():
            _exchange(folder, temporary, name)  # give the person's file its name back
            return False
        time.sleep(SWAP_GRACE_SECONDS)
        if not unchanged():
            _exchange(folder, temporary, name)
            return False
        return True


def _same_file(folder: int, name: str, handle: int) -> bool:
    """Whether ``name`` is the file open as ``handle``."""
    found, opened = os.stat(name, dir_fd=folder, follow_symlinks=False), os.fstat(handle)
    return (found.st_dev, found.st_ino) == (opened.st_dev, opened.st_ino)


_RENAME_EXCHANGE = 2
try:
    _renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
except (AttributeError, OSError):  # not Linux, or a C library without it
    _renameat2 = None


def _exchange(folder: int, first: str, second: str) -> bool:
    """Swap the names of two files in one step; False where the system cannot."""
    if _renameat2 is None:
        return False
    if _renameat2(folder, os.fsencode(first), folder, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # a file system that cannot swap names
    raise OSError(code, os.strerror(code))


def _swap_by_moving_aside(
    folder: int, name: str, temporary: str, unchanged: Callable[[], bool], handle: int
) -> bool:
    """Where names cannot be swapped: move the old file aside, link the new one in if the
    name is still free. For a moment the name is missing (a save then makes a new file)."""
    aside = temporary.removesuffix(TEMPORARY_SUFFIX) + ASIDE_SUFFIX
    os.rename(name, aside, src_dir_fd=folder, dst_dir_fd=folder)
    if not _same_file(folder, aside, handle) or not unchanged():
        _put_back(folder, aside, name)
        return False
    if not _place_new(folder, temporary, name):
        os.unlink(aside, dir_fd=folder)  # a save made a new file meanwhile; the old one was ours
        return False
    time.sleep(SWAP_GRACE_SECONDS)
    if not unchanged():
        os.replace(aside, name, src_dir_fd=folder, dst_dir_fd=folder)  # that save wins
        return False
    os.unlink(aside, dir_fd=folder)
    return True


@contextmanager
def _watching_writers(handle: int) -> Iterator[Callable[[], bool]]:
    """A function telling whether another program has opened the file of ``handle``
    (open read-only) for writing since the block began, or holds it open so.

    Linux read leases: taking one fails while the file is open for writing
    elsewhere, and another program's opening it for writing breaks it (that
    ``open`` waits until the lease is given up, when this block ends). Where
    leases are not available (another file system, another owner, not Linux),
    the check sees only what the file's bytes show.
    """
    if not hasattr(fcntl, "F_SETLEASE") or threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    # A broken lease is announced by SIGIO, whose default action would end the process.
    previous = signal.signal(signal.SIGIO, signal.SIG_IGN)
    try:
        try:
            fcntl.fcntl(handle, fcntl.F_SETLEASE, fcntl.F_RDLCK)
        except OSError as error:
            busy = error.errno == errno.EAGAIN  # open for writing elsewhere right now; else no leases here
            yield lambda: busy
            return
        try:
            yield lambda: fcntl.fcntl(handle, fcntl.F_GETLEASE) != fcntl.F_RDLCK
        finally:
            with suppress(OSError):
                fcntl.fcntl(handle, fcntl.F_SETLEASE, fcntl.F_UNLCK)
    finally:
        signal.signal(signal.SIGIO, previous)


def _place_new(folder: int, source: str, name: str) -> bool:
    """Give ``source``'s file the name ``name`` unless a file has that name (atomic where links work)."""
    try:
        os.link(source, name, src_dir_fd=folder, dst_dir_fd=folder, follow_symlinks=False)
        return True
    except FileExistsError:
        return False
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
    # A file system without hard links (FAT): the check and the rename are two steps.
    try:
        os.stat(name, dir_fd=folder, follow_symlinks=False)
        return False
    except FileNotFoundError:
        os.replace(source, name, src_dir_fd=folder, dst_dir_fd=folder)
        return True


def _put_back(folder: int, aside: str, name: str) -> None:
    """Return a file moved aside to its name; a newer file saved there meanwhile is kept."""
    if _place_new(folder, aside, name):
        with suppress(FileNotFoundError):
            os.unlink(aside, dir_fd=folder)
    else:
        os.unlink(aside, dir_fd=folder)  # the newer save stands; ``aside`` is that person's earlier version


# -- tidying up after a killed run (only under the folder's lock) -------------------


def restore_set_aside(root: Path, relative: PurePath) -> list[str]:
    """Put back the files a killed run left moved aside in ``root/relative``; their names.

    A file saved at the name meanwhile is newer and is kept; the aside copy is then removed.
    """
    restored = []
    with folder_descriptor(root, relative, create=False) as folder:
        for entry in sorted(os.listdir(folder)):
            if not (entry.startswith(".") and entry.endswith(ASIDE_SUFFIX)):
                continue
            name = entry[1:].removesuffix(ASIDE_SUFFIX).rsplit(".", 1)[0]
            if stat.S_ISREG(os.stat(entry, dir_fd=folder, follow_symlinks=False).st_mode):
                if _place_new(folder, entry, name):
                    restored.append(name)
            os.unlink(entry, dir_fd=folder)
    return restored


def remove_temporaries(root: Path, relative: PurePath) -> None:
    """Remove this pipeline's temporary files (a killed run's) in ``root/relative``; nothing else."""
    with folder_descriptor(root, relative, create=False) as folder:
        for entry in os.listdir(folder):
            if entry.startswith(".") and entry.endswith(TEMPORARY_SUFFIX):
                with suppress(FileNotFoundError):
                    os.unlink(entry, dir_fd=folder)
