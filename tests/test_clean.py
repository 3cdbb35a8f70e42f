"""The cleaning rules on sentences of my own: glitches of the corpus's kinds that the corpus
does not contain, and correct French that must come out untouched. Real spaCy lexicon."""

from __future__ import annotations

import re

import pytest

from pipeline import clean
from pipeline.clean import NBSP, RULES, RULES_BY_NAME, clean_text


def cleaned(raw: str, names=()) -> str:
    return clean_text(raw, names).text


def rules_used(raw: str, names=()) -> list[str]:
    return [fix.rule for fix in clean_text(raw, names).fixes]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Selon AFPle président a démissionné.", "Selon AFP le président a démissionné."),
        ("D'après Bloombergselon qui la banque a perdu.", "D'après Bloomberg selon qui"),
        ("L'agence Xinhuaaffirme que la visite a eu lieu.", "L'agence Xinhua affirme que"),
        ("Le texte de l'ONUl'accord prévoit une trêve.", "de l'ONU l'accord prévoit"),
        ("Il a rencontré le présidentMacron hier.", "le président Macron hier"),
        ("Il a parlé dansle discours de lundi.", "Il a parlé dans le discours"),
        ("Elles ont rompu lesrelations diplomatiques.", "ont rompu les relations"),
    ],
)
def test_glued_words_are_split(raw, expected):
    assert expected in cleaned(raw)
    assert "glued_words" in rules_used(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "Les néocolonialistes et les puissances autosuffisantes ont parlé.",
        "Ils ont campé au Greenland puis près de Devonport.",
        "Au XIXe siècle, les ONGs vendaient des iPhone chez McDonald et JoongAng.",
        "Le journal Indian Punchline. Selon Indian Punchline, rien.",  # a name, spelt twice
        "Les tonganes et les plance.",  # unknown words that only look like two
    ],
)
def test_unknown_words_that_are_not_glued_stay_whole(raw):
    assert "glued_words" not in rules_used(raw)


def test_stray_periods_go_but_abbreviations_stay():
    raw = (
        "Le ministre a annoncé. une réforme, etc. et M. Dupont, en 50 av. J.-C. les "
        "Romains, p. ex. le blé. Il réfléchit... puis partit."
    )
    assert cleaned(raw) == (
        "Le ministre a annoncé une réforme, etc. et M. Dupont, en 50 av. J.-C. les "
        "Romains, p. ex. le blé. Il réfléchit... puis partit."
    )
    assert rules_used(raw) == ["stray_period"]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Elle a dit « non »..» Puis rien.", "Elle a dit « non ». Puis rien."),
        ("« Oui ». . Il est parti.", "« Oui ». Il est parti."),
        ("Il est parti, , puis revenu ; ; enfin.", "Il est parti, puis revenu ; enfin."),
    ],
)
def test_doubled_closing_punctuation_is_made_single(raw, expected):
    assert cleaned(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["« oui »... puis non.", "« il a dit « non » » et partit.", "Fin… ensuite."],
)
def test_ellipses_and_nested_quotes_are_not_doubled_punctuation(raw):
    assert cleaned(raw) == raw


def test_space_before_comma_or_period_goes_but_not_before_an_ellipsis():
    raw = "La réunion , qui a duré , a pris fin le 3 mai . Puis [...] rien ..."
    assert cleaned(raw) == "La réunion, qui a duré, a pris fin le 3 mai. Puis [...] rien ..."


def test_french_spacing_adds_a_no_break_space_where_none_is():
    raw = "Pourquoi? «Bonjour» dit-il. Note: le rendez-vous est à 10:30 sur https://exemple.fr."
    assert cleaned(raw) == (
        f"Pourquoi{NBSP}? «{NBSP}Bonjour{NBSP}» dit-il. Note{NBSP}: le rendez-vous est à "
        "10:30 sur https://exemple.fr."
    )


def test_french_spacing_keeps_existing_spaces_names_and_english():
    for raw in [
        "Il demande : « pourquoi ? » ; puis se tait !",
        f"Il demande{NBSP}: «{NBSP}pourquoi{NBSP}?{NBSP}»",
        "Les services Yahoo! et Microsoft.",
    ]:
        assert cleaned(raw) == raw
    english = "Analysis: Why the Treaty Matters to the North\n\nLe traité compte."
    assert cleaned(english) == english


def test_repeated_words_go_but_legitimate_repeats_stay():
    raw = "le le président a vu de de nombreux élus, élus, hier."
    assert cleaned(raw) == "le président a vu de nombreux élus, hier."
    for legitimate in [
        "Nous nous sommes vus.",
        "Ils sont à Pago Pago.",
        "On peut en en louant un.",
        "Il a dit non, non et non.",
    ]:
        assert cleaned(legitimate) == legitimate


def test_a_paragraph_cut_mid_sentence_is_joined():
    raw = "Le président a rencontré les\n\nministres hier.\n\nLa coopé-\n\nration avance."
    assert cleaned(raw) == "Le président a rencontré les ministres hier.\n\nLa coopération avance."


def test_breaks_that_end_a_paragraph_are_kept():
    raw = (
        "Coopération militaire\n\nLa Corée avance.\n\nLe nord-\n\ncoréen parle.\n\n"
        "- d'abord les armes ;\n- ensuite le pétrole."
    )
    assert cleaned(raw) == (
        "Coopération militaire\n\nLa Corée avance.\n\nLe nord-coréen parle.\n\n"
        "- d'abord les armes ;\n\n- ensuite le pétrole."
    )


def test_markdown_of_other_kinds_is_removed():
    raw = (
        '### Le titre\n\n* un point avec un [lien](http://exemple.fr/a_(b) "titre") '
        "et __du gras__, _une emphase_, \\[crochets\\] et \\#1 \\! ![photo](image.png)"
    )
    assert cleaned(raw) == (
        "Le titre\n\n* un point avec un lien et du gras, une emphase, [crochets] et #1 !"
    )


def test_list_items_keep_their_bullet_and_stay_apart():
    raw = "Les points :\n- d'abord les armes ;\n• ensuite le pétrole\n\n* enfin la paix."
    assert cleaned(raw) == (
        "Les points :\n\n- d'abord les armes ;\n\n• ensuite le pétrole\n\n* enfin la paix."
    )


def test_escaped_emphasis_marks_stay_escaped():
    # Unescaped, `*une étoile*` would read as emphasis on the next pass.
    raw = "Une \\*étoile\\* et un \\_trait\\_."
    assert cleaned(raw) == raw


def test_markdown_lookalikes_stay():
    raw = "La variable nom_de_code vaut 2*3*4 et la citation [...] reste."
    assert cleaned(raw) == raw


def test_page_chrome_of_other_sites_is_removed():
    raw = (
        "Haut de page\n\nLe titre\n\nPartager sur Facebook\n\n3 min de lecture\n\n"
        "Mots-clés : Russie, Chine, diplomatie\n\nLe texte de l'article.\n\n"
        "Lire aussi : la visite de Poutine\n\n12 commentaires\n\n"
        "© 2024 Le Journal. Tous droits réservés."
    )
    assert cleaned(raw) == "Le titre\n\nLe texte de l'article."
    assert all(RULES_BY_NAME[r].drops_words for r in rules_used(raw) if r != "paragraph_breaks")


def test_boilerplate_words_inside_the_article_stay():
    raw = (
        "Thème : la guerre en Ukraine a dominé les débats.\n\n"
        "Le droit d'auteur et le copyright ont été débattus.\n\n"
        "Par ailleurs, le ministre a parlé.\n\nLa suite du texte."
    )
    assert cleaned(raw) == raw


def test_a_repeated_byline_goes_and_the_first_stays():
    raw = "Le titre\n\nPar Jean Dupont\n\nLe texte.\n\nJean Dupont\n\nArticles par : Jean Dupont"
    assert cleaned(raw) == "Le titre\n\nPar Jean Dupont\n\nLe texte."


def test_capitals_inside_a_sentence():
    raw = (
        "Le communiqué publié après Réunion du conseil a été lu. La réunion a duré. "
        "Selon Le Monde, Les ministres ont décidé ; Selon lui, la Défense et la défense "
        "sont liées, à La Haye, au sommet d'État."
    )
    assert cleaned(raw) == (
        "Le communiqué publié après réunion du conseil a été lu. La réunion a duré. "
        "Selon Le Monde, les ministres ont décidé ; selon lui, la Défense et la défense "
        "sont liées, à La Haye, au sommet d'État."
    )


def test_a_capital_article_of_a_name_seen_with_a_small_one_elsewhere():
    raw = "La Chine avance. Selon Le Diplomate, La Chine recule. Ils ont vu la Chine."
    assert cleaned(raw) == (
        "La Chine avance. Selon Le Diplomate, la Chine recule. Ils ont vu la Chine."
    )


def test_no_break_spaces_between_ordinary_words_become_spaces():
    raw = f"Le prix est de 3{NBSP}833 euros, dix{NBSP}agents, XVe{NBSP}siècle, M.{NBSP}Dupont."
    assert cleaned(raw) == raw
    assert cleaned(f"Il voit la{NBSP}réunion.") == "Il voit la réunion."


def test_a_misspelt_name_is_corrected_when_the_glossary_knows_it():
    raw = "Emmanuel Macron parle. Le président Emmanuel Macorn a ajouté un mot."
    result = clean_text(raw, ["Emmanuel Macron"])
    assert result.text == "Emmanuel Macron parle. Le président Emmanuel Macron a ajouté un mot."
    assert [(f.rule, f.before, f.after) for f in result.fixes] == [
        ("misspelt_name", "Macorn", "Macron")
    ]


def test_a_misspelt_name_is_a_finding_when_the_glossary_does_not_know_it():
    raw = (
        "Jean Castex arrive. Puis Jean Castex parle. Enfin Jean Catsex part. "
        "Le Kim et la ville de Kiev sont loin."
    )
    result = clean_text(raw)
    assert result.text == raw
    assert [(f.check, f.evidence) for f in result.findings] == [("clean.misspelt_name", "Catsex")]
    start, end = result.finding_spans[0]
    assert raw[start:end] == "Catsex"


def test_an_english_title_is_marked_and_left_alone():
    raw = "North Korea Signs a Deal With Russia\n\nLa Corée du Nord signe un accord avec la Russie"
    result = clean_text(raw)
    assert result.text == raw
    assert [result.text[s:e] for s, e in result.english_spans] == [
        "North Korea Signs a Deal With Russia"
    ]


def test_clean_french_comes_out_untouched():
    # FLORES-style sentences, correctly typeset: no rule may fire.
    raw = (
        f"Le 6{NBSP}octobre 1789, le roi Louis{NBSP}XVI a quitté Versailles.\n\n"
        "On peut y aller en en louant un ; les navettes partent à 10:30.\n\n"
        f"Le FBI s'apprêtait à affecter dix{NBSP}agents à la lutte contre la pornographie.\n\n"
        "Oliver Sacks, dans son article Le discours du président, a indiqué que les "
        "personnes aphasiques comprennent les émotions.\n\n"
        "Vers 1000 avant J.-C., les Assyriens ont introduit la cavalerie."
    )
    result = clean_text(raw)
    assert result.text == raw
    assert result.fixes == []


def test_the_registry_names_every_rule_once_in_a_fixed_order():
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))
    assert names[0] == "paragraph_breaks"
    assert all(r.summary for r in RULES)


def test_layout_contract():
    raw = "  Titre  \r\n\n\n\n Premier paragraphe.\t\nSecond.\u2028Troisième.\r\r  \n\n\n"
    assert cleaned(raw) == "Titre\n\nPremier paragraphe.\n\nSecond.\n\nTroisième."


def test_a_round_after_a_change_runs_again_only_the_rules_whose_text_changed():
    """A rule is a function of the text: on the text it last left unchanged it is not run
    again (clean text, where one layout rule changes something, was cleaned twice), but a
    rule whose text a later rule changed runs again and still fixes what it now finds."""
    seen: dict[str, list[str]] = {"spaces": [], "unwrap": [], "flag": []}

    def spaces(text, context):  # earlier rule: a run of spaces becomes one
        seen["spaces"].append(text)
        return [clean.Change(m.start(), m.end(), " ") for m in re.finditer(" {2,}", text)]

    def unwrap(text, context):  # later rule: [x] loses its brackets, leaving a double space
        seen["unwrap"].append(text)
        return [
            clean.Change(m.start(), m.end(), m.group(1)) for m in re.finditer(r"\[(.*?)\]", text)
        ]

    def flag(text, context):  # a rule that only flags: its flag is kept once, as before
        seen["flag"].append(text)
        return [clean.Flag(0, 3, "looked at", "info")]

    rules = [
        clean.Rule(f.__name__, f, f.__name__, False, False, False) for f in (spaces, unwrap, flag)
    ]
    result = clean.clean_text("Une [ ] phrase.", rules=rules)
    assert result.text == "Une phrase."
    assert [f.rule for f in result.fixes] == ["unwrap", "spaces"]
    assert len(result.findings) == 1
    # each rule once a text: the third round, on a text every rule left as it was, runs none
    assert seen["spaces"] == ["Une [ ] phrase.", "Une   phrase.", "Une phrase."]
    assert seen["unwrap"] == ["Une [ ] phrase.", "Une   phrase.", "Une phrase."]
    assert seen["flag"] == ["Une   phrase.", "Une phrase."]
