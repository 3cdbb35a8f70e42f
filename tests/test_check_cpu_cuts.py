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
