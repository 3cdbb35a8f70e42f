"""Split a document into segments with stable ids `<doc>:<paragraph>:<sentence>`.

For now a paragraph is a non-blank line and a segment is a paragraph; sentence
splitting with spaCy replaces this.
"""

from __future__ import annotations

import re

from pipeline.records import Segment

_LINE = re.compile(r"[^\n]+")


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the non-blank lines, without their surrounding white space."""
    spans = []
    for match in _LINE.finditer(text):
        line = match.group()
        if not line.strip():
            continue
        start = match.start() + (len(line) - len(line.lstrip()))
        end = match.end() - (len(line) - len(line.rstrip()))
        spans.append((start, end))
    return spans


def segment_document(doc_name: str, text: str) -> list[Segment]:
    return [
        Segment(doc=doc_name, paragraph=number, sentence=1, fr=text[start:end], fr_raw=(start, end))
        for number, (start, end) in enumerate(paragraph_spans(text), start=1)
    ]
