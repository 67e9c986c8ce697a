"""Plain-language checks: medical terms left unexplained, and "the patient" where a leaflet says "you"."""

from __future__ import annotations

from pipeline.review.plain_language import (
    TermUse,
    Words,
    passive,
    third_person,
    unexplained_terms,
)


def test_a_term_is_unexplained_unless_its_plainer_words_or_a_bracket_stand_beside_it():
    assert list(unexplained_terms("The duct is checked for sialolithiasis.")) == [
        TermUse("sialolithiasis", "stones in a saliva gland", 24)
    ]
    assert list(unexplained_terms("The duct is checked for sialolithiasis (stones in a saliva gland).")) == []
    assert list(unexplained_terms("Sialolithiasis means stones in a saliva gland.")) == []
    assert list(unexplained_terms("A narrowing of the duct, called a stricture.")) == []


def test_a_term_is_warned_about_once_per_leaflet():
    met: set[str] = set()
    assert [use.term for use in unexplained_terms("An endoscope is used.", met)] == ["endoscope"]
    assert list(unexplained_terms("The endoscope is then removed.", met)) == []


def test_the_patient_is_said_where_a_leaflet_should_say_you():
    assert third_person("The patient lies on a couch.") == Words("The patient", 0)
    assert third_person("Most patients may be asked to fast.") == Words("patients", 5)
    assert third_person("You lie on a couch.") is None


def test_passive_is_a_form_of_be_then_a_past_participle():
    assert passive("The patient is positioned on the couch.") == Words("is positioned", 12)
    assert passive("Stones may be broken up with a laser.") == Words("be broken", 11)
    assert passive("The procedure is usually performed in a clinic.") == Words("is usually performed", 14)
    assert passive("Swelling was not expected.") == Words("was not expected", 9)


def test_active_sentences_and_be_with_an_adjective_are_not_passive():
    assert passive("The nurse positions you on the couch.") is None
    assert passive("You are awake throughout.") is None
    assert passive("More fluid is needed.")  # a participle ending in -ed ...
    assert passive("Saliva is red for a day.") is None  # ... but not every word ending in -ed
    assert passive("A tiny balloon is used to stretch the duct.") == Words("is used", 15)


def test_a_plural_of_a_term_is_the_term():
    assert [use.term for use in unexplained_terms("Use sitz baths twice a day. Strictures may form.")] == [
        "sitz baths", "Strictures"]
