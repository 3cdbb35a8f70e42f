"""`pipeline run`: every stage over the whole corpus, in the order of DESIGN.md.

Each stage is one call below; this module only wires them together.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import functools
import gc
import logging
import os
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import (
    checks,
    clean,
    corpus,
    export,
    fileio,
    glossary,
    inputs,
    prepared_cache,
    report,
    segment,
)
from pipeline import progress as display
from pipeline.errors import PipelineError
from pipeline.formats import jsonl
from pipeline.formats.index_html import write_index
from pipeline.glossary import Term
from pipeline.memory import TranslationMemory, glossary_signature, normalise
from pipeline.prepared_cache import PreparedCache
from pipeline.records import Document, Finding, Fix, Segment
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
    fixes: list[Fix] = field(default_factory=list)  # the cleaner's, spans in doc.raw
    findings: list[Finding] = field(default_factory=list)  # cleaning findings of no segment


@dataclass
class RunResult:
    engine: str
    documents: list[PreparedDocument] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    engine_segments: int = 0  # texts sent to the engine (0 when the memory answered all)
    tm_suggestions: int = 0  # segments offered a close match from the imported TM
    memory: Path | None = None
    findings: list[Finding] = field(default_factory=list)
    # One line per output a person edited (imported before it was rewritten), or whose
    # reviews were recovered into a new memory (pipeline.review.store).
    review_lines: list[str] = field(default_factory=list)
    suggestions: int = 0  # segments offered a fuzzy match

    @property
    def segments(self) -> list[Segment]:
        return [s for d in self.documents for s in d.segments]

    @property
    def fixes(self) -> list[Fix]:
        return [f for d in self.documents for f in d.fixes]


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
    segments = prepared.segments
    starts = [s.fr_raw[0] for s in segments]  # in text order, spans apart
    for finding, (start, end) in zip(cleaned.findings, cleaned.finding_spans, strict=True):
        # Only the segment starting at or before the finding, or the one before it (a span
        # ending where the next starts), can hold it: bisect, not a scan of every segment.
        at = bisect.bisect_right(starts, start) - 1
        holder = next(
            (
                segments[i]
                for i in (at - 1, at)
                if 0 <= i and segments[i].fr_raw[0] <= start and end <= segments[i].fr_raw[1]
            ),
            None,
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
    for fix in cleaned.fixes:
        fix.doc = doc.name
    # The reader's fixes first (what extraction dropped), then the cleaner's.
    fixes = [dataclasses.replace(fix, doc=doc.name) for fix in doc.fixes] + cleaned.fixes
    prepared = PreparedDocument(doc=doc, segments=segments, fixes=fixes)
    attach_findings(prepared, cleaned)
    return prepared


def prepare_documents(
    documents: Sequence[Document],
    terms: list[Term],
    cache: PreparedCache | None = None,
    done: Progress | None = None,
) -> list[PreparedDocument]:
    """prepare_document for each document, taken from the cache where it was stored
    by an earlier run (spaCy is then not even loaded), and stored there otherwise;
    `done(n, total)` after each."""
    keys: list[str | None] = [None] * len(documents)
    if cache is not None:
        fingerprint = prepared_cache.code_fingerprint()
        keys = [prepared_cache.document_key(doc, terms, fingerprint) for doc in documents]
    stored = cache.load(keys) if cache is not None else {}
    prepared, fresh = [], []
    for doc, key in zip(documents, keys, strict=True):
        hit = stored.get(key) if key is not None else None
        if hit is not None:
            prepared.append(PreparedDocument(doc, hit.segments, hit.fixes, hit.findings))
        else:
            document = prepare_document(doc, terms)
            prepared.append(document)
            if key is not None:
                entry = prepared_cache.Prepared(
                    document.segments, document.fixes, document.findings
                )
                fresh.append((doc.name, key, entry))
        if done is not None:
            done(len(prepared), len(documents))
    if cache is not None:
        cache.store(fresh)
    return prepared


def translate_batch(
    texts: Sequence[str], engine: Engine, terms: list[Term], progress: Progress | None = None
) -> list[str]:
    """The engine's best translation of each French text (one batch for the whole corpus),
    with the glossary enforced (pipeline/translate/enforce.py); without terms it is the
    engine's plain output."""
    from pipeline.translate.enforce import translate_with_glossary

    return translate_with_glossary(texts, engine, terms, progress)


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
    if memory is not None:  # a translator's imported TM, after the reviews (pipeline/tm.py)
        from pipeline import tm

        misses = tm.answer_exact(memory, todo, misses)
    # The same French with the same glossary terms goes to the engine once.
    same_key: dict[tuple[str, str], list[Segment]] = {}
    for s in misses:
        key = (normalise(s.fr), glossary_signature(s.terms, terms))
        same_key.setdefault(key, []).append(s)
    unique = [group[0] for group in same_key.values()]
    size = MEMORY_CHUNK if memory is not None else len(unique)
    start, started = 0, time.monotonic()
    if progress is not None and unique:
        progress(0, len(unique))
    # The stage shown counts the texts done, glossary enforced, chunk by chunk; the
    # engine's own progress in a chunk is shown as its first pass (enforce.py).
    with display.stage("translating", len(unique), "texts") as translating:
        while start < len(unique):
            if len(unique) - (start + size) < size // 2:
                size = len(unique) - start  # no small last chunk: each costs an engine call
            chunk = unique[start : start + size]
            chunk_progress = _offset_progress(progress, start, len(chunk), len(unique))
            english = translate_batch([s.fr for s in chunk], engine, terms, chunk_progress)
            for s, text in zip(chunk, english, strict=True):
                s.en, s.engine, s.origin = text, engine.version, "engine"
            start += len(chunk)
            translating(start)
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


def _offset_progress(
    progress: Progress | None, offset: int, size: int, total: int
) -> Progress | None:
    """Turn a chunk's progress into progress over all the texts sent to the engine. The
    engine counts in its own units (--pivot both counts each text once per pivot), so its
    count is scaled to the chunk's `size` texts."""
    if progress is None:
        return None

    def report(done: int, units: int) -> None:
        progress(offset + (min(done, units) * size // units if units else 0), total)

    return report


def mark_terms(segments: list[Segment]) -> None:
    for s in segments:
        for hit in s.terms:
            hit.ok = glossary.hit_honoured(s.en, hit)


# Python's cycle collector scans its youngest objects every 700 new ones (its default): a
# run makes millions (segments, findings, spaCy's docs), so 350 collections took 0.28 CPU s
# of a first run over 40 FLORES articles; every 10,000, 19 took 0.12 s. What they free is
# the same (a cycle lives a little longer before it goes).
RUN_COLLECTION_THRESHOLD = (10_000, 20, 20)


@contextlib.contextmanager
def fewer_collections():
    """The cycle collector run less often (RUN_COLLECTION_THRESHOLD) inside the block."""
    before = gc.get_threshold()
    gc.set_threshold(*RUN_COLLECTION_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def with_fewer_collections(function):
    """`function` run with fewer_collections()."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with fewer_collections():
            return function(*args, **kwargs)

    return wrapper


@with_fewer_collections
def run(
    corpus_dir: Path,
    glossary_path: Path,
    out_dir: Path,
    engine: Engine,
    progress: Progress | None = None,
    memory: Path | None = None,
    reviewer: str | None = None,
    fuzzy_threshold: float | None = None,
    jobs: int | None = 1,
    cluster: str | None = None,
) -> RunResult:
    """Run every stage; `memory` is the SQLite memory file (default <out_dir>/memory.sqlite).

    Outputs a person edited since the last run are imported first (attributed to
    `reviewer` when the file names no one); fuzzy matches of at least `fuzzy_threshold`
    percent (default store.FUZZY_THRESHOLD) are offered on the unreviewed segments.
    Each stage is shown by pipeline.progress (on a terminal, or with --verbose); `progress`
    is told too of the texts translated.

    `jobs` > 1: documents are prepared and checked in that many worker processes
    (pipeline/parallel.py; None: the machine's cores, for a corpus worth it); `cluster`:
    on a Ray cluster (pipeline/cluster.py). The outputs are the same bytes either way."""
    from pipeline.review import store

    out_dir = Path(out_dir)
    refuse_output_inside_corpus(out_dir, Path(corpus_dir))
    documents = corpus.read_corpus(corpus_dir)
    terms = glossary.load_glossary(glossary_path)
    prepare_output_folder(out_dir)
    memory_path = Path(memory) if memory is not None else out_dir / "memory.sqlite"
    result = RunResult(engine=engine.version, memory=memory_path)
    # The memory is opened before the long work, so an unusable one fails at once.
    with TranslationMemory(memory_path) as translation_memory:
        # before anything is rewritten: a person's edits in the outputs become reviews
        with display.step("importing the outputs a person edited"):
            result.review_lines = store.import_edited_outputs(out_dir, memory_path, reviewer)
        if cluster is not None:
            from pipeline import cluster as ray_cluster

            stages = ray_cluster.run_on_cluster
            extra = {"address": cluster, "cpus": jobs}  # jobs: a local instance's CPUs
        elif (jobs := parallel_jobs(jobs, documents)) > 1:
            from pipeline import parallel

            stages, extra = parallel.run_parallel, {"jobs": jobs}
        else:
            stages, extra = run_in_process, {}
        # prepare, translate (memory first), check: the same results whichever way
        result.documents, result.engine_segments, result.findings = stages(
            documents,
            terms,
            memory_path,
            engine,
            translation_memory=translation_memory,
            progress=progress,
            **extra,
        )
        if sum(len(doc.raw) for doc in documents) >= RELEASE_MODELS_FROM:
            release_models()  # whichever way the stages ran (the word list is this process's)
        with display.step("offering fuzzy matches"):
            result.suggestions = offer_fuzzy_matches(
                result.segments, translation_memory, fuzzy_threshold
            )
            # then the imported TM's close matches, where no closer suggestion is offered
            from pipeline import tm

            result.tm_suggestions = tm.offer_suggestions(result.segments, translation_memory)
    info = run_info(out_dir, result, engine.version, glossary_path)
    write_outputs(out_dir, memory_path, result, reviewer, corpus_dir, info)
    return result


def offer_fuzzy_matches(segments, memory: TranslationMemory, threshold: float | None) -> int:
    from pipeline.review import store

    threshold = store.FUZZY_THRESHOLD if threshold is None else threshold
    return store.offer_fuzzy_matches(segments, memory, threshold)


def write_outputs(
    out_dir: Path,
    memory_path: Path,
    result: RunResult,
    reviewer: str | None = None,
    corpus_dir: Path | None = None,
    info: report.RunInfo | None = None,
) -> None:
    """Every output of the run, replaced at the end together, or none is (disk full,
    Ctrl-C): a document's files never mix two runs, nor the report another run's. The
    memory then records what was written (the review store tells a person's edit by it).

    Just before, what reviewers did while the run worked (a Poedit save, a browser save,
    an import) is taken in: edited outputs imported again (a stat each), the memory's
    current reviews put on the segments, so the run never writes over them (their checks
    are the next run's)."""
    from pipeline.review import store

    result.review_lines += store.import_edited_outputs(out_dir, memory_path, reviewer)
    with TranslationMemory(memory_path) as memory:
        store.apply_current_reviews(result.segments, memory)
    digests: dict[Path, str] = {}
    write_files(out_dir, result, info, digests, corpus_dir, memory_path)
    store.record_outputs(memory_path, digests)


def write_files(
    out_dir: Path,
    result: RunResult,
    info: report.RunInfo | None,
    digests: dict[Path, str] | None = None,
    corpus_dir: Path | None = None,
    memory_path: Path | None = None,
) -> None:
    """The run's files (each document's outputs, the report, the index and, with a memory,
    the run's reviewed TMX), replaced all together or none; `digests` gets their hashes."""
    with display.stage("writing", len(result.documents), "articles") as writing:
        with fileio.writes_together():
            for prepared in result.documents:
                result.written += export.write_document(
                    out_dir, prepared.doc, prepared.segments, digests
                )
                writing.advance()
            result.written += report.write_report(
                out_dir,
                result.segments,
                result.findings,
                result.fixes,
                info,
                [prepared.doc for prepared in result.documents],
            )
            docs = [(d.doc.name, d.segments) for d in result.documents]
            result.written += write_index(out_dir, docs)
            if corpus_dir is not None and memory_path is not None:
                result.written.append(write_run_tmx(out_dir, corpus_dir, result, memory_path))


def run_info(out_dir: Path, result: RunResult, engine: str, glossary_path: Path):
    """What the report says made the outputs, and which outputs are left from articles
    no longer in the corpus (see report.current_jsonl)."""
    names = [d.doc.name for d in result.documents]
    stale = report.stale_documents(out_dir, names)
    if stale:
        logging.getLogger("pipeline").warning(
            "%d article(s) no longer in the corpus still have outputs in %s (left as they "
            "were, not current; listed in report.md): %s",
            len(stale),
            out_dir,
            ", ".join(stale[:5]) + (", …" if len(stale) > 5 else ""),
        )
    return report.RunInfo(
        engine=engine,
        glossary=str(glossary_path),
        glossary_sha256=report.glossary_sha256(glossary_path),
        date=report.utc_now(),
        documents=names,
        stale_documents=stale,
    )


def checked_info(out_dir: Path, result: RunResult, glossary_path: Path) -> report.RunInfo:
    """The report's run information after `pipeline check`: the engines the outputs name,
    this glossary, now; the stale outputs stay listed as the run left them."""
    engines = sorted({s.engine for s in result.segments if s.engine})
    names = [d.doc.name for d in result.documents]
    return report.RunInfo(
        engine="; ".join(engines) or "none (checked as they stand)",
        glossary=str(glossary_path),
        glossary_sha256=report.glossary_sha256(glossary_path),
        date=report.utc_now(),
        documents=names,
        stale_documents=report.stale_documents(out_dir, names),
    )


def run_tmx_path(out_dir: Path, corpus_dir: Path, documents: Sequence[str]) -> Path:
    """`<out>/<corpus>.reviewed.tmx`, beside the articles' own (never one of theirs)."""
    name = f"{Path(corpus_dir).resolve().name or 'corpus'}.reviewed"
    while name in documents:
        name += "-run"
    return Path(out_dir) / f"{name}.tmx"


def write_run_tmx(out_dir: Path, corpus_dir: Path, result: RunResult, memory_path: Path) -> Path:
    """One TMX for the whole run: every reviewed and approved unit, with who changed it
    and when (changeid/changedate), the memory OmegaT, memoQ or Trados import."""
    from pipeline.formats.tmx import MemoryUnit, memory_tmx_bytes

    units, seen = [], set()
    reviewed = [s for s in result.segments if s.origin in ("review", "approved")]
    with TranslationMemory(memory_path) as memory:
        for s in reviewed:
            if (normalise(s.fr), s.en) in seen:
                continue
            seen.add((normalise(s.fr), s.en))
            stored = memory.lookup_review(s.fr, s.id)
            when = getattr(s, "reviewed_at", "") or (stored.created if stored else "")
            who = getattr(s, "reviewer", "") or getattr(stored, "reviewer", "") or ""
            units.append(
                MemoryUnit(s.fr, s.en, s.id, s.origin, who or "unknown reviewer",
                           _tmx_date(when), s.doc)
            )  # fmt: skip
    path = run_tmx_path(out_dir, corpus_dir, [d.doc.name for d in result.documents])
    # dated by its latest change, so an unchanged run writes the same file
    stamp = max((u.changedate for u in units), default="")
    fileio.atomic_write_bytes(path, memory_tmx_bytes(units, stamp))
    return path


def _tmx_date(iso: str) -> str:
    from datetime import UTC, datetime

    try:
        return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    except ValueError:
        return ""


def release_lexicon() -> None:
    """Let the cleaner's lexicon go (about 90 MB) once every document is cleaned: only the
    cleaner reads it; a later cleaning in the same process loads it again (a second).
    Its sets and dicts hold strings only, no cycle: they are freed as the cache lets go,
    without a collection of every object of the process (0.1 s with spaCy loaded)."""
    from pipeline.lexicon import load_lexicon

    if not load_lexicon.cache_info().currsize:
        return  # never loaded (every document came from the cache): nothing to free
    load_lexicon.cache_clear()


# From this much text on, spaCy and the checks' word list are let go before the outputs
# are made; below it the outputs are small, and a process running the stages again (the
# tests, the review server) keeps them rather than load them again.
RELEASE_MODELS_FROM = 1_000_000


def release_models() -> None:
    """Let go, before the outputs are made, of what only the stages before them read: the
    cleaner's lexicon, spaCy's French pipeline (sentences, named entities), the checks'
    English word list. A later stage in the same process loads what it needs again."""
    from pipeline import spacy_import
    from pipeline.checks import untranslated
    from pipeline.lexicon import load_lexicon

    for cached in (
        load_lexicon,
        segment.french_nlp,
        spacy_import.french_pipeline,
        untranslated.english_word_list,
    ):
        cached.cache_clear()
    gc.collect()


# A worker process pays about 2 s of CPU to start (spaCy, its model, the lexicon): below
# this much text, the default (--jobs not given) prepares the corpus in this process.
PARALLEL_MIN_CHARS = 60_000


def parallel_jobs(jobs: int | None, documents: Sequence[Document]) -> int:
    """The worker processes for this corpus: `jobs` (at most one a document), or for None
    the machine's cores when the corpus is large enough to repay starting them."""
    if jobs is None:
        if sum(len(doc.raw) for doc in documents) < PARALLEL_MIN_CHARS:
            return 1
        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return max(1, min(jobs, len(documents)))


def entity_texts(segments: Sequence[Segment]) -> list[str]:
    """The French texts whose named entities the entity check may use, a segment each
    (an EntitySelection of a run's keeps those the check can use)."""
    return [
        s.fr for s in segments if s.lang == "fr" and s.fr.strip() and checks.may_hold_entity(s.fr)
    ]


def run_in_process(
    documents: Sequence[Document],
    terms: list[Term],
    memory_path: Path,
    engine: Engine,
    translation_memory: TranslationMemory,
    progress: Progress | None = None,
) -> tuple[list[PreparedDocument], int, list[Finding]]:
    """Prepare, translate and check in this process (`--jobs 1`). A thread prepares the
    documents one after the other, then finds their named entities; meanwhile the engine
    (Apertium's processes, driven by a thread of its own) gets each document's texts as
    soon as it is ready, so it starts with the first document, not after the last, and
    this thread stores the chunks that come back and runs each document's per-segment
    checks once its English is in. The answers are those of translate_segments over the
    whole corpus (parallel.MemoryFeeder)."""
    from pipeline import parallel

    entities = prepared_cache.EntityCache(memory_path, checks.ner_model())
    ready: queue.Queue = queue.Queue()
    early: list[Finding] = []
    early_corpus: list = []  # each document's parallel.early_corpus_findings
    with Background(
        prepare_then_find_entities,
        documents,
        terms,
        memory_path,
        entities,
        ready,
        functools.partial(parallel.start_engine, engine),
    ) as preparer:
        prepared, sent = translate_as_prepared(
            ready,
            len(documents),
            engine,
            terms,
            translation_memory,
            progress,
            early,
            early_corpus,
        )
        parallel.release_engine(engine)
        with display.step("finding named entities"):
            preparer.result()
    segments = [s for d in prepared for s in d.segments]
    mark_terms(segments)
    document_findings = [f for d in prepared for f in d.findings]
    segment_findings = parallel.with_early_findings(segments, lambda: early)
    corpus_findings = parallel.gathered_corpus_findings(lambda: early_corpus)
    findings = run_check_stage(
        segments, terms, document_findings, entities, segment_findings, corpus_findings
    )
    return prepared, sent, findings


def prepare_then_find_entities(
    stop: threading.Event,
    documents: Sequence[Document],
    terms: list[Term],
    memory_path: Path,
    entities: prepared_cache.EntityCache,
    ready: queue.Queue,
    before_preparing=None,
) -> None:
    """Each document prepared (or taken from the prepared-document cache) and put in
    `ready` in corpus order, then the named entities of all their French (see
    Background); an error is put in `ready` too, so the reader stops waiting.
    `before_preparing()` is called once, before the first document not in the cache."""
    try:
        cache = PreparedCache(memory_path)
        fingerprint = prepared_cache.code_fingerprint()
        keys = [prepared_cache.document_key(doc, terms, fingerprint) for doc in documents]
        stored = cache.load(keys)
        storing = StoreEverySecond(cache)
        texts: list[str] = []
        selection = checks.EntitySelection()  # the entity pass skips what no finding uses
        for doc, key in zip(documents, keys, strict=True):
            if stop.is_set():
                storing.flush()
                return
            hit = stored.get(key)
            if hit is not None:
                document = PreparedDocument(doc, hit.segments, hit.fixes, hit.findings)
            else:
                if before_preparing is not None:
                    before_preparing()  # the engine's processes, before spaCy's load
                    before_preparing = None
                document = prepare_document(doc, terms)
                entry = prepared_cache.Prepared(
                    document.segments, document.fixes, document.findings
                )
                storing.add((doc.name, key, entry))
            if doc is documents[-1]:
                # The last one: stored and the cleaner's lexicon let go before the engine
                # gets it, so neither overlaps the translation (one big article: its JSON
                # and the lexicon beside the engine's first chunks).
                storing.flush()
                release_lexicon()
            ready.put(document)
            texts += selection.add(entity_texts(document.segments))
        storing.flush()
        release_lexicon()  # the cleaner's alone: gone before the entities and the checks
        find_entities(stop, texts, entities)
    except BaseException as err:
        ready.put(err)
        raise


class StoreEverySecond:
    """Prepared documents stored in the cache at most once a second (each store is a
    commit, 17 ms of waiting for the disk: 3.4 s for 200 documents one at a time); a
    killed run keeps all but the last second's."""

    def __init__(self, cache: PreparedCache, interval: float = 1.0):
        self.cache, self.interval = cache, interval
        self.entries: list = []
        self.last = time.monotonic()

    def add(self, entry) -> None:
        self.entries.append(entry)
        if time.monotonic() - self.last >= self.interval:
            self.flush()

    def flush(self) -> None:
        if self.entries:
            self.cache.store(self.entries)
            self.entries = []
        self.last = time.monotonic()


def translate_as_prepared(
    ready: queue.Queue,
    count: int,
    engine: Engine,
    terms: list[Term],
    memory: TranslationMemory,
    progress: Progress | None = None,
    early: list[Finding] | None = None,
    early_corpus: list | None = None,
) -> tuple[list[PreparedDocument], int]:
    """Take `count` documents from `ready` as they come and translate them (memory first),
    a chunk as soon as one is full: the engine works while the next ones are prepared.
    With `early`, each document's per-segment checks (parallel.early_findings) are run
    as soon as its English is in, their findings added to `early`, while the engine
    translates the next chunk (and to `early_corpus`, the document's
    parallel.early_corpus_findings). Returns the documents in order and how many texts were
    sent to the engine."""
    from pipeline import parallel

    # a chunk back puts None in `ready`: this thread wakes up to store it
    feeder, worker = parallel.threaded_engine_feeder(
        engine, terms, memory, progress, on_done=lambda: ready.put(None)
    )
    prepared: list[PreparedDocument] = []
    unchecked: list[PreparedDocument] = []

    corpus_unchecked: list[PreparedDocument] = []

    def check_whole_documents(every: bool = False) -> None:
        while early is not None and unchecked:
            if not every and not feeder.has_english(unchecked[0].segments):
                break
            document = unchecked.pop(0)
            mark_terms(document.segments)  # the glossary checks read hit.ok
            early.extend(parallel.early_findings(document.segments, terms))
            corpus_unchecked.append(document)
        # The untranslated checks (0.3 s of this process's CPU over 40 articles) once every
        # document is prepared: till then the preparing thread, which feeds the engine,
        # has the interpreter to itself but for the cheap per-segment checks.
        while early_corpus is not None and corpus_unchecked and (every or len(prepared) == count):
            document = corpus_unchecked.pop(0)
            early_corpus.append(parallel.early_corpus_findings(document.segments, terms))

    def take(item) -> None:
        """A prepared document, a chunk back (None), or the preparing thread's error."""
        if isinstance(item, BaseException):
            raise item
        if item is not None:
            prepared.append(item)
            unchecked.append(item)
            feeder.add(item.segments)
        feeder.pump(final=len(prepared) == count, block=False)
        check_whole_documents()

    try:
        with display.stage("preparing", count, "articles") as preparing:
            while len(prepared) < count:
                before = len(prepared)
                take(ready.get())
                if len(prepared) > before:
                    preparing.advance()
        total = len(feeder.groups)
        with display.stage("translating", total, "texts") as translating:
            translating(feeder.translated)

            def report(done: int, units: int) -> None:
                translating(done)
                if progress is not None:
                    progress(done, units)

            feeder.progress = report
            while feeder.busy:
                take(ready.get())
            sent = feeder.finish()
    finally:
        worker.close()
    check_whole_documents(every=True)
    return prepared, sent


class Background:
    """`function(stop, *args)` in a thread, as a context manager: `result()` waits and
    returns what it returned, or raises what it raised. Leaving the block (an error of
    the main work, Ctrl-C) sets `stop` and waits for the function to notice: it must look
    at `stop` often, since native code still running when the interpreter exits aborts
    the process (spaCy's BLIS does)."""

    def __init__(self, function, *args):
        self.stop = threading.Event()
        self._outcome: tuple = ()
        self._thread = threading.Thread(target=self._run, args=(function, args), daemon=True)

    def __enter__(self) -> Background:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop.set()
        self._thread.join()

    def _run(self, function, args) -> None:
        try:
            self._outcome = (True, function(self.stop, *args))
        except BaseException as err:  # re-raised in the waiting thread
            self._outcome = (False, err)

    def result(self):
        self._thread.join()
        succeeded, value = self._outcome
        if not succeeded:
            raise value
        return value


ENTITY_CHUNK = 64  # texts per spaCy call when entities are found alongside translation


def find_entities(stop: threading.Event, texts: Sequence[str], cache) -> None:
    """The checks' named entities of `texts`, kept in `cache`, a chunk at a time until
    `stop` is set (see Background). The cache is read once and written at most once a
    second (EntitiesStoredEverySecond)."""
    stored = EntitiesStoredEverySecond(cache, texts)
    try:
        for start in range(0, len(texts), ENTITY_CHUNK):
            if stop.is_set():
                return
            checks.french_entities(texts[start : start + ENTITY_CHUNK], stored)
    finally:
        stored.flush()


class EntitiesStoredEverySecond:
    """An entity cache read once for all the texts and written at most once a second: a
    read and a commit per chunk of ENTITY_CHUNK texts were 72 connections and 0.9 s of
    waiting for the disk over 2,262 texts, in the thread the checks then wait for. A
    killed run keeps all but the last second's entities."""

    def __init__(self, cache, texts: Sequence[str], interval: float = 1.0):
        self.cache, self.interval = cache, interval
        self.known = cache.get(texts)
        self.pending: dict = {}
        self.last = time.monotonic()

    def get(self, texts):
        return {t: self.known[t] for t in texts if t in self.known}

    def put(self, found) -> None:
        self.known.update(found)
        self.pending.update(found)
        if time.monotonic() - self.last >= self.interval:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.cache.put(self.pending)
            self.pending = {}
        self.last = time.monotonic()


def run_check_stage(
    segments: list[Segment],
    terms: list[Term],
    document_findings: Sequence[Finding] = (),
    entity_cache: prepared_cache.EntityCache | None = None,
    segment_findings=None,
    corpus_findings=None,
) -> list[Finding]:
    """Run the checks; return every finding of the run: the corpus-wide ones, those of
    whole documents (the cleaner's, held by no segment), and those on the segments.
    `segment_findings`, `corpus_findings`: see checks.run_checks (checks done elsewhere)."""
    with display.stage("checking", len(checks.CHECKS), "checks") as checking:
        found = checks.run_checks(
            segments,
            terms,
            entity_cache=entity_cache,
            done=checking,
            segment_findings=segment_findings,
            corpus_findings=corpus_findings,
        )
    corpus_wide = [f for f in found if not f.segment]
    return corpus_wide + list(document_findings) + [f for s in segments for f in s.findings]


# --- `pipeline check`: the checks again, over the outputs as they stand (maybe edited) ---


def cleaning_fixes(doc: Document, terms: list[Term]) -> list[Fix]:
    """The cleaning fixes of a document, as a run would make them."""
    fixes = clean.clean_text(doc.raw, known_person_names(terms)).fixes
    for fix in fixes:
        fix.doc = doc.name
    return [dataclasses.replace(fix, doc=doc.name) for fix in doc.fixes] + fixes


@with_fewer_collections
def check_outputs(
    out_dir: Path,
    corpus_dir: Path | None,
    glossary_path: Path,
    memory: Path | None = None,
    reviewer: str | None = None,
    fuzzy_threshold: float | None = None,
) -> RunResult:
    """Read `<out>/*.jsonl`, run the checks, rewrite every output and the report.

    Nothing is translated. The English is taken as it stands in the JSONL (a reviewer may
    have edited it); the documents come from the corpus when it still matches the outputs.
    The run's memory file (default <out>/memory.sqlite), where it exists, gives the
    cleaning fixes of unchanged articles and the named entities of unchanged French, so
    spaCy loads only for what changed. Outputs a person edited are imported first (an
    edit that cannot be imported stops the check with its file and line, nothing
    rewritten), and every segment shows its current review.
    """
    from pipeline.review import store

    out_dir = Path(out_dir)
    if out_dir.is_dir():
        fileio.recover(out_dir)  # one run's outputs whole, even after a kill -9
    paths = report.current_jsonl(out_dir) if out_dir.is_dir() else []
    if not paths:
        raise PipelineError(f"no .jsonl outputs in {out_dir}/: run 'pipeline run' first")
    terms = glossary.load_glossary(glossary_path)
    memory_path = Path(memory) if memory is not None else out_dir / "memory.sqlite"
    has_memory = memory_path.is_file()
    result = RunResult(engine="")
    if has_memory:
        result.review_lines = store.import_edited_outputs(
            out_dir, memory_path, reviewer, broken="raise"
        )
    fingerprint = prepared_cache.code_fingerprint() if has_memory else ""
    with display.stage("reading", len(paths), "articles") as reading:
        for path in paths:
            segments = jsonl.read_jsonl(path)
            doc = jsonl.jsonl_document(path, corpus_dir)
            for s in segments:
                s.terms = glossary.find_terms(s.fr, terms)
            fixes: list[Fix] = []
            if doc.path.suffix in corpus.ARTICLE_SUFFIXES:
                key = prepared_cache.document_key(doc, terms, fingerprint) if has_memory else ""
                stored = PreparedCache(memory_path).load([key]).get(key) if has_memory else None
                fixes = stored.fixes if stored is not None else cleaning_fixes(doc, terms)
            result.documents.append(PreparedDocument(doc=doc, segments=segments, fixes=fixes))
            reading.advance()
    entities = prepared_cache.EntityCache(memory_path, checks.ner_model()) if has_memory else None
    if has_memory:
        with TranslationMemory(memory_path) as translation_memory:
            store.apply_current_reviews(result.segments, translation_memory)
            result.suggestions = offer_fuzzy_matches(
                result.segments, translation_memory, fuzzy_threshold
            )
            from pipeline import tm

            result.tm_suggestions = tm.offer_suggestions(result.segments, translation_memory)
    mark_terms(result.segments)
    result.findings = run_check_stage(result.segments, terms, entity_cache=entities)
    info = checked_info(out_dir, result, glossary_path)
    if has_memory:
        write_outputs(out_dir, memory_path, result, reviewer, corpus_dir, info)
        return result
    write_files(out_dir, result, info)  # all rewritten, or none (see run)
    return result


def refuse_output_inside_corpus(out_dir: Path, corpus_dir: Path) -> None:
    """An output folder that is the corpus folder or inside it is refused: the next run
    would read its own outputs (`<doc>.en.md`, `report.md`) as articles."""
    if not corpus_dir.is_dir():
        return  # one file as the corpus: its folder may well hold the outputs
    out, source = out_dir.resolve(), corpus_dir.resolve()
    if out == source or source in out.parents:
        where = "is the corpus folder" if out == source else "is inside the corpus folder"
        raise PipelineError(
            f"output folder {inputs.display_path(out_dir)} {where} "
            f"{inputs.display_path(corpus_dir)}: the next run would read the outputs as "
            "articles; choose an --out outside the corpus"
        )


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
    fileio.recover(out_dir)  # a run killed during its renames: finish them first
