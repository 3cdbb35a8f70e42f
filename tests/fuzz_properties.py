"""Properties fuzzed with hypothesis on the cleaner, the sentence splitter and the glossary
matcher, with the strategies that feed them. tests/test_fuzz.py runs them with a few
hundred examples; benchmarks/fuzz.py with 10,000 or more each.

The text strategies mix the cleaner's own French words and glitches (from
tests/test_clean_properties.py, so both files fuzz the same kind of text) with arbitrary
Unicode: control characters, other line breaks, combining marks, right-to-left text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import strategies as st
from test_clean_properties import GLITCHES, WORDS, assert_nothing_lost

from pipeline.clean import clean_text
from pipeline.formats.jsonl import jsonl_text, segment_from_record
from pipeline.glossary import Term, _coarse, _normalise, _tokens, find_terms
from pipeline.records import Document, Segment
from pipeline.segment import segment_document

ANY_CHARACTER = st.characters(blacklist_categories=("Cs",))  # every code point but surrogates
ODD_SPACES = ["\r", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\u200b", "\ufeff"]
ODD_SPACES += ["\u00a0", "\u202f", "\u3000", "\x00", "\x1c", "\u0301", "\u202e"]

fragments = st.one_of(
    st.sampled_from(WORDS + GLITCHES + ODD_SPACES),
    st.text(ANY_CHARACTER, min_size=1, max_size=12),
)
separators = st.sampled_from([" ", " ", " ", "", "\n", "\n\n", ". ", " « ", " » "])
texts = st.lists(st.tuples(fragments, separators), max_size=40).map(
    lambda parts: "".join(f + s for f, s in parts)
)
names = st.sampled_from([(), ("Vladimir Poutine",), ("Kim Jong-un", "Séoul")])


# --- the cleaner ---------------------------------------------------------------------------


def check_cleaning(raw: str, known_names: tuple[str, ...] = ()) -> None:
    """No crash; clean(clean(x)) == clean(x); no word lost without a recorded fix of a
    rule that drops or corrects words; every span within the raw text."""
    once = clean_text(raw, known_names)
    twice = clean_text(once.text, known_names)
    assert twice.text == once.text, f"not idempotent: {once.text!r} -> {twice.text!r}"
    assert twice.fixes == [], twice.fixes
    for i in range(len(once.text)):
        start, end = once.raw_span(i, i + 1)
        assert 0 <= start <= end <= len(raw)
    assert_nothing_lost(raw, once)
    for fix in once.fixes:
        assert 0 <= fix.start <= fix.end <= len(raw) and raw[fix.start : fix.end] is not None


# --- the sentence splitter -----------------------------------------------------------------


def check_segments(text: str) -> None:
    """No crash; segments in order, each its own text at its span, within bounds, trimmed,
    on one line; ids unique; every character that is not white space in a segment."""
    segments = segment_document("fuzz", text)
    assert len({s.id for s in segments}) == len(segments)
    covered = bytearray(len(text))
    last_end, last_key = 0, (0, 0)
    for s in segments:
        start, end = s.fr_raw
        assert last_end <= start < end <= len(text), (s.fr_raw, last_end)
        assert s.fr == text[start:end] and s.fr == s.fr.strip() and "\n" not in s.fr
        assert (s.paragraph, s.sentence) > last_key and s.sentence >= 1
        last_end, last_key = end, (s.paragraph, s.sentence)
        covered[start:end] = b"\1" * (end - start)
    for i, char in enumerate(text):
        assert covered[i] or char.isspace(), f"{char!r} at {i} is in no segment"


# One paragraph longer than segment.MAX_PIECE_CHARS: the text is repeated on one line, with
# or without spaces and sentence ends, so the pieces are cut every way the splitter can.
long_paragraphs = st.builds(
    lambda text, glue, times: glue.join([text.replace("\n", " ")] * times),
    texts.filter(lambda t: len(t) >= 20),
    st.sampled_from(["", " ", ". ", "» ", "\u00a0"]),
    st.integers(min_value=10, max_value=400),
).filter(lambda t: 10_000 < len(t) < 60_000)


# --- the glossary matcher ------------------------------------------------------------------

TERM_CHARACTERS = "abcdeéèàçôœABCDÉÈÀ+().*?'’-  "
forms = st.text(TERM_CHARACTERS, min_size=1, max_size=14).filter(
    lambda f: f.strip() == f and any(c.isalnum() for c in f)
)
terms_lists = st.lists(
    st.builds(
        lambda source, target, variants, sensitive: Term(
            source, target, variants=variants, case_sensitive=sensitive
        ),
        forms,
        st.sampled_from(["X", "Y (z)", "C++"]),
        st.lists(forms, max_size=2),
        st.booleans(),
    ),
    min_size=1,
    max_size=8,
)


def words_key(text: str) -> tuple[str, ...]:
    """A form's words as the matcher compares them: apostrophes, hyphens between words,
    case, accents and plural/feminine endings folded."""
    return tuple(_coarse(t.text) for t in _tokens(_normalise(text)) if not t.joiner)


def check_matches(text: str, terms: list[Term], inserted: tuple[int, int] | None = None) -> None:
    """Spans within bounds, in order, not overlapping; each span's text is a form of its
    term (up to case, accents, apostrophes, hyphens and inflection); a form inserted
    between spaces is found (or a longer term that overlaps it)."""
    hits = find_terms(text, terms)
    by_source: dict[str, list[Term]] = {}
    for term in terms:
        by_source.setdefault(term.source, []).append(term)
    last_end = 0
    for hit in hits:
        assert last_end <= hit.start < hit.end <= len(text), (hit, last_end)
        last_end = hit.end
        found = text[hit.start : hit.end]
        candidates = [t for t in by_source[hit.source] if t.target == hit.target]
        assert any(words_key(found) == words_key(f) for t in candidates for f in t.forms), (
            found,
            [t.forms for t in candidates],
        )
    if inserted is not None:
        start, end = inserted
        assert any(h.start < end and start < h.end for h in hits), (text[start:end], hits)


def insertion_case(draw) -> tuple[str, list[Term], tuple[int, int]]:
    """Terms, and a text holding one of their forms between spaces."""
    terms = draw(terms_lists)
    term = draw(st.sampled_from(terms))
    form = draw(st.sampled_from(term.forms))
    before, after = draw(texts), draw(texts)
    text = f"{before} {form} {after}"
    start = len(before) + 1
    return text, terms, (start, start + len(form))


insertions = st.composite(insertion_case)()


def findable(case: tuple[str, list[Term], tuple[int, int]]) -> bool:
    """An inserted form the matcher can see as written: its first and last characters are
    word characters (a form ending in `(` or `.` may be glued to the text around), and a
    case-sensitive term is inserted with its case (always, here)."""
    text, _, (start, end) = case
    form = text[start:end]
    return bool(re.match(r"\w", form)) and bool(re.search(r"\w$", form))


# --- the JSONL outputs ----------------------------------------------------------------------


def check_jsonl_round_trip(french: str, english: str) -> None:
    """A segment written to JSONL is one line, whatever its text, and reads back the same
    (a reader that splits lines the Unicode way, as str.splitlines does, included)."""
    segment = Segment("doc", 1, 1, french, (0, len(french)), en=english, origin="engine")
    text = jsonl_text([segment], Document("doc", Path("doc.txt"), french))
    assert text.endswith("\n") and len(text.splitlines()) == 1, repr(text)
    back = segment_from_record(json.loads(text.splitlines()[0]))
    assert (back.fr, back.en) == (french, english)
