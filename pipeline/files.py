"""Safe file writing and input discovery: the only place that touches paths."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import ConfigError

INPUT_SUFFIX = ".txt"


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write to a temporary file beside ``path`` and rename it into place.

    A run killed half-way leaves either the old file or the new one, never a
    truncated mix; the temporary name starts with ``.`` and ends with ``.tmp``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def collect_inputs(paths: list[Path], suffix: str = INPUT_SUFFIX) -> list[Path]:
    """Files as given, folders expanded to their ``*suffix`` files, sorted, no repeats."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(child for child in path.iterdir() if child.suffix == suffix and not child.name.startswith("."))
        elif path.exists() or path.is_symlink():
            found.append(path)
        else:
            raise ConfigError(f"{path}: no such file or folder")
    return list(dict.fromkeys(found))


def display_path(path: Path) -> str:
    """``path`` relative to the working folder when it lies inside it, POSIX style."""
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(os.getcwd())).as_posix()
    except ValueError:
        return path.as_posix()
