"""Is this leaflet up to date? The one rule for what a run must redo.

A leaflet's YAML is extracted again when its input bytes, the heading and
site-text data or the pipeline's code changed since its record was written
(or ``--force``); an edition's page and PDF are made again when the YAML on
disk, the styles folders, the page options or the code changed since that
edition was made, when what the page says of its review changed (approved,
changed since approval, past its review date), or when either file is gone.
"""

from __future__ import annotations

import os

from pipeline.errors import PipelineError
from pipeline.run.output_folder import OutputFolder
from pipeline.run.records import Edition, Record, editions, sha256_hex

MAX_OUTPUT_BYTES = 256 * 1024 * 1024  # a leaflet's PDF is well under a megabyte
OVERDUE = " overdue"  # added to a standing by a page that says it is past its review date
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


def rendering_is_current(
    settings: Settings, doc_id: str, record: Record | None, yaml_text: bytes | None, shown_as: str | None = None,
) -> bool:
    """This run's edition of the page and PDF on disk was made from this YAML, with these styles,
    options and code; it still reads right today (not past a review date it did not show) and
    says of its review what is now true: ``shown_as`` when the caller worked it out, else the
    standing the record holds, which is known only if the last run that looked at the review
    looked at this very YAML. The same text can stand otherwise than when its page was made:
    runs of another edition may have looked at other text since and added to the review log
    (an approval of newer text, then the older text put back: changed since that approval)."""
    edition = editions(record).get(settings.edition)
    if shown_as is None and record is not None and edition is not None and record.seen_yaml_sha256 == edition.yaml:
        shown_as = _shown_as(record.standing, edition)
    return (
        not settings.force
        and edition is not None
        and yaml_text is not None
        and edition.yaml == sha256_hex(yaml_text)
        and edition.deps == settings.render_deps
        and shown_as is not None and edition.shown_as == shown_as
        and (not edition.until or settings.today.isoformat() < edition.until)
        and settings.folder.rendered(doc_id, settings.edition)
    )


def _shown_as(standing: str | None, edition: Edition) -> str | None:
    """What a page of ``edition`` says of a review that stands at ``standing``; being past
    its review date is the edition's own (:attr:`Edition.until` makes it read otherwise)."""
    overdue = edition.shown_as.endswith(OVERDUE)
    return None if standing is None else standing + (OVERDUE if overdue else "")


def outputs_intact(
    folder: OutputFolder, doc_id: str, record: Record | None, edition: str = "", yaml_sha256: str | None = None
) -> bool:
    """The page and PDF of ``edition`` on disk are, byte for byte, the files the pipeline rendered
    (not an older approved PDF copied back, not a link), and made from ``yaml_sha256`` when given:
    checked before a published set counts them current or keeps them."""
    entry = editions(record).get(edition)
    if entry is None or (yaml_sha256 is not None and entry.yaml != yaml_sha256):
        return False
    for path, expected in zip((folder.html(doc_id, edition), folder.pdf(doc_id, edition)), (entry.page, entry.pdf)):
        if os.path.islink(path):
            return False
        try:
            if sha256_hex(folder.read(path, MAX_OUTPUT_BYTES)) != expected:
                return False
        except PipelineError:
            return False
    return True
