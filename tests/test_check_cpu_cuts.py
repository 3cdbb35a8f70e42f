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


@settings(max_examples=600, deadline=None)
@given(TEXTS)
def test_fold_is_what_it_was(text):
    """ASCII folded by lower() (no decomposition, no combining mark), short texts cached."""
    assert base.fold(text) == fold_before(text)
    assert base.fold(text) == fold_before(text)  # from the cache


@settings(max_examples=600, deadline=None)
@given(TEXTS)
def test_shouting_is_what_it_was(text):
    assert glossary._shouting(text) == shouting_before(text)
