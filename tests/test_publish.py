"""Approvals bound to content, the review log, and --approved-only publishing exactly the
approved, in-date, unchanged leaflets, through the command line."""

from __future__ import annotations

import json
import subprocess

import pytest

from .conftest import run_leaflets

pytestmark = pytest.mark.slow  # renders PDFs

APPROVED_ID, DRAFT_ID = "000_17bfeb77524420af", "003_4a4ee41c62ba9be6"
APPROVED_LABEL, CHANGED_LABEL = "Clinically reviewed and approved", "NOT APPROVED - changed since its approval"
leaflets = run_leaflets


@pytest.fixture
def workdir(sample_workdir):
    return sample_workdir


def yaml_path(doc_id: str):
    from pathlib import Path

    return Path("output") / "yaml" / f"{doc_id}.yaml"


def edit(doc_id: str, *replacements: tuple[str, str]) -> None:
    path = yaml_path(doc_id)
    text = path.read_text("utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text, "utf-8")


def approve(doc_id: str, on: str = "2026-11-30", due: str = "2099-11-30") -> None:
    edit(
        doc_id,
        ("status: draft", "status: approved"), ("reviewer: null", "reviewer: Dr Ada Example"),
        ("reviewed_on: null", f"reviewed_on: {on}"), ("next_review_due: null", f"next_review_due: {due}"),
    )


def published(workdir) -> dict[str, str]:
    """What can be printed from the folder: the ids with a page or PDF, and the index's text."""
    html = {path.stem for path in (workdir / "output" / "html").glob("*.html")}
    pdf = {path.stem for path in (workdir / "output" / "pdf").glob("*.pdf")}
    return {"html": sorted(html), "pdf": sorted(pdf), "index": (workdir / "output" / "index.html").read_text("utf-8")}


def pdf_text(path) -> str:
    return " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split())


def log(workdir) -> list[dict]:
    return [json.loads(line) for line in (workdir / "output" / "review-log.jsonl").read_text("utf-8").splitlines()]


def test_a_withdrawn_leaflet_is_gone_from_the_published_set_after_a_full_run(workdir, capsys):
    assert leaflets(capsys, "build")[0] == 0
    approve(APPROVED_ID)
    assert leaflets(capsys, "build")[0] == 0
    assert APPROVED_LABEL in (workdir / "output" / "html" / f"{APPROVED_ID}.html").read_text("utf-8")

    edit(APPROVED_ID, ("status: approved", "status: draft"))  # withdrawn
    code, out, err = leaflets(capsys, "build", "--approved-only")
    assert code == 0, err
    assert published(workdir)["html"] == [] and published(workdir)["pdf"] == []
    assert APPROVED_LABEL not in published(workdir)["index"]
    assert "review.html" not in published(workdir)["index"]  # a published set links no reviewers' dashboard
    assert f"{APPROVED_ID}.txt: left out: draft, not reviewed; its output/html/{APPROVED_ID}.html and output/pdf/{APPROVED_ID}.pdf removed" in err
    assert f"{DRAFT_ID}.txt: left out: draft, not reviewed" in err
    assert "2 left out (not published)" in out


def test_an_overdue_leaflet_is_left_out_and_said_so(workdir, capsys):
    assert leaflets(capsys, "build")[0] == 0
    approve(APPROVED_ID, on="2024-01-10", due="2025-01-10")
    code, _, err = leaflets(capsys, "build", "--approved-only")
    assert code == 0, err
    assert published(workdir)["pdf"] == []
    assert f"{APPROVED_ID}.txt: left out: overdue for review (next review was due 2025-01-10)" in err


def test_a_leaflet_changed_after_its_approval_is_not_approved_until_approved_again(workdir, capsys):
    assert leaflets(capsys, "build")[0] == 0
    approve(APPROVED_ID)
    assert leaflets(capsys, "build", "--approved-only")[0] == 0
    assert published(workdir)["pdf"] == [APPROVED_ID]

    edit(APPROVED_ID, ("minimally invasive procedure", "small procedure"))  # after the approval
    assert leaflets(capsys, "build")[0] == 0
    page = (workdir / "output" / "html" / f"{APPROVED_ID}.html").read_text("utf-8")
    assert CHANGED_LABEL in page and APPROVED_LABEL not in page
    text = pdf_text(workdir / "output" / "pdf" / f"{APPROVED_ID}.pdf")
    assert CHANGED_LABEL in text and APPROVED_LABEL not in text
    code, out, _ = leaflets(capsys, "check", "--strict", str(yaml_path(APPROVED_ID)))
    assert code == 1 and "changed since its approval by Dr Ada Example on 2026-11-30" in out

    code, _, err = leaflets(capsys, "build", "--approved-only")
    assert code == 0 and published(workdir)["pdf"] == []
    assert f"{APPROVED_ID}.txt: left out: changed since its approval" in err

    edit(APPROVED_ID, ("reviewed_on: 2026-11-30", "reviewed_on: 2026-12-01"))  # signed again
    assert leaflets(capsys, "build", "--approved-only")[0] == 0
    assert published(workdir)["pdf"] == [APPROVED_ID]
    assert APPROVED_LABEL in pdf_text(workdir / "output" / "pdf" / f"{APPROVED_ID}.pdf")

    events = [(e["leaflet"], e["event"], e["reviewed_on"]) for e in log(workdir)]
    assert events == [
        (APPROVED_ID, "draft", None), (DRAFT_ID, "draft", None),
        (APPROVED_ID, "approved", "2026-11-30"),
        (APPROVED_ID, "changed since approval", "2026-11-30"),
        (APPROVED_ID, "approved", "2026-12-01"),
    ]
    fingerprints = [e["content"] for e in log(workdir) if e["leaflet"] == APPROVED_ID]
    assert fingerprints[1] == fingerprints[0] and fingerprints[2] != fingerprints[1] == fingerprints[0]
    assert fingerprints[3] == fingerprints[2]


def test_outputs_of_leaflets_outside_the_run_are_not_left_published(workdir, capsys):
    assert leaflets(capsys, "build")[0] == 0
    approve(APPROVED_ID)
    code, _, err = leaflets(capsys, "build", "--approved-only", f"input/{APPROVED_ID}.txt")
    assert code == 0, err
    assert published(workdir)["pdf"] == [APPROVED_ID]  # the draft's PDF from the first run is gone
    assert f"output/html/{DRAFT_ID}.html: left out: not among this run's leaflets" in err


def test_a_review_log_that_is_a_link_stops_the_run(workdir, capsys, tmp_path_factory):
    assert leaflets(capsys, "build")[0] == 0
    outside = tmp_path_factory.mktemp("elsewhere") / "log.jsonl"
    outside.write_text("", "utf-8")
    log_path = workdir / "output" / "review-log.jsonl"
    log_path.unlink()
    log_path.symlink_to(outside)
    edit(APPROVED_ID, ("minimally invasive procedure", "small procedure"))
    code, _, err = leaflets(capsys, "build")
    assert code == 2 and "review-log.jsonl: cannot be read" in err and outside.read_text("utf-8") == ""


def test_lines_of_the_log_that_are_not_entries_are_named_and_passed_over(workdir, capsys):
    assert leaflets(capsys, "build")[0] == 0
    with (workdir / "output" / "review-log.jsonl").open("a", encoding="utf-8") as handle:
        handle.write("not json\n{\"leaflet\": 3}\n")
    edit(APPROVED_ID, ("minimally invasive procedure", "small procedure"))
    code, out, err = leaflets(capsys, "build")
    assert code == 0, err
    notes = json.loads((workdir / "output" / "report.json").read_text("utf-8"))["notes"]
    assert "review-log.jsonl:3: warning: not a review log entry; passed over" in notes


# -- found by a red-team pass --------------------------------------------------------


def test_a_changed_source_does_not_let_a_draft_or_overdue_leaflet_through(workdir, capsys):
    assert leaflets(capsys, "build")[0] == 0
    approve(APPROVED_ID, on="2024-01-10", due="2025-01-10")  # overdue
    assert leaflets(capsys, "build")[0] == 0
    for doc_id in (APPROVED_ID, DRAFT_ID):  # extraction out of date, outputs current
        source = workdir / "input" / f"{doc_id}.txt"
        source.write_text(source.read_text("utf-8") + "\nOne more line of text.\n", "utf-8")
    code, _, err = leaflets(capsys, "build", "--approved-only")
    assert code == 0 and published(workdir)["pdf"] == [] and "overdue for review" in err


def test_approved_without_a_next_review_date_is_not_published(workdir, capsys):
    assert leaflets(capsys, "build")[0] == 0
    approve(APPROVED_ID)
    edit(APPROVED_ID, ("next_review_due: 2099-11-30", "next_review_due: null"))
    code, _, err = leaflets(capsys, "render", "--approved-only")
    assert code == 0 and published(workdir)["pdf"] == [] and "approved without a next review date" in err


def test_a_yaml_whose_id_differs_from_its_name_keeps_its_own_approval(workdir, capsys):
    assert leaflets(capsys, "build")[0] == 0
    approve(APPROVED_ID)
    copy = yaml_path("copy")
    copy.write_text(yaml_path(APPROVED_ID).read_text("utf-8"), "utf-8")
    assert leaflets(capsys, "render", str(copy))[0] == 0
    copy.write_text(copy.read_text("utf-8").replace("minimally invasive procedure", "small procedure"), "utf-8")
    assert leaflets(capsys, "render", str(copy))[0] == 0
    assert CHANGED_LABEL in (workdir / "output" / "html" / "copy.html").read_text("utf-8")
    assert {e["leaflet"] for e in log(workdir) if e["event"] != "draft"} == {"copy"}


def test_a_lost_review_log_does_not_approve_changed_text(workdir, capsys):
    assert leaflets(capsys, "build")[0] == 0
    approve(APPROVED_ID)
    assert leaflets(capsys, "render")[0] == 0
    edit(APPROVED_ID, ("minimally invasive procedure", "small procedure"))
    assert leaflets(capsys, "render")[0] == 0
    (workdir / "output" / "review-log.jsonl").unlink()
    edit(APPROVED_ID, ("notes: null", "notes: checked"))
    code, _, err = leaflets(capsys, "render", "--approved-only")
    assert code == 0 and published(workdir)["pdf"] == [] and "changed since its approval" in err


def test_rendering_into_another_folder_publishes_nothing_reviewed_elsewhere(workdir, capsys):
    assert leaflets(capsys, "build")[0] == 0
    approve(APPROVED_ID)
    assert leaflets(capsys, "render")[0] == 0
    code, _, err = leaflets(capsys, "render", "--approved-only", "-o", "print", f"output/yaml/{APPROVED_ID}.yaml")
    assert code == 0 and not list((workdir / "print").glob("pdf/*.pdf")) and "reviewed in another output folder" in err


def test_a_published_file_replaced_behind_the_pipelines_back_is_made_again(workdir, capsys):
    assert leaflets(capsys, "build")[0] == 0
    approve(APPROVED_ID)
    assert leaflets(capsys, "render", "--approved-only")[0] == 0
    pdf = workdir / "output" / "pdf" / f"{APPROVED_ID}.pdf"
    made = pdf.read_bytes()
    pdf.write_bytes(b"%PDF-1.7 an older leaflet copied back")
    html = workdir / "output" / "html" / f"{APPROVED_ID}.html"
    outside = workdir / "elsewhere.html"
    outside.write_text("<p>not ours</p>", "utf-8")
    html.unlink()
    html.symlink_to(outside)
    assert leaflets(capsys, "render", "--approved-only")[0] == 0
    assert pdf.read_bytes()[:8] == made[:8] and b"copied back" not in pdf.read_bytes()
    assert not html.is_symlink() and outside.read_text("utf-8") == "<p>not ours</p>"


# -- editions ---------------------------------------------------------------------------


def test_each_edition_has_files_of_its_own_and_the_index_links_them(workdir, capsys):
    assert leaflets(capsys, "build")[0] == 0
    assert leaflets(capsys, "build", "--large-print")[0] == 0
    assert leaflets(capsys, "build", "--page-size", "letter")[0] == 0
    pdfs = sorted(path.name for path in (workdir / "output" / "pdf").glob(f"{APPROVED_ID}*.pdf"))
    assert pdfs == [f"{APPROVED_ID}.large-print.pdf", f"{APPROVED_ID}.letter.pdf", f"{APPROVED_ID}.pdf"]
    index = published(workdir)["index"]
    assert f"pdf/{APPROVED_ID}.large-print.pdf" in index and f"pdf/{APPROVED_ID}.letter.pdf" in index
    assert "Large print:" in index and "US Letter:" in index


def test_a_withdrawn_leaflet_loses_every_edition(workdir, capsys):
    assert leaflets(capsys, "build")[0] == 0
    approve(APPROVED_ID)
    assert leaflets(capsys, "build", "--large-print")[0] == 0
    assert leaflets(capsys, "build")[0] == 0
    edit(APPROVED_ID, ("status: approved", "status: draft"))
    assert leaflets(capsys, "build", "--approved-only")[0] == 0
    assert not list((workdir / "output" / "pdf").glob("*.pdf")) and not list((workdir / "output" / "html").glob("*.html"))


def test_another_edition_made_from_other_text_leaves_a_published_set(workdir, capsys):
    assert leaflets(capsys, "build")[0] == 0
    approve(APPROVED_ID)
    assert leaflets(capsys, "build", "--large-print")[0] == 0  # made from this text: may stay
    assert leaflets(capsys, "build", "--approved-only")[0] == 0
    assert (workdir / "output" / "pdf" / f"{APPROVED_ID}.large-print.pdf").exists()
    edit(APPROVED_ID, ("minimally invasive procedure", "small procedure"), ("reviewed_on: 2026-11-30", "reviewed_on: 2026-12-01"))
    code, _, err = leaflets(capsys, "build", "--approved-only")  # the standard edition, approved again
    assert code == 0 and (workdir / "output" / "pdf" / f"{APPROVED_ID}.pdf").exists()
    assert not (workdir / "output" / "pdf" / f"{APPROVED_ID}.large-print.pdf").exists()
    assert "another edition, not made from the text published now" in err


def test_an_approval_without_a_reviewer_is_not_published(workdir, capsys):
    assert leaflets(capsys, "build")[0] == 0
    approve(APPROVED_ID)
    edit(APPROVED_ID, ("reviewer: Dr Ada Example", "reviewer: null"))
    code, _, err = leaflets(capsys, "render", "--approved-only")
    assert code == 0 and published(workdir)["pdf"] == [] and "approved without a reviewer's name" in err


def test_one_run_makes_several_editions_and_each_stays_up_to_date_on_its_own(workdir, capsys):
    code, out, err = leaflets(capsys, "build", "--edition", "a4,large-print,letter")
    assert code == 0, err
    assert "build (a4): 2 built" in out and "build (large-print): 2 built" in out and "build (letter): 2 built" in out
    pdfs = sorted(path.name for path in (workdir / "output" / "pdf").glob(f"{APPROVED_ID}*.pdf"))
    assert pdfs == [f"{APPROVED_ID}.large-print.pdf", f"{APPROVED_ID}.letter.pdf", f"{APPROVED_ID}.pdf"]
    for edition in ([], ["--large-print"], ["--page-size", "letter"]):  # switching editions redoes nothing
        code, out, _ = leaflets(capsys, "build", *edition)
        assert code == 0 and ": 0 built, 2 up to date" in out, (edition, out)
    code, _, err = leaflets(capsys, "build", "--edition", "a4", "--large-print")
    assert code == 2 and "--edition names the editions itself" in err


def test_a_page_says_it_is_past_its_review_date_from_the_day_after_it_was_due(workdir):
    import datetime as dt
    from pathlib import Path

    from pipeline.run.commands import run_build
    from pipeline.run.settings import Settings

    assert run_build([Path("input")], Settings.load(Path("output"))).ok
    approve(APPROVED_ID, on="2026-11-30", due="2027-01-10")
    page = workdir / "output" / "html" / f"{APPROVED_ID}.html"
    on_the_day = run_build([Path("input")], Settings.load(Path("output"), today=dt.date(2027, 1, 10)))
    assert on_the_day.ok and "Past its review date" not in page.read_text("utf-8")
    same_day = run_build([Path("input")], Settings.load(Path("output"), today=dt.date(2027, 1, 10)))
    assert same_day.summary()["built"] == 0  # nothing to redo the same day
    day_after = run_build([Path("input")], Settings.load(Path("output"), today=dt.date(2027, 1, 11)))
    assert day_after.summary()["built"] == 1  # the page reads otherwise now, with no change to its YAML
    html = page.read_text("utf-8")
    assert "Past its review date" in html and "due to be reviewed by a clinician" in html
    assert "Past its review date" in pdf_text(workdir / "output" / "pdf" / f"{APPROVED_ID}.pdf")


def test_another_edition_made_with_other_contact_details_leaves_a_published_set(workdir, capsys):
    """A large-print PDF printed with last month's phone number must not stay beside the new one."""
    for name, phone in (("old", "0100 111 1111"), ("new", "0100 999 9999")):
        (workdir / name).mkdir()
        (workdir / name / "theme.yaml").write_text(f"contact: {{phone: '{phone}'}}\n", "utf-8")
    assert leaflets(capsys, "build")[0] == 0
    approve(APPROVED_ID)
    code, _, err = leaflets(capsys, "build", "--edition", "a4,large-print", "--approved-only", "--styles", "old")
    assert code == 0, err
    large = workdir / "output" / "pdf" / f"{APPROVED_ID}.large-print.pdf"
    assert "0100 111 1111" in pdf_text(large)
    code, _, err = leaflets(capsys, "build", "--approved-only", "--styles", "new")  # the standard edition only
    assert code == 0, err
    assert "0100 999 9999" in pdf_text(workdir / "output" / "pdf" / f"{APPROVED_ID}.pdf")
    assert not large.exists() and "not made from the text published now with these styles" in err
    assert f"pdf/{APPROVED_ID}.large-print.pdf" not in published(workdir)["index"]
    code, _, err = leaflets(capsys, "build", "--edition", "a4,large-print", "--approved-only", "--styles", "new")
    assert code == 0 and "0100 999 9999" in pdf_text(large)  # made again with the new details, it is published
    assert leaflets(capsys, "build", "--approved-only", "--styles", "new")[0] == 0
    assert large.exists()  # the same styles and text: it stays


def test_a_page_made_from_older_text_is_not_published_on_the_standing_of_newer_text(workdir, capsys):
    """The A4 page of a draft stays current while the large-print edition of an approved
    version is made; the reviewer then puts the draft back. The record's standing is that of
    the approved text, not of the draft on disk now: the A4 page must not count as published."""
    assert leaflets(capsys, "build")[0] == 0
    draft = yaml_path(APPROVED_ID).read_bytes()
    approve(APPROVED_ID)
    assert leaflets(capsys, "render", "--edition", "large-print")[0] == 0
    yaml_path(APPROVED_ID).write_bytes(draft)  # the reviewer undoes the approval
    code, _, err = leaflets(capsys, "render", "--approved-only")
    assert code == 0, err
    assert published(workdir)["html"] == [] and published(workdir)["pdf"] == []
    assert f"{APPROVED_ID}.yaml: left out: draft, not reviewed" in err


def _approve_newer_text_then_put_back_the_older(capsys) -> None:
    """The A4 page made while the first text was approved; newer text approved under the same
    signature (via reviewed) in large-print runs; then a copy of the first text put back."""
    assert leaflets(capsys, "build")[0] == 0
    approve(APPROVED_ID)
    assert leaflets(capsys, "render")[0] == 0
    first = yaml_path(APPROVED_ID).read_bytes()
    edit(APPROVED_ID, ("minimally invasive procedure", "small procedure"), ("status: approved", "status: reviewed"))
    assert leaflets(capsys, "render", "--edition", "large-print")[0] == 0
    edit(APPROVED_ID, ("status: reviewed", "status: approved"))  # the new text approved
    assert leaflets(capsys, "render", "--edition", "large-print")[0] == 0
    yaml_path(APPROVED_ID).write_bytes(first)  # a copy of the older text put back


def test_older_approved_text_put_back_after_a_new_approval_is_not_published(workdir, capsys):
    """Approved text, then another text approved under the same signature (via reviewed):
    the first text put back is changed since the approval in effect, though its A4 page,
    made while it was approved, is still on disk."""
    _approve_newer_text_then_put_back_the_older(capsys)
    code, _, err = leaflets(capsys, "render", "--approved-only")
    assert code == 0, err
    assert published(workdir)["html"] == [] and published(workdir)["pdf"] == []  # its A4 page says "approved"
    assert f"{APPROVED_ID}.yaml: left out: changed since its approval" in err


@pytest.mark.parametrize("other_edition_first", [False, True])
def test_a_page_left_from_older_text_is_looked_at_again_when_that_text_is_put_back(workdir, capsys, other_edition_first):
    """The same as above without --approved-only: the A4 page of the first text says
    "approved"; with that text put back after another approval, a run must look at its
    review again, mark the page changed since approval and log the transition; also when a
    run of another edition has already looked at the text put back (the record then knows
    its standing, which is not what the A4 page says)."""
    _approve_newer_text_then_put_back_the_older(capsys)
    if other_edition_first:
        assert leaflets(capsys, "render", "--edition", "large-print")[0] == 0
    code, _, err = leaflets(capsys, "render")
    assert code == 0, err
    page = (workdir / "output" / "html" / f"{APPROVED_ID}.html").read_text("utf-8")
    assert CHANGED_LABEL in page and APPROVED_LABEL not in page
    assert [entry["event"] for entry in log(workdir)][-1] == "changed since approval"


def test_an_old_signature_flipped_back_to_approved_over_new_text_is_not_published(workdir, capsys):
    """Approved on a day long past; set to draft, edited, set back to approved under the same name
    and date: the new text was never approved, so it is not published and the page says so."""
    assert leaflets(capsys, "build")[0] == 0
    approve(APPROVED_ID, on="2025-01-01")
    assert leaflets(capsys, "build", "--approved-only")[0] == 0
    assert published(workdir)["pdf"] == [APPROVED_ID]

    edit(APPROVED_ID, ("status: approved", "status: draft"), ("minimally invasive procedure", "small procedure"))
    assert leaflets(capsys, "build")[0] == 0
    edit(APPROVED_ID, ("status: draft", "status: approved"))
    code, _, err = leaflets(capsys, "build", "--approved-only")
    assert code == 0 and published(workdir)["pdf"] == []
    assert f"{APPROVED_ID}.txt: left out: changed since its approval" in err
    code, out, _ = leaflets(capsys, "check", str(yaml_path(APPROVED_ID)))
    assert "changed since its approval by Dr Ada Example on 2025-01-01" in out and "a new reviewed_on date" in out
