"""Files in the output folder are not trusted: a reviewer or another process may put anything there.

Links leading out of the folder, pipes, devices, huge files and forged state
files in ``yaml/`` and ``.leaflets/`` must not be read, hang a command, take
its memory or reach a page: each is refused with one line, and the rest of the
run goes on.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow  # processes, PDFs, a browser or many examples: CI runs it, the quick subset does not

SECRET = "CANARY-7f3e9b secret line"
SAMPLES = sorted((ROOT / "input").glob("*.txt"))


def leaflets(*args: str, cwd: Path, timeout: float = 180) -> subprocess.CompletedProcess:
    """The command in its own process, with a time limit (a hang fails) and 1.5 GiB of memory."""

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024 * 1024, resource.RLIM_INFINITY))

    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=timeout, preexec_fn=limit_memory,
    )


@pytest.fixture
def hostile(tmp_path):
    """A built sample folder, then the hostile files put in it."""
    shutil.copytree(ROOT / "input", tmp_path / "input")
    done = leaflets("build", "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (tmp_path / "secret.txt").write_text(f"title: {SECRET}\nreview: {{status: approved}}\n")
    out = tmp_path / "output"
    yaml_dir, state = out / "yaml", out / ".leaflets"
    (yaml_dir / "leak.yaml").symlink_to(tmp_path / "secret.txt")
    os.mkfifo(yaml_dir / "pipe.yaml")
    (yaml_dir / "zero.yaml").symlink_to("/dev/zero")
    with open(yaml_dir / "huge.yaml", "wb") as stream:
        stream.truncate(2 * 1024**3)  # sparse: 2 GB that take no room
    with open(state / "records" / f"{SAMPLES[0].stem}.json", "wb") as stream:
        stream.truncate(400 * 1024**2)
    os.replace(state / "review-rows.json", state / "rows.bak")
    os.mkfifo(state / "review-rows.json")
    (state / "review.json").unlink()
    (state / "review.json").symlink_to("/dev/zero")
    manifest = json.loads((state / "rendered.json").read_text("utf-8"))
    manifest["../../evil"] = {"title": "Evil", "status": "approved"}
    (state / "rendered.json").write_text(json.dumps(manifest), "utf-8")
    return tmp_path


def _all_text(folder: Path) -> str:
    return "".join(
        path.read_text("utf-8", "replace") for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink() and path.stat().st_size < 10**7
    )


def test_build_goes_on_and_reads_none_of_them(hostile):
    done = leaflets("build", "--force", cwd=hostile)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and SECRET not in done.stderr
    output = hostile / "output"
    assert SECRET not in _all_text(output)
    review = (output / "review.html").read_text("utf-8")
    for name, reason in [
        ("leak", "is a link leading outside output/; refused (remove the link)"),
        ("pipe", "is not a regular file (a pipe, device or socket?)"),
        ("zero", "is a link leading outside output/; refused (remove the link)"),
        ("huge", "file is 2,147,483,648 bytes; the limit for a leaflet YAML is 1,048,576"),
    ]:
        assert f"yaml/{name}.yaml" in review and reason in review, name
    index = (output / "index.html").read_text("utf-8")
    assert "evil" not in index and "../" not in index
    # The damaged state was set right: a real record, a real row memory.
    record = output / ".leaflets" / "records" / f"{SAMPLES[0].stem}.json"
    assert record.stat().st_size < 10_000 and json.loads(record.read_text("utf-8"))
    assert (output / ".leaflets" / "review-rows.json").is_file()


def test_render_refuses_each_with_one_line(hostile):
    done = leaflets("render", cwd=hostile)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and SECRET not in done.stderr
    errors = sorted(line for line in done.stderr.splitlines() if ": error: " in line)
    assert errors == [
        "output/yaml/huge.yaml: error: file is 2,147,483,648 bytes; the limit for a leaflet YAML is 1,048,576",
        "output/yaml/leak.yaml: error: is a link to a file outside output/yaml/; a link in an input folder must "
        "stay inside it (name the file on the command line to use it)",
        "output/yaml/pipe.yaml: error: is not a regular file (a pipe, device or socket?)",
        "output/yaml/zero.yaml: error: is a link to a file outside output/yaml/; a link in an input folder must "
        "stay inside it (name the file on the command line to use it)",
    ]


def test_check_refuses_each_too(hostile):
    done = leaflets("check", cwd=hostile)
    assert done.returncode == 1 and "Traceback" not in done.stderr and SECRET not in done.stdout


def test_a_leaflets_own_yaml_replaced_by_a_link_fails_that_leaflet_only(tmp_path):
    shutil.copytree(ROOT / "input", tmp_path / "input")
    assert leaflets("build", "-q", cwd=tmp_path).returncode == 0
    (tmp_path / "secret.txt").write_text(f"title: {SECRET}\n")
    first, second = (path.stem for path in SAMPLES)
    yaml_path = tmp_path / "output" / "yaml" / f"{first}.yaml"
    yaml_path.unlink()
    yaml_path.symlink_to(tmp_path / "secret.txt")
    (tmp_path / "input" / f"{first}.txt").write_bytes(SAMPLES[0].read_bytes() + b"\nOne more sentence.\n")
    (tmp_path / "input" / f"{second}.txt").write_bytes(SAMPLES[1].read_bytes() + b"\nOne more sentence.\n")
    done = leaflets("build", cwd=tmp_path)
    assert done.returncode == 1
    assert (
        f"input/{first}.txt: error: cannot use output/yaml/{first}.yaml: is a link leading outside output/; "
        "refused (remove the link)"
    ) in done.stderr.splitlines()
    assert SECRET not in done.stderr and SECRET not in _all_text(tmp_path / "output")
    assert (tmp_path / "secret.txt").read_text() == f"title: {SECRET}\n"  # never written through the link
    assert "One more sentence." in (tmp_path / "output" / "yaml" / f"{second}.yaml").read_text("utf-8")


def test_an_output_folder_linked_outside_is_refused(tmp_path):
    shutil.copytree(ROOT / "input", tmp_path / "input")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "output").mkdir()
    (tmp_path / "output" / "pdf").symlink_to(tmp_path / "elsewhere")
    done = leaflets("build", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == (
        "leaflets: error: output: pdf is a link; refused (make it a folder of its own)\n"
    )
    assert not list((tmp_path / "elsewhere").iterdir())


def test_a_folder_of_the_output_linked_inside_it_is_refused_too(tmp_path):
    """html/assets -> ../yaml would let a styles asset named like a leaflet overwrite a reviewer's YAML."""
    shutil.copytree(ROOT / "input", tmp_path / "input")
    assert leaflets("build", "-q", cwd=tmp_path).returncode == 0
    assets = tmp_path / "output" / "html" / "assets"
    shutil.rmtree(assets)
    assets.symlink_to("../yaml")
    before = {path.name: path.read_bytes() for path in (tmp_path / "output" / "yaml").iterdir()}
    done = leaflets("build", "--force", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == "leaflets: error: output: html/assets is a link; refused (make it a folder of its own)\n"
    assert {path.name: path.read_bytes() for path in (tmp_path / "output" / "yaml").iterdir()} == before
