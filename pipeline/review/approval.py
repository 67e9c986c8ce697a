"""What an approval covers, and where a leaflet stands. Pure.

An approval covers the content it was given to: the title, names, code,
sections, its own contact details and sources (not the review block, not the
source block). The review log keeps
one entry per transition a run sees; from it and the leaflet as it is now,
:func:`observe` says where the leaflet stands and which entry (if any) to add:

- ``approved``: approved, and its content is what was approved;
- ``changed``: approved, but its content changed since the approval, so it is
  rendered and published as not approved until approved again;
- ``draft`` / ``reviewed``: its review status.

A new approval is a change to ``approved`` from another status, or an
approval signed again (another reviewer or another ``reviewed_on`` date). A
change to ``approved`` from another status under a signature that approved
other content on an earlier day is not: that signature stays on what it
approved, and the leaflet is ``changed`` until signed with a new date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from pipeline.model import Leaflet

APPROVED, CHANGED = "approved", "changed"
# Why a leaflet is left out of a published set, by where it stands.
NOT_PUBLISHED = {
    "draft": "draft, not reviewed",
    "reviewed": "reviewed but not approved",
    CHANGED: "changed since its approval",
}


def content_fingerprint(leaflet: Leaflet) -> str:
    """One hash over what a reviewer approves: everything a patient reads."""
    from pipeline.yamlio import leaflet_to_data  # noqa: PLC0415 - yamlio loads jsonschema

    data = leaflet_to_data(leaflet)
    content = {key: data.get(key) for key in ("title", "code", "also_known_as", "technical_term", "extra_sections")}
    # Empty sections and unset fields left out: what a later schema adds changes no approval.
    content["sections"] = {key: blocks for key, blocks in data["sections"].items() if blocks}
    content |= {key: data[key] for key in ("contact", "sources") if data[key]}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class LogEntry:
    """One line of the review log: a transition a run saw."""

    leaflet: str
    event: str  # draft | reviewed | approved | changed since approval | approved text restored
    status: str
    reviewer: str | None
    reviewed_on: str | None
    content: str
    seen: str  # when the run saw it (UTC, ISO 8601)

    def to_data(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_data(cls, data: Any) -> LogEntry | None:
        """An entry read back from the log; None for anything that is not one."""
        if not isinstance(data, dict):
            return None
        texts = ("leaflet", "event", "status", "content", "seen")
        if not all(isinstance(data.get(key), str) for key in texts):
            return None
        if not all(data.get(key) is None or isinstance(data.get(key), str) for key in ("reviewer", "reviewed_on")):
            return None
        return cls(**{key: data.get(key) for key in (*texts[:3], "reviewer", "reviewed_on", "content", "seen")})


def _signed(entry: LogEntry | None) -> tuple[str | None, str | None]:
    return (entry.reviewer, entry.reviewed_on) if entry else (None, None)


def observe(
    leaflet: Leaflet, history: list[LogEntry], now: dt.datetime, known: LogEntry | None = None
) -> tuple[str, LogEntry | None]:
    """(where ``leaflet`` stands, the log entry this sight adds or None), given its ``history``, oldest first.

    ``known`` is the approval the pipeline's own record of the leaflet holds: when the log
    lost it (deleted, or its line damaged), it still binds the content it was given to.
    """
    review = leaflet.review
    content = content_fingerprint(leaflet)
    reviewed_on = review.reviewed_on.isoformat() if review.reviewed_on else None
    if known is not None and not any(e.event == APPROVED and _signed(e) == _signed(known) for e in history):
        history = [*history, known]
    last = history[-1] if history else None

    def entry(event: str) -> LogEntry:
        return LogEntry(leaflet.id, event, review.status, review.reviewer, reviewed_on, content, now.isoformat())

    if review.status != APPROVED:
        moved = last is None or (last.status, *_signed(last)) != (review.status, review.reviewer, reviewed_on)
        bound = review.status == "reviewed" and last is not None and last.content != content
        return review.status, entry(review.status) if moved or bound else None
    if last is None or last.status != APPROVED or _signed(last) != (review.reviewer, reviewed_on):
        earlier = approval_in_effect(history, (review.reviewer, reviewed_on))
        if earlier is not None and earlier.content != content and not _signed_lately(reviewed_on, now):
            # Another status and back under a signature that approved other text days ago: that
            # signature stays on that text (it would date an approval before the text existed).
            return CHANGED, entry("changed since approval")
        return APPROVED, entry(APPROVED)  # a new approval covers the content it is given to
    approval = approval_in_effect(history, (review.reviewer, reviewed_on))
    if approval is None:  # a log that lost the approval entry: this sight approves, and says so
        return APPROVED, entry(APPROVED)
    if content == approval.content:
        return APPROVED, None if last.content == content else entry("approved text restored")
    return CHANGED, None if last.content == content else entry("changed since approval")


# A signature dated this many days before a run sees it still approves new text after another
# status and back ("on the same day": a day's slack for a reviewer's time zone against UTC).
SAME_DAY_SLACK = dt.timedelta(days=1)


def _signed_lately(reviewed_on: str | None, now: dt.datetime) -> bool:
    """Whether a ``reviewed_on`` date is the day ``now`` falls on (within :data:`SAME_DAY_SLACK`) or later."""
    if reviewed_on is None:
        return False
    try:
        return dt.date.fromisoformat(reviewed_on) >= now.date() - SAME_DAY_SLACK
    except ValueError:
        return False


def approval_in_effect(history: list[LogEntry], signed: tuple[str | None, str | None]) -> LogEntry | None:
    """The approval entry with this signature (reviewer, date) that the leaflet's last entries stand on."""
    return next((e for e in reversed(history) if e.event == APPROVED and _signed(e) == signed), None)


def histories(entries: list[LogEntry]) -> dict[str, list[LogEntry]]:
    """The log's entries grouped by leaflet, oldest first: each leaflet's history."""
    histories: dict[str, list[LogEntry]] = {}
    for entry in entries:
        histories.setdefault(entry.leaflet, []).append(entry)
    return histories
