"""``leaflets preview``: start the workbench, the PDF worker, the server and the watchers; stop on Ctrl-C."""

from __future__ import annotations

import errno
import signal
import threading
from collections.abc import Callable
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.preview.pdf_worker import PdfWorker
from pipeline.preview.server import PreviewServer
from pipeline.preview.watching import Affected, Watched, absolute, watch
from pipeline.preview.workbench import Workbench
from pipeline.render.styles import RenderOptions
from pipeline.run.files import display_path
from pipeline.run.output_folder import OutputFolder
from pipeline.run.report import one_line

DEFAULT_BIND = "127.0.0.1"  # this machine only (see pipeline.cli)


def _yaml_paths(paths: list[Path], folder: OutputFolder) -> list[Path]:
    if paths:
        return paths
    if not folder.yaml_dir.is_dir():
        raise ConfigError(f"{display_path(folder.yaml_dir)}: no such folder; name YAML files to preview")
    return [folder.yaml_dir]


def _watched(workbench: Workbench) -> Watched:
    return Watched(
        yaml_folders=frozenset(absolute(path) for path in workbench.folders),
        yaml_files=frozenset(absolute(path) for path in workbench.paths if path not in workbench.folders),
        log=absolute(workbench.folder.review_log) if workbench.folder.root.is_dir() else None,
        styles=workbench.renderer.styles.folders,
    )


def _on_change(workbench: Workbench) -> Callable[[Affected], None]:
    def changed(affected: Affected) -> None:
        try:
            if affected.styles:
                workbench.styles_changed()
            if affected.log:
                workbench.log_changed()
            if affected.listing:
                workbench.listing_changed()
            if affected.files:
                workbench.files_changed(set(affected.files))
        except Exception as error:  # noqa: BLE001 - a bug met on one change must not stop the watching
            workbench.report(
                f"leaflets preview: error: internal error after a change ({one_line(f'{type(error).__name__}: {error}')}); "
                "please report it"
            )

    return changed


def _stop_on_terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # `kill` stops the preview the way Ctrl-C does


def run_preview(
    paths: list[Path], output: Path, options: RenderOptions, port: int, bind: str,
    announce: Callable[[str], None], report: Callable[[str], None],
) -> None:
    """Serve the leaflets of ``paths`` (default: ``output/yaml/``) until Ctrl-C (or SIGTERM); the
    address and the stop are ``announce``d, each change that shows ``report``ed.

    :class:`ConfigError` when it cannot start: no such file, broken styles, a port in use."""
    folder = OutputFolder(output)
    workbench = Workbench(_yaml_paths(paths, folder), folder, options, report)
    pdfs = PdfWorker(options, workbench.generation)  # starts warming up at once, in the background
    try:
        server = PreviewServer((bind, port), workbench, pdfs)
    except OSError as error:
        pdfs.close()
        if error.errno == errno.EADDRINUSE:
            raise ConfigError(f"--port {port}: the port is in use; choose another, or leave --port out for a free one") from None
        raise ConfigError(f"cannot listen on {bind} port {port}: {error.strerror or error}") from None
    stop = threading.Event()
    watchers: list[threading.Thread] = []
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="leaflets preview server")
    previous = signal.signal(signal.SIGTERM, _stop_on_terminate)
    try:
        watchers = watch(_watched(workbench), _on_change(workbench), stop)
        serving.start()
        count = len(workbench.ids())
        announce(f"leaflets preview: {count} leaflet{'s' * (count != 1)} at {server.url()} (Ctrl-C to stop)")
        while serving.is_alive():
            serving.join(timeout=0.5)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop.set()
        workbench.stop()
        if serving.is_alive():
            server.shutdown()
        server.server_close()
        pdfs.close()
        for watcher in watchers:
            watcher.join(timeout=2)
        announce("leaflets preview: stopped")
