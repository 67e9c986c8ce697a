"""Hospitals' own patient leaflets as input: headings read by their words, site chrome at the
edges, the leaflet's own record under ``source``, titles, and leaflets without a code."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
import yaml

from pipeline.config.headings import default_table, table_from_data
from pipeline.config.site_text import default_site_text, site_text_from_data
from pipeline.errors import ConfigError
from pipeline.extract import extract
from pipeline.model import SCHEMA_VERSION
from pipeline.normalize import normalize
from pipeline.yamlio import dump_leaflet, load_leaflet

from .conftest import TESTS, leaflet_from_bytes, run_leaflets
from .support.rendering import pdftotext, squash


def leaflet_of(text: str):
    return leaflet_from_bytes(text.encode("utf-8"))


# -- headings by meaning ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "section", "rule"),
    [
        # The procedure's name and filler around the keyword do not matter.
        ("Why do I need a flexible cystoscopy?", "purpose", "keyword 'why ... need'"),
        ("How do I prepare for my colonoscopy?", "preparation", "keyword 'prepar*'"),
        ("What are the possible after-effects or risks?", "risks", "keyword 'risk*'"),
        ("Are there any after effects?", "risks", "keyword 'after effect*'"),  # not "after" (recovery)
        ("What are the alternatives to flexible cystoscopy?", "alternatives", "keyword 'alternative*'"),
        ("What happens if I decide not to go ahead?", "doing_nothing", "keyword 'decide not'"),
        ("What if I do nothing?", "doing_nothing", "synonym"),
        ("When should I have cataract surgery?", "indications", "keyword 'when should i have'"),
        ("Background", "summary", "keyword 'background'"),
        ("What are the intended benefits of this procedure?", "benefits", "keyword 'benefit*'"),
        ("What can I expect when I get home?", "recovery", "keyword 'home'"),
        ("Why is a gastroscopy done?", "purpose", "keyword 'why ... done'"),
        ("What is a gastroscopy?", "summary", "question form 'what is'"),
        ("What are the risks?", "risks", "synonym"),
        ("Are there any side effects?", "risks", "synonym words"),
        ("How is the operation undertaken?", "procedure", "keyword 'how ... undertaken'"),
        ("The operation", "procedure", "synonym"),
        ("Surgery:", "procedure", "synonym"),
        ("Very common risks", "risks", "synonym words"),
        ("Rare complications", "risks", "synonym words"),
    ],
)
def test_a_heading_is_read_by_its_words(heading, section, rule):
    choice = default_table().classify(heading)
    assert (choice.key, choice.rule) == (section, rule)


def test_a_heading_with_keywords_of_two_sections_is_no_choice():
    choice = default_table().classify("What should I bring on the day?")
    assert choice.key is None and choice.candidates == ("preparation", "procedure")
    assert "preparation ('bring')" in choice.rule and "procedure ('on the day')" in choice.rule


def test_a_heading_without_keywords_is_no_choice():
    choice = default_table().classify("Where is the large bowel?")
    assert choice.key is None and choice.rule == "no synonym, keyword or question form"


def test_keywords_are_data():
    table = table_from_data({"sections": {"risks": ["Risks"]}, "keywords": {"setting": ["car park*"]}})
    assert table.classify("Which car parks are nearest?").key == "setting"
    assert table.classify("How do I prepare?").key is None  # no built-in keywords in a table of one's own


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"sections": {}, "keywords": {"nonsense": ["x"]}}, "keywords: expected a mapping of section keys"),
        ({"sections": {}, "keywords": {"risks": "risk"}}, "keywords.risks: expected a list of strings"),
        ({"sections": {}, "keywords": {"risks": ["..."]}}, "keywords.risks: '...' has no words"),
    ],
)
def test_bad_keywords_are_a_configuration_error(data, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        table_from_data(data)


def test_a_leaflet_of_question_headings_only_is_not_refused():
    leaflet = leaflet_of(
        "Having a bladder scan\n"
        "Why do I need a bladder scan?\n"
        "It shows how much urine is left after you go to the toilet.\n"
        "How do I prepare for my bladder scan?\n"
        "Drink two glasses of water an hour before.\n"
        "Where do I park\n"
        "Use the car park by the main entrance.\n"
    )
    assert leaflet.title == "Having a bladder scan"
    assert leaflet.sections["purpose"][0].text.startswith("It shows")
    assert leaflet.sections["preparation"][0].text.startswith("Drink")
    assert [extra.heading for extra in leaflet.extra_sections] == ["Where do I park"]
    assert any("'Where do I park' matches no known section" in w.message for w in leaflet.warnings)
    assert [(found.heading, found.section) for found in leaflet.source.headings] == [
        ("Why do I need a bladder scan", "purpose"),
        ("How do I prepare for my bladder scan", "preparation"),
    ]


def test_every_heading_is_explained():
    leaflet = leaflet_of("Eye drops\n\nWhy do I need eye drops?\n\nTo keep the pressure down.\n\nParking\n\nBy the door.\n")
    notes = [(note.line, note.message) for note in leaflet.explanations]
    assert notes == [
        (3, "heading 'Why do I need eye drops' -> purpose (keyword 'why ... need')"),
        (7, "heading 'Parking' -> extra_sections (no synonym, keyword or question form)"),
    ]


# -- site chrome --------------------------------------------------------------------------------


def test_chrome_is_dropped_at_the_edges_and_kept_inside_sentences():
    leaflet = leaflet_of(
        "Site Logo\n\nSkip to content\n\nEar Syringing\n\nPrint this page\n\n"
        "What is ear syringing?\n\nWarm water washes out wax. Print this page and bring it along.\n\n"
        "Print this page\n\nUseful websites:\nVisit the hearing charity website\n\n"
        "We would like your feedback. Fill in a card in clinic.\n"
    )
    removed = [line.text for line in leaflet.source.removed]
    assert removed == [
        "Site Logo", "Skip to content", "Print this page", "Print this page", "Useful websites:",
        "Visit the hearing charity website", "We would like your feedback. Fill in a card in clinic.",
    ]
    assert leaflet.title == "Ear Syringing"
    assert leaflet.sections["summary"][0].text == "Warm water washes out wax. Print this page and bring it along."


def test_edge_rules_stay_off_lookup_site_pages():
    text = (TESTS / "golden" / "003_4a4ee41c62ba9be6" / "input.txt").read_text("utf-8")
    normalized = normalize(("Useful websites:\n" + text).encode())
    assert normalized.lookup_site
    assert "Useful websites:" in normalized.text


def test_keep_chrome_keeps_every_line():
    data = (TESTS / "golden" / "hospital_site_chrome" / "input.txt").read_bytes()
    normalized = normalize(data, keep_chrome=True)
    assert normalized.removed == () and "Hospital Logo" in normalized.text


def test_a_rule_may_only_name_known_facts():
    with pytest.raises(ConfigError, match="unknown group name"):
        site_text_from_data({"rules": [{"pattern": "(?P<colour>red)"}]})
    with pytest.raises(ConfigError, match="then_drop"):
        site_text_from_data({"rules": [{"pattern": "contents", "then_drop": "x"}]})


def test_a_wrapped_notice_is_dropped_whole():
    site_text = default_site_text()
    text = (
        "Wrist Splint\n\nIf you would like this leaflet in large print or another\nlanguage, "
        "please ask the nurse.\n\nWhy do I need a splint?\n\nIt rests the joint.\n"
    )
    leaflet = extract(normalize(text.encode(), site_text=site_text), doc_id="x", source_path="x", sha256="0" * 64)
    assert [line.text for line in leaflet.source.removed] == [
        "If you would like this leaflet in large print or another language, please ask the nurse."
    ]


# -- the leaflet's own record -------------------------------------------------------------------


def test_record_lines_become_source_fields_not_content():
    leaflet = leaflet_of(
        "Hip Injection\n\nReference Number: ABC-12/2025\nDepartment: Pain Clinic\nLast updated: 2 February 2025\n\n"
        "Why do I need a hip injection?\n\nTo ease pain in the joint.\n\n"
        "Author: Pain nurse team\nReview date: March 2028\n"
    )
    assert leaflet.source.fields() == {
        "reference": "ABC-12/2025",
        "published": "2025-02-02",
        "review_date": "March 2028",  # no day: as written
        "department": "Pain Clinic",
        "author": "Pain nurse team",
    }
    text = dump_leaflet(leaflet)
    assert "ABC-12/2025" not in json.dumps(yaml.safe_load(text)["sections"])
    assert dump_leaflet(load_leaflet(text)) == text  # the schema takes the fields, and they load back
    assert yaml.safe_load(text)["schema_version"] == 4


# -- titles and code ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Urology\nWhat is a flexible cystoscopy?\nA look inside the bladder.\n", "Flexible cystoscopy"),
        ("This leaflet is about your test.\nWhat is a colonoscopy?\nA look at the bowel.\n", "Colonoscopy"),
        ("Tonsillectomy - a guide for patients\n\nWhy do I need it?\n\nTo stop infections.\n", "Tonsillectomy"),
        ("Gastroscopy\n\nWhat is the procedure?\n\nA camera test.\n", "Gastroscopy"),
        # A heading asking about a section names no procedure: no title, so the file name (with a warning).
        ("If your ears keep aching, you may be offered this.\n\nWhat happens?\n\nYou sleep.\n\n"
         "What are the risks?\n\nBleeding.\n", "doc"),
    ],
)
def test_the_title_is_the_pages_own_title_line_or_its_first_naming_heading(text, title):
    leaflet = leaflet_of(text)
    assert leaflet.title == title
    assert title not in [block.text for block in leaflet.sections["summary"]]


def test_a_leaflet_without_a_code_has_no_code_key_and_cpt_pages_keep_theirs():
    hospital = dump_leaflet(leaflet_of("Wrist Splint\n\nWhy do I need a splint?\n\nIt rests the joint.\n"))
    assert "\ncode:" not in hospital
    cpt = (TESTS / "golden" / "000_17bfeb77524420af" / "expected.yaml").read_text("utf-8")
    assert "\ncode:\n  system: CPT4" in cpt and cpt.splitlines()[1] == f"schema_version: {SCHEMA_VERSION}"


# -- what a user gets ---------------------------------------------------------------------------


@pytest.mark.slow
def test_a_leaflet_without_a_code_renders_everywhere(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "input").mkdir()
    source = TESTS / "golden" / "hospital_questions" / "input.txt"
    (tmp_path / "input" / "sigmoidoscopy.txt").write_bytes(source.read_bytes())
    code, _, err = run_leaflets(capsys, "build", "input", "-o", "out", "-j", "1", "--explain")
    assert code == 0, err
    assert "sigmoidoscopy.txt:17: note: heading 'Why do I need a Flexible Sigmoidoscopy' -> purpose" in err
    out = tmp_path / "out"
    page = (out / "html" / "sigmoidoscopy.html").read_text("utf-8")
    assert "<h1" in page and "Flexible Sigmoidoscopy" in page and "None" not in page
    pdf_text = pdftotext(out / "pdf" / "sigmoidoscopy.pdf")
    assert "FlexibleSigmoidoscopy" in squash(pdf_text) and "Usethesmallenema" in squash(pdf_text)
    assert "Flexible Sigmoidoscopy" in (out / "index.html").read_text("utf-8")
    review = (out / "review.html").read_text("utf-8")
    for shown in ("Reference", "WDH-204/2024", "Published", "2024-03-03", "Department", "Endoscopy"):
        assert shown in review
    code, printed, _ = run_leaflets(capsys, "check", "-o", "out")
    assert code == 0 and ": error:" not in printed
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert report["files"][0]["explanations"]


@pytest.mark.slow
def test_keep_chrome_from_the_command_line(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in").mkdir()
    source = TESTS / "golden" / "hospital_site_chrome" / "input.txt"
    (tmp_path / "in" / "biopsy.txt").write_bytes(source.read_bytes())
    code, _, err = run_leaflets(capsys, "extract", "in", "-o", "out", "-j", "1", "--keep-chrome")
    assert code == 0, err
    data = yaml.safe_load((tmp_path / "out" / "yaml" / "biopsy.yaml").read_text("utf-8"))
    assert data["source"]["removed"] == [] and "Hospital Logo" in json.dumps(data)
    code, _, err = run_leaflets(capsys, "extract", "in", "-o", "out", "-j", "1")  # the rules again: redone
    data = yaml.safe_load((tmp_path / "out" / "yaml" / "biopsy.yaml").read_text("utf-8"))
    assert "Hospital Logo" in data["source"]["removed"]


def test_the_schema_file_in_the_output_is_the_one_with_the_new_fields():
    schema = json.loads((Path(__file__).resolve().parent.parent / "pipeline" / "config" / "schema" / "leaflet.schema.json").read_text())
    assert schema["properties"]["schema_version"]["enum"] == [1, 2, 3, 4]
    assert "code" not in schema["required"]
    assert {"reference", "published", "review_date", "department", "author", "headings"} <= set(
        schema["properties"]["source"]["properties"]
    )


def test_sha_of_fixture_inputs_is_what_the_golden_says():
    # The golden YAMLs of the hospital layouts name their input's hash: a changed fixture is a changed golden.
    for name in ("hospital_questions", "hospital_no_blank_lines", "hospital_answers_next_line", "hospital_site_chrome"):
        data = (TESTS / "golden" / name / "input.txt").read_bytes()
        assert hashlib.sha256(data).hexdigest() in (TESTS / "golden" / name / "expected.yaml").read_text("utf-8")


def test_a_document_kind_line_is_no_title_and_a_picture_credit_is_no_content():
    leaflet = leaflet_of(
        "Patient Information Leaflet\nKnee washout\nBackground:\nA knee washout cleans the joint with fluid through "
        "small cuts.\nReproduced from A Book of Joints, Example Press, 2001. Drawn by A. Artist\n"
        "When should I have a knee washout?\nWhen the joint is infected.\n"
    )
    assert leaflet.title == "Knee washout"
    assert [block.text for block in leaflet.sections["summary"]] == [
        "A knee washout cleans the joint with fluid through small cuts."
    ]
    assert [block.text for block in leaflet.sections["indications"]] == ["When the joint is infected."]
    assert [line.text for line in leaflet.source.removed] == [
        "Patient Information Leaflet", "Reproduced from A Book of Joints, Example Press, 2001. Drawn by A. Artist",
    ]


def test_a_sentence_that_reproduces_something_stays():
    leaflet = leaflet_of("Knee washout\n\nWhat is it?\n\nReproduced from your notes, the plan is set out below.\n")
    assert "Reproduced from your notes" in leaflet.sections["summary"][0].text


# -- layouts found on pages the project was not tuned on ------------------------------------------


def test_likelihood_headings_open_the_risks_as_parts_of_it():
    # No blank lines; the first likelihood heading opens the risks and keeps its words.
    leaflet = leaflet_of(
        "Ear tube insertion\nWhy is it done?\nTo let fluid drain from the middle ear.\n"
        "Very common risks (1 in 1 to 1 in 10 people)\nSoreness: The ear may ache for a day.\n"
        "Common risks (1 in 10 to 1 in 100 people)\nSome fluid may leak for a week.\n"
        "Rare risks (less than 1 in 1000 people)\nThe tube may fall out early.\n"
    )
    risks = leaflet.sections["risks"]
    assert [block.heading for block in risks] == [
        "Very common risks (1 in 1 to 1 in 10 people)",
        "Common risks (1 in 10 to 1 in 100 people)",
        "Rare risks (less than 1 in 1000 people)",
    ]
    assert risks[2].blocks[0].text == "The tube may fall out early."
    assert [block.text for block in leaflet.sections["purpose"]] == ["To let fluid drain from the middle ear."]
    assert not leaflet.extra_sections


def test_a_section_named_by_its_own_heading_is_no_part_of_itself():
    leaflet = leaflet_of("Ear tube insertion\n\nComplications\n\nThe tube may fall out early.\n")
    assert [block.kind for block in leaflet.sections["risks"]] == ["paragraph"]


def test_a_division_line_a_trail_of_pages_and_information_for_are_no_title():
    leaflet = leaflet_of(
        "Division of Ear Surgery\nClinic > Departments > Ear care > Children > Grommets\nPAGE\nMENU\n\n"
        "Information for grommet insertion\n\nWhat is glue ear?\n\nFluid collects behind the eardrum.\n\n"
        "The operation\n\nA small tube is placed in the eardrum.\n\nAfter surgery\n\nKeep the ear dry for two weeks.\n"
    )
    assert leaflet.title == "Grommet insertion"
    assert leaflet.source.department == "Division of Ear Surgery"
    assert [block.text for block in leaflet.sections["procedure"]] == ["A small tube is placed in the eardrum."]
    assert [block.text for block in leaflet.sections["recovery"]] == ["Keep the ear dry for two weeks."]
    assert [block.text for block in leaflet.sections["summary"]] == ["Fluid collects behind the eardrum."]
    assert "Clinic > Departments > Ear care > Children > Grommets" in [line.text for line in leaflet.source.removed]
    assert not leaflet.extra_sections and not leaflet.warnings


@pytest.mark.parametrize(
    ("line", "title"),
    [("Information for patients", "Glue ear"), ("Information about your anaesthetic", "Information about your anaesthetic")],
)
def test_information_for_patients_or_about_your_care_is_not_cut(line, title):
    leaflet = leaflet_of(f"{line}\n\nWhat is glue ear?\n\nFluid collects behind the eardrum.\n")
    assert leaflet.title == title


def test_a_surgeons_sheet_with_colon_headings_puts_its_approaches_under_the_procedure():
    # "Surgery:" heads the procedure (a synonym); "Open approach:" under it is a part of it (its words say so).
    leaflet = leaflet_of(
        "Patient Information Leaflet\nKnee washout\nBackground:\nA knee washout cleans the joint with fluid.\n"
        "When should I have a knee washout?\nWhen the joint is infected.\nSurgery:\nYou will be asleep for it.\n"
        "Open approach:\nThe surgeon opens the joint through one cut.\nKeyhole approach:\nA camera goes in through two cuts.\n"
        "Risks:\nThe infection may come back.\n"
    )
    procedure = leaflet.sections["procedure"]
    assert procedure[0].text == "You will be asleep for it."
    assert [block.heading for block in procedure[1:]] == ["Open approach", "Keyhole approach"]
    assert [block.text for block in leaflet.sections["indications"]] == ["When the joint is infected."]
    assert [block.text for block in leaflet.sections["risks"]] == ["The infection may come back."]
    assert not leaflet.extra_sections and not leaflet.warnings


def test_a_title_written_again_over_two_lines_is_not_joined_into_the_first_paragraph():
    leaflet = leaflet_of(
        "Carpal tunnel release\n\nCarpal tunnel\nrelease\n"
        "This sheet tells you about the operation on your wrist, what\n"
        "it involves and what you can expect once you are back home.\n\nWhat are the risks?\n\n"
        "The scar may be sore for a few weeks and the palm may ache when\n"
        "you grip things hard, but this settles in most people by itself.\n"
    )
    assert leaflet.title == "Carpal tunnel release"
    assert [block.text for block in leaflet.sections["summary"]] == [
        "This sheet tells you about the operation on your wrist, what it involves and what you can expect once you "
        "are back home."
    ]
    assert [(line.line, line.text) for line in leaflet.source.removed] == [(3, "Carpal tunnel release")]
