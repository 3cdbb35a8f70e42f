"""`apertium --pivot both` on the real Apertium (both pivots) and the real English model."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.translate import apertium, apertium_plus, repairs
from pipeline.translate.cognates import english_cognate
from pipeline.translate.engine import open_engine
from pipeline.translate.english_lm import load_model

needs_apertium = pytest.mark.skipif(
    shutil.which("apertium") is None
    or any(apertium.missing_modes(p) for p in apertium_plus.PIVOTS),
    reason="the real apertium with fr-es, spa-eng, fra-cat and cat-eng is needed",
)


@pytest.fixture(scope="module")
def engine():
    return apertium_plus.BothPivotsEngine()


@needs_apertium
def test_awkward_segments_come_back_one_for_one(engine):
    batch = [
        "Le chat de Zorglub a mangé 111 souris",
        "*Alerte* : 222 # @ [x] \\ ^ $ / < > { }",
        "",
        "Titre sans point 333",
        "noir et blanc 444.",
        "Ligne un\nligne deux 555",
        "Il a la tuberculose et le paludisme 666.",
    ]
    out = engine.translate(batch, n_best=1)
    assert len(out) == len(batch)
    english = [hyps[0] for hyps in out]
    numbers = ("111", "222", "333", "444", "555", "666")
    for number, text in zip(numbers, english[:2] + english[3:], strict=True):
        assert number in text
        assert sum(number in other for other in english) == 1
    # the literal asterisks, hashes and brackets survive; no Apertium mark leaks anywhere
    assert "*Alert" in english[1] and "#" in english[1] and "[x]" in english[1]
    assert english[2] == ""
    assert "\n" in english[5]
    for text in english[:1] + english[3:]:
        assert "*" not in text and "#" not in text and "@" not in text
    # words stay in their own segment (the transfer used to move them across the boundary)
    assert "black" not in english[3].lower() and "black" in english[4].lower()


@needs_apertium
def test_unknown_french_word_found_through_the_other_pivot(engine):
    # fr-es does not know "tuberculose"/"paludisme"; fra-cat does
    best = engine.translate(["Il a la tuberculose et le paludisme."])[0][0]
    assert "tuberculosis" in best and "malaria" in best
    assert "tuberculose" not in best and "paludisme" not in best


@needs_apertium
def test_a_word_both_pivots_lack_is_not_looked_up_again(monkeypatch):
    # "tuberculose": fr-es lacks it, fra-cat knows it (asked); "zorglubifier": both lack it
    # (their own first pass says so: not asked), and the English is the same as when asked
    batch = ["Il a la tuberculose.", "Ils vont zorglubifier la ville."]
    hyps = apertium_plus.first_pass(batch)
    lm = load_model()
    asked: list[set[str]] = []
    real = apertium_plus._translate_words

    def spy(words, modes):
        asked.append(set(words))
        return real(words, modes)

    monkeypatch.setattr(apertium_plus, "_translate_words", spy)
    resolved = apertium_plus.resolve_unknown_words(hyps, lm)
    every = set().union(*asked)
    assert "tuberculose" in every and "zorglubifier" not in every
    assert "tuberculosis" in resolved["es"][0]
    monkeypatch.setattr(apertium_plus, "_whole_unknown_words", lambda text: [])
    asked.clear()
    assert apertium_plus.resolve_unknown_words(hyps, lm) == resolved
    assert "zorglubifier" in set().union(*asked)  # asked without the skip, to no avail


def test_whole_unknown_words_stand_alone():
    text = "**zorg and **abc-def, l'**ghi **jkl."
    assert apertium_plus._whole_unknown_words(text) == ["zorg", "jkl"]


@needs_apertium
def test_unknown_name_stays_as_written(engine):
    best = engine.translate(["Zorglub est arrivé à Ouagadougou."])[0][0]
    assert "Zorglub" in best and "Ouagadougou" in best


@needs_apertium
def test_n_best_gives_the_combined_translation_then_the_pivots(engine):
    hyps = engine.translate(["Le chat de Zorglub a mangé 111 souris"], n_best=3)[0]
    assert 1 <= len(hyps) <= 3 and len(set(hyps)) == len(hyps)
    assert engine.translate(["Le chat de Zorglub a mangé 111 souris"], n_best=1)[0] == hyps[:1]


@needs_apertium
def test_progress_reaches_the_end(engine):
    seen = []
    engine.translate(["Bonjour.", "Au revoir."], progress=lambda done, total: seen.append(total))
    assert seen and set(seen) == {4}


def test_the_model_prefers_the_translated_hypothesis():
    lm = load_model()
    untranslated = "He has the tuberculose and the paludisme."
    translated = "He has tuberculosis and malaria."
    assert apertium_plus.choose_sentence(untranslated, translated, lm) == translated
    assert apertium_plus.choose_sentence(translated, untranslated, lm) == translated
    assert lm.score("the cat sat on the mat") > lm.score("mat the on sat cat the")


def test_word_combination_takes_the_better_reading_of_each_difference():
    lm = load_model()
    first = "The president of the republic has the tuberculose in the city."
    second = "The president of the republic has tuberculosis at the city."
    combined = apertium_plus.combine_pair(first, second, lm)
    assert "tuberculosis" in combined and "tuberculose" not in combined
    assert combined.startswith("The president of the republic")
    assert combined.endswith("city.")


def test_marks_are_stripped_and_literals_restored():
    marked = "The **tuberculose of *Uagadugú and #give \ue000x\ue000 * done"
    assert (
        apertium_plus.strip_marks(marked)
        == "The tuberculose of Uagadugú and give \ue000x\ue000 done"
    )
    assert apertium_plus.restore_literals(apertium_plus.protect_literals("a*b#c@d")) == "a*b#c@d"


@pytest.mark.parametrize(
    ("english", "french", "repaired"),
    [
        ("« Yes », he declared.", "", '"Yes", he said.'),
        (
            "It cost 9 000 dollars, 6,34 each, at 11 h 30.",
            "",
            "It cost 9,000 dollars, 6.34 each, at 11:30.",
        ),
        (
            "The scientists have announced that it has been taken.",
            "",
            "The scientists announced that it was taken.",
        ),
        (
            "He claimed to have directed it and would have gone.",
            "",
            "He claimed to have directed it and would have gone.",
        ),
        ("They lost his keys.", "Ils ont perdu leurs clés.", "They lost their keys."),
        ("He lost his keys.", "Il a perdu ses clés.", "He lost his keys."),
        (
            "Detection of the cancer, of the tuberculosis and of the malaria.",
            "",
            "Detection of the cancer, the tuberculosis and the malaria.",
        ),
        (
            "It is the high plus level of the country.",
            "",
            "It is the highest level of the country.",
        ),
    ],
)
def test_repairs(english, french, repaired):
    assert repairs.apply(english, french)[0] == repaired


def test_every_rule_is_named_once_and_explained():
    names = [r.name for r in repairs.RULES]
    assert len(names) == len(set(names))
    assert all(r.why for r in repairs.RULES)
    fixed, fired = repairs.apply("« Oui »", "")
    assert fixed == '"Oui"' and fired == ["quotes"]
    with pytest.raises(Exception, match="unknown repair rule"):
        repairs.select(["no_such_rule"])


def test_cognates():
    is_english = load_model().is_english_word
    assert english_cognate("tricératops", is_english) == "triceratops"
    assert english_cognate("photogénique", is_english) == "photogenic"
    assert english_cognate("Alexeï", is_english) == "Alexei"
    assert english_cognate("Kahne", is_english) is None  # a name keeps its spelling
    assert english_cognate("zorglubique", is_english) is None


@needs_apertium
def test_cli_pivot_both_is_the_default(tmp_path):
    assert isinstance(open_engine("apertium", "both"), apertium_plus.BothPivotsEngine)
    result = CliRunner().invoke(
        main, ["translate", "--engine", "apertium", "-"], input="Il a la tuberculose.\n"
    )
    assert result.exit_code == 0, result.output
    assert "tuberculosis" in result.stdout
