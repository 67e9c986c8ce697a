"""Proposed updates: accept applies the source's changes over the reviewer's, dismiss sets them aside."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .conftest import run_leaflets

pytestmark = pytest.mark.slow  # builds render PDFs

SEED = "003_4a4ee41c62ba9be6"
leaflets = run_leaflets
YAML = Path("output") / "yaml" / f"{SEED}.yaml"
PROPOSED = Path("output") / "yaml" / f"{SEED}.proposed.yaml"


@pytest.fixture
def reviewed(sample_workdir, capsys):
    """The sample built, its summary rewritten and approved by a reviewer, then its source changed."""
    assert leaflets(capsys, "build")[0] == 0
    text = YAML.read_text("utf-8")
    text = text.replace("This procedure involves widening", "This treatment gently widens")
    text = text.replace("status: draft", "status: approved").replace("reviewer: null", "reviewer: Dr Ada Example")
    text = text.replace("reviewed_on: null", "reviewed_on: 2026-11-30")
    YAML.write_text(text, "utf-8")
    source = sample_workdir / "input" / f"{SEED}.txt"
    source.write_text(source.read_text("utf-8").replace("Operating room technician", "Theatre technician"), "utf-8")
    assert leaflets(capsys, "build")[0] == 0
    assert PROPOSED.exists()
    return sample_workdir


def log_events(workdir) -> list[str]:
    lines = (workdir / "output" / "review-log.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line)["event"] for line in lines if json.loads(line)["leaflet"] == SEED]


def test_accept_keeps_the_reviewers_edit_and_brings_the_sources_change(reviewed, capsys):
    code, out, _ = leaflets(capsys, "accept", SEED)
    assert code == 0
    text = YAML.read_text("utf-8")
    assert "This treatment gently widens" in text and "Theatre technician" in text
    assert "Operating room technician" not in text and "status: reviewed" in text
    assert not PROPOSED.exists()
    assert "applied to sections.personnel" in out and "approve it again" in out
    assert log_events(reviewed)[-1] == "accepted source update"
    assert leaflets(capsys, "build")[0] == 0
    assert not PROPOSED.exists()  # the source's version is now the base: nothing new to propose


def test_a_conflicting_edit_is_reported_not_overwritten(reviewed, capsys):
    YAML.write_text(YAML.read_text("utf-8").replace("Operating room technician", "Scrub practitioner"), "utf-8")
    before = YAML.read_text("utf-8")
    code, out, _ = leaflets(capsys, "accept", SEED)
    assert code == 1 and YAML.read_text("utf-8") == before and PROPOSED.exists()
    assert "conflict in sections.personnel" in out
    assert "yours: …n · Anesthesiologist · Surgical nurse · [Scrub practitioner]" in out  # the words that differ
    assert "the source's: …n · Anesthesiologist · Surgical nurse · [Theatre technician]" in out

    code, out, _ = leaflets(capsys, "accept", SEED, "--keep-mine")
    assert code == 0 and "Scrub practitioner" in YAML.read_text("utf-8") and not PROPOSED.exists()


def test_dismiss_removes_the_proposal_and_it_is_not_proposed_again(reviewed, capsys):
    before = YAML.read_text("utf-8")
    code, out, _ = leaflets(capsys, "dismiss", SEED)
    assert code == 0 and not PROPOSED.exists() and YAML.read_text("utf-8") == before
    assert leaflets(capsys, "build", "--force")[0] == 0
    assert not PROPOSED.exists()
    assert log_events(reviewed)[-1] == "dismissed source update"


def test_accept_without_a_proposal_says_so(sample_workdir, capsys):
    assert leaflets(capsys, "extract")[0] == 0
    code, _, err = leaflets(capsys, "accept", SEED)
    assert code == 2 and "no proposed update is waiting" in err


def test_check_lists_a_waiting_proposal(reviewed, capsys):
    code, out, _ = leaflets(capsys, "check", "--strict", str(YAML))
    assert code == 1 and f"a proposed update is waiting in {SEED}.proposed.yaml: leaflets accept {SEED}" in out


def test_the_dashboard_shows_only_the_sources_change_and_puts_urgent_rows_first(reviewed, capsys):
    review = (reviewed / "output" / "review.html").read_text("utf-8")
    details = re.sub(r"</?mark[^>]*>", "", review[review.index('<details class="proposal">'):review.index("</details>")])
    assert "Theatre technician" in details and "Operating room technician" in details
    assert "gently widens" not in details and "status: approved" not in details  # the reviewer's edits are not "changes"
    assert "sha256" not in details  # nor the checksum of the changed source
    other = "000_17bfeb77524420af"
    assert review.index(f"{SEED}.yaml") < review.index(f"{other}.yaml")  # a proposal before a plain draft
    # An approved leaflet edited afterwards comes first of all, said in words.
    path = Path("output") / "yaml" / f"{other}.yaml"
    text = path.read_text("utf-8").replace("status: draft", "status: approved").replace("reviewer: null", "reviewer: Dr B")
    path.write_text(text.replace("reviewed_on: null", "reviewed_on: 2026-11-30"), "utf-8")
    assert leaflets(capsys, "build")[0] == 0
    path.write_text(path.read_text("utf-8").replace("minimally invasive", "small"), "utf-8")
    assert leaflets(capsys, "build")[0] == 0
    review = (reviewed / "output" / "review.html").read_text("utf-8")
    assert review.index(f"{other}.yaml") < review.index(f"{SEED}.yaml")
    assert "changed since approval: not approved" in review and "1 changed since approval" in review


FILTER_PROBE = """
await new Promise(function (resolve) { setTimeout(resolve, 50); });
function visible() { return Array.from(doc.querySelectorAll('tbody.review-entry')).filter(function (e) { return !e.hidden; }).length; }
var button = Array.from(doc.querySelectorAll('.review-summary button.filter')).find(function (b) { return /proposed update/.test(b.textContent); });
var before = visible();
button.click();
var filtered = visible(), pressed = button.getAttribute('aria-pressed'), said = doc.getElementById('filter-status').textContent;
button.click();
return {buttons: doc.querySelectorAll('.review-summary button.filter').length, before: before, filtered: filtered,
        pressed: pressed, said: said, after: visible()};
"""


def test_the_counts_filter_the_rows_under_the_pages_own_security_policy(reviewed):
    from tests.support.rendering import probe_page

    result = probe_page(reviewed / "output" / "review.html", FILTER_PROBE, 1280)
    assert result["buttons"] == 8 and result["before"] == 2 and result["after"] == 2
    assert result["filtered"] == 1 and result["pressed"] == "true" and result["said"].startswith("Showing 1 of 2 leaflets")


# -- found by a red-team pass --------------------------------------------------------


def test_a_correction_made_in_the_proposal_is_not_undone_by_the_next_update(reviewed, capsys):
    PROPOSED.write_text(PROPOSED.read_text("utf-8").replace("Theatre technician", "Theatre support worker"), "utf-8")
    assert leaflets(capsys, "accept", SEED)[0] == 0
    assert "Theatre support worker" in YAML.read_text("utf-8")
    source = reviewed / "input" / f"{SEED}.txt"
    source.write_text(source.read_text("utf-8").replace("Anal stricture or stenosis", "Narrowing of the anus"), "utf-8")
    assert leaflets(capsys, "build")[0] == 0
    code, out, _ = leaflets(capsys, "accept", SEED)
    assert code == 0, out
    text = YAML.read_text("utf-8")
    assert "Theatre support worker" in text and "Narrowing of the anus" in text


def test_a_proposal_of_a_source_that_went_back_is_removed(reviewed, capsys):
    source = reviewed / "input" / f"{SEED}.txt"
    source.write_text(source.read_text("utf-8").replace("Theatre technician", "Operating room technician"), "utf-8")
    code, _, err = leaflets(capsys, "build")
    assert code == 0 and not PROPOSED.exists() and "removed: the source is back to the version" in err


def test_accept_with_a_log_that_cannot_be_written_changes_nothing(reviewed, capsys):
    log = reviewed / "output" / "review-log.jsonl"
    log.unlink()
    log.mkdir()
    before = YAML.read_text("utf-8")
    code, _, err = leaflets(capsys, "accept", SEED)
    assert code in (1, 2) and "nothing done" in err and "Traceback" not in err
    assert YAML.read_text("utf-8") == before and PROPOSED.exists()


def test_dismiss_does_not_hide_a_new_approval(reviewed, capsys):
    YAML.write_text(YAML.read_text("utf-8").replace("gently widens", "slowly widens").replace(
        "reviewed_on: 2026-11-30", "reviewed_on: 2026-12-01"), "utf-8")
    assert leaflets(capsys, "dismiss", SEED)[0] == 0
    assert leaflets(capsys, "build")[0] == 0
    page = (reviewed / "output" / "html" / f"{SEED}.html").read_text("utf-8")
    assert "NOT APPROVED" not in page and "Clinically reviewed and approved" in page
