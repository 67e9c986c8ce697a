"""Golden cases: tests/golden/<id>/input.txt -> the hand-checked expected.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.yamlio import dump_leaflet, load_leaflet

from .conftest import TESTS, leaflet_from_bytes

CASES = sorted(path for path in (TESTS / "golden").iterdir() if path.is_dir())


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_extraction_matches_golden_yaml(case: Path):
    data = (case / "input.txt").read_bytes()
    leaflet = leaflet_from_bytes(data, doc_id=case.name, source_path=f"input/{case.name}.txt")
    assert dump_leaflet(leaflet) == (case / "expected.yaml").read_text("utf-8")


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_golden_yaml_round_trips(case: Path):
    text = (case / "expected.yaml").read_text("utf-8")
    assert dump_leaflet(load_leaflet(text)) == text
