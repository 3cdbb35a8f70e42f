"""The fuzzed properties of tests/fuzz_properties.py with a quick setting (150 examples
each); benchmarks/fuzz.py runs them with 10,000 or more."""

from __future__ import annotations

from fuzz_properties import (
    check_cleaning,
    check_jsonl_round_trip,
    check_matches,
    check_segments,
    findable,
    insertions,
    long_paragraphs,
    names,
    terms_lists,
    texts,
)
from hypothesis import HealthCheck, given, settings

QUICK = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


@QUICK
@given(texts, names)
def test_cleaning_never_crashes_is_idempotent_and_loses_no_word(raw, known_names):
    check_cleaning(raw, known_names)


@QUICK
@given(texts)
def test_sentences_cover_the_text_in_order_within_bounds(text):
    check_segments(text)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(long_paragraphs)
def test_a_paragraph_over_the_piece_limit_is_covered_in_order(text):
    check_segments(text)


@QUICK
@given(texts, terms_lists)
def test_glossary_hits_are_in_bounds_apart_and_forms_of_their_term(text, terms):
    check_matches(text, terms)


@QUICK
@given(insertions.filter(findable))
def test_a_term_written_in_the_text_is_found(case):
    text, terms, inserted = case
    check_matches(text, terms, inserted)


@QUICK
@given(texts, texts)
def test_a_segment_of_any_text_is_one_jsonl_line_and_reads_back(french, english):
    check_jsonl_round_trip(french, english)
