"""`pipeline run`: every stage over the whole corpus, in the order of DESIGN.md.

Each stage is one call below; this module only wires them together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import clean, corpus, export, glossary, segment
from pipeline.errors import PipelineError
from pipeline.glossary import Term
from pipeline.records import Document, Finding, Fix, Segment
from pipeline.translate.engine import Engine, Progress


@dataclass
class PreparedDocument:
    """A document after cleaning and segmentation, before translation."""

    doc: Document
    segments: list[Segment]
    fixes: list[Fix] = field(default_factory=list)  # the cleaner's, spans in doc.raw
    findings: list[Finding] = field(default_factory=list)  # cleaning findings of no segment


@dataclass
class RunResult:
    engine: str
    documents: list[PreparedDocument] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    @property
    def segments(self) -> list[Segment]:
        return [s for d in self.documents for s in d.segments]


def known_person_names(terms: list[Term]) -> list[str]:
    """The names of people the glossary knows, in French and English (for the cleaner)."""
    return [
        name
        for term in terms
        if term.kind == "person"
        for name in (term.source, term.target, *term.variants)
    ]


def segment_clean_text(doc: Document, cleaned: clean.CleanText) -> list[Segment]:
    """Segments of the clean text, with spans of the raw text and English lines marked."""
    segments = segment.segment_document(doc.name, cleaned.text)
    for s in segments:
        start, end = s.fr_raw  # a span of the clean text, as given to the segmenter
        if any(e_start <= start and end <= e_end for e_start, e_end in cleaned.english_spans):
            s.lang = "en"
        s.fr_raw = cleaned.raw_span(start, end)
    return segments


def attach_findings(prepared: PreparedDocument, cleaned: clean.CleanText) -> None:
    """Each cleaning finding goes to the segment whose raw span holds it, else to the document."""
    for finding, (start, end) in zip(cleaned.findings, cleaned.finding_spans, strict=True):
        holder = next(
            (s for s in prepared.segments if s.fr_raw[0] <= start and end <= s.fr_raw[1]), None
        )
        if holder is None:
            prepared.findings.append(finding)
        else:
            finding.segment = holder.id
            holder.findings.append(finding)


def prepare_document(doc: Document, terms: list[Term]) -> PreparedDocument:
    """Clean, split into segments, and find the glossary terms of one document."""
    cleaned = clean.clean_text(doc.raw, known_person_names(terms))
    segments = segment_clean_text(doc, cleaned)
    for s in segments:
        s.terms = glossary.find_terms(s.fr, terms)
    prepared = PreparedDocument(doc=doc, segments=segments, fixes=cleaned.fixes)
    attach_findings(prepared, cleaned)
    return prepared


def translate_batch(
    texts: Sequence[str], engine: Engine, terms: list[Term], progress: Progress | None = None
) -> list[str]:
    """The engine's best translation of each French text (one batch for the whole corpus)."""
    hypotheses = engine.translate(list(texts), n_best=1, progress=progress)
    if len(hypotheses) != len(texts):
        raise PipelineError(
            f"engine {engine.name} returned {len(hypotheses)} translations for {len(texts)} "
            "segments"
        )
    return [hyps[0] if hyps else "" for hyps in hypotheses]


def translate_segments(
    segments: list[Segment], engine: Engine, terms: list[Term], progress: Progress | None = None
) -> None:
    """Fill `en`, `engine` and `origin` of every segment; English lines pass through."""
    todo = [s for s in segments if s.lang == "fr" and s.fr.strip()]
    for s, english in zip(
        todo, translate_batch([s.fr for s in todo], engine, terms, progress), strict=True
    ):
        s.en, s.engine, s.origin = english, engine.version, "engine"
    for s in segments:
        if s.lang != "fr":
            s.en, s.origin = s.fr, "source"


def mark_terms(segments: list[Segment]) -> None:
    for s in segments:
        for hit in s.terms:
            hit.ok = hit.target.casefold() in s.en.casefold()


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
    result = RunResult(engine=engine.version)
    result.documents = [prepare_document(doc, terms) for doc in documents]
    translate_segments(result.segments, engine, terms, progress)
    mark_terms(result.segments)
    for prepared in result.documents:
        result.written += export.write_document(out_dir, prepared.doc, prepared.segments)
    return result
