"""The cleaner on French as it is (issue 18, precision): the guards added after reading every
word-changing fix on the web pages, the manual pages and the Debian handbook
(benchmarks/clean_as_is.py). Each guard: a text nothing broke that must come back unchanged,
and the glitch next to it that must still be repaired. My own sentences; real Apertium and
the real lexicon."""

from __future__ import annotations

import pytest

from pipeline import clean

pytestmark = pytest.mark.skipif(
    not clean.french_names.available(), reason="needs Apertium's French dictionaries"
)


def cleaned(raw: str) -> str:
    return clean.clean_text(raw).text


@pytest.mark.parametrize(
    "clean_text, glued, repaired",
    [
        # a word of Apertium's dictionary, unknown to wordfreq
        (
            "Le noyau lit les descripteurs du disque.",
            "Le noyau lit lesfichiers du disque.",
            "lit les fichiers",
        ),
        # an English word inside French
        (
            "Il installe la version unstable ce soir.",
            "Il installe la version pourla nuit.",
            "pour la nuit",
        ),
        # a prefix and a word, capitalised in a name
        (
            "Le comité Interrégional de la Loire se réunit.",
            "Le comité de Loireselon le maire se réunit.",
            "Loire selon le maire",
        ),
    ],
)
def test_one_word_is_not_split_a_glue_still_is(clean_text, glued, repaired):
    assert cleaned(clean_text) == clean_text
    assert repaired in cleaned(glued)


@pytest.mark.parametrize(
    "as_written, glitch, repaired",
    [
        # a title after a work noun with its determiner, or after `intitulé`
        (
            "Elle a lu le roman Les filles du port en une nuit.",
            "Elle a lu tout cela, Les filles du port aussi.",
            "cela, les filles",
        ),
        (
            "Il signe un article intitulé Le temps des récoltes ce mois-ci.",
            "Il signe un article depuis la fin de mai et Le temps passe.",
            "et le temps passe",
        ),
        # a term and its definition, a label in capitals
        (
            "ok Un paquet marqué ainsi est sain.",
            "Le paquet est sain et Un autre aussi.",
            "et un autre aussi",
        ),
        (
            "Voir encadré CULTURE Les fêtes du village pour la suite.",
            "Voir la suite pour Les fêtes du village.",
            "pour les fêtes du village",
        ),
    ],
)
def test_a_capital_article_that_starts_a_title_or_a_definition_stays(as_written, glitch, repaired):
    assert cleaned(as_written) == as_written
    assert repaired in cleaned(glitch)


def test_a_surnames_article_keeps_its_capital():
    # after an initial, or an article of the other gender than the word's (fée: feminine)
    surname = "Le match reprend. Sur le côté, Le Fée centre, puis il tire."
    assert cleaned(surname) == surname
    initial = "Le match reprend. J. Le Garrec arrive, puis, Le Garrec tire."
    assert cleaned(initial) == initial
    # an article that agrees with the word, never written small: lowered as before
    assert "avec la Bretagne" in cleaned("Il part en Bretagne, il revient avec La Bretagne.")


def test_a_repeat_across_a_comma_that_starts_a_list_item_stays():
    listed = "On y vend des fruits, légumes, légumes verts et des œufs."
    assert cleaned(listed) == listed
    assert cleaned("Il y a des années, années, cela change.") == "Il y a des années, cela change."


def test_a_heading_in_capitals_or_a_dateline_below_is_not_joined():
    text = (
        "Le comité a voté le budget du club de la ville\n\n"
        "LES COMPTES DE LA SAISON\n\n"
        "Bilan du conseil du lundi 3 mars\n\n"
        "mardi 4 mars 2025\n\n"
        "Le conseil a siégé tard."
    )
    assert cleaned(text) == text
    acronym = "Le texte.\n\nIl a vu le directeur de la\n\nNASA à Houston hier."
    assert cleaned(acronym) == "Le texte.\n\nIl a vu le directeur de la NASA à Houston hier."
    cut = "Le conseil se réunira le\n\nmardi 4 mars 2025 à la mairie.\n\nIl votera."
    assert cleaned(cut) == "Le conseil se réunira le mardi 4 mars 2025 à la mairie.\n\nIl votera."


@pytest.mark.parametrize(
    "as_written, glued, repaired",
    [
        # code, a path or an address touches the token
        ("Écrivez hote.autreserveur.fr dans le champ.", "Écrivez dansle champ.", "dans le champ"),
        ("Le fichier {nomSortie} est créé.", "Le fichier de laFrance est créé.", "la France"),
        # a name spelt so three times, case change and all
        (
            "Le VPNsec marche. Le VPNsec chiffre. Le VPNsec signe.",
            "Le rapport de TASSselon le texte.",
            "TASS selon",
        ),
        # `se` before no verb, `en` before a participle alone
        ("La commande selinux est lancée.", "La réunion sedéroule à Paris.", "se déroule"),
        ("La carte est enfichée dans le port.", "Il vit enFrance depuis mai.", "en France"),
    ],
)
def test_a_token_of_code_or_a_name_or_no_glue_is_not_split(as_written, glued, repaired):
    assert cleaned(as_written) == as_written
    assert repaired in cleaned(glued)


def test_a_repeat_before_an_option_stays():
    usage = "Modes autorisés : deluser, deluser --system."
    assert cleaned(usage) == usage
    assert cleaned("Il a vu vu la mer.") == "Il a vu la mer."


AMBIGUOUS = (
    "Panne mondiale du réseau\n\n"
    "Le texte commence ici avec une phrase.\n\n"
    "La présidente de la banque centrale\n\n"
    "Lagarde a relevé hier ses taux d'un quart de point.\n"
)


def test_a_noun_phrase_above_a_name_and_its_verb_is_left_apart_and_reported():
    result = clean.clean_text(AMBIGUOUS)
    assert result.text == AMBIGUOUS.strip()  # nothing joined
    [finding] = result.findings
    assert finding.check == "clean.cut_paragraph" and finding.evidence == "Lagarde"
    assert "«La présidente de la banque centrale»" in finding.message
    assert "«Lagarde a relevé hier ses taux …»" in finding.message
    # not for a heading opened by no definite article, nor above a sentence with no name
    assert not clean.clean_text(AMBIGUOUS.replace("La présidente", "Une présidente")).findings
    heading = AMBIGUOUS.replace("Lagarde a relevé", "Elle a relevé")
    assert not clean.clean_text(heading).findings
    # a sentence, another preposition than `de`, a plural noun at the end: a heading
    for above in ("La prudence est de rigueur", "Le retour vers la mer", "Le prix des légumes"):
        assert not clean.clean_text(
            AMBIGUOUS.replace("La présidente de la banque centrale", above)
        ).findings


def test_the_reviewer_sees_the_ambiguous_cut_in_the_report(tmp_path):
    import subprocess
    import sys

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "taux.txt").write_text(AMBIGUOUS, encoding="utf-8")
    explained = subprocess.run(
        [sys.executable, "-m", "pipeline", "clean", "--explain", str(corpus / "taux.txt")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "clean.cut_paragraph: left apart: «La présidente de la banque centrale»" in explained
    out = tmp_path / "out"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "run",
            "--corpus",
            str(corpus),
            "--out",
            str(out),
            "--engine",
            "apertium",
            "--pivot",
            "es",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "## clean.cut_paragraph (1)" in report
    assert "«La présidente de la banque centrale» above «Lagarde a relevé" in report
    # the report's table says what the rule is
    assert "| clean.cut_paragraph | 0 | 0 | 1 | A paragraph cut in the middle" in report
    po = (out / "taux.po").read_text(encoding="utf-8")
    assert "#. info [clean.cut_paragraph]: left apart:" in po


def test_a_long_paragraph_with_an_address_is_article_text_a_contact_line_a_trailer():
    prose = (
        "Le club a ouvert ses inscriptions. Les bénévoles, qui tiennent l'accueil chaque "
        "samedi depuis trois ans, répondent aux familles par courrier, au téléphone et par "
        "écrit à accueil@club-exemple.fr, puis transmettent les dossiers complets au bureau, "
        "qui les examine un par un avant la fin du mois, lors d'une réunion ouverte à tous "
        "les adhérents et aux parents des plus jeunes joueurs de la saison."
    )
    text = f"Le club grandit.\n\n{prose}"
    assert cleaned(text) == text
    assert cleaned(f"{text}\n\nContact : accueil@club-exemple.fr") == text


def test_a_heading_above_the_lower_case_name_it_names_stays_a_cut_is_joined():
    text = (
        "Le texte commence.\n\n"
        "Le journal de rsync\n\n"
        "rsync écrit chaque transfert dans un fichier.\n\n"
        "Copier des sauvegardes\n\n"
        "borgmatic lance la copie chaque nuit."
    )
    assert cleaned(text) == text
    cut = "Le texte commence.\n\nLe conseil municipal de\n\nrsync a voté le budget."
    assert cleaned(cut) == "Le texte commence.\n\nLe conseil municipal de rsync a voté le budget."
    cut = "Le texte commence.\n\nLes élus du conseil\n\nmunicipal ont voté le budget."
    assert cleaned(cut) == "Le texte commence.\n\nLes élus du conseil municipal ont voté le budget."
