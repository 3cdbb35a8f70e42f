"""Real headings stay, real cuts are mended (issue 18, ninth session): each rule that lets
cut_paragraph tell a heading above a name from a sentence cut before it, on sentences written
for this test, with a join that must happen and a near miss that must not. Real Apertium
(French dictionaries), real spaCy lexicon."""

from __future__ import annotations

from cut_support import START, assert_apart, assert_joined, needs_apertium

from pipeline import clean, french_names
from pipeline.clean import clean_text


@needs_apertium
def test_a_headline_with_its_rubric_stays_unless_its_last_word_cannot_end_it():
    # rubric_and_colon: a headline's form, whatever verb it has
    assert clean.rubric_and_colon("Syrie : l'armée bombarde les faubourgs de Homs")
    assert clean.rubric_and_colon("Union européenne : le traité rejeté par le Parlement")
    assert not clean.rubric_and_colon("Il a dit : le président viendra")
    assert_apart(
        "Syrie : Human Rights Watch dénonce les actes de torture",
        "Assad a nié toute responsabilité.",
    )
    assert_apart(
        "Grèce : le nouveau gouvernement de coalition formé", "Samaras a présenté ses ministres."
    )
    # strong evidence still joins under a rubric: a word that cannot end a sentence
    assert_joined(
        "Syrie : l'armée a bombardé hier les faubourgs de", "Homs, selon l'opposition.",
        "cut_before_name",
    )


@needs_apertium
def test_a_verbless_heading_ending_with_a_given_name_stays_a_title_and_its_name_is_joined():
    # verbless_line, given_name_after_preposition
    assert clean.verbless_line("Remerciements personnels de Raphaël")
    assert not clean.verbless_line("Les utilisateurs sont des acteurs")
    assert_apart("Remerciements personnels de Raphaël", "Bruxelles a salué la création du fonds.")
    # after a title, not a preposition, the surname follows
    assert_joined(
        "Le général James", "Ewing fera traverser la rivière à ses hommes.", "ends_with_given_name"
    )


@needs_apertium
def test_only_a_finite_verb_at_the_end_wants_the_name_below_as_its_object():
    # finite_verb_at_the_end
    assert clean.finite_verb_at_the_end("raconte")
    assert not clean.finite_verb_at_the_end("torture")  # a noun too
    assert not clean.finite_verb_at_the_end("dévoilés")  # a participle: a heading's
    assert_apart(
        "Baccalauréat : les résultats des lycées de la région dévoilés",
        "Dupont a obtenu la meilleure note.",
    )


@needs_apertium
def test_a_determiner_and_adjective_wait_for_a_noun_only_if_the_adjective_comes_first():
    # prenominal_adjective, in noun_phrase_without_noun
    assert clean.prenominal_adjective("mêmes") and clean.prenominal_adjective("Deuxième")
    assert not clean.prenominal_adjective("correctifs")
    assert_joined("Depuis, ces mêmes", "États ont voté la loi.", "noun_phrase_without_noun")
    assert_apart("Envoyer des correctifs", "Torvalds reçoit chaque jour des correctifs.")


@needs_apertium
def test_a_verb_of_naming_wants_the_name():
    # naming_participle
    assert_joined(
        "Le groupe a joué hier une chanson intitulée", "Fragile dont le refrain est connu.",
        "cut_before_name",
    )
    assert_apart("La chanson la plus appréciée", "Sting la chante depuis trente ans.")


@needs_apertium
def test_a_line_longer_than_any_heading_goes_on_unless_a_byline_follows():
    # long_line_without_stop
    before = (
        "Depuis le début de la semaine, les bénévoles de l'association qui distribue les repas "
        "dans le quartier de la gare attendent toujours une réponse de"
    )
    assert clean.long_line_without_stop(before, "Marseille Solidarité.")
    assert not clean.long_line_without_stop(before, "Marseille Solidarité, association")
    url = before + " cette adresse : http://example.org/marseille-solidarite"
    assert not clean.long_line_without_stop(url, "Marseille Solidarité.")
    lead = (
        "Dans la région, les anciens mineurs continuent souvent à exploiter du charbon pour "
        "eux-mêmes dans les puits abandonnés des collines en Sibérie"
    )
    assert_apart(lead, "Victor Baranets, observateur et ancien militaire")


@needs_apertium
def test_a_verbless_sentence_below_ends_the_sentence_above_but_not_a_dateline():
    # verbless_sentence_below (weak: joined only under a line that is no heading)
    assert_joined(
        "Les responsables de l'archive gèrent depuis des années tous les paquets de logiciels",
        "Debian depuis toujours. Ils maintiennent le programme.",
        "verbless_sentence_below",
    )
    long_line = "Le ministre de l'Intérieur et ses conseillers ont visité hier après-midi " * 2
    dateline, continued = french_names.analyse_paragraphs(
        ["Lyon, 3 mai. Le ministre est venu.", "Lyon depuis toujours. Le ministre est venu."]
    )
    assert not clean.verbless_sentence_below(long_line, dateline)
    assert clean.verbless_sentence_below(long_line, continued)
    # a line of a heading's length above a caption
    assert_apart("Le jardin de la ville", "Jardín de la Unión. Cet espace a été construit.")


@needs_apertium
def test_the_name_below_has_its_verb_after_se_and_after_a_relative_clause():
    # verb_of_the_name: `se dit`, and the verb after `qui était ...`
    units = french_names.analyse_paragraphs(
        [
            "Barroso, le président de la commission européenne se dit rassuré.",
            "Zacchiroli — qui était chef du projet pendant la campagne — a notre gratitude.",
            "Wijaya, un des mineurs qui gagnent leur vie.",
        ]
    )
    assert clean.verb_of_the_name(units[0]) and clean.verb_of_the_name(units[1])
    assert not clean.verb_of_the_name(units[2])
    assert_apart("Bilan de la saison", "Barroso, le président de la commission se dit rassuré.")


@needs_apertium
def test_tout_en_un_ends_a_heading_and_an_acronym_or_an_english_title_is_no_name_cut():
    # un_as_a_pronoun; english_name_cut's guards (title_case_line, an acronym)
    assert_apart("Simple-CDD : la solution tout en un", "Postfix gère cela très bien.")
    assert_apart("Cert-Based Authentication", "Cups est une solution élégante.")
    assert_apart("Restreindre l'accès selon l'adresse IP", "Squid est le nom du logiciel.")
    assert_joined(
        "L'entretien a paru dans le quotidien Evening", "Standard hier soir.", "english_name_cut"
    )


@needs_apertium
def test_a_path_or_a_url_in_the_article_does_not_hide_the_evidence_of_a_cut():
    # analyse_paragraphs: `/`, `@`, `{` ... in one paragraph made lt-proc reject them all
    units = french_names.analyse_paragraphs(
        ["KVM a été intégré au noyau", "Lisez /proc/cpuinfo ou écrivez à admin@example.org."]
    )
    assert units[0][-1][0] == "noyau" and units[1]
    raw = (
        f"{START}\n\nContrairement aux autres solutions, KVM a été intégré au noyau\n\n"
        "Linux dès ses débuts.\n\nLes drapeaux sont listés dans /proc/cpuinfo."
    )
    assert "au noyau Linux dès ses débuts." in clean_text(raw).text


@needs_apertium
def test_a_verbless_start_below_a_heading_is_no_proof_when_it_opens_with_a_common_word():
    # common_word_first: name_without_verb is weak when the `name` is a common word too
    flags = assert_apart(
        "Configuration côté client", "Côté client, il faut modifier la configuration."
    )
    assert flags and "name_without_verb" in flags[0]
    assert_joined(
        "Le président du parti", "Wijaya, un des 400 mineurs qui gagnent leur vie.",
        "name_without_verb",
    )
