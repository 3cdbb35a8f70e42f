"""The two-paragraph harness of the cut_paragraph tests (test_clean_cut_headings.py,
test_clean_cut_general.py): a line above, a line below, after a sentence that starts the text."""

from __future__ import annotations

import pytest

from pipeline import french_names
from pipeline.clean import clean_text

needs_apertium = pytest.mark.skipif(
    not french_names.available(), reason="Apertium's French dictionaries are not installed"
)
START = "Le texte commence ici."


def two_lines(before: str, after: str) -> tuple[str, list[str], list[str]]:
    """The cleaned text after START, the evidence of each join, the reviewer's findings."""
    result = clean_text(f"{START}\n\n{before}\n\n{after}")
    notes = [f.note for f in result.fixes if f.rule == "cut_paragraph"]
    flags = [f.message for f in result.findings if f.check == "clean.cut_paragraph"]
    return result.text.split("\n\n", 1)[1], notes, flags


def assert_joined(before: str, after: str, evidence: str) -> None:
    text, notes, _ = two_lines(before, after)
    assert text == f"{before} {after}"
    assert notes == [evidence]


def assert_apart(before: str, after: str) -> list[str]:
    text, notes, flags = two_lines(before, after)
    assert text == f"{before}\n\n{after}", notes
    return flags
