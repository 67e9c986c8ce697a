"""Command line: parse arguments, call one function of :mod:`pipeline.build`, print.

Exit status (contract): 0 all good, 1 some file failed, 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__, build
from .build import FileResult, RunReport
from .errors import ConfigError, PipelineError
from .styles import PAGE_SIZES, RenderOptions

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 too; keep its usage line short
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _add_extract_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="*", type=Path, metavar="INPUT", help="text files or folders (default: input/)")
    parser.add_argument("-o", "--output", type=Path, default=Path("output"), help="output folder (default: output/)")
    parser.add_argument("--headings", type=Path, help="heading synonym table to use instead of the built-in one")
    parser.add_argument("--site-text", type=Path, help="site-text rules to use instead of the built-in ones")


def _add_render_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--styles",
        type=Path,
        metavar="DIR",
        help="folder of templates, CSS, theme.yaml and assets searched before the built-in styles",
    )
    parser.add_argument(
        "--page-size", type=str.lower, choices=tuple(PAGE_SIZES), default="a4", help="PDF page size (default: a4)"
    )
    parser.add_argument(
        "--large-print", action="store_true", help="large-print edition: 17pt body text in the PDF, larger text on the page"
    )


def _add_verbosity(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every file")


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="leaflets", description="Turn raw procedure text into reviewed patient leaflets.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    build_ = commands.add_parser("build", help="all stages: extract, then render the YAML on disk")
    _add_extract_options(build_)
    _add_render_options(build_)
    _add_verbosity(build_)

    extract = commands.add_parser("extract", help="normalize + extract: OUTPUT/normalized and OUTPUT/yaml")
    _add_extract_options(extract)
    _add_verbosity(extract)

    render = commands.add_parser("render", help="render YAML: OUTPUT/html, OUTPUT/pdf and OUTPUT/index.html")
    render.add_argument(
        "inputs", nargs="*", type=Path, metavar="YAML", help="YAML files or folders (default: OUTPUT/yaml/)"
    )
    render.add_argument("-o", "--output", type=Path, default=Path("output"), help="output folder (default: output/)")
    _add_render_options(render)
    _add_verbosity(render)
    return parser


class Printer:
    """Prints one line per problem as results arrive, and a summary at the end."""

    def __init__(self, quiet: bool, verbose: bool):
        self.quiet = quiet
        self.verbose = verbose

    def file_done(self, result: FileResult) -> None:
        if result.error:
            print(f"{result.input}: error: {result.error}", file=sys.stderr)
        if not self.quiet:
            for warning in result.warnings:
                print(warning, file=sys.stderr)
        if self.verbose and not result.error:
            print(f"{result.input}: {result.status}")

    def summary(self, report: RunReport) -> None:
        if self.quiet:
            return
        counts = ", ".join(f"{count} {status}" for status, count in sorted(report.counts().items()))
        warnings = sum(len(result.warnings) for result in report.files)
        rate = len(report.files) / report.seconds if report.seconds else 0.0
        print(
            f"{report.command}: {len(report.files)} files ({counts or 'none'}), {warnings} warnings, "
            f"{report.seconds:.2f} s, {rate:.1f} files/s"
        )


def _render_options(args: argparse.Namespace) -> RenderOptions:
    if not hasattr(args, "page_size"):
        return RenderOptions()
    return RenderOptions(styles=args.styles, page_size=args.page_size, large_print=args.large_print)


def _inputs(paths: list[Path]) -> list[Path]:
    return paths or [Path("input")]


def run(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    printer = Printer(args.quiet, args.verbose)
    try:
        settings = build.Settings.load(
            args.output,
            getattr(args, "headings", None),
            getattr(args, "site_text", None),
            render=_render_options(args),
        )
        if args.command == "extract":
            report = build.run_extract(_inputs(args.inputs), settings, printer.file_done)
        elif args.command == "render":
            report = build.run_render(args.inputs, settings, printer.file_done)
        elif args.command == "build":
            report = build.run_build(_inputs(args.inputs), settings, printer.file_done)
        else:  # pragma: no cover - argparse only offers the commands above
            raise ConfigError(f"unknown command {args.command}")
    except ConfigError as error:
        print(f"leaflets: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except PipelineError as error:
        print(f"leaflets: error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("leaflets: interrupted", file=sys.stderr)
        return 130
    printer.summary(report)
    return EXIT_FAILED if report.failed else EXIT_OK


def main() -> int:
    return run()
