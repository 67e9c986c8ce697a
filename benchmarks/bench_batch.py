"""The batch engine measured as an operator meets it (issue 4), in one run.

Every figure is taken side by side in the same run, on a generated corpus
(``tests/support/corpus.py``), each build a fresh ``leaflets`` process:

throughput   ``leaflets build`` of N leaflets (YAML + HTML + PDF) with 1 job
             and with 2 jobs, fresh output folder each time, several rounds:
             leaflets per second (median) and the 2-job/1-job speed ratio.
overhead     in one warm process, per leaflet: the whole pipeline (normalize,
             extract, YAML dump and load, HTML, PDF, files written, review row)
             against bare WeasyPrint doing the same PDF work as a careful script
             would (the same print HTML, the stylesheet parsed once, one font
             configuration, the same PDF options); medians and their ratio.
command      ``leaflets build -j 2`` of N new leaflets, the whole command,
             against a bare WeasyPrint script (``bare_weasyprint.py``: its own
             process, only WeasyPrint loaded) printing the same N print pages on
             2 workers (start-up included on both sides), alternating over
             several rounds; medians and their ratio.
pandoc       a per-file loop of ``pandoc doc.md -o doc.pdf --pdf-engine=weasyprint``
             over the same documents as Markdown (what a user would otherwise
             script), 2 files at a time, against ``leaflets build -j 2`` on the
             same documents and the bare WeasyPrint script on their print pages
             (what WeasyPrint alone reaches), rotating over several rounds.
no-op        a rebuild of 1,000 up-to-date leaflets (wall time of the whole
             command, several rounds); then one input changed (exactly one
             leaflet rebuilt, and the review page made again: wall time, several
             rounds) and the CSS changed (all planned for rebuild).
memory       peak RSS of the largest process (main or worker) for a build of
             1,000 leaflets against one of 10.

    python -m benchmarks.bench_batch                  # everything (takes a while)
    python -m benchmarks.bench_batch --only throughput --leaflets 500 --rounds 3
    python -m benchmarks.bench_batch --only noop memory --big 1000

The machine is shared: the load average is printed with the figures, and
ratios measured in the same run are what to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tests.support.corpus import generate

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("throughput", "overhead", "command", "pandoc", "noop", "memory")


def write_corpus(folder: Path, count: int, seed: int = 1) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in generate(count, seed):
        (folder / name).write_bytes(data)
        paths.append(folder / name)
    return paths


def leaflets(*args: str, cwd: Path) -> tuple[float, dict]:
    """Run ``leaflets ARGS`` in a fresh process; (wall seconds, report.json summary)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pipeline", *args, "-q"], cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"leaflets {' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
    output = Path(cwd) / args[args.index("-o") + 1]
    summary = json.loads((output / "report.json").read_text("utf-8"))["summary"]
    return seconds, summary


def paired(first: list[float], second: list[float]) -> str:
    """The ratio of each round's two times, and their median: a slow spell of a shared machine
    moves both sides of a round together."""
    ratios = [a / b for a, b in zip(first, second)]
    return ", ".join(f"{ratio:.2f}" for ratio in ratios) + f" (median {statistics.median(ratios):.2f})"


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def spread(values: list[float], unit: str = "", digits: int = 2) -> str:
    return (
        f"median {statistics.median(values):.{digits}f}{unit} "
        f"(min {min(values):.{digits}f}, max {max(values):.{digits}f}, n={len(values)})"
    )


# -- throughput ------------------------------------------------------------------


def bench_throughput(work: Path, count: int, rounds: int) -> None:
    corpus = work / "tp-input"
    write_corpus(corpus, count, seed=2)
    rates: dict[int, list[float]] = {1: [], 2: []}
    for round_ in range(rounds):
        for jobs in (1, 2) if round_ % 2 == 0 else (2, 1):
            out = work / f"tp-out-{jobs}"
            shutil.rmtree(out, ignore_errors=True)
            seconds, summary = leaflets("build", str(corpus), "-o", out.name, "-j", str(jobs), cwd=work)
            assert summary["built"] == count, summary
            rates[jobs].append(count / seconds)
            print(f"  round {round_ + 1}, {jobs} job(s): {count} leaflets in {seconds:.1f} s = {count / seconds:.2f}/s")
    one, two = statistics.median(rates[1]), statistics.median(rates[2])
    print(f"throughput, {count} leaflets (YAML + HTML + PDF), {load()}")
    print(f"  1 job : {spread(rates[1], '/s')}")
    print(f"  2 jobs: {spread(rates[2], '/s')}")
    print(f"  2 jobs / 1 job = {two / one:.2f}x   (target: >= 1.9x)")


# -- overhead against bare WeasyPrint doing the same work ----------------------------


def same_work_pdf(print_html: str, writer) -> bytes:  # noqa: ANN001 - a pipeline.render.pdf.PdfWriter
    """What bare WeasyPrint has to do for one leaflet, done the way a careful script would: the
    print HTML, the stylesheet parsed once, one font configuration, the same PDF options."""
    from weasyprint import HTML

    from pipeline.render.pdf import PDF_OPTIONS

    document = HTML(string=print_html, base_url=writer.styles.base_url, url_fetcher=writer.fetcher)
    return document.write_pdf(stylesheets=[writer.print_css], font_config=writer.font_config, **PDF_OPTIONS)


def bench_overhead(work: Path, count: int, rounds: int) -> None:
    from pipeline.run.document import Task, renderer_of, run_task
    from pipeline.run.settings import Settings
    from pipeline.yamlio import load_leaflet

    corpus = write_corpus(work / "oh-input", count, seed=3)
    settings = Settings.load(work / "oh-out")
    settings.output.mkdir(parents=True, exist_ok=True)
    settings.folder.prepare()
    renderer = renderer_of(settings)
    writer = renderer.pdf_writer()

    def ours(path: Path) -> float:
        task = Task(path.stem, path.name, input_path=path, data=path.read_bytes(), extract=True, render=True)
        (work / "oh-out" / "yaml" / f"{path.stem}.yaml").unlink(missing_ok=True)
        (work / "oh-out" / ".leaflets" / "records" / f"{path.stem}.json").unlink(missing_ok=True)
        started = time.perf_counter()
        result = run_task(task, settings)
        assert result.error is None, result.error
        return time.perf_counter() - started

    for path in corpus:  # warm-up, and each leaflet's print HTML for the bare side
        ours(path)
    print_html = {
        path: renderer.render_html(load_leaflet((work / "oh-out" / "yaml" / f"{path.stem}.yaml").read_text("utf-8")),
                                   embed_css=False)
        for path in corpus
    }
    for path in corpus:
        same_work_pdf(print_html[path], writer)
    pipeline_times: list[float] = []
    bare_times: list[float] = []
    for round_ in range(rounds):
        for index, path in enumerate(corpus):
            for side in ("ours", "bare") if (index + round_) % 2 == 0 else ("bare", "ours"):
                if side == "ours":
                    pipeline_times.append(ours(path))
                else:
                    started = time.perf_counter()
                    same_work_pdf(print_html[path], writer)
                    bare_times.append(time.perf_counter() - started)
    ours_median, bare_median = statistics.median(pipeline_times), statistics.median(bare_times)
    print(f"overhead, per leaflet in one warm process ({count} leaflets x {rounds} rounds), {load()}")
    print(f"  whole pipeline (extract + YAML + HTML + PDF/UA + writes + review row): {spread([t * 1000 for t in pipeline_times], ' ms', 0)}")
    print(f"  bare WeasyPrint, same print HTML, parsed CSS and fonts reused      : {spread([t * 1000 for t in bare_times], ' ms', 0)}")
    print(f"  ratio = {ours_median / bare_median:.2f}")


# -- the whole command against a bare WeasyPrint script with two workers --------------

def bare_batch(print_pages: list[Path], out: Path, jobs: int) -> float:
    """Seconds of ``benchmarks/bare_weasyprint.py``, a process of its own that loads only
    WeasyPrint and prints every page on ``jobs`` workers (start-up included, as for ours): the
    same print HTML, the same stylesheet (parsed once), one font configuration, the same PDF
    options."""
    from pipeline.render import Renderer, RenderOptions
    from pipeline.render.pdf import PDF_OPTIONS

    renderer = Renderer(RenderOptions())
    stylesheet = out.parent / f"{out.name}.css"
    stylesheet.write_text(renderer.stylesheet(""), "utf-8")
    script = Path(__file__).with_name("bare_weasyprint.py")
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(script), str(stylesheet), renderer.styles.base_url, str(out), json.dumps(PDF_OPTIONS),
         str(jobs), *map(str, print_pages)],
        check=True,
    )
    return time.perf_counter() - started


def print_pages_of(yaml_dir: Path, folder: Path) -> list[Path]:
    """The print HTML (no inline CSS) of every leaflet in ``yaml_dir``, written to ``folder``."""
    from pipeline.render import Renderer, RenderOptions
    from pipeline.yamlio import load_leaflet

    renderer = Renderer(RenderOptions())
    folder.mkdir(parents=True, exist_ok=True)
    pages = []
    for yaml_path in sorted(yaml_dir.glob("*.yaml")):
        if yaml_path.name.endswith(".proposed.yaml"):
            continue
        page = folder / f"{yaml_path.stem}.html"
        page.write_text(renderer.render_html(load_leaflet(yaml_path.read_text("utf-8")), embed_css=False), "utf-8")
        pages.append(page)
    return pages


def alternate(
    work: Path, corpus: Path, count: int, rounds: int, prefix: str, others: dict[str, Callable[[Path], float]]
) -> dict[str, list[float]]:
    """Seconds of ``leaflets build -j 2`` over ``corpus`` ("ours") and of each of ``others``
    (name: run it into this output folder), each round all in turn, the order rotating from
    round to round, fresh output folders every time."""
    sides: dict[str, Callable[[Path], float]] = {"ours": lambda out: _ours_build(work, corpus, out, count), **others}
    names = list(sides)
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(rounds):
        for name in names[round_ % len(names):] + names[: round_ % len(names)]:
            out = work / f"{prefix}-out-{name}"
            shutil.rmtree(out, ignore_errors=True)
            seconds = sides[name](out)
            times[name].append(seconds)
            print(f"  round {round_ + 1}, {name}: {count} documents in {seconds:.1f} s")
    return times


def _ours_build(work: Path, corpus: Path, out: Path, count: int) -> float:
    seconds, summary = leaflets("build", str(corpus), "-o", out.name, "-j", "2", cwd=work)
    assert summary["built"] == count, summary
    return seconds


def bench_command(work: Path, count: int, rounds: int) -> None:
    """``leaflets build -j 2`` of N new leaflets against bare WeasyPrint printing the same N pages
    in 2 warm worker processes, alternating, fresh output each round."""
    corpus = work / "cm-input"
    write_corpus(corpus, count, seed=5)
    seconds, summary = leaflets("build", str(corpus), "-o", "cm-pages", "-j", "2", cwd=work)
    pages = print_pages_of(work / "cm-pages" / "yaml", work / "cm-print")
    times = alternate(work, corpus, count, rounds, "cm", {"bare": lambda out: bare_batch(pages, out, 2)})
    ours_times, bare_times = times["ours"], times["bare"]
    ours_median, bare_median = statistics.median(ours_times), statistics.median(bare_times)
    print(f"command, {count} leaflets, 2 jobs each side, {load()}")
    print(f"  leaflets build -j 2 (extract, YAML, HTML, PDF, index, review page): {spread(ours_times, ' s', 1)}")
    print(f"  bare WeasyPrint script, 2 workers, the same print pages          : {spread(bare_times, ' s', 1)}")
    print(f"  ratio = {ours_median / bare_median:.3f}   (target: <= 1.05)")
    print(f"  ratio of each round (the two sides run one after the other): {paired(ours_times, bare_times)}")


# -- pandoc ------------------------------------------------------------------------


def leaflet_markdown(yaml_path: Path) -> str:
    """The leaflet as the Markdown a user would feed pandoc."""
    from pipeline.yamlio import load_leaflet

    leaflet = load_leaflet(yaml_path.read_text("utf-8"))
    lines = [f"# {leaflet.title}", ""]
    for key, blocks in [*leaflet.sections.items(), *((e.heading, e.content) for e in leaflet.extra_sections)]:
        if not blocks:
            continue
        lines += [f"## {key.replace('_', ' ').capitalize()}", ""]
        for block in blocks:
            if block.kind == "paragraph":
                lines += [block.text, ""]
                continue
            for number, item in enumerate(block.items, 1):
                mark = f"{number}." if block.kind == "steps" else "-"
                lines.append(f"{mark} " + (f"**{item.label}:** {item.text}" if item.label else item.text))
            lines.append("")
    return "\n".join(lines)


def pandoc_batch(sources: list[Path], out: Path, jobs: int) -> float:
    """Seconds for a per-file ``pandoc`` loop over ``sources``, ``jobs`` files at a time (as
    ``xargs -P``), each to its own PDF through WeasyPrint."""
    from concurrent.futures import ThreadPoolExecutor

    engine = shutil.which("weasyprint") or str(Path(sys.executable).parent / "weasyprint")
    out.mkdir(parents=True, exist_ok=True)

    def one(source: Path) -> None:
        subprocess.run(
            ["pandoc", str(source), "-o", str(out / f"{source.stem}.pdf"), f"--pdf-engine={engine}",
             "--metadata", f"title={source.stem}"],
            check=True, capture_output=True,
        )

    started = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:  # threads only wait on the pandoc processes
        list(pool.map(one, sources))
    return time.perf_counter() - started


def bench_pandoc(work: Path, count: int, rounds: int) -> None:
    if not shutil.which("pandoc"):
        print("pandoc: not installed (apt-get install pandoc); skipped")
        return
    corpus = work / "pd-input"
    write_corpus(corpus, count, seed=4)
    leaflets("build", str(corpus), "-o", "pd-yaml", "-j", "2", cwd=work)
    markdown = work / "pd-md"
    markdown.mkdir(exist_ok=True)
    for yaml_path in sorted((work / "pd-yaml" / "yaml").glob("*.yaml")):
        (markdown / f"{yaml_path.stem}.md").write_text(leaflet_markdown(yaml_path), "utf-8")
    sources = sorted(markdown.glob("*.md"))
    pages = print_pages_of(work / "pd-yaml" / "yaml", work / "pd-print")
    times = alternate(work, corpus, count, rounds, "pd", {
        "pandoc": lambda out: pandoc_batch(sources, out, 2),
        "bare": lambda out: bare_batch(pages, out, 2),  # what WeasyPrint alone reaches: the ceiling of ours
    })
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"pandoc, {count} documents, 2 jobs each side, {load()}")
    print(f"  per-file pandoc loop (--pdf-engine=weasyprint), 2 at a time: {spread(times['pandoc'], ' s', 1)}")
    print(f"  leaflets build -j 2 (YAML + HTML + PDF)                    : {spread(times['ours'], ' s', 1)}")
    print(f"  bare WeasyPrint script, 2 workers, our print pages         : {spread(times['bare'], ' s', 1)}")
    print(f"  ours is {medians['pandoc'] / medians['ours']:.1f}x faster   (target: >= 5x)")
    print(f"  bare WeasyPrint alone is {medians['pandoc'] / medians['bare']:.1f}x faster than the pandoc loop")
    print(f"  each round, pandoc / ours: {paired(times['pandoc'], times['ours'])}; pandoc / bare: {paired(times['pandoc'], times['bare'])}")


# -- no-op rebuilds and memory -------------------------------------------------------


def peak_rss_mb(*args: str, cwd: Path) -> tuple[float, float]:
    """(seconds, peak RSS in MB of the largest process) of a ``leaflets`` run in a fresh wrapper."""
    probe = (
        "import resource, subprocess, sys, time; s = time.perf_counter(); "
        f"subprocess.run([sys.executable, '-m', 'pipeline', *{list(args)!r}, '-q'], check=False); "
        "print(time.perf_counter() - s, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=cwd, capture_output=True, text=True, check=True)
    seconds, kilobytes = done.stdout.split()
    return float(seconds), int(kilobytes) / 1024


def bench_noop_and_memory(work: Path, big: int, rounds: int, sections: set[str]) -> None:
    small_corpus, big_corpus = work / "mem-small", work / "mem-big"
    write_corpus(small_corpus, 10, seed=5)
    paths = write_corpus(big_corpus, big, seed=6)
    started = time.perf_counter()
    _, big_rss = peak_rss_mb("build", str(big_corpus), "-o", "big-out", "-j", "2", cwd=work)
    print(f"built {big} leaflets in {time.perf_counter() - started:.0f} s")
    if "memory" in sections:
        small_rss = statistics.median(
            peak_rss_mb("build", str(small_corpus), "-o", f"small-out-{i}", "-j", "2", cwd=work)[1] for i in range(3)
        )
        print(f"memory, peak RSS of the largest process, {load()}")
        print(f"  10 leaflets: {small_rss:.0f} MB;  {big} leaflets: {big_rss:.0f} MB;  ratio {big_rss / small_rss:.2f}"
              "   (target: <= 1.2)")
    if "noop" not in sections:
        return
    times = []
    for _ in range(rounds):
        seconds, summary = leaflets("build", str(big_corpus), "-o", "big-out", cwd=work)
        assert summary["up_to_date"] == big and summary["built"] == 0, summary
        times.append(seconds)
    print(f"no-op rebuild of {big} up-to-date leaflets (whole command), {load()}")
    print(f"  {spread(times, ' s')}   (target: <= 1 s)")
    changed = paths[len(paths) // 2]
    times = []
    for round_ in range(rounds):
        changed.write_bytes(changed.read_bytes() + f"\nAn added closing sentence, number {round_}.\n".encode())
        seconds, summary = leaflets("build", str(big_corpus), "-o", "big-out", cwd=work)
        assert summary["built"] == 1 and summary["up_to_date"] == big - 1, summary
        times.append(seconds)
    print(f"  one input changed (1 rebuilt, {big - 1} up to date; the review page made again): {spread(times, ' s')}")

    from pipeline.render.styles import RenderOptions
    from pipeline.run import plan as build
    from pipeline.run.files import collect_inputs
    from pipeline.run.settings import Settings

    styles = work / "styles-copy"
    shutil.copytree(ROOT / "styles", styles, dirs_exist_ok=True)
    settings = Settings.load(work / "big-out", render=RenderOptions(styles=styles))
    before = len(build.plan_inputs(collect_inputs([big_corpus]), settings, render=True).tasks)
    with (styles / "leaflet.css").open("a", encoding="utf-8") as css:
        css.write("\n/* changed */\n")
    settings = Settings.load(work / "big-out", render=RenderOptions(styles=styles))
    after = len(build.plan_inputs(collect_inputs([big_corpus]), settings, render=True).tasks)
    print(f"  CSS changed: {after} of {big} planned for rebuild (with a copy of the same styles: {before})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument("--leaflets", type=int, default=500, help="throughput corpus size (default 500)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--overhead-leaflets", type=int, default=20)
    parser.add_argument("--pandoc-leaflets", type=int, default=200)
    parser.add_argument("--command-leaflets", type=int, default=200)
    parser.add_argument("--big", type=int, default=1000, help="no-op and memory corpus size (default 1000)")
    args = parser.parse_args(argv)
    sections = set(args.only)
    print(f"{os.cpu_count()} cores, {load()}, resource limit check: {resource.getrlimit(resource.RLIMIT_AS)[0]}")
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as temporary:
        work = Path(temporary)
        if "overhead" in sections:
            bench_overhead(work, args.overhead_leaflets, args.rounds)
        if "command" in sections:
            bench_command(work, args.command_leaflets, args.rounds)
        if "pandoc" in sections:
            bench_pandoc(work, args.pandoc_leaflets, args.rounds)
        if "throughput" in sections:
            bench_throughput(work, args.leaflets, args.rounds)
        if sections & {"noop", "memory"}:
            bench_noop_and_memory(work, args.big, args.rounds, sections)


if __name__ == "__main__":
    main()
