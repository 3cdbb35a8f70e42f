"""The untranslated check reads the text before a word backwards from it, rather than
searching the whole text before every word (quadratic: a 10,000-character segment of an
article without punctuation took minutes); the answers are the regular expressions' own."""

from __future__ import annotations

import random
import re

from pipeline.checks import untranslated


def by_regex_sentence_start(text: str, start: int) -> bool:
    return bool(untranslated._SENTENCE_START.search(text[:start]))


def by_regex_inside_name(text: str, start: int, end: int) -> bool:
    before = re.search(r"(\w+)\s+$", text[:start])
    after = re.match(r"\s+(\w+)", text[end:])
    return bool(before and after and before.group(1)[0].isupper() and after.group(1)[0].isupper())


def test_reading_backwards_answers_as_the_regular_expressions_did():
    alphabet = list("aBé É_1٣ \n\t.!?:;«»\"“”([•–—-,x") + ["\u00a0", "\u2028", "ǅ"]
    rng = random.Random(17)
    for _ in range(15_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        start = rng.randint(0, len(text))
        end = rng.randint(start, len(text))
        assert untranslated._starts_sentence(text, start) == by_regex_sentence_start(text, start)
        assert untranslated._inside_name(text, start, end) == by_regex_inside_name(
            text, start, end
        )
    assert untranslated._inside_name("Charles de Gaulle", 8, 10)
    assert not untranslated._inside_name("the de facto", 4, 6)
