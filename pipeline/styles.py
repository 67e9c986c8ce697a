"""Where the styles live and how leaflets should look: cheap to import.

The batch engine decides what is up to date from these alone, without
loading the layout engine (:mod:`pipeline.render`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from .errors import ConfigError

BUILTIN_STYLES = Path(__file__).resolve().parent.parent / "styles"
PAGE_SIZES = {"a4": "A4", "letter": "letter"}
ASSETS = "assets"


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
        """The file ``relative`` names in the first folder that has it; never outside the folders."""
        path = PurePosixPath(relative)
        if not relative or path.is_absolute() or ".." in path.parts or "\\" in relative:
            return None
        for folder in self.folders:
            candidate = (folder / path).resolve()  # follows symlinks, so check where it really is
            if candidate.is_relative_to(folder) and candidate.is_file():
                return candidate
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
        """Every file under ``assets/`` (fonts, logo, licences) by relative path, first folder winning."""
        found: dict[str, Path] = {}
        for folder in self.folders:
            root = folder / ASSETS
            if not root.is_dir():
                continue
            for path in sorted(root.rglob("*")):
                relative = path.relative_to(folder).as_posix()
                if path.name.startswith(".") or relative in found:
                    continue
                if (resolved := self.find(relative)) is not None:
                    found[relative] = resolved
        return found
