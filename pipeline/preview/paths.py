"""Which URL names what, and which are refused. Pure.

The preview serves a fixed set of things, each named by a route, never by a
file path: the list of leaflets, one leaflet's workbench page, its page as
rendered, its PDF, the review dashboard of them all, the assets of the styles folders (looked up by
:meth:`pipeline.render.StylesFolders.assets`, which keeps to the folders), the
update streams and the preview's own script and stylesheet. A URL is decoded
once, and refused when it could lead anywhere else: a ``.`` or ``..`` part,
also written ``%2e%2e`` or encoded twice, an empty part (``//etc``), a
backslash, a NUL or other control character, anything but a path from ``/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

LIST, WORKBENCH, REVIEW, PAGE, PDF, ASSET, EVENTS, STATIC, MISSING = (
    "list", "workbench", "review", "page", "pdf", "asset", "events", "static", "missing",
)
STATIC_FILES = ("preview.js", "preview.css", "review-filter.js")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ENCODED_AGAIN = re.compile(r"%(2e|2f|5c|25)", re.IGNORECASE)  # '.', '/', '\' or '%' still encoded after one decoding
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


class Refused(ValueError):
    """A URL that could name something outside what the preview serves; the message says why."""


@dataclass(frozen=True)
class Route:
    """What a URL asks for: ``kind`` (one of the names above) and, for a leaflet, its id
    (``""`` for the list's stream); for an asset, its path under the styles folders (``assets/...``)."""

    kind: str
    name: str = ""


def route(target: str) -> Route:
    """The route of a request's target (``/html/x.html?v=3``); :class:`Refused` for a path that could
    lead outside, ``Route(MISSING)`` for one that names nothing."""
    if not target.startswith("/") or target.startswith("//"):
        raise Refused("not a path from /")
    path = target.split("#", 1)[0].split("?", 1)[0]
    if "\\" in path or "%5c" in path.lower():
        raise Refused("a backslash in the path")
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        raise Refused("not UTF-8 once decoded") from None
    if _CONTROL.search(decoded):
        raise Refused("a control character in the path")
    if _ENCODED_AGAIN.search(decoded):
        raise Refused("a path encoded twice")
    parts = decoded.split("/")[1:]
    if parts[-1:] == [""]:
        parts = parts[:-1]  # "/" and "/events/": the trailing slash names nothing more
    if any(part in ("", ".", "..") for part in parts):
        raise Refused("an empty, '.' or '..' part in the path")
    return _dispatch(parts)


def _dispatch(parts: list[str]) -> Route:
    match parts:
        case [] | ["index.html"]:
            return Route(LIST)
        case ["preview", doc_id]:
            return Route(WORKBENCH, doc_id)
        case ["review"]:
            return Route(REVIEW)
        case ["html", "assets", *rest] if rest:
            return Route(ASSET, "/".join(["assets", *rest]))
        case ["html", name] if name.endswith(".html") and len(name) > len(".html"):
            return Route(PAGE, name.removesuffix(".html"))
        case ["pdf", name] if name.endswith(".pdf") and len(name) > len(".pdf"):
            return Route(PDF, name.removesuffix(".pdf"))
        case ["events"]:
            return Route(EVENTS)
        case ["events", doc_id]:
            return Route(EVENTS, doc_id)
        case ["static", name] if name in STATIC_FILES:
            return Route(STATIC, name)
    return Route(MISSING)


def is_loopback(address: str) -> bool:
    return address in ("127.0.0.1", "::1", "localhost") or address.startswith("127.")


def host_allowed(host: str | None, port: int, bound_to_loopback: bool) -> bool:
    """Whether a request's ``Host`` header names this server. Bound to this machine only, the
    preview answers only to its own names, so a web page that makes a name of its own point
    at 127.0.0.1 (DNS rebinding) cannot read the leaflets through the browser."""
    if not bound_to_loopback:
        return True
    if host is None:
        return False
    return host.strip().lower() in {f"{name}:{port}" for name in LOOPBACK_NAMES}
