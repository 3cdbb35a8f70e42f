"""English cognates of French words no dictionary knows (tricératops → triceratops).

French and English share much learned vocabulary whose spelling differs by accents
and by regular suffixes (-ique/-ic, -isme/-ism, -aire/-ary, -eux/-ous). For a word
Apertium left untranslated, we try those rewrites and keep a candidate only when
it is a known English word; otherwise there is no cognate and the word stays.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

# French ending → English endings to try, longest French ending first.
SUFFIXES: list[tuple[str, tuple[str, ...]]] = [
    ("iques", ("ics", "ical")),
    ("ique", ("ic", "ical")),
    ("ismes", ("isms",)),
    ("isme", ("ism",)),
    ("istes", ("ists",)),
    ("iste", ("ist",)),
    ("aires", ("aries", "ars")),
    ("aire", ("ary", "ar")),
    ("euses", ("ous",)),
    ("euse", ("ous",)),
    ("eux", ("ous",)),
    ("ives", ("ive",)),
    ("ifs", ("ives",)),
    ("if", ("ive",)),
    ("ive", ("ive",)),
    ("ies", ("ies", "y")),
    ("ie", ("y",)),
    ("ité", ("ity",)),
    ("ités", ("ities",)),
    ("tés", ("ties",)),
    ("té", ("ty",)),
    ("oses", ("oses",)),
    ("ose", ("osis",)),
    ("ées", ("ed",)),
    ("ée", ("ed",)),
    ("és", ("ed",)),
    ("é", ("ed", "e")),
    ("ment", ("ment",)),
    ("eur", ("or", "er")),
    ("eurs", ("ors", "ers")),
    ("es", ("es", "s")),
    ("e", ("e", "")),
    ("s", ("s",)),
]


def strip_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.replace("œ", "oe").replace("Œ", "Oe"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def candidates(word: str) -> list[str]:
    """Possible English spellings of a French word, most likely first.

    A capitalised word is most often a name: only its accents go (Alexeï → Alexei).
    """
    plain = strip_accents(word.lower())
    out = [plain]
    if word[:1].isupper():
        return out if plain != word.lower() else []
    for french, englishes in SUFFIXES:
        if word.lower().endswith(french) and len(word) > len(french) + 2:
            stem = strip_accents(word.lower()[: -len(french)])
            out += [stem + english for english in englishes]
    return list(dict.fromkeys(out))


def english_cognate(word: str, is_english: Callable[[str], bool]) -> str | None:
    """The first candidate that is an English word, in the word's capitalisation."""
    if len(word) < 5:
        return None  # short words are too often false friends or abbreviations
    for candidate in candidates(word):
        if is_english(candidate):
            return candidate[:1].upper() + candidate[1:] if word[:1].isupper() else candidate
    return None
