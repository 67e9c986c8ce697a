"""A synthetic corpus of raw input pages, grown from the two sample files.

Each document is a procedure page as the code-lookup site would give it: site
text around the content, a name block, and sections under headings. What
varies from one document to the next, all drawn from small tables below:

- the procedure: title (approach + action + body part, with or without a
  side), code descriptor, common names and technical term;
- wording: sentences drawn from a pool taken from both samples, shuffled,
  dropped or duplicated, with synonym swaps;
- which sections appear, how long they are, their order, and an occasional
  section under a heading the synonym table does not know;
- the layout: heading wording (synonyms, questions), case, colon, Markdown or
  bold; bullet marks, numbering, labelled items; both name-block forms; site
  lines; blank lines; hard wraps; tabs and non-breaking spaces;
- the bytes: mostly UTF-8, a minority with a BOM, in UTF-16 or Windows-1252,
  with CRLF line endings or with mojibake.

``generate(n, seed)`` is deterministic: the same arguments give the same
bytes. Titles, and so documents, are distinct. ``generate_documents`` also
returns what each document was made from, for tests that compare it with
what the extractor finds.

Run ``python -m tests.support.corpus N OUTDIR [--seed S]`` to write N files.
Generated corpora are for local runs only; do not commit them.
"""

from __future__ import annotations

import argparse
import codecs
import hashlib
import random
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

# -- procedures --------------------------------------------------------------

# (action as in a title, as in a common name, technical-term templates)
ACTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Dilation", "Dilatation", ("{Part} Dilatation by Bougienage", "Balloon Dilatation of the {Part}")),
    ("Excision", "Removal", ("{Part} Resection", "Surgical Excision of the {Part}")),
    ("Repair", "Reconstruction", ("{Part} Reconstruction", "Primary Repair of the {Part}")),
    ("Biopsy", "Tissue Sampling", ("Incisional Biopsy of the {Part}", "{Part} Tissue Biopsy")),
    ("Drainage", "Draining", ("Incision and Drainage of the {Part}", "{Part} Drainage")),
    ("Incision", "Opening", ("{Part} Incision", "Surgical Incision of the {Part}")),
    ("Endoscopy", "Scope Examination", ("Diagnostic Endoscopy of the {Part}", "{Part} Endoscopy")),
    ("Injection", "Shot", ("Therapeutic Injection of the {Part}", "{Part} Infiltration")),
    ("Ligation", "Tying Off", ("Surgical Ligation of the {Part}", "{Part} Ligation")),
    ("Catheterization", "Tube Placement", ("{Part} Catheterization", "Cannulation of the {Part}")),
    ("Exploration", "Examination", ("Surgical Exploration of the {Part}", "{Part} Exploration")),
    ("Destruction of Lesion", "Lesion Removal", ("Ablation of {Part} Lesion", "{Part} Lesion Ablation")),
    ("Removal of Foreign Body", "Object Removal", ("Foreign Body Extraction from the {Part}",)),
    ("Stent Placement", "Stenting", ("{Part} Stent Insertion", "Stenting of the {Part}")),
    ("Revision", "Redo Surgery", ("Revision Surgery of the {Part}",)),
    ("Closure", "Repair of Opening", ("{Part} Closure", "Surgical Closure of the {Part}")),
)

BODY_PARTS: tuple[str, ...] = (
    "Salivary Duct", "Anal Sphincter", "Urethra", "Esophagus", "Lacrimal Duct", "Bile Duct", "Cervix",
    "Ureter", "Nasal Septum", "Eardrum", "Bladder Neck", "Knee Joint", "Shoulder Joint", "Rectum",
    "Pylorus", "Larynx", "Trachea", "Thyroid Gland", "Parotid Gland", "Tear Duct", "Eyelid", "Sinus",
    "Tonsil", "Vocal Cord", "Hip Joint", "Wrist", "Ankle Joint", "Elbow", "Carpal Tunnel", "Achilles Tendon",
    "Colon", "Duodenum", "Pancreatic Duct", "Gallbladder", "Kidney", "Prostate", "Vein", "Artery",
    "Lymph Node", "Skin Cyst",
)
APPROACHES: tuple[str, ...] = (
    "", "Endoscopic", "Laparoscopic", "Percutaneous", "Open", "Image-Guided", "Robotic-Assisted", "Transoral",
)
SIDES: tuple[str, ...] = ("", "Left", "Right", "Bilateral")
DESCRIPTOR_TAILS: tuple[str, ...] = (
    "", " (separate procedure)", " under anesthesia other than local", " (separate procedure) under "
        "anesthesia other than local",
    ", unilateral", ", with imaging guidance", ", each additional segment", " with endoscopic visualization",
)
SIMILAR_CODE_TAILS: tuple[str, ...] = (
    "with or without injection", "simple", "complicated", "under local anesthesia", "with dilation", "initial",
)
_TITLE_SPACE = len(APPROACHES) * len(SIDES) * len(ACTIONS) * len(BODY_PARTS) * 2

# -- content pool: sentences from both samples, made general -----------------
# {part} is the body part in lower case; {proc} the procedure as a phrase.
# Each section has prose sentences, plain list items, labelled items, and
# (for some) numbered steps; a document draws one form, sometimes two.


@dataclass(frozen=True)
class Pool:
    sentences: tuple[str, ...]
    items: tuple[str, ...]
    labelled: tuple[tuple[str, str], ...]
    steps: tuple[str, ...] = ()
    lead_ins: tuple[str, ...] = ()


POOLS: dict[str, Pool] = {
    "summary": Pool(
        sentences=(
            "{Proc} is a minimally invasive procedure aimed at widening a blocked or narrowed {part}.",
            "This technique often utilizes a small endoscope to visualize and treat the obstruction, "
            "thereby improving normal function.",
            "This procedure involves treating the {part} under anesthesia to relieve pain or "
            "obstruction in the region.",
            "It is performed under general or regional anesthesia other than local.",
            "The procedure is usually offered after simpler treatments have not helped.",
            "Most people go home the same day.",
        ),
        items=(
            "A minimally invasive treatment of the {part}",
            "Performed under general or regional anesthesia",
            "Usually done as a day case",
        ),
        labelled=(
            ("What It Is", "A procedure to treat a blocked or narrowed {part}."),
            ("Why It Helps", "It relieves obstruction and restores normal function."),
        ),
    ),
    "purpose": Pool(
        sentences=(
            "The primary goal is to alleviate discomfort or obstruction caused by conditions like "
            "fissures, strictures, or scarring.",
            "It aims to improve normal function and reduce pain associated with tightness in the {part}.",
            "The procedure restores proper flow and alleviates related symptoms such as pain and swelling.",
            "It can also help the doctor find the cause of the problem.",
        ),
        items=(
            "To relieve obstruction in the {part}",
            "To restore normal function and flow",
            "To alleviate pain and swelling",
            "To reduce the risk of recurrent infections",
        ),
        labelled=(
            ("Medical Condition", "Strictures or blockages of the {part}, often due to stones or "
                                  "inflammation."),
            ("Goals", "To relieve obstruction in the {part}, restore proper function, and alleviate "
                      "related symptoms such as pain and swelling."),
            ("Secondary Aims", "To confirm the diagnosis and plan further treatment if needed."),
        ),
    ),
    "indications": Pool(
        sentences=(
            "The procedure is recommended for patients whose symptoms persist despite conservative "
            "treatments like hydration and massage.",
            "It is considered when imaging shows a stricture, stone, or scarring of the {part}.",
            "Doctors may also suggest it after complications of earlier surgery.",
        ),
        items=(
            "Chronic fissures or ulcers that do not respond to other treatments",
            "Stricture or stenosis of the {part}",
            "Persistent pain in the region of the {part}",
            "Complications following earlier surgery",
            "Recurrent swelling and pain, especially during meals",
            "Diagnosed stones, strictures, or chronic infection/inflammation",
        ),
        labelled=(
            ("Symptoms", "Recurrent swelling and pain around the {part}, especially during meals."),
            ("Conditions", "Diagnosed stones, strictures, or chronic infection/inflammation."),
            ("Patient Criteria", "Patients experiencing symptoms despite conservative treatments "
                                 "like hydration and massage."),
        ),
        lead_ins=("Common reasons include:", "The procedure may be needed for patients who have:"),
    ),
    "preparation": Pool(
        sentences=(
            "Patients may be advised to fast for several hours before the procedure.",
            "Discontinuation or adjustment of certain medications, like blood thinners, may be necessary.",
            "Imaging studies such as ultrasound, MRI, or CT scans are often used to locate the obstruction.",
            "A pre-procedure consultation usually includes a physical examination.",
        ),
        items=(
            "Fasting for at least 6-8 hours before the procedure",
            "Adjusting or pausing certain medications as advised by the doctor",
            "A pre-procedure consultation including a physical examination and potentially imaging "
            "of the {part}",
            "Arranging for someone to drive you home afterwards",
        ),
        labelled=(
            ("Instructions", "Patients may be advised to fast for several hours before the "
                             "procedure. Discontinuation or adjustment of certain medications, like "
                             "blood thinners, may be necessary."),
            ("Diagnostic Tests", "Imaging studies such as ultrasound, MRI, or CT scans to locate the "
                                 "obstruction."),
            ("Consent", "The doctor explains the procedure and asks you to sign a consent form."),
        ),
        steps=(
            "Stop eating and drinking at the time you are told.",
            "Take or pause your medications as the doctor advised.",
            "Bring a list of your medicines and allergies.",
            "Arrive at the clinic about an hour early.",
        ),
        lead_ins=("Before the procedure you may be asked to:",),
    ),
    "procedure": Pool(
        sentences=(
            "Local anesthesia and sometimes mild sedation is administered for comfort.",
            "A small endoscope is inserted and navigated into the {part}.",
            "The surgeon uses a series of instruments of increasing size to gently treat the {part}.",
            "The process is done gradually to avoid excessive tearing or damage to the tissue.",
        ),
        items=(
            "Anesthesia is given so the patient is comfortable",
            "The patient is positioned to allow easy access to the {part}",
            "Special instruments or balloons are used to treat the narrowed area",
            "Any stones are extracted using tiny graspers or broken up using a laser",
        ),
        labelled=(
            ("Anesthesia", "Local anesthesia and sometimes mild sedation is administered for comfort."),
            ("Endoscope Insertion", "A small endoscope is inserted and navigated into the {part}."),
            ("Visualization", "The endoscope allows direct visualization of the {part} and the obstruction."),
            ("Dilating Device", "Special dilating instruments or balloons are used to widen the "
                                "narrowed area."),
            ("Stone Removal", "If stones are present, they may be extracted using tiny graspers or "
                              "broken up using a laser."),
        ),
        steps=(
            "Administering general or spinal anesthesia to ensure the patient is unconscious or numb "
            "from the waist down.",
            "The patient is positioned to allow easy access to the {part}.",
            "The surgeon uses a series of instruments of increasing size to gently treat the {part}.",
            "The procedure may also involve the use of lubricants and special surgical tools.",
            "The process is done gradually to avoid excessive tearing or damage to the tissue.",
            "The instruments are removed and the area is checked for bleeding.",
        ),
        lead_ins=("The main steps are:", "The procedure generally includes:"),
    ),
    "duration": Pool(
        sentences=(
            "The procedure typically takes between {a} minutes to {b}, depending on the complexity "
            "of the case.",
            "Typically, the procedure takes about {a}-{c} minutes, excluding anesthesia preparation "
            "and recovery time.",
            "Expect to spend a few hours at the facility in total.",
        ),
        items=("About {a}-{c} minutes for the procedure itself", "Longer if stones must be removed"),
        labelled=(
            ("Procedure Time", "About {a}-{c} minutes."),
            ("Total Visit", "Two to four hours, including recovery."),
        ),
    ),
    "setting": Pool(
        sentences=(
            "The procedure is usually performed in a hospital or an outpatient surgical center "
            "equipped for such operations.",
            "Most patients can go home on the same day.",
        ),
        items=("Outpatient clinic", "Hospital operating room", "Ambulatory surgical center"),
        labelled=(("Location", "Performed in an outpatient clinic, hospital, or surgical center."),),
    ),
    "personnel": Pool(
        sentences=(
            "The procedure is performed by a surgeon with the help of a nurse and, when needed, an "
            "anesthesiologist.",
            "A specialist such as an otolaryngologist (ENT specialist) may lead the team.",
        ),
        items=(
            "Surgeon",
            "Anesthesiologist",
            "Surgical nurse",
            "Operating room technician",
            "Otolaryngologist (ENT specialist)",
            "Radiologist",
        ),
        labelled=(
            ("Involved Professionals", "Surgeon, nurse, possibly an anesthesiologist if significant "
                                       "sedation is required."),
            ("Support Staff", "An operating room technician prepares the instruments."),
        ),
    ),
    "risks": Pool(
        sentences=(
            "As with any procedure, there is a small risk of bleeding or infection.",
            "Rarely, the {part} may be damaged, which can lead to further problems.",
            "Most mild complications can be managed with pain relievers and antibiotics.",
        ),
        items=(
            "Pain or discomfort in the area post-procedure",
            "Risk of bleeding or infection",
            "Possible damage to the {part}",
            "Rare complications like deep tissue infection or severe scarring",
            "Mild pain, swelling, and bruising at the site",
        ),
        labelled=(
            ("Common Risks", "Mild pain, swelling, and bruising at the site."),
            ("Rare Complications", "Infection, persistent obstruction, perforation of the {part}, "
                                   "bleeding, or damage to nearby structures."),
            ("Management", "Most mild complications can be managed with pain relievers and "
                           "antibiotics. More serious complications may require additional intervention."),
        ),
        lead_ins=("Possible risks include:",),
    ),
    "benefits": Pool(
        sentences=(
            "Most patients experience relief from pain and swelling.",
            "Many patients experience immediate relief, with continued improvement over a few days to weeks.",
        ),
        items=(
            "Relief from pain and discomfort caused by the narrowed {part}",
            "Improved function and reduced symptoms",
            "Enhanced quality of life due to reduced symptoms",
            "Reduced risk of recurrent infections",
        ),
        labelled=(
            ("Expected Benefits", "Relief from pain and swelling, improved function, reduced risk of "
                                  "recurrent infections."),
            ("Timeframe for Benefits", "Many patients experience immediate relief, with continued "
                                       "improvement over a few days to weeks."),
        ),
    ),
    "recovery": Pool(
        sentences=(
            "Patients may experience mild to moderate pain, which can be managed with prescribed "
            "painkillers.",
            "Most patients recover within a few days to a week.",
            "Full recovery typically takes a few weeks.",
        ),
        items=(
            "Patients may experience mild to moderate pain, which can be managed with prescribed "
            "painkillers.",
            "Avoiding strenuous activities and heavy lifting for a few days",
            "Maintaining good hygiene and using warm baths for comfort",
            "Follow-up appointments to monitor healing and progress",
            "Full recovery typically takes a few weeks",
        ),
        labelled=(
            ("Post-Procedure Care", "Patients may need to apply ice packs, take prescribed "
                                    "medications, and avoid certain foods."),
            ("Recovery Time", "Most patients recover within a few days to a week."),
            ("Restrictions & Follow-Up", "Regular follow-up visits to monitor the {part} and manage "
                                         "any ongoing issues."),
        ),
        steps=(
            "Rest for the remainder of the day.",
            "Take the prescribed medicines as directed.",
            "Return for your follow-up visit.",
        ),
    ),
    "alternatives": Pool(
        sentences=(
            "Conservative management such as hydration and massage may be tried first.",
            "Surgical removal of the affected tissue is an option when other treatments fail.",
        ),
        items=(
            "Medication management with topical anesthetics or ointments",
            "Botulinum toxin (Botox) injections to relax the muscle",
            "Surgical options like open surgery of the {part}",
            "Pros of alternatives: Less invasive, less recovery time",
            "Cons of alternatives: May not be as effective, potential need for repeat treatments",
        ),
        labelled=(
            ("Other Options", "Conservative management (hydration, massage), shock wave lithotripsy "
                              "for stones, surgical removal of the {part}."),
            ("Pros & Cons", "{Proc} is less invasive with quicker recovery compared to surgery but "
                            "may not be effective for all obstructions."),
        ),
    ),
    "patient_experience": Pool(
        sentences=(
            "Patients will not feel the procedure due to anesthesia; however, they may experience "
            "some initial discomfort once the anesthesia wears off.",
            "Post-procedure, pain management includes medications and warm baths.",
            "The patient can expect gradual relief from symptoms within a few days to weeks, with "
            "significant improvement in quality of life.",
        ),
        items=(
            "Patients will not feel the procedure due to anesthesia; however, they may experience "
            "some initial discomfort once the anesthesia wears off.",
            "Post-procedure, pain management includes medications and warm baths.",
            "The patient can expect gradual relief from symptoms within a few days to weeks.",
        ),
        labelled=(
            ("During Procedure", "Minimal discomfort due to local anesthesia; patients may feel "
                                 "pressure or mild pulling."),
            ("After Procedure", "Mild pain and swelling, managed with prescribed pain relievers. "
                                "Most patients report significant improvement in symptoms shortly "
                                "after the procedure."),
        ),
    ),
}

# Headings the synonym table knows (the first is the samples' own wording).
HEADINGS: dict[str, tuple[str, ...]] = {
    "summary": ("Summary", "Overview", "Procedure Overview", "What Is the Procedure?"),
    "purpose": ("Purpose", "Purpose of the Procedure", "Why Is It Done?", "Goals"),
    "indications": ("Indications", "Who Needs This Procedure?", "When Is It Recommended?"),
    "preparation": ("Preparation", "How to Prepare", "Before the Procedure", "How Do I Prepare?"),
    "procedure": ("Procedure Description", "The Procedure", "What Happens During the Procedure?", "How Is It Done?"),
    "duration": ("Duration", "How Long Does It Take?", "Length of the Procedure"),
    "setting": ("Setting", "Location", "Where Is It Performed?"),
    "personnel": ("Personnel", "Who Performs the Procedure?", "Care Team"),
    "risks": (
        "Risks and Complications",
        "Risks & Complications",
        "What are the risks?",
        "Possible Complications",
        "Risks",
    ),
    "benefits": ("Benefits", "What Are the Benefits?", "Expected Benefits"),
    "recovery": ("Recovery", "Aftercare", "Recovery and Aftercare", "After the Procedure"),
    "alternatives": ("Alternatives", "What Are the Alternatives?", "Other Options", "Alternative Treatments"),
    "patient_experience": ("Patient Experience", "What to Expect", "What Will I Feel?"),
}
NAME_BLOCK_HEADINGS = ("Name of the Procedure", "Procedure Name")
COMMON_NAMES_LABELS = ("Common Name(s)", "Common Names", "Also Known As")
TECHNICAL_TERM_LABELS = ("Technical Term", "Medical Term")

# Headings that mean no canonical section: they go to extra_sections.
EXTRA_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Special Considerations",
        ("Pregnant patients should tell the doctor before the procedure.", "Children may need general anesthesia."),
    ),
    (
        "Cost and Insurance",
        (
            "Most insurance plans cover the procedure when it is medically necessary.",
            "Ask your insurer about out-of-pocket costs.",
        ),
    ),
    (
        "Questions to Ask Your Doctor",
        ("Ask how many of these procedures the team performs each year.", "Ask what to do if symptoms come back."),
    ),
    ("Contact Information", ("Call the clinic if you have a fever or heavy bleeding after the procedure.",)),
)

# Word swaps applied to content; each key is replaced by one of its values.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "typically": ("usually", "generally", "normally"),
    "usually": ("typically", "generally", "commonly"),
    "patients": ("people", "individuals"),
    "doctor": ("physician", "healthcare provider"),
    "mild": ("slight", "minor"),
    "relieve": ("ease", "reduce"),
    "alleviate": ("ease", "relieve"),
    "improve": ("enhance", "better"),
    "several": ("a few", "some"),
    "may": ("might",),
    "performed": ("done", "carried out"),
    "discomfort": ("soreness", "unease"),
    "often": ("frequently", "commonly"),
    "small": ("thin", "tiny"),
    "gently": ("carefully", "slowly"),
}
_SYNONYM_WORD = re.compile(r"\b(" + "|".join(SYNONYMS) + r")\b", re.IGNORECASE)

BULLET_MARKS = ("-", "-", "•", "•", "*", "–", "●")
SITE_BANNER = "Search all medical codes"
SITE_CODE_LINE = "CPT4 code"
SITE_SIMILAR = "Similar Codes"


# -- one document ------------------------------------------------------------


@dataclass(frozen=True)
class Procedure:
    title: str
    descriptor: str
    also_known_as: tuple[str, ...]
    technical_term: str
    part: str
    phrase: str  # the procedure as it reads inside a sentence


@dataclass(frozen=True)
class Layout:
    """How one document is laid out; drawn once per document."""

    heading_case: str  # as-is | upper | lower | sentence
    heading_colon: bool
    heading_markup: str  # "" | "## " | "**"
    question_share: float
    bullet: str
    bullet_indent: str
    numbering: str  # "." or ")"
    blank_around_headings: bool
    blank_between_blocks: bool
    wrap_width: int | None
    unmarked_labels: bool  # "Goals: ..." lines without a bullet mark
    trailing_spaces: bool
    nbsp: bool


@dataclass(frozen=True)
class Document:
    """One generated page and what it was made from."""

    name: str
    data: bytes
    procedure: Procedure
    sections: tuple[str, ...]  # canonical keys present, in the page's order
    extra_headings: tuple[str, ...]
    encoding: str
    name_block_form: str  # "lines" | "parenthesis"
    layout: Layout


def procedure_for(index: int, rng: random.Random) -> Procedure:
    """The procedure at ``index`` of the title space: distinct indexes give distinct titles."""
    index, with_of = divmod(index, 2)
    index, part_index = divmod(index, len(BODY_PARTS))
    index, action_index = divmod(index, len(ACTIONS))
    index, side_index = divmod(index, len(SIDES))
    index, approach_index = divmod(index, len(APPROACHES))
    repeat = index  # only beyond the title space
    action, common_action, technical_templates = ACTIONS[action_index]
    part = BODY_PARTS[part_index]
    side, approach = SIDES[side_index], APPROACHES[approach_index]
    core = f"{action} of {part}" if with_of else f"{action} {part}"
    title = " ".join(word for word in (side, approach, core) if word)
    if repeat:
        title += f", Stage {repeat + 1}"
    descriptor = " ".join(word for word in (approach.lower(), f"{action.lower()} {part.lower()}") if word)
    descriptor = descriptor[0].upper() + descriptor[1:] + rng.choice(DESCRIPTOR_TAILS)
    if side:
        descriptor += f", {side.lower()}"
    technical_term = rng.choice(technical_templates).format(Part=part)
    names = [name for name in (f"{part} {common_action}", f"{part} {action}") if name != technical_term]
    rng.shuffle(names)
    also_known_as = tuple(names[: rng.choice((1, 2, 2))])
    phrase = f"{action.lower()} of the {part.lower()}"
    return Procedure(title, descriptor, also_known_as, technical_term, part.lower(), phrase)


def draw_layout(rng: random.Random) -> Layout:
    markup = rng.choices(("", "## ", "**"), weights=(85, 10, 5))[0]
    wrap = rng.random() < 0.08
    return Layout(
        heading_case=rng.choices(("as-is", "upper", "lower", "sentence"), weights=(75, 12, 5, 8))[0],
        heading_colon=rng.random() < 0.5 and markup != "## ",
        heading_markup=markup,
        question_share=rng.choice((0.0, 0.0, 0.2, 0.5)),
        bullet=rng.choice(BULLET_MARKS),
        bullet_indent=rng.choices(("", "  ", "    ", "\t"), weights=(55, 30, 10, 5))[0],
        numbering=rng.choice((".", ".", ")")),
        blank_around_headings=rng.random() < 0.55,
        blank_between_blocks=rng.random() < 0.5,
        wrap_width=rng.randint(68, 80) if wrap else None,
        unmarked_labels=rng.random() < 0.05,
        trailing_spaces=rng.random() < 0.08,
        nbsp=rng.random() < 0.04,
    )


def swap_words(text: str, rng: random.Random, share: float) -> str:
    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        if rng.random() >= share:
            return word
        new = rng.choice(SYNONYMS[word.lower()])
        return new[0].upper() + new[1:] if word[0].isupper() else new

    return _SYNONYM_WORD.sub(swap, text)


def fill(text: str, procedure: Procedure, numbers: dict[str, int]) -> str:
    proc = procedure.phrase
    return text.format(part=procedure.part, proc=proc, Proc=proc[0].upper() + proc[1:], **numbers)


def heading_text(key: str, layout: Layout, rng: random.Random) -> str:
    choices = HEADINGS[key]
    questions = [h for h in choices if h.endswith("?")]
    if questions and rng.random() < layout.question_share:
        wording = rng.choice(questions)
    else:
        statements = [h for h in choices if not h.endswith("?")]
        wording = statements[0] if rng.random() < 0.6 else rng.choice(statements)
    return styled_heading(wording, layout)


def styled_heading(wording: str, layout: Layout) -> str:
    if layout.heading_case == "upper":
        wording = wording.upper()
    elif layout.heading_case == "lower":
        wording = wording.lower()
    elif layout.heading_case == "sentence":
        wording = wording[0] + wording[1:].lower()
    if layout.heading_colon and not wording.endswith("?"):
        wording += ":"
    if layout.heading_markup == "**":
        return f"**{wording}**"
    return f"{layout.heading_markup}{wording}"


def wrap(text: str, first: str, rest: str, layout: Layout) -> list[str]:
    if layout.wrap_width is None:
        return [first + text]
    return textwrap.wrap(text, layout.wrap_width, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False)


def bullet_lines(items: list[str], layout: Layout) -> list[str]:
    mark = f"{layout.bullet_indent}{layout.bullet} "
    return [line for item in items for line in wrap(item, mark, " " * len(mark.expandtabs(4)), layout)]


def step_lines(items: list[str], layout: Layout) -> list[str]:
    lines = []
    for number, item in enumerate(items, 1):
        mark = f"{layout.bullet_indent}{number}{layout.numbering} "
        lines += wrap(item, mark, " " * len(mark.expandtabs(4)), layout)
    return lines


def paragraph_lines(sentences: list[str], layout: Layout) -> list[str]:
    return wrap(" ".join(sentences), "", "", layout)


def draw(pool: tuple, rng: random.Random, low: int, high: int) -> list:
    count = min(len(pool), rng.randint(low, high))
    chosen = rng.sample(pool, count)
    if len(chosen) > 1 and rng.random() < 0.5:  # keep source order half the time
        chosen.sort(key=pool.index)
    return chosen


def section_blocks(key: str, procedure: Procedure, layout: Layout, rng: random.Random) -> list[list[str]]:
    """The section's content as blocks of physical lines."""
    pool = POOLS[key]
    numbers = {"a": rng.choice((15, 20, 30, 45)), "b": rng.choice(("1 hour", "2 hours")), "c": rng.choice((40, 60, 90))}

    def text(raw: str) -> str:
        return swap_words(fill(raw, procedure, numbers), rng, 0.3)

    forms = ["paragraph", "bullets", "labelled"] + (["steps", "steps"] if pool.steps else [])
    form = rng.choice(forms)
    blocks: list[list[str]] = []
    if form == "paragraph":
        for _ in range(rng.choice((1, 1, 1, 2))):
            sentences = [text(s) for s in draw(pool.sentences, rng, 1, 3)]
            if len(sentences) > 1 and rng.random() < 0.05:  # a sentence pasted twice
                sentences.append(sentences[0])
            blocks.append(paragraph_lines(sentences, layout))
    elif form == "labelled":
        labelled = [f"{label}: {text(value)}" for label, value in draw(pool.labelled, rng, 1, 5)]
        if layout.unmarked_labels and len(labelled) > 1:
            blocks.append([line for item in labelled for line in wrap(item, "", "", layout)])
        else:
            blocks.append(bullet_lines(labelled, layout))
    else:
        source = pool.steps if form == "steps" else pool.items
        items = [text(item) for item in draw(source, rng, 2, 6)]
        lines = step_lines(items, layout) if form == "steps" else bullet_lines(items, layout)
        if pool.lead_ins and rng.random() < 0.25:
            lines.insert(0, rng.choice(pool.lead_ins))
        elif pool.sentences and rng.random() < 0.2:  # a paragraph, then the list
            blocks.append(paragraph_lines([text(rng.choice(pool.sentences))], layout))
        blocks.append(lines)
    return blocks


def section_order(rng: random.Random) -> list[str]:
    keys = [key for key in POOLS if rng.random() < (0.97 if key == "summary" else 0.85)]
    while len(keys) < 5:  # pages always have a handful of sections
        missing = [key for key in POOLS if key not in keys]
        keys.append(rng.choice(missing))
        keys.sort(key=list(POOLS).index)
    if rng.random() < 0.15:  # a page with two sections the other way round
        i = rng.randrange(len(keys) - 1)
        keys[i], keys[i + 1] = keys[i + 1], keys[i]
    return keys


def name_block(procedure: Procedure, layout: Layout, rng: random.Random) -> tuple[list[str], str]:
    heading = styled_heading(rng.choice(NAME_BLOCK_HEADINGS) if rng.random() < 0.2 else NAME_BLOCK_HEADINGS[0], layout)
    names = ", ".join(procedure.also_known_as)
    if rng.random() < 0.5:
        form = "lines"
        common, technical = rng.choice(COMMON_NAMES_LABELS), rng.choice(TECHNICAL_TERM_LABELS)
        mark = f"{layout.bullet} " if rng.random() < 0.9 else ""
        body = [procedure.title, f"{mark}{common}: {names}", f"{mark}{technical}: {procedure.technical_term}"]
    else:
        form = "parenthesis"
        common = rng.choice(("Common names", "Also known as"))
        technical = rng.choice(("Medical term", "Technical term"))
        body = [procedure.title, f"({common}: {names}; {technical}: {procedure.technical_term})"]
    return [heading, *body], form


def similar_codes(rng: random.Random) -> list[str]:
    lines = [SITE_SIMILAR]
    for _ in range(rng.choice((0, 0, 1, 2, 3, 5))):
        code = rng.randint(10000, 69999)
        part = rng.choice(BODY_PARTS).lower()
        action = rng.choice(ACTIONS)[0].lower()
        lines.append(f"{code} {action.capitalize()} {part}, {rng.choice(SIMILAR_CODE_TAILS)}")
    return lines


def page_lines(
    procedure: Procedure, layout: Layout, rng: random.Random
) -> tuple[list[str], tuple[str, ...], tuple[str, ...], str]:
    """All lines of one page, plus the canonical keys and extra headings it holds."""
    groups: list[tuple[bool, list[str]]] = []  # (is a heading, lines); blank lines go between groups
    banner = rng.random() < 0.92
    top = [SITE_BANNER] if banner else []
    if banner or rng.random() < 0.5:
        top += [procedure.descriptor, SITE_CODE_LINE]
    elif rng.random() < 0.5:
        top.append(SITE_CODE_LINE)
    groups += [(False, [line]) for line in top]

    names, form = name_block(procedure, layout, rng)
    groups += [(True, names[:1]), (False, names[1:])]

    keys = section_order(rng)
    sections: list[tuple[str, list[list[str]]]] = [
        (heading_text(key, layout, rng), section_blocks(key, procedure, layout, rng)) for key in keys
    ]
    extras: list[str] = []
    if rng.random() < 0.12:
        heading, sentences = rng.choice(EXTRA_SECTIONS)
        extras.append(heading)
        extra = (styled_heading(heading, layout), [paragraph_lines(list(sentences), layout)])
        sections.insert(rng.randint(len(sections) // 2, len(sections)), extra)
    for heading, blocks in sections:
        groups.append((True, [heading]))
        groups += [(False, block) for block in blocks]

    if rng.random() < 0.6:
        groups.append((False, similar_codes(rng)))

    lines: list[str] = []
    previous_heading = False
    for is_heading, group in groups:
        blank = layout.blank_around_headings if (is_heading or previous_heading) else layout.blank_between_blocks
        if lines and blank:
            lines.append("")
        lines += group
        previous_heading = is_heading
    return lines, tuple(keys), tuple(extras), form


def add_noise(lines: list[str], layout: Layout, rng: random.Random) -> list[str]:
    if layout.nbsp:
        lines = [line.replace(" ", "\u00a0", 1) if rng.random() < 0.2 else line for line in lines]
    if layout.trailing_spaces:
        lines = [line + " " * rng.randint(1, 3) if line and rng.random() < 0.3 else line for line in lines]
    return lines


# -- bytes -------------------------------------------------------------------


def encode(text: str, rng: random.Random) -> tuple[bytes, str]:
    """The text in the bytes of a randomly drawn real-world encoding."""
    if rng.random() < 0.15:
        text = text.replace("\n", "\r\n")
    encoding = rng.choices(
        ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "windows-1252", "mojibake"),
        weights=(74, 7, 6, 1, 8, 4),
    )[0]
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le"), "utf-16"
    if encoding == "utf-8-sig":
        return codecs.BOM_UTF8 + text.encode("utf-8"), encoding
    if encoding == "utf-16-le":
        return text.encode("utf-16-le"), encoding
    if encoding in ("windows-1252", "mojibake"):
        try:
            if encoding == "windows-1252":
                return text.encode("cp1252"), encoding
            # UTF-8 bytes read as Windows-1252 and saved again as UTF-8: "â€¢" for "•".
            broken = text.encode("utf-8").decode("cp1252")
            if broken != text:
                return broken.encode("utf-8"), encoding
        except UnicodeError:
            pass  # a character that Windows-1252 lacks: plain UTF-8 instead
    return text.encode("utf-8"), "utf-8"


def make_document(index: int, title_index: int, seed: int) -> Document:
    rng = random.Random(f"{seed}:{index}")
    procedure = procedure_for(title_index, rng)
    layout = draw_layout(rng)
    lines, keys, extras, form = page_lines(procedure, layout, rng)
    lines = add_noise(lines, layout, rng)
    text = "\n".join(lines) + ("\n" if rng.random() < 0.8 else "")
    data, encoding = encode(text, rng)
    name = f"{index:05d}_{hashlib.sha256(data).hexdigest()[:16]}.txt"
    return Document(name, data, procedure, keys, extras, encoding, form, layout)


def generate_documents(n: int, seed: int = 0) -> list[Document]:
    if n < 0:
        raise ValueError("n must not be negative")
    rng = random.Random(seed)
    in_space = rng.sample(range(_TITLE_SPACE), min(n, _TITLE_SPACE))
    title_indexes = in_space + list(range(_TITLE_SPACE, _TITLE_SPACE + n - len(in_space)))
    return [make_document(index, title_index, seed) for index, title_index in enumerate(title_indexes)]


def generate(n: int, seed: int = 0) -> list[tuple[str, bytes]]:
    """``n`` distinct raw input documents as (file name, bytes)."""
    return [(document.name, document.data) for document in generate_documents(n, seed)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.support.corpus", description="Write N generated raw input documents to OUTDIR."
    )
    parser.add_argument("n", type=int, metavar="N", help="number of documents")
    parser.add_argument("outdir", type=Path, metavar="OUTDIR", help="folder to write the .txt files to")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("N must not be negative")
    args.outdir.mkdir(parents=True, exist_ok=True)
    for name, data in generate(args.n, args.seed):
        (args.outdir / name).write_bytes(data)
    print(f"wrote {args.n} documents to {args.outdir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())


def write_corpus(folder: Path, count: int, seed: int = 7) -> list[str]:
    """Write ``count`` generated pages into ``folder``; their ids."""
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for name, data in generate(count, seed):
        (folder / name).write_bytes(data)
        names.append(Path(name).stem)
    return names
