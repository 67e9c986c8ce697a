"""normalize: each rule alone, then the whole stage on small inputs."""

from __future__ import annotations

import pytest

from pipeline import normalize as nz
from pipeline.config import site_text
from pipeline.config.headings import default_table
from pipeline.errors import ConfigError, InputError
from pipeline.model import Line
from pipeline.normalize import rules
from pipeline.normalize.joining import join_wrapped_lines

# -- decoding ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        ("Café ’•".encode(), "Café ’•", "utf-8"),
        (b"\xef\xbb\xbfCaf\xc3\xa9", "Café", "utf-8-sig"),
        ("Café".encode("utf-16"), "Café", "utf-16"),
        ("Café line\n".encode("utf-16-le"), "Café line\n", "utf-16-le"),
        ("Café line\n".encode("utf-16-be"), "Café line\n", "utf-16-be"),
        ("Café ’ • –".encode("cp1252"), "Café ’ • –", "windows-1252"),
    ],
)
def test_decode_detects_the_encoding(data, text, encoding):
    assert nz.decode(data) == (text, encoding)


def test_decode_refuses_broken_utf16():
    with pytest.raises(InputError, match="not valid utf-16"):
        nz.decode(b"\xff\xfe" + "ok".encode("utf-16-le") + b"\x00\xd8")


# -- whole-text rules ------------------------------------------------------------


def test_repair_mojibake():
    assert rules.repair_mojibake("patientâ€™s â€œcareâ€\x9d â€¢ item") == "patient’s “care” • item"


def test_repair_mojibake_leaves_good_text_alone():
    assert rules.repair_mojibake("Café déjà vu – ok") == "Café déjà vu – ok"


def test_compose_unicode():
    assert rules.compose_unicode("Cafe\u0301") == "Café"


def test_unify_line_endings():
    assert rules.unify_line_endings("a\r\nb\rc\u2028d\x0ce") == "a\nb\nc\nd\ne"


def test_remove_invisible():
    assert rules.remove_invisible("in\u00advisible\u200b \ufeffok\x00\x07") == "invisible ok"
    assert rules.remove_invisible("proc\ufffeedure\uffff") == "procedure"


def test_unify_spaces():
    assert rules.unify_spaces("a\u00a0b\u2009c\td") == "a b c   d"


# -- line rules ----------------------------------------------------------------


@pytest.mark.parametrize("mark", ["-", "•", "*", "–", "●", "▪", "\uf0b7", "\uf0fc", "→", "»", "◆", "✓", "−"])
def test_unify_bullets(mark):
    assert rules.unify_bullets(f"  {mark} Item text") == "  - Item text"


@pytest.mark.parametrize("line", ["**Bold heading**", "-5 degrees", "−5 degrees", "→left", "Plain text", "1.5 hours"])
def test_unify_bullets_leaves_other_lines(line):
    assert rules.unify_bullets(line) == line


@pytest.mark.parametrize("line", ["1) Step", "(1) Step", "1. Step", "Step 1: Step", "STEP 1 - Step", "step 1. Step"])
def test_unify_numbering(line):
    assert rules.unify_numbering(line) == "1. Step"


def test_unify_numbering_gives_letters_their_place():
    assert [rules.unify_numbering(line) for line in ["  a) First", "  (b) Second", "  c) Third"]] == [
        "  1. First", "  2. Second", "  3. Third"
    ]


def test_unify_numbering_leaves_numbers_in_text():
    assert rules.unify_numbering("20-30 minutes") == "20-30 minutes"
    assert rules.unify_numbering("1.5 hours") == "1.5 hours"
    assert rules.unify_numbering("Steps 1 and 2 take an hour.") == "Steps 1 and 2 take an hour."
    assert rules.unify_numbering("A) Upper case letters are headings (see headings.py)") == (
        "A) Upper case letters are headings (see headings.py)"
    )


def test_html_character_references_become_characters():
    text = "Risks &amp; Complications&#58; it&#39;s &#x2019;ok&#8217; &nbsp;x"
    assert rules.unescape_html_entities(text) == "Risks & Complications: it's \u2019ok\u2019 \u00a0x"


@pytest.mark.parametrize("text", ["R&D; AT&T", "&parameters;", "&notanentity;", "&para without a semicolon", "a & b;"])
def test_html_character_references_leave_other_ampersands(text):
    assert rules.unescape_html_entities(text) == text


def test_collapse_inner_spaces_keeps_indentation():
    assert rules.collapse_inner_spaces("    a    b") == "    a b"


def test_strip_trailing_space():
    assert rules.strip_trailing_space("  text \t ") == "  text"


@pytest.mark.parametrize(
    ("line", "unwrapped"),
    [
        ("**Goals:** relief", "Goals: relief"),
        ("__Goals__: relief", "Goals: relief"),
        ("  - **Aims**: more", "  - Aims: more"),
        ("2. **Rest:** a day", "2. Rest: a day"),
        ("**Goals:**", "Goals:"),
    ],
)
def test_unwrap_bold_labels(line, unwrapped):
    assert rules.unwrap_bold_labels(line) == unwrapped


@pytest.mark.parametrize("line", ["**Bold heading**", "**Goals:**relief", "Text **bold:** text", "**a*b:** c"])
def test_unwrap_bold_labels_leaves_other_bold_text(line):
    assert rules.unwrap_bold_labels(line) == line


def test_line_endings_pair_up_as_before():
    assert rules.unify_line_endings("a\r\r\nb\r\n\rc\u2028") == "a\n\nb\n\nc\n"


def test_line_rules_run_in_order_on_each_line():
    lines = ["Summary   ", "  •  First  item", "(2) Second", "**Goals:** relief", "", "- **Aims**: more  "]
    assert [rules.clean_line(line) for line in lines] == [
        "Summary", "  - First item", "2. Second", "Goals: relief", "", "- Aims: more"
    ]


# -- site text -----------------------------------------------------------------


def test_site_text_removed_recorded_and_facts_kept():
    lines = [Line(n, text) for n, text in enumerate(
        ["Search all medical codes", "Descriptor", "CPT4 code", "Summary", "Text", "Similar Codes", "12345 Other"], 1
    )]
    kept, removed, facts = site_text.remove_site_text(lines, site_text.default_site_text())
    assert [line.text for line in kept] == ["", "Descriptor", "", "Summary", "Text", "", ""]
    assert [(r.line, r.text) for r in removed] == [
        (1, "Search all medical codes"), (3, "CPT4 code"), (6, "Similar Codes"), (7, "12345 Other")
    ]
    assert facts == {"code_system": "CPT4"}


@pytest.mark.parametrize("line", ["Back to top", "  back   TO\ttop ", "Back\u00a0to top", "Similar  Codes 123"])
def test_site_text_sees_lines_stripped_with_single_spaces(line):
    assert site_text.default_site_text().match(line)


def test_a_blank_line_is_never_site_text():
    anything = site_text.site_text_from_data({"rules": [{"pattern": ".*", "drop_rest": True}]})
    assert anything.match("   ") is None
    assert anything.match("text")


def test_site_text_rules_are_data():
    rules = site_text.site_text_from_data({"rules": [{"name": "promo", "pattern": "buy now!?"}]})
    assert rules.match("  Buy   NOW ")
    assert not rules.match("Search all medical codes")


@pytest.mark.parametrize("data", [None, {"rules": "x"}, {"rules": [{"pattern": "("}]}, {"rules": [{}]}])
def test_bad_site_text_data_is_a_config_error(data):
    with pytest.raises(ConfigError):
        site_text.site_text_from_data(data)


# -- joining wraps ---------------------------------------------------------------


def _join(*texts: str) -> list[str]:
    lines = [Line(n, t) for n, t in enumerate(texts, 1)]
    return [line.text for line in join_wrapped_lines(lines, default_table())]


def test_join_unfinished_paragraph_lines():
    assert _join("The procedure is done", "in a clinic.") == ["The procedure is done in a clinic."]


def test_join_indented_bullet_continuation():
    assert _join("- First item is long.", "  and goes on.", "- Second") == [
        "- First item is long. and goes on.", "- Second"
    ]


def test_no_join_across_blank_heading_or_list():
    assert _join("Summary", "Text here") == ["Summary", "Text here"]
    assert _join("Some text", "", "more") == ["Some text", "", "more"]
    assert _join("Lead in text", "- item") == ["Lead in text", "- item"]
    assert _join("Ends here.", "New paragraph.") == ["Ends here.", "New paragraph."]


def test_no_join_after_a_standalone_title_line():
    assert _join("Finished sentence.", "Special Considerations", "Patients with diabetes.") == [
        "Finished sentence.", "Special Considerations", "Patients with diabetes."
    ]


def test_join_lines_cut_at_a_sentence_end_in_a_wrapped_file():
    wrapped = ["The first line of a paragraph that was wrapped at sixty", "characters by an editor, and it goes on to a", "third line that ends a sentence exactly at the end.", "Then the next sentence continues", "here."]
    assert _join(*wrapped) == [" ".join(wrapped)]


def test_lowercase_heading_word_mid_sentence_is_joined():
    # A hard-wrapped paragraph (and list item) whose last line is a single heading word.
    wrapped = [
        "The surgeon works through a small opening, which lessens the pain and",
        "shortens the stay in hospital. Most people say the small cut speeds up",
        "recovery",
        "",
        "- Most people notice that a smaller cut leads to less pain and a faster",
        "recovery",
    ]
    assert _join(*wrapped) == [" ".join(wrapped[:3]), "", " ".join(wrapped[4:])]


def test_lowercase_heading_line_after_an_unfinished_line_is_a_heading():
    assert _join("Dilation of Urethra", "summary", "Text here.") == ["Dilation of Urethra", "summary", "Text here."]
    assert _join("- A minimally invasive treatment", "how do i prepare?", "1. Stop eating.") == [
        "- A minimally invasive treatment", "how do i prepare?", "1. Stop eating."
    ]
    assert _join("- Technical Term: Arthroscopy", "summary:") == ["- Technical Term: Arthroscopy", "summary:"]


def test_lowercase_multi_word_heading_in_a_wrapped_file_is_a_heading():
    wrapped = [
        "The surgeon works through a small opening, which lessens the pain and",
        "shortens the stay in hospital for most of the people who have it done",
        "how do i prepare?",
        "Stop eating at midnight.",
    ]
    assert _join(*wrapped) == [" ".join(wrapped[:2]), wrapped[2], wrapped[3]]


def test_title_line_after_a_list_item_is_not_joined_onto_it():
    assert _join("- Surgeon", "- Radiologist", "Cost and Insurance", "Most plans cover it.") == [
        "- Surgeon", "- Radiologist", "Cost and Insurance", "Most plans cover it."
    ]


def test_indented_title_line_after_a_list_item_continues_it():
    assert _join("- Otolaryngologist", "  (Ear Nose and Throat)", "- Nurse") == [
        "- Otolaryngologist (Ear Nose and Throat)", "- Nurse"
    ]


def test_flush_title_line_in_a_hard_wrapped_list_continues_the_item():
    wrapped = [
        "- The surgeon works through a small opening, which lessens the pain for",
        "Most Patients",
        "- A second item that is also quite long so that the file looks wrapped",
        "  at this width.",
    ]
    second = "- A second item that is also quite long so that the file looks wrapped at this width."
    assert _join(*wrapped) == [" ".join(wrapped[:2]), second]


def test_plain_lines_of_a_list_stay_apart():
    assert _join("Personnel", "Surgeon", "Anesthesiologist", "Surgical Nurse", "Risks") == [
        "Personnel", "Surgeon", "Anesthesiologist", "Surgical Nurse", "Risks"
    ]


# -- the stage -------------------------------------------------------------------


def test_normalize_keeps_source_line_numbers():
    result = nz.normalize(b"Search all medical codes\n\nSummary\nA line that\nwraps.\n\n- item\n")
    assert [(line.number, line.text) for line in result.lines] == [
        (3, "Summary"), (4, "A line that wraps."), (6, ""), (7, "- item")
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "empty file"), (b" \n\t\r\n", "only whitespace"), (bytes(range(256)) * 4, "binary")],
)
def test_normalize_refuses_what_is_not_text(data, message):
    with pytest.raises(InputError, match=message):
        nz.normalize(data)


def test_lowercase_words_loosely_naming_a_section_in_a_wrapped_file_are_joined():
    wrapped = [
        "Before you agree, the doctor goes through what could go wrong: the possible",
        "risks of the procedure and the",
        "",
        "Another paragraph that is long enough to be near the width of the file, and",
        "it goes on here.",
    ]
    assert _join(*wrapped)[0] == " ".join(wrapped[:2])


def test_title_line_after_a_sentence_end_in_a_wrapped_file_is_not_joined():
    wrapped = [
        "- Pros and Cons: Less invasive with quicker recovery compared to surgery",
        "  but may not be effective for all obstructions and may need repeating.",
        "Questions to Ask Your Doctor",
        "Ask how many of these procedures the team performs each year, and what to",
        "do if symptoms come back.",
    ]
    assert _join(*wrapped) == [" ".join(w.strip() for w in wrapped[:2]), wrapped[2], " ".join(wrapped[3:])]


def test_nothing_joins_onto_a_heading():
    assert _join("Summary", "recovery.") == ["Summary", "recovery."]
    assert _join("Risks:", "bleeding") == ["Risks:", "bleeding"]


def test_a_bullet_and_the_lead_in_after_it_stay_apart():
    assert _join("- Repeated ear infections", "The goals or expected outcomes of the procedure:", "- Fewer infections") == [
        "- Repeated ear infections", "The goals or expected outcomes of the procedure:", "- Fewer infections"
    ]


def test_short_instruction_lines_without_full_stops_stay_apart_in_a_file_not_wrapped():
    assert _join("Bring a list of your medicines", "Wear loose clothing") == [
        "Bring a list of your medicines", "Wear loose clothing"
    ]


def test_a_line_that_clearly_runs_on_is_joined_in_a_file_not_wrapped():
    assert _join("The test is done by the", "nurse in the clinic.") == ["The test is done by the nurse in the clinic."]
    assert _join("You may feel pressure,", "Then it passes.") == ["You may feel pressure, Then it passes."]


def test_an_empty_bullet_is_dropped_and_listed_as_removed():
    result = nz.normalize(b"Summary\n- First item\n- \n- Second item\n")
    assert [line.text for line in result.lines] == ["Summary", "- First item", "", "- Second item"]
    assert [(line.line, line.text) for line in result.removed] == [(3, "-")]


def test_text_direction_characters_are_removed_from_input_text():
    # A right-to-left override would show the words after it backwards in the leaflet.
    assert rules.remove_invisible("Take \u202e2 tablets\u202c, \u2067then\u2069 \u200frest\u200e") == "Take 2 tablets, then rest"
