"""``OUTPUT/review-log.jsonl``: every review transition a run saw, for a clinical governance audit.

Only the run that holds the folder adds to it, one line per entry, never
rewriting what is there. A line that is not an entry (a person's edit, a
damaged disk) is passed over and named, never a reason to stop.
"""

from __future__ import annotations

import json

from pipeline.review.approval import LogEntry, histories
from pipeline.run.output_folder import MAX_LOG_BYTES, OutputFolder


def read_histories(folder: OutputFolder) -> tuple[dict[str, list[LogEntry]], list[str]]:
    """Each leaflet's entries, oldest first, and a note for every line that is not an entry."""
    data = folder.read(folder.review_log, MAX_LOG_BYTES, "the limit for the review log") if folder.review_log.exists() else b""
    entries, problems = [], []
    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = LogEntry.from_data(json.loads(line))
        except ValueError:
            entry = None
        if entry is None:
            problems.append(f"{folder.review_log.name}:{number}: warning: not a review log entry; passed over")
        else:
            entries.append(entry)
    return histories(entries), problems


def add_entries(folder: OutputFolder, entries: list[LogEntry]) -> None:
    if entries:
        folder.append(folder.review_log, "".join(json.dumps(entry.to_data(), ensure_ascii=False) + "\n" for entry in entries))
