"""Per-leaflet render time (HTML page + PDF) in a warm process, beside bare WeasyPrint.

The leaflets are extracted in memory from the sample set (``input/*.txt``)
plus a generated corpus (``--corpus N``, default 30; see
``tests/support/corpus.py``). One :class:`pipeline.render.Renderer` is built
(its setup is timed on its own, like a batch worker's start) and warmed up by
rendering every leaflet once. Then each repetition, for every leaflet, times
side by side in this one process:

- pipeline: ``Renderer.render(leaflet)``, the HTML page and the PDF;
- bare: WeasyPrint doing the same PDF work as a careful script would: the same
  print HTML, the stylesheet parsed once and one font configuration reused,
  the same PDF options (``benchmarks.bench_batch.same_work_pdf``).

The two alternate which goes first. Nothing is written to disk in the timed
part. The figures to quote are the medians over all leaflets and repetitions
of the time for one leaflet, and their ratio (issue 4: at most 1.2). CPU
time is shown beside wall-clock time because it is steadier on a busy
machine; the load average is printed for the same reason.

    python -m benchmarks.bench_render [--repeat 5] [--corpus N] [--page-size letter] [--large-print] [--styles DIR]
    python -m benchmarks.bench_render --profile   # where the pipeline's time goes

``--styles DIR`` times a styles folder searched before the built-in one, e.g.
a ``leaflet.css`` from an older commit, to compare stylesheets in one setup.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import io
import os
import pstats
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from weasyprint.text.ffi import harfbuzz_subset

from benchmarks.bench_batch import same_work_pdf
from pipeline.extract import extract
from pipeline.model import Leaflet
from pipeline.normalize import normalize
from pipeline.render import Renderer, RenderOptions

SAMPLES = Path(__file__).resolve().parent.parent / "input"


def leaflet_from(name: str, data: bytes) -> Leaflet:
    stem = name.rsplit(".", 1)[0]
    sha256 = hashlib.sha256(data).hexdigest()
    return extract(normalize(data), doc_id=stem, source_path=f"input/{name}", sha256=sha256)


def sample_leaflets() -> list[Leaflet]:
    return [leaflet_from(path.name, path.read_bytes()) for path in sorted(SAMPLES.glob("*.txt"))]


def corpus_leaflets(count: int, seed: int) -> list[Leaflet]:
    from tests.support.corpus import generate

    return [leaflet_from(name, data) for name, data in generate(count, seed)]


@dataclass
class Timings:
    """Wall-clock and CPU seconds of one way of rendering, one entry per leaflet and repetition."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def add(self, wall: float, cpu: float) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)


def timed(call):
    """``call()``'s result, wall-clock seconds and CPU seconds."""
    cpu, start = time.process_time(), time.perf_counter()
    result = call()
    return result, time.perf_counter() - start, time.process_time() - cpu


def bare_pdf(print_html: str, writer) -> bytes:  # noqa: ANN001 - a pipeline.render.pdf.PdfWriter
    return same_work_pdf(print_html, writer)


def summary(label: str, seconds: Sequence[float]) -> str:
    ordered = sorted(seconds)
    return (
        f"  {label:<22} median {statistics.median(ordered) * 1e3:7.1f} ms"
        f"  (min {ordered[0] * 1e3:.1f}, max {ordered[-1] * 1e3:.1f}, n={len(ordered)})"
    )


def load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_render", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions over the leaflets (default: 5)")
    parser.add_argument(
        "--corpus", type=int, default=30, metavar="N", help="generated leaflets beside the 2 samples (default: 30; 0 for none)"
    )
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default: 0)")
    parser.add_argument("--page-size", default="a4", choices=("a4", "letter"))
    parser.add_argument("--large-print", action="store_true")
    parser.add_argument("--styles", type=Path, metavar="DIR", help="styles folder searched before the built-in one")
    parser.add_argument("--profile", action="store_true", help="also profile one pass of the pipeline with cProfile")
    parser.add_argument("--top", type=int, default=25, help="functions to list when profiling (default: 25)")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.corpus < 0:
        parser.error("--repeat must be at least 1 and --corpus at least 0")

    leaflets = sample_leaflets() + (corpus_leaflets(args.corpus, args.seed) if args.corpus else [])
    print(
        f"leaflets: {len(leaflets)} (the samples and {args.corpus} generated, seed {args.seed}); "
        f"page size {args.page_size}{', large print' if args.large_print else ''}"
        f"{f'; styles {args.styles}' if args.styles else ''}"
    )
    subsetter = "HarfBuzz" if harfbuzz_subset else "fontTools (install libharfbuzz-subset0: about 3x faster)"
    print(f"font subsetting: {subsetter}; load average before: {load_average()}; {os.cpu_count()} CPUs")

    started = time.perf_counter()
    renderer = Renderer(RenderOptions(styles=args.styles, page_size=args.page_size, large_print=args.large_print))
    renderer.pdf_writer()  # fonts and print CSS, made on first use
    setup = time.perf_counter() - started
    writer = renderer.pdf_writer()
    pages: dict[str, str] = {}
    for leaflet in leaflets:  # warm-up: caches, fonts, lazily loaded code
        renderer.render(leaflet)
        pages[leaflet.id] = renderer.render_html(leaflet, embed_css=False)  # the print HTML the PDF is made from
        bare_pdf(pages[leaflet.id], writer)

    pipeline, bare = Timings(), Timings()
    ratios: list[float] = []
    sizes: list[int] = []
    for repetition in range(1, args.repeat + 1):
        gc.collect()
        round_pipeline, round_bare = [], []
        for index, leaflet in enumerate(leaflets):
            runs = [("pipeline", lambda: renderer.render(leaflet)), ("bare", lambda: bare_pdf(pages[leaflet.id], writer))]
            if (index + repetition) % 2:
                runs.reverse()
            seconds = {}
            for name, call in runs:
                result, wall, cpu = timed(call)
                (pipeline if name == "pipeline" else bare).add(wall, cpu)
                seconds[name] = wall
                if name == "pipeline":
                    sizes.append(len(result.pdf))
            round_pipeline.append(seconds["pipeline"])
            round_bare.append(seconds["bare"])
            ratios.append(seconds["pipeline"] / seconds["bare"])
        print(
            f"  repetition {repetition}: pipeline {statistics.median(round_pipeline) * 1e3:.1f} ms, "
            f"bare {statistics.median(round_bare) * 1e3:.1f} ms per leaflet (median)"
        )

    pipeline_median, bare_median = statistics.median(pipeline.wall), statistics.median(bare.wall)
    print()
    print(f"renderer setup (Jinja2, theme, fonts, print CSS): {setup * 1e3:.0f} ms, once per process")
    print("per leaflet, warm process, side by side:")
    print(summary("pipeline (HTML + PDF)", pipeline.wall))
    print(summary("bare write_pdf", bare.wall))
    print(summary("pipeline, CPU time", pipeline.cpu))
    print(summary("bare, CPU time", bare.cpu))
    print(f"  PDF size: median {statistics.median(sizes) / 1024:.0f} KiB")
    print(f"load average after: {load_average()}")
    print(
        f"median per leaflet: pipeline {pipeline_median * 1e3:.0f} ms, bare WeasyPrint {bare_median * 1e3:.0f} ms, "
        f"ratio {pipeline_median / bare_median:.2f} (CPU time: "
        f"{statistics.median(pipeline.cpu) / statistics.median(bare.cpu):.2f}; "
        f"median of per-leaflet ratios {statistics.median(ratios):.2f})"
    )

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for leaflet in leaflets:
            renderer.render(leaflet)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
