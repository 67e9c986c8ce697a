"""What happened to each file of a run, and to the run: the lines an operator reads and ``report.json``."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipeline import __version__
from pipeline.review.approval import LogEntry
from pipeline.run.files import display_path


@dataclass
class FileResult:
    """What happened to one leaflet; one entry of ``report.json``."""

    input: str
    id: str | None = None
    status: str = "failed"  # built | up to date | left out | failed
    extract: str | None = None  # written | unchanged | kept | proposed
    render: str | None = None  # rendered
    outputs: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    explanations: list[str] = field(default_factory=list)  # --explain: how each heading was read
    error: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    # For index.html: what the rendered leaflet is called and where it stands.
    title: str | None = None
    review_status: str | None = None  # where it stands: draft | reviewed | approved | changed
    left_out: str | None = None  # why an --approved-only run did not publish it
    review_log: list[LogEntry] = field(default_factory=list)  # transitions this run saw, for the review log
    review_row: dict[str, object] | None = None  # its row of review.html, made by the worker ({"key", "row"})


@dataclass
class RunReport:
    command: str
    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    jobs: int = 1
    interrupted: bool = False
    notes: list[str] = field(default_factory=list)  # about the run, not one file
    errors: list[str] = field(default_factory=list)  # the run could not finish its own files (a full disk)

    @property
    def failed(self) -> list[FileResult]:
        return [result for result in self.files if result.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.errors

    def counts(self) -> dict[str, int]:
        counts = {"built": 0, "up to date": 0, "left out": 0, "failed": 0}
        for result in self.files:
            counts[result.status] = counts.get(result.status, 0) + 1
        return counts

    @property
    def warnings(self) -> int:
        return sum(len(result.warnings) for result in self.files)

    def summary(self) -> dict[str, object]:
        counts = self.counts()
        return {
            "documents": len(self.files),
            "built": counts["built"],
            "up_to_date": counts["up to date"],
            "left_out": counts["left out"],
            "failed": counts["failed"],
            "warnings": self.warnings,
            "seconds": round(self.seconds, 3),
            "per_second": round(counts["built"] / self.seconds, 2) if self.seconds else 0.0,
            "jobs": self.jobs,
            "interrupted": self.interrupted,
        }

    def summary_line(self) -> str:
        s = self.summary()
        line = (
            f"{self.command}: {s['built']} built, {s['up_to_date']} up to date, "
            + (f"{s['left_out']} left out (not published), " if s["left_out"] else "")
            + f"{s['failed']} failed, {s['warnings']} warnings; {s['seconds']:.2f} s, {s['per_second']:.1f}/s"
        )
        return line + (" (interrupted)" if self.interrupted else "")

    def to_json(self) -> str:
        data = {
            "command": self.command,
            "version": __version__,
            "summary": self.summary(),
            "notes": self.notes,
            "errors": self.errors,
            "files": [_report_entry(result) for result in self.files],
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _report_entry(result: FileResult) -> dict[str, object]:
    entry = asdict(result)
    del entry["title"], entry["review_status"], entry["review_log"], entry["review_row"]
    if entry["left_out"] is None:
        del entry["left_out"]
    return entry


def cannot_write(error: OSError) -> str:
    """``cannot write output/pdf/x.pdf: No space left on device``: one line for a failed write."""
    where = f" {display_path(Path(os.fsdecode(error.filename)))}" if error.filename else " output"
    return f"cannot write{where}: {error.strerror or error}"


def one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
