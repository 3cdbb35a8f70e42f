"""A paragraph cut before a name, on evidence a reader names in one line (issue 18, eleventh
session): a news dateline opens a lead paragraph, never a heading; a subordinate clause above
waits for the main clause the name below gives. Each rule on sentences written for this test,
a join that must happen and a near miss that must stay apart. Real Apertium, real lexicon."""

from __future__ import annotations

from cut_support import assert_apart, assert_joined, needs_apertium

from pipeline import clean, french_names


def units(*paragraphs: str) -> list[list[tuple[str, list[str]]]]:
    return french_names.analyse_paragraphs(list(paragraphs))


@needs_apertium
def test_a_dateline_opens_a_lead_paragraph_not_a_heading():
    # dateline_opens_the_line: a date, a place and an agency, a place in capitals, a dash
    for line in (
        "14 mars 2011. - Le ministre",
        "LYON (AFP) - La mairie",
        "Marseille, le 4 avril 2010 - Le préfet",
        "GENÈVE - Le comité",
    ):
        assert clean.dateline_opens_the_line(line), line
    for line in (
        "Le ministre de la Santé",
        "Lyon, capitale des Gaules",
        "En 2011 - 2012 le",
        "NFS — Network File",  # capitals that are no place: a term and its meaning
    ):
        assert not clean.dateline_opens_the_line(line), line


@needs_apertium
def test_a_lead_paragraph_after_its_dateline_goes_on_below():
    assert_joined(
        "14 mars 2011. - Le ministre",
        "Dumont a présenté son budget devant les députés. Il sera voté demain.",
        "dateline_opens_the_line",
    )
    # near miss: the same line without its dateline reads as a heading and stays apart
    assert_apart(
        "Le ministre",
        "Dumont a présenté son budget devant les députés. Il sera voté demain.",
    )


@needs_apertium
def test_a_heading_stays_above_a_dateline():
    # a heading above a line that opens with a dateline and a name: never joined
    assert_apart("Grève des contrôleurs à la gare", "LYON (AFP) - Marc Dumont a appelé à la grève.")
    assert_apart(
        "Le budget de la ville", "Marseille, le 4 avril 2010 - Jean Morel a présenté son budget."
    )
    # a place and a date alone (dateline_below): not the surname of a given name above
    assert clean.dateline_below("Marseille, le 4 avril 2010")
    assert not clean.dateline_below("Marseille, la ville du port")
    assert not clean.dateline_below("The Medicines Company UK Ltd, le 20 septembre 2004")
    assert_apart("Les conseils de Marie", "Marseille, le 4 avril 2010")
    # but a line that cannot end there goes on in it (cannot_end): `et en` / `Amérique, ...`
    assert_joined(
        "Le film sortira le 3 mai en Europe et en",
        "Amérique, le 18 août. Il sera doublé.",
        "cut_before_name",
    )


@needs_apertium
def test_a_subordinate_clause_above_waits_for_the_main_clause_below():
    # subordinate_clause_before_name: opens_a_subordinate_clause + main_clause_after_the_name
    assert clean.opens_a_subordinate_clause(units("Si la machine a une carte graphique")[0])
    assert clean.opens_a_subordinate_clause(units("Pour installer le logiciel")[0])
    assert not clean.opens_a_subordinate_clause(units("Si la machine tombe, elle")[0])
    assert clean.main_clause_after_the_name(units("Nvidia, il faut un pilote.")[0])
    assert not clean.main_clause_after_the_name(units("Nvidia, un fabricant connu.")[0])
    assert_joined(
        "Si la machine a une carte graphique",
        "Nvidia, il faut installer son pilote. Cela prend du temps.",
        "subordinate_clause_before_name",
    )
    assert_joined(
        "Pour installer le logiciel",
        "Firefox, vous devez être administrateur. Cela prend du temps.",
        "subordinate_clause_before_name",
    )
    # near miss: the line below is a name and its apposition, no main clause: kept apart
    assert_apart(
        "Pour aller plus loin",
        "Firefox, le navigateur de Mozilla, a ses limites. Cela prend du temps.",
    )


def test_a_line_that_ends_one_sentence_and_starts_another_is_prose():
    # sentence_ended_on_the_line
    below = "Nvidia demandent un pilote."
    assert clean.sentence_ended_on_the_line(
        "Le pilote est chargé au démarrage de la machine. Les cartes", below
    )
    # near miss: a caption under a lead, no stop at its end
    assert not clean.sentence_ended_on_the_line(
        "Le pilote est chargé au démarrage de la machine. Les cartes", "Nvidia, le fabricant"
    )
    for heading in (
        "Tunisie. Le gouvernement démissionne",
        "M. Dupont au conseil",
        "La grève",
        "Le guide est en ligne. → https://www.example.org/guide.html",
    ):
        assert not clean.sentence_ended_on_the_line(heading, below), heading


@needs_apertium
def test_only_the_last_sentence_of_the_line_is_read_for_a_clause_left_open():
    # last_sentence: the line's finished sentence has a verb, its last one has none
    above = units("Le pilote est chargé au démarrage de la machine. Les cartes")[0]
    assert [s for s, _ in clean.last_sentence(above)] == ["Les", "cartes"]
    assert_joined(
        "Le pilote est chargé au démarrage de la machine. Les cartes",
        "Nvidia demandent un pilote de plus.",
        "sentence_ended_on_the_line",
    )
    # near miss: one phrase, no sentence before it, above a sentence: a heading, kept apart
    assert_apart("Les cartes graphiques", "Nvidia demande un pilote de plus.")
