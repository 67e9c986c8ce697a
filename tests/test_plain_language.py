"""Plain-language checks: medical terms left unexplained, and "the patient" where a leaflet says "you"."""

from __future__ import annotations

from pipeline.review.plain_language import plain_language_problems, third_person, unexplained_terms


def test_a_term_is_unexplained_unless_its_plainer_words_or_a_bracket_stand_beside_it():
    assert list(unexplained_terms("The duct is checked for sialolithiasis.")) == [("sialolithiasis", "stones in a saliva gland")]
    assert list(unexplained_terms("The duct is checked for sialolithiasis (stones in a saliva gland).")) == []
    assert list(unexplained_terms("Sialolithiasis means stones in a saliva gland.")) == []
    assert list(unexplained_terms("A narrowing of the duct, called a stricture.")) == []


def test_a_term_is_warned_about_once_per_leaflet():
    met: set[str] = set()
    assert plain_language_problems("An endoscope is used.", met)
    assert plain_language_problems("The endoscope is then removed.", met) == []


def test_the_patient_is_said_where_a_leaflet_should_say_you():
    assert third_person("The patient lies on a couch.") == "The patient"
    assert third_person("Patients may be asked to fast.") == "Patients"
    assert third_person("You lie on a couch.") is None
