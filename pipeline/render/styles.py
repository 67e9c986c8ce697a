"""Where the styles live and how leaflets should look: cheap to import.

The batch engine decides what is up to date from these alone, without
loading the layout engine (:mod:`pipeline.render`).

A styles folder may come from someone else (a brand designer), so every file
read from one goes through :func:`confined_file`: after resolving symlinks it
must be a regular file inside that folder. A link leading elsewhere, a pipe
or a device is never opened, and templates and ``theme.yaml`` are read only
up to :data:`MAX_STYLES_FILE_BYTES`.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from pipeline.errors import ConfigError, PipelineError
from pipeline.run.files import display_path, read_limited

BUILTIN_STYLES = Path(__file__).resolve().parents[2] / "styles"
PAGE_SIZES = {"a4": "A4", "letter": "letter"}
ASSETS = "assets"
# Templates and theme.yaml are a few KB; anything bigger is a mistake or a trap.
MAX_STYLES_FILE_BYTES = 1024 * 1024
# Fonts and logos are tens of KB; a file far past this in a styles folder is no asset.
MAX_STYLES_ASSET_BYTES = 64 * 1024 * 1024


SCRIPT_SUFFIXES = frozenset({".js", ".mjs", ".cjs"})

class Refused(Exception):
    """Why an entry of a styles folder is not used; the message is the reason, without the path."""


def is_plain_name(relative: str) -> bool:
    """Whether ``relative`` can only name something under a folder (no ``..``, root or backslash)."""
    path = PurePosixPath(relative)
    odd = "\\" in relative or "\0" in relative
    return bool(relative) and not odd and not path.is_absolute() and ".." not in path.parts


def confined_file(folder: Path, relative: str) -> Path | None:
    """The real path of ``folder/relative`` (``folder`` resolved, ``relative`` a plain name),
    or None when there is no such entry; :class:`Refused` when it is no regular file inside ``folder``."""
    entry = folder / relative
    if not os.path.lexists(entry):
        return None
    try:
        real = entry.resolve(strict=True)  # follows symlinks, so check where it really is
        mode = real.stat().st_mode
    except FileNotFoundError:
        raise Refused("is a broken link") from None
    except (OSError, RuntimeError) as error:  # a loop of links, a folder we may not enter
        raise Refused(f"cannot be followed: {getattr(error, 'strerror', None) or error}") from None
    if not real.is_relative_to(folder):
        raise Refused("is a link leading outside the styles folder")
    if stat.S_ISDIR(mode):
        raise Refused("is a folder, not a file")
    if not stat.S_ISREG(mode):
        raise Refused("is not a regular file (a pipe, device or socket?)")
    return real


def read_styles_file(folder: Path, relative: str, limit: int = MAX_STYLES_FILE_BYTES) -> bytes | None:
    """The bytes of ``folder/relative``, or None when there is no such entry.

    A link leading outside ``folder``, a pipe, a device or a file larger than
    ``limit`` bytes is a one-line :class:`ConfigError` naming the file and the reason.
    """
    entry = folder / relative
    if not os.path.lexists(entry):
        return None
    try:
        return read_limited(entry, limit, "the limit for a styles file", inside=folder)
    except PipelineError as error:
        raise ConfigError(f"{display_path(entry)}: {error}") from None


@dataclass(frozen=True)
class RenderOptions:
    """How leaflets look; hashable so each worker process keeps one renderer per options."""

    styles: Path | None = None
    page_size: str = "a4"
    large_print: bool = False


class StylesFolders:
    """The folders searched for templates, theme, stylesheet and assets; the first match wins."""

    def __init__(self, override: Path | None = None):
        folders = []
        if override is not None:
            if not override.is_dir():
                raise ConfigError(f"{override}: styles folder not found")
            folders.append(override.resolve())
        folders.append(BUILTIN_STYLES.resolve())
        self.folders: tuple[Path, ...] = tuple(folders)
        # Relative URLs in the HTML and CSS given to WeasyPrint resolve against this.
        self.base_url = BUILTIN_STYLES.resolve().as_uri() + "/"

    def find(self, relative: str) -> Path | None:
        """The file ``relative`` names in the first folder that has it; never outside the folders.

        For assets and the files WeasyPrint loads: an entry that is refused is
        passed over, as if absent, so the next folder's file of that name is used.
        """
        if not is_plain_name(relative):
            return None
        for folder in self.folders:
            try:
                if (real := confined_file(folder, relative)) is not None:
                    return real
            except Refused:
                continue
        return None

    def read(self, relative: str) -> tuple[Path, bytes] | None:
        """The path and bytes of the file ``relative`` names in the first folder that has an entry
        of that name, or None when none has; for templates.

        Unlike :meth:`find`, a refused entry is a :class:`ConfigError` (see
        :func:`read_styles_file`), not passed over: a template silently replaced
        by the built-in one would hide the problem.
        """
        if not is_plain_name(relative):
            raise ConfigError(f"{relative!r}: a name leading outside the styles folders; refused")
        for folder in self.folders:
            if (data := read_styles_file(folder, relative)) is not None:
                return folder / relative, data
        return None

    def relative_path(self, url: str) -> str | None:
        """The styles-relative path a ``file:`` URL points to, or None for any other URL."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost") or parts.query:
            return None
        path = PurePosixPath(unquote(parts.path))
        for folder in self.folders:
            if path.is_relative_to(folder.as_posix()):
                return path.relative_to(folder.as_posix()).as_posix()
        return None

    def assets(self) -> dict[str, Path]:
        """Every file under ``assets/`` (fonts, logo, licences) by relative path, first folder winning.

        Scripts are left out: the only script a page may run (review.html's filters)
        comes with the package, never from a styles folder."""
        found: dict[str, Path] = {}
        for folder in self.folders:
            root = folder / ASSETS
            if not root.is_dir():
                continue
            for path in sorted(root.rglob("*")):
                relative = path.relative_to(folder).as_posix()
                if path.name.startswith(".") or relative in found or path.suffix.lower() in SCRIPT_SUFFIXES:
                    continue
                if (resolved := self.find(relative)) is not None:
                    found[relative] = resolved
        return found
