"""`leaflets preview` as a process: what it serves, what it refuses, how it stops (no browser)."""

from __future__ import annotations

import hashlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.preview import Preview, environment, raw_get, wait_until
from tests.support.rendering import pdftotext, squash

from .conftest import TESTS

pytestmark = pytest.mark.slow

GOOD = (TESTS / "golden" / "003_4a4ee41c62ba9be6" / "expected.yaml").read_text("utf-8")
TITLE = "Dilation of Anal Sphincter"
SECRET = "Words From Outside The Folders"


def snapshot(folder: Path) -> dict[str, str]:
    found = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            found[str(path.relative_to(folder))] = (
                os.readlink(path) if path.is_symlink() else hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "/"
            )
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    """An output folder with one leaflet and links leading out of it, a preview serving it."""
    root = tmp_path_factory.mktemp("preview-server")
    out = root / "out"
    (out / "yaml").mkdir(parents=True)
    (out / "html" / "assets").mkdir(parents=True)
    (out / "yaml" / "anal.yaml").write_text(GOOD, "utf-8")
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(GOOD.replace(TITLE, SECRET), "utf-8")
    (outside / "secret.txt").write_text(SECRET, "utf-8")
    (out / "yaml" / "secret.yaml").symlink_to(outside / "secret.yaml")
    (out / "html" / "assets" / "secret.txt").symlink_to(outside / "secret.txt")
    (out / "html" / "assets" / "passwd").symlink_to("/etc/passwd")
    (out / "html" / "leaflet.html").symlink_to(outside / "secret.txt")
    before = snapshot(out)
    with Preview("-o", "out", cwd=root) as preview:
        yield preview, root, out
        rc, _, err = preview.stop()
    assert rc == 0, err
    assert snapshot(out) == before  # nothing written, nothing logged, in all the module's tests


REFUSED = [
    "/../out/yaml/anal.yaml",
    "/html/../yaml/anal.yaml",
    "/html/assets/../../yaml/anal.yaml",
    "/html/assets/../../../outside/secret.txt",
    "/%2e%2e/outside/secret.txt",
    "/html/assets/%2e%2e/%2e%2e/%2e%2e/outside/secret.txt",
    "/html/assets/%2E%2E%2F%2E%2E%2F%2E%2E%2Foutside%2Fsecret.txt",
    "/html/assets/%252e%252e/%252e%252e/%252e%252e/outside/secret.txt",
    "/html/assets/..%5c..%5c..%5coutside%5csecret.txt",
    "/html/assets/..\\..\\..\\outside\\secret.txt",
    "//etc/passwd",
    "/html/assets//etc/passwd",
    "/html/assets/%2fetc%2fpasswd",
    "http://127.0.0.1/etc/passwd",
    "/html/assets/secret.txt%00.svg",
]


@pytest.mark.parametrize("target", REFUSED)
def test_paths_that_could_lead_outside_are_refused(site, target: str):
    preview = site[0]
    status, _, body = raw_get(preview.port, target)
    assert status == 403, (target, status, body)
    assert body.startswith(b"refused: ") and SECRET.encode() not in body and b"root:" not in body


@pytest.mark.parametrize(
    "target",
    [
        "/etc/passwd", "/outside/secret.txt", "/yaml/anal.yaml", "/yaml/secret.yaml", "/review-log.jsonl",
        "/html/assets/secret.txt", "/html/assets/passwd", "/html/leaflet.html", "/html/assets/theme.yaml",
        "/html/missing.html", "/static/leaflet.css",
    ],
)
def test_files_outside_the_styles_assets_and_the_leaflets_are_not_served(site, target: str):
    preview = site[0]
    status, _, body = raw_get(preview.port, target)
    assert status == 404, (target, status, body)
    assert SECRET.encode() not in body and b"root:" not in body


def test_a_link_in_the_yaml_folder_leading_outside_is_shown_as_refused_never_read(site):
    preview = site[0]
    status, _, body = raw_get(preview.port, "/preview/secret")
    assert status == 200 and b"is a link to a file outside" in body and SECRET.encode() not in body
    for target in ("/html/secret.html", "/pdf/secret.pdf"):
        status, _, body = raw_get(preview.port, target)
        assert status == 409 and SECRET.encode() not in body, (target, status)


def test_a_web_page_naming_this_machine_by_another_name_is_refused(site):
    preview = site[0]
    status, _, body = raw_get(preview.port, "/html/anal.html", host=f"rebound.example:{preview.port}")
    assert status == 403 and TITLE.encode() not in body
    assert raw_get(preview.port, "/html/anal.html", host=f"localhost:{preview.port}")[0] == 200


def test_only_get_and_head(site):
    preview = site[0]
    assert raw_get(preview.port, "/", method="POST")[0] == 501
    status, headers, body = raw_get(preview.port, "/html/anal.html", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 1000


def test_the_pages_and_their_policies(site):
    preview = site[0]
    status, headers, body = raw_get(preview.port, "/")
    assert status == 200 and TITLE.encode() in body and b'href="/preview/anal"' in body
    assert "script-src 'self'" in headers["content-security-policy"] and "unsafe-inline" not in headers["content-security-policy"]
    status, headers, body = raw_get(preview.port, "/preview/anal")
    assert status == 200 and b'src="/html/anal.html"' in body and b"<script>" not in body
    assert b'<script src="/static/preview.js" defer></script>' in body
    status, headers, body = raw_get(preview.port, "/html/anal.html")
    assert status == 200 and TITLE.encode() in body and headers["content-security-policy"] == "frame-ancestors 'self'"
    assert b'http-equiv="Content-Security-Policy"' in body  # the page's own policy, as built
    status, headers, body = raw_get(preview.port, "/static/preview.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript") and b"EventSource" in body
    status, headers, body = raw_get(preview.port, "/html/assets/fonts/AtkinsonHyperlegible-Regular.ttf")
    assert status == 200 and headers["content-type"] == "font/ttf" and len(body) > 10_000


def test_the_review_page_links_into_the_preview_under_its_own_policy(site):
    preview = site[0]
    status, _, body = raw_get(preview.port, "/")
    assert b'href="/review"' in body
    status, headers, body = raw_get(preview.port, "/review")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    policy = headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "connect-src" not in policy
    assert b'<a href="/preview/anal#alternatives" data-leaflet="anal"' in body and TITLE.encode() in body
    assert b'<script src="/static/review-filter.js"></script>' in body
    assert b"is a link to a file outside" in body and SECRET.encode() not in body  # the link in yaml/ is never read
    status, headers, body = raw_get(preview.port, "/static/review-filter.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript") and b"data-filter" in body


def test_the_pdf_is_one_click_away_and_follows_an_edit(site):
    preview, root, out = site
    started = time.monotonic()
    status, headers, pdf = raw_get(preview.port, "/pdf/anal.pdf")
    first_click = time.monotonic() - started
    assert status == 200 and headers["content-type"] == "application/pdf" and pdf.startswith(b"%PDF")
    (root / "anal.pdf").write_bytes(pdf)
    assert squash(TITLE) in squash(pdftotext(root / "anal.pdf"))
    assert first_click < 30  # a timing is the benchmark's business; this only catches a hang
    yaml = out / "yaml" / "anal.yaml"
    try:
        yaml.write_text(GOOD.replace(f"title: {TITLE}", "title: Stretching the Anal Muscle"), "utf-8")
        wait_until(lambda: b"Stretching the Anal Muscle" in raw_get(preview.port, "/html/anal.html")[2])
        status, _, pdf = raw_get(preview.port, "/pdf/anal.pdf")
        (root / "edited.pdf").write_bytes(pdf)
        assert status == 200 and "StretchingtheAnalMuscle" in squash(pdftotext(root / "edited.pdf"))
    finally:
        yaml.write_text(GOOD, "utf-8")
        wait_until(lambda: TITLE.encode() in raw_get(preview.port, "/html/anal.html")[2])


def test_the_update_stream_says_when_a_save_changes_the_page(site):
    preview, _, out = site
    connection = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=10)
    connection.request("GET", "/events/anal")
    response = connection.getresponse()
    assert response.status == 200 and response.getheader("Content-Type").startswith("text/event-stream")

    def next_data() -> str:
        while True:
            line = response.fp.readline().decode()
            if line.startswith("data: "):
                return line[6:].strip()

    first = next_data()
    yaml = out / "yaml" / "anal.yaml"
    try:
        yaml.write_text(GOOD.replace("status: draft", "status: done"), "utf-8")
        assert next_data() != first
        body = raw_get(preview.port, "/preview/anal")[2]
        assert b"review/status: expected one of draft, reviewed, approved, got &#39;done&#39;" in body
        assert b'src="/html/anal.html"' in body  # the last good page stays
    finally:
        yaml.write_text(GOOD, "utf-8")
        connection.close()
    wait_until(lambda: b"cannot be shown" not in raw_get(preview.port, "/preview/anal")[2])


def _output_folder(tmp_path: Path) -> Path:
    (tmp_path / "out" / "yaml").mkdir(parents=True)
    (tmp_path / "out" / "yaml" / "anal.yaml").write_text(GOOD, "utf-8")
    return tmp_path / "out"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_stops_it_cleanly_with_its_worker(tmp_path: Path, sig: int):
    _output_folder(tmp_path)
    preview = Preview("-o", "out", cwd=tmp_path)
    assert raw_get(preview.port, "/pdf/anal.pdf")[0] == 200  # the worker has made a PDF
    workers = preview.children()
    assert workers
    stream = socket.create_connection(("127.0.0.1", preview.port))  # an open update stream does not hold it up
    stream.sendall(f"GET /events/anal HTTP/1.0\r\nHost: 127.0.0.1:{preview.port}\r\n\r\n".encode())
    rc, out, err = preview.stop(sig)
    stream.close()
    assert rc == 0 and out.strip().endswith("leaflets preview: stopped"), (out, err)
    assert "Traceback" not in err
    wait_until(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers), timeout=5)


def test_a_port_in_use_is_said_in_one_line(tmp_path: Path):
    _output_folder(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "pipeline", "preview", "-o", "out", "--port", str(port)],
            cwd=tmp_path, env=environment(), capture_output=True, text=True, timeout=60, check=False,
        )
    assert done.returncode == 2
    assert done.stderr.strip() == f"leaflets: error: --port {port}: the port is in use; choose another, or leave --port out for a free one"


def test_no_yaml_folder_is_said_in_one_line(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "preview", "-o", "nowhere"],
        cwd=tmp_path, env=environment(), capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "leaflets: error: nowhere/yaml: no such folder; name YAML files to preview"


def test_a_chosen_port_is_used(tmp_path: Path):
    _output_folder(tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with Preview("-o", "out", "--port", str(port), cwd=tmp_path) as preview:
        assert preview.url == f"http://127.0.0.1:{port}/"
        assert raw_get(port, "/")[0] == 200
