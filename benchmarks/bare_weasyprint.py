"""Bare WeasyPrint as a careful script would print a folder of pages: its own process that
loads nothing but WeasyPrint, parses the stylesheet once, makes one font configuration, and
prints the pages on N forked workers with the given PDF options. The baseline of
``bench_batch --only command``: timed as a whole process, as ``leaflets build`` is.

    python benchmarks/bare_weasyprint.py STYLESHEET BASE_URL OUT_DIR OPTIONS_JSON JOBS PAGE.html...
"""

from __future__ import annotations

import json
import multiprocessing
import sys
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

_SETUP: dict = {}


def _print(paths: tuple[str, str]) -> None:
    source, target = paths
    document = HTML(string=Path(source).read_text("utf-8"), base_url=_SETUP["base_url"])
    Path(target).write_bytes(
        document.write_pdf(stylesheets=[_SETUP["css"]], font_config=_SETUP["fonts"], **_SETUP["options"])
    )


def main(argv: list[str]) -> None:
    stylesheet, base_url, out, options, jobs, *pages = argv
    fonts = FontConfiguration()
    css = CSS(string=Path(stylesheet).read_text("utf-8"), base_url=base_url, font_config=fonts)
    _SETUP.update(base_url=base_url, css=css, fonts=fonts, options=json.loads(options))  # the workers inherit it
    Path(out).mkdir(parents=True, exist_ok=True)
    work = [(page, str(Path(out) / f"{Path(page).stem}.pdf")) for page in pages]
    with multiprocessing.get_context("fork").Pool(int(jobs)) as pool:
        pool.map(_print, work, chunksize=1)


if __name__ == "__main__":
    main(sys.argv[1:])
