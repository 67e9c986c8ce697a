"""Fuzzing the text path: bytes -> normalize -> extract -> YAML -> load -> HTML page.

Plausible documents (``tests/strategies.py``), the same with junk spliced in,
and arbitrary bytes go through every stage the way a worker runs them (the
line-length limit included). The only allowed failure is
:class:`pipeline.errors.InputError`, and:

- nothing is lost: every content word of the normalized text is in the YAML
  (and, for plausible documents, every input word is kept or listed as removed);
- the YAML loads back (schema-valid) to the same sections;
- the page shows every word of the leaflet and holds only the templates' own
  tags, no event-handler attribute and no ``javascript:`` link.

CI runs the default profile. By hand, a long session (34,000 examples for
each of the three tests)::

    HYPOTHESIS_PROFILE=fuzz python -m pytest -q -p no:cacheprovider tests/test_fuzz.py
"""

from __future__ import annotations

import pytest

import functools
import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.errors import InputError
from pipeline.extract import extract
from pipeline.model import Leaflet
from pipeline.normalize import Normalized, decode, normalize_text
from pipeline.render import BUILTIN_STYLES, renderer_for
from pipeline.render.styles import RenderOptions
from pipeline.run.document import check_line_lengths
from pipeline.yamlio import dump_leaflet, load_leaflet
from tests.support.strategies import document_bytes
from tests.support.words import missing_words, words

pytestmark = pytest.mark.slow  # processes, PDFs, a browser or many examples: CI runs it, the quick subset does not

FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@functools.cache
def renderer():
    return renderer_for(RenderOptions())


@functools.cache
def template_tags() -> frozenset[str]:
    """Every tag name the HTML templates can write."""
    text = "".join(path.read_text("utf-8") for path in BUILTIN_STYLES.glob("*.html"))
    return frozenset(tag.lower() for tag in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", text))


@dataclass
class Through:
    normalized: Normalized
    leaflet: Leaflet
    yaml_text: str
    loaded: Leaflet
    html: str


def through_the_pipeline(data: bytes) -> Through | None:
    """What a worker does with an input (minus file writing and the PDF); None for an InputError."""
    try:
        text, encoding = decode(data)
        check_line_lengths(text)
        normalized = normalize_text(text, encoding)
        digest = hashlib.sha256(data).hexdigest()
        leaflet = extract(normalized, doc_id="doc", source_path="input/doc.txt", sha256=digest)
    except InputError:
        return None
    yaml_text = dump_leaflet(leaflet)
    loaded = load_leaflet(yaml_text)
    return Through(normalized, leaflet, yaml_text, loaded, renderer().render_html(loaded))


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes += [(name, value or "") for name, value in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def leaflet_words(leaflet: Leaflet) -> Counter[str]:
    """Words the page must show: the title and every section's content (a heading with none is left out)."""
    texts = [leaflet.title]
    blocks = [block for section in leaflet.sections.values() for block in section]
    for extra in leaflet.extra_sections:
        if any((block.text or "").strip() or block.items for block in extra.content):
            texts.append(extra.heading)
        blocks += extra.content
    for block in blocks:
        texts.append(block.text or "")
        texts += [f"{item.label or ''} {item.text}" for item in block.items]
    return words(" ".join(texts))


def check_page(result: Through) -> None:
    page = _Page()
    page.feed(result.html)
    page.close()
    assert page.tags <= template_tags(), page.tags - template_tags()
    assert not [name for name, _ in page.attributes if name.startswith("on")]
    assert not [value for _, value in page.attributes if value.strip().lower().startswith("javascript:")]
    shown = words(" ".join(page.text))
    assert not leaflet_words(result.loaded) - shown


def check_nothing_lost(result: Through) -> None:
    # The extractor drops a name-block label such as "Medical term:" whatever follows its colon;
    # tests/words.py only recognises one followed by a space, so junk right after the colon
    # ("Medical term:!") would count the label's words as lost content. A space there lets
    # the oracle see the label the extractor saw; no content word changes.
    normalized = re.sub(r":(?=\S)", ": ", result.normalized.text)
    missing = missing_words(normalized, result.yaml_text)
    # The extractor keeps each common name once ("Foo, Foo, Bar" -> [Foo, Bar]) on purpose;
    # tests/words.py counts words, so the repeat would count as lost.
    missing -= Counter({word: len(normalized) for word in words(" ".join(result.loaded.also_known_as))})
    assert not missing
    assert result.loaded.sections.keys() == result.leaflet.sections.keys()
    for key, blocks in result.loaded.sections.items():
        assert [(b.kind, b.text, [(i.label, i.text) for i in b.items]) for b in blocks] == [
            (b.kind, b.text, [(i.label, i.text) for i in b.items]) for b in result.leaflet.sections[key]
        ]


@FUZZ
@given(document_bytes())
@example(  # found by CI's run: a heading read by its words ("Patient Risk" -> risks), on a page cut at wide gaps
    b"about the procedure\n\nThe.\nSearch all medical codes\nPatient Risk\nThe.\n1\n\nThe."
)
def test_plausible_documents_go_through_every_stage_and_lose_nothing(data):
    result = through_the_pipeline(data)
    if result is None:
        return
    check_nothing_lost(result)
    dropped = words(decode(data)[0]) - words(result.normalized.text)
    assert not dropped - words(" ".join(line.text for line in result.normalized.removed))
    check_page(result)


def splice(data: bytes, insertions: list[tuple[int, bytes]]) -> bytes:
    for position, junk in insertions:
        at = position % (len(data) + 1)
        data = data[:at] + junk + data[at:]
    return data


JUNK = st.one_of(
    st.binary(min_size=1, max_size=12),
    st.sampled_from([b"\x00", b"\r", b"\n\n", b"\xef\xbb\xbf", b"\xff\xfe", b"<script>", b"{{ 7*7 }}", b"&a *a",
                     b"\xe2\x80\x8b", b"\xc2\xa0", b"\t", b"\xc3\xa2\xe2\x82\xac\xe2\x84\xa2", b"- ", b"1) ", b"## "]),
)


@FUZZ
@given(document_bytes(), st.lists(st.tuples(st.integers(min_value=0), JUNK), max_size=6))
@example(  # found by the long session: read as Shift JIS, the first line is one character beyond U+FFFF
    b"Name of the Procedure:\nThe\n- Common Name(s): the\n- Technical Term: Caf\xc3\xa9", [(0, b"\xfc\x90\n")]
)
@example(  # found by the long session: UTF-16 read with a byte-swapped BOM inside a word (U+FFFE)
    "Name of the Procedure:\nThe\n\nSummary\nthe procedure.\n".encode("utf-16-le"), [(90, b"\xfe\xff")]
)
@example(  # found by the long session: a common name repeated ("0, 0, hours ...")
    b"Name of the Procedure:\nThe\n(Common names: hours infection; Medical term: the weeks)", [(42, b"0, 0, ")]
)
def test_plausible_documents_with_junk_spliced_in_never_crash(data, insertions):
    result = through_the_pipeline(splice(data, insertions))
    if result is not None:
        check_nothing_lost(result)
        check_page(result)


ANY_BYTES = st.one_of(
    st.binary(max_size=4096), st.text(max_size=2000).map(lambda text: text.encode("utf-8", "surrogatepass"))
)


@FUZZ
@given(ANY_BYTES)
def test_arbitrary_bytes_never_crash(data):
    result = through_the_pipeline(data)
    if result is not None:
        check_nothing_lost(result)
        check_page(result)


# Found by the long fuzz session: libyaml wrote these as \U0001F600 escapes.
def test_characters_beyond_the_basic_plane_are_written_as_themselves_in_the_yaml():
    result = through_the_pipeline("Name of the Procedure:\nRemoval 😀\n\nSummary\nA rare name 𩻛.\n".encode())
    assert result is not None
    assert "\\U" not in result.yaml_text
    assert "Removal 😀" in result.yaml_text and "A rare name 𩻛." in result.yaml_text
