"""A ``--styles`` folder changes how leaflets look; it cannot run code or read files elsewhere.

Each test gives ``leaflets build`` a hostile styles folder, as a brand
designer's folder could be, and checks what the operator sees: exit status 2
and one line naming the file when the folder is refused before any work, or
that leaflet failing with one line; never a traceback, never the secret.
Cases that would hang (a pipe named like a template) run in a subprocess
with a timeout, so a hang fails the test instead of blocking the suite.
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

from pipeline.render.styles import BUILTIN_STYLES, MAX_STYLES_FILE_BYTES
from tests.conftest import ROOT, run_leaflets
from tests.support.rendering import SAMPLE_INPUT

pytestmark = pytest.mark.slow  # processes, PDFs, a browser or many examples: CI runs it, the quick subset does not

SECRET = "CANARY-SECRET-4d1f"
SUBPROCESS_TIMEOUT = 120


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A working folder: one input file, an empty ``my-styles/`` and, beside them, secret files."""
    (tmp_path / "input").mkdir()
    shutil.copy(sorted(SAMPLE_INPUT.glob("*.txt"))[0], tmp_path / "input")
    (tmp_path / "my-styles").mkdir()
    (tmp_path / "secret.txt").write_text(f"{SECRET}\n", "utf-8")
    (tmp_path / "secret-theme.yaml").write_text(f"organisation: {SECRET}\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def build_arguments() -> list[str]:
    # The styles folder by its full name: renderers are kept per process by options, and each test has its own.
    return ["build", "input", "--styles", str(Path("my-styles").resolve()), "-o", "output", "-j", "1"]


def build(capsys) -> tuple[int, str]:
    """``leaflets build`` in this process: exit status and everything printed."""
    code, out, err = run_leaflets(capsys, *build_arguments())
    return code, out + err


def build_in_subprocess(site: Path) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", *build_arguments()],
        cwd=site, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT, env=_env(),
    )
    return done.returncode, done.stdout + done.stderr


def _env() -> dict[str, str]:
    """This process's environment, with the package it tests importable from any folder."""
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [path, str(ROOT)]))}


def assert_one_line(printed: str, *pieces: str) -> None:
    assert "Traceback" not in printed, printed
    assert any(all(piece in line for piece in pieces) for line in printed.splitlines()), printed


def assert_secret_kept(site: Path, printed: str) -> None:
    assert SECRET not in printed
    for path in (site / "output").rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def assert_stopped_before_any_work(site: Path) -> None:
    assert not (site / "output").exists()


# -- no code run on the build machine -------------------------------------------

RUN_CODE = "{{ cycler.__init__.__globals__.os.popen('touch %s').read() }}"


@pytest.mark.parametrize(
    ("template", "status"),
    [
        ("leaflet.html", 1),  # each leaflet fails
        ("parts.html", 1),
        ("index.html", 1),  # made after the leaflets
        ("review.html", 1),
        ("leaflet.css", 2),  # the same for every leaflet: the run stops before any work
    ],
)
def test_a_template_cannot_run_code(site, capsys, template, status):
    marker = site / "code-was-run"
    original = (BUILTIN_STYLES / template).read_text("utf-8")
    (site / "my-styles" / template).write_text(RUN_CODE % marker + original, "utf-8")

    code, printed = build(capsys)

    assert not marker.exists()
    assert code == status, printed
    assert_one_line(printed, "error: template ", "unsafe")


# -- no file read from outside the styles folders ---------------------------------


@pytest.mark.parametrize(
    "statement", ['{% include "leak.html" %}', '{% import "leak.html" as leak %}', '{% extends "leak.html" %}']
)
def test_a_template_cannot_include_a_link_leading_outside(site, capsys, statement):
    (site / "my-styles" / "leak.html").symlink_to(site / "secret.txt")
    (site / "my-styles" / "leaflet.html").write_text(statement, "utf-8")

    code, printed = build(capsys)

    assert code == 2, printed
    assert_one_line(printed, "template leaflet.html: my-styles/leak.html: is a link leading outside", "refused")
    assert_secret_kept(site, printed)
    assert_stopped_before_any_work(site)


def test_a_link_named_only_at_render_time_fails_that_leaflet(site, capsys):
    (site / "my-styles" / "leak.html").symlink_to(site / "secret.txt")
    (site / "my-styles" / "leaflet.html").write_text('{% include "le" ~ "ak.html" %}', "utf-8")

    code, printed = build(capsys)

    assert code == 1, printed
    assert_one_line(printed, "error: template leaflet.html: my-styles/leak.html: is a link leading outside", "refused")
    assert_secret_kept(site, printed)


@pytest.mark.parametrize("name", ["../secret.txt", "{site}/secret.txt", "assets/../../secret.txt"])
def test_a_template_cannot_name_a_file_outside(site, capsys, name):
    name = name.format(site=site)
    (site / "my-styles" / "leaflet.html").write_text(f'{{% include "{name}" %}}', "utf-8")

    code, printed = build(capsys)

    assert code == 2, printed
    assert_one_line(printed, f"template leaflet.html: {name!r}: a name leading outside the styles folders; refused")
    assert_secret_kept(site, printed)


def test_a_theme_that_is_a_link_leading_outside_is_refused(site, capsys):
    (site / "my-styles" / "theme.yaml").symlink_to(site / "secret-theme.yaml")

    code, printed = build(capsys)

    assert code == 2, printed
    assert_one_line(printed, "leaflets: error: my-styles/theme.yaml: is a link leading outside my-styles/; refused")
    assert_secret_kept(site, printed)
    assert_stopped_before_any_work(site)


def test_links_inside_the_styles_folder_are_followed(site, capsys):
    """The confinement refuses only what leads outside: a link to a file of the same folder works."""
    styles = site / "my-styles"
    (styles / "brand").mkdir()
    (styles / "brand" / "theme.yaml").write_text("organisation: Linked Hospital\n", "utf-8")
    leaflet = (BUILTIN_STYLES / "leaflet.html").read_text("utf-8")
    (styles / "brand" / "leaflet.html").write_text("<!-- linked template -->" + leaflet, "utf-8")
    (styles / "theme.yaml").symlink_to("brand/theme.yaml")
    (styles / "leaflet.html").symlink_to("brand/leaflet.html")

    code, printed = build(capsys)

    assert code == 0, printed
    page = next((site / "output" / "html").glob("*.html")).read_text("utf-8")
    assert page.startswith("<!-- linked template -->") and "Linked Hospital" in page


# -- pipes and huge files ---------------------------------------------------------


@pytest.mark.parametrize("name", ["theme.yaml", "leaflet.html", "parts.html"])
def test_a_pipe_in_the_styles_folder_does_not_hang_the_run(site, name):
    os.mkfifo(site / "my-styles" / name)

    code, printed = build_in_subprocess(site)  # a hang is a TimeoutExpired, not a stuck suite

    assert code == 2, printed
    assert_one_line(printed, f"my-styles/{name}: is not a regular file (a pipe, device or socket?)")
    assert_stopped_before_any_work(site)


@pytest.mark.parametrize(("name", "line"), [("theme.yaml", "# padding\n"), ("leaflet.html", "{# padding #}\n")])
def test_a_huge_theme_or_template_is_refused_before_it_is_read(site, capsys, name, line):
    (site / "my-styles" / name).write_text(line * (MAX_STYLES_FILE_BYTES // len(line) + 1), "utf-8")

    code, printed = build(capsys)

    assert code == 2, printed
    assert_one_line(printed, f"my-styles/{name}: file is ", f"bytes; the limit for a styles file is {MAX_STYLES_FILE_BYTES:,}")
    assert_stopped_before_any_work(site)


FINGERPRINT = """
import sys
from pathlib import Path
from pipeline.run.settings import Settings
from pipeline.render.styles import RenderOptions

for folder in sys.argv[1:]:
    print(Settings.load(Path("output"), render=RenderOptions(styles=Path(folder))).render_deps)
"""


def _limit_memory() -> None:  # a read of the huge file fails at once instead of filling the machine's memory
    resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024 * 1024, resource.RLIM_INFINITY))


def test_the_styles_fingerprint_reads_nothing_but_the_folders_own_files(site):
    """What the outputs depend on is hashed from the folders' own files only: a link to a huge
    file or a device elsewhere, a pipe, a linked folder are left out, never read or waited on."""
    plain, hostile = site / "plain-styles", site / "my-styles"
    huge = site / "huge.bin"
    with huge.open("wb") as stream:
        stream.truncate(2 * 1024**3)  # sparse: 2 GiB to read, no disk used
    for folder in (plain, hostile):
        (folder / "assets").mkdir(parents=True, exist_ok=True)
        (folder / "assets" / "extra.css").write_text("p { margin: 0 }\n", "utf-8")
    (hostile / "assets" / "huge.bin").symlink_to(huge)
    (hostile / "assets" / "zero.bin").symlink_to("/dev/zero")
    (hostile / "assets" / "outside").symlink_to(site, target_is_directory=True)
    os.mkfifo(hostile / "assets" / "pipe.css")

    def fingerprints() -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", FINGERPRINT, str(plain), str(hostile)],
            cwd=site, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT, env=_env(), preexec_fn=_limit_memory,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.split()

    first = fingerprints()
    with huge.open("r+b") as stream:
        stream.write(b"changed")
    assert first[0] == first[1]  # the same as a folder without those entries
    assert fingerprints() == first


# -- no template can take the run down --------------------------------------------


@pytest.mark.parametrize(
    ("template", "body", "message"),
    [
        ("index.html", "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "calls itself without end"),
        ("index.html", '{% set s = "x" * 3000000000 %}{{ s }}', "longer than 1,000,000 is not allowed"),
        ("index.html", "{{ 2 ** 100000000 }}", "a power above 1000 is not allowed"),
    ],
)
def test_a_template_that_never_ends_or_grows_without_end_fails_with_one_line(site, template, body, message):
    (site / "my-styles" / template).write_text(body, "utf-8")
    code, printed = build_in_subprocess(site)
    assert code in (1, 2), printed
    assert_one_line(printed, "error: ", message)
    report = json.loads((site / "output" / "report.json").read_text("utf-8"))
    assert report["errors"] and message in report["errors"][0]  # this run's report, not an older one


def test_a_styles_folder_cannot_bring_a_script(tmp_path):
    from pipeline.render.styles import StylesFolders

    folder = tmp_path / "styles"
    (folder / "assets").mkdir(parents=True)
    for name in ("evil.js", "evil.mjs", "review-filter.js", "note.txt"):
        (folder / "assets" / name).write_text("document.title = 'x';", "utf-8")
    assets = StylesFolders(folder).assets()
    assert "assets/note.txt" in assets and not [name for name in assets if name.endswith(("js", "mjs"))]
