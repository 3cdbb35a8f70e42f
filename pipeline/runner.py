"""`pipeline run`: every stage over the whole corpus, in the order of DESIGN.md.

Each stage is one call below; this module only wires them together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import check, corpus, export, glossary, report, segment
from pipeline.errors import PipelineError
from pipeline.glossary import Term
from pipeline.records import Document, Finding, Fix, Segment
from pipeline.translate.engine import Engine, Progress


@dataclass
class PreparedDocument:
    """A document after cleaning and segmentation, before translation."""

    doc: Document
    segments: list[Segment]
    fixes: list[Fix] = field(default_factory=list)


@dataclass
class RunResult:
    engine: str
    documents: list[PreparedDocument] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def segments(self) -> list[Segment]:
        return [s for d in self.documents for s in d.segments]

    @property
    def fixes(self) -> list[Fix]:
        return [f for d in self.documents for f in d.fixes]


def prepare_document(doc: Document, terms: list[Term]) -> PreparedDocument:
    """Clean, split into segments, and find the glossary terms of one document."""
    segments = segment.segment_document(doc.name, doc.raw)
    for s in segments:
        s.terms = glossary.find_terms(s.fr, terms)
    return PreparedDocument(doc=doc, segments=segments)


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
    result.findings = run_check_stage(result.segments, terms)
    for prepared in result.documents:
        result.written += export.write_document(out_dir, prepared.doc, prepared.segments)
    result.written += report.write_report(out_dir, result.segments, result.findings, result.fixes)
    return result


def run_check_stage(segments: list[Segment], terms: list[Term]) -> list[Finding]:
    """Run the checks; return every finding of the run: those on the segments (the checks'
    and other stages') and the corpus-wide ones."""
    corpus_wide = [f for f in check.run_checks(segments, terms) if not f.segment]
    return corpus_wide + [f for s in segments for f in s.findings]


# --- `pipeline check`: the checks again, over the outputs as they stand (maybe edited) ---


def cleaning_fixes(doc: Document) -> list[Fix]:
    """The cleaning fixes of a document, as a run would make them."""
    return prepare_document(doc, []).fixes


def check_outputs(out_dir: Path, corpus_dir: Path | None, glossary_path: Path) -> RunResult:
    """Read `<out>/*.jsonl`, run the checks, rewrite every output and the report.

    Nothing is translated. The English is taken as it stands in the JSONL (a reviewer may
    have edited it); the documents come from the corpus when it still matches the outputs.
    """
    out_dir = Path(out_dir)
    paths = sorted(out_dir.glob("*.jsonl")) if out_dir.is_dir() else []
    if not paths:
        raise PipelineError(f"no .jsonl outputs in {out_dir}/: run 'pipeline run' first")
    terms = glossary.load_glossary(glossary_path)
    result = RunResult(engine="")
    for path in paths:
        segments = export.read_jsonl(path)
        doc = export.jsonl_document(path, corpus_dir)
        for s in segments:
            s.terms = glossary.find_terms(s.fr, terms)
        from_corpus = doc.path.suffix in corpus.ARTICLE_SUFFIXES
        fixes = cleaning_fixes(doc) if from_corpus else []
        result.documents.append(PreparedDocument(doc=doc, segments=segments, fixes=fixes))
    mark_terms(result.segments)
    result.findings = run_check_stage(result.segments, terms)
    for prepared in result.documents:
        result.written += export.write_document(out_dir, prepared.doc, prepared.segments)
    result.written += report.write_report(out_dir, result.segments, result.findings, result.fixes)
    return result
