"""The batch engine: incremental rebuilds, parallel workers, limits, crashes and Ctrl-C."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from pipeline import cli
from pipeline.render.styles import RenderOptions
from pipeline.run import document as work
from pipeline.run import records
from pipeline.run.settings import Settings
from tests.support.corpus import write_corpus

from .conftest import ROOT

pytestmark = pytest.mark.slow  # processes, PDFs, a browser or many examples: CI runs it, the quick subset does not


def run_cli(*args: str) -> int:
    return cli.run(list(args))


def report(output: Path) -> dict:
    return json.loads((output / "report.json").read_text("utf-8"))


def statuses(output: Path) -> dict[str, str]:
    return {entry["id"]: entry["status"] for entry in report(output)["files"]}


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ids = write_corpus(tmp_path / "input", 4)
    return tmp_path, ids


def test_second_run_is_up_to_date_and_one_changed_input_rebuilds_only_it(corpus, capsys):
    folder, ids = corpus
    assert run_cli("build", "-j", "2", "-q") == 0
    assert set(statuses(folder / "output").values()) == {"built"}

    assert run_cli("build", "-q") == 0
    assert set(statuses(folder / "output").values()) == {"up to date"}
    summary = report(folder / "output")["summary"]
    assert (summary["built"], summary["up_to_date"], summary["failed"]) == (0, 4, 0)

    changed = folder / "input" / f"{ids[2]}.txt"
    changed.write_bytes(changed.read_bytes().replace(b"\n", b"\n\n", 3))
    pdf_before = {doc_id: (folder / "output" / "pdf" / f"{doc_id}.pdf").stat().st_mtime_ns for doc_id in ids}
    assert run_cli("build", "-q") == 0
    assert statuses(folder / "output") == {doc_id: "built" if doc_id == ids[2] else "up to date" for doc_id in ids}
    for doc_id in ids:
        if doc_id != ids[2]:
            assert (folder / "output" / "pdf" / f"{doc_id}.pdf").stat().st_mtime_ns == pdf_before[doc_id]


def test_changing_the_css_rebuilds_every_leaflet_and_force_rebuilds_all(corpus):
    folder, ids = corpus
    override = folder / "my-styles"
    override.mkdir()
    shutil.copyfile(ROOT / "styles" / "leaflet.css", override / "leaflet.css")
    assert run_cli("build", "--styles", str(override), "-q") == 0
    assert run_cli("build", "--styles", str(override), "-q") == 0
    assert set(statuses(folder / "output").values()) == {"up to date"}

    with (override / "leaflet.css").open("a", encoding="utf-8") as css:
        css.write("\n/* a house style tweak */\n")
    assert run_cli("build", "--styles", str(override), "-q") == 0
    entries = report(folder / "output")["files"]
    assert {(entry["status"], entry["extract"], entry["render"]) for entry in entries} == {("built", None, "rendered")}

    assert run_cli("build", "--styles", str(override), "--force", "-q") == 0
    assert set(statuses(folder / "output").values()) == {"built"}


def test_a_reviewer_edit_is_rendered_without_extracting_again(corpus):
    folder, ids = corpus
    assert run_cli("build", "-q") == 0
    target = folder / "output" / "yaml" / f"{ids[0]}.yaml"
    data = yaml.safe_load(target.read_text("utf-8"))
    data["title"] = "A Title Chosen By The Reviewer"
    target.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    assert run_cli("build", "-q") == 0
    entry = next(e for e in report(folder / "output")["files"] if e["id"] == ids[0])
    assert (entry["status"], entry["extract"], entry["render"]) == ("built", None, "rendered")
    assert "A Title Chosen By The Reviewer" in (folder / "output" / "html" / f"{ids[0]}.html").read_text("utf-8")
    assert "A Title Chosen By The Reviewer" in (folder / "output" / "index.html").read_text("utf-8")


def test_approved_only_renders_only_approved_leaflets(corpus):
    folder, ids = corpus
    assert run_cli("extract", "-q") == 0
    target = folder / "output" / "yaml" / f"{ids[1]}.yaml"
    text = target.read_text("utf-8").replace("status: draft", "status: approved")
    text = text.replace("reviewer: null", "reviewer: Dr Example").replace("reviewed_on: null", "reviewed_on: 2026-01-01")
    target.write_text(text.replace("next_review_due: null", "next_review_due: 2099-01-01"), "utf-8")
    assert run_cli("render", "--approved-only", "-q") == 0
    assert sorted(path.stem for path in (folder / "output" / "pdf").glob("*.pdf")) == [ids[1]]
    assert statuses(folder / "output")[ids[0]] == "left out"


def test_results_with_two_jobs_equal_one_job(tmp_path):
    write_corpus(tmp_path / "input", 4)
    for jobs in ("1", "2"):
        assert run_cli("build", str(tmp_path / "input"), "-o", str(tmp_path / f"out{jobs}"), "-j", jobs, "-q") == 0
    for kind in ("yaml", "html", "pdf"):
        one = sorted((tmp_path / "out1" / kind).glob("*.*"))
        two = sorted((tmp_path / "out2" / kind).glob("*.*"))
        assert [p.name for p in one] == [p.name for p in two]
        for a, b in zip(one, two):
            assert a.read_bytes() == b.read_bytes(), a.name


# -- limits and failures in workers (workers are forked, so they see these patches) --


def _misbehave_on(monkeypatch, doc_id: str, action) -> None:
    original = work.extract_document

    def patched(task, settings, result, record):
        if task.doc_id == doc_id:
            action()
        return original(task, settings, result, record)

    monkeypatch.setattr(work, "extract_document", patched)


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda: time.sleep(60), "took longer than 2 s (the per-document time limit); stopped"),
        (lambda: os.kill(os.getpid(), signal.SIGKILL), "the worker processing this file stopped with SIGKILL"),
        (lambda: bytearray(8 * 1024**3), "ran out of memory (the per-document memory limit was reached)"),
        (lambda: os._exit(3), "the worker processing this file stopped unexpectedly (exit status 3)"),
    ],
    ids=["too slow", "killed", "memory", "exit"],
)
def test_a_misbehaving_document_fails_alone(corpus, monkeypatch, capsys, action, message):
    folder, ids = corpus
    _misbehave_on(monkeypatch, ids[1], action)
    started = time.monotonic()
    code = run_cli("extract", "-j", "2", "--time-limit", "2")
    err = capsys.readouterr().err
    assert code == 1
    assert f"input/{ids[1]}.txt: error: {message}" in err
    assert statuses(folder / "output") == {doc_id: "failed" if doc_id == ids[1] else "built" for doc_id in ids}
    assert time.monotonic() - started < 30


def test_bad_settings_are_usage_errors(corpus, capsys):
    assert run_cli("build", "-j", "0") == 2
    assert "--jobs: expected a number of at least 1, got 0" in capsys.readouterr().err
    assert run_cli("build", "--headings", "nowhere.yaml") == 2
    assert "nowhere.yaml: cannot read headings table" in capsys.readouterr().err


# -- crash safety and Ctrl-C, in a separate process as an operator runs it ------


def _leaflets(*args: str, cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", *args], cwd=cwd, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )


def _wait_for_pdfs(output: Path, count: int, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(list((output / "pdf").glob("*.pdf"))) >= count:
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError("the build made no progress")


def _outputs(output: Path) -> dict[str, bytes]:
    return {
        path.relative_to(output).as_posix(): path.read_bytes()
        for kind in ("yaml", "normalized", "html", "pdf")
        for path in sorted((output / kind).glob("*"))
        if path.is_file()
    }


def test_a_killed_build_resumes_to_the_same_result_as_a_clean_one(tmp_path):
    ids = write_corpus(tmp_path / "input", 10, seed=11)
    killed = _leaflets("build", "-j", "2", "-o", "killed", cwd=tmp_path)
    _wait_for_pdfs(tmp_path / "killed", 3, killed)
    os.killpg(killed.pid, signal.SIGKILL)
    killed.communicate()

    for path in _outputs(tmp_path / "killed"):  # whatever is there is whole
        if path.endswith(".yaml"):
            yaml.safe_load((tmp_path / "killed" / path).read_text("utf-8"))
        if path.endswith(".pdf"):
            assert len(PdfReader(tmp_path / "killed" / path).pages) >= 1

    resumed = _leaflets("build", "-j", "2", "-o", "killed", cwd=tmp_path)
    assert resumed.wait(timeout=300) == 0, resumed.communicate()
    clean = _leaflets("build", "-j", "2", "-o", "clean", cwd=tmp_path)
    assert clean.wait(timeout=300) == 0, clean.communicate()

    assert not [path for path in (tmp_path / "killed").rglob("*.tmp")]
    assert _outputs(tmp_path / "killed") == _outputs(tmp_path / "clean")
    assert len(_outputs(tmp_path / "clean")) == 4 * len(ids)
    summary = report(tmp_path / "killed")["summary"]
    assert summary["built"] + summary["up_to_date"] == len(ids) and summary["built"] < len(ids)


def test_ctrl_c_stops_cleanly_with_a_summary(tmp_path):
    write_corpus(tmp_path / "input", 10, seed=5)
    process = _leaflets("build", "-j", "2", cwd=tmp_path)
    _wait_for_pdfs(tmp_path / "output", 1, process)
    os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "(interrupted)" in out and "Traceback" not in err
    assert "interrupted; run the same command again to finish" in err
    assert report(tmp_path / "output")["summary"]["interrupted"] is True
    again = _leaflets("build", "-j", "2", cwd=tmp_path)
    assert again.wait(timeout=300) == 0
    assert not [path for path in (tmp_path / "output").rglob("*.tmp")]


def test_plain_progress_lines_when_not_on_a_terminal(corpus, capsys):
    assert run_cli("extract") == 0
    err = capsys.readouterr().err
    assert "extract: 4/4 done (100%), 0 failed" in err


def test_settings_record_what_outputs_depend_on(tmp_path):
    base = Settings.load(tmp_path)
    assert base.extract_deps == Settings.load(tmp_path).extract_deps
    assert base.render_deps != Settings.load(tmp_path, render=RenderOptions(page_size="letter")).render_deps



def test_the_code_fingerprint_covers_every_stage_of_the_package():
    paths = {relative for relative, _ in records.package_sources()}
    stages = {"cli.py", "model.py", "normalize/__init__.py", "extract/__init__.py", "render/__init__.py"}
    assert stages <= paths and "review/lints.py" in paths and "run/records.py" in paths


def test_a_change_to_the_code_rebuilds_every_output(tmp_path, monkeypatch):
    """Every commit of main ships under the same version number: the code itself is fingerprinted."""
    base = Settings.load(tmp_path)
    sources = records.package_sources()
    monkeypatch.setattr(records, "package_sources", lambda: [*sources[:-1], (sources[-1][0], sources[-1][1] + b"#")])
    records.code_fingerprint.cache_clear()
    try:
        changed = Settings.load(tmp_path)
    finally:
        records.code_fingerprint.cache_clear()
    assert changed.extract_deps != base.extract_deps and changed.render_deps != base.render_deps
