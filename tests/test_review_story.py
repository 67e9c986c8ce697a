"""The review story through the command line, as a clinical reviewer lives it."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
import yaml

from .conftest import run_leaflets

pytestmark = pytest.mark.slow  # processes, PDFs, a browser or many examples: CI runs it, the quick subset does not

SEED = "003_4a4ee41c62ba9be6"


@pytest.fixture
def workdir(sample_workdir):
    return sample_workdir


leaflets = run_leaflets


def pdf_text(path) -> str:
    return " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split())


def test_a_reviewers_edit_survives_rebuilds_and_a_changed_source(workdir, capsys):
    assert leaflets(capsys, "build")[0] == 0
    yaml_path = workdir / "output" / "yaml" / f"{SEED}.yaml"

    # The reviewer changes a sentence and approves the leaflet, in a text editor.
    text = yaml_path.read_text("utf-8")
    text = text.replace("- Surgical nurse", "- A specialist surgical nurse")
    text = text.replace("status: draft", "status: approved").replace("reviewer: null", "reviewer: Dr Ada Example")
    text = text.replace("reviewed_on: null", "reviewed_on: 2026-11-01")
    text = text.replace("next_review_due: null", "next_review_due: 2027-11-01")
    yaml_path.write_text(text, "utf-8")

    code, _, err = leaflets(capsys, "build")
    assert code == 0, err
    assert yaml_path.read_text("utf-8") == text
    html = (workdir / "output" / "html" / f"{SEED}.html").read_text("utf-8")
    pdf = pdf_text(workdir / "output" / "pdf" / f"{SEED}.pdf")
    for rendered in (html, pdf):
        assert "A specialist surgical nurse" in rendered
        assert "DRAFT - not clinically reviewed" not in rendered

    # The source page is scraped again and has changed.
    source = workdir / "input" / f"{SEED}.txt"
    source.write_text(source.read_text("utf-8").replace("Operating room technician", "Theatre technician"), "utf-8")
    code, _, err = leaflets(capsys, "build")
    assert code == 0, err
    assert yaml_path.read_text("utf-8") == text  # the reviewer's file is untouched
    proposed = workdir / "output" / "yaml" / f"{SEED}.proposed.yaml"
    assert "Theatre technician" in proposed.read_text("utf-8")
    assert f"output/yaml/{SEED}.yaml: warning: is approved and its source changed; the new extraction is in {SEED}.proposed.yaml for review" in err
    entry = next(e for e in json.loads((workdir / "output" / "report.json").read_text("utf-8"))["files"] if e["id"] == SEED)
    assert entry["extract"] == "proposed" and "proposed.yaml for review" in entry["warnings"][0]
    assert "A specialist surgical nurse" in pdf_text(workdir / "output" / "pdf" / f"{SEED}.pdf")

    # The dashboard shows the leaflet as approved, with the proposed change to look at.
    review = re.sub(r"</?mark[^>]*>", "", (workdir / "output" / "review.html").read_text("utf-8"))
    assert "Dr Ada Example" in review and "Theatre technician" in review

    # Rendering the proposed file by name is refused; the reviewed one renders.
    code, _, err = leaflets(capsys, "render", f"output/yaml/{SEED}.proposed.yaml")
    assert code == 1 and f"leaflets accept {SEED}" in err

    # The reviewer takes the source's change: their own edit stays, the new text arrives, sign-off is asked for.
    code, out, _ = leaflets(capsys, "accept", SEED)
    assert code == 0 and "approve it again" in out
    accepted = yaml_path.read_text("utf-8")
    assert "A specialist surgical nurse" in accepted and "Theatre technician" in accepted and "status: reviewed" in accepted
    assert not (workdir / "output" / "yaml" / f"{SEED}.proposed.yaml").exists()


def test_check_on_generated_yaml_passes_with_the_expected_warnings(workdir, capsys):
    assert leaflets(capsys, "extract", "-q")[0] == 0
    code, out, err = leaflets(capsys, "check")
    assert code == 0
    lines = out.splitlines()
    for doc_id, grade in (("000_17bfeb77524420af", "12.4"), ("003_4a4ee41c62ba9be6", "9.9")):
        assert any(line.startswith(f"output/yaml/{doc_id}.yaml:4:8: warning: reading grade {grade} for the whole "
                                   "leaflet, above 6; ") for line in lines)
    plain_language = ("a patient does not know", "speaks to the reader as 'you'", "reading grade", "passive voice")
    assert all(any(words in line for words in plain_language) for line in lines)
    assert err.strip() == f"check: 2 files, 0 errors, {len(lines)} warnings"
    assert leaflets(capsys, "check", "--strict")[0] == 1


def test_check_reports_every_broken_file_and_exits_1(workdir, capsys):
    assert leaflets(capsys, "extract", "-q")[0] == 0
    broken = workdir / "broken.yaml"
    data = yaml.safe_load((workdir / "output" / "yaml" / f"{SEED}.yaml").read_text("utf-8"))
    data["review"]["status"] = "done"
    data["title"] = ["not", "text"]
    broken.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    (workdir / "bad-syntax.yaml").write_text("title: [oops\n", "utf-8")
    code, out, _ = leaflets(capsys, "check", "broken.yaml", "bad-syntax.yaml")
    assert code == 1
    errors = [line for line in out.splitlines() if ": error: " in line]
    assert errors[0].startswith("broken.yaml:") and "title: expected text, got a list" in errors[0]
    assert any("review/status: expected one of draft, reviewed, approved, got 'done'" in line for line in errors)
    assert any(line.startswith("bad-syntax.yaml:2:1: error: invalid YAML") for line in errors)
