"""Which URL the preview answers, and the ones it refuses (pipeline.preview.paths)."""

from __future__ import annotations

import pytest

from pipeline.preview.paths import (
    ASSET,
    EVENTS,
    LIST,
    MISSING,
    PAGE,
    PDF,
    REVIEW,
    STATIC,
    STATIC_FILES,
    WORKBENCH,
    Refused,
    Route,
    host_allowed,
    route,
)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/", Route(LIST)),
        ("/index.html", Route(LIST)),
        ("/preview/000_abc", Route(WORKBENCH, "000_abc")),
        ("/preview/with%20space", Route(WORKBENCH, "with space")),
        ("/preview/000_abc#alternatives", Route(WORKBENCH, "000_abc")),
        ("/review", Route(REVIEW)),
        ("/review/", Route(REVIEW)),
        ("/review?filter=errors", Route(REVIEW)),
        ("/review/000_abc", Route(MISSING)),
        ("/review.html", Route(MISSING)),
        ("/html/000_abc.html", Route(PAGE, "000_abc")),
        ("/html/000_abc.html?v=3", Route(PAGE, "000_abc")),
        ("/pdf/000_abc.pdf", Route(PDF, "000_abc")),
        ("/html/assets/fonts/AtkinsonHyperlegible-Regular.ttf", Route(ASSET, "assets/fonts/AtkinsonHyperlegible-Regular.ttf")),
        ("/html/assets/logo.svg#top", Route(ASSET, "assets/logo.svg")),
        ("/events", Route(EVENTS)),
        ("/events/000_abc", Route(EVENTS, "000_abc")),
        ("/static/preview.js", Route(STATIC, "preview.js")),
        ("/static/other.js", Route(MISSING)),
        ("/static/review-filter.js", Route(STATIC, "review-filter.js")),
        ("/html/assets/review-filter.js", Route(ASSET, "assets/review-filter.js")),  # the styles' assets: never a script
        ("/yaml/000_abc.yaml", Route(MISSING)),
        ("/review-log.jsonl", Route(MISSING)),
        ("/html/.html", Route(MISSING)),
        ("/html/assets/", Route(MISSING)),
    ],
)
def test_routes(target: str, expected: Route) -> None:
    assert route(target) == expected


@pytest.mark.parametrize(
    "target",
    [
        "/../etc/passwd",
        "/html/../yaml/x.yaml",
        "/html/assets/../../../etc/passwd",
        "/html/assets/fonts/../../../review-log.jsonl",
        "/%2e%2e/etc/passwd",
        "/%2E%2E/%2e%2e/etc/passwd",
        "/html/assets/%2e%2e/%2e%2e/etc/passwd",
        "/html/..%2f..%2fetc/passwd",
        "/html/assets/..%2F..%2Fetc%2Fpasswd",
        "/html/assets/%252e%252e/%252e%252e/etc/passwd",  # encoded twice
        "/html/assets/%25252e%25252e/etc/passwd",  # three times
        "/html/assets/.%2e/x",
        "/./index.html",
        "//etc/passwd",
        "/html//etc/passwd",
        "/html/assets/..\\..\\etc\\passwd",
        "/html/assets/%5c..%5cetc",
        "/html/assets/x%00.svg",
        "/html/assets/x%0a.svg",
        "/html/assets/%ff%fe",
        "etc/passwd",
        "http://127.0.0.1:8000/etc/passwd",
        "*",
    ],
)
def test_paths_that_could_lead_outside_are_refused(target: str) -> None:
    with pytest.raises(Refused):
        route(target)


def test_each_static_file_comes_with_the_package() -> None:
    """Every name /static/ answers to is a file of the package, never one of the styles folders."""
    from pipeline.preview import pages

    assert set(pages.STATIC) == set(STATIC_FILES)
    for name in STATIC_FILES:
        data, content_type = pages.static_file(name)
        assert data and content_type.startswith("text/javascript" if name.endswith(".js") else "text/css"), name
        assert "styles" not in pages.STATIC[name][0].parts, name


def test_a_name_with_dots_inside_it_is_a_name() -> None:
    assert route("/html/assets/fonts/a..b.ttf") == Route(ASSET, "assets/fonts/a..b.ttf")


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1:8123", True),
        ("localhost:8123", True),
        ("LOCALHOST:8123", True),
        ("[::1]:8123", True),
        ("127.0.0.1:9999", False),
        ("attacker.example:8123", False),  # DNS rebinding: a name of theirs pointed at this machine
        ("127.0.0.1", False),
        (None, False),
    ],
)
def test_only_its_own_host_names_on_loopback(host: str | None, allowed: bool) -> None:
    assert host_allowed(host, 8123, bound_to_loopback=True) is allowed


def test_any_host_name_when_bound_to_the_network() -> None:
    assert host_allowed("preview.example:8123", 8123, bound_to_loopback=False)
