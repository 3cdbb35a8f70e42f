"""Writing the aligned outputs of a document into the output folder."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from pipeline.corpus import ARTICLE_SUFFIXES, read_document
from pipeline.errors import PipelineError
from pipeline.fileio import atomic_write_text
from pipeline.records import Document, Finding, Segment, TermHit


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
        "terms": [{"source": t.source, "target": t.target, "ok": t.ok} for t in segment.terms],
        "findings": [asdict(f) for f in segment.findings],
    }


def jsonl_text(segments: list[Segment], doc: Document) -> str:
    return "".join(json.dumps(segment_record(s, doc), ensure_ascii=False) + "\n" for s in segments)


def english_article(segments: list[Segment]) -> str:
    """The English text, one paragraph per French paragraph."""
    paragraphs: dict[int, list[str]] = {}
    for s in segments:
        paragraphs.setdefault(s.paragraph, []).append(s.en)
    return "\n\n".join(" ".join(p for p in parts if p) for parts in paragraphs.values()) + "\n"


def write_document(out_dir: Path, doc: Document, segments: list[Segment]) -> list[Path]:
    out_dir = Path(out_dir)
    written = []
    for suffix, text in (
        (".jsonl", jsonl_text(segments, doc)),
        (".en.md", english_article(segments)),
    ):
        path = out_dir / f"{doc.name}{suffix}"
        atomic_write_text(path, text)
        written.append(path)
    return written


# --- Reading the JSONL back (for `pipeline check`; the export helper may replace this) ---


def _jsonl_records(path: Path) -> list[dict]:
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise PipelineError(f"{path}: cannot read: {err}") from err
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise PipelineError(f"{path}:{number}: not valid JSON: {err.msg}") from err
        if not isinstance(record, dict):
            raise PipelineError(f"{path}:{number}: expected a JSON object")
        records.append(record)
    return records


def _segment_from_record(record: dict, path: Path, number: int) -> Segment:
    try:
        start, end = record["fr_raw_span"]
        return Segment(
            doc=record["doc"],
            paragraph=int(record["paragraph"]),
            sentence=int(record["sentence"]),
            fr=record["fr"],
            fr_raw=(int(start), int(end)),
            lang=record.get("lang", "fr"),
            en=record.get("en") or "",
            engine=record.get("engine", ""),
            origin=record.get("origin", ""),
            terms=[
                TermHit(t["source"], t["target"], t.get("start", 0), t.get("end", 0), t.get("ok"))
                for t in record.get("terms", [])
            ],
            findings=[Finding(**f) for f in record.get("findings", [])],
        )
    except (KeyError, TypeError, ValueError) as err:
        raise PipelineError(f"{path}: record {number}: missing or bad field: {err}") from err


def read_jsonl(path: Path) -> list[Segment]:
    """The segments of one `<doc>.jsonl` output, as written (or as a user edited them)."""
    return [
        _segment_from_record(record, Path(path), number)
        for number, record in enumerate(_jsonl_records(path), start=1)
    ]


def jsonl_document(path: Path, corpus_dir: Path | None = None) -> Document:
    """The Document a `<doc>.jsonl` was made from, so its outputs can be written again.

    The corpus file when it is there and still holds every segment's `fr_raw` at its span;
    otherwise the raw text rebuilt from the `fr_raw` pieces.
    """
    path = Path(path)
    name = path.name.removesuffix(".jsonl")
    records = _jsonl_records(path)
    try:
        pieces = [
            (int(r["fr_raw_span"][0]), int(r["fr_raw_span"][1]), r["fr_raw"], r["paragraph"])
            for r in records
        ]
    except (KeyError, TypeError, ValueError, IndexError) as err:
        raise PipelineError(f"{path}: a record lacks a good fr_raw/fr_raw_span: {err}") from err
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
