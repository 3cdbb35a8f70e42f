"""`pipeline run`: every stage over the whole corpus, in the order of DESIGN.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline import corpus, export, glossary, segment
from pipeline.errors import PipelineError
from pipeline.records import Document, Segment
from pipeline.translate.engine import Engine, Progress


@dataclass
class RunResult:
    engine: str
    documents: list[Document] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


def term_honoured(english: str, target: str) -> bool:
    return target.casefold() in english.casefold()


def translate_segments(
    segments: list[Segment], engine: Engine, progress: Progress | None = None
) -> None:
    """Translate all French segments of the corpus in one batch; English lines pass through."""
    todo = [s for s in segments if s.lang == "fr" and s.fr.strip()]
    hypotheses = engine.translate([s.fr for s in todo], n_best=1, progress=progress)
    if len(hypotheses) != len(todo):
        raise PipelineError(
            f"engine {engine.name} returned {len(hypotheses)} translations for {len(todo)} segments"
        )
    for s, hyps in zip(todo, hypotheses, strict=True):
        s.en = hyps[0] if hyps else ""
        s.engine = engine.version
        s.origin = "engine"
    for s in segments:
        if s.lang != "fr":
            s.en, s.origin = s.fr, "source"


def run(
    corpus_dir: Path,
    glossary_path: Path,
    out_dir: Path,
    engine: Engine,
    progress: Progress | None = None,
) -> RunResult:
    documents = corpus.read_corpus(corpus_dir)
    terms = glossary.load_glossary(glossary_path)
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise PipelineError(f"cannot create output folder {out_dir}: {err.strerror}") from err
    per_doc = {doc.name: segment.segment_document(doc.name, doc.raw) for doc in documents}
    all_segments = [s for segs in per_doc.values() for s in segs]
    for s in all_segments:
        s.terms = glossary.find_terms(s.fr, terms)
    translate_segments(all_segments, engine, progress)
    for s in all_segments:
        for hit in s.terms:
            hit.ok = term_honoured(s.en, hit.target)
    result = RunResult(engine=engine.version, documents=documents, segments=all_segments)
    for doc in documents:
        result.written += export.write_document(out_dir, doc, per_doc[doc.name])
    return result
