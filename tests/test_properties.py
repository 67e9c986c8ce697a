"""Property tests: normalize and extract never crash, and nothing is lost."""

from __future__ import annotations

import pytest

import hashlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import InputError
from pipeline.extract import extract
from pipeline.normalize import decode, normalize, normalize_text
from pipeline.yamlio import dump_leaflet, load_leaflet, parse_yaml, schema_errors
from tests.support.strategies import document_bytes
from tests.support.words import missing_words, words

pytestmark = pytest.mark.slow  # processes, PDFs, a browser or many examples: CI runs it, the quick subset does not

FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _leaflet(normalized, data: bytes):
    return extract(normalized, doc_id="doc", source_path="input/doc.txt", sha256=hashlib.sha256(data).hexdigest())


@FAST
@given(st.text())
def test_any_text_normalizes_and_extracts_or_fails_cleanly(text):
    try:
        normalized = normalize_text(text)
        _leaflet(normalized, text.encode("utf-8", "surrogatepass"))
    except InputError:
        pass


@FAST
@given(st.binary())
def test_any_bytes_normalize_or_fail_cleanly(data):
    try:
        normalize(data)
    except InputError:
        pass


@FAST
@given(document_bytes())
def test_plausible_documents_lose_nothing(data):
    try:
        normalized = normalize(data)
        leaflet = _leaflet(normalized, data)
    except InputError:
        return
    yaml_text = dump_leaflet(leaflet)
    # normalized text -> YAML: no word lost
    assert not missing_words(normalized.text, yaml_text)
    # input -> normalized text: only lines listed as removed are gone
    source = words(decode(data)[0])
    dropped = source - words(normalized.text)
    assert not dropped - words(" ".join(line.text for line in normalized.removed))
    # and the document is valid against the published schema and loads back
    assert not schema_errors(parse_yaml(yaml_text))
    assert load_leaflet(yaml_text).sections == {
        key: tuple(_strip_lines(block) for block in blocks) for key, blocks in leaflet.sections.items()
    }


def _strip_lines(block):
    """The block as the YAML keeps it: no source line numbers, in groups and sub-items too."""
    from dataclasses import replace

    def item(entry):
        return replace(entry, line=None, items=tuple(item(sub) for sub in entry.items))

    return replace(
        block, line=None, items=tuple(item(entry) for entry in block.items),
        blocks=tuple(_strip_lines(inner) for inner in block.blocks),
    )
