"""Issue 19's cuts of the checks' CPU: each gives what the code before gave."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.checks import base, glossary


def fold_before(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def shouting_before(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) > 0.6 * len(letters)


TEXTS = st.text(max_size=60) | st.text("aAéÉßﬁİıǅⅧⒶ\u0301 -'", max_size=60)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_fold_is_what_it_was(text):
    """ASCII folded by lower() (no decomposition, no combining mark), short texts cached."""
    assert base.fold(text) == fold_before(text)
    assert base.fold(text) == fold_before(text)  # from the cache


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_shouting_is_what_it_was(text):
    assert glossary._shouting(text) == shouting_before(text)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from("abc"), st.text(max_size=20), max_size=3))
def test_a_jsonl_line_is_what_it_was(record):
    """The three line breaks json leaves raw are escaped only where one stands: the same
    line as translating every line."""
    import json

    from pipeline.formats import jsonl

    before = json.dumps(record, ensure_ascii=False).translate(jsonl._JSONL_ESCAPES) + "\n"
    assert jsonl.jsonl_line(record) == before


def test_a_finding_record_is_its_asdict():
    from dataclasses import asdict

    from pipeline.formats.jsonl import finding_record
    from pipeline.records import Finding

    finding = Finding("numbers", "error", "a-1-1", "12 is 13", "here")
    assert finding_record(finding) == asdict(finding)
    assert list(finding_record(finding)) == list(asdict(finding))


def english_number_words_before(text: str) -> list:
    """numbers.quantities' loop over English words as it was (the text after every word
    copied, number or not)."""
    import re

    from pipeline.checks import numbers as n

    found = []
    for m in re.finditer(r"\b[A-Za-z]+\b", text):
        word = m.group().casefold()
        value = n.ENGLISH_NUMBER_WORDS.get(word)
        after = text[m.end() :]
        if word in ("a", "an") and n._SCALE.match(after):
            value = 1
        if word == "half" and (article := n._HALF_A.match(after)):
            value, after = 0.5, after[article.end() :]
        if value is None:
            continue
        if half := n._AND_A_HALF.match(after):
            value, after = value + 0.5, after[half.end() :]
        percent = n._EN_PERCENT.match(after)
        if percent:
            found.append(("pct", frozenset({float(value)}), m.group() + percent.group()))
            continue
        values, scale_text = n._scaled({float(value)}, after, "en")
        if word in ("a", "an", "half") and not scale_text:
            continue
        found.append(("num", frozenset(values), m.group() + scale_text))
    return found


NUMBER_WORDS = st.lists(
    st.sampled_from(
        "a an half one two twenty and of the million billion thousand percent per cent "
        "% A Half Two x 3 , . -".split()
    ),
    max_size=14,
).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(NUMBER_WORDS)
def test_english_number_words_are_what_they_were(text):
    from pipeline.checks import numbers

    words = [
        (q.kind, q.values, q.text)
        for q in numbers.quantities(text, "en")
        if q.kind in ("num", "pct") and not q.text[:1].isdigit()
    ]
    assert words == english_number_words_before(text)


def test_english_number_words_still_read():
    from pipeline.checks import numbers

    found = {q.text: q.values for q in numbers.quantities("half a million and two", "en")}
    assert frozenset({500000.0}) in found.values() and found["two"] == frozenset({2.0})


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(max_codepoint=127), max_size=80))
def test_ftfys_patterns_never_find_anything_in_ascii(text):
    """What lets the mojibake check pass over an ASCII English: proven from the expression
    (needs_non_ascii), and seen on ASCII texts."""
    from ftfy.badness import BADNESS_RE

    assert base.needs_non_ascii(BADNESS_RE)
    assert BADNESS_RE.search(text) is None


def test_needs_non_ascii_only_when_every_alternative_needs_it():
    import re

    assert base.needs_non_ascii(re.compile("[é-ü]x|ü+|(?:a€)"))
    assert not base.needs_non_ascii(re.compile("[é]x|u"))  # an alternative without
    assert not base.needs_non_ascii(re.compile("(?:é)?x"))  # optional
    assert not base.needs_non_ascii(re.compile("[^a]"))  # a negated class
    assert not base.needs_non_ascii(re.compile("é", re.IGNORECASE))


def test_mojibake_still_found_and_ascii_english_passed_over():
    from pipeline.checks import CheckContext, typography
    from pipeline.records import Segment

    context = CheckContext(terms=[], ratios=None)

    def segment(en: str) -> Segment:
        fr = "Le président."
        return Segment(doc="d", paragraph=1, sentence=1, fr=fr, fr_raw=(0, len(fr)), en=en)

    assert typography.mojibake(segment("The prÃ©sident spoke."), context)
    assert typography.mojibake(segment("The president\ufffd spoke."), context)
    assert typography.mojibake(segment("The president spoke."), context) == []
