"""Per-leaflet render time (HTML page + PDF) in a warm process.

The leaflets are extracted in memory from the sample set (``input/*.txt``),
or from a generated corpus with ``--corpus N`` (see ``benchmarks/corpus.py``).
One :class:`pipeline.render.Renderer` is built (its setup is timed on its
own, like a batch worker's start) and warmed up by rendering every leaflet
once; then each repetition renders every leaflet again. Nothing is written
to disk in the timed part. The figure to quote is the median over all
leaflets and repetitions of the time for one leaflet's HTML page and PDF.

    python -m benchmarks.bench_render [--repeat 5] [--corpus N] [--page-size letter] [--large-print]
    python -m benchmarks.bench_render --profile   # where the time goes
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import io
import pstats
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from weasyprint.text.ffi import harfbuzz_subset

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
    from .corpus import generate

    return [leaflet_from(name, data) for name, data in generate(count, seed)]


def time_leaflet(renderer: Renderer, leaflet: Leaflet) -> tuple[float, float, float, int]:
    """Wall-clock seconds for the HTML page and for the PDF, CPU seconds for both, and PDF bytes.

    Done the way ``Renderer.render`` does it. CPU time is steadier than
    wall-clock time on a busy machine.
    """
    clock = time.perf_counter
    cpu = time.process_time()
    start = clock()
    renderer.render_html(leaflet)
    after_html = clock()
    pdf = renderer.html_to_pdf(renderer.render_html(leaflet, embed_css=False))
    end = clock()
    return after_html - start, end - after_html, time.process_time() - cpu, len(pdf)


def summary(label: str, seconds: Sequence[float]) -> str:
    ordered = sorted(seconds)
    return (
        f"  {label:<14} median {statistics.median(ordered) * 1e3:7.1f} ms"
        f"  (min {ordered[0] * 1e3:.1f}, max {ordered[-1] * 1e3:.1f}, n={len(ordered)})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_render", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions over the leaflets (default: 5)")
    parser.add_argument("--corpus", type=int, metavar="N", help="render N generated leaflets instead of the sample set")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default: 0)")
    parser.add_argument("--page-size", default="a4", choices=("a4", "letter"))
    parser.add_argument("--large-print", action="store_true")
    parser.add_argument("--profile", action="store_true", help="also profile one pass with cProfile")
    parser.add_argument("--top", type=int, default=25, help="functions to list when profiling (default: 25)")
    args = parser.parse_args(argv)
    if args.repeat < 1 or (args.corpus is not None and args.corpus < 1):
        parser.error("--repeat and --corpus must be at least 1")

    leaflets = corpus_leaflets(args.corpus, args.seed) if args.corpus else sample_leaflets()
    if args.corpus:
        source = f"generated corpus of {len(leaflets)} (seed {args.seed})"
    else:
        source = f"sample set ({len(leaflets)} leaflets)"
    print(f"leaflets: {source}; page size {args.page_size}{', large print' if args.large_print else ''}")
    subsetter = "HarfBuzz" if harfbuzz_subset else "fontTools (install libharfbuzz-subset0: about 3x faster)"
    print(f"font subsetting: {subsetter}")

    started = time.perf_counter()
    renderer = Renderer(RenderOptions(page_size=args.page_size, large_print=args.large_print))
    setup = time.perf_counter() - started
    for leaflet in leaflets:  # warm-up: caches, fonts, lazily loaded code
        renderer.render(leaflet)

    html_times: list[float] = []
    pdf_times: list[float] = []
    totals: list[float] = []
    cpu_times: list[float] = []
    sizes: list[int] = []
    for repetition in range(1, args.repeat + 1):
        gc.collect()
        round_totals = []
        for leaflet in leaflets:
            html_seconds, pdf_seconds, cpu_seconds, size = time_leaflet(renderer, leaflet)
            cpu_times.append(cpu_seconds)
            html_times.append(html_seconds)
            pdf_times.append(pdf_seconds)
            totals.append(html_seconds + pdf_seconds)
            round_totals.append(html_seconds + pdf_seconds)
            sizes.append(size)
        print(f"  repetition {repetition}: median {statistics.median(round_totals) * 1e3:.1f} ms per leaflet")

    print()
    print(f"renderer setup (Jinja2, theme, fonts, print CSS): {setup * 1e3:.0f} ms, once per process")
    print("per leaflet, warm process:")
    print(summary("HTML page", html_times))
    print(summary("PDF", pdf_times))
    print(summary("HTML + PDF", totals))
    print(summary("CPU time", cpu_times))
    print(f"  PDF size: median {statistics.median(sizes) / 1024:.0f} KiB")
    print(f"median render time per leaflet (HTML + PDF): {statistics.median(totals) * 1e3:.0f} ms")

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
