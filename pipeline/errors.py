"""The few exceptions the pipeline raises on purpose.

The CLI catches :class:`PipelineError`, prints its one-line message and moves
on to the next file (or exits with status 2 for :class:`ConfigError`).
"""

from __future__ import annotations

from pipeline.model import ERROR, Diagnostic


class PipelineError(Exception):
    """Base class: something is wrong with one file or with the setup."""


class InputError(PipelineError):
    """One input file cannot be turned into a leaflet."""


class LeafletFileError(PipelineError):
    """A leaflet YAML file is malformed; ``line``/``column`` are 1-based."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.line = line
        self.column = column

    def diagnostic(self) -> Diagnostic:
        """This error as a diagnostic, to be printed the one way diagnostics are."""
        column = self.column or 1 if self.line is not None else None
        return Diagnostic(str(self), self.line, column, ERROR)


class ConfigError(PipelineError):
    """Bad command-line usage, data file or styles folder: the run cannot start."""
