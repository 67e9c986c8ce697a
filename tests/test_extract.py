"""extract: headings, names, blocks and warnings on small hand-written inputs."""

from __future__ import annotations

import pytest

from pipeline.config.headings import default_table
from pipeline.errors import InputError
from pipeline.lines import HeadingStyle, heading_style
from pipeline.model import Block
from pipeline.yamlio import dump_leaflet

from .conftest import leaflet_from_bytes


def extract_text(text: str):
    return leaflet_from_bytes(text.encode())


def paragraphs(*texts: str) -> tuple[Block, ...]:
    return tuple(Block(kind="paragraph", text=t) for t in texts)


def plain(blocks):
    """Blocks without source line numbers, for comparing."""
    return [(b.kind, b.text, [(i.label, i.text) for i in b.items]) for b in blocks]


@pytest.mark.parametrize(
    "heading",
    [
        "Risks", "Risks:", "RISKS", "risks:", "## Risks", "# Risks:", "**Risks**", "**Risks:**", "Risks & Complications",
        "Risks and complications:", "What are the risks?", "What are the possible risks of this procedure?",
        "Possible Complications", "3. Risks", "Side effects:",
    ],
)
def test_heading_forms_all_mean_risks(heading):
    leaflet = extract_text(f"Summary\nShort text.\n{heading}\nBleeding may happen.\n")
    assert plain(leaflet.sections["risks"]) == [("paragraph", "Bleeding may happen.", [])]


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("Aftercare", "recovery"), ("How to Prepare", "preparation"), ("Why is it done?", "purpose"),
        ("What to expect", "patient_experience"), ("How long does it take?", "duration"),
        ("Who performs the procedure?", "personnel"), ("Where is it done?", "setting"),
        ("Other options", "alternatives"), ("Overview", "summary"), ("Who needs it?", "indications"),
        ("What happens during the procedure?", "procedure"), ("What are the benefits?", "benefits"),
    ],
)
def test_synonyms_map_to_canonical_sections(heading, key):
    leaflet = extract_text(f"{heading}\nSome words here.\n")
    assert plain(leaflet.sections[key]) == [("paragraph", "Some words here.", [])]


def test_inline_heading_with_text_on_the_same_line():
    leaflet = extract_text("Summary: A short summary.\nDuration: About an hour.\n")
    assert plain(leaflet.sections["summary"]) == [("paragraph", "A short summary.", [])]
    assert plain(leaflet.sections["duration"]) == [("paragraph", "About an hour.", [])]


def test_labelled_lines_in_a_run_stay_labelled_items_even_if_a_label_is_a_heading_word():
    leaflet = extract_text("Purpose\nMedical Condition: Stones.\nGoals: To relieve pain.\nRecovery Time: A week.\n")
    assert plain(leaflet.sections["purpose"]) == [
        ("bullets", "", [("Medical Condition", "Stones."), ("Goals", "To relieve pain."), ("Recovery Time", "A week.")])
    ]
    assert leaflet.sections["recovery"] == ()


def test_bullets_steps_paragraphs_and_labels_keep_order_and_structure():
    leaflet = extract_text(
        "Procedure\nFirst a paragraph.\n1. One\n2) Two\n(3) Three\n- Bullet one\n• Goals: To relieve\n"
        "- Symptoms:\nClosing paragraph.\n"
    )
    assert plain(leaflet.sections["procedure"]) == [
        ("paragraph", "First a paragraph.", []),
        ("steps", "", [(None, "One"), (None, "Two"), (None, "Three")]),
        ("bullets", "", [(None, "Bullet one"), ("Goals", "To relieve"), ("Symptoms", "")]),
        ("paragraph", "Closing paragraph.", []),
    ]


def test_block_and_item_carry_source_line_numbers():
    leaflet = extract_text("Summary\n\nText.\n\nRisks\n- a\n- b\n")
    assert leaflet.sections["summary"][0].line == 3
    assert [item.line for item in leaflet.sections["risks"][0].items] == [6, 7]


def test_name_block_dash_lines():
    leaflet = extract_text(
        "Name of the Procedure:\nKnee Arthroscopy\n- Common Name(s): Knee scope, Keyhole knee surgery\n"
        "- Technical Term: Arthroscopy of the knee\nSummary\nText.\n"
    )
    assert leaflet.title == "Knee Arthroscopy"
    assert leaflet.also_known_as == ("Knee scope", "Keyhole knee surgery")
    assert leaflet.technical_term == "Arthroscopy of the knee"


def test_name_block_one_line_form():
    leaflet = extract_text(
        "Name of the Procedure:\n\nKnee Arthroscopy\n(Common names: Knee scope, Keyhole knee surgery; "
        "Medical term: Arthroscopy of the knee)\n\nSummary:\nText.\n"
    )
    assert leaflet.title == "Knee Arthroscopy"
    assert leaflet.also_known_as == ("Knee scope", "Keyhole knee surgery")
    assert leaflet.technical_term == "Arthroscopy of the knee"


def test_scraped_preamble_is_the_code_descriptor():
    leaflet = extract_text("Search all medical codes\nKnee arthroscopy, diagnostic\nCPT4 code\nSummary\nText.\n")
    assert leaflet.code.system == "CPT4"
    assert leaflet.code.descriptor == "Knee arthroscopy, diagnostic"
    assert leaflet.title == "Knee arthroscopy, diagnostic"
    assert [line.text for line in leaflet.source.removed] == ["Search all medical codes", "CPT4 code"]


def test_first_line_is_the_title_when_there_is_no_name_block():
    leaflet = extract_text("# Knee Arthroscopy\n\n## Summary\nText.\n")
    assert leaflet.title == "Knee Arthroscopy"
    assert leaflet.code is None  # not a coded page: no code at all


def test_unknown_heading_goes_to_extra_sections_with_a_warning():
    leaflet = extract_text("Summary\nText.\nSpecial Considerations\nDiabetes needs care.\nRisks\nBleeding.\n")
    assert [(e.heading, plain(e.content)) for e in leaflet.extra_sections] == [
        ("Special Considerations", [("paragraph", "Diabetes needs care.", [])])
    ]
    assert plain(leaflet.sections["risks"]) == [("paragraph", "Bleeding.", [])]
    assert any("Special Considerations" in w.message and w.line == 3 for w in leaflet.warnings)


def test_a_lead_in_line_is_not_a_heading():
    leaflet = extract_text("Preparation\nBefore the procedure you should:\n- fast\n- rest\n")
    assert leaflet.extra_sections == ()
    assert plain(leaflet.sections["preparation"])[0] == ("paragraph", "Before the procedure you should:", [])


def test_repeated_section_is_merged_with_a_warning():
    leaflet = extract_text("Risks\nBleeding.\nSummary\nText.\nComplications\nInfection.\n")
    assert plain(leaflet.sections["risks"]) == [("paragraph", "Bleeding.", []), ("paragraph", "Infection.", [])]
    assert any("appears again" in w.message and w.line == 5 for w in leaflet.warnings)


def test_all_fifteen_sections_present_in_canonical_order_even_when_empty():
    leaflet = extract_text("Risks\nBleeding.\n")
    assert list(leaflet.sections) == [
        "summary", "purpose", "indications", "preparation", "procedure", "duration", "setting", "personnel",
        "risks", "benefits", "recovery", "alternatives", "doing_nothing", "patient_experience", "urgent_help",
    ]
    assert leaflet.sections["summary"] == ()


def test_text_before_the_first_heading_is_kept_in_summary():
    leaflet = extract_text("Knee Arthroscopy\nAn intro sentence.\nSummary\nText.\n")
    assert leaflet.title == "Knee Arthroscopy"
    assert plain(leaflet.sections["summary"]) == [
        ("paragraph", "An intro sentence.", []), ("paragraph", "Text.", [])
    ]
    assert any("outside any section" in w.message for w in leaflet.warnings)


@pytest.mark.parametrize("text", ["Just one line of prose without headings.", "Knee Arthroscopy"])
def test_no_headings_is_an_error(text):
    with pytest.raises(InputError, match="no recognisable section headings"):
        extract_text(text)


def test_empty_section_and_headings_only():
    leaflet = extract_text("Summary\nRisks\nRecovery\n")
    assert all(blocks == () for blocks in leaflet.sections.values())
    assert leaflet.title == "doc"


@pytest.mark.parametrize(
    ("heading", "key"),
    [("Preparation Instructions:", "preparation"), ("Patient Experience and Expectations", "patient_experience"),
     ("## Recovery Time Expectations", "recovery")],
)
def test_heading_holding_a_known_heading_maps_to_it(heading, key):
    leaflet = extract_text(f"Summary\nText.\n{heading}\nMore text.\n")
    assert plain(leaflet.sections[key]) == [("paragraph", "More text.", [])]
    assert leaflet.extra_sections == ()


def test_heading_naming_two_sections_stays_extra():
    leaflet = extract_text("Summary\nText.\nRisks and Benefits\nBoth.\n")
    assert [extra.heading for extra in leaflet.extra_sections] == ["Risks and Benefits"]


def test_sentence_mentioning_a_section_is_not_a_heading():
    leaflet = extract_text("Summary\nRecovery is quick for most people.\n")
    assert plain(leaflet.sections["summary"]) == [("paragraph", "Recovery is quick for most people.", [])]


def test_bold_labels_become_labelled_items():
    leaflet = extract_text("Purpose\n- **Goals:** To relieve pain.\n- **Medical Condition**: Stones.\n")
    assert plain(leaflet.sections["purpose"]) == [
        ("bullets", "", [("Goals", "To relieve pain."), ("Medical Condition", "Stones.")])
    ]


def test_setext_underlines_and_rules_are_removed_and_recorded():
    leaflet = extract_text("Summary\n=======\nText.\n\n-----\n\nRisks\n-----\nBleeding.\n")
    assert plain(leaflet.sections["summary"]) == [("paragraph", "Text.", [])]
    assert plain(leaflet.sections["risks"]) == [("paragraph", "Bleeding.", [])]
    assert [line.text for line in leaflet.source.removed] == ["=======", "-----", "-----"]


# -- layouts found with the generated corpus ------------------------------------


def test_unknown_heading_after_an_unpunctuated_list_item_starts_a_section():
    leaflet = extract_text("Personnel\n- Surgeon\n- Radiologist\nCost and Insurance\nMost plans cover it.\n")
    assert plain(leaflet.sections["personnel"]) == [("bullets", "", [(None, "Surgeon"), (None, "Radiologist")])]
    assert [(e.heading, plain(e.content)) for e in leaflet.extra_sections] == [
        ("Cost and Insurance", [("paragraph", "Most plans cover it.", [])])
    ]


def test_lower_case_headings_without_blank_lines_are_headings():
    leaflet = extract_text(
        "name of the procedure\nDilation of Urethra\nsummary\nThis procedure widens the urethra, a tube that "
        "carries urine out of the body, under anesthesia.\n- A minimally invasive treatment\nhow do i prepare?\n"
        "1. Stop eating at midnight.\n"
    )
    assert leaflet.title == "Dilation of Urethra"
    assert plain(leaflet.sections["summary"]) == [
        ("paragraph", "This procedure widens the urethra, a tube that carries urine out of the body, under anesthesia.",
         []),
        ("bullets", "", [(None, "A minimally invasive treatment")]),
    ]
    assert plain(leaflet.sections["preparation"]) == [("steps", "", [(None, "Stop eating at midnight.")])]


def test_lower_case_heading_after_the_technical_term_is_a_heading():
    leaflet = extract_text(
        "name of the procedure:\nKnee Arthroscopy\n- Technical Term: Arthroscopy of the knee\nsummary:\nText.\n"
    )
    assert leaflet.technical_term == "Arthroscopy of the knee"
    assert plain(leaflet.sections["summary"]) == [("paragraph", "Text.", [])]


@pytest.mark.parametrize(
    "lead_in", ["The main steps are:", "The steps are:", "Your recovery steps include:", "The procedure involves:"]
)
def test_a_lead_in_naming_a_section_is_not_a_heading(lead_in):
    leaflet = extract_text(f"Recovery\n{lead_in}\n1. Rest for the day.\n")
    assert plain(leaflet.sections["recovery"]) == [
        ("paragraph", lead_in, []), ("steps", "", [(None, "Rest for the day.")])
    ]
    assert leaflet.sections["procedure"] == ()


def test_a_lead_in_under_personnel_stays_with_its_list_on_a_lookup_site_page():
    # "The procedure involves:" loosely names "What Does the Procedure Involve": a lead-in, not a heading.
    leaflet = extract_text(
        "Search all medical codes\n\nPlaster cast\n\nCPT4 code\n\nSummary\n\nA cast holds a bone still.\n\n"
        "Procedure Description\n\n1. The limb is wrapped.\n\nPersonnel\n\nThe procedure involves:\n\n"
        "  • A plaster technician\n  • A nurse\n"
    )
    assert plain(leaflet.sections["personnel"]) == [
        ("paragraph", "The procedure involves:", []),
        ("bullets", "", [(None, "A plaster technician"), (None, "A nurse")]),
    ]
    assert plain(leaflet.sections["procedure"]) == [("steps", "", [(None, "The limb is wrapped.")])]
    assert not leaflet.warnings


def test_sentence_case_unknown_heading_between_blank_lines_is_a_heading():
    leaflet = extract_text(
        "Summary\n\nText.\n\nSpecial considerations\n\nPatients with diabetes need care.\n\nRisks\n\nBleeding.\n"
    )
    assert [(e.heading, plain(e.content)) for e in leaflet.extra_sections] == [
        ("Special considerations", [("paragraph", "Patients with diabetes need care.", [])])
    ]
    assert plain(leaflet.sections["summary"]) == [("paragraph", "Text.", [])]


def test_lower_case_unknown_heading_between_blank_lines_is_a_heading():
    leaflet = extract_text("summary\n\ntext.\n\ncost and insurance\n\n- Most plans cover it.\n\nrisks\n\nbleeding.\n")
    assert [(e.heading, plain(e.content)) for e in leaflet.extra_sections] == [
        ("cost and insurance", [("bullets", "", [(None, "Most plans cover it.")])])
    ]


@pytest.mark.parametrize(
    "text",
    [
        # a list written as plain lines, with or without blank lines between them
        "Summary\n\nText.\n\nPersonnel\n\nSurgeon\n\nAnesthesiologist\n\nSurgical nurse\n\nRisks\n\nBleeding.\n",
        "Summary\nText.\nPersonnel\nSurgeon\nAnesthesiologist\nSurgical Nurse\nRisks\nBleeding.\n",
        # the first line of a section, however short
        "Summary\n\nText.\n\nSetting\n\nOutpatient clinic\n\nMost people go home the same day.\n\nRisks\n\nBleeding.\n",
        # a short line that is the last in its section
        "Summary\n\nText.\n\nSetting\n\nMost people go home the same day.\n\nOutpatient clinic\n\nRisks\n\nBleeding.\n",
    ],
)
def test_short_plain_lines_in_a_section_are_not_headings(text):
    leaflet = extract_text(text)
    assert leaflet.extra_sections == ()
    assert plain(leaflet.sections["risks"]) == [("paragraph", "Bleeding.", [])]


def test_short_lines_in_the_name_block_are_not_headings():
    leaflet = extract_text(
        "Name of the Procedure\n\nDilation of urethra\n\nUrethral dilation\n\nSummary\n\nText.\n"
    )
    assert leaflet.title == "Dilation of urethra"
    assert leaflet.extra_sections == ()


def test_short_line_in_a_file_without_blank_lines_around_headings_is_text():
    leaflet = extract_text("Summary\nText.\n\nOutpatient clinic\n\nMore text here.\nRisks\nBleeding.\n")
    assert leaflet.extra_sections == ()


def test_unknown_heading_written_like_the_files_sentence_case_headings():
    leaflet = extract_text(
        "Summary\nText.\nRisks and complications\n- Bleeding\nContact information\n"
        "Call the clinic if you have a fever.\nPatient experience\nMost feel little.\n"
    )
    assert [(e.heading, plain(e.content)) for e in leaflet.extra_sections] == [
        ("Contact information", [("paragraph", "Call the clinic if you have a fever.", [])])
    ]
    assert plain(leaflet.sections["risks"]) == [("bullets", "", [(None, "Bleeding")])]


def test_unknown_heading_written_like_the_files_lower_case_colon_headings():
    leaflet = extract_text(
        "summary:\ntext.\nrisks:\n- bleeding\ncontact information:\ncall the clinic if you have a fever.\n"
        "what are the benefits?\nrelief.\n"
    )
    assert [(e.heading, plain(e.content)) for e in leaflet.extra_sections] == [
        ("contact information", [("paragraph", "call the clinic if you have a fever.", [])])
    ]


def test_sentence_case_line_in_a_title_case_file_is_text():
    leaflet = extract_text(
        "Summary\nText.\nRisks and Complications\nBleeding.\nOutpatient clinic\nMost people go home the same day.\n"
    )
    assert leaflet.extra_sections == ()


def test_plain_list_lines_in_a_sentence_case_file_are_not_headings():
    leaflet = extract_text(
        "Summary\nText.\nPersonnel\nSurgeon\nNurse anesthetist\nOperating room technician\n"
        "Risks and complications\nBleeding.\n"
    )
    assert leaflet.extra_sections == ()
    assert plain(leaflet.sections["risks"]) == [("paragraph", "Bleeding.", [])]


@pytest.mark.parametrize(
    ("lines", "style"),
    [
        (["Summary", "Text.", "Risks and complications", "Bleeding."], HeadingStyle("sentence", False, False)),
        (["summary:", "", "Text.", "", "what are the risks?", "", "Bleeding."], HeadingStyle("lower", True, True)),
        (["Summary", "Text.", "Risks and Complications", "Bleeding."], HeadingStyle(None, False, False)),
        # the indented or full-stopped end of a wrapped sentence is no heading
        (["summary", "Text that", "  after the procedure.", "risks", "More."], HeadingStyle("lower", False, False)),
    ],
)
def test_heading_style_of_a_file(lines, style):
    assert heading_style(lines, default_table()) == style


def test_name_lines_without_their_heading_are_still_the_name_block():
    text = (
        "My Procedure\n- Common Name(s): First Name, Second Name\n- Technical Term: Technical Thing\n\n"
        "A line of text.\n\nSummary\nWhat it is.\n"
    )
    leaflet = extract_text(text)
    assert leaflet.title == "My Procedure"
    assert leaflet.also_known_as == ("First Name", "Second Name")
    assert leaflet.technical_term == "Technical Thing"
    assert [block.text for block in leaflet.section("summary")] == ["A line of text.", "What it is."]


# -- sub-headings inside a section, and lists nested under steps -----------------------------


def outline(blocks):
    """Blocks as (kind, heading or text, items with their sub-items), groups opened up."""
    def item(entry):
        return (entry.label, entry.text, [item(sub) for sub in entry.items]) if entry.items else (entry.label, entry.text)

    return [
        ("group", block.heading, outline(block.blocks)) if block.kind == "group"
        else (block.kind, block.text, [item(entry) for entry in block.items])
        for block in blocks
    ]


def test_colon_labels_under_risks_are_its_sub_headings_not_sections_of_their_own():
    leaflet = extract_text(
        "Summary\nA short text.\nRisks and Complications\nCommon:\n- A bruise\n- Soreness\nRare:\n- Infection\n"
        "Benefits\n- Less pain\n"
    )
    assert outline(leaflet.sections["risks"]) == [
        ("group", "Common", [("bullets", "", [(None, "A bruise"), (None, "Soreness")])]),
        ("group", "Rare", [("bullets", "", [(None, "Infection")])]),
    ]
    assert leaflet.extra_sections == () and not [w for w in leaflet.warnings if "procedure name" not in w.message]
    assert outline(leaflet.sections["benefits"]) == [("bullets", "", [(None, "Less pain")])]


def test_a_label_naming_its_own_section_heads_a_part_of_it():
    leaflet = extract_text("Preparation\nPre-Procedure Instructions:\n- Fast from midnight\nDiagnostic Tests:\n- None\n")
    assert [block.heading for block in leaflet.sections["preparation"]] == ["Pre-Procedure Instructions", "Diagnostic Tests"]
    assert not any("appears again" in warning.message for warning in leaflet.warnings)


def test_on_a_page_whose_headings_end_with_colons_an_unknown_colon_heading_is_a_section():
    leaflet = extract_text("Summary:\nA short text.\nRisks:\nA bruise.\nParking Notes:\nPark well.\n")
    assert [extra.heading for extra in leaflet.extra_sections] == ["Parking Notes"]


def test_a_sub_heading_with_nothing_under_it_stays_as_text():
    leaflet = extract_text("Summary\nA short text.\nRisks\nRare:\nBenefits\n- Less pain\n")
    assert outline(leaflet.sections["risks"]) == [("paragraph", "Rare", [])]


def test_a_section_word_among_the_entries_of_an_unmarked_list_is_an_entry():
    # "Surgery" names the procedure section, but here it is one of the alternatives.
    leaflet = extract_text(
        "Summary\nThis repairs the knee.\nAlternatives\nOther options include:\nMedication\nSurgery\n"
        "Physical therapy\n\nRecovery\nRest for a week.\n"
    )
    assert [block.text for block in leaflet.sections["alternatives"]] == [
        "Other options include:", "Medication", "Surgery", "Physical therapy",
    ]
    assert leaflet.sections["procedure"] == () and [b.text for b in leaflet.sections["recovery"]] == ["Rest for a week."]
    # Without a lead-in, on a page that sets a blank line before each heading: still an entry.
    leaflet = extract_text(
        "Summary\nThis repairs the knee.\n\nAlternatives\nMedication\nSurgery\nPhysical therapy\n\nRecovery\nRest for a week.\n"
    )
    assert [block.text for block in leaflet.sections["alternatives"]] == ["Medication", "Surgery", "Physical therapy"]
    assert leaflet.sections["procedure"] == ()


def test_a_sub_heading_straight_above_another_stays_as_text():
    # Two in a row: the first heads nothing and was lost (found by the fuzz test).
    leaflet = extract_text("Summary\nA short text.\nRisks and Complications\nCommon:\nRare:\n- Infection\nBenefits\n- Less pain\n")
    assert outline(leaflet.sections["risks"]) == [
        ("paragraph", "Common", []), ("group", "Rare", [("bullets", "", [(None, "Infection")])]),
    ]


def test_bullets_between_steps_are_the_step_before_them_and_the_numbering_goes_on():
    leaflet = extract_text(
        "Procedure Description\n1. The skin is numbed.\n2. The growth is removed in one of two ways:\n"
        "- Blade: it is sliced off.\n- Loop: a wire lifts it.\n3. A dressing goes on.\n"
    )
    assert outline(leaflet.sections["procedure"]) == [("steps", "", [
        (None, "The skin is numbed."),
        (None, "The growth is removed in one of two ways:", [("Blade", "it is sliced off."), ("Loop", "a wire lifts it.")]),
        (None, "A dressing goes on."),
    ])]


def test_bullets_after_a_last_step_ending_with_a_colon_are_its_own():
    leaflet = extract_text("Procedure Description\n1. You lie down.\n2. Then one of these is used:\n- a laser\n- a loop\n")
    steps = leaflet.sections["procedure"][0]
    assert steps.kind == "steps" and [sub.text for sub in steps.items[1].items] == ["a laser", "a loop"]


def test_bullets_after_a_finished_last_step_stay_a_list_of_their_own():
    leaflet = extract_text("Procedure Description\n1. You lie down.\n2. It is done.\n- Tools: a loop\n")
    assert [block.kind for block in leaflet.sections["procedure"]] == ["steps", "bullets"]


def test_technical_terms_in_the_plural_is_the_technical_term():
    leaflet = extract_text("Name of the Procedure:\nEar Wax Removal\nCommon Names: Ear cleaning\nTechnical Terms: Cerumen removal\nSummary\nText.\n")
    assert (leaflet.title, leaflet.also_known_as, leaflet.technical_term) == ("Ear Wax Removal", ("Ear cleaning",), "Cerumen removal")


# -- the name block in the forms real pages write it ------------------------------------------

NAMES_BODY = "\nSummary\nA short text.\nRisks\n- A bruise\n"


@pytest.mark.parametrize(
    ("name_lines", "title", "also_known_as", "term"),
    [
        ("Ear Wax Removal, also known as ear cleaning or ear irrigation.", "Ear Wax Removal",
         ("ear cleaning", "ear irrigation"), None),
        ("Removal of hardened ear wax. Commonly known as ear cleaning.", "Removal of hardened ear wax", ("ear cleaning",), None),
        ("Ear Wax Removal (also called: ear syringing)", "Ear Wax Removal", ("ear syringing",), None),
        ("Ear Wax Removal (Common name: ear cleaning)", "Ear Wax Removal", ("ear cleaning",), None),
        ("Ear Wax Removal\nCommonly known as ear cleaning, ear syringing, or ear irrigation.", "Ear Wax Removal",
         ("ear cleaning", "ear syringing", "ear irrigation"), None),
        ("Ear Wax Removal Common Names: ear cleaning, ear syringing Technical Terms: cerumen removal", "Ear Wax Removal",
         ("ear cleaning", "ear syringing"), "cerumen removal"),
        ("Ear Wax Removal\nCommon Names: ear cleaning\nTechnical/Medical Terms: cerumen removal", "Ear Wax Removal",
         ("ear cleaning",), "cerumen removal"),
        ("Ear Wax Removal (HCPCS Code G0268).", "Ear Wax Removal", (), None),
        # a series sharing its words names one thing; an acronym first is a name of its own
        ("Sedation for Lower Bowel Scopes (Commonly known as Colonoscopy or Sigmoidoscopy Sedation)",
         "Sedation for Lower Bowel Scopes", ("Colonoscopy or Sigmoidoscopy Sedation",), None),
        ("Bladder Scope\nAlso known as: Bladder Scope with Burning, Freezing, or Laser Treatment", "Bladder Scope",
         ("Bladder Scope with Burning, Freezing, or Laser Treatment",), None),
        ("Heart Bypass, also known as CABG or coronary artery bypass.", "Heart Bypass",
         ("CABG", "coronary artery bypass"), None),
        ("Bladder Scope\nAlso known as: Cystoscopy, bladder camera test, or cysto", "Bladder Scope",
         ("Cystoscopy", "bladder camera test", "cysto"), None),
    ],
)
def test_name_block_forms(name_lines, title, also_known_as, term):
    leaflet = extract_text(f"Name of the Procedure:\n{name_lines}{NAMES_BODY}")
    assert (leaflet.title, leaflet.also_known_as, leaflet.technical_term) == (title, also_known_as, term)
    assert plain(leaflet.sections["summary"]) == [("paragraph", "A short text.", [])]


def test_a_name_line_before_the_name_heading_is_the_title():
    leaflet = extract_text(
        "Search all medical codes\nRemoval of impacted ear wax requiring instruments, one ear\nCPT4 code\n"
        f"Ear Wax Removal\nName of the Procedure:\n- Common Name: Ear cleaning\n- Medical Term: Cerumen extraction{NAMES_BODY}"
    )
    assert (leaflet.title, leaflet.also_known_as, leaflet.technical_term) == (
        "Ear Wax Removal", ("Ear cleaning",), "Cerumen extraction"
    )
    assert leaflet.code.descriptor == "Removal of impacted ear wax requiring instruments, one ear"
    assert plain(leaflet.sections["summary"]) == [("paragraph", "A short text.", [])]


@pytest.mark.parametrize(
    "descriptor",
    [
        "Shaving of a skin growth; each additional growth (List separately in addition to code for primary procedure)",
        "Shaving of a skin growth (List in addition to code for the first growth)",
    ],
)
def test_the_title_never_carries_billing_words_which_stay_in_the_descriptor(descriptor):
    leaflet = extract_text(f"Search all medical codes\n{descriptor}\nCPT4 code\nName of the Procedure:\n{descriptor}{NAMES_BODY}")
    assert leaflet.title == "Shaving of a skin growth"
    assert leaflet.code.descriptor == descriptor


# -- pages whose headings were lost ---------------------------------------------

_LOST_TOP = "Search all medical codes\n\nA joint procedure\n\nCPT4 code\n\nName of the Procedure:\n\nJoint Procedure\n\n\n"


def test_blocks_that_do_not_fit_the_missing_sections_stay_apart_under_their_section_with_a_warning():
    text = (
        _LOST_TOP + "A short summary of it.\n\nPurpose\n\nIt eases pain.\n\n"
        "Risks and Complications\n\n- Bleeding\n- Infection\n\n\n- Less pain\n- Better movement\n"
    )
    leaflet = extract_text(text)
    assert plain(leaflet.sections["risks"]) == [
        ("bullets", "", [(None, "Bleeding"), (None, "Infection")]),
        ("bullets", "", [(None, "Less pain"), (None, "Better movement")]),  # never one list
    ]
    [warning] = [w for w in leaflet.warnings if "heading were lost" in w.message]
    assert warning.line == 24 and "kept under 'risks'" in warning.message and "1 block(s) do not fit the 4" in warning.message


def test_a_page_with_all_its_headings_and_wide_gaps_is_left_as_it_is():
    text = _LOST_TOP.replace("\n\n", "\n\n\n") + "Summary\n\n\nA short summary.\n\n\n" + (
        "Risks and Complications\n\n\n- Bleeding\n\n\n- Infection\n"
    )
    leaflet = extract_text(text)
    assert not [w for w in leaflet.warnings if "lost" in w.message]
    assert plain(leaflet.sections["risks"]) == [("bullets", "", [(None, "Bleeding"), (None, "Infection")])]


def test_a_lead_in_keeps_its_list_across_a_wide_gap():
    text = _LOST_TOP + "Summary\n\nIt is short.\n\nProcedure Description\n\nThe steps are:\n\n\n- Numbing\n- Repair\n"
    leaflet = extract_text(text)
    assert [b.kind for b in leaflet.sections["procedure"]] == ["paragraph", "bullets"]
    assert not leaflet.sections["duration"]


def test_lost_headings_are_placed_only_on_the_lookup_sites_pages():
    text = "Joint Procedure\n\nSummary\n\nIt is short.\n\n\nIt helps with pain.\n\nRisks\n\n- Bleeding\n"
    leaflet = extract_text(text)
    assert len(leaflet.sections["summary"]) == 2 and not leaflet.sections["purpose"]


def test_blocks_before_a_heading_no_table_knows_are_not_placed():
    text = _LOST_TOP + "A short summary.\n\nPurpose\n\n- To ease pain\n\n\n- To help movement\n\nCosts To Consider\n\nA list.\n"
    leaflet = extract_text(text)
    assert not leaflet.sections["indications"] and len(leaflet.sections["purpose"][0].items) == 2
    assert [w.line for w in leaflet.warnings if "lost" in w.message] == [12]  # only the summary, before Purpose


def test_plain_items_after_a_label_with_no_text_are_its_sub_items():
    leaflet = extract_text(
        "Summary\nShort.\nProcedure Description\n- Numbing:\n- A small injection numbs the skin.\n"
        "- Repair:\n- The surgeon stitches the tear.\n- The wound is dressed.\nRisks\n- Bleeding\n"
    )
    [block] = leaflet.sections["procedure"]
    assert [(item.label, item.text, [sub.text for sub in item.items]) for item in block.items] == [
        ("Numbing", "", ["A small injection numbs the skin."]),
        ("Repair", "", ["The surgeon stitches the tear.", "The wound is dressed."]),
    ]


def test_a_code_tag_at_the_end_of_the_name_line_is_not_part_of_the_title():
    leaflet = extract_text(
        "Search all medical codes\nTobacco counselling, brief\nCPT4 code\nName of the Procedure:\n"
        "Tobacco Counselling, Brief (HCPCS Code: G0436).\nSummary\nA short talk.\n"
    )
    assert leaflet.title == "Tobacco Counselling, Brief"
    assert leaflet.code.descriptor == "Tobacco counselling, brief (HCPCS Code: G0436)"  # the code is not lost


def test_a_sentence_leading_into_a_list_is_not_a_sub_heading():
    leaflet = extract_text(
        "Summary\n\nShort.\n\nSetting\n\nThis test is done in several kinds of place:\n\n- A clinic\n- A ward\n\n"
        "Risks\n\nCommon:\n\n- Bruising\n"
    )
    assert [b.kind for b in leaflet.sections["setting"]] == ["paragraph", "bullets"]
    assert [b.kind for b in leaflet.sections["risks"]] == ["group"]


def test_a_name_block_of_labels_only_gives_its_first_common_name_as_title():
    leaflet = extract_text(
        "Service the patient chose to have (patient is aware it is optional)\nHCPCS code\nName of the Procedure:\n"
        "Common name(s): Optional Service, Elective Service\nTechnical/medical term: S0001\nSummary\nA short text.\n"
    )
    assert (leaflet.title, leaflet.also_known_as, leaflet.technical_term) == ("Optional Service", ("Elective Service",), "S0001")


def test_two_labelled_items_written_on_one_line_are_two_items():
    leaflet = extract_text(
        "Summary\nShort.\nProcedure Description\n1. The ear is rinsed.\n2. It is dried.\n"
        "Tools: A syringe and a light. Anesthesia or Sedation: Not needed; a numbing drop is rare.\nRisks\n- Dizziness\n"
    )
    assert plain(leaflet.sections["procedure"])[-1] == (
        "bullets", "", [("Tools", "A syringe and a light."), ("Anesthesia or Sedation", "Not needed; a numbing drop is rare.")]
    )


def test_a_sentence_with_a_colon_is_not_split_into_labels():
    leaflet = extract_text("Summary\nNote: the doctor will explain it. You may ask questions.\nRisks\n- Dizziness\n")
    assert plain(leaflet.sections["summary"]) == [("paragraph", "Note: the doctor will explain it. You may ask questions.", [])]


def test_bullets_indented_under_the_last_step_are_its_sub_items():
    leaflet = extract_text(
        "Summary\n\nShort.\n\nProcedure Description\n\n  1. You lie on a couch.\n  2. Pads go on your chest.\n"
        "    • Tools: a recorder and pads.\n    • No numbing is needed.\n\nRisks\n\n  • Skin redness\n"
    )
    [steps] = leaflet.sections["procedure"]
    assert [(item.text, [(sub.label, sub.text) for sub in item.items]) for item in steps.items] == [
        ("You lie on a couch.", []),
        ("Pads go on your chest.", [("Tools", "a recorder and pads."), (None, "No numbing is needed.")]),
    ]
    assert plain(leaflet.sections["risks"]) == [("bullets", "", [(None, "Skin redness")])]  # not indented under a step


def test_a_heading_not_set_off_like_the_pages_own_heads_a_part_of_its_section():
    leaflet = extract_text(
        "Summary\n\nShort.\n\nProcedure Description\n\n  1. The tube is numbed.\n  2. It is widened.\n"
        "Tools and Equipment\n  • Dilators of growing size\n\nRisks and Complications\n\n  • Bleeding\n"
    )
    assert [b.kind for b in leaflet.sections["procedure"]] == ["steps", "group"]
    assert leaflet.sections["procedure"][1].heading == "Tools and Equipment" and not leaflet.extra_sections


def test_a_sub_heading_with_nothing_after_it_on_a_page_with_lost_headings_is_kept():
    leaflet = extract_text(  # found by the fuzz test
        "Name of the Procedure:\nThe\n- Common Name(s): the\n- Technical Term: the\nabout the procedure\n\n"
        "The.\nSearch all medical codes\nThe\nThe.\n## May\n"
    )
    assert "May" in dump_leaflet(leaflet)
