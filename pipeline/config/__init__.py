"""What the pipeline is configured with, as data users can read and extend.

- ``data/headings.yaml``: heading synonyms for each canonical section, read by
  :mod:`pipeline.config.headings` (which decides what section a heading names);
- ``data/site_text.yaml``: the lookup site's own lines, read by
  :mod:`pipeline.config.site_text` (which decides what is site text);
- ``schema/leaflet.schema.json``: the exact shape of a leaflet YAML.
"""

from __future__ import annotations

import functools
from importlib import resources

SCHEMA_FILENAME = "leaflet.schema.json"
# Leaflet YAML larger than this is refused everywhere it is read: a reviewed leaflet is a few KB.
MAX_YAML_BYTES = 1024 * 1024


def data_text(name: str) -> str:
    """A built-in data file, e.g. ``headings.yaml``."""
    return resources.files(__name__).joinpath("data", name).read_text("utf-8")


@functools.cache
def schema_text() -> str:
    """The JSON Schema of a leaflet YAML."""
    return resources.files(__name__).joinpath("schema", SCHEMA_FILENAME).read_text("utf-8")
