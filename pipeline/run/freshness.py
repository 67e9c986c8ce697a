"""Is this leaflet up to date? The one rule for what a run must redo.

A leaflet's YAML is extracted again when its input bytes, the heading and
site-text data or the pipeline's code changed since its record was written
(or ``--force``); its page and PDF are made again when the YAML on disk, the
styles folders, the page options or the code changed, or either file is gone.
"""

from __future__ import annotations

import os

from pipeline.errors import PipelineError
from pipeline.run.output_folder import OutputFolder
from pipeline.run.records import Record, edition_files, sha256_hex

MAX_OUTPUT_BYTES = 256 * 1024 * 1024  # a leaflet's PDF is well under a megabyte
from pipeline.run.settings import Settings


def extraction_is_current(settings: Settings, record: Record | None, input_sha256: str, yaml_text: bytes | None) -> bool:
    """The YAML on disk was extracted from these input bytes, with this code and data."""
    return (
        not settings.force
        and record is not None
        and yaml_text is not None
        and record.input_sha256 == input_sha256
        and record.extract_deps == settings.extract_deps
    )


def rendering_is_current(settings: Settings, doc_id: str, record: Record | None, yaml_text: bytes | None) -> bool:
    """The page and PDF on disk were made from this YAML, with these styles, options and code."""
    return (
        not settings.force
        and record is not None
        and yaml_text is not None
        and record.rendered_yaml_sha256 == sha256_hex(yaml_text)
        and record.render_deps == settings.render_deps
        and settings.folder.rendered(doc_id, settings.edition)
    )


def outputs_intact(
    folder: OutputFolder, doc_id: str, record: Record | None, edition: str = "", yaml_sha256: str | None = None
) -> bool:
    """The page and PDF of ``edition`` on disk are, byte for byte, the files the pipeline rendered
    (not an older approved PDF copied back, not a link), and made from ``yaml_sha256`` when given:
    checked before a published set counts them current or keeps them."""
    entry = edition_files(record).get(edition) if record is not None else None
    if entry is None or (yaml_sha256 is not None and entry[0] != yaml_sha256):
        return False
    for path, expected in zip((folder.html(doc_id, edition), folder.pdf(doc_id, edition)), entry[1:]):
        if os.path.islink(path):
            return False
        try:
            if sha256_hex(folder.read(path, MAX_OUTPUT_BYTES)) != expected:
                return False
        except PipelineError:
            return False
    return True
