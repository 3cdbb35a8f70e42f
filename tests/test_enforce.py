"""Glossary enforcement on the real engines: apertium (fr→es→en) with corpus sentences,
and a tiny real Argos package with random weights (the argos_engine fixture)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import runner
from pipeline.glossary import as_sentence, find_terms, from_sentence, hit_honoured, load_glossary
from pipeline.records import Segment
from pipeline.translate.apertium import ApertiumEngine, missing_modes
from pipeline.translate.enforce import (
    EnforcementReport,
    compose,
    protect,
    split_pieces,
    translate_with_glossary,
)

REPO = Path(__file__).resolve().parent.parent
GLOSSARY = load_glossary(REPO / "glossary" / "glossary.yaml")

needs_apertium = pytest.mark.skipif(
    bool(missing_modes("es")), reason="apertium fr-es/spa-eng not installed"
)


def corpus_lines_with(*needles: str) -> list[str]:
    """Whole paragraphs of the corpus that hold each needle (real sentences, not made up)."""
    paragraphs = [
        line.strip()
        for path in sorted((REPO / "corpus").glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    found = []
    for needle in needles:
        found.append(next(p for p in paragraphs if needle in p))
    return found


TRICKY = corpus_lines_with(
    "dirigeant nord-coréen Kim Jong Un en Russie",  # Kim Jong One, norcoreano
    "En échange d'armes nord-coréennes",  # feminine plural adjective
    "L'Agence centrale nouvelle de Corée (KCNA)",  # brackets, RPDC twice, long name
    "Iouri Ouchakov",  # left untranslated by the engine
    "pour Le Diplomate",  # "The Diplomatic"
    "le dialogue 2+2 à Pékin",  # word order, Peking
    "ministère de l'Unification",
    "Parti des travailleurs coréens",
    "personnel de l'OTAN",  # "Nato"
)


def failing(texts: list[str], english: list[str]) -> list[tuple[str, str]]:
    return [
        (text[h.start : h.end], h.target)
        for text, en in zip(texts, english, strict=True)
        for h in find_terms(text, GLOSSARY)
        if not hit_honoured(en, h)
    ]


@pytest.fixture(scope="module")
def apertium():
    return ApertiumEngine("es")


@needs_apertium
def test_apertium_alone_misses_terms_that_enforcement_puts_right(apertium):
    plain = translate_with_glossary(TRICKY, apertium, [])
    assert len(failing(TRICKY, plain)) >= 9  # what the engine gets wrong on its own
    report = EnforcementReport()
    enforced = translate_with_glossary(TRICKY, apertium, GLOSSARY, report=report)
    assert failing(TRICKY, enforced) == []
    assert report.chosen["failed"] == 0
    joined = "\n".join(enforced)
    for expected in ("North Korean", "Kim Jong Un",
                     "Korean Central News Agency (KCNA)", "Yuri Ushakov", "The Diplomat",
                     "2+2 dialogue", "Beijing", "Unification Ministry",
                     "Workers' Party of Korea", "NATO", "DPRK"):  # fmt: skip
        assert expected in joined
    for wrong in ("Kim Jong One", "norcoreana", "RPDC", "Peking", "Iouri Ouchakov"):
        assert wrong not in joined


@needs_apertium
@pytest.mark.parametrize("method", ["protect", "split"])
def test_each_fallback_alone_honours_every_term(apertium, method):
    report = EnforcementReport()
    enforced = translate_with_glossary(TRICKY, apertium, GLOSSARY, methods=[method], report=report)
    assert failing(TRICKY, enforced) == []
    assert report.chosen[method] >= 1 and report.chosen["failed"] == 0


@needs_apertium
def test_segments_without_terms_are_translated_exactly_as_without_enforcement(apertium):
    texts = [
        "Le chat dort sur le canapé depuis ce matin.",
        "Les pluies ont été abondantes cette année dans le sud du pays.",
    ]
    assert all(find_terms(t, GLOSSARY) == [] for t in texts)
    mixed = texts + TRICKY[:2]
    assert translate_with_glossary(mixed, apertium, GLOSSARY)[:2] == (
        translate_with_glossary(texts, apertium, [])
    )


@needs_apertium
def test_a_placeholder_survives_apertium_and_keeps_its_place(apertium):
    text = "Selon Iouri Ouchakov, la RPDC et la Russie ont signé."
    hits = find_terms(text, GLOSSARY)
    protected = protect(text, hits)
    assert "Iouri" not in protected.text and "RPDC" not in protected.text
    english = apertium.translate([protected.text])[0][0]
    restored = protected.restore(english)
    assert restored is not None
    assert restored.index("Yuri Ushakov") < restored.index("DPRK") < restored.index("Russia")


@needs_apertium
def test_split_translation_honours_terms_whatever_the_engine_says(apertium):
    text = TRICKY[2]
    hits = find_terms(text, GLOSSARY)
    pieces = split_pieces(text, hits)
    to_translate = [p for p in pieces if any(c.isalpha() for c in p)]
    english = {
        p: hyps[0] for p, hyps in zip(to_translate, apertium.translate(to_translate), strict=True)
    }
    composed = compose(pieces, hits, english)
    assert all(hit_honoured(composed, h) for h in hits)
    assert composed.startswith("The Korean Central News Agency (KCNA), the main spokesman")


@needs_apertium
def test_fragments_in_one_batch_keep_their_own_words(apertium):
    # Terms translated alone (for repair) and pieces between terms (for split) go to the
    # engine side by side; each is closed as a sentence so no word moves to its neighbour.
    fragments = ["Dieu", "Global Player", "Affaires étrangères", "Américains"]
    english = [from_sentence(h[0]) for h in apertium.translate([as_sentence(f) for f in fragments])]
    assert english[0] == "God" and english[1] == "Global Player"
    assert english[3] == "Americans"


@needs_apertium
def test_runner_marks_terms_with_the_honoured_test(apertium):
    segments = [Segment("doc", n, 1, text, (0, len(text))) for n, text in enumerate(TRICKY, 1)]
    for s in segments:
        s.terms = find_terms(s.fr, GLOSSARY)
    runner.translate_segments(segments, apertium, GLOSSARY)
    runner.mark_terms(segments)
    assert all(hit.ok for s in segments for hit in s.terms)
    segments[0].en = segments[0].en.replace("Kim Jong Un", "Kim Jong One")
    runner.mark_terms(segments)
    assert [h.ok for h in segments[0].terms if h.target == "Kim Jong Un"] == [False]


# --- argos: a tiny real package with random weights ---------------------------------


def test_argos_enforcement_does_not_rely_on_the_model(argos_engine):
    """The tiny real package the tests build (tests/conftest.py): random weights."""
    tiny_argos = argos_engine
    texts = TRICKY[:5]
    plain = translate_with_glossary(texts, tiny_argos, [])
    assert len(failing(texts, plain)) >= 5  # random weights: garbage English
    report = EnforcementReport()
    enforced = translate_with_glossary(texts, tiny_argos, GLOSSARY, report=report)
    assert failing(texts, enforced) == []
    assert report.chosen["failed"] == 0 and report.segments_with_terms == len(texts)
    assert report.chosen["split"] >= 1  # the step that holds whatever the model outputs
