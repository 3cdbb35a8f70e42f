"""JSONL: `<doc>.jsonl`, one segment record a line (every field of the segment), written
by each run and read back by `pipeline check` (with the document it was made from), and
as review entries (a person's edit).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path

from pipeline import fileio
from pipeline.corpus import ARTICLE_SUFFIXES, read_document
from pipeline.errors import PipelineError
from pipeline.formats import Entry
from pipeline.records import Document, Finding, Segment, TermHit

SUFFIXES = (".jsonl",)


def segment_record(segment: Segment, doc: Document) -> dict:
    start, end = segment.fr_raw
    return {
        "id": segment.id,
        "doc": segment.doc,
        "paragraph": segment.paragraph,
        "sentence": segment.sentence,
        "fr_raw": doc.raw[start:end],
        "fr_raw_span": [start, end],
        "fr": segment.fr,
        "en": segment.en,
        "lang": segment.lang,
        "engine": segment.engine,
        "origin": segment.origin,
        "hash": segment.text_hash,
        "terms": [
            {"source": t.source, "target": t.target, "ok": t.ok, "start": t.start, "end": t.end}
            for t in segment.terms
        ],
        "findings": [finding_record(f) for f in segment.findings],
        "version": segment.version,
        "reviewer": segment.reviewer,
        "reviewed_at": segment.reviewed_at,
        "suggestion": segment.suggestion,
    }


_FINDING_FIELDS = tuple(f.name for f in fields(Finding))


def finding_record(finding: Finding) -> dict:
    """dataclasses.asdict(finding) (its fields are strings) without its deep copies."""
    return {name: getattr(finding, name) for name in _FINDING_FIELDS}


# Line breaks other than \n that json.dumps(ensure_ascii=False) leaves raw in a string; a
# reader splitting lines the Unicode way (str.splitlines) would cut a record at them.
_JSONL_ESCAPES = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})
_LINE_BREAK = re.compile("[\x85\u2028\u2029]")


def jsonl_line(record: dict) -> str:
    line = json.dumps(record, ensure_ascii=False)
    if _LINE_BREAK.search(line):  # rare; translate() costs 50 µs a line even with none
        line = line.translate(_JSONL_ESCAPES)
    return line + "\n"


def jsonl_text(segments: list[Segment], doc: Document) -> str:
    return "".join(jsonl_line(segment_record(s, doc)) for s in segments)


def jsonl_bytes(segments: list[Segment], doc: Document) -> bytes:
    """jsonl_text in UTF-8, encoded a line at a time (a text of many non-Latin-1
    characters would take two or four bytes a character whole)."""
    return b"".join(jsonl_chunks(segments, doc))


CHUNK_LINES = 256  # lines encoded together, for a streamed write


def jsonl_chunks(segments: list[Segment], doc: Document) -> Iterator[bytes]:
    """jsonl_bytes a few lines at a time, for a streamed write (never the file whole)."""
    for start in range(0, len(segments), CHUNK_LINES):
        lines = (jsonl_line(segment_record(s, doc)) for s in segments[start : start + CHUNK_LINES])
        yield "".join(lines).encode("utf-8")


def segment_from_record(record: dict) -> Segment:
    """The Segment a JSONL object describes (the inverse of segment_record)."""
    if not isinstance(record, dict):
        raise ValueError("expected a JSON object")
    for name in ("doc", "paragraph", "sentence", "fr"):
        if name not in record:
            raise ValueError(f"missing field {name!r}")
    span = record.get("fr_raw_span") or [0, 0]
    segment = Segment(
        doc=str(record["doc"]),
        paragraph=int(record["paragraph"]),
        sentence=int(record["sentence"]),
        fr=str(record["fr"]),
        fr_raw=(int(span[0]), int(span[1])),
        lang=str(record.get("lang") or "fr"),
        en=str(record.get("en") or ""),
        engine=str(record.get("engine") or ""),
        origin=str(record.get("origin") or ""),
        version=int(record.get("version") or 0),
        reviewer=str(record.get("reviewer") or ""),
        reviewed_at=str(record.get("reviewed_at") or ""),
        suggestion=_suggestion(record.get("suggestion")),
    )
    if "id" in record and record["id"] != segment.id:
        raise ValueError(f"id {record['id']!r} does not match doc, paragraph and sentence")
    for term in record.get("terms") or []:
        start = term.get("start")
        if start is None:  # a hand-written term without a span: find it in the French
            start = max(segment.fr.find(term["source"]), 0)
        end = term.get("end", start + len(term["source"]))
        segment.terms.append(
            TermHit(term["source"], term["target"], int(start), int(end), term.get("ok"))
        )
    for finding in record.get("findings") or []:
        segment.findings.append(Finding(**finding))
    return segment


def _suggestion(value: object) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not {"en", "fr", "score"} <= value.keys():
        raise ValueError("suggestion must be an object with en, fr and score")
    return value


def read_jsonl(path: Path) -> list[Segment]:
    """The segments of a `<doc>.jsonl` written by write_document (and maybe edited since)."""
    path = Path(path)
    lines = fileio.read_utf8(path).split("\n")  # records hold no raw \n
    segments = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            segments.append(segment_from_record(json.loads(line)))
        except (ValueError, TypeError, KeyError, AttributeError, IndexError) as err:
            # a hand edit that broke a field's type (a list for a term, a string for a
            # span) is named with its line, never an internal error
            raise PipelineError(f"{path}:{number}: not a segment record: {err}") from err
    return segments


def read_entries(path: Path) -> list[Entry]:
    """The entries of a `<doc>.jsonl` a person edited: `en` as it stands; `"origin":
    "approved"` written over a machine origin approves the machine's text."""
    path = Path(path)
    lines = fileio.read_utf8(path).split("\n")
    numbers = [n for n, line in enumerate(lines, start=1) if line.strip()]
    entries = []
    for number, segment in zip(numbers, read_jsonl(path), strict=True):
        if segment.lang != "fr":
            continue
        entries.append(
            Entry(
                fr=segment.fr,
                en=segment.en,
                segment_id=segment.id,
                line=number,
                approvable=segment.origin == "approved",
                reviewer=segment.reviewer,
                created=segment.reviewed_at,
                claimed=segment.origin if segment.reviewed else "",
            )
        )
    return entries


def jsonl_document(path: Path, corpus_dir: Path | None = None) -> Document:
    """The Document a `<doc>.jsonl` was made from, so its outputs can be written again.

    The corpus file when it is there and still holds every segment's `fr_raw` at its span;
    otherwise the raw text rebuilt from the `fr_raw` pieces, each at its span.
    """
    path = Path(path)
    name = path.name.removesuffix(".jsonl")
    pieces = []
    try:
        for line in path.read_text(encoding="utf-8").split("\n"):
            if line.strip():
                r = json.loads(line)
                start, end = r["fr_raw_span"]
                pieces.append((int(start), int(end), str(r["fr_raw"]), r["paragraph"]))
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as err:
        raise PipelineError(f"{path}: cannot read the segments' source text: {err}") from err
    if corpus_dir is not None:
        for suffix in ARTICLE_SUFFIXES:
            source = Path(corpus_dir) / f"{name}{suffix}"
            if source.is_file():
                doc = read_document(source)
                if all(doc.raw[start:end] == piece for start, end, piece, _ in pieces):
                    return doc
    # Rebuild: each piece at its span; a newline between paragraphs, a space elsewhere.
    raw = [" "] * max((end for _, end, _, _ in pieces), default=0)
    previous = None
    for start, end, piece, paragraph in sorted(pieces):
        if previous is not None and paragraph != previous and start > 0:
            raw[start - 1] = "\n"
        if len(piece) == end - start:
            raw[start:end] = piece
        previous = paragraph
    return Document(name=name, path=path, raw="".join(raw))
