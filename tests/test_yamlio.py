"""YAML out and in: contract shape, schema, safe loading, clear errors."""

from __future__ import annotations

import json

import pytest
import yaml

from pipeline.errors import LeafletFileError
from pipeline.yamlio import dump_leaflet, load_leaflet, parse_yaml, schema_errors, schema_text

from .conftest import ROOT, TESTS, leaflet_from_bytes

SEED = TESTS / "golden" / "003_4a4ee41c62ba9be6" / "input.txt"


@pytest.fixture(scope="module")
def seed_yaml() -> str:
    return dump_leaflet(leaflet_from_bytes(SEED.read_bytes()))


def test_first_line_points_editors_at_the_schema(seed_yaml):
    assert seed_yaml.splitlines()[0] == "# yaml-language-server: $schema=../leaflet.schema.json"


def test_keys_in_contract_order(seed_yaml):
    data = yaml.safe_load(seed_yaml)
    assert list(data) == [
        "schema_version", "id", "title", "code", "also_known_as", "technical_term", "sections",
        "extra_sections", "review", "source",
    ]
    assert list(data["review"]) == ["status", "reviewer", "reviewed_on", "next_review_due", "notes"]
    assert list(data["source"]) == ["path", "sha256", "encoding", "removed"]
    assert data["review"]["status"] == "draft"


def test_block_style_only(seed_yaml):
    body = seed_yaml.split("\n", 1)[1]
    assert "{" not in body and "- [" not in body.replace("extra_sections: []", "")


def test_generated_documents_are_valid_against_the_published_schema(seed_yaml):
    assert schema_errors(parse_yaml(seed_yaml)) == []


def test_schema_is_a_valid_json_schema_and_describes_blocks():
    schema = json.loads(schema_text())
    assert schema["$schema"].endswith("2020-12/schema")
    assert {"item", "block", "content"} <= set(schema["$defs"])


def test_unsafe_tag_is_refused():
    with pytest.raises(LeafletFileError, match="invalid YAML") as caught:
        parse_yaml("title: !!python/object/apply:os.system ['echo hi']\n")
    assert (caught.value.line, caught.value.column) == (1, 8)


def test_syntax_error_has_line_and_column():
    with pytest.raises(LeafletFileError) as caught:
        parse_yaml("title: ok\nsections:\n  summary: [unclosed\n")
    assert caught.value.line == 4
    assert caught.value.located("x.yaml").startswith("x.yaml:4:")


def test_schema_problem_names_the_place(seed_yaml):
    broken = seed_yaml.replace("status: draft", "status: done")
    with pytest.raises(LeafletFileError, match="review/status"):
        load_leaflet(broken)


def test_reviewer_dates_load_as_dates(seed_yaml):
    edited = seed_yaml.replace("reviewed_on: null", "reviewed_on: 2026-11-01")
    assert str(load_leaflet(edited).review.reviewed_on) == "2026-11-01"


def test_published_schema_file_is_the_one_in_the_package():
    assert (ROOT / "pipeline" / "schema" / "leaflet.schema.json").read_text("utf-8") == schema_text()
