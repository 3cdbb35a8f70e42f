"""The checks: each planted defect is found, and correct translations give no finding.

Real parts: the spaCy French model (named entities), the system English word list and
Apertium's English analysers (untranslated words).
"""

from __future__ import annotations

import pytest

from pipeline.checks import CHECKS, run_checks
from pipeline.glossary import Term
from pipeline.records import Finding, Segment

TERMS = [
    Term(
        "Corée du Nord",
        "North Korea",
        variants=["Nord-Corée"],
        forbidden=["Korea of the North"],
        kind="place",
    ),
    Term("RPDC", "DPRK", kind="acronym", case_sensitive=True),
    Term("Poutine", "Putin", kind="person"),
    Term("chaebol", "chaebol", kind="keep"),
]


def segments(*pairs: tuple[str, str], doc: str = "art") -> list[Segment]:
    return [
        Segment(doc=doc, paragraph=n, sentence=1, fr=fr, fr_raw=(0, len(fr)), en=en)
        for n, (fr, en) in enumerate(pairs, start=1)
    ]


def found(pairs, check: str | None = None, terms=TERMS):
    """The findings of one check (or all) over the segments made from (French, English)."""
    segs = segments(*pairs)
    findings = run_checks(segs, terms, only=[check] if check else None)
    return findings, segs


# Correct translations, with names, glossary terms, numbers in several formats, quotes.
GOOD = [
    (
        "La Russie et la Corée du Nord ont signé un traité le 19 juin 2024.",
        "Russia and North Korea signed a treaty on June 19, 2024.",
    ),
    (
        "Vladimir Poutine a qualifié le traité de « document révolutionnaire ».",
        "Vladimir Putin called the treaty a “revolutionary document”.",
    ),
    (
        "Selon Iouri Ouchakov, le commerce a augmenté de 54 % en 2023.",
        "According to Yuri Ushakov, trade grew by 54% in 2023.",
    ),
    (
        "La Russie a exporté 3 833 tonnes de farine vers la RPDC.",
        "Russia exported 3,833 tonnes of flour to the DPRK.",
    ),
    (
        "Iouri Ouchakov a confirmé le dialogue 2+2 avec la Corée du Sud.",
        "Yuri Ushakov confirmed the 2+2 dialogue with South Korea.",
    ),
    (
        "Les chaebol coréens et la commission observent la situation géopolitique.",
        "The Korean chaebol and the commission are watching the geopolitical situation.",
    ),
    (
        "Le commerce a atteint 30,8 millions de dollars, puis 34 milliards (selon Moscou).",
        "Trade reached 30.8 million dollars, then 34 billion (according to Moscow).",
    ),
    (
        "Pyongyang a envoyé plus de 10 000 soldats en Russie depuis octobre.",
        "Pyongyang has sent more than 10,000 soldiers to Russia since October.",
    ),
    (
        "Le document de la commission décrit une alliance militaire entre deux nations.",
        "The commission's document describes a military alliance between two nations.",
    ),
    (
        "Kim Jong Un a accueilli Vladimir Poutine à l'aéroport de Pyongyang.",
        "Kim Jong Un welcomed Vladimir Putin at Pyongyang airport.",
    ),
    (
        "La guerre de Corée (1950-1953) a laissé la péninsule divisée.",
        "The Korean War (1950-1953) left the peninsula divided.",
    ),
    (
        "Moscou et Pyongyang ont renouvelé leurs engagements de défense mutuelle.",
        "Moscow and Pyongyang renewed their mutual defence commitments.",
    ),
]


def test_correct_translations_give_no_finding():
    findings, _ = found(GOOD)
    assert findings == []


def test_every_check_is_a_named_function_in_the_registry():
    assert set(CHECKS) >= {
        "glossary.target",
        "glossary.forbidden",
        "consistency.same-source",
        "consistency.entity",
        "consistency.variants",
        "untranslated",
        "numbers",
        "form.unbalanced",
        "form.empty",
        "form.repetition",
        "form.length-ratio",
    }
    assert all(callable(f) and f.__doc__ for f in CHECKS.values())


# --- glossary ---


def test_missing_glossary_target_is_an_error_on_its_segment():
    findings, segs = found(
        [("La RPDC a signé le traité.", "The RPDC signed the treaty.")], "glossary.target"
    )
    assert [(f.check, f.severity, f.segment) for f in findings] == [
        ("glossary.target", "error", segs[0].id)
    ]
    assert "'DPRK'" in findings[0].message
    assert "RPDC" in findings[0].evidence  # the rendering it found instead
    assert segs[0].findings == findings


def test_glossary_target_present_in_another_case_or_plural_is_fine():
    findings, _ = found([("La Corée du Nord a signé.", "NORTH KOREA signed.")], "glossary.target")
    assert findings == []


def test_an_acronym_written_out_is_the_term_but_another_name_is_not():
    terms = [*TERMS, Term("ONU", "UN", kind="acronym")]
    fr = "Le Conseil de sécurité de l'ONU a voté. La RPDC a protesté."
    en = (
        "The United Nations Security Council voted. "
        "The Democratic People's Republic of Korea protested."
    )
    assert found([(fr, en)], "glossary.target", terms=terms)[0] == []
    wrong = "The Security Council of the Union voted. The Democratic Korea protested."
    findings, _ = found([(fr, wrong)], "glossary.target", terms=terms)
    assert sorted(f.message for f in findings) == [
        "'ONU' should be rendered 'UN'",
        "'RPDC' should be rendered 'DPRK'",
    ]


PLACES = [
    *TERMS,
    Term("Europe", "Europe", kind="place"),
    Term("Chine", "China", kind="place"),
    Term("sud-coréen", "South Korean", kind="phrase"),
    Term("États-Unis", "United States", kind="place"),
]


@pytest.mark.parametrize(
    ("fr", "en"),
    [
        ("La période de l'histoire en Europe.", "The period of European history."),
        ("Des liens avec la Chine continentale.", "Ties with the Chinese mainland."),
        ("Le sud-coréen Jong Seork Park a fini.", "South Korea's Jong Seork Park finished."),
        ("Sa carte de résident des États-Unis.", "His American resident card."),
    ],
)
def test_a_place_in_its_derived_form_before_a_noun_is_the_term(fr, en):
    assert found([(fr, en)], "glossary.target", terms=PLACES)[0] == []


@pytest.mark.parametrize(
    ("fr", "en"),
    [
        ("Des liens avec la Chine continentale.", "Ties with the continental Chinese."),
        (
            "Les relations entre les États et la Chine à la fin.",
            "Relations between the States and Chinese at the end.",
        ),
        ("Le sud-coréen Park a fini.", "The Korean south Park finished."),
        ("Il est parti aux États-Unis.", "He left for the Americans."),
        (
            "Les relations entre les États et la Chine.",
            "The relations between the States and Chinese when finalising.",
        ),
    ],
)
def test_a_place_turned_into_its_people_or_lost_is_still_found(fr, en):
    findings, segs = found([(fr, en)], "glossary.target", terms=PLACES)
    assert [f.segment for f in findings] == [segs[0].id]


def test_forbidden_rendering_is_found():
    findings, segs = found(
        [("La Corée du Nord a tiré un missile.", "The Korea of the North fired a missile.")],
        "glossary.forbidden",
    )
    assert len(findings) == 1
    assert findings[0].severity == "error"
    assert "Korea of the North" in findings[0].message


def test_forbidden_text_inside_the_target_is_not_a_forbidden_rendering():
    term = Term("Corée du Nord", "North Korea", forbidden=["Korea"])
    findings, _ = found(
        [("La Corée du Nord a tiré.", "North Korea fired.")], "glossary.forbidden", [term]
    )
    assert findings == []


# --- consistency ---


def test_same_french_translated_two_ways():
    findings, segs = found(
        [
            ("A lire également", "Read also"),
            ("Le traité est signé.", "The treaty is signed."),
            ("A lire également", "Also worth reading"),
        ],
        "consistency.same-source",
    )
    assert [(f.segment, f.severity) for f in findings] == [(segs[2].id, "warning")]
    assert segs[0].id in findings[0].message


def test_same_french_translated_the_same_way_is_fine():
    findings, _ = found(
        [("A lire également", "Read also"), ("A lire également", "Read  also ")],
        "consistency.same-source",
    )
    assert findings == []


OUCHAKOV = [
    ("Iouri Ouchakov a parlé aux journalistes à Moscou.", "Yuri Ushakov spoke to reporters."),
    ("Selon Iouri Ouchakov, le traité est nécessaire.", "According to Yuri Ushakov, it is needed."),
    ("Le conseiller Iouri Ouchakov était présent.", "The adviser Yuri Ushakov was present."),
]


def test_named_entity_rendered_two_ways_with_a_suggested_glossary_entry():
    pairs = [*OUCHAKOV, ("Iouri Ouchakov a confirmé la visite.", "Iouri Ouchakov confirmed it.")]
    findings, segs = found(pairs, "consistency.entity")
    assert [f.segment for f in findings] == [segs[3].id]
    assert "'Iouri Ouchakov' rendered 'Iouri Ouchakov'" in findings[0].message
    assert "target: Yuri Ushakov" in findings[0].evidence
    assert "kind: person" in findings[0].evidence


def test_entity_copied_once_and_translated_twice_is_found_whatever_the_hash_seed():
    # "IRM" kept in one segment and "MRI" in two score alike; the tie must go to the
    # rendering more segments share, not to the order of a set (which follows the hash seed).
    pairs = [
        (
            "L’IRM est basée sur un phénomène physique appelé résonance magnétique nucléaire.",
            "IRM is based on a physical phenomenon called nuclear magnetic resonance.",
        ),
        (
            "Quatre ans plus tard, un brevet a été accordé, le premier brevet au monde "
            "délivré dans le domaine de l'IRM.",
            "Four years later, a patent was granted, the world's first patent issued in "
            "the field of MRI.",
        ),
        (
            "En 1977, le Dr Damadian a achevé la construction du premier scanner IRM.",
            "In 1977, Dr Damadian completed the construction of the first MRI scanner.",
        ),
    ]
    findings, segs = found(pairs, "consistency.entity")
    assert [f.segment for f in findings] == [segs[0].id]
    assert "target: MRI" in findings[0].evidence
    # Translated alike everywhere: nothing to report.
    pairs[0] = (pairs[0][0], pairs[0][1].replace("IRM", "MRI"))
    assert found(pairs, "consistency.entity")[0] == []


def test_an_english_plural_is_not_another_rendering_of_a_name():
    # French acronyms take no plural mark; English ones do: "les LV" are "the LVs".
    pairs = [
        ("On crée ensuite les LV avec la commande lvcreate.", "The LVs are then created."),
        ("Chaque LV porte un nom choisi par l'administrateur.", "Each LV has a name."),
        ("Un LV peut ensuite grandir sans arrêter le système.", "An LV can then grow."),
        ("Le paquet X.org fournit le serveur graphique.", "The X.org package provides it."),
        ("Les mainteneurs de X.org travaillent en équipe.", "The X.org maintainers work."),
        ("Cette équipe maintient X.org depuis 2004.", "This team has maintained Xorg since 2004."),
    ]
    findings, segs = found(pairs, "consistency.entity")
    assert [f.segment for f in findings] == [segs[5].id]  # Xorg is another name; LVs is not
    assert "'X.org' rendered 'Xorg'" in findings[0].message


def test_a_name_in_lower_case_before_punctuation_is_the_same_rendering():
    internet = [
        (
            "Le modem relie le réseau local à Internet.",
            "The modem links the network to the Internet.",
        ),
        (
            "Sans Internet, le serveur ne reçoit rien.",
            "Without the Internet, the server gets nothing.",
        ),
        ("Les paquets arrivent d'Internet.", "Packets arrive from the Internet."),
    ]
    # "internet)." is the usual rendering; Ethernet, another name nearby, is not this one's.
    fourth = (
        "Un câble Ethernet relie le modem, qui gère le trafic (entre l'ordinateur et Internet).",
        "An Ethernet cable links the modem, which handles the traffic (to the internet).",
    )
    assert found([*internet, fourth], "consistency.entity")[0] == []


def test_named_entity_rendered_one_way_is_fine():
    findings, _ = found(OUCHAKOV, "consistency.entity")
    assert findings == []


def test_glossary_entities_are_left_to_the_glossary_checks():
    pairs = [
        ("Poutine est arrivé à Pyongyang.", "Putin arrived in Pyongyang."),
        ("Poutine a signé le traité.", "Putin signed the treaty."),
        ("Poutine a salué Kim.", "Poutin greeted Kim."),
    ]
    findings, _ = found(pairs, "consistency.entity")
    assert findings == []


def test_variant_of_a_term_rendered_differently():
    pairs = [
        ("La Corée du Nord a tiré un missile.", "North Korea fired a missile."),
        ("La Corée du Nord a signé le traité.", "North Korea signed the treaty."),
        ("La Nord-Corée a tiré un autre missile.", "The Nordcorea fired another missile."),
    ]
    findings, segs = found(pairs, "consistency.variants")
    assert [(f.segment, f.severity) for f in findings] == [(segs[2].id, "warning")]
    assert "'Nord-Corée'" in findings[0].message


def test_variants_rendered_alike_are_fine():
    pairs = [
        ("La Corée du Nord a tiré un missile.", "North Korea fired a missile."),
        ("La Nord-Corée a tiré un autre missile.", "North Korea fired another missile."),
    ]
    findings, _ = found(pairs, "consistency.variants")
    assert findings == []


# --- untranslated ---


def test_french_words_left_in_the_english():
    findings, segs = found(
        [
            (
                "Les changements de la situation géopolitique sont profonds et sécuritaires.",
                "The changes of the situation géopolitique are deep and sécuritaires.",
            )
        ],
        "untranslated",
    )
    assert len(findings) == 1
    assert findings[0].segment == segs[0].id
    assert "géopolitique" in findings[0].message
    assert "sécuritaires" in findings[0].message


def test_unaccented_french_word_left_in_the_english():
    findings, _ = found(
        [("La Russie ne perd pas le sommeil.", "Russia does not lose the sommeil.")],
        "untranslated",
    )
    assert [f.message for f in findings] == ["French left in the English: sommeil"]


def test_english_words_that_look_french_names_and_kept_terms_are_not_untranslated():
    pairs = [
        (
            "Le document de la commission sur la situation du cosmodrome.",
            "The commission's document on the situation of the cosmodrome.",
        ),
        ("Iouri Ouchakov est arrivé à Pyongyang.", "Iouri Ouchakov arrived in Pyongyang."),
        ("Les chaebol coréens investissent.", "The Korean chaebol invest."),
        ("Voir https://www.mondialisation.ca/contact", "See https://www.mondialisation.ca/contact"),
        ("Charles de Gaulle est venu.", "Charles de Gaulle came."),
    ]
    findings, _ = found(pairs, "untranslated")
    assert findings == []


def test_a_segment_left_in_french_is_an_error_but_a_name_or_english_title_is_not():
    copies = [
        "Le nouveau traité fixe des tâches ambitieuses.",
        "Ludeny Phedjyna Eugene",
        "3 Takeaways From the North Korea-Russia Summit",
    ]
    pairs = [(text, text) for text in copies]
    findings, segs = found(pairs, "untranslated")
    assert [(f.segment, f.severity) for f in findings] == [(segs[0].id, "error")]


def test_words_of_the_pivot_language_are_found():
    findings, segs = found(
        [("Le dirigeant nord-coréen est arrivé.", "The leader norcoreano arrived.")],
        "untranslated.pivot",
    )
    assert [f.segment for f in findings] == [segs[0].id]
    assert "norcoreano" in findings[0].message


# --- numbers ---

NUMBERS_OK = [
    ("Elle a exporté 3 833 tonnes.", "It exported 3,833 tonnes."),
    ("Elle a exporté 3\u202f833 tonnes.", "It exported 3833 tonnes."),
    ("Les échanges ont augmenté de 54 %.", "Trade grew by 54%."),
    ("Les échanges ont augmenté de 54 %.", "Trade grew by 54 per cent."),
    ("Il est arrivé le 19 juin.", "He arrived on June 19."),
    ("Il est arrivé le 19 juin.", "He arrived on 19 June."),
    ("Il est arrivé le 1er juillet 2024.", "He arrived on July 1st, 2024."),
    ("Le dialogue 2+2 a eu lieu.", "The 2+2 dialogue took place."),
    ("Le premier traité depuis 2001.", "The first treaty since 2001."),
    ("Un montant de 30,8 millions de dollars.", "An amount of 30.8 million dollars."),
    ("Un montant de 34 milliards de dollars.", "An amount of 34 billion dollars."),
    ("Multiplié par 9 en 2023.", "Multiplied by nine in 2023."),
    ("Du 18 au 19 juin.", "On June 18-19."),
    ("En septembre 2023, à Vladivostok.", "In September 2023, in Vladivostok."),
    ("Un million et demi, soit 1,5 million.", "One and a half million, or 1.5 million."),
    ("Il en reste 1,5 million.", "One and a half million remain."),
    ("Il en reste 500 000.", "Half a million remain."),
    ("La guerre de 1939-1945.", "The war of 1939–45."),
    ("La saison 2023-24.", "The 2023–2024 season."),
    # Codes are copied whole: section numbers, versions, addresses, names with a number.
    ("Voir la section 6.2.4 et la version 2.6.1.", "See section 6.2.4 and version 2.6.1."),
    ("Le réseau 192.168.0.0/16 et 1.234.567 euros.", "The 192.168.0.0/16 network and €1,234,567."),
    ("Le virus H5N1 et le COVID-19 en 2020.", "The H5N1 virus and COVID19 in 2020."),
    ("En IPv6, chaque adresse IPv6 a 128 bits.", "In IPv6, each address has 128 bits."),
    ("Le sommet du G7 s'est ouvert.", "The Group of Seven summit opened."),
    ("La voiture de l'A1 GP et la Formule 1.", "The A1GP car and F1 racing."),
    ("Lancez ssh -L 8000:serveur:25 machine.", "Run ssh -L 8000:server:25 machine."),
    # Digits inside a word or an address are not numbers.
    ("Écrivez à debian-l10n-french@lists.debian.org.", "Write to the i18n list."),
    ("Une surface de 50 km2.", "An area of 50 square kilometres."),
]

NUMBERS_CHANGED = [
    ("Elle a exporté 3 833 tonnes.", "It exported 3,883 tonnes.", "3 833"),
    ("Elle a exporté 3 833 tonnes.", "It exported 3.833 tonnes.", "3 833"),
    ("Les échanges ont augmenté de 54 %.", "Trade grew by 45%.", "54 %"),
    ("Les échanges ont augmenté de 54 %.", "Trade grew by 54.", "54 %"),
    ("Il est arrivé le 19 juin.", "He arrived on June 18.", "19 juin"),
    ("Il est arrivé le 19 juin.", "He arrived on 19 July.", "19 juin"),
    ("Le dialogue 2+2 a eu lieu.", "The 2 dialogue took place.", "2"),
    ("Le premier traité depuis 2001.", "The first treaty since 2010.", "2001"),
    ("Un montant de 30,8 millions de dollars.", "An amount of 30.8 billion dollars.", "30,8"),
    ("Un montant de 34 milliards de dollars.", "An amount of 34 million dollars.", "34"),
    ("En septembre 2023, à Vladivostok.", "In October 2023, in Vladivostok.", "septembre"),
    ("Il en reste 1,5 million.", "One million remain.", "1,5 million"),
    ("Il en reste 2,5 millions.", "One and a half million remain.", "2,5 millions"),
    ("La guerre de 1939-1945.", "The war of 1939–46.", "1945"),
    ("Voir la section 6.2.4.", "See section 6.2.5.", "6.2.4"),
    ("Le serveur 192.168.0.1 répond.", "The server 192.168.1.1 answers.", "192.168.0.1"),
    ("Un chasseur Su-57 a été abattu.", "A Su-35 fighter was shot down.", "Su-57"),
    ("Le Il-76 a décollé.", "The He-76 took off.", "Il-76"),  # Apertium's "Il" is "he"
    ("La zone 0.a.1.2.ip6.arpa.", "The zone 0.has.1.2.ip6.harp.", "0.a.1.2"),
]


@pytest.mark.parametrize(("fr", "en"), NUMBERS_OK)
def test_numbers_kept_across_formats_are_fine(fr, en):
    findings, _ = found([(fr, en)], "numbers")
    assert findings == []


@pytest.mark.parametrize(("fr", "en", "missing"), NUMBERS_CHANGED)
def test_a_changed_number_is_an_error(fr, en, missing):
    findings, segs = found([(fr, en)], "numbers")
    assert [(f.segment, f.severity) for f in findings] == [(segs[0].id, "error")]
    assert f"'{missing}" in findings[0].message


def test_a_number_inside_a_glossary_term_is_left_to_the_glossary():
    # A localised title: the English has no 1, and the glossary says what it should be.
    fr = "Elle a duré moins longtemps que 1, rue Sésame, et 26 saisons."
    sesame = [*TERMS, Term("1, rue Sésame", "Sesame Street", kind="organization")]
    good = "Its run was shorter than Sesame Street, and 26 seasons."
    assert found([(fr, good)], "numbers", terms=sesame)[0] == []
    # Without the term, the 1 is a number the English lacks.
    assert len(found([(fr, good)], "numbers")[0]) == 1
    # A number outside the term is still checked.
    dropped = "Its run was shorter than Sesame Street, and many seasons."
    findings, _ = found([(fr, dropped)], "numbers", terms=sesame)
    assert len(findings) == 1
    assert "'26'" in findings[0].message and "'1'" not in findings[0].message


# --- form ---


@pytest.mark.parametrize(
    ("fr", "en"),
    [
        (
            "Il a parlé d'un « document révolutionnaire ».",
            "He spoke of a « revolutionary document.",
        ),
        ("Il a parlé d'un « document révolutionnaire ».", 'He spoke of a "revolutionary document.'),
        ("La guerre de Corée (1950-1953) est finie.", "The Korean War (1950-1953 is over."),
        ("Voir [le lien](#) ici.", "See [the link(#) here."),
    ],
)
def test_unbalanced_quote_or_bracket(fr, en):
    findings, segs = found([(fr, en)], "form.unbalanced")
    assert [(f.segment, f.severity) for f in findings] == [(segs[0].id, "warning")]


def test_quote_open_in_both_languages_is_fine():
    # A quotation that runs over two sentences opens in one segment and closes in the next.
    findings, _ = found(
        [
            ("Il a dit : « Le traité est signé.", "He said: “The treaty is signed."),
            ("Il entre en vigueur demain. »", "It comes into force tomorrow.”"),
        ],
        "form.unbalanced",
    )
    assert findings == []


def test_english_quotation_over_sentences_the_french_quotes_one_by_one_is_fine():
    # The French closes and reopens the quote in each sentence; English quotes once, from
    # the first sentence to the last.
    french = [
        "« Par chance, il ne m'est rien arrivé, mais j'ai vu une scène macabre. »",
        "Les gens frappaient les vitres avec des chaises.",
        "« Une des vitres s'est finalement brisée », a déclaré un survivant.",
    ]
    english = [
        '"Luckily nothing happened to me, but I saw a macabre scene.',
        "People were hitting the panes with chairs.",
        'One of the panes finally broke," said a survivor.',
    ]
    findings, _ = found(list(zip(french, english, strict=True)), "form.unbalanced")
    assert findings == []
    # The closing quote really dropped: the quotation never ends.
    english[2] = "One of the panes finally broke, said a survivor."
    findings, segs = found(list(zip(french, english, strict=True)), "form.unbalanced")
    assert [f.segment for f in findings] == [segs[0].id]


def test_quotes_in_two_documents_are_not_paired():
    opened = segments(("« Le traité est signé. »", '"The treaty is signed.'), doc="a")
    closed = segments(("« Il entre en vigueur. »", 'It comes into force."'), doc="b")
    findings = run_checks(opened + closed, TERMS, only=["form.unbalanced"])
    assert sorted(f.segment for f in findings) == sorted(s.id for s in opened + closed)


def test_quote_the_french_sentence_does_not_have_is_left_alone():
    # An English quotation running over sentences where the French sentence has none.
    findings, _ = found(
        [("Il a fallu des années pour le reconstruire.", 'It took years to rebuild it."')],
        "form.unbalanced",
    )
    assert findings == []


def test_empty_translation():
    findings, segs = found(
        [("Le traité est signé.", "The treaty is signed."), ("Le traité est ratifié.", "  ")],
        None,
    )
    assert [(f.check, f.severity, f.segment) for f in findings] == [
        ("form.empty", "error", segs[1].id)
    ]


def test_repetition_loop():
    findings, segs = found(
        [
            (
                "La Russie et la Corée du Nord ont signé un traité.",
                "Russia and North Korea signed a treaty of the treaty of the treaty of the treaty.",
            )
        ],
        "form.repetition",
    )
    assert [(f.segment, f.severity) for f in findings] == [(segs[0].id, "error")]
    assert "'treaty of the' 3 times" in findings[0].message


def test_repetition_the_french_has_too_is_fine():
    fr = (
        "Ce site contient du matériel protégé par le droit d'auteur. Nous respectons le droit "
        "d'auteur. Demandez la permission au détenteur du droit d'auteur."
    )
    en = (
        "This site contains material protected by the right of author. We respect the right "
        "of author. Ask permission from the holder of the right of author."
    )
    findings, _ = found([(fr, en)], "form.repetition")
    assert findings == []


def test_repeated_data_and_far_apart_phrases_are_not_loops():
    # An address's zero groups, and a phrase a long paragraph says again, are not a loop.
    address = (
        "L'adresse 2001:db8::20 s'écrit en entier avec ses groupes nuls.",
        "The address 2001:0db8:0000:0000:0000:0020 is written out with its zero groups.",
    )
    french_filler = (
        "Le fichier de configuration principal se trouve dans le répertoire habituel. "
        "Chaque modification demande un redémarrage du service, ce qui prend quelques "
        "secondes. Les administrateurs vérifient ensuite les journaux pour y chercher des "
        "erreurs."
    )
    english_filler = (
        "The main configuration file lives in the usual directory. Each change needs a "
        "restart of the service, which takes a few seconds. The administrators then read "
        "the logs to look for errors."
    )
    spread = (
        f"Indiquez les noms de domaine de la machine. {french_filler} Donnez ceux qu'elle sert.",
        f"Give all the domain names of this machine. {english_filler} Give all the domain "
        "names it serves. All the domain names go in mydestination.",
    )
    # A phrase the French says three times in other words: "ne pourront pas".
    said_thrice = (
        "Les utilisateurs ne pourront pas bloquer le serveur (ils ne pourront remplir que "
        "/home/). Les démons ne pourront pas non plus bloquer le système.",
        "The users will not be able to block the server (they will not be able to fill "
        "more than /home/). The daemons will not be able to block the system either.",
    )
    findings, _ = found([address, spread, said_thrice], "form.repetition")
    assert findings == []
    # The same three times close together is a loop.
    close = (
        "Indiquez les noms de domaine de la machine.",
        "Give all the domain names all the domain names all the domain names.",
    )
    findings, _ = found([close], "form.repetition")
    assert ["'all the domain names' 3 times" in f.message for f in findings] == [True]


def _corpus_with(extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [*GOOD, extra]


def test_length_ratio_far_outside_the_corpus_distribution():
    long_english = (
        "The partnership treaty is signed in Pyongyang, and furthermore the parties agreed on "
        "many other matters that the French sentence never mentions at all, at great and "
        "tedious length, over and over again."
    )
    fr = "Le traité de partenariat est signé à Pyongyang."
    findings, segs = found(_corpus_with((fr, long_english)), "form.length-ratio")
    assert [f.segment for f in findings] == [segs[-1].id]
    assert "longer" in findings[0].message

    short_english = "The treaty."
    fr = "Le traité de partenariat stratégique global a été signé hier soir à Pyongyang."
    findings, segs = found(_corpus_with((fr, short_english)), "form.length-ratio")
    assert [f.segment for f in findings] == [segs[-1].id]
    assert "shorter" in findings[0].message


def test_run_checks_replaces_old_findings_and_skips_english_lines():
    segs = segments(("Le traité est ratifié.", ""))
    run_checks(segs, TERMS)
    assert [f.check for f in segs[0].findings] == ["form.empty"]
    segs[0].en = "The treaty is ratified."
    run_checks(segs, TERMS)
    assert segs[0].findings == []
    english_line = Segment("art", 1, 1, "In Bid to Be Major", (0, 18), lang="en", en="")
    assert run_checks([english_line], TERMS) == []


def test_run_checks_keeps_the_findings_of_other_stages():
    segs = segments(("Le traité est ratifié.", "The treaty is ratified."))
    from_cleaning = Finding("clean.misspelt_name", "warning", segs[0].id, "Vladirmir?")
    obsolete = Finding("untranslated.old-name", "warning", segs[0].id, "from an older run")
    segs[0].findings = [from_cleaning, obsolete]
    run_checks(segs, TERMS)
    assert segs[0].findings == [from_cleaning]


def test_per_segment_findings_gathered_later_give_the_same_findings(monkeypatch):
    """cluster.py hands run_checks a function that gathers the per-segment findings after
    the corpus-wide checks ran (its tasks work meanwhile): the findings are the same, in
    the same order, and the function is called once, after the corpus checks."""
    from pipeline.checks import CORPUS_CHECKS, per_segment_findings

    pairs = [
        ("La RPDC a tiré un missile le 3 mai.", "The DPRK fired a missile on 4 May."),
        ("Le traité est ratifié.", ""),
        ("Il a dit « oui ».", "He said the traité is signed."),
        ("La RPDC a parlé.", "North Korea spoke."),
    ]
    expected = run_checks(segments(*pairs), TERMS)
    order: list[str] = []

    def later(context, names):
        order.append("submitted")

        def gather():
            order.append("gathered")
            return per_segment_findings(segs, context, names)

        return gather

    name = next(iter(CORPUS_CHECKS))
    corpus_check = CORPUS_CHECKS[name]

    def recorded(segs, context):
        order.append("corpus")
        return corpus_check(segs, context)

    monkeypatch.setitem(CORPUS_CHECKS, name, recorded)
    segs = segments(*pairs)
    assert expected and any(f.segment for f in expected)
    assert run_checks(segs, TERMS, segment_findings=later) == expected
    assert order == ["submitted", "corpus", "gathered"]
    assert [f for s in segs for f in s.findings] == [f for f in expected if f.segment]
