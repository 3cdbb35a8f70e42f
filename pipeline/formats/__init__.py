"""One module per file format, each holding both its writer and its reader (DESIGN.md,
"Layout"): `jsonl`, `po`, `tmx`, `xliff`, `html`, `markdown` (and `docx`).

A format module that can be read back defines `SUFFIXES` and `read_entries(path) ->
list[Entry]`; `reader_for(path)` finds it by the file's suffix among the modules of
this package, so adding a format means adding one file. `formats` knows nothing of
`review`: the review logic (pipeline/review) asks a format for its entries and judges
them. This module holds what the formats share: the entry, the notes every bilingual
format carries (glossary terms, findings, who reviewed), XML-safe text, dates.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipeline.records import Document, Finding, Segment, TermHit


@dataclass
class Entry:
    """One French/English pair a format reads back (a PO entry, a TMX or XLIFF unit, a
    JSONL record), for the review logic to judge.

    `approvable`: the file follows the convention that unreviewed text is marked (a PO
    the pipeline wrote: machine text fuzzy), so an unmarked machine text is an approval.
    `reviewer` and `created`: the file's own attribution (PO Last-Translator, TMX
    changeid/changedate, JSONL reviewer/reviewed_at), "" when it has none.
    """

    fr: str
    en: str
    segment_id: str
    line: int
    fuzzy: bool = False
    approvable: bool = False
    reviewer: str = ""
    created: str = ""
    claimed: str = ""  # a JSONL record's own origin when review or approved (its claim)


def _primary(language: str) -> str:
    """The primary subtag of a language code: fr-FR → fr, EN_us → en."""
    return re.split(r"[-_]", language.strip())[0].casefold()


def primary_language(language: str) -> str:
    """The primary subtag of a language code: fr-FR → fr, EN_us → en."""
    return re.split(r"[-_]", language.strip())[0].casefold()


_primary = primary_language


def reader_for(path: Path) -> Callable[[Path], list[Entry]] | None:
    """The `read_entries` of the format module whose SUFFIXES hold the file's suffix."""
    suffix = Path(path).suffix.lower()
    for fmt in _modules():
        if suffix in getattr(fmt, "SUFFIXES", ()) and hasattr(fmt, "read_entries"):
            return fmt.read_entries
    return None


def _modules() -> list:
    """The format modules of this package, in name order (one that cannot be imported
    here, for a library it needs, is left out)."""
    found = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        try:
            found.append(importlib.import_module(f"{__name__}.{module.name}"))
        except ImportError:
            continue
    return found


def readable_suffixes() -> list[str]:
    """The main suffix of each format that reads back (.jsonl, .po, .tmx, .xlf), for messages."""
    return [f.SUFFIXES[0] for f in _modules() if hasattr(f, "read_entries") and f.SUFFIXES]


# Severities of findings that need a human: their PO entries are marked fuzzy.
NEEDS_REVIEW = ("error", "warning")


# Characters XML 1.0 forbids; they cannot appear in TMX or HTML, even escaped.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def source_location(segment: Segment, doc: Document) -> tuple[str, int]:
    """(`folder/file`, 1-based line) of the segment in the raw article; the same
    whichever folder the run started from."""
    return source_file(doc), line_number(doc.raw, segment.fr_raw[0])


# The line starts of the last text asked about (each output of a document asks for the
# line of every segment: counting the newlines before each one again would cost, for a
# 5 MB article, 36,000 scans of 2.5 MB on average, about 25 s a format).
_LINE_STARTS: list[tuple] = [("", ())]  # (text, offsets that follow a newline)


def line_number(text: str, offset: int) -> int:
    """The 1-based line of `text` that holds `offset`."""
    import bisect
    from array import array

    cached_text, starts = _LINE_STARTS[0]  # one tuple: the same in every thread
    if cached_text is not text:
        starts, at = array("q"), text.find("\n")
        while at != -1:
            starts.append(at + 1)
            at = text.find("\n", at + 1)
        _LINE_STARTS[0] = (text, starts)
    return bisect.bisect_right(starts, offset) + 1


def source_file(doc: Document) -> str:
    """`folder/file` of the article, names escaped (a PO reference holds no newline)."""
    from pipeline.inputs import escape_name

    file = escape_name(doc.path.name)
    return f"{escape_name(doc.path.parent.name)}/{file}" if doc.path.parent.name else file


def document_metadata(doc: Document) -> list[tuple[str, str]]:
    """(field, value) of what the reader found: format, title, author, date (one line each)."""
    fields = [
        ("format", doc.source_format),
        ("title", doc.title),
        ("author", doc.author),
        ("date", doc.date),
    ]
    return [(key, " ".join(str(value).split())) for key, value in fields if value]


# What turned each kind of input file into the text the cleaner starts from.
EXTRACTORS = {
    "html": "trafilatura",
    "docx": "python-docx",
    "pdf": "pdftotext (poppler)",
}


def reading_summary(doc: Document) -> str:
    """What the reader of a document took out or changed, in one line."""
    from collections import Counter

    notes = [f.note for f in doc.fixes if f.rule == "web_page_extraction" and f.note]
    counts = Counter(f.rule for f in doc.fixes if f.rule != "web_page_extraction")
    notes += [f"{rule} {n}" for rule, n in sorted(counts.items())]
    return "; ".join(notes) or "nothing"


def document_properties(doc: Document) -> list[tuple[str, str]]:
    """The document's metadata as the XLIFF header's notes and the TMX header's props
    carry it: format, title, author, date (document_metadata), then the source file, the
    extractor that read it, and what reading took out (the report's "reading" column)."""
    found = document_metadata(doc) + [("source-file", source_file(doc))]
    if doc.source_format in EXTRACTORS:
        found.append(("extractor", EXTRACTORS[doc.source_format]))
    reading = reading_summary(doc)
    if reading != "nothing":
        found.append(("reading", " ".join(reading.split())))
    return found


def needs_review(segment: Segment) -> bool:
    """A finding a human must look at, on a segment no reviewer has fixed yet."""
    if segment.reviewed:
        return False
    return any(f.severity in NEEDS_REVIEW for f in segment.findings)


def term_note(hit: TermHit) -> str:
    state = {True: "ok", False: "MISSING in the English", None: "not checked"}[hit.ok]
    return f"glossary: {hit.source} → {hit.target} ({state})"


def finding_note(finding: Finding) -> str:
    note = f"{finding.severity} [{finding.check}]: {finding.message}"
    return f"{note} ({finding.evidence})" if finding.evidence else note


def xml_safe(text: str) -> str:
    return _XML_ILLEGAL.sub("\ufffd", text)


def source_date(doc: Document) -> datetime:
    """The article's modification time, so re-running on the same input writes the same
    files; the current time when the article is not on disk."""
    try:
        return datetime.fromtimestamp(doc.path.stat().st_mtime, UTC)
    except OSError:
        return datetime.fromtimestamp(time.time(), UTC)


def latest_review(segments: list[Segment]) -> Segment | None:
    reviewed = [s for s in segments if s.reviewed and s.reviewed_at]
    return max(reviewed, key=lambda s: s.reviewed_at, default=None)


def review_note(segment: Segment) -> str:
    """Who made the current review and when (a PO translator comment, the HTML title)."""
    kind = "approved" if segment.origin == "approved" else "reviewed"
    who = segment.reviewer or "unknown reviewer"
    when = f" on {segment.reviewed_at}" if segment.reviewed_at else ""
    return f"{kind} by {who}{when} (version {segment.version})"


def suggestion_note(suggestion: dict) -> str:
    return (
        f"fuzzy match {suggestion['score']:.0f}% from a {suggestion.get('origin', 'review')} "
        f"of a close French: {suggestion['fr']}"
    )
