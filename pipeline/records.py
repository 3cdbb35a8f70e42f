"""The plain records that flow through the stages (see DESIGN.md, "Data flow").

Every stage takes and returns these; none of them knows about a later stage.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

# Origins of a segment whose English a person wrote or approved.
REVIEWED_ORIGINS = ("review", "approved")


@dataclass
class Fix:
    """One change the cleaner (or a reader, pipeline/inputs/) made: which rule, where in the
    raw text, what it changed."""

    rule: str
    start: int  # span in the raw text
    end: int
    before: str
    after: str
    doc: str = ""  # the document's name, set by the runner (the cleaner sees text only)
    note: str = ""  # what the rule found, when its name does not say it all (ftfy's steps)


@dataclass
class Document:
    """One article of the corpus, as read from disk by its reader (pipeline/inputs/)."""

    name: str  # file stem (escaped, see pipeline.inputs.safe_name), in ids and output names
    path: Path
    raw: str  # the text the cleaner starts from (a page's or a file's extracted text)
    encoding: str = "utf-8"
    source_format: str = "txt"  # txt, md, html, docx, pdf
    title: str = ""  # metadata the file gives (a web page's, a Word file's properties)
    author: str = ""
    date: str = ""  # as the file gives it, ISO 8601 when known (2020-02-17)
    fixes: list[Fix] = field(default_factory=list)  # what the reader dropped or changed
    blocks: list[tuple[int, int]] = field(default_factory=list)  # spans of raw, one per
    # paragraph of the source file, in its order (a Word file's, for its English copy)


@dataclass
class TermHit:
    """A glossary term found in a segment's French, with whether the English honours it."""

    source: str
    target: str
    start: int  # span in the segment's clean French
    end: int
    ok: bool | None = None  # None until the translation is checked
    forbidden: list[str] = field(default_factory=list)  # renderings that must not appear


@dataclass
class Finding:
    """Something a reviewer should look at."""

    check: str
    severity: str  # error, warning, info
    segment: str  # segment id, or "" for a corpus-wide finding
    message: str
    evidence: str = ""


@dataclass
class Segment:
    """One unit of translation: a sentence (or a title) of a paragraph of a document."""

    doc: str
    paragraph: int  # 1-based, counted on the clean text
    sentence: int  # 1-based within the paragraph
    fr: str
    fr_raw: tuple[int, int]  # span of the raw text this segment came from
    lang: str = "fr"  # "en" for an English line (a translated title), passed through
    en: str = ""
    engine: str = ""
    origin: str = ""  # engine, memory, review, approved (a reviewer's), or source
    terms: list[TermHit] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # The review store (pipeline/review/store.py): the current review's version (0: none),
    # who made it and when; and a fuzzy match offered, never applied:
    # {"en", "fr" (the earlier French), "score" (0-100), "origin" (review or approved)}.
    version: int = 0
    reviewer: str = ""
    reviewed_at: str = ""
    suggestion: dict | None = None

    @property
    def reviewed(self) -> bool:
        """A person's English (an edit or an approval) stands in this segment."""
        return self.origin in REVIEWED_ORIGINS

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.paragraph}:{self.sentence}"

    @property
    def text_hash(self) -> str:
        return hashlib.sha256(self.fr.encode("utf-8")).hexdigest()[:16]
