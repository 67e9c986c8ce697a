"""Everything a run is configured with, loaded and checked once before any work."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import data_text
from pipeline.errors import ConfigError, PipelineError
from pipeline.render.styles import PAGE_SIZES, RenderOptions, StylesFolders
from pipeline.run.files import display_path, read_limited
from pipeline.run.output_folder import (
    EDITIONS,
    MAX_YAML_BYTES,
    OutputFolder,
    edition_suffix,
)
from pipeline.run.records import code_fingerprint, fingerprint, folders_fingerprint

if TYPE_CHECKING:
    from pipeline.config.headings import HeadingTable
    from pipeline.config.site_text import SiteText

# A heading table or site-text rules of a few KB; far more is no such file.
MAX_DATA_FILE_BYTES = 1024 * 1024
# Per-document limits in worker processes: a pathological input fails alone.
DEFAULT_TIME_LIMIT = 120.0
DEFAULT_MEMORY_LIMIT_MB = 2048


@dataclass(frozen=True)
class Settings:
    """A run's configuration. The data files are parsed on first use, so a run
    with nothing to do never loads the extraction modules."""

    output: Path
    headings_text: str
    site_text_text: str
    extract_deps: str
    render: RenderOptions
    render_deps: str
    jobs: int = 1
    force: bool = False
    approved_only: bool = False
    time_limit: float = DEFAULT_TIME_LIMIT
    memory_limit_mb: int = DEFAULT_MEMORY_LIMIT_MB
    max_yaml_bytes: int = MAX_YAML_BYTES
    today: dt.date = field(default_factory=dt.date.today)  # the day the run judges review dates by
    keep_chrome: bool = False  # --keep-chrome: remove no site text (to debug the rules)
    explain: bool = False  # --explain: say how each heading was read

    def __hash__(self) -> int:  # one renderer per settings object in each worker
        return id(self)

    @cached_property
    def folder(self) -> OutputFolder:
        return OutputFolder(self.output)

    @cached_property
    def editions_render_deps(self) -> dict[str, str]:
        """:attr:`render_deps` as each edition (by file-name suffix) would have them now; worked out
        once a run (each reads and hashes the styles folders)."""
        return {
            suffix: self.render_deps if suffix == self.edition else _render_deps(self.render.styles, page_size, large_print)
            for (page_size, large_print), suffix in EDITIONS.items()
        }

    @property
    def edition(self) -> str:
        """The file-name suffix of the edition this run renders ("" for standard A4)."""
        return edition_suffix(self.render.page_size, self.render.large_print)

    @cached_property
    def headings(self) -> HeadingTable:
        from pipeline.config.headings import table_from_data

        return table_from_data(_parse_data(self.headings_text, "headings table"))

    @cached_property
    def site_text(self) -> SiteText:
        from pipeline.config.site_text import site_text_from_data

        return site_text_from_data(_parse_data(self.site_text_text, "site text rules"))

    def check_extraction_data(self) -> None:
        """Raise ConfigError now if a data file is broken (before any work starts)."""
        self.headings, self.site_text  # noqa: B018 - parsed for their errors

    @classmethod
    def load(
        cls,
        output: Path = Path("output"),
        headings_path: Path | None = None,
        site_text_path: Path | None = None,
        render: RenderOptions | None = None,
        *,
        jobs: int | None = None,
        force: bool = False,
        approved_only: bool = False,
        time_limit: float = DEFAULT_TIME_LIMIT,
        memory_limit_mb: int = DEFAULT_MEMORY_LIMIT_MB,
        today: dt.date | None = None,
        keep_chrome: bool = False,
        explain: bool = False,
    ) -> Settings:
        headings_text = _data_text(headings_path, "headings.yaml", "headings table")
        site_text_text = _data_text(site_text_path, "site_text.yaml", "site text rules")
        render = render or RenderOptions()
        if render.page_size.lower() not in PAGE_SIZES:
            raise ConfigError(f"page size: expected one of {', '.join(PAGE_SIZES)}, got {render.page_size!r}")
        if jobs is not None and jobs < 1:
            raise ConfigError(f"--jobs: expected a number of at least 1, got {jobs}")
        if time_limit <= 0:
            raise ConfigError(f"--time-limit: expected a positive number of seconds, got {time_limit}")
        render_deps = _render_deps(render.styles, render.page_size, render.large_print)
        return cls(
            output=output,
            headings_text=headings_text,
            site_text_text=site_text_text,
            # Keeping the chrome changes what extraction writes: its own fingerprint (as before without it).
            extract_deps=fingerprint([code_fingerprint(), headings_text, site_text_text, *(["keep chrome"] if keep_chrome else [])]),
            render=render,
            render_deps=render_deps,
            jobs=jobs or os.cpu_count() or 1,
            force=force,
            approved_only=approved_only,
            time_limit=time_limit,
            memory_limit_mb=memory_limit_mb,
            today=today or dt.date.today(),
            keep_chrome=keep_chrome,
            explain=explain,
        )


def _render_deps(styles: Path | None, page_size: str, large_print: bool) -> str:
    """What an edition's pages are made from besides the YAML: the styles folders, the page
    options and the code."""
    return folders_fingerprint(StylesFolders(styles).folders, page_size.lower(), str(large_print), code_fingerprint())


def _parse_data(text: str, what: str) -> object:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"cannot read the {what}: {error}") from None


def _data_text(path: Path | None, builtin: str, what: str) -> str:
    if path is None:
        return data_text(builtin)
    try:
        return read_limited(path, MAX_DATA_FILE_BYTES, f"the limit for {what}").decode("utf-8")
    except PipelineError as error:
        raise ConfigError(f"{display_path(path)}: cannot read {what}: {error}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{display_path(path)}: cannot read {what}: not UTF-8 text ({error.reason})") from None
