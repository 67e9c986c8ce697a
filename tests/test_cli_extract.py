"""`leaflets extract` end to end, as an operator runs it."""

from __future__ import annotations

import pytest

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from .conftest import ROOT

pytestmark = pytest.mark.slow  # processes, PDFs, a browser or many examples: CI runs it, the quick subset does not

SEEDS = sorted((ROOT / "input").glob("*.txt"))


def leaflets(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def copy_seeds(folder: Path) -> Path:
    inputs = folder / "input"
    inputs.mkdir()
    for seed in SEEDS:
        (inputs / seed.name).write_bytes(seed.read_bytes())
    return inputs


def test_extract_writes_normalized_text_yaml_schema_and_report(tmp_path):
    copy_seeds(tmp_path)
    run = leaflets("extract", "input/", "-o", "output/", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    for seed in SEEDS:
        data = yaml.safe_load((tmp_path / "output" / "yaml" / f"{seed.stem}.yaml").read_text("utf-8"))
        assert data["id"] == seed.stem and data["source"]["path"] == f"input/{seed.name}"
        assert (tmp_path / "output" / "normalized" / f"{seed.stem}.txt").read_text("utf-8").strip()
    assert (tmp_path / "output" / "leaflet.schema.json").exists()
    report = json.loads((tmp_path / "output" / "report.json").read_text("utf-8"))
    assert report["summary"]["documents"] == 2 and report["summary"]["built"] == 2
    assert [entry["extract"] for entry in report["files"]] == ["written", "written"]


def test_default_input_and_output_folders(tmp_path):
    copy_seeds(tmp_path)
    run = leaflets("extract", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert len(list((tmp_path / "output" / "yaml").glob("*.yaml"))) == 2


def test_a_bad_file_fails_alone_with_one_line(tmp_path):
    inputs = copy_seeds(tmp_path)
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "noheadings.txt").write_text("Just some prose without any structure at all.\n")
    run = leaflets("extract", "-o", "out", cwd=tmp_path)
    assert run.returncode == 1
    errors = [line for line in run.stderr.splitlines() if ": error: " in line]
    assert errors == [
        "input/empty.txt: error: empty file",
        "input/noheadings.txt: error: no recognisable section headings",
    ]
    assert "Traceback" not in run.stderr
    assert len(list((tmp_path / "out" / "yaml").glob("*.yaml"))) == 2
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    failed = {entry["input"]: entry["error"] for entry in report["files"] if entry["status"] == "failed"}
    assert failed == {"input/empty.txt": "empty file", "input/noheadings.txt": "no recognisable section headings"}


def test_warnings_name_file_and_line(tmp_path):
    (tmp_path / "input").mkdir()
    (tmp_path / "input" / "odd.txt").write_text("Summary\nText.\nSpecial Considerations\nCare.\n")
    run = leaflets("extract", cwd=tmp_path)
    assert run.returncode == 0
    assert "input/odd.txt:3: warning: heading 'Special Considerations' matches no known section" in run.stderr


def test_missing_input_is_a_usage_error(tmp_path):
    run = leaflets("extract", "nowhere/", cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr.strip() == "leaflets: error: nowhere: no such file or folder"


def test_unwritable_output_is_a_usage_error(tmp_path):
    copy_seeds(tmp_path)
    (tmp_path / "out").write_text("a file, not a folder")
    run = leaflets("extract", "-o", "out", cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr.startswith("leaflets: error: out: cannot write to the output folder")


def test_colliding_ids_fail_the_second_file(tmp_path):
    copy_seeds(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    (other / SEEDS[0].name).write_bytes(SEEDS[1].read_bytes())
    run = leaflets("extract", "input", "other", cwd=tmp_path)
    assert run.returncode == 1
    assert f"other/{SEEDS[0].name}: error: id '{SEEDS[0].stem}' is already used by input/{SEEDS[0].name}" in run.stderr


def test_reviewer_edits_are_kept_and_a_changed_source_gives_a_proposal(tmp_path):
    inputs = copy_seeds(tmp_path)
    assert leaflets("extract", cwd=tmp_path).returncode == 0
    target = tmp_path / "output" / "yaml" / f"{SEEDS[1].stem}.yaml"
    edited = target.read_text("utf-8").replace("Surgical nurse", "Theatre nurse")
    target.write_text(edited, "utf-8")

    again = leaflets("extract", "-v", cwd=tmp_path)
    assert again.returncode == 0
    assert target.read_text("utf-8") == edited
    assert not target.with_suffix(".proposed.yaml").exists()

    source = inputs / SEEDS[1].name
    source.write_text(source.read_text("utf-8").replace("Operating room technician", "Theatre technician"))
    changed = leaflets("extract", cwd=tmp_path)
    assert changed.returncode == 0
    assert target.read_text("utf-8") == edited
    proposed = target.with_suffix(".proposed.yaml")
    assert "Theatre technician" in proposed.read_text("utf-8")
    assert "was edited by a person and its source changed" in changed.stderr
    report = json.loads((tmp_path / "output" / "report.json").read_text("utf-8"))
    entry = next(e for e in report["files"] if e["id"] == SEEDS[1].stem)
    assert entry["extract"] == "proposed" and "proposed.yaml" in entry["warnings"][0]


def test_unedited_draft_is_refreshed_when_its_source_changes(tmp_path):
    inputs = copy_seeds(tmp_path)
    assert leaflets("extract", cwd=tmp_path).returncode == 0
    source = inputs / SEEDS[1].name
    source.write_text(source.read_text("utf-8").replace("Surgical nurse", "Scrub nurse"))
    assert leaflets("extract", cwd=tmp_path).returncode == 0
    assert "Scrub nurse" in (tmp_path / "output" / "yaml" / f"{SEEDS[1].stem}.yaml").read_text("utf-8")


def test_approved_yaml_is_never_overwritten(tmp_path):
    inputs = copy_seeds(tmp_path)
    assert leaflets("extract", cwd=tmp_path).returncode == 0
    target = tmp_path / "output" / "yaml" / f"{SEEDS[0].stem}.yaml"
    approved = target.read_text("utf-8").replace("status: draft", "status: approved")
    target.write_text(approved, "utf-8")
    source = inputs / SEEDS[0].name
    source.write_text(source.read_text("utf-8").replace("Mild pain", "Slight pain"))
    run = leaflets("extract", cwd=tmp_path)
    assert target.read_text("utf-8") == approved
    assert "is approved and its source changed" in run.stderr


def test_extract_and_its_review_page_do_not_load_the_layout_engine(tmp_path):
    """WeasyPrint takes about a second to import; extract makes no PDF, so it is not paid."""
    copy_seeds(tmp_path)
    script = (
        "import sys; from pipeline.cli import run; code = run(['extract', '-q']); "
        "print('weasyprint' in sys.modules); sys.exit(code)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "output" / "review.html").is_file()
    assert done.stdout.strip() == "False"
