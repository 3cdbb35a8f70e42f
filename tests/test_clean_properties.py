"""Properties of the cleaner on generated text made of French words, names, markdown, web
chrome, stray punctuation and odd white space (hypothesis; the real spaCy lexicon):

- clean(clean(x)) == clean(x);
- the clean text keeps the paragraph layout the segmenter relies on;
- nothing is lost by accident: every letter and digit of the raw text reaches the clean text,
  unless a recorded fix of a rule that drops words (boilerplate, repeats, link addresses) or
  corrects a misspelt name covers it;
- each character of the clean text maps back (raw_span) to the raw character it came from.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.clean import NBSP, RULES_BY_NAME, CleanText, clean_text

WORDS = [
    "le", "la", "les", "de", "des", "et", "dans", "années", "président", "russe", "traité",
    "signé", "citant", "l'agence", "d'armes", "qu'il", "aujourd'hui", "nord-coréen", "Poutine",
    "Vladimir", "Corée", "Russie", "Kim", "Jong-un", "Reuters", "TASS", "KCNA", "M.", "2024",
    "19", "3,5", "Le", "La", "Des", "Selon", "après", "Visite", "visite", "Par", "Jean",
    "Dupont", "In", "the", "With", "to", "Be",
]  # fmt: skip
GLITCHES = [
    "Reuterscitant", "TASSl'agence", "dansle", "années, années,", "le le", "pris. dans",
    "». .»", "..»", " ,", " .", ", ,", "«", "»", "« ", " »", ",", ".", ";", ":", "!", "?",
    "...", "…", "–", "-", "- ", "• ", "* ", "## ", "**", "*", "_", "__", "[Asie](#)",
    "[lien](http://x.fr/a)", "![img](i.png)", "\\(", "\\)", "\\*", "\\[", "[...]", "(", ")",
    '"', "'", "’", NBSP, "\u202f", "  ", "\t", "\n", "\n\n", "\n\n\n", " \n ",
    "top of page", "4 min de lecture", "Photo du rédacteur: Jean Dupont", "A lire également",
    "Commentaires", "Copyright © Jean Dupont", "Région : Asie, Russie", "---",
    "Par Jean Dupont", "Jean Dupont", "contactez: a@b.ca", "coopé-\n\nration", "Vladirmir",
]  # fmt: skip
SEPARATORS = [" ", " ", " ", "", "\n", "\n\n"]

pieces = st.lists(
    st.tuples(st.sampled_from(WORDS + GLITCHES), st.sampled_from(SEPARATORS)), max_size=40
)
raw_texts = pieces.map(lambda parts: "".join(word + sep for word, sep in parts))
PROPERTY_SETTINGS = settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def covered_raw_positions(result: CleanText) -> set[int]:
    covered = set()
    for i in range(len(result.text)):
        start, end = result.raw_span(i, i + 1)
        covered.update(range(start, end))
    return covered


@PROPERTY_SETTINGS
@given(raw_texts, st.sampled_from([(), ("Vladimir Poutine",)]))
def test_cleaning_is_idempotent(raw, names):
    once = clean_text(raw, names)
    twice = clean_text(once.text, names)
    assert twice.text == once.text
    assert twice.fixes == []


@PROPERTY_SETTINGS
@given(raw_texts)
def test_clean_text_keeps_the_paragraph_layout(raw):
    text = clean_text(raw).text
    assert text == text.strip()
    assert "\n\n\n" not in text
    for paragraph in text.split("\n\n") if text else []:
        assert paragraph and "\n" not in paragraph and paragraph == paragraph.strip()


def assert_nothing_lost(raw: str, result: CleanText) -> None:
    """Every letter and digit of the raw text is in the clean text, or inside the span of a
    recorded fix of a rule that drops or corrects words (tests/fuzz_properties.py too)."""
    covered = covered_raw_positions(result)
    removals = [
        f
        for f in result.fixes
        if RULES_BY_NAME[f.rule].drops_words or RULES_BY_NAME[f.rule].corrects_words
    ]
    for i, char in enumerate(raw):
        if char.isalnum() and i not in covered:
            assert any(f.start <= i < f.end for f in removals), (
                f"{char!r} at {i} of {raw!r} vanished without a recorded removal"
            )


@PROPERTY_SETTINGS
@given(raw_texts, st.sampled_from([(), ("Vladimir Poutine",)]))
def test_nothing_is_lost_by_accident(raw, names):
    assert_nothing_lost(raw, clean_text(raw, names))


@PROPERTY_SETTINGS
@given(raw_texts)
def test_every_character_maps_back_to_where_it_came_from(raw):
    result = clean_text(raw)
    previous = 0
    for i, char in enumerate(result.text):
        start, end = result.raw_span(i, i + 1)
        assert 0 <= start <= end <= len(raw)
        assert start >= previous  # the mapping keeps the order of the text
        previous = start
        if char.isalnum() and end - start == 1:
            assert raw[start].casefold() == char.casefold()
    for fix in result.fixes:
        assert 0 <= fix.start <= fix.end <= len(raw)
        assert fix.before != fix.after


@PROPERTY_SETTINGS
@given(raw_texts)
def test_paragraph_spans_map_to_the_raw_lines_they_came_from(raw):
    result = clean_text(raw)
    for paragraph_start, paragraph_end in _paragraph_spans(result.text):
        start, end = result.raw_span(paragraph_start, paragraph_end)
        raw_letters = [c.casefold() for c in raw[start:end] if c.isalpha()]
        clean_letters = [c.casefold() for c in result.text[paragraph_start:paragraph_end]]
        # The clean paragraph's letters are all in its raw span, in order.
        iterator = iter(raw_letters)
        assert all(c in iterator for c in clean_letters if c.isalpha())


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for paragraph in text.split("\n\n") if text else []:
        spans.append((start, start + len(paragraph)))
        start += len(paragraph) + 2
    return spans
