"""Writing the aligned outputs of a document into the output folder."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from pipeline.fileio import atomic_write_text
from pipeline.records import Document, Segment


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
