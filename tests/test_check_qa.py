"""The checks QA tools run (Xbench, CheckMate, pofilter) that ours had not: each planted
defect is found with its evidence, and the correct form of the same sentence is not.

Also the glossary check's counting: one English rendering serves one French occurrence.
"""

from __future__ import annotations

import pytest

from pipeline.checks import CHECKS, run_checks
from pipeline.glossary import Term
from pipeline.records import Segment

TERMS = [
    Term("RPDC", "DPRK", kind="acronym", case_sensitive=True),
    Term(
        "République populaire démocratique de Corée",
        "Democratic People's Republic of Korea",
        kind="place",
    ),
    Term("Corée du Nord", "North Korea", kind="place"),
    Term("Corée", "Korea", kind="place"),
    Term("KCNA", "KCNA", kind="acronym", case_sensitive=True),
]


def found(pairs, check: str, terms=TERMS):
    segs = [
        Segment(doc="art", paragraph=n, sentence=1, fr=fr, fr_raw=(0, len(fr)), en=en)
        for n, (fr, en) in enumerate(pairs, start=1)
    ]
    return run_checks(segs, terms, only=[check]), segs


def test_the_new_checks_are_named_functions_in_the_registry():
    new = {
        "glossary.acronym",
        "form.doubled-word",
        "form.addresses",
        "typography.spacing",
        "typography.french-marks",
        "typography.end-punctuation",
        "typography.white-space",
        "typography.mojibake",
        "consistency.same-target",
    }
    assert new <= set(CHECKS)
    assert all(CHECKS[name].__doc__ for name in new)


# --- glossary: one rendering, one occurrence ---


def test_one_written_out_rendering_does_not_count_for_the_acronym_too():
    # The case of issue 18: RPDC twice, the written-out name once; the English has no DPRK
    # and one "Democratic People's Republic of Korea", which the written-out term claims.
    fr = (
        "La RPDC, officiellement République populaire démocratique de Corée, affirme que "
        "la RPDC ne cédera pas."
    )
    en = "The Democratic People's Republic of Korea says that it will not give in."
    findings, segs = found([(fr, en)], "glossary.target")
    assert [(f.severity, f.message) for f in findings] == [
        ("error", "'RPDC' should be rendered 'DPRK'")
    ]
    assert "renders 'République populaire démocratique de Corée'" in findings[0].evidence
    # Each occurrence rendered: nothing to report.
    good = "The DPRK, officially the Democratic People's Republic of Korea, says the DPRK won't."
    assert found([(fr, good)], "glossary.target")[0] == []


def test_an_acronym_alone_still_takes_its_written_out_form():
    fr = "La RPDC a signé le traité."
    en = "The Democratic People's Republic of Korea signed the treaty."
    assert found([(fr, en)], "glossary.target")[0] == []


def test_a_term_twice_in_the_french_and_once_in_the_english_is_a_warning():
    fr = "La Corée du Nord a tiré un missile ; la Corée du Nord l'a confirmé."
    findings, _ = found([(fr, "North Korea fired a missile; it confirmed it.")], "glossary.target")
    assert [(f.severity, f.message) for f in findings] == [
        (
            "warning",
            "'Corée du Nord' occurs 2 times in the French, 'North Korea' 1 time in the English",
        )
    ]
    both = "North Korea fired a missile; North Korea confirmed it."
    assert found([(fr, both)], "glossary.target")[0] == []


def test_a_shorter_target_inside_a_longer_one_does_not_serve_twice():
    fr = "La Corée du Nord et la Corée du Sud: la Corée reste divisée."
    findings, _ = found(
        [(fr, "North Korea and South Korea: Korea stays divided.")], "glossary.target"
    )
    assert findings == []  # "Korea" of "North Korea" is not the only one left for "Corée"
    findings, _ = found([(fr, "North Korea and the South stay divided.")], "glossary.target")
    assert [f.message for f in findings] == ["'Corée' should be rendered 'Korea'"]


# --- glossary.acronym ---


@pytest.mark.parametrize(
    "en",
    [
        "The CNUCED report was published.",  # kept as written
        "The UNCTAD report was published.",  # another acronym in its place
        "The U.N. report was published.",  # ONU: its letters, dotted
    ],
)
def test_an_acronym_kept_or_rendered_is_fine(en):
    fr = "Le rapport de la CNUCED a été publié." if "U.N." not in en else "Le rapport de l'ONU."
    assert found([(fr, en)], "glossary.acronym")[0] == []


def test_an_acronym_written_out_or_in_a_glossary_term_is_fine():
    fr = "L'OTAN et la KCNA ont réagi."
    en = "The North Atlantic Treaty Organisation and the Korean Central News Agency reacted."
    assert found([(fr, en)], "glossary.acronym")[0] == []  # KCNA: the glossary's business


def test_an_acronym_lost_in_the_english_is_found():
    fr = "Selon l'AIEA, le site de Yongbyon fonctionne."
    findings, segs = found(
        [(fr, "According to the agency, the Yongbyon site works.")], "glossary.acronym"
    )
    assert [(f.segment, f.severity) for f in findings] == [(segs[0].id, "info")]
    assert "'AIEA'" in findings[0].message


def test_a_headline_in_capitals_is_not_a_list_of_acronyms():
    fr = "LA CORÉE DU NORD TIRE UN MISSILE"
    assert found([(fr, "North Korea fires a missile")], "glossary.acronym")[0] == []


# --- form.doubled-word ---


def test_a_doubled_word_the_french_does_not_double_is_found():
    fr = "Les fonds sont partis dans la nature."
    findings, _ = found([(fr, "The funds have gone in in nature.")], "form.doubled-word")
    assert [f.message for f in findings] == ["doubled word(s) in the English: 'in in'"]
    assert "gone in in nature" in findings[0].evidence


@pytest.mark.parametrize(
    ("fr", "en"),
    [
        ("Il avait eu de la chance.", "He had had luck."),
        ("Il a dit que cela était faux.", "He said that that was false."),
        ("C'est très très loin.", "It is very very far."),
        ("Elle vit à Bora Bora.", "She lives in Bora Bora."),
    ],
)
def test_english_doubles_and_doubles_of_the_french_are_fine(fr, en):
    assert found([(fr, en)], "form.doubled-word")[0] == []


# --- form.addresses ---


def test_an_address_or_handle_that_differs_is_found():
    fr = "Écrivez à presse@kcna.kp ou suivez @KCNAWatch et #Pyongyang sur https://kcna.kp/fr."
    en = "Write to press@kcna.kp or follow @KCNA_Watch and #Pyongyang on https://kcna.kp/fr."
    findings, _ = found([(fr, en)], "form.addresses")
    assert len(findings) == 1
    assert "'presse@kcna.kp'" in findings[0].message and "'@KCNAWatch'" in findings[0].message
    assert "not in the French: 'press@kcna.kp', '@KCNA_Watch'" in findings[0].message


def test_addresses_copied_are_fine_even_without_the_scheme():
    fr = "Voir www.kcna.kp, écrire à info@kcna.kp. Le numéro #1 du parti."
    en = "See kcna.kp, write to info@kcna.kp. The party's number #1."
    assert found([(fr, en)], "form.addresses")[0] == []


# --- typography ---


def test_french_spacing_left_in_the_english_is_found():
    fr = "Le coût : il augmente de 54 % ; va-t-il s'intensifier ?"
    en = "The cost : it rises by 54 % ; will it intensify ?"
    findings, _ = found([(fr, en)], "typography.spacing")
    assert [f.message for f in findings] == [
        "space before : % ; ? in the English (4×): French spacing"
    ]
    assert "'The cost : it rises" in findings[0].evidence


def test_no_space_after_a_comma_or_colon_is_found_but_not_in_numbers_or_addresses():
    fr = "Il a dit, à 10:30, que 3,5 % suffisent : voir http://a.fr."
    en = "He said,at 10:30, that 3.5% suffice:see http://a.fr."
    findings, _ = found([(fr, en)], "typography.spacing")
    assert [f.message for f in findings] == ["no space after , : in the English (2×)"]
    assert findings[0].evidence == "'said,at', 'suffice:see'"


def test_english_spacing_is_fine():
    fr = "Le coût : il augmente de 54 % ; et alors ? Et ensuite..."
    en = 'The cost: it rises by 54%; so what? And then ... "Really?" (Yes.) Go .NET!'
    assert found([(fr, en)], "typography.spacing")[0] == []


def test_french_guillemets_and_non_breaking_spaces_in_the_english_are_found():
    fr = "Il a parlé d'un «\u00a0succès\u00a0» : 10\u00a0000 soldats."
    en = "He spoke of a «\u00a0success\u00a0»: 10\u00a0000 soldiers."
    findings, _ = found([(fr, en)], "typography.french-marks")
    assert [f.message for f in findings] == [
        "French typography in the English: French opening guillemet ×1, "
        "non-breaking space (U+00A0) ×3, French closing guillemet ×1"
    ]
    fixed = 'He spoke of a "success": 10,000 soldiers, 48\u00a0years old.'  # a unit's is English
    assert found([(fr, fixed)], "typography.french-marks")[0] == []


def test_a_non_breaking_space_before_a_mark_is_french_spacing():
    findings, _ = found(
        [("Le coût\u00a0: 54\u00a0%.", "The cost\u00a0: 54\u00a0%.")], "typography.spacing"
    )
    assert [f.message for f in findings] == ["space before : % in the English (2×): French spacing"]


@pytest.mark.parametrize(
    ("fr", "en", "severity", "message"),  # info: see benchmarks/check_review.md, fifth round
    [
        (
            "Va-t-il s'intensifier ?",
            "Will it intensify.",
            "info",
            "the French ends with a question mark, the English with a full stop",
        ),
        (
            "Il a dit : « Jamais ! »",
            'He said: "Never."',
            "info",
            "the French ends with an exclamation mark, the English with a full stop",
        ),
        (
            "Et ensuite…",
            "And then.",
            "info",
            "the French ends with an ellipsis, the English with a full stop",
        ),
    ],
)
def test_end_punctuation_that_differs_is_found(fr, en, severity, message):
    findings, _ = found([(fr, en)], "typography.end-punctuation")
    assert [(f.severity, f.message) for f in findings] == [(severity, message)]


@pytest.mark.parametrize(
    ("fr", "en"),
    [
        ("Il a dit : « Jamais ! ».", 'He said: "Never!"'),  # quotes and order aside
        ("Et ensuite...", "And then…"),
        ("Le traité (signé hier).", "The treaty (signed yesterday)."),
        ("Vraiment ?", "Really?"),
    ],
)
def test_the_same_end_punctuation_in_other_typography_is_fine(fr, en):
    assert found([(fr, en)], "typography.end-punctuation")[0] == []


def test_leading_or_trailing_white_space_that_differs_is_found():
    findings, segs = found(
        [("Le traité.", "The treaty. "), (" Le texte.", " The text.")], "typography.white-space"
    )
    assert [(f.segment, f.message) for f in findings] == [
        (segs[0].id, "trailing white space differs: French '', English ' '")
    ]


def test_mojibake_and_replacement_characters_in_the_english_are_found():
    findings, segs = found(
        [
            ("Le président a parlé.", "The prÃ©sident spoke."),
            ("Il a dit « oui ».", "He said \ufffdyes\ufffd."),
            ("Le café coûte 5 €.", "The café costs €5 – naïve."),
        ],
        "typography.mojibake",
    )
    assert [(f.segment, f.severity) for f in findings] == [
        (segs[0].id, "error"),
        (segs[1].id, "error"),
    ]
    assert "président" in findings[0].evidence  # what ftfy reads it as
    assert "(2×)" in findings[1].message


# --- consistency.same-target ---


def test_the_same_english_for_different_french_is_found():
    pairs = [
        ("La Corée du Nord a tiré un missile.", "North Korea fired a missile."),
        ("La Corée du Nord a tiré deux missiles.", "North Korea fired a missile."),
        ("La Corée du Nord a tiré un missile !", "North Korea fired a missile!"),
        ("Oui.", "Yes."),
        ("Si.", "Yes."),
    ]
    findings, segs = found(pairs, "consistency.same-target")
    assert [(f.segment, f.severity) for f in findings] == [(segs[1].id, "info")]
    assert segs[0].id in findings[0].message
    assert "deux missiles" in findings[0].evidence


def test_the_same_french_in_other_typography_translated_alike_is_fine():
    pairs = [
        ("La Corée du Nord a tiré un missile.", "North Korea fired a missile."),
        ("La Corée du Nord a tiré un missile !", "North Korea fired a missile."),
    ]
    assert found(pairs, "consistency.same-target")[0] == []


@pytest.mark.parametrize(
    ("fr", "en"),
    [
        ("Il voulait dissoudre la FED.", "He wanted to close the Fed."),  # another case
        ("Les IST courantes sont le VIH.", "Common STIs are HIV."),  # plural, letters moved
        ("La voiture de l'A1 GP.", "The A1GP car."),  # glued to digits
        ("Pendant le GP de Hongrie.", "During the Hungarian Grand Prix."),  # written out
    ],
)
def test_an_acronym_in_another_case_plural_or_glued_is_kept(fr, en):
    assert found([(fr, en)], "glossary.acronym")[0] == []


def test_a_pronoun_doubled_across_clauses_is_english():
    fr = "L'ennui vous fait savoir que vous devriez faire autre chose."
    en = "Boredom is the way to tell you you should be doing something else."
    assert found([(fr, en)], "form.doubled-word")[0] == []


def test_an_address_without_its_accent_is_the_same_address():
    fr = "Le serveur Bankovnípoplatky.com a publié l'enquête."
    assert found([(fr, "The Bankovnipoplatky.com server published it.")], "form.addresses")[0] == []


# --- in `pipeline run` and `pipeline check` (real Apertium, real files) ---


def test_run_repairs_the_typography_and_check_finds_what_a_reviewer_brings_back(tmp_path):
    import json

    from click.testing import CliRunner

    from pipeline.cli import main

    (tmp_path / "corpus").mkdir()
    article = "Le coût : il augmente de 54 % ; va-t-il s'intensifier ?\n"
    (tmp_path / "corpus" / "art.txt").write_text(article, encoding="utf-8")
    (tmp_path / "glossary.yaml").write_text("terms: []\n", encoding="utf-8")
    paths = ["--corpus", str(tmp_path / "corpus"), "--glossary", str(tmp_path / "glossary.yaml")]
    out = ["--out", str(tmp_path / "out")]
    run = CliRunner().invoke(main, ["run", "--engine", "apertium", *paths, *out])
    assert run.exit_code == 0, run.output
    jsonl = tmp_path / "out" / "art.jsonl"
    record = json.loads(jsonl.read_text(encoding="utf-8"))
    assert " :" not in record["en"] and "54%" in record["en"] and " ?" not in record["en"]
    assert record["findings"] == []
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "| typography.spacing | 0 | 0 | 0 |" in report

    # A reviewer's edit brings French spacing and a doubled word back; the check finds them.
    record["en"] = "The cost : it rises by 54 % ; will it it intensify."
    jsonl.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    check = CliRunner().invoke(main, ["check", *paths, *out])
    assert check.exit_code == 0, check.output
    found = json.loads(jsonl.read_text(encoding="utf-8"))["findings"]
    assert {f["check"] for f in found} == {
        "typography.spacing",
        "form.doubled-word",
        "typography.end-punctuation",
    }
