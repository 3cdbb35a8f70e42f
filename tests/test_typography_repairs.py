"""The typography repairs: French spacing, '54 %', spaced quotes and the engine's doubled
words are fixed in the English; what English writes so stays. Real Apertium for the
engine's own output (both pivots)."""

from __future__ import annotations

import pytest

from pipeline.translate import apertium_plus, repairs


@pytest.mark.parametrize(
    ("english", "french", "repaired"),
    [
        (
            "The cost : it rises by 54 % ; will it intensify ?",
            "",
            "The cost: it rises by 54%; will it intensify?",
        ),
        ("Then , if you go , it ends .", "", "Then, if you go, it ends."),
        ("At 9\u00a0h\u00a030 the\u00a0plane left\u00a0!", "", "At 9:30 the plane left!"),
        ("The plane left.\u00a0", "", "The plane left."),
        (
            'His book " Introduction to astronautics ".',
            "",
            'His book "Introduction to astronautics".',
        ),
        (
            "Relations are gone in in the best period of of their history.",
            "",
            "Relations are gone in the best period of their history.",
        ),
        ("The the end.", "", "The end."),
        (
            "Odd like me… even even even more…",
            "Bizarre comme moi… voire même plus…",
            "Odd like me… even more…",
        ),
    ],
)
def test_french_typography_and_doubled_words_are_repaired(english, french, repaired):
    assert repairs.apply(english, french)[0] == repaired


@pytest.mark.parametrize(
    ("english", "french"),
    [
        ("He had had luck, and that that was so.", ""),
        ("It is very very far.", "C'est très très loin."),
        ("And so on ... and then?", ""),
        ('He said" and "then', ""),  # which quote opens is not known
        ('A ""quoted"" quote " here "', ""),  # quotes of a quoted field: left alone
        ("Go to .NET or see 3 .5 and 10:30.", ""),
        ("The file file.old is now identical to file.", ""),
    ],
)
def test_what_english_writes_so_is_left_alone(english, french):
    assert repairs.apply(english, french)[0] == english


def test_the_typography_rules_are_named_in_the_registry_and_edit_the_choice():
    by_name = {r.name: r for r in repairs.RULES}
    assert set(repairs.TYPOGRAPHY_RULES) <= set(by_name)
    # Post-edits of the English chosen, except the spaces the number rules need plain.
    assert [n for n in repairs.TYPOGRAPHY_RULES if not by_name[n].after_choice] == [
        "non_breaking_spaces"
    ]


def test_the_engine_writes_english_typography():
    # French spacing through both pivots of the real Apertium, repaired after the choice.
    french = ["Le coût : il augmente de 54 % ; va-t-il s'intensifier ?"]
    best = apertium_plus.improve(french)[0]
    for hypothesis in (best.best, best.es, best.ca):
        assert " :" not in hypothesis and " %" not in hypothesis and " ?" not in hypothesis
    assert "54%" in best.best


def test_the_engine_version_names_its_repairs_so_the_memory_does_not_serve_older_english():
    every_rule = apertium_plus.BothPivotsEngine().version
    without_typography = apertium_plus.BothPivotsEngine(
        apertium_plus.Steps(
            repairs=tuple(r.name for r in repairs.RULES if r.name not in repairs.TYPOGRAPHY_RULES)
        )
    ).version
    assert every_rule != without_typography
    assert f"repairs={repairs.fingerprint()}" in every_rule
