"""Bad input in a batch beside good files: one clear line per bad file, the good ones fully built.

Every fixture is generated here (nothing large is committed). One build runs
over a folder holding the two sample inputs and every kind of broken or
hostile input at once, as an operator would meet them, in a separate process
(so a worker's traceback would show on its stderr). Then each case is checked
for its exact error or warning line, and the output folder for whole files
only: no temporary file left, every YAML loads, every PDF opens.

Cases that need the main process patched (an unreadable file: the tests run
as root, for whom chmod cannot make a file unreadable) or their own output
folder (one that cannot be written) run in-process on their own.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import threading
import zlib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
from pypdf import PdfReader

from pipeline import cli
from pipeline.normalize.joining import MAX_JOINED_CHARACTERS
from pipeline.yamlio import load_leaflet
from tests.support.canary import CanaryServer
from tests.support.words import missing_words

from .conftest import ROOT

pytestmark = pytest.mark.slow  # processes, PDFs, a browser or many examples: CI runs it, the quick subset does not

GOOD = sorted((ROOT / "input").glob("*.txt"))
FIRST = GOOD[0].stem
ODD_NAME = "Name with spaces 'single' \"double\" #1 50% Ünïcødé Ελληνικά 日本語"
NAME_BLOCK = "Name of the Procedure:\nEar Wax Removal\n\n"
LONG_NAME = "n" * 210 + ".txt"
HUGE_BYTES = (8 + 47 * 23 + 1) * 47_000  # about 50 MB


def png_image(size: int = 16) -> bytes:
    """A small real PNG (an RGB gradient), as a scraper might save in place of a page."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 16 % 256, y * 16 % 256, 128)) for x in range(size)) for y in range(size)
    )
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@dataclass(frozen=True)
class Case:
    """One input file and the lines the build must print for it (beyond progress and summary)."""

    name: str  # file name in input/
    lines: tuple[str, ...]  # exact error/warning lines naming it
    built: bool  # YAML, page and PDF expected


def _error(name: str, message: str) -> Case:
    return Case(name, (f"input/{name}: error: {message}",), built=False)


def input_files(port: int, canary: Path) -> dict[str, bytes]:
    """The bytes of each regular bad input file (links, a pipe and a folder: see make_special_files)."""
    good = GOOD[0].read_bytes()
    base = f"http://127.0.0.1:{port}"
    files = {
        "empty.txt": b"",
        "whitespace.txt": b"  \n\t\n \r\n\n",
        "image.txt": png_image(),
        # NUL, BEL, ESC, DEL and C1 controls inside words of a real page
        "controls.txt": good.replace(b"minimally", b"mini\x00mal\x07ly").replace(b"procedure", b"proce\x1bdure\x7f", 1)
        .replace(b"Recurrent", b"Re\xc2\x90current"),
        "huge.txt": (b"Summary\n" + b"A paragraph of words that goes on for a while. " * 23 + b"\n") * 47_000,
        "long-line.txt": b"Summary\n" + (b"lorem ipsum dolor " * 60_000)[: 1024 * 1024] + b"\n",
        "utf16-no-bom.txt": good.decode("utf-8").encode("utf-16-le"),
        "no-heading.txt": b"Just some prose about a procedure.\nAnother line of prose, and no heading at all.\n",
        "title-only.txt": b"Dilation of Anal Sphincter\n",
        "same-heading-twice.txt": (NAME_BLOCK + "Summary\nFirst part.\n\nRisks\nBleeding.\n\nSummary\nSecond part.\n")
        .encode(),
        "empty-section.txt": (NAME_BLOCK + "Summary\n\nRisks\nBleeding may happen.\n").encode(),
        "headings-only.txt": b"Summary\nRisks\nAftercare\n",
        "markup.txt": (
            NAME_BLOCK + "Summary\n<script>alert('x')</script> and <b>bold</b> text.\n"
            f'<img src="{base}/img.png" alt="x"> <iframe src="{canary.as_uri()}"></iframe>\n'
        ).encode(),
        "urls-css.txt": (
            NAME_BLOCK + f"Summary\nSee {canary.as_uri()} and {base}/page for more.\n"
            f"body {{ background: url({base}/bg.png) }}\n@import url(\"{base}/import.css\");\n"
        ).encode(),
        "yaml-like.txt": (
            NAME_BLOCK + "Summary\nkey: value\n---\n&a [1, 2]\n*a\n"
            "!!python/object/apply:os.system [\"touch pwned\"]\n{{ 7*7 }} {% include 'base.html' %}\n"
        ).encode(),
        ODD_NAME + ".txt": good,
        "new\nline.txt": good,
        LONG_NAME: good,
    }
    return files


def expected_cases() -> list[Case]:
    odd = ODD_NAME + ".txt"
    notdef = [f'"{char}" (U+{ord(char):04X})' for char in "日本語"]  # Atkinson Hyperlegible has Greek, not CJK
    odd_yaml = f"output/yaml/{ODD_NAME}.yaml"
    cases = [
        _error("empty.txt", "empty file"),
        _error("whitespace.txt", "file holds only whitespace"),
        _error("image.txt", "not text in any known encoding (binary data?)"),
        Case("controls.txt", (), built=True),
        _error("huge.txt", f"file is {HUGE_BYTES:,} bytes; the limit for an input file is 2,097,152"),
        _error("long-line.txt", "line 2 is 1,048,576 characters long; the limit is 20,000 (not procedure text?)"),
        Case("utf16-no-bom.txt", (), built=True),
        _error("no-heading.txt", "no recognisable section headings"),
        _error("title-only.txt", "no recognisable section headings"),
        Case("same-heading-twice.txt", (
            "input/same-heading-twice.txt:10: warning: section 'summary' appears again "
            "(heading 'Summary', first at line 4); contents merged",
        ), built=True),
        Case("empty-section.txt", (), built=True),
        _error("headings-only.txt", "no text under any heading (headings only?); nothing to put in a leaflet"),
        Case("markup.txt", (), built=True),
        Case("urls-css.txt", (), built=True),
        Case("yaml-like.txt", (), built=True),
        Case(odd, tuple(sorted({
            f"{odd_yaml}: warning: .notdef glyph rendered for Unicode string unsupported by fonts: {glyph}"
            for glyph in notdef
        })), built=True),
        Case("new\nline.txt", (
            "input/new\\x0aline.txt: error: the file name has control characters (a newline?); rename the file",
        ), built=False),
        _error(LONG_NAME, "the file name is too long for its outputs (at most 200 bytes before .txt); rename the file"),
        # made by make_special_files
        _error("escape.txt", "is a link to a file outside input/; a link in an input folder must stay inside it "
               "(name the file on the command line to use it)"),
        Case("alias.txt", (), built=True),  # a link to a file in the same folder is fine
        _error("broken-link.txt", "no such file (a broken link?)"),
        _error("fifo.txt", "is not a regular file (a pipe, device or socket?)"),
        _error("folder.txt", "is a folder, not a file"),
    ]
    return cases


CASES = expected_cases()


def make_special_files(inputs: Path, canary: Path) -> None:
    (inputs / "escape.txt").symlink_to(canary)
    (inputs / "alias.txt").symlink_to(GOOD[1].name)
    (inputs / "broken-link.txt").symlink_to("missing.txt")
    os.mkfifo(inputs / "fifo.txt")  # a named pipe: opening it would block the whole run
    (inputs / "folder.txt").mkdir()


# -- the batch ------------------------------------------------------------------


def leaflets(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


@dataclass
class Batch:
    folder: Path
    cases: list[Case]
    run: subprocess.CompletedProcess
    requests: list[str]

    @property
    def output(self) -> Path:
        return self.folder / "output"

    def report(self) -> dict:
        return json.loads((self.output / "report.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Batch:
    folder = tmp_path_factory.mktemp("bad-input")
    server = CanaryServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        outside = folder / "outside"
        outside.mkdir()
        canary = outside / "canary-secret.txt"
        canary.write_text("Summary\nCANARY-FILE-CONTENT\n", "utf-8")
        inputs = folder / "input"
        inputs.mkdir()
        for path in GOOD:
            shutil.copyfile(path, inputs / path.name)
        for name, data in input_files(server.server_address[1], canary).items():
            (inputs / name).write_bytes(data)
        make_special_files(inputs, canary)
        more = folder / "more"  # a second folder whose file's id collides with a good one
        more.mkdir()
        shutil.copyfile(GOOD[1], more / GOOD[0].name)
        run = leaflets("build", "input", "more", "-j", "2", cwd=folder)
    finally:
        server.shutdown()
        server.server_close()
    return Batch(folder, CASES, run, list(server.requests))


MESSAGE = re.compile(r"^(?P<file>.+?)(?::\d+)?: (?P<severity>error|warning): ")
PROGRESS = re.compile(r"^build: \d+/\d+ done \(\d+%\), \d+ failed, [\d.]+/s$")


def test_exit_status_is_1_and_every_line_is_one_message(batch):
    assert batch.run.returncode == 1, batch.run.stderr[-3000:]
    assert "Traceback" not in batch.run.stderr
    for line in batch.run.stderr.splitlines():
        assert MESSAGE.match(line) or PROGRESS.match(line), line
    summary = batch.report()["summary"]
    expected_failed = sum(not case.built for case in batch.cases) + 1  # + the colliding id
    assert (summary["failed"], summary["built"]) == (expected_failed, len(GOOD) + sum(c.built for c in batch.cases))
    assert batch.run.stdout.startswith(f"build: {summary['built']} built, 0 up to date, {expected_failed} failed")


def _lines_about(stderr: str, name: str) -> list[str]:
    stem = name.removesuffix(".txt")
    shown = name.replace("\n", "\\x0a")
    return sorted(
        line for line in stderr.splitlines()
        if MESSAGE.match(line) and MESSAGE.match(line)["file"] in (f"input/{shown}", f"output/yaml/{stem}.yaml")
    )


@pytest.mark.parametrize("case", CASES, ids=lambda case: re.sub(r"[^\w.-]+", "_", case.name)[:40])
def test_each_bad_input_gets_its_line_and_only_its_outputs(batch, case):
    assert _lines_about(batch.run.stderr, case.name) == sorted(case.lines)
    stem = case.name.removesuffix(".txt")
    entry = next(e for e in batch.report()["files"] if e["input"] == "input/" + case.name.replace("\n", "\\x0a"))
    assert entry["status"] == ("built" if case.built else "failed")
    made = {kind: (batch.output / kind / f"{stem}.{suffix}") for kind, suffix in
            (("yaml", "yaml"), ("html", "html"), ("pdf", "pdf"), ("normalized", "txt"))}
    if not case.built:
        assert not [path for path in made.values() if os.path.lexists(path)], case.name
        return
    leaflet = load_leaflet(made["yaml"].read_text("utf-8"))
    assert not missing_words(made["normalized"].read_text("utf-8"), made["yaml"].read_text("utf-8"))
    assert "</html>" in made["html"].read_text("utf-8")
    assert len(PdfReader(made["pdf"]).pages) >= 1
    assert leaflet.id == stem


def test_the_colliding_id_fails_the_second_file(batch):
    line = f"more/{FIRST}.txt: error: id '{FIRST}' is already used by input/{FIRST}.txt"
    assert line in batch.run.stderr.splitlines()


def test_the_good_files_are_fully_built(batch):
    for path in GOOD:
        text = (batch.output / "yaml" / f"{path.stem}.yaml").read_text("utf-8")
        leaflet = load_leaflet(text)
        assert leaflet.source.path == f"input/{path.name}"
        assert leaflet.title in (batch.output / "html" / f"{path.stem}.html").read_text("utf-8")
        reader = PdfReader(batch.output / "pdf" / f"{path.stem}.pdf")
        assert leaflet.title.split()[0] in reader.pages[0].extract_text()


def test_nothing_is_half_written(batch):
    assert not [path for path in batch.output.rglob("*") if path.name.endswith(".tmp")]
    for path in (batch.output / "yaml").glob("*.yaml"):
        load_leaflet(path.read_text("utf-8"))
    for path in (batch.output / "pdf").glob("*.pdf"):
        assert len(PdfReader(path).pages) >= 1, path.name
    assert json.loads((batch.output / ".leaflets" / "rendered.json").read_text("utf-8"))


def test_hostile_text_is_kept_as_text_and_reaches_nothing(batch):
    assert batch.requests == []
    assert not (batch.folder / "pwned").exists()
    for path in batch.output.rglob("*"):
        if path.is_file() and path.suffix in (".yaml", ".txt", ".html", ".json"):
            assert "CANARY-FILE-CONTENT" not in path.read_text("utf-8"), path
    yaml_like = load_leaflet((batch.output / "yaml" / "yaml-like.yaml").read_text("utf-8"))
    printed = json.dumps([str(block) for block in yaml_like.sections["summary"]])
    assert "!!python/object/apply:os.system" in printed and "{{ 7*7 }}" in printed
    page = (batch.output / "html" / "markup.html").read_text("utf-8")
    body = page[page.index("</head>"):]
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in body
    for tag in ("<script", "<img", "<iframe", "<b>"):
        assert tag not in body


def test_control_characters_are_gone_and_the_words_kept(batch):
    text = (batch.output / "normalized" / "controls.txt").read_text("utf-8")
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)
    assert "minimally" in text and "procedure" in text and "Recurrent" in text


def test_utf16_without_bom_reads_like_the_original(batch):
    odd = load_leaflet((batch.output / "yaml" / "utf16-no-bom.yaml").read_text("utf-8"))
    original = load_leaflet((batch.output / "yaml" / f"{FIRST}.yaml").read_text("utf-8"))
    assert odd.source.encoding == "utf-16-le"
    assert (odd.title, odd.sections) == (original.title, original.sections)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [value for name, value in attrs if name == "href" and value]


def _links(page: Path) -> list[str]:
    parser = _Links()
    parser.feed(page.read_text("utf-8"))
    return [href for href in parser.hrefs if not urlsplit(href).scheme and not href.startswith("#")]


@pytest.mark.parametrize("page", ["index.html", "review.html"])
def test_odd_file_names_are_linked_percent_encoded(batch, page):
    links = _links(batch.output / page)
    for link in links:
        href, _, anchor = link.partition("#")  # the review page links a hard sentence's section
        assert quote(unquote(href)) == href, link  # encoded, and only once
        assert (batch.output / unquote(href)).is_file(), link
        assert re.fullmatch(r"[a-z0-9-]*", anchor), link
    wanted = {"html": ".html", "pdf": ".pdf"}
    if page == "review.html":
        wanted["yaml"] = ".yaml"
    for folder, suffix in wanted.items():
        assert f"{folder}/{quote(ODD_NAME + suffix)}" in links


# -- cases run on their own ------------------------------------------------------


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    inputs = tmp_path / "input"
    inputs.mkdir()
    for path in GOOD:
        shutil.copyfile(path, inputs / path.name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_warnings_alone_exit_0(workdir, capfd):
    (workdir / "input" / "twice.txt").write_text(NAME_BLOCK + "Summary\nOne.\n\nSummary\nTwo.\n", "utf-8")
    assert cli.run(["build", "-j", "2"]) == 0
    err = capfd.readouterr().err
    assert [line for line in err.splitlines() if MESSAGE.match(line)] == [
        "input/twice.txt:7: warning: section 'summary' appears again (heading 'Summary', first at line 4); "
        "contents merged"
    ]


def test_an_unreadable_file_fails_alone(workdir, monkeypatch, capfd):
    """Root reads any file whatever its mode, so the refusal is simulated where the pipeline opens it."""
    unreadable = workdir / "input" / "unreadable.txt"
    shutil.copyfile(GOOD[0], unreadable)
    real_open = os.open

    def open_(path, *args, **kwargs):
        if os.fspath(path).endswith(unreadable.name):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)
    assert cli.run(["build", "-j", "2"]) == 1
    err = capfd.readouterr().err
    assert "input/unreadable.txt: error: cannot read: Permission denied" in err.splitlines()
    assert "Traceback" not in err
    for path in GOOD:
        assert len(PdfReader(workdir / "output" / "pdf" / f"{path.stem}.pdf").pages) >= 1


def test_a_link_named_on_the_command_line_is_followed(workdir, capfd):
    elsewhere = workdir / "elsewhere"
    elsewhere.mkdir()
    shutil.copyfile(GOOD[0], elsewhere / "page.txt")
    (workdir / "input" / "named.txt").symlink_to(elsewhere / "page.txt")
    assert cli.run(["extract", "input/named.txt"]) == 0, capfd.readouterr().err
    leaflet = load_leaflet((workdir / "output" / "yaml" / "named.yaml").read_text("utf-8"))
    assert leaflet.source.path == "input/named.txt"


def test_an_output_folder_that_is_a_file_stops_the_run(workdir, capfd):
    (workdir / "out").write_text("a file, not a folder")
    assert cli.run(["build", "-o", "out"]) == 2
    assert capfd.readouterr().err == (
        "leaflets: error: out: cannot write to the output folder: it is a file, not a folder\n"
    )
    (workdir / "out").unlink()
    (workdir / "out").mkdir()
    (workdir / "out" / "pdf").write_text("in the way")
    assert cli.run(["build", "-o", "out"]) == 2
    assert capfd.readouterr().err == (
        "leaflets: error: out: cannot write to the output folder (out/pdf): it is a file, not a folder\n"
    )
    assert sorted(path.name for path in (workdir / "out").iterdir()) == ["pdf"]


def test_an_output_folder_that_cannot_be_written_stops_the_run_and_keeps_what_was_there(workdir, monkeypatch, capfd):
    """Root may write anywhere, so a read-only folder is simulated where files are created."""
    assert cli.run(["build", "-q"]) == 0

    def files() -> dict[Path, bytes]:  # the lock says which run holds the folder: rewritten by each run
        return {path: path.read_bytes() for path in (workdir / "output").rglob("*") if path.is_file() and path.name != "lock"}

    before = files()
    from pipeline.run import writing

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(writing, "_write_temporary", refuse)
    assert cli.run(["build", "--force"]) == 2
    assert capfd.readouterr().err == "leaflets: error: output: cannot write to the output folder: Permission denied\n"
    assert files() == before


# -- inputs that used to exhaust the resource limits -----------------------------
#
# The limits themselves (time, memory) are covered with simulated work in
# tests/test_commands.py; these are the real inputs that once reached them.


def _statuses(workdir: Path) -> dict[str, str]:
    entries = json.loads((workdir / "output" / "report.json").read_text("utf-8"))["files"]
    return {entry["input"]: entry["status"] for entry in entries}


def test_thousands_of_short_unpunctuated_lines_fail_for_their_size_not_a_limit(workdir, capsys):
    """2 MiB of short lines that never end a sentence, the most an input may hold. normalize
    joins them as one hard-wrapped paragraph, re-reading the paragraph so far at each line;
    unbounded, that grew faster than the square of the lines (72 s for 20,000) and the time
    limit stopped it. A joined paragraph now stops at MAX_JOINED_CHARACTERS, so the file
    fails for the reason an operator should hear: it holds far more than one leaflet."""
    data = (b"Summary\n" + b"word word word word\n" * 110_000)[: 2 * 1024 * 1024]
    (workdir / "input" / "pathological.txt").write_bytes(data)
    code = cli.run(["extract", "-j", "2", "--time-limit", "30"])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    assert re.fullmatch(
        r"input/pathological.txt: error: its YAML would be 2,2\d\d,\d{3} bytes, over the 1,048,576-byte limit "
        r"for a leaflet YAML \(more than one procedure\?\)\n.*\n",
        err,
    ), err
    assert _statuses(workdir) == {f"input/{path.name}": "built" for path in GOOD} | {"input/pathological.txt": "failed"}
    assert not (workdir / "output" / "yaml" / "pathological.yaml").exists()


def test_thousands_of_lowercase_label_lines_make_a_leaflet_that_keeps_them_all(workdir, capsys):
    """300 KB of "a: b" lines: joined into one paragraph, each prefix of which normalize kept
    in a cache, they took gigabytes until the worker's memory limit stopped them."""
    (workdir / "input" / "pathological.txt").write_bytes(b"Summary\n" + b"a: b\n" * 60_000)
    code = cli.run(["extract", "-j", "2", "--time-limit", "30"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert _statuses(workdir) == {f"input/{path.name}": "built" for path in [*GOOD, Path("pathological.txt")]}
    yaml_text = (workdir / "output" / "yaml" / "pathological.yaml").read_text("utf-8")
    assert not missing_words("a: b\n" * 60_000, yaml_text)
    leaflet = load_leaflet(yaml_text)
    texts = [item.text for block in leaflet.sections["summary"] for item in block.items]
    assert texts and max(len(text) for text in texts) <= MAX_JOINED_CHARACTERS + len(" a: b")
