"""`pipeline run`: every stage over the whole corpus, in the order of DESIGN.md.

Each stage is one call below; this module only wires them together.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import corpus, export, fileio, glossary, segment
from pipeline.errors import PipelineError
from pipeline.glossary import Term
from pipeline.memory import TranslationMemory, glossary_signature, normalise
from pipeline.records import Document, Fix, Segment
from pipeline.translate.engine import Engine, Progress

# With a memory, the texts go to the engine in chunks, each stored as soon as it is
# translated, so a killed run loses at most the chunk in flight. The first chunk has
# MEMORY_CHUNK texts; the next ones are sized from the rate measured so far to last about
# CHUNK_SECONDS, so an engine with a fixed cost per call (apertium starts its processes
# for every batch) is not slowed down much, and a kill still costs only seconds of work.
MEMORY_CHUNK = 200
CHUNK_SECONDS = 10.0
CHUNK_LIMITS = (50, 5000)


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
    engine_segments: int = 0  # texts sent to the engine (0 when the memory answered all)
    memory: Path | None = None

    @property
    def segments(self) -> list[Segment]:
        return [s for d in self.documents for s in d.segments]


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
    segments: list[Segment],
    engine: Engine,
    terms: list[Term],
    progress: Progress | None = None,
    memory: TranslationMemory | None = None,
) -> int:
    """Fill `en`, `engine` and `origin` of every segment; English lines pass through.

    With a memory, reviews and stored translations answer first; only the misses go to
    the engine in chunks (one engine batch each, see MEMORY_CHUNK), and each chunk is
    stored as soon as it is translated, so a killed run resumes where it stopped.
    Returns how many texts were sent to the engine.
    """
    todo = [s for s in segments if s.lang == "fr" and s.fr.strip()]
    misses = memory.recall(todo, engine.version, terms) if memory is not None else todo
    # The same French with the same glossary terms goes to the engine once.
    same_key: dict[tuple[str, str], list[Segment]] = {}
    for s in misses:
        key = (normalise(s.fr), glossary_signature(s.terms, terms))
        same_key.setdefault(key, []).append(s)
    unique = [group[0] for group in same_key.values()]
    size = MEMORY_CHUNK if memory is not None else len(unique)
    start, started = 0, time.monotonic()
    while start < len(unique):
        if len(unique) - (start + size) < size // 2:
            size = len(unique) - start  # no small last chunk: each costs an engine call
        chunk = unique[start : start + size]
        chunk_progress = _offset_progress(progress, start, len(unique))
        english = translate_batch([s.fr for s in chunk], engine, terms, chunk_progress)
        for s, text in zip(chunk, english, strict=True):
            s.en, s.engine, s.origin = text, engine.version, "engine"
        start += len(chunk)
        if memory is not None:
            memory.remember(chunk, engine.version, terms)
            rate = start / max(time.monotonic() - started, 1e-3)
            size = min(max(int(rate * CHUNK_SECONDS), CHUNK_LIMITS[0]), CHUNK_LIMITS[1])
    for group in same_key.values():
        for s in group[1:]:
            s.en, s.engine, s.origin = group[0].en, group[0].engine, group[0].origin
    for s in segments:
        if s.lang != "fr":
            s.en, s.origin = s.fr, "source"
    return len(unique)


def _offset_progress(progress: Progress | None, offset: int, total: int) -> Progress | None:
    """Turn a chunk's progress into progress over all the texts sent to the engine."""
    if progress is None:
        return None
    return lambda done, _chunk_total: progress(offset + done, total)


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
    memory: Path | None = None,
) -> RunResult:
    """Run every stage; `memory` is the SQLite memory file (default <out_dir>/memory.sqlite)."""
    documents = corpus.read_corpus(corpus_dir)
    terms = glossary.load_glossary(glossary_path)
    out_dir = Path(out_dir)
    prepare_output_folder(out_dir)
    memory_path = Path(memory) if memory is not None else out_dir / "memory.sqlite"
    result = RunResult(engine=engine.version, memory=memory_path)
    # The memory is opened before the long work, so an unusable one fails at once.
    with TranslationMemory(memory_path) as translation_memory:
        result.documents = [prepare_document(doc, terms) for doc in documents]
        result.engine_segments = translate_segments(
            result.segments, engine, terms, progress, translation_memory
        )
    mark_terms(result.segments)
    # Every output of the run is replaced at the end, together, or none is (disk full,
    # Ctrl-C): a document's files never mix two runs.
    with fileio.writes_together():
        for prepared in result.documents:
            result.written += export.write_document(out_dir, prepared.doc, prepared.segments)
    return result


def prepare_output_folder(out_dir: Path) -> None:
    """Create the output folder and make sure files can be written there, before any work."""
    if out_dir.exists() and not out_dir.is_dir():
        raise PipelineError(f"output folder {out_dir} is a file, not a folder")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise PipelineError(
            f"cannot create output folder {fileio.describe_os_error(err, out_dir)}"
        ) from err
    fileio.check_writable(out_dir)
