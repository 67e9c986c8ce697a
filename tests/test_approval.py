"""Where a leaflet stands, from its review log and its content: the pure rules."""

from __future__ import annotations

import dataclasses
import datetime as dt

from pipeline.model import Block, Code, Contact, Leaflet, Review, Source
from pipeline.review.approval import APPROVED, CHANGED, content_fingerprint, observe

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)


def leaflet(status="draft", reviewer=None, on=None, summary="A short test.", notes=None) -> Leaflet:
    return Leaflet(
        id="x", title="A test", code=Code(system="CPT4", descriptor="A test"), also_known_as=(), technical_term=None,
        sections={"summary": (Block(kind="paragraph", text=summary),)}, extra_sections=(),
        review=Review(status=status, reviewer=reviewer, reviewed_on=on, notes=notes),
        source=Source(path="input/x.txt", sha256="0" * 64, encoding="utf-8"),
    )


def run(*versions: Leaflet) -> list[tuple[str, str | None]]:
    """Each version seen by a run in turn: (standing, event logged)."""
    history, seen = [], []
    for version in versions:
        standing, entry = observe(version, history, NOW)
        history += [entry] if entry else []
        seen.append((standing, entry.event if entry else None))
    return seen


ON = dt.date(2026, 11, 30)


def test_the_fingerprint_covers_what_a_patient_reads_not_the_review_or_source():
    base = leaflet()
    assert content_fingerprint(base) == content_fingerprint(leaflet(status="approved", reviewer="A", notes="ok"))
    assert content_fingerprint(base) == content_fingerprint(dataclasses.replace(base, source=Source(path="y", sha256="1" * 64, encoding="utf-8")))
    assert content_fingerprint(base) != content_fingerprint(leaflet(summary="A short test!"))
    assert content_fingerprint(base) != content_fingerprint(dataclasses.replace(base, title="Another"))


def test_an_approval_covers_the_content_it_was_given_to():
    assert run(
        leaflet(), leaflet("approved", "A", ON), leaflet("approved", "A", ON),
        leaflet("approved", "A", ON, summary="Edited."), leaflet("approved", "A", ON, summary="Edited."),
        leaflet("approved", "A", ON),
    ) == [
        ("draft", "draft"), (APPROVED, "approved"), (APPROVED, None),
        (CHANGED, "changed since approval"), (CHANGED, None), (APPROVED, "approved text restored"),
    ]


def test_signing_again_approves_the_new_content():
    later = dt.date(2026, 12, 1)
    assert run(
        leaflet("approved", "A", ON), leaflet("approved", "A", ON, summary="Edited."),
        leaflet("approved", "A", later, summary="Edited."),
    )[-1] == (APPROVED, "approved")
    assert run(
        leaflet("approved", "A", ON), leaflet("approved", "A", ON, summary="Edited."),
        leaflet("reviewed", "A", ON, summary="Edited."), leaflet("approved", "A", ON, summary="Edited."),
    )[-2:] == [("reviewed", "reviewed"), (APPROVED, "approved")]


def test_an_old_signature_flipped_back_to_approved_does_not_approve_new_text():
    # Approved long ago; set to draft, edited, set back to approved under the same name and date:
    # that would date the approval of the new text before the text existed.
    old = dt.date(2025, 1, 1)
    assert run(
        leaflet("approved", "A", old), leaflet("draft", "A", old, summary="Edited."),
        leaflet("approved", "A", old, summary="Edited."), leaflet("approved", "A", old, summary="Edited."),
        leaflet("approved", "A", dt.date(2026, 12, 1), summary="Edited."),
    ) == [
        (APPROVED, "approved"), ("draft", "draft"), (CHANGED, "changed since approval"), (CHANGED, None),
        (APPROVED, "approved"),
    ]
    # The text it approved, flipped back: still that approval.
    assert run(leaflet("approved", "A", old), leaflet("draft", "A", old), leaflet("approved", "A", old))[-1] == (APPROVED, "approved")


def test_a_change_approved_in_the_same_save_as_its_approval_is_covered():
    assert run(leaflet(), leaflet("approved", "A", ON, summary="Edited.")) == [("draft", "draft"), (APPROVED, "approved")]


def test_drafts_edited_log_nothing_but_their_status_changes():
    assert run(leaflet(), leaflet(summary="Edited."), leaflet("reviewed", "A", ON), leaflet("reviewed", "A", ON, summary="x")) == [
        ("draft", "draft"), ("draft", None), ("reviewed", "reviewed"), ("reviewed", "reviewed"),
    ]


def test_an_empty_section_added_to_the_schema_later_changes_no_approval():
    base = leaflet()
    sections = {key: blocks for key, blocks in base.sections.items() if key != "urgent_help"}
    assert content_fingerprint(base) == content_fingerprint(dataclasses.replace(base, sections=sections))


def test_a_leaflets_own_contact_and_sources_are_covered_and_their_absence_changes_no_approval():
    base = leaflet()
    assert content_fingerprint(base) == content_fingerprint(dataclasses.replace(base, contact=None, sources=()))
    phone = dataclasses.replace(base, contact=Contact(phone="0100 496 0001"))
    assert content_fingerprint(phone) != content_fingerprint(base)  # a patient dials that number
    assert content_fingerprint(phone) != content_fingerprint(dataclasses.replace(base, contact=Contact(phone="0100 496 0002")))
    assert content_fingerprint(dataclasses.replace(base, sources=("A guideline",))) != content_fingerprint(base)
    assert content_fingerprint(dataclasses.replace(base, review=Review(version=2))) == content_fingerprint(base)
