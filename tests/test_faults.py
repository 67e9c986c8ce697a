"""Nothing lost under concurrency and faults: a reviewer saving while a run writes,
two runs on one folder, a full disk, a killed main process, and names that clash.

Hostile files placed in the output folder itself are in tests/test_hostile_output.py.
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from pipeline.errors import PipelineError
from pipeline.review import ownership
from pipeline.run import files, writing
from pipeline.run.files import read_limited
from pipeline.run.output_folder import OutputFolder
from pipeline.run.records import Record, sha256_hex
from pipeline.run.report import FileResult
from pipeline.run.writing import ASIDE_SUFFIX, replace_if_unchanged, write_atomic
from tests.support.corpus import write_corpus

from .conftest import ROOT, run_leaflets

pytestmark = pytest.mark.slow  # processes, PDFs, a browser or many examples: CI runs it, the quick subset does not

SAMPLE = sorted((ROOT / "input").glob("*.txt"))[0]


def leaflets(*args: str, cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", *args], cwd=cwd, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )


def whole_outputs(output: Path) -> None:
    """Every YAML loads and every PDF opens: nothing half-written."""
    for path in (output / "yaml").glob("*.yaml"):
        yaml.safe_load(path.read_text("utf-8"))
    for path in (output / "pdf").glob("*.pdf"):
        assert len(PdfReader(path).pages) >= 1


# -- replacing a file only if it is unchanged ---------------------------------------


def test_replace_if_unchanged_replaces_only_the_expected_bytes(tmp_path):
    path = tmp_path / "x.yaml"
    assert replace_if_unchanged(tmp_path, path, None, b"first")  # nothing there: created
    assert not replace_if_unchanged(tmp_path, path, None, b"other")  # something there now: kept
    assert not replace_if_unchanged(tmp_path, path, b"not what is there", b"other")
    assert path.read_bytes() == b"first"
    assert replace_if_unchanged(tmp_path, path, b"first", b"second")
    assert path.read_bytes() == b"second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.yaml"]  # no temporary or aside file left


def test_without_hard_links_it_still_refuses_to_overwrite(tmp_path, monkeypatch):
    def no_links(*args, **kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(writing.os, "link", no_links)
    path = tmp_path / "x.yaml"
    assert replace_if_unchanged(tmp_path, path, None, b"first")
    assert replace_if_unchanged(tmp_path, path, b"first", b"second")
    assert not replace_if_unchanged(tmp_path, path, b"first", b"third")
    assert path.read_bytes() == b"second"


def test_a_file_held_open_for_writing_is_not_replaced(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"first")
    with open(path, "r+b"):  # an editor that keeps the file open to save into it
        assert not replace_if_unchanged(tmp_path, path, b"first", b"second")
    assert path.read_bytes() == b"first"
    assert replace_if_unchanged(tmp_path, path, b"first", b"second")


def test_nothing_is_written_through_a_folder_that_is_a_link(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "out" / "pdf").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(OSError) as refused:
        write_atomic(tmp_path / "out", tmp_path / "out" / "pdf" / "x.pdf", b"%PDF")
    assert refused.value.errno in (errno.ELOOP, errno.ENOTDIR) and refused.value.filename.endswith("out/pdf/x.pdf")
    assert "a folder on the way is a link or a file; refused" in str(refused.value)
    assert not list((tmp_path / "elsewhere").iterdir())


def test_a_file_swapped_for_a_link_after_it_was_checked_is_not_read(tmp_path, monkeypatch):
    """The moment between looking at a name and opening it, taken by an attacker."""
    folder = tmp_path / "out"
    folder.mkdir()
    (tmp_path / "secret").write_text("secret")
    (folder / "x.yaml").symlink_to(tmp_path / "secret")
    islink = os.path.islink
    monkeypatch.setattr(files.os.path, "islink", lambda path: False if str(path).endswith("x.yaml") else islink(path))
    with pytest.raises(PipelineError, match="is a link leading outside"):
        read_limited(folder / "x.yaml", 100, inside=folder)


# A reviewer's editor in its own process, saving on request after a given delay:
# in place (open with truncation, as most editors do), in place without truncating
# at first (open, then write a moment later), or by writing a new file and
# renaming it over the old one.
SAVER = textwrap.dedent("""
    import os, sys, time
    path, edit = sys.argv[1], open(sys.argv[2], "rb").read()
    for line in sys.stdin:
        delay, how = line.split()
        until = time.perf_counter() + float(delay)
        while time.perf_counter() < until:
            pass
        if how == "in-place":
            with open(path, "wb") as stream:
                stream.write(edit)
        elif how == "open-then-write":  # opened without truncating, written a moment later
            while True:
                try:
                    stream = open(path, "r+b")
                    break
                except FileNotFoundError:  # the editor says so, and the reviewer saves again
                    pass
            with stream:
                until = time.perf_counter() + float(delay)
                while time.perf_counter() < until:
                    pass
                stream.write(edit)
                stream.truncate()
        else:
            with open(path + ".new", "wb") as stream:
                stream.write(edit)
            os.replace(path + ".new", path)
        print("saved", flush=True)
""")
ROUNDS = 900


@pytest.mark.parametrize("system", ["as here", "without leases", "without swapping names"])
def test_a_reviewers_save_while_the_yaml_is_updated_is_never_lost(tmp_path, monkeypatch, system):
    """The pipeline judges the YAML its own and replaces it while, at a random moment, a
    reviewer saves an edit. Whatever the order, the edit must be on disk at the end.

    Also where the file system or the files' owner allow no lease, and where names
    cannot be swapped in one step (the pipeline then moves the old file aside).
    Without a lease nothing tells that a program opened the old file before the
    swap and writes into it later without truncating it (README: Review rules),
    so that way of saving is left out there."""
    saves = ("in-place", "open-then-write", "rename")
    if system == "without leases":
        monkeypatch.delattr(writing.fcntl, "F_SETLEASE")
        saves = ("in-place", "rename")
    elif system == "without swapping names":
        monkeypatch.setattr(writing, "_renameat2", None)
    folder = OutputFolder(tmp_path / "output")
    folder.yaml_dir.mkdir(parents=True)
    target = folder.yaml("doc")
    tail = f"review:\n  status: draft\nsource:\n  sha256: {'0' * 64}\n"
    ours = f"title: Generated\n{tail}".encode()
    fresh = f"title: Extracted again\n{tail}"
    edit = f"title: Corrected by the reviewer\n{tail}".encode()
    (tmp_path / "edit").write_bytes(edit)
    saver = subprocess.Popen(
        [sys.executable, "-c", SAVER, str(target), str(tmp_path / "edit")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    rng = random.Random(12)
    lost, outcomes = [], {"written": 0, "kept": 0}
    try:
        for round_ in range(ROUNDS):
            write_atomic(folder.root, target, ours)
            write_atomic(folder.root, folder.base("doc"), ours)  # what the pipeline wrote is what the reviewer starts from
            record = Record(yaml_sha256=sha256_hex(ours))
            how = saves[round_ % len(saves)]
            saver.stdin.write(f"{rng.uniform(0, 0.004):.6f} {how}\n")
            saver.stdin.flush()
            result = FileResult(input="input/doc.txt")
            ownership.store_yaml(folder, "doc", fresh, "a" * 64, result, record)
            assert saver.stdout.readline() == "saved\n"
            if target.read_bytes() != edit:
                lost.append((round_, how, result.extract))
            outcomes["written" if result.extract == "written" else "kept"] += 1
    finally:
        saver.stdin.close()
        saver.wait(timeout=10)
    assert lost == []
    # The saves fell both before and after the pipeline's check: the race was run.
    assert min(outcomes.values()) > ROUNDS // 30, outcomes
    assert sorted(path.name for path in folder.yaml_dir.iterdir()) == ["doc.proposed.yaml", "doc.yaml"]


def test_an_edited_proposal_is_kept_and_said_so(tmp_path, capsys):
    """A reviewer may work in x.proposed.yaml; a later source change must not overwrite that."""
    os.chdir(tmp_path)
    (tmp_path / "input").mkdir()
    source = tmp_path / "input" / "doc.txt"
    source.write_bytes(SAMPLE.read_bytes())
    assert run_leaflets(capsys, "extract", "-q")[0] == 0
    reviewed = tmp_path / "output" / "yaml" / "doc.yaml"
    reviewed.write_text(reviewed.read_text("utf-8").replace("status: draft", "status: reviewed"), "utf-8")

    source.write_bytes(SAMPLE.read_bytes() + b"\nA first new sentence about aftercare.\n")
    code, _, err = run_leaflets(capsys, "extract")
    proposal = tmp_path / "output" / "yaml" / "doc.proposed.yaml"
    assert code == 0 and "the new extraction is in doc.proposed.yaml" in err
    proposal.write_text(proposal.read_text("utf-8") + "# the reviewer's working note\n", "utf-8")

    source.write_bytes(SAMPLE.read_bytes() + b"\nA second new sentence about aftercare.\n")
    code, _, err = run_leaflets(capsys, "extract")
    assert code == 0
    assert "output/yaml/doc.proposed.yaml: warning: was edited by a person and is kept as it is" in err
    assert proposal.read_text("utf-8").endswith("# the reviewer's working note\n")

    proposal.unlink()  # the reviewer has taken what they need: the next run proposes afresh
    code, _, err = run_leaflets(capsys, "extract")
    assert "second new sentence" in proposal.read_text("utf-8")


def test_a_file_a_killed_run_left_set_aside_is_put_back(tmp_path, capsys):
    os.chdir(tmp_path)
    (tmp_path / "input").mkdir()
    (tmp_path / "input" / "doc.txt").write_bytes(SAMPLE.read_bytes())
    assert run_leaflets(capsys, "extract", "-q")[0] == 0
    reviewed = tmp_path / "output" / "yaml" / "doc.yaml"
    text = reviewed.read_bytes()
    reviewed.rename(reviewed.with_name(f".doc.yaml.abc123{ASIDE_SUFFIX}"))  # killed between the two steps
    code, _, err = run_leaflets(capsys, "extract")
    assert code == 0 and "output/yaml/doc.yaml: put back where a stopped run had set it aside" in err
    assert reviewed.read_bytes() == text


# -- names that clash -------------------------------------------------------------


def test_inputs_whose_names_clash_with_the_pipelines_own_are_refused(tmp_path, capsys):
    os.chdir(tmp_path)
    (tmp_path / "input").mkdir()
    for name in ("x.txt", "x.proposed.txt", "Case.txt", "case.txt"):
        (tmp_path / "input" / name).write_bytes(SAMPLE.read_bytes())
    code, _, err = run_leaflets(capsys, "extract")
    assert code == 1
    assert (
        "input/x.proposed.txt: error: the file name ends in '.proposed', which names proposed updates "
        "(yaml/<id>.proposed.yaml); rename the file"
    ) in err.splitlines()
    assert (
        "input/case.txt: error: id 'case' differs only in case or Unicode form from that of input/Case.txt; on a "
        "case-insensitive disk their outputs would overwrite each other (rename one)"
    ) in err.splitlines()
    assert sorted(path.name for path in (tmp_path / "output" / "yaml").iterdir()) == ["Case.yaml", "x.yaml"]


# -- two runs on one folder ---------------------------------------------------------


def test_two_builds_on_one_folder_one_works_the_other_says_so(tmp_path):
    write_corpus(tmp_path / "input", 6, seed=3)
    html = tmp_path / "output" / "html"
    html.mkdir(parents=True)
    (html / ".notes.tmp").write_text("a designer's own dot-file")
    first = leaflets("build", "-j", "1", cwd=tmp_path)
    # The second starts once the first holds the folder (on a busy machine the first
    # could otherwise be done before the second begins, and both would rightly succeed).
    note = tmp_path / "output" / ".leaflets" / "lock"
    deadline = time.monotonic() + 60
    while f"process {first.pid} " not in (note.read_text() if note.exists() else ""):
        assert time.monotonic() < deadline and first.poll() is None, first.communicate()
        time.sleep(0.02)
    second = leaflets("build", "-j", "1", cwd=tmp_path)
    results = [(process.wait(timeout=300), *process.communicate()) for process in (first, second)]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 2], results
    refused = next(err for code, _, err in results if code == 2)
    assert refused.startswith("leaflets: error: output: another run is using this output folder (leaflets build, process ")
    assert refused.count("\n") == 1
    assert not any("Traceback" in err for _, _, err in results)
    assert (html / ".notes.tmp").read_text() == "a designer's own dot-file"
    assert len(list((tmp_path / "output" / "pdf").glob("*.pdf"))) == 6
    whole_outputs(tmp_path / "output")
    # The lock is released with its holder: the next run goes ahead.
    again = leaflets("build", cwd=tmp_path)
    assert again.wait(timeout=120) == 0, again.communicate()


def test_a_lock_left_by_a_killed_run_does_not_block_the_next(tmp_path, capsys):
    os.chdir(tmp_path)
    (tmp_path / "input").mkdir()
    (tmp_path / "input" / "doc.txt").write_bytes(SAMPLE.read_bytes())
    state = tmp_path / "output" / ".leaflets"
    state.mkdir(parents=True)
    (state / "lock").write_text("leaflets build, process 999999 on elsewhere, since yesterday\n")
    code, _, err = run_leaflets(capsys, "extract")
    assert code == 0, err


# -- a killed main process ----------------------------------------------------------


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_workers_die_with_a_killed_main_process(tmp_path):
    write_corpus(tmp_path / "input", 12, seed=9)
    # Output to a file, not a pipe: a worker left behind would keep a pipe open for ever.
    with open(tmp_path / "log", "w") as log:
        build = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "build", "-j", "2"], cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=log, stderr=log,
        )
    deadline = time.monotonic() + 60
    while len(workers := _children(build.pid)) < 2:
        assert time.monotonic() < deadline and build.poll() is None, (tmp_path / "log").read_text()
        time.sleep(0.05)
    os.kill(build.pid, signal.SIGKILL)
    build.wait()
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left


# -- a full disk ----------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB tmpfs of our own; only root may mount one (CI runs as root)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=True)


def _fill(disk: Path, leave: int) -> None:
    """Fill the disk but for about ``leave`` bytes."""
    free = os.statvfs(disk)
    size = free.f_bavail * free.f_frsize - leave
    with open(disk / "filler", "wb") as stream:
        try:
            stream.write(b"\0" * max(size, 0))
        except OSError as error:
            assert error.errno == errno.ENOSPC


def test_a_full_disk_mid_run_ends_cleanly_and_damages_nothing(small_disk, tmp_path):
    write_corpus(tmp_path / "input", 4, seed=21)
    output = small_disk / "output"
    first = leaflets("build", "-o", str(output), cwd=tmp_path)
    assert first.wait(timeout=120) == 0, first.communicate()
    before = {path: path.read_bytes() for path in output.rglob("*") if path.is_file() and path.name != "lock"}
    old_report = json.loads((output / "report.json").read_text("utf-8"))

    _fill(small_disk, leave=8_000)  # room for a small file or two, not for a PDF
    full = leaflets("build", "--force", "-o", str(output), cwd=tmp_path)
    out, err = full.communicate(timeout=120)
    assert full.returncode == 1, (out, err)
    assert "Traceback" not in err
    lines = err.splitlines()
    assert any("No space left on device" in line for line in lines), err
    for line in lines:
        assert line.startswith(("input/", "leaflets: error: cannot write disk/output/", "build: ")), line
    # Whatever is there is whole, and what could not be replaced is as it was.
    whole_outputs(output)
    for path, data in before.items():
        if path.exists() and path.suffix in (".yaml", ".pdf"):
            assert path.read_bytes() == data or path.suffix == ".pdf"
    report = output / "report.json"
    if report.exists():  # written by this run, or removed: never the earlier one
        assert json.loads(report.read_text("utf-8")) != old_report
    assert not [path for path in output.rglob("*.leaflets.tmp")]

    (small_disk / "filler").unlink()
    again = leaflets("build", "-o", str(output), cwd=tmp_path)
    assert again.wait(timeout=120) == 0, again.communicate()
    whole_outputs(output)


def test_removing_the_state_folder_does_not_let_a_second_run_in(tmp_path):
    """The lock is on the output folder itself, not on a file someone could delete."""
    write_corpus(tmp_path / "input", 6, seed=4)
    first = leaflets("build", "-j", "1", cwd=tmp_path)
    deadline = time.monotonic() + 60
    while not list((tmp_path / "output" / "pdf").glob("*.pdf")):
        assert time.monotonic() < deadline and first.poll() is None, first.communicate()
        time.sleep(0.05)
    # Moved away in one step, then removed (the running build may still be writing into it).
    (tmp_path / "output" / ".leaflets").rename(tmp_path / "removed")
    shutil.rmtree(tmp_path / "removed", ignore_errors=True)
    second = leaflets("build", "-j", "1", cwd=tmp_path)
    assert second.wait(timeout=120) == 2, second.communicate()
    assert "another run is using this output folder" in second.communicate()[1]
    assert first.wait(timeout=300) == 0, first.communicate()


def test_a_run_stopped_while_rendering_still_knows_its_own_drafts(tmp_path, capsys):
    """The record is written as soon as the YAML is: the next source change updates the draft."""
    os.chdir(tmp_path)
    (tmp_path / "input").mkdir()
    source = tmp_path / "input" / "doc.txt"
    source.write_bytes(SAMPLE.read_bytes())
    assert run_leaflets(capsys, "build", "-q")[0] == 0
    source.write_bytes(SAMPLE.read_bytes() + b"\nA first added sentence.\n")
    code, _, err = run_leaflets(capsys, "build", "--time-limit", "0.1")  # extraction done, rendering stopped
    assert code == 1 and "took longer than 0.1 s" in err
    source.write_bytes(SAMPLE.read_bytes() + b"\nA second added sentence.\n")
    code, _, err = run_leaflets(capsys, "build")
    assert code == 0 and "proposed" not in err, err
    assert "second added sentence" in (tmp_path / "output" / "yaml" / "doc.yaml").read_text("utf-8")
