"""A paragraph cut before a name, on evidence a reader names in one line (issue 18, tenth
session): each rule on sentences written for this test, with a join that must happen and a
near miss that must stay apart. Real Apertium (French dictionaries), real spaCy lexicon."""

from __future__ import annotations

from cut_support import assert_apart, assert_joined, needs_apertium

from pipeline import clean, french_names
from pipeline.lexicon import load_lexicon


def units(*paragraphs: str) -> list[list[tuple[str, list[str]]]]:
    return french_names.analyse_paragraphs(list(paragraphs))


@needs_apertium
def test_a_headline_with_its_verb_stays_above_a_sentence_whose_name_has_its_own():
    # two_main_clauses, main_clause_complete, name_has_its_own_verb
    above, below = units(
        "Les nouveaux tickets seront vendus", "Marc Lenoir, chef de gare, a confirmé la date."
    )
    assert clean.main_clause_complete(above) and clean.name_has_its_own_verb(below)
    assert clean.two_main_clauses(above, below)
    assert_apart(
        "Les nouveaux tickets seront vendus", "Marc Lenoir, chef de gare, a confirmé la date."
    )
    # the line's last clause has no verb yet: a new subject after a comma is cut
    assert not clean.main_clause_complete(units("Il a régné jusqu'en 1990, son neveu")[0])
    assert_joined(
        "Il a régné jusqu'en 1990, son neveu",
        "Karim lui succéda ensuite.",
        "sentence_cut_before_name",
    )
    # the verb after `et` may be the subject's above: not the name's own
    assert not clean.name_has_its_own_verb(units("Dubois et leur apportent des livres.")[0])


@needs_apertium
def test_a_subject_after_an_opening_phrase_waits_for_the_name_and_its_verb():
    # subject_after_opening_phrase
    assert_joined(
        "En 2004, la juge", "Marie Dupuis a ouvert une enquête.", "subject_after_opening_phrase"
    )
    assert_joined(
        "Jeudi 3 mars 2005 : le procureur",
        "Jean Morel demande un nouveau procès.",
        "subject_after_opening_phrase",
    )
    # a noun phrase with no opening phrase is a heading's
    assert_apart("Le procès de la juge", "Marie Dupuis a ouvert une enquête.")


@needs_apertium
def test_a_name_that_ends_an_opening_phrase_is_joined_to_it():
    # name_ends_an_opening_phrase
    assert_joined(
        "Organisée par le lycée",
        "Saint-Exupéry, cette fête va réunir cinq cents élèves.",
        "name_ends_an_opening_phrase",
    )
    # under a noun phrase, or with a relative clause's verb, the name is the subject
    assert_apart("Fête de fin d'année", "Saint-Exupéry, cette fête va réunir cinq cents élèves.")
    assert_apart(
        "Organisée par le lycée",
        "Dupont, un ancien élève qui a fondé le club, prendra la parole.",
    )


@needs_apertium
def test_a_line_in_capitals_is_a_heading_unless_it_cannot_end_there():
    # capitals_line
    assert clean.capitals_line("CONDITIONS DE VENTE DES BILLETS SUR LE MARCHE")
    assert not clean.capitals_line("Conditions de vente des billets")
    assert_apart("CONDITIONS RELATIVES A LA VENTE SUR LE MARCHE", "Dupont ne doit pas être vendu.")
    assert_joined("CONDITIONS DE VENTE DES BILLETS DE", "Paris et de Lyon.", "cut_before_name")


@needs_apertium
def test_a_byline_under_a_verbless_line_is_reported_under_a_verb_joined():
    # names_alone, has_a_verb
    flags = assert_apart("Des tensions avec la présidence de l'université", "Martin Duboisier.")
    assert flags and "Martin" in flags[0]
    assert_joined(
        "Il a été présenté hier comme le nouveau chef du service",
        "Martin Duboisier.",
        "sentence_fragment",
    )


@needs_apertium
def test_a_given_name_ends_a_full_name_or_waits_for_its_surname():
    # full_name_at_the_end, surname_below, ends_with_given_name's acronym
    assert clean.full_name_at_the_end("France : disparition de Thierry Roland")
    assert_apart("France : disparition de Thierry Roland", "Dupont a rendu hommage au journaliste.")
    assert_joined(
        "La mise en cause de Christine",
        "Deviers-Joncour provoque le début de l'affaire.",
        "ends_with_given_name",
    )
    assert_apart("Un hommage à Pierre", "Marseille a fêté son poète.")  # a place below
    assert_apart("Publication du rapport final par le BEA", "Wissa a marqué le but.")


@needs_apertium
def test_a_name_that_opens_with_an_article_is_a_name_below_a_given_name():
    # name_opened_by_a_small_word
    lexicon = load_lexicon()
    assert clean.name_opened_by_a_small_word("Le Mesle, au poste de procureur.", lexicon)
    assert clean.name_opened_by_a_small_word("Notre-Dame ont pris part.", lexicon)
    assert not clean.name_opened_by_a_small_word("Le Président a parlé.", lexicon)
    assert_joined(
        "Le ministre a nommé l'un de ses anciens conseillers, Laurent",
        "Le Mesle, au poste de procureur.",
        "ends_with_given_name",
    )
    assert_apart("Le ministre a salué le travail de ses conseillers", "Le Président a parlé.")


@needs_apertium
def test_an_english_word_above_a_full_name_is_no_english_name_cut():
    # english_name_cut's guard: the name below is a given name
    assert_apart("Affaire des disparus du Beach", "Guy Drut a été amnistié en mai.")
    # capital_after_article: `l'Est` in a rubric is a name, not a verb
    assert clean.rubric_and_colon("Asie de l'Est : alerte au typhon")


@needs_apertium
def test_a_sentence_adverb_below_is_no_name_that_ends_an_opening_phrase():
    # name_ends_an_opening_phrase needs a name below, not `Pourtant`
    assert_apart(
        "Des tensions avec la présidence de l'université",
        "Pourtant, l'enseignement est pour lui une vocation.",
    )


def test_a_quotation_left_open_above_goes_on_below_whatever_word_starts_it():
    # closes_quotation, with open_quotation
    assert clean.closes_quotation('La Croix chez lui", "A qualifié les maçons de voleurs".')
    assert not clean.closes_quotation('"La Croix" chez lui.')
    assert_joined(
        'Les fiches notent : "Suit les processions", "Reçoit',
        'La Croix chez lui", "A qualifié les maçons de voleurs".',
        "open_quotation",
    )
    assert_apart('Les fiches notent : "Suit les processions"', "La Croix paraît le lundi.")


def test_a_plural_article_before_a_name_starts_a_sentence():
    # name_opened_by_a_small_word: not `Les` (a family, a people)
    assert not clean.name_opened_by_a_small_word(
        "Les Dominati ont été mis en examen.", load_lexicon()
    )


def test_a_straight_quote_that_opens_below_or_closes_above_joins_nothing():
    # closes_quotation, quotation_opened_at_the_end
    assert not clean.closes_quotation('Alors que des fraudeurs vendent de "faux" certificats.')
    assert clean.quotation_opened_at_the_end('Les fiches notent : "Suit les processions", "Reçoit')
    assert not clean.quotation_opened_at_the_end('Moscou va" : les migrants apprennent la langue')
    assert_apart(
        'Moscou va" : les migrants apprennent la langue',
        'Alors que des fraudeurs vendent de "faux" certificats, la loi change.',
    )
