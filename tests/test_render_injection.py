"""Hostile text in a leaflet stays text: escaped in the HTML, printed in the PDF, never fetched.

A canary HTTP server on loopback and a canary file record every attempt to
reach them while the leaflet is rendered (WeasyPrint) and opened (Chromium).
An audit hook also records any Python-level open() of the canary file and
any socket connection to the canary port.
"""

from __future__ import annotations

import dataclasses
import re
import sys
import threading
from pathlib import Path

import pytest

from pipeline.model import Block, Code, ExtraSection, Item
from pipeline.render.styles import RenderOptions, StylesFolders
from pipeline.run import commands as build
from pipeline.run.settings import Settings
from pipeline.yamlio import dump_leaflet
from tests.support.canary import CanaryServer
from tests.support.rendering import chromium, pdftotext, sample_ids, sample_leaflet

pytestmark = pytest.mark.slow  # processes, PDFs, a browser or many examples: CI runs it, the quick subset does not

_AUDIT: dict[str, object] = {"watch": None, "events": []}


def _audit_hook(state: dict[str, object]):
    """An audit hook recording touches of the canaries while ``state["watch"]`` is set."""

    def audit(event: str, args: tuple) -> None:
        watch = state["watch"]
        if watch is None:
            return
        canary_name, port = watch
        if event == "open" and args and canary_name in str(args[0]):
            state["events"].append((event, str(args[0])))
        elif event == "socket.connect" and len(args) > 1 and isinstance(args[1], tuple) and port in args[1]:
            state["events"].append((event, repr(args[1])))
        elif event == "urllib.Request":
            state["events"].append((event, str(args[0])))

    return audit


sys.addaudithook(_audit_hook(_AUDIT))  # hooks cannot be removed; it only records while a test watches


@pytest.fixture
def canary(tmp_path):
    server = CanaryServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    canary_file = tmp_path / "canary-secret.txt"
    canary_file.write_text("CANARY-FILE-CONTENT", "utf-8")
    _AUDIT["events"] = []
    _AUDIT["watch"] = (canary_file.name, server.server_address[1])
    try:
        yield server, canary_file
    finally:
        _AUDIT["watch"] = None
        server.shutdown()
        server.server_close()


def hostile_strings(port: int, canary_file: Path) -> list[str]:
    base = f"http://127.0.0.1:{port}"
    return [
        '<script>alert("pwned")</script>',
        f'<img src="{canary_file.as_uri()}" alt="x">',
        f'<img src="{base}/img.png" alt="x">',
        f'<link rel="stylesheet" href="{base}/link.css">',
        f'<iframe src="{canary_file.as_uri()}"></iframe>',
        f'<object data="{base}/object"></object>',
        f'<svg><image href="{base}/svg-image.png"/></svg>',
        f"</style><style>@import url({base}/import.css); body {{ background: url('{base}/bg.png') }}</style>",
        f'h1 {{ background-image: url("{canary_file.as_uri()}") }}',
        "{{ 7*7 }} {% include 'base.html' %} {# comment #}",
        f"See {base}/plain-url and {canary_file.as_uri()} for details.",
        '<a href="javascript:alert(1)">click</a>',
        "&lt;already escaped&gt; & ampersand",
    ]


def hostile_leaflet(strings: list[str]):
    leaflet = sample_leaflet(sample_ids()[0])
    paragraphs = tuple(Block("paragraph", text=text) for text in strings)
    items = tuple(Item(text, label=text if n % 2 else None) for n, text in enumerate(strings))
    sections = {key: () for key in leaflet.sections}
    sections["summary"] = paragraphs
    sections["risks"] = (Block("bullets", items=items),)
    sections["procedure"] = (Block("steps", items=items),)
    return dataclasses.replace(
        leaflet,
        title=strings[0] + " " + strings[2],
        code=Code(system="CPT4", descriptor=strings[7]),
        also_known_as=tuple(strings[1:4]),
        technical_term=strings[9],
        sections=sections,
        extra_sections=(ExtraSection(heading=strings[3], content=paragraphs[:3]),),
    )


def test_hostile_text_is_escaped_printed_and_never_fetched(canary, tmp_path):
    server, canary_file = canary
    strings = hostile_strings(server.server_address[1], canary_file)
    yaml_path = tmp_path / "yaml" / "hostile.yaml"
    yaml_path.parent.mkdir()
    yaml_path.write_text(dump_leaflet(hostile_leaflet(strings)), "utf-8")
    output = tmp_path / "output"

    report = build.run_render([yaml_path], Settings.load(output))

    assert [(result.status, result.render) for result in report.files] == [("built", "rendered")], report.files[0].error
    assert server.requests == []
    assert _AUDIT["events"] == []

    html = (output / "html" / "hostile.html").read_text("utf-8")
    body = html[html.index("</head>") :]
    for tag in ("<script", "<img", "<link", "<iframe", "<object", "<svg", "<style", "<a href=\"javascript"):
        assert tag not in body, tag
    assert html.count("<style>") == 1  # ours, in the head
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in body
    assert "{{ 7*7 }} {% include &#39;base.html&#39; %} {# comment #}" in body
    assert "&amp;lt;already escaped&amp;gt; &amp; ampersand" in body
    assert "CANARY-FILE-CONTENT" not in html

    pdf_text = pdftotext(output / "pdf" / "hostile.pdf")
    flat = " ".join(pdf_text.split())
    assert '<script>alert("pwned")</script>' in flat
    assert "{{ 7*7 }}" in flat
    assert "CANARY-FILE-CONTENT" not in pdf_text


def test_the_page_makes_no_request_in_a_browser(canary, tmp_path):
    server, canary_file = canary
    strings = hostile_strings(server.server_address[1], canary_file)
    yaml_path = tmp_path / "hostile.yaml"
    yaml_path.write_text(dump_leaflet(hostile_leaflet(strings)), "utf-8")
    output = tmp_path / "output"
    build.run_render([yaml_path], Settings.load(output))

    done = chromium((output / "html" / "hostile.html").as_uri(), "--window-size=800,600", "--virtual-time-budget=5000", "--dump-dom")

    assert "<main>" in done.stdout, done.stderr[-2000:]
    assert server.requests == []
    assert "CANARY-FILE-CONTENT" not in done.stdout
    assert not re.search(r"<script|<img|<iframe", done.stdout[done.stdout.index("<body") :])


def test_the_canaries_do_notice_a_fetch(canary):
    """Guards the tests above against passing vacuously: an unrestricted fetch is seen."""
    import weasyprint

    server, canary_file = canary
    port = server.server_address[1]
    weasyprint.HTML(string=f'<img src="http://127.0.0.1:{port}/probe.png" alt="x">').write_pdf()
    canary_file.read_text("utf-8")
    assert server.requests == ["/probe.png"]
    assert [event for event, _ in _AUDIT["events"]] == ["urllib.Request", "socket.connect", "open"]


# -- every field of the YAML, and the styles folder's links ----------------------

KEEP = {"schema_version", "status", "sha256", "reviewed_on", "next_review_due"}  # enum, pattern, dates
OPTIONAL_TEXT = {"system", "descriptor", "technical_term", "reviewer", "notes"}  # null in the sample


def _every_text_replaced(data: object, payload: str, key: str = "") -> object:
    """The leaflet's YAML data with every free-text value (lists included) replaced by ``payload``."""
    if isinstance(data, dict):
        return {
            name: value if name in KEEP else _every_text_replaced(value, payload, name) for name, value in data.items()
        }
    if isinstance(data, list):
        return [_every_text_replaced(value, payload, key) for value in data]
    if isinstance(data, str) or (data is None and key in OPTIONAL_TEXT):
        return f"{payload} ({key})"
    return data


def test_template_syntax_in_every_field_stays_text_on_every_page(canary, tmp_path):
    import yaml

    server, canary_file = canary
    port = server.server_address[1]
    payload = (
        "{{ 7*7*7*7*7*7 }} {% include 'base.html' %} {{ self.__init__.__globals__ }} {{ cycler.__init__ }} "
        f"{{% import '{canary_file}' as x %}} <img src=\"http://127.0.0.1:{port}/field.png\" alt=\"x\"> "
        f"url({canary_file.as_uri()})"
    )
    leaflet = sample_leaflet(sample_ids()[0])
    data = yaml.safe_load(dump_leaflet(leaflet))
    data["sections"]["risks"] = [{"bullets": [{"label": "Label", "text": "Text"}]}]
    data["sections"]["procedure"] = [{"steps": ["Step"]}]
    data["extra_sections"] = [{"heading": "Heading", "content": [{"paragraph": "Paragraph"}]}]
    data["source"]["removed"] = ["Removed line"]
    data["review"]["status"] = "approved"
    hostile = _every_text_replaced(data, payload)
    output = tmp_path / "output"
    (output / "yaml").mkdir(parents=True)
    (output / "yaml" / "fields.yaml").write_text(yaml.safe_dump(hostile, sort_keys=False, allow_unicode=True), "utf-8")

    report = build.run_render([], Settings.load(output))

    assert [(result.status, result.error) for result in report.files] == [("built", None)]
    assert server.requests == []
    assert _AUDIT["events"] == []
    pages = {name: (output / name).read_text("utf-8") for name in ("html/fields.html", "index.html", "review.html")}
    for name, page in pages.items():
        assert "117649" not in page, name  # 7**6: no expression was evaluated
        assert "CANARY-FILE-CONTENT" not in page, name
        assert "{{ 7*7*7*7*7*7 }}" in page, name
    body = pages["html/fields.html"][pages["html/fields.html"].index("</head>"):]
    for field in ("title", "technical_term", "text", "label", "heading", "paragraph", "id"):
        assert f"({field})" in body, field
    assert "(descriptor)" in pages["html/fields.html"]  # the page's description, in the head
    assert "(reviewer)" in pages["review.html"]
    assert "<img" not in body
    pdf_text = " ".join(pdftotext(output / "pdf" / "fields.pdf").split())
    assert "{{ 7*7*7*7*7*7 }}" in pdf_text and "117649" not in pdf_text


def test_links_in_a_styles_folder_never_lead_outside_it(canary, tmp_path, monkeypatch):
    """A --styles folder whose assets are links to a file and a folder elsewhere: neither is copied or served."""
    server, canary_file = canary
    styles = tmp_path / "my-styles"
    (styles / "assets").mkdir(parents=True)
    (styles / "assets" / "leak.txt").symlink_to(canary_file)
    (styles / "assets" / "outside").symlink_to(canary_file.parent, target_is_directory=True)
    (styles / "assets" / "logo.svg").symlink_to(canary_file)  # would replace the built-in logo if followed
    inputs = tmp_path / "input"
    inputs.mkdir()
    source = sorted(Path(__file__).resolve().parent.parent.joinpath("input").glob("*.txt"))[0]
    (inputs / source.name).write_bytes(source.read_bytes())
    monkeypatch.chdir(tmp_path)

    report = build.run_build([inputs], Settings.load(tmp_path / "output", render=RenderOptions(styles=styles)))

    assert [result.status for result in report.files] == ["built"]
    assets = tmp_path / "output" / "html" / "assets"
    assert sorted(path.relative_to(assets).as_posix() for path in assets.rglob("*") if path.is_file()) == sorted(
        [*(relative.removeprefix("assets/") for relative in StylesFolders().assets()), "review-filter.js"]  # the package's own
    )
    for path in (tmp_path / "output").rglob("*"):
        if path.is_file():
            assert b"CANARY-FILE-CONTENT" not in path.read_bytes(), path
    assert server.requests == []
    assert _AUDIT["events"] == []
