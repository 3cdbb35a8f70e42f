"""The evidence added for fresh injections (issue 18, eighth session): each piece on
sentences of my own, the fix a user sees and a near miss that must stay as it is. Real spaCy
lexicon, real wordfreq, real Apertium dictionaries."""

from __future__ import annotations

import pytest

from pipeline import french_names
from pipeline.clean import clean_text, longer_word_at_the_end
from pipeline.lexicon import load_lexicon

needs_apertium = pytest.mark.skipif(
    not french_names.available(), reason="Apertium's French dictionaries are not installed"
)


def cleaned(raw: str) -> str:
    return clean_text(raw).text


@needs_apertium
def test_et_before_a_possessive_or_an_elided_subject_is_the_conjunction():
    # et_before_a_new_phrase
    assert cleaned("Le clan Dorvanget ses cousins sont venus.") == (
        "Le clan Dorvang et ses cousins sont venus."
    )
    assert cleaned("Nous avons invité Marbergget c'est alors que tout a changé.") == (
        "Nous avons invité Marbergg et c'est alors que tout a changé."
    )
    # A name in -et before a time, a clitic or a relative stays whole.
    for kept in (
        "J'ai vu Kernet un jour.",
        "J'ai vu Kernet cette année.",
        "Le peintre Kernet les a peints.",
        "Le peintre Kernet leur a parlé.",
        "Le peintre Kernet qu'il admire.",
    ):
        assert cleaned(kept) == kept


@needs_apertium
def test_a_conjunction_before_the_same_article_or_preposition_repeats_a_phrase():
    # parallel_word
    assert cleaned("Pour l'instant, ni la Dorvangni la ville n'ont répondu.") == (
        "Pour l'instant, ni la Dorvang ni la ville n'ont répondu."
    )
    # The same article without the conjunction before it is a time (la Juliet la veille).
    kept = "Il parle de la Kernet la semaine."
    assert cleaned(kept) == kept
    kept = "La maison de Monet de 1870 est belle."
    assert cleaned(kept) == kept


def test_a_longer_word_at_the_end_counts_unless_a_thousand_times_rarer():
    lexicon = load_lexicon()
    # tétait (Zipf 1.9) does not hide était (6.2): Mokarot|était.
    assert not longer_word_at_the_end("Mokarotétait", len("Mokarot"), lexicon)
    # dispense (3.5) hides pense (5.5): not Vackerdis|pense.
    assert longer_word_at_the_end("Vackerdispense", len("Vackerdis"), lexicon)


@needs_apertium
def test_an_unknown_name_before_a_common_verb_inside_a_rare_longer_one_is_split():
    assert cleaned("L'œil du Mokarotétait à 17 km de la côte.") == (
        "L'œil du Mokarot était à 17 km de la côte."
    )


def joined(before: str, after: str) -> str:
    """The cleaned text of a sentence, then `before` and `after` as two paragraphs."""
    return clean_text(f"Il pleuvait ce matin.\n\n{before}\n\n{after}").text.split("\n\n", 1)[1]


@needs_apertium
def test_an_infinitive_after_a_modal_wants_the_name_below_as_its_object():
    # infinitive_after_modal
    assert joined("Les moines de la vallée voulaient convertir", "Dieu sait quels peuples.") == (
        "Les moines de la vallée voulaient convertir Dieu sait quels peuples."
    )
    # A relative gave the infinitive its object: a heading above its paragraph.
    before, after = "Ce qu'il faut savoir", "Spitzer montre la voie depuis longtemps."
    assert joined(before, after) == f"{before}\n\n{after}"


@needs_apertium
def test_a_definite_noun_and_adjective_alone_is_the_head_of_the_name_below():
    # definite_head_before_name: weak evidence under a line that reads as a heading (issue
    # 18, ninth session: `La documentation spécifique` / `Obama, ...` on real French), so
    # left apart and reported to the reviewer, not joined.
    before, after = "Le moteur électrique", "Tesla a montré sa voiture hier."
    result = clean_text(f"Le texte commence.\n\n{before}\n\n{after}")
    assert result.text.endswith(f"{before}\n\n{after}")
    flags = [f for f in result.findings if f.check == "clean.cut_paragraph"]
    assert len(flags) == 1 and "definite_head_before_name" in flags[0].message
    # A heading with no article, a bare noun, or a complement stays above.
    for before in ("Bilan général", "Le poids", "Le langage des chiffres"):
        after = "Spitzer montre la voie depuis longtemps."
        assert joined(before, after) == f"{before}\n\n{after}"


@needs_apertium
def test_two_unknown_names_either_side_of_a_cut_are_one_name():
    # unknown_name_cut
    assert joined("Au marché du village, Zodwa", "Dlamini, une vendeuse, sourit.") == (
        "Au marché du village, Zodwa Dlamini, une vendeuse, sourit."
    )
    # A heading's last name follows a preposition.
    before, after = "Naissance de Competival", "Dlamini, une vendeuse, sourit."
    assert joined(before, after) == f"{before}\n\n{after}"
