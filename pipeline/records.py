"""What the pipeline remembers about each leaflet it wrote.

One small JSON file per leaflet under ``OUTPUT/.leaflets/records/``, out of a
reviewer's way. It holds the fingerprint of the YAML the pipeline generated,
so a later run can tell whether a person edited the file since.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from .files import write_atomic

RECORDS_DIR = Path(".leaflets") / "records"


def sha256_hex(data: bytes | str) -> str:
    payload = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(payload).hexdigest()


@dataclass(frozen=True)
class Record:
    input_sha256: str
    yaml_sha256: str


def record_path(output: Path, doc_id: str) -> Path:
    return output / RECORDS_DIR / f"{doc_id}.json"


def read_record(output: Path, doc_id: str) -> Record | None:
    try:
        data = json.loads(record_path(output, doc_id).read_text("utf-8"))
        return Record(input_sha256=data["input_sha256"], yaml_sha256=data["yaml_sha256"])
    except (OSError, ValueError, KeyError, TypeError):
        # A missing or damaged record means "not known to be ours": the YAML is protected.
        return None


def write_record(output: Path, doc_id: str, record: Record) -> None:
    write_atomic(record_path(output, doc_id), json.dumps(asdict(record), indent=1) + "\n")
