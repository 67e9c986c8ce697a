"""The benchmark corpus generator: deterministic, distinct, and realistic enough
that every document it makes still extracts into a proper leaflet."""

from __future__ import annotations

import random

import pytest

from pipeline.model import CANONICAL_SECTIONS
from tests.support import corpus

from .conftest import leaflet_from_bytes

COUNT = 200


@pytest.fixture(scope="module")
def documents() -> list[corpus.Document]:
    return corpus.generate_documents(COUNT, seed=11)


def test_same_seed_same_bytes_other_seed_other_bytes():
    assert corpus.generate(40, seed=5) == corpus.generate(40, seed=5)
    assert corpus.generate(40, seed=5) != corpus.generate(40, seed=6)


def test_documents_are_distinct(documents):
    assert len({document.name for document in documents}) == COUNT
    assert len({document.data for document in documents}) == COUNT
    assert len({document.procedure.title for document in documents}) == COUNT


def test_titles_stay_distinct_beyond_the_title_space():
    beyond = [corpus.procedure_for(index, random.Random(0)).title for index in (0, corpus._TITLE_SPACE)]
    assert beyond[0] != beyond[1]


def test_the_corpus_spans_the_layouts_of_the_contract(documents):
    assert {"utf-8", "utf-8-sig", "utf-16", "windows-1252"} <= {document.encoding for document in documents}
    assert {"lines", "parenthesis"} == {document.name_block_form for document in documents}
    assert {document.layout.bullet for document in documents} == set(corpus.BULLET_MARKS)
    assert any(b"\r\n" in document.data for document in documents)
    assert any(document.layout.heading_markup == "## " for document in documents)
    assert any(document.layout.wrap_width for document in documents)
    assert any(document.extra_headings for document in documents)
    assert any(len(document.sections) < len(CANONICAL_SECTIONS) for document in documents)


@pytest.mark.slow
def test_every_document_extracts_into_a_leaflet(documents):
    for document in documents:
        leaflet = leaflet_from_bytes(document.data, doc_id=document.name[:-4], source_path=f"input/{document.name}")
        filled = [key for key in CANONICAL_SECTIONS if leaflet.sections[key]]
        assert leaflet.title.strip(), document.name
        assert len(filled) >= 4, (document.name, filled)


def test_the_command_writes_the_files(tmp_path):
    assert corpus.main(["3", str(tmp_path / "out"), "--seed", "2"]) == 0
    written = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert written == sorted(name for name, _ in corpus.generate(3, seed=2))


def _differences(document: corpus.Document) -> list[str]:
    """Where the leaflet differs from what the generator put in the page."""
    leaflet = leaflet_from_bytes(document.data, doc_id=document.name[:-4], source_path=f"input/{document.name}")
    procedure = document.procedure
    found = {
        "title": leaflet.title,
        "also_known_as": leaflet.also_known_as,
        "technical_term": leaflet.technical_term,
        "sections": {key for key in CANONICAL_SECTIONS if leaflet.sections[key]},
        "extra headings": len(leaflet.extra_sections),
    }
    planned = {
        "title": procedure.title,
        "also_known_as": procedure.also_known_as,
        "technical_term": procedure.technical_term,
        "sections": set(document.sections),
        "extra headings": len(document.extra_headings),
    }
    return [
        f"{document.name}: {key}: {found[key]!r}, planned {planned[key]!r}"
        for key in planned
        if found[key] != planned[key]
    ]


@pytest.mark.slow
def test_every_document_extracts_as_planned(documents):
    differences = [difference for document in documents for difference in _differences(document)]
    assert not differences, "\n".join(differences[:20])
