"""Plain-language help in `leaflets check`, as a reviewer runs it: the samples' hardest sentences,
unexplained terms, 'the patient' and long passive sentences at the line and column of the words;
a plain rewrite of a sample that passes; approvals above the reading grade; the grade set in the
theme or by a flag; and few enough warnings to be read."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest

from pipeline.model import REVIEWER_SECTIONS, Block, Item
from pipeline.review.check import check_text
from pipeline.yamlio import dump_leaflet, load_leaflet

from .conftest import ROOT, TESTS, leaflet_from_bytes, run_leaflets

TODAY = dt.date(2026, 11, 22)
SALIVARY, ANAL = "000_17bfeb77524420af", "003_4a4ee41c62ba9be6"
PLAIN = TESTS / "fixtures" / "plain_rewrite" / f"{SALIVARY}.yaml"
PLAIN_LANGUAGE = ("sentence at reading grade", "passive voice", "a patient does not know", "speaks to the reader",
                  "reading grade", "reads above grade")
LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<severity>\w+): (?P<message>.*)$")


def sample_yaml(doc_id: str) -> str:
    """The YAML extraction makes of ``input/<id>.txt``."""
    data = (ROOT / "input" / f"{doc_id}.txt").read_bytes()
    return dump_leaflet(leaflet_from_bytes(data, doc_id=doc_id, source_path=f"input/{doc_id}.txt"))


def place(text: str, words: str) -> tuple[int, int]:
    """1-based line and column where ``words`` (on one line) first stand in ``text``; a ``|`` in
    ``words`` marks the place meant, when it is not their start."""
    before, _, after = words.rpartition("|")
    for number, line in enumerate(text.splitlines(), start=1):
        if before + after in line:
            return number, line.index(before + after) + len(before) + 1
    raise AssertionError(f"{words!r} not in the YAML")


def check_lines(capsys, *args: str) -> tuple[int, list[dict[str, str]]]:
    code, out, _ = run_leaflets(capsys, "check", *args)
    return code, [match.groupdict() for match in map(LINE.match, out.splitlines()) if match]


@pytest.fixture
def samples(tmp_path, monkeypatch) -> dict[str, tuple[Path, str]]:
    """Both samples extracted from input/*.txt into yaml/ of a working folder."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "yaml").mkdir()
    found = {}
    for doc_id in (SALIVARY, ANAL):
        text = sample_yaml(doc_id)
        path = tmp_path / "yaml" / f"{doc_id}.yaml"
        path.write_text(text, "utf-8")
        found[doc_id] = (path, text)
    return found


# What check must say about each sample, and the words it must point at: (the start of the
# message, the words on the line it points at, the column at the first of them or at a |).
EXPECTED = {
    SALIVARY: [
        ("sentence at reading grade 19.8 (above 6): 'Otolaryngologist (ENT specialist), nurse,", "Otolaryngologist (ENT"),
        ("sentence at reading grade 19.0 (above 6): 'More serious complications may require", "antibiotics. |More"),
        ("sentence at reading grade 15.9 (above 6): 'Diagnosed salivary duct stones", "Diagnosed salivary"),
        ("sentence at reading grade 15.8 (above 6): 'Patients experiencing symptoms", "Patients experiencing"),
        ("sentence at reading grade 15.1 (above 6): 'Discontinuation or adjustment", "Discontinuation"),
        ("'sialolithiasis' may be a word a patient does not know", "sialolithiasis"),
        ("'sialadenitis' may be a word a patient does not know", "sialadenitis"),
        ("'strictures' may be a word a patient does not know", "strictures or blockages"),
        ("'endoscope' may be a word a patient does not know", "small |endoscope"),
        ("'sedation' may be a word a patient does not know", "sedation is administered"),
        ("'ESWL' may be a word a patient does not know", "ESWL"),
        ("says 'Patients': a leaflet speaks to the reader as 'you'", "Patients experiencing"),
        ("says 'Patients': a leaflet speaks to the reader as 'you'", "Patients may be advised"),
        ("a long sentence (14 words) in the passive voice ('is inserted')", "A small endoscope is inserted"),
        ("a long sentence (12 words) in the passive voice ('be advised')", "Patients may be advised"),
    ],
    ANAL: [
        ("sentence at reading grade 18.6 (above 6): 'Surgical options like lateral internal", "Surgical options"),
        ("sentence at reading grade 18.2 (above 6): 'Medication management with topical", "Medication management"),
        ("sentence at reading grade 16.6 (above 6): 'A pre-procedure consultation", "A pre-procedure consultation"),
        ("sentence at reading grade 14.3 (above 6): 'Typically, the procedure takes", "Typically, the procedure"),
        ("sentence at reading grade 13.5 (above 6): 'The procedure is usually performed", "The procedure is usually"),
        ("'anoscopy' may be a word a patient does not know", "anoscopy"),
        ("'colonoscopy' may be a word a patient does not know", "colonoscopy"),
        ("'sitz baths' may be a word a patient does not know", "sitz baths"),
        ("'fissures' may be a word a patient does not know", "fissures, strictures"),
        ("'stenosis' may be a word a patient does not know", "stenosis"),
        ("says 'the patient': a leaflet speaks to the reader as 'you'", "the patient is unconscious"),
        ("says 'The patient': a leaflet speaks to the reader as 'you'", "The patient is positioned"),
        ("a long sentence (12 words) in the passive voice ('is positioned')", "The patient is positioned"),
        ("a long sentence (14 words) in the passive voice ('is done')", "The process is done"),
    ],
}


@pytest.mark.parametrize("doc_id", [SALIVARY, ANAL])
def test_check_on_a_sample_points_at_its_hardest_sentences_terms_and_third_person(samples, capsys, doc_id):
    path, text = samples[doc_id]
    code, lines = check_lines(capsys, str(path))
    assert code == 0 and lines and all(line["severity"] == "warning" for line in lines)
    at = {(int(line["line"]), int(line["column"]), line["message"]) for line in lines}
    for message, words in EXPECTED[doc_id]:
        line, column = place(text, words)
        assert any((found_line, found_column) == (line, column) and found.startswith(message)
                   for found_line, found_column, found in at), (message, line, column, sorted(at))
    # The five hardest, each with its grade, are marked and no more; the rest are counted at the title.
    hard = [line for line in lines if line["message"].startswith("sentence at reading grade")]
    assert len(hard) == 5
    title_line, _ = place(text, "title: ")
    summary = [line["message"] for line in lines if int(line["line"]) == title_line]
    assert len(summary) == 1 and re.search(r"for the whole leaflet, above 6; \d+ of its \d+ graded sentences are "
                                           r"above 6, the 5 hardest marked", summary[0])
    # Only plain-language warnings in a fresh extraction of the samples, and not many of them.
    assert all(any(kind in line["message"] for kind in PLAIN_LANGUAGE) for line in lines)
    assert len(lines) <= 25


def test_a_term_explained_in_brackets_or_met_before_is_not_warned_about(samples, capsys):
    path, _ = samples[SALIVARY]
    _, lines = check_lines(capsys, str(path))
    messages = [line["message"] for line in lines]
    assert not any(message.startswith("'stones'") for message in messages)
    # 'endoscope' is used three times: only its first use is warned about.
    assert sum(message.startswith("'endoscope'") for message in messages) == 1
    # 'the patient' in 7 places: 3 marked, the last of them counting the others.
    third = [line for line in lines if "speaks to the reader" in line["message"]]
    assert len(third) == 3 and third[-1]["message"].endswith("(and 4 more places below, not marked: search for 'patient')")


def test_the_plain_rewrite_of_a_sample_passes_with_no_warning_at_all():
    text = PLAIN.read_text("utf-8")
    leaflet = load_leaflet(text)
    original = load_leaflet(sample_yaml(SALIVARY))
    # It is the same leaflet, every section of the original rewritten (and the sections reviewers write added) ...
    assert (leaflet.id, leaflet.source.sha256) == (original.id, original.source.sha256)
    assert [key for key, blocks in original.sections.items() if blocks] == [
        key for key, blocks in leaflet.sections.items() if blocks and key not in REVIEWER_SECTIONS
    ]
    # ... approved, and check has nothing to say about it: no hard sentence, term, 'patient' or passive.
    assert leaflet.review.status == "approved"
    assert check_text(text, TODAY) == []


def test_the_plain_rewrite_passes_check_strict(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    today = dt.date.today()
    text = PLAIN.read_text("utf-8").replace("reviewed_on: 2026-03-02", f"reviewed_on: {today - dt.timedelta(days=7)}")
    text = text.replace("next_review_due: 2027-03-01", f"next_review_due: {today + dt.timedelta(days=365)}")
    (tmp_path / "plain.yaml").write_text(text, "utf-8")
    code, out, err = run_leaflets(capsys, "check", "--strict", "plain.yaml")
    assert (code, out) == (0, "") and "0 errors, 0 warnings" in err


def approved(text: str) -> str:
    return (text.replace("  status: draft\n", "  status: approved\n")
            .replace("  reviewer: null\n", "  reviewer: Dr Example\n")
            .replace("  reviewed_on: null\n", "  reviewed_on: 2026-03-05\n")
            .replace("  next_review_due: null\n", "  next_review_due: 2027-03-01\n"))


def test_an_approval_above_the_grade_names_the_hardest_sentences_at_the_review_status():
    text = approved(sample_yaml(ANAL))
    status_line, status_column = place(text, "approved")
    found = [problem for problem in check_text(text, TODAY) if problem.line == status_line]
    assert [problem.column for problem in found] == [status_column]
    surgical, medication, consultation = (place(text, words)[0] for words in (
        "Surgical options", "Medication management", "A pre-procedure consultation"))
    assert found[0].message == (
        f"approved, but it reads above grade 6 (the whole leaflet 9.9); its hardest sentences: "
        f"line {surgical} 'Surgical options like lateral internal…' (18.6), "
        f"line {medication} 'Medication management with topical…' (18.2), "
        f"line {consultation} 'A pre-procedure consultation including…' (16.6) "
        "(US school grade, Flesch-Kincaid; 6 is a reading age of about 11)"
    )


def test_an_approval_above_the_grade_fails_check_strict(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.yaml").write_text(approved(sample_yaml(ANAL)), "utf-8")
    code, lines = check_lines(capsys, "x.yaml")
    assert code == 0 and any(line["message"].startswith("approved, but it reads above grade 6") for line in lines)
    code, _ = check_lines(capsys, "--strict", "x.yaml")
    assert code == 1


def test_the_grade_comes_from_the_theme_and_the_flag_overrides_it(samples, capsys, tmp_path):
    path, _ = samples[ANAL]
    styles = tmp_path / "my-styles"
    styles.mkdir()
    (styles / "theme.yaml").write_text("max_reading_grade: 15\n", "utf-8")

    def hard(*args: str) -> list[str]:
        code, lines = check_lines(capsys, *args, str(path))
        assert code == 0
        return [line["message"] for line in lines if line["message"].startswith("sentence at reading grade")]

    assert len(hard()) == 5
    by_theme = hard("--styles", str(styles))  # in the order of the file
    assert [message.split(":")[0] for message in by_theme] == [
        "sentence at reading grade 16.6 (above 15)", "sentence at reading grade 18.2 (above 15)",
        "sentence at reading grade 18.6 (above 15)",
    ]
    assert [message.split(":")[0] for message in hard("--styles", str(styles), "--max-grade", "18")] == [
        "sentence at reading grade 18.2 (above 18)", "sentence at reading grade 18.6 (above 18)",
    ]


@pytest.mark.parametrize(("args", "message"), [
    (["--max-grade", "0"], ("leaflets: error: --max-grade: expected a US school grade from 1 to 18 (6 is a reading "
                            "age of about 11), got 0.0")),
    (["--styles", "my-styles"], ("leaflets: error: my-styles/theme.yaml, *: max_reading_grade: expected a US school "
                                 "grade from 1 to 18 (6 is a reading age of about 11), got 'six'")),
])
def test_a_bad_grade_stops_check_with_one_line(samples, capsys, tmp_path, args, message):
    (tmp_path / "my-styles").mkdir()
    (tmp_path / "my-styles" / "theme.yaml").write_text("max_reading_grade: six\n", "utf-8")
    code, out, err = run_leaflets(capsys, "check", *args, str(samples[ANAL][0]))
    assert (code, out) == (2, "")
    first = re.sub(r"(theme\.yaml, )\S+(theme\.yaml)", r"\1*", err.strip().splitlines()[0])  # the built-in theme's path
    assert first.replace(str(tmp_path.resolve()) + "/", "") == message


def test_a_leaflet_of_many_hard_sentences_gets_five_warnings_and_a_count():
    leaflet = load_leaflet(PLAIN.read_text("utf-8"))
    hard = "Postoperative inflammation necessitates meticulous observation by experienced clinical practitioners."
    many = tuple(Item(f"{hard[:-1]} number {number}.") for number in range(40))
    leaflet = dataclasses.replace(leaflet, sections={**leaflet.sections, "recovery": (Block("bullets", items=many),)})
    messages = [problem.message for problem in check_text(dump_leaflet(leaflet), TODAY)]
    assert sum(message.startswith("sentence at reading grade") for message in messages) == 5
    assert any("40 of its " in message and "the 5 hardest marked" in message for message in messages)
