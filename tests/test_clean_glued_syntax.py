"""Words glued after a name, split when the words after the glue read as French only with
the split (issue 18, eleventh session: evidence written from the tuning sets' misses, kept
where it held on sources not read while writing it). Sentences of my own: the split a user
sees, and a near miss that must stay as it is. Real spaCy lexicon, wordfreq, Apertium."""

from __future__ import annotations

import pytest

from pipeline import french_names
from pipeline.clean import (
    avoir_before_its_object,
    clean_text,
    est_before_an_attribute,
    locution_after_the_glue,
    particle_inside_a_foreign_name,
)
from pipeline.lexicon import load_lexicon

needs_apertium = pytest.mark.skipif(
    not french_names.available(), reason="Apertium's French dictionaries are not installed"
)


def cleaned(raw: str) -> str:
    return clean_text(raw).text


SPLITS = [
    # locution_after_the_glue: au moins, en dehors de, du moins, par exemple
    ("La fondation Kelmirau moins trois fois par an.", "Kelmir au moins trois"),
    ("Le sergent Tarkauen dehors de la ville attendait.", "Tarkau en dehors de la ville"),
    ("La revue Kelmirdu moins le dit.", "Kelmir du moins le dit"),
    ("Le joueur Kelmirpar exemple gagne.", "Kelmir par exemple gagne"),
    # est_before_an_attribute: an indefinite article, an adjective
    ("Le Velmarest un lieu de passage.", "Velmar est un lieu"),
    ("La cité Velmarest immense.", "Velmar est immense"),
    # particle_inside_a_foreign_name: a known name, a particle, a capital or `las`
    ("Le chanteur Orlandoda Silva chante.", "Orlando da Silva chante"),
    ("Il lit Bartoloméde las Casas le soir.", "Bartolomé de las Casas"),
    # avoir_before_its_object: a, a determiner, a noun
    ("Elle est persuadée que Delrika le potentiel pour gagner.", "Delrik a le potentiel"),
    ("Pablo Correaintégrera le staff.", "Correa intégrera le staff"),  # not intégrer a
    # de_before_an_infinitive, with et: an infinitive after the conjunction
    ("Il décide de quitter Velmaret partir loin.", "Velmar et partir loin"),
    # model_name_before_a_linking_word: a name the model holds, then et / ou
    ("Le système Debianet les autres.", "Debian et les autres"),
    ("La version Debianou une autre.", "Debian ou une autre"),
]


@needs_apertium
@pytest.mark.parametrize("raw,expected", SPLITS)
def test_a_name_glued_to_a_word_the_next_words_complete_is_split(raw, expected):
    assert expected in cleaned(raw)


NEAR_MISSES = [
    "Le colonel Brunilde plus tard partit.",  # only one analyser reads `de plus` so
    "Le capitaine Delforest suit un ami.",  # -est before a verb, not an attribute
    "Le peintre Claude Monet peint.",  # Clau is no name: Claude is whole
    "Amanda Knox parle aux juges.",  # nor is Aman
    "Selon eux, Alicia le dit souvent.",  # a name in -a, then a clitic and its verb
    "Le peintre Kernet peint des paysages.",  # Kern is no name the model holds
    "Il visite Somerset House demain.",  # -set ends English names
]


@needs_apertium
@pytest.mark.parametrize("raw", NEAR_MISSES)
def test_names_whose_end_only_looks_like_such_a_word_stay_whole(raw):
    assert cleaned(raw) == raw


@needs_apertium
def test_each_piece_of_evidence_on_its_own():
    lexicon = load_lexicon()
    assert locution_after_the_glue("au", "moins", "trois fois")
    assert not locution_after_the_glue("au", "Caire", "")  # a capital: no locution
    assert not locution_after_the_glue("de", "plus", "tard")  # one analyser only
    assert est_before_an_attribute("est", "indispensable")
    assert not est_before_an_attribute("est", "arrive")
    assert not est_before_an_attribute("et", "un")
    assert particle_inside_a_foreign_name("Mexicana", "de", "Aviación", lexicon)
    assert not particle_inside_a_foreign_name("Clau", "de", "Monet", lexicon)
    assert not particle_inside_a_foreign_name("Mexicana", "de", "la", lexicon)
    assert avoir_before_its_object("Delrika", "a", "le", "potentiel pour")
    assert not avoir_before_its_object("Alicia", "a", "le", "dit souvent")
    assert not avoir_before_its_object("Aclastafournira", "a", "des", "kits")
