"""One row of the review dashboard per leaflet YAML: what it says (title, status, dates,
reading grade and hardest sentences, the problems ``leaflets check`` finds) and, when a
fresh extraction waits beside it, the line difference between the two. Pure: text and
dates in, rows out.

A row is remembered between runs under a key over everything it is made from
(:func:`row_key`), so only the rows of changed leaflets are checked again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.errors import LeafletFileError
from pipeline.model import ERROR, REVIEW_STATUSES, WARNING, Diagnostic, overdue
from pipeline.render.views import section_anchor
from pipeline.review.approval import LogEntry
from pipeline.review.check import CHANGED_SINCE_APPROVAL, check_document
from pipeline.review.lints import HARD_SENTENCE
from pipeline.review.sentences import Reading
from pipeline.run.records import code_fingerprint, fingerprint
from pipeline.yamlio import parse_yaml

CONTEXT_LINES = 2  # unchanged lines shown around each change


MAX_DIFF_LINES = 400  # beyond this the proposed file itself is the better read


@dataclass(frozen=True)
class LeafletFiles:
    """One leaflet's files, as links relative to the output folder; None when missing."""

    id: str
    yaml: str
    html: str | None = None
    pdf: str | None = None
    proposed: str | None = None


@dataclass(frozen=True)
class DiffLine:
    """One line of a proposed change: ``removed``, ``added``, ``unchanged``, or a ``hunk`` heading."""

    kind: str
    text: str
    # For a changed line paired with its counterpart: its text in runs, each marked changed or not.
    parts: tuple[tuple[str, bool], ...] = ()


@dataclass(frozen=True)
class ProposedChange:
    """The reviewed YAML against the fresh extraction beside it."""

    lines: tuple[DiffLine, ...]
    removed: int
    added: int
    truncated: int = 0  # diff lines left out (see MAX_DIFF_LINES)


@dataclass(frozen=True)
class HardSentence:
    """One of a leaflet's hardest sentences, as the dashboard lists it: where it is in the YAML,
    its grade, its words (cut short), and its section (a canonical key, or an extra section's
    heading) with the anchor of that section on the leaflet's page."""

    line: int
    column: int
    grade: float
    text: str
    section: str
    anchor: str


def hardest_sentences(reading: Reading, extra_headings: Sequence[str]) -> tuple[HardSentence, ...]:
    """The sentences ``leaflets check`` marks as the hardest, hardest first."""
    found = []
    for sentence in reading.hard_shown:
        kind, which = sentence.section
        section = str(which) if kind == "sections" else extra_headings[which]
        found.append(HardSentence(
            line=sentence.line or 1, column=sentence.column or 1, grade=sentence.grade or 0.0,
            text=sentence.excerpt(), section=section, anchor=section_anchor(kind, which),
        ))
    return tuple(found)


@dataclass(frozen=True)
class ReviewRow:
    """One leaflet as the dashboard shows it; fields a broken file lacks are None."""

    files: LeafletFiles
    title: str
    status: str | None
    reviewer: str | None
    reviewed_on: dt.date | None
    next_review_due: dt.date | None
    overdue: bool
    grade: float | None
    warnings: int
    errors: int
    first_error: str | None = None
    proposal: ProposedChange | None = None
    changed_since_approval: bool = False
    messages: tuple[str, ...] = ()  # its warnings, "line:col: message", the first few (not the hardest sentences)
    hardest: tuple[HardSentence, ...] = ()  # the sentences check marks as the hardest, hardest first

    @property
    def unlisted_warnings(self) -> int:
        """Warnings the row shows neither as a message nor as a hard sentence."""
        return self.warnings - len(self.messages) - len(self.hardest)
    # What the source leaflet says about itself (its reference, dates, department, author), labelled.
    record: tuple[tuple[str, str], ...] = ()

    @property
    def urgency(self) -> int:
        """Where the row stands in the table: what needs a reviewer first."""
        if self.errors:
            return 0
        if self.changed_since_approval:
            return 1
        if self.proposal is not None:
            return 2
        if self.overdue:
            return 3
        return {"draft": 4, "reviewed": 5, "approved": 6}.get(self.status or "", 4)


MAX_MESSAGES = 5  # warnings shown in a row; check lists them all


def review_row(
    yaml_text: str, proposed_text: str | None, today: dt.date, files: LeafletFiles, compared: str | None = None,
    history: tuple[LogEntry, ...] = (), max_grade: float | None = None,
) -> ReviewRow:
    """The dashboard row for one leaflet YAML (valid or not) and its proposed update, if any, shown as
    its difference to ``compared``: the extraction the reviewer started from (the YAML itself if unknown).
    ``history`` is the leaflet's review log, for whether it changed since its approval; ``max_grade``
    the reading grade sentences are marked above (default: the built-in theme's)."""
    checked = check_document(yaml_text, today, history=history, max_grade=max_grade)
    problems = checked.problems
    errors = [problem for problem in problems if problem.severity == ERROR]
    warnings = sum(problem.severity == WARNING for problem in problems)
    shown = sorted(
        (problem for problem in problems if problem.severity == WARNING and not problem.message.startswith(HARD_SENTENCE)),
        key=_urgency,
    )
    messages = tuple(f"{problem.place}: {problem.message}" for problem in shown)[:MAX_MESSAGES]
    proposal = proposed_change(compared or yaml_text, proposed_text) if proposed_text is not None else None
    if errors:
        first = errors[0]
        return _row_from_broken(
            yaml_text, today, files, errors=len(errors), warnings=warnings, proposal=proposal,
            first_error=f"{first.place}: {first.message}",
        )
    leaflet, reading = checked.leaflet, checked.reading
    assert leaflet is not None and reading is not None  # a document without errors
    review = leaflet.review
    return ReviewRow(
        files=files,
        title=leaflet.title,
        status=review.status,
        reviewer=review.reviewer or None,
        reviewed_on=review.reviewed_on,
        next_review_due=review.next_review_due,
        overdue=overdue(review.next_review_due, today),
        grade=checked.grade,
        warnings=warnings,
        errors=0,
        proposal=proposal,
        changed_since_approval=any(problem.message.startswith(CHANGED_SINCE_APPROVAL) for problem in problems),
        messages=messages,
        record=source_record_labels(leaflet.source.fields()),
        hardest=hardest_sentences(reading, [extra.heading for extra in leaflet.extra_sections]),
    )


RECORD_LABELS = {
    "reference": "Reference",
    "published": "Published",
    "review_date": "Source review date",
    "department": "Department",
    "author": "Author",
}


def source_record_labels(fields: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """``source.reference`` and friends as the review page labels them, in order."""
    return tuple((RECORD_LABELS[name], value) for name, value in fields.items())


def _urgency(problem: Diagnostic) -> tuple[int, int]:
    """Which warnings a row shows first: its review and approval, then the content, then words."""
    message = problem.message
    if "approv" in message or "review" in message:
        rank = 0
    elif any(words in message for words in ("a patient does not know", "speaks to the reader", "passive voice")):
        rank = 2
    else:
        rank = 1
    return rank, problem.line or 0


def unreadable_row(files: LeafletFiles, reason: str) -> ReviewRow:
    """The row for a file that could not even be read as text."""
    return ReviewRow(
        files=files, title=files.id, status=None, reviewer=None, reviewed_on=None, next_review_due=None,
        overdue=False, grade=None, warnings=0, errors=1, first_error=reason,
    )


def _row_from_broken(yaml_text: str, today: dt.date, files: LeafletFiles, **counts: Any) -> ReviewRow:
    """A row for a YAML that fails the check: whatever fields still make sense are shown."""
    try:
        data = parse_yaml(yaml_text)
    except LeafletFileError:
        data = None
    data = data if isinstance(data, dict) else {}
    review = data.get("review") if isinstance(data.get("review"), dict) else {}
    title = data.get("title")
    status = review.get("status")
    reviewer = review.get("reviewer")
    due = _as_date(review.get("next_review_due"))
    return ReviewRow(
        files=files,
        title=title.strip() if isinstance(title, str) and title.strip() else files.id,
        status=status if status in REVIEW_STATUSES else None,
        reviewer=reviewer if isinstance(reviewer, str) and reviewer else None,
        reviewed_on=_as_date(review.get("reviewed_on")),
        next_review_due=due,
        overdue=overdue(due, today),
        grade=None,
        **counts,
    )


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def word_changes(before: str, after: str) -> tuple[tuple[tuple[str, bool], ...], tuple[tuple[str, bool], ...]]:
    """Two versions of a line in runs of words, each run marked changed or not (spaces kept)."""
    first, second = re.split(r"(\s+)", before), re.split(r"(\s+)", after)
    matcher = difflib.SequenceMatcher(None, first, second, autojunk=False)
    old_parts: list[tuple[str, bool]] = []
    new_parts: list[tuple[str, bool]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if i2 > i1:
            old_parts.append(("".join(first[i1:i2]), tag != "equal"))
        if j2 > j1:
            new_parts.append(("".join(second[j1:j2]), tag != "equal"))
    return tuple(old_parts), tuple(new_parts)


def _without_source_block(text: str) -> list[str]:
    """The YAML's lines up to its ``source:`` block: the checksum of a changed source always
    differs, which tells a reviewer nothing the rest of the difference does not."""
    lines = text.splitlines()
    return lines[: lines.index("source:")] if "source:" in lines else lines


def proposed_change(reviewed: str, proposed: str, context: int = CONTEXT_LINES) -> ProposedChange:
    """Changed lines with a little context, in hunks headed by where they are in the proposed file."""
    old, new = _without_source_block(reviewed), _without_source_block(proposed)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    lines: list[DiffLine] = []
    removed = added = 0
    for group in matcher.get_grouped_opcodes(context):
        lines.append(DiffLine("hunk", _hunk_heading(group, new)))
        for tag, old_start, old_end, new_start, new_end in group:
            if tag == "equal":
                lines += [DiffLine("unchanged", text) for text in old[old_start:old_end]]
                continue
            before, after = old[old_start:old_end], new[new_start:new_end]
            if len(before) == len(after):  # line for line: the words that changed are marked
                pairs = [word_changes(first, second) for first, second in zip(before, after)]
                lines += [DiffLine("removed", text, parts) for text, (parts, _) in zip(before, pairs)]
                lines += [DiffLine("added", text, parts) for text, (_, parts) in zip(after, pairs)]
            else:
                lines += [DiffLine("removed", text) for text in before]
                lines += [DiffLine("added", text) for text in after]
            removed += old_end - old_start
            added += new_end - new_start
    shown = lines[:MAX_DIFF_LINES]
    return ProposedChange(tuple(shown), removed=removed, added=added, truncated=len(lines) - len(shown))


_NESTED_KEY = re.compile(r"^  (\w+):")
_TOP_KEY = re.compile(r"^(\w+):")


def _hunk_heading(group: Sequence[tuple[str, int, int, int, int]], new: list[str]) -> str:
    """``@@ -10,5 +10,6 @@`` said in words: the part of the leaflet it is in, and where in the
    proposed YAML (the file a reviewer can open)."""
    new_start, new_end = group[0][3], group[-1][4]
    first_change = next(j1 for tag, _, _, j1, _ in group if tag != "equal")
    place = _place_of(new, min(first_change, len(new) - 1))
    where = f"proposed YAML {_line_range(new_start, new_end)}"
    return f"{place}: {where}" if place else where[0].upper() + where[1:]


def _place_of(lines: list[str], index: int) -> str | None:
    """The section (``sections.risks``) or top-level key (``title``) a line of a leaflet YAML stands in."""
    nested = None
    for line in reversed(lines[: index + 1]):
        if nested is None and (match := _NESTED_KEY.match(line)):
            nested = match[1]
        if match := _TOP_KEY.match(line):
            return f"sections.{nested}" if match[1] == "sections" and nested else match[1]
    return None


def _line_range(start: int, end: int) -> str:
    if end - start <= 0:
        return f"after line {start}" if start else "at the start"
    if end - start == 1:
        return f"line {start + 1}"
    return f"lines {start + 1}-{end}"


def row_key(
    yaml_text: str, proposed_text: str | None, today: dt.date, compared: str | None = None,
    history: tuple[LogEntry, ...] = (), max_grade: float | None = None,
) -> str:
    """What a row depends on (its files' links are worked out afresh each time)."""
    proposed = ["proposed", proposed_text, compared or yaml_text] if proposed_text is not None else ["none"]
    log = [json.dumps(entry.to_data(), sort_keys=True) for entry in history]
    grade = "default" if max_grade is None else repr(float(max_grade))
    return fingerprint([code_fingerprint(), today.isoformat(), "grade", grade, yaml_text, *proposed, "log", *log])


def row_to_data(row: ReviewRow) -> dict[str, Any]:
    proposal = row.proposal
    return {
        "title": row.title,
        "status": row.status,
        "reviewer": row.reviewer,
        "reviewed_on": _iso(row.reviewed_on),
        "next_review_due": _iso(row.next_review_due),
        "overdue": row.overdue,
        "grade": row.grade,
        "warnings": row.warnings,
        "errors": row.errors,
        "first_error": row.first_error,
        "changed_since_approval": row.changed_since_approval,
        "messages": list(row.messages),
        "record": [list(pair) for pair in row.record],
        "hardest": [dataclasses.asdict(sentence) for sentence in row.hardest],
        "proposal": None if proposal is None else {
            "lines": [[line.kind, line.text, [list(part) for part in line.parts]] for line in proposal.lines],
            "removed": proposal.removed,
            "added": proposal.added,
            "truncated": proposal.truncated,
        },
    }


def row_from_data(data: dict[str, Any], files: LeafletFiles) -> ReviewRow:
    """The row :func:`row_to_data` gave; malformed data raises (KeyError, TypeError, ValueError)."""
    proposal = data["proposal"]
    return ReviewRow(
        files=files,
        title=str(data["title"]),
        status=data["status"],
        reviewer=data["reviewer"],
        reviewed_on=_date(data["reviewed_on"]),
        next_review_due=_date(data["next_review_due"]),
        overdue=bool(data["overdue"]),
        grade=None if data["grade"] is None else float(data["grade"]),
        warnings=int(data["warnings"]),
        errors=int(data["errors"]),
        first_error=data["first_error"],
        changed_since_approval=bool(data["changed_since_approval"]),
        messages=tuple(str(message) for message in data["messages"]),
        record=tuple((str(label), str(value)) for label, value in data["record"]),
        hardest=tuple(
            HardSentence(
                line=int(entry["line"]), column=int(entry["column"]), grade=float(entry["grade"]),
                text=str(entry["text"]), section=str(entry["section"]), anchor=str(entry["anchor"]),
            )
            for entry in data["hardest"]
        ),
        proposal=None if proposal is None else ProposedChange(
            lines=tuple(
                DiffLine(str(kind), str(text), tuple((str(run), bool(changed)) for run, changed in parts))
                for kind, text, parts in proposal["lines"]
            ),
            removed=int(proposal["removed"]),
            added=int(proposal["added"]),
            truncated=int(proposal["truncated"]),
        ),
    )


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _date(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)
