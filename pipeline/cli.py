"""Command line: parse arguments, call one function of :mod:`pipeline.run.commands` (or :func:`pipeline.review.check.run_check`), print.

Exit status (contract): 0 all good, 1 some file failed, 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from pipeline import __version__
from pipeline.errors import ConfigError, PipelineError
from pipeline.render.styles import PAGE_SIZES, RenderOptions
from pipeline.run import commands as build
from pipeline.run.console import Console
from pipeline.run.output_folder import EDITION_NAMES
from pipeline.run.settings import DEFAULT_TIME_LIMIT, Settings
from pipeline.run.workers import cpu_count

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
DEFAULT_BIND = "127.0.0.1"  # the preview serves this machine only, unless told otherwise


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 too; keep its usage line short
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _add_output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", type=Path, default=Path("output"), help="output folder (default: output/)")


def _add_extract_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="*", type=Path, metavar="INPUT", help="text files or folders (default: input/)")
    _add_output(parser)
    parser.add_argument("--headings", type=Path, help="heading synonym table to use instead of the built-in one")
    parser.add_argument("--site-text", type=Path, help="site-text rules to use instead of the built-in ones")
    parser.add_argument(
        "--keep-chrome", action="store_true",
        help="remove no site text (menus, notices, the leaflet's record lines): to see what the rules would drop",
    )
    parser.add_argument(
        "--explain", action="store_true",
        help="print how each heading was read: the section it went to and the rule that decided it",
    )


def _add_look_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--styles", type=Path, metavar="DIR",
        help="folder of templates, CSS, theme.yaml and assets searched before the built-in styles",
    )
    parser.add_argument(
        "--page-size", type=str.lower, choices=tuple(PAGE_SIZES), default="a4", help="PDF page size (default: a4)"
    )
    parser.add_argument(
        "--large-print", action="store_true", help="large-print edition: 17pt body text in the PDF, larger text on the page"
    )


def _add_render_options(parser: argparse.ArgumentParser) -> None:
    _add_look_options(parser)
    parser.add_argument(
        "--edition", type=_editions, metavar="LIST",
        help=f"editions to make in one run, comma-separated: {', '.join(EDITION_NAMES)} "
        "(instead of --page-size and --large-print)",
    )
    parser.add_argument("--approved-only", action="store_true", help="render only leaflets whose review.status is approved")


def _add_batch_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-j", "--jobs", type=int, default=None, help=f"worker processes (default: all cores, here {cpu_count()})")
    parser.add_argument("--force", action="store_true", help="redo every document, even when up to date")
    parser.add_argument(
        "--time-limit", type=float, default=DEFAULT_TIME_LIMIT, metavar="SECONDS",
        help=f"stop work on one document after this long (default: {DEFAULT_TIME_LIMIT:g})",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every file")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535, got {text!r}")
    return port


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="leaflets", description="Turn raw procedure text into reviewed patient leaflets.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    build_ = commands.add_parser("build", help="all stages: extract, then render the YAML on disk")
    _add_extract_options(build_)
    _add_render_options(build_)
    _add_batch_options(build_)

    extract = commands.add_parser("extract", help="normalize + extract: OUTPUT/normalized and OUTPUT/yaml")
    _add_extract_options(extract)
    _add_batch_options(extract)

    render = commands.add_parser("render", help="render YAML: OUTPUT/html, OUTPUT/pdf and OUTPUT/index.html")
    render.add_argument("inputs", nargs="*", type=Path, metavar="YAML", help="YAML files or folders (default: OUTPUT/yaml/)")
    _add_output(render)
    _add_render_options(render)
    _add_batch_options(render)

    check = commands.add_parser("check", help="validate and lint leaflet YAML: file:line:col: message per problem")
    check.add_argument("inputs", nargs="*", type=Path, metavar="YAML", help="YAML files or folders (default: OUTPUT/yaml/)")
    _add_output(check)
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.add_argument(
        "--styles", type=Path, metavar="DIR",
        help="styles folder whose theme.yaml sets max_reading_grade (as for render and build)",
    )
    check.add_argument(
        "--max-grade", type=float, metavar="N",
        help="warn about sentences above this US school grade (default: the theme's max_reading_grade, built in 6)",
    )

    preview = commands.add_parser(
        "preview", help="a local web server showing leaflets as you edit them, with what check finds"
    )
    preview.add_argument("inputs", nargs="*", type=Path, metavar="YAML", help="YAML files or folders (default: OUTPUT/yaml/)")
    _add_output(preview)
    _add_look_options(preview)
    preview.add_argument("--port", type=_port, default=0, help="port to listen on (default: a free one, printed)")
    preview.add_argument(
        "--bind", default=DEFAULT_BIND, metavar="ADDRESS",
        help=f"address to listen on (default: {DEFAULT_BIND}, this machine only)",
    )

    accept = commands.add_parser("accept", help="apply a proposed update's source changes over the reviewed YAML")
    accept.add_argument("id", metavar="ID", help="the leaflet: yaml/ID.yaml and yaml/ID.proposed.yaml")
    _add_output(accept)
    accept.add_argument("--keep-mine", action="store_true", help="where you and the source both changed a place, keep yours")
    dismiss = commands.add_parser("dismiss", help="set a proposed update aside; the reviewed YAML stays as it is")
    dismiss.add_argument("id", metavar="ID", help="the leaflet: yaml/ID.yaml and yaml/ID.proposed.yaml")
    _add_output(dismiss)
    return parser


def _editions(text: str) -> list[tuple[str, bool]]:
    """``a4,large-print`` -> [(page size, large print), ...], each once, in the order given."""
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in EDITION_NAMES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"expected editions among {', '.join(EDITION_NAMES)}, got {text!r}")
    return [EDITION_NAMES[name] for name in dict.fromkeys(names)]


def _edition_runs(args: argparse.Namespace) -> list[tuple[str, bool] | None]:
    """The editions this command renders, one run each; [None] for a command that renders none."""
    if not hasattr(args, "page_size"):
        return [None]
    if args.edition is None:
        return [(args.page_size, args.large_print)]
    if args.page_size != "a4" or args.large_print:
        raise ConfigError("--edition names the editions itself: leave out --page-size and --large-print")
    return args.edition


def _settings(args: argparse.Namespace, edition: tuple[str, bool] | None) -> Settings:
    render = RenderOptions()
    if edition is not None:
        render = RenderOptions(styles=args.styles, page_size=edition[0], large_print=edition[1])
    return Settings.load(
        args.output,
        getattr(args, "headings", None),
        getattr(args, "site_text", None),
        render,
        jobs=args.jobs,
        force=args.force,
        approved_only=getattr(args, "approved_only", False),
        time_limit=args.time_limit,
        keep_chrome=getattr(args, "keep_chrome", False),
        explain=getattr(args, "explain", False),
    )


def _run_check(args: argparse.Namespace) -> int:
    from pipeline.render.theme import reading_grade_problem, theme_of
    from pipeline.review.check import (
        run_check,  # jsonschema and textstat take ~0.5 s to load: only for check
    )

    if args.max_grade is not None and (problem := reading_grade_problem(args.max_grade)):
        raise ConfigError(f"--max-grade: {problem}")
    max_grade = args.max_grade if args.max_grade is not None else theme_of(args.styles).max_reading_grade
    report = run_check(args.inputs, args.output, dt.date.today(), print, max_grade)
    failing = report.errors + (report.warnings if args.strict else 0)
    print(f"check: {report.files} files, {report.errors} errors, {report.warnings} warnings", file=sys.stderr)
    return EXIT_FAILED if failing else EXIT_OK


def _run_preview(args: argparse.Namespace) -> int:
    from pipeline.preview.command import (
        run_preview,  # the server, watcher and renderer: only for preview
    )

    options = RenderOptions(styles=args.styles, page_size=args.page_size, large_print=args.large_print)
    run_preview(
        args.inputs, args.output, options, args.port, args.bind,
        announce=lambda line: print(line, flush=True), report=lambda line: print(line, file=sys.stderr, flush=True),
    )
    return EXIT_OK


def _run_update(args: argparse.Namespace) -> int:
    from pipeline.run.output_folder import OutputFolder
    from pipeline.run.updates import accept, dismiss

    folder = OutputFolder(args.output)
    try:
        outcome = accept(folder, args.id, keep_mine=args.keep_mine) if args.command == "accept" else dismiss(folder, args.id)
    except OSError as error:
        from pipeline.run.report import cannot_write

        print(f"leaflets: error: {cannot_write(error)}", file=sys.stderr)
        return EXIT_FAILED
    for line in outcome.lines:
        print(line)
    return EXIT_OK if outcome.written or args.command == "dismiss" else EXIT_FAILED


def run(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        if args.command == "check":
            return _run_check(args)
        if args.command in ("accept", "dismiss"):
            return _run_update(args)
        if args.command == "preview":
            return _run_preview(args)
        return _run_batch(args)
    except ConfigError as error:
        print(f"leaflets: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except PipelineError as error:  # check, accept, dismiss, preview: a batch reports its own
        print(f"leaflets: error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("leaflets: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _run_batch(args: argparse.Namespace) -> int:
    """extract, render or build: one run for each edition asked for, each reported on its own."""
    runs = _edition_runs(args)
    codes = []
    for edition in runs:
        name = next(key for key, value in EDITION_NAMES.items() if value == edition) if edition and len(runs) > 1 else None
        codes.append(_run_one(args, edition, f"{args.command} ({name})" if name else args.command))
        if codes[-1] in (EXIT_USAGE, EXIT_INTERRUPTED):
            break
    return max(codes, key=[EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED].index)


def _run_one(args: argparse.Namespace, edition: tuple[str, bool] | None, title: str) -> int:
    try:
        console = Console(args.quiet, args.verbose)
        hooks = build.Hooks(console.file_done, lambda total: console.start(title, total), console.work_done)
        settings = _settings(args, edition)
        command = {"extract": build.run_extract, "render": build.run_render, "build": build.run_build}[args.command]
        inputs = args.inputs or ([] if args.command == "render" else [Path("input")])
        report = command(inputs, settings, hooks)
    except ConfigError as error:
        print(f"leaflets: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except PipelineError as error:
        print(f"leaflets: error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("leaflets: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    for line in report.notes + report.errors:
        print(line, file=sys.stderr)
    console.finish(report.summary_line().replace(f"{args.command}:", f"{title}:", 1))
    if report.interrupted:
        print("leaflets: interrupted; run the same command again to finish", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK if report.ok else EXIT_FAILED


def main() -> int:
    try:
        code = run()
    except BrokenPipeError:  # `leaflets check | head`: the reader has what it wanted
        code = EXIT_FAILED
    try:
        sys.stdout.flush()
    except OSError as error:  # standard output closed early, or on a full disk
        if not isinstance(error, BrokenPipeError):
            print(f"leaflets: error: cannot write to standard output: {error.strerror or error}", file=sys.stderr)
        code = EXIT_FAILED
    # Nothing more to flush at exit, where a second failure would print a traceback.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return code
