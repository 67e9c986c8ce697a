"""YAML out and in: contract shape, schema, safe loading, clear errors."""

from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import event, given, settings
from hypothesis import strategies as st

from pipeline import yamlio
from pipeline.errors import LeafletFileError
from pipeline.yamlio import (
    dump_leaflet,
    dump_yaml,
    load_leaflet,
    parse_yaml,
    schema_errors,
    schema_text,
)

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
        "extra_sections", "contact", "sources", "review", "source",
    ]
    assert list(data["review"]) == ["status", "reviewer", "reviewed_on", "next_review_due", "version", "notes"]
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
    assert caught.value.diagnostic().format("x.yaml").startswith("x.yaml:4:")


def test_schema_problem_names_the_place(seed_yaml):
    broken = seed_yaml.replace("status: draft", "status: done")
    with pytest.raises(LeafletFileError, match="review/status"):
        load_leaflet(broken)


def test_reviewer_dates_load_as_dates(seed_yaml):
    edited = seed_yaml.replace("reviewed_on: null", "reviewed_on: 2026-11-01")
    assert str(load_leaflet(edited).review.reviewed_on) == "2026-11-01"


def test_published_schema_file_is_the_one_in_the_package():
    assert (ROOT / "pipeline" / "config" / "schema" / "leaflet.schema.json").read_text("utf-8") == schema_text()


# -- strings YAML could read as something else read back as themselves ---------

TRICKY = [
    "", " ", "yes", "No", "ON", "null", "Null", "~", "true", "1", "-5", "1.5", ".5", "+1", "0x1F", "1_000", "2026-01-01",
    "2026-01-01 10:00:00", "<<", "=", "- item", "-item", "? x", "?x", ": x", ":x", "x:", "a: b", "a:b", "a #b", "a#b",
    "#x", "'quoted'", "it's", '"x"', "x'", "---", "--- x", "...", "....", "!tag", "&anchor", "*alias", "%x", "@x",
    "`x", "|", ">", "[x]", "{x}", "x, y", "a  b", " a", "a ", "é’–•", "\u00a0x", "x\u00a0", "a\tb", "a\nb", "a\rb",
    "\u2028", "\x85", "\ufeff", "\ufffe", "😀", "\x7f", "\x00", "C#", "50%", "a'b c'd", "word " * 40,
]


def leaflet_data(text):
    item = st.one_of(text, st.fixed_dictionaries({"label": text, "text": text}))
    block = st.one_of(
        st.fixed_dictionaries({"paragraph": text}),
        st.fixed_dictionaries({"bullets": st.lists(item, max_size=3)}),
        st.fixed_dictionaries({"steps": st.lists(item, max_size=3)}),
    )
    content = st.lists(block, max_size=3)
    maybe_text = st.one_of(st.none(), text)
    return st.fixed_dictionaries(
        {
            "schema_version": st.just(1),
            "title": text,
            "code": st.fixed_dictionaries({"system": maybe_text, "descriptor": maybe_text}),
            "also_known_as": st.lists(text, max_size=3),
            "sections": st.fixed_dictionaries({"summary": content, "risks": content}),
            "extra_sections": st.lists(st.fixed_dictionaries({"heading": text, "content": content}), max_size=2),
            "review": st.fixed_dictionaries({"reviewed_on": st.one_of(st.none(), st.dates()), "notes": maybe_text}),
        }
    )


@pytest.mark.parametrize("value", TRICKY)
def test_tricky_strings_read_back_as_themselves(value):
    data = {"title": value, "sections": {"summary": [{"bullets": [value, {"label": value, "text": value}]}]}}
    assert yaml.safe_load(dump_yaml(data)) == data


# normalize turns these line breaks into "\n"; PyYAML's own emitter (used for text beyond
# U+FFFF) writes them as they are, and a reader takes them for a line break.
_NOT_IN_LEAFLETS = "\x85\u2028\u2029"
_LEAFLET_CHARACTERS = st.characters(blacklist_categories=("Cs",), blacklist_characters=_NOT_IN_LEAFLETS)
_LEAFLET_TEXT = st.one_of(
    st.sampled_from([text for text in TRICKY if not set(text) & set(_NOT_IN_LEAFLETS)]),
    st.text(_LEAFLET_CHARACTERS, max_size=120),
)


@settings(max_examples=100, deadline=None)
@given(leaflet_data(_LEAFLET_TEXT))
@pytest.mark.slow
def test_leaflet_data_reads_back_as_it_was(data):
    assert yaml.safe_load(dump_yaml(data)) == data


# -- the quick schema check ------------------------------------------------------

_STRINGS = st.text(max_size=4) | st.text(min_size=1, max_size=8) | st.sampled_from(
    ["", " ", "draft", "reviewed", "approved", "2026-01-31", "2026-02-30", "2026-1-01", "２０２６-01-01",
     "a" * 64, "0" * 64, "0" * 63, "paragraph", "bullets", "steps", "CPT4", "utf-8"]
)
_JSON_LEAVES = st.none() | st.booleans() | st.integers(-2, 2) | st.floats(allow_nan=False) | _STRINGS
_JSON_KEYS = st.sampled_from(["paragraph", "bullets", "steps", "label", "text", "heading", "content", "status", "x"])
_JSON = st.recursive(
    _JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_JSON_KEYS | st.text(max_size=3), inner, max_size=3),
    max_leaves=6,
)


def _places(value, path=()):
    """Every (path, value) in a JSON document, the root included."""
    yield path, value
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        yield from _places(child, (*path, key))


@settings(max_examples=500, deadline=None)
@given(st.data())
@pytest.mark.slow
def test_the_quick_schema_check_agrees_with_jsonschema(seed_yaml, data):
    """A document the compiled schema lets through must be one jsonschema finds valid, and back.
    Most changes swap one string for another (near the edges: empty, dates, hashes), the rest
    put any JSON anywhere, drop a key or add one."""
    document = json.loads(json.dumps(parse_yaml(seed_yaml), default=str))
    dates = st.fixed_dictionaries({}, optional={"reviewed_on": _STRINGS | st.none(), "next_review_due": _STRINGS})
    document["review"].update(data.draw(dates))
    for _ in range(data.draw(st.sampled_from([0, 1, 1, 1, 2, 3]))):
        places = list(_places(document))[1:]
        strings = [place for place in places if isinstance(place[1], str)]
        action = data.draw(st.sampled_from(["text", "text", "text", "replace", "delete", "add"]))
        path, _value = data.draw(st.sampled_from(strings if action == "text" and strings else places))
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        if action == "text":
            parent[path[-1]] = data.draw(_STRINGS | st.none())
        elif action == "replace":
            parent[path[-1]] = data.draw(_JSON)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[data.draw(_JSON_KEYS)] = data.draw(_JSON)
        else:
            parent.append(data.draw(_JSON))
    quick_says_valid = yamlio._is_valid(document)
    event("valid" if quick_says_valid else "invalid")
    assert quick_says_valid == (not list(yamlio._validator().iter_errors(document)))
