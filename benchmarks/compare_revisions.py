"""Per-leaflet render time of this checkout against an older git revision, side by side.

Checks REV out into a temporary git worktree, then runs ``benchmarks.bench_render``
(one repetition over the same leaflets: the samples and a generated corpus) in
each checkout in turn, alternating which goes first, for several rounds. Both
sides run in fresh processes on the same machine with the same arguments, so
their ratio means something on a busy machine: it is the figure to quote. Each
round's figure is that run's median time per leaflet for the pipeline
(``Renderer.render``: the HTML page and the PDF); the report gives the median
over rounds for each side, their ratio, and the load average.

    python -m benchmarks.compare_revisions REV [--rounds 5] [--corpus 30] [--large-print] [--page-size letter]

REV must have ``benchmarks/bench_render.py`` printing its
``median per leaflet: pipeline N ms`` line (every revision since the
benchmark was written does).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEDIAN = re.compile(r"median per leaflet: pipeline (\d+) ms, bare WeasyPrint (\d+) ms")


def run_bench(checkout: Path, bench_args: list[str]) -> tuple[float, float]:
    """(pipeline, bare) median milliseconds per leaflet of one bench_render run in ``checkout``."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_render", "--repeat", "1", *bench_args],
        cwd=checkout, env=env, capture_output=True, text=True, check=True,
    )
    found = MEDIAN.search(done.stdout)
    if found is None:
        raise SystemExit(f"no median line in the output of {checkout}:\n{done.stdout[-2000:]}")
    return float(found[1]), float(found[2])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compare_revisions", description=__doc__.split("\n\n")[0])
    parser.add_argument("revision", metavar="REV", help="the older git revision (a commit, tag or branch)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (default: 5)")
    parser.add_argument("--corpus", type=int, default=30, help="generated leaflets beside the samples (default: 30)")
    parser.add_argument("--page-size", default="a4", choices=("a4", "letter"))
    parser.add_argument("--large-print", action="store_true")
    args = parser.parse_args(argv)
    bench_args = ["--corpus", str(args.corpus), "--page-size", args.page_size] + (["--large-print"] if args.large_print else [])

    with tempfile.TemporaryDirectory(prefix="leaflets-rev-") as scratch:
        older = Path(scratch) / "older"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(older), args.revision], cwd=ROOT, check=True)
        try:
            sides = {"this checkout": ROOT, args.revision: older}
            figures: dict[str, list[float]] = {name: [] for name in sides}
            bare: dict[str, list[float]] = {name: [] for name in sides}
            print(f"load average before: {os.getloadavg()[0]:.2f}; {os.cpu_count()} CPUs; bench_render {' '.join(bench_args)}")
            for round_number in range(1, args.rounds + 1):
                order = list(sides.items()) if round_number % 2 else list(reversed(sides.items()))
                for name, checkout in order:
                    pipeline_ms, bare_ms = run_bench(checkout, bench_args)
                    figures[name].append(pipeline_ms)
                    bare[name].append(bare_ms)
                print(f"  round {round_number}: " + ", ".join(f"{name} {figures[name][-1]:.0f} ms" for name in sides))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(older)], cwd=ROOT, check=False)
    new, old = statistics.median(figures["this checkout"]), statistics.median(figures[args.revision])
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(
        f"median per leaflet over {args.rounds} rounds: this checkout {new:.0f} ms, {args.revision} {old:.0f} ms; "
        f"ratio {new / old:.2f} (bare WeasyPrint on each side's own page: "
        f"{statistics.median(bare['this checkout']):.0f} ms and {statistics.median(bare[args.revision]):.0f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
