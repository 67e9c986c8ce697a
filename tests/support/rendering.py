"""Shared helpers for the render, PDF, HTML, index and build-command tests.

The sample output (``leaflets build`` over ``input/``) is built once per test
process and shared. External tools (pdftotext, Chromium, axe-core) are
required on CI (``CI=true``: a missing tool fails the test) and optional
locally (the test is skipped).
"""

from __future__ import annotations

import atexit
import dataclasses
import datetime as dt
import functools
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from pipeline.model import Block, ExtraSection, Item, Leaflet, Review
from pipeline.run import commands as build
from pipeline.run.settings import Settings
from pipeline.yamlio import load_leaflet

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_INPUT = ROOT / "input"
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
DRAFT_MARK = "DRAFT - not clinically reviewed"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def require(available: bool, what: str) -> None:
    """Skip locally, fail on CI, when a tool the test needs is missing."""
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required on CI; run ./setup.sh")
    pytest.skip(f"{what} is not installed")


def _temporary_folder(prefix: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


@functools.cache
def sample_output() -> Path:
    """``leaflets build input/ -o OUTPUT`` run once; returns OUTPUT."""
    output = _temporary_folder("leaflets-render-") / "output"
    report = build.run_build([SAMPLE_INPUT], Settings.load(output))
    assert not report.failed, [result.error for result in report.failed]
    return output


def sample_ids() -> list[str]:
    return sorted(path.stem for path in SAMPLE_INPUT.glob("*.txt"))


def sample_leaflet(doc_id: str) -> Leaflet:
    return load_leaflet((sample_output() / "yaml" / f"{doc_id}.yaml").read_text("utf-8"))


def reviewed(leaflet: Leaflet) -> Leaflet:
    review = Review(
        status="approved",
        reviewer="Dr Example",
        reviewed_on=dt.date(2025, 3, 5),
        next_review_due=dt.date(2027, 3, 1),
        notes="internal note, never printed",
    )
    return dataclasses.replace(leaflet, review=review)


def rich_leaflet() -> Leaflet:
    """One of everything: mixed bullets, labelled steps, empty sections, extra sections."""
    base = sample_leaflet(sample_ids()[0])
    sections = {key: () for key in base.sections}
    sections["summary"] = (Block("paragraph", text="A short summary paragraph."),)
    sections["preparation"] = (
        Block(
            "bullets",
            items=(
                Item("Stop eating six hours before."),
                Item("Bring your medicines.", label=None),
                Item("Ask someone to drive you home.", label="Transport"),
                Item("Wear loose clothes.", label="Clothing"),
                Item("Leave jewellery at home."),
            ),
        ),
    )
    sections["procedure"] = (
        Block("paragraph", text="The team will explain each step."),
        Block("steps", items=(Item("You lie on your side."), Item("A numbing gel is applied.", label="Comfort"))),
    )
    sections["risks"] = (Block("paragraph", text="   "),)  # blank: the section is left out
    extras = (
        ExtraSection("Questions to ask", (Block("bullets", items=(Item("Will it hurt?"),)),)),
        ExtraSection("Empty extra", ()),
    )
    return dataclasses.replace(base, sections=sections, extra_sections=extras)


# -- PDF text ----------------------------------------------------------------


def pdftotext(pdf: Path, *args: str) -> str:
    require(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", *args, str(pdf), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def squash(text: str) -> str:
    """Text without any whitespace, to compare across line and page breaks."""
    return re.sub(r"\s+", "", text)


# -- Chromium ------------------------------------------------------------------

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def chromium_binary() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    require(False, "Chromium")
    raise AssertionError("unreachable")


def chromium(url: str, *flags: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    binary = chromium_binary()
    with tempfile.TemporaryDirectory(prefix="leaflets-chromium-") as profile:
        return subprocess.run(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *flags, url],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


RESULT_PATTERN = re.compile(r'<pre id="probe-result">(.*?)</pre>', re.S)

_REPORT = (
    "function (value) { var out = document.createElement('pre'); out.id = 'probe-result';"
    " out.textContent = JSON.stringify(value); document.body.appendChild(out); }"
)
_REPORT_ERROR = (
    "function (error) { var out = document.createElement('pre'); out.id = 'probe-result';"
    " out.textContent = JSON.stringify({error: String(error)}); document.body.appendChild(out); }"
)


def _dump_result(url: str, *flags: str) -> dict:
    done = chromium(url, *flags, "--virtual-time-budget=20000", "--dump-dom")
    match = RESULT_PATTERN.search(done.stdout)
    assert match, f"no result from Chromium (exit {done.returncode}): {done.stderr[-2000:]}"
    text = match.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    result = json.loads(text)
    assert "error" not in result, result
    return result


def probe_page(page: Path, script: str, width: int, height: int = 900) -> dict:
    """Open ``page`` untouched in a ``width`` x ``height`` frame in headless Chromium and run ``script``.

    ``script`` is the body of an async function that sees the page as ``win``
    and ``doc``; its return value comes back as JSON. The page keeps its
    Content-Security-Policy: the probe runs in the surrounding page.
    """
    wrapper = page.with_name(f".probe-{page.stem}.html")
    wrapper.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>probe</title></head><body style="margin:0">'
        f'<iframe id="page" title="page" src="{page.name}" style="width:{width}px;height:{height}px;border:0"></iframe>'
        "<script>document.getElementById('page').addEventListener('load', function () {"
        " var win = this.contentWindow, doc = win.document;"
        " (async function () {" + script + "})().then(" + _REPORT + ", " + _REPORT_ERROR + "); });</script>"
        "</body></html>",
        "utf-8",
    )
    try:
        return _dump_result(wrapper.as_uri(), "--allow-file-access-from-files", "--window-size=1400,1000")
    finally:
        wrapper.unlink(missing_ok=True)


def run_in_page(page: Path, script: str, extra_scripts: tuple[str, ...] = (), width: int = 1280) -> dict:
    """Run ``script`` inside a copy of ``page`` (beside its assets) at ``width`` px wide.

    The copy drops the page's Content-Security-Policy so scripts may run; the
    policy itself is tested on the untouched page.
    """
    html = page.read_text("utf-8")
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n?', "", html)
    tags = "".join(f'<script src="{name}"></script>' for name in extra_scripts)
    probe = "<script>(async function () {" + script + "})().then(" + _REPORT + ", " + _REPORT_ERROR + ");</script>"
    copy = page.with_name(f".probe-{page.stem}.html")
    copy.write_text(html.replace("</body>", tags + probe + "</body>"), "utf-8")
    try:
        return _dump_result(copy.as_uri(), f"--window-size={width},900")
    finally:
        copy.unlink(missing_ok=True)


AXE_PROBE = (
    "var result = await axe.run(document, {runOnly: {type: 'tag', values: %s}});"
    " return {violations: result.violations.map(function (v) {"
    " return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(function (n) { return n.html; })}; }),"
    " passes: result.passes.map(function (p) { return p.id; })};"
) % json.dumps(WCAG_TAGS)


def axe_violations(page: Path, width: int = 1280) -> tuple[list[dict], list[str]]:
    """axe-core's WCAG 2.2 A/AA violations for ``page`` laid out ``width`` px wide (and the ids
    of the rules that passed). The page is opened in a frame of that width: a headless
    window is never narrower than 500 px."""
    require(AXE_SCRIPT.is_file(), "axe-core (npm install axe-core)")
    local_axe = page.parent / ".axe.min.js"
    shutil.copyfile(AXE_SCRIPT, local_axe)
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n?', "", page.read_text("utf-8"))
    copy = page.with_name(f".axe-{page.stem}.html")
    copy.write_text(html.replace("</body>", f'<script src="{local_axe.name}"></script></body>'), "utf-8")
    try:
        result = probe_page(copy, "if (win.innerWidth !== %d) { throw new Error('frame is ' + win.innerWidth + ' px'); }"
                            % width + AXE_PROBE.replace("axe.run(document", "win.axe.run(doc"), width)
    finally:
        local_axe.unlink(missing_ok=True)
        copy.unlink(missing_ok=True)
    return result["violations"], result["passes"]
