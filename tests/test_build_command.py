"""`leaflets render` and `leaflets build` end to end, as an operator runs them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from pipeline import cli
from tests.conftest import run_leaflets
from tests.support.rendering import (
    DRAFT_MARK,
    ROOT,
    SAMPLE_INPUT,
    pdftotext,
    sample_ids,
)

pytestmark = pytest.mark.slow  # processes, PDFs, a browser or many examples: CI runs it, the quick subset does not


@pytest.fixture
def workdir(sample_workdir):
    return sample_workdir


leaflets = run_leaflets


def report(output: Path) -> dict:
    return json.loads((output / "report.json").read_text("utf-8"))


def test_build_turns_input_into_pages_pdfs_and_an_index(workdir, capsys):
    code, out, err = leaflets(capsys, "build")
    assert code == 0, err
    output = workdir / "output"
    for doc_id in sample_ids():
        assert (output / "yaml" / f"{doc_id}.yaml").is_file()
        assert (output / "html" / f"{doc_id}.html").read_text("utf-8").startswith("<!DOCTYPE html>")
        assert (output / "pdf" / f"{doc_id}.pdf").read_bytes().startswith(b"%PDF-1.7")
    assert (output / "index.html").is_file()
    assert (output / "html" / "assets" / "fonts" / "AtkinsonHyperlegible-Regular.ttf").is_file()
    summary = report(output)["summary"]
    assert report(output)["command"] == "build"
    assert summary["built"] == 2 and summary["failed"] == 0 and summary["documents"] == 2
    assert [(entry["extract"], entry["render"]) for entry in report(output)["files"]] == [("written", "rendered")] * 2
    assert out.startswith("build: 2 built, 0 up to date, 0 failed, 0 warnings;")


def test_outputs_are_readable_like_any_new_file_and_keep_permissions_set_on_them(workdir, capsys):
    """Written through owner-only temporary files, they must not stay owner-only: reviewers
    and a web server read them."""
    umask = os.umask(0o022)
    os.umask(umask)
    assert leaflets(capsys, "build")[0] == 0
    output = workdir / "output"
    written = [path for path in output.rglob("*") if path.is_file()]
    assert {path.stat().st_mode & 0o777 for path in written} == {0o666 & ~umask}, written
    pdf = output / "pdf" / f"{sample_ids()[0]}.pdf"
    pdf.chmod(0o640)
    assert leaflets(capsys, "build", "--force")[0] == 0
    assert pdf.stat().st_mode & 0o777 == 0o640


def test_render_defaults_to_output_yaml_and_skips_proposed_files(workdir, capsys):
    assert leaflets(capsys, "extract")[0] == 0
    first = sample_ids()[0]
    shutil.copyfile(workdir / "output" / "yaml" / f"{first}.yaml", workdir / "output" / "yaml" / f"{first}.proposed.yaml")

    code, out, err = leaflets(capsys, "render", "-v")

    assert code == 0, err
    assert sorted(line for line in err.splitlines() if line.endswith(": built (rendered)")) == [
        f"output/yaml/{doc_id}.yaml: built (rendered)" for doc_id in sample_ids()
    ]
    assert sorted(path.name for path in (workdir / "output" / "html").glob("*.html")) == [f"{d}.html" for d in sample_ids()]
    entries = report(workdir / "output")["files"]
    assert [entry["outputs"] for entry in entries] == [
        [f"output/html/{doc_id}.html", f"output/pdf/{doc_id}.pdf"] for doc_id in sample_ids()
    ]


def test_a_bad_yaml_fails_alone_with_one_line_each(workdir, capsys):
    assert leaflets(capsys, "extract")[0] == 0
    yaml_dir = workdir / "output" / "yaml"
    (yaml_dir / "broken.yaml").write_text("title: [unclosed\nid: x\n", "utf-8")
    good = yaml.safe_load((yaml_dir / f"{sample_ids()[0]}.yaml").read_text("utf-8"))
    good["review"]["status"] = "finished"
    (yaml_dir / "invalid.yaml").write_text(yaml.safe_dump(good), "utf-8")
    (yaml_dir / "latin1.yaml").write_bytes("title: caf\xe9\n".encode("latin-1"))

    code, _, err = leaflets(capsys, "render")

    assert code == 1
    errors = sorted(line for line in err.splitlines() if ": error: " in line)
    assert len(errors) == 3
    assert errors[0].startswith("output/yaml/broken.yaml: error: line 2, column 3: invalid YAML: ")
    assert errors[1].startswith("output/yaml/invalid.yaml: error: line ") and "review/status: " in errors[1]
    assert "'finished'" in errors[1]
    assert errors[2] == "output/yaml/latin1.yaml: error: not UTF-8 text: invalid continuation byte at byte 10"
    assert "Traceback" not in err
    statuses = {entry["input"]: entry["status"] for entry in report(workdir / "output")["files"]}
    assert sorted(status for status in statuses.values()) == ["built", "built", "failed", "failed", "failed"]
    assert len(list((workdir / "output" / "pdf").glob("*.pdf"))) == 2


def test_a_named_proposed_file_is_refused(workdir, capsys):
    leaflets(capsys, "extract")
    first = sample_ids()[0]
    proposed = workdir / "output" / "yaml" / f"{first}.proposed.yaml"
    shutil.copyfile(workdir / "output" / "yaml" / f"{first}.yaml", proposed)
    code, _, err = leaflets(capsys, "render", str(proposed.relative_to(workdir)))
    assert code == 1
    assert f"output/yaml/{first}.proposed.yaml: error: is a proposed update, not a leaflet to render" in err
    assert f"leaflets accept {first}, or set them aside with leaflets dismiss {first}" in err


def test_outputs_follow_the_file_name_and_a_different_id_is_a_warning(workdir, capsys):
    leaflets(capsys, "extract")
    first = sample_ids()[0]
    copy = workdir / "copy.yaml"
    shutil.copyfile(workdir / "output" / "yaml" / f"{first}.yaml", copy)
    code, _, err = leaflets(capsys, "render", "copy.yaml", "-o", "other")
    assert code == 0
    assert f"copy.yaml: warning: id '{first}' differs from the file name; outputs are named copy" in err
    assert (workdir / "other" / "pdf" / "copy.pdf").is_file()


def test_render_without_yaml_is_a_usage_error(workdir, capsys):
    code, _, err = leaflets(capsys, "render", "-o", "empty")
    assert code == 2
    assert err == "leaflets: error: empty/yaml: no such folder; run `leaflets extract` first or name YAML files\n"


def test_styles_problems_stop_the_run_before_anything_is_written(workdir, capsys):
    code, _, err = leaflets(capsys, "build", "--styles", "nowhere")
    assert (code, err) == (2, "leaflets: error: nowhere: styles folder not found\n")
    (workdir / "mystyles").mkdir()
    (workdir / "mystyles" / "theme.yaml").write_text("colours:\n  text: '#eeeeee'\n", "utf-8")
    code, _, err = leaflets(capsys, "build", "--styles", "mystyles")
    assert code == 2
    assert "colours.text on colours.background: expected contrast of at least 4.5:1" in err
    assert not (workdir / "output").exists()


def test_styles_override_page_size_and_large_print(workdir, capsys):
    (workdir / "mystyles").mkdir()
    (workdir / "mystyles" / "theme.yaml").write_text("organisation: St Elsewhere Hospital\n", "utf-8")
    code, _, err = leaflets(capsys, "build", "--styles", "mystyles", "--page-size", "Letter", "--large-print")
    assert code == 0, err
    pdf = workdir / "output" / "pdf" / f"{sample_ids()[0]}.letter.large-print.pdf"
    page = PdfReader(pdf).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (612, 792)
    assert "St Elsewhere Hospital" in pdftotext(pdf)
    html = (workdir / "output" / "html" / f"{sample_ids()[0]}.letter.large-print.html").read_text("utf-8")
    assert 'class="large-print"' in html and "St Elsewhere Hospital" in html


def test_unknown_page_size_is_a_usage_error(workdir, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.run(["render", "--page-size", "a5"])
    assert exit_.value.code == 2
    assert "invalid choice: 'a5'" in capsys.readouterr().err


def test_build_renders_the_reviewers_yaml_on_disk(workdir, capsys):
    assert leaflets(capsys, "build")[0] == 0
    first = sample_ids()[0]
    yaml_path = workdir / "output" / "yaml" / f"{first}.yaml"
    data = yaml.safe_load(yaml_path.read_text("utf-8"))
    data["review"].update(status="approved", reviewer="Dr Example", reviewed_on="2025-03-05")
    data["sections"]["summary"] = [{"paragraph": "A reviewer rewrote this summary."}]
    yaml_path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")

    code, _, err = leaflets(capsys, "build")

    assert code == 0, err
    entries = {entry["input"]: entry for entry in report(workdir / "output")["files"]}
    # The input did not change, so it is not extracted again; the edited YAML is rendered.
    assert (entries[f"input/{first}.txt"]["extract"], entries[f"input/{first}.txt"]["render"]) == (None, "rendered")
    assert entries[f"input/{sample_ids()[1]}.txt"]["status"] == "up to date"
    text = pdftotext(workdir / "output" / "pdf" / f"{first}.pdf")
    assert "A reviewer rewrote this summary." in text
    assert DRAFT_MARK not in text and "5 March 2025" in text
    other = pdftotext(workdir / "output" / "pdf" / f"{sample_ids()[1]}.pdf")
    assert DRAFT_MARK in other


def test_two_builds_give_byte_identical_pages_and_pdfs(tmp_path):
    shutil.copytree(SAMPLE_INPUT, tmp_path / "input")
    builds = [  # separate processes with different hash seeds, run side by side
        subprocess.Popen(
            [sys.executable, "-m", "pipeline", "build", "input", "-o", run, "-q"],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": seed},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for run, seed in (("first", "1"), ("second", "2"))
    ]
    for process in builds:
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
    produced = sorted(
        path.relative_to(tmp_path / "first")
        for path in (tmp_path / "first").rglob("*")
        if path.is_file() and path.suffix in (".html", ".pdf")
    )
    assert len(produced) == 2 * len(sample_ids()) + 2  # pages and PDFs, index.html, review.html
    for relative in produced:
        assert (tmp_path / "first" / relative).read_bytes() == (tmp_path / "second" / relative).read_bytes(), relative


def test_a_broken_yaml_met_by_build_is_named_by_its_own_path(workdir, capsys):
    assert leaflets(capsys, "build")[0] == 0
    first = sample_ids()[0]
    target = workdir / "output" / "yaml" / f"{first}.yaml"
    target.write_text(target.read_text("utf-8").replace("status: draft", "status: done"), "utf-8")
    code, _, err = leaflets(capsys, "build")
    assert code == 1
    assert f"input/{first}.txt: error: output/yaml/{first}.yaml: line " in err and "got 'done'" in err
