"""Issue 19: a run keeps the engine and the cores busy. The engine translates in a thread of
its own (the next chunk waiting) while the run's thread takes prepared documents and stores
chunks; each document's per-segment checks run as soon as its English is in, the corpus
checks and the length ratio at the end. What a user gets is what one pass gives (real
spaCy, real apertium)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from pipeline import checks, corpus, glossary, parallel, runner
from pipeline.errors import PipelineError
from pipeline.memory import TranslationMemory
from pipeline.records import Segment
from pipeline.translate.apertium import ApertiumEngine

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def translated():
    """Three articles of the corpus prepared and translated by apertium, then made to hold
    what the per-segment checks look for across segments and over the corpus: a quotation
    opened in one sentence and closed in the next, an English far longer than usual, a
    number changed."""
    terms = glossary.load_glossary(REPO / "glossary" / "glossary.yaml")
    documents = [runner.prepare_document(d, terms) for d in corpus.read_corpus(REPO / "corpus")]
    documents = documents[:3]
    segments = [s for d in documents for s in d.segments]
    runner.translate_segments(segments, ApertiumEngine("es"), terms)
    french = [s for s in segments if s.lang == "fr" and len(s.fr) > 40]
    french[1].en += ' "He said'
    french[2].en = 'so." ' + french[2].en
    french[3].en = " ".join([french[3].en] * 3)
    french[4].en = french[4].en + " 1917"
    runner.mark_terms(segments)
    return documents, terms


def test_checks_run_a_document_at_a_time_find_what_one_pass_finds(translated):
    """The findings, and each segment's, in the same order: the report and the outputs
    are the same bytes whichever way the checks ran."""
    documents, terms = translated
    one_pass = copy.deepcopy(documents)
    segments = [s for d in one_pass for s in d.segments]
    expected = checks.run_checks(segments, terms)

    by_document = copy.deepcopy(documents)
    segments_b = [s for d in by_document for s in d.segments]
    early = [f for d in by_document for f in parallel.early_findings(d.segments, terms)]
    found = checks.run_checks(
        segments_b, terms, segment_findings=parallel.with_early_findings(segments_b, lambda: early)
    )
    assert found == expected
    assert [s.findings for s in segments_b] == [s.findings for s in segments]
    made = {f.check for f in found}
    assert {"form.length-ratio", "numbers", "untranslated"} <= made, made
    assert parallel.CORPUS_RATIO_CHECK not in {f.check for f in early}


def test_a_copy_has_its_english_as_soon_as_its_text_is_translated(tmp_path):
    """A document whose texts were all sent before is whole as soon as they come back,
    before the last chunk: its checks need not wait for the end of the run."""
    sent: list[list[str]] = []

    def submit(texts):
        sent.append(texts)
        return len(sent)

    def collect(handles, block):
        return [(h, [t.upper() for t in sent[h - 1]]) for h in handles]

    first = [Segment("a", 1, i, f"phrase {i}", (0, 1)) for i in range(4)]
    later = [Segment("b", 1, 0, "phrase 1", (0, 1)), Segment("b", 1, 1, "autre", (0, 1))]
    copy_only = [Segment("c", 1, 0, "phrase 2", (0, 1))]
    with TranslationMemory(tmp_path / "m.sqlite") as memory:
        feeder = parallel.MemoryFeeder("e1", [], memory, submit, collect, chunk=4)
        feeder.add(first)
        feeder.pump()
        assert feeder.has_english(first)
        feeder.add(copy_only)
        assert feeder.has_english(copy_only) and copy_only[0].en == "PHRASE 2"
        feeder.add(later)
        assert not feeder.has_english(later)  # "autre" waits for the last chunk
        assert later[0].en == "PHRASE 1"
        feeder.finish()
        assert feeder.has_english(later)


class RecordingEngine(ApertiumEngine):
    def __init__(self, fail_at: int | None = None):
        super().__init__("es")
        self.batches: list[int] = []
        self.fail_at = fail_at

    def translate(self, batch, n_best=1, progress=None):
        self.batches.append(len(batch))
        if len(self.batches) == self.fail_at:
            raise PipelineError("apertium failed: the test's engine")
        return super().translate(batch, n_best, progress)


def _documents() -> list[list[Segment]]:
    flores = REPO.parent / "shared" / "eval" / "flores101-dev.fr"
    sources = [flores] if flores.exists() else sorted((REPO / "corpus").glob("*.txt"))
    lines = [line for path in sources for line in path.read_text("utf-8").splitlines()]
    lines = [line for line in lines if line.strip()][:450]
    return [
        [Segment(f"d{d}", 1, i, t, (0, 1)) for i, t in enumerate(lines[start : start + 50])]
        for d, start in enumerate(range(0, len(lines), 50))
    ]


def test_the_engine_in_its_thread_gets_the_chunks_of_a_run_of_one_thread(tmp_path):
    """The same chunks (a fixed count, in corpus order) and the same English as when the
    run's thread drives the engine itself, with documents taken without waiting for it."""
    results = []
    for n, threaded in enumerate((False, True)):
        engine = RecordingEngine()
        documents = _documents()
        with TranslationMemory(tmp_path / f"m{n}.sqlite") as memory:
            if threaded:
                feeder, worker = parallel.threaded_engine_feeder(engine, [], memory)
            else:
                feeder, worker = parallel.engine_feeder(engine, [], memory), None
            for doc in documents:
                feeder.add(doc)
                feeder.pump(block=not threaded)
            feeder.finish()
            if worker is not None:
                worker.close()
            stored = memory.counts()["translations"]
        results.append((engine.batches, [s.en for d in documents for s in d], stored))
    assert results[0] == results[1]
    assert len(results[0][0]) >= 3


def test_an_engine_failing_in_its_thread_stops_the_run_with_its_error(tmp_path):
    """The error reaches the run's thread; the chunks stored before it stay stored."""
    engine = RecordingEngine(fail_at=2)
    with TranslationMemory(tmp_path / "m.sqlite") as memory:
        feeder, worker = parallel.threaded_engine_feeder(engine, [], memory)
        try:
            with pytest.raises(PipelineError, match="the test's engine"):
                for doc in _documents():
                    feeder.add(doc)
                    feeder.pump(block=False)
                feeder.finish()
        finally:
            worker.close()
        assert memory.counts()["translations"] == runner.MEMORY_CHUNK


def test_the_untranslated_checks_run_a_document_at_a_time_find_what_one_pass_finds(translated):
    """French and Spanish words left in the English, found on each document as its English
    comes in (parallel.DOCUMENT_CORPUS_CHECKS), are the findings of one pass over the
    corpus, in the same order on every segment."""
    documents, terms = translated
    documents = copy.deepcopy(documents)
    french = [s for d in documents for s in d.segments if s.lang == "fr" and len(s.fr) > 40]
    french[5].en += " " + " ".join(french[5].fr.split()[-6:])  # its French, left as it was
    french[-1].en += " the norcoreano ambassador"
    french[-2].en = french[-2].fr  # untranslated: the English is the French
    one_pass = copy.deepcopy(documents)
    segments = [s for d in one_pass for s in d.segments]
    expected = checks.run_checks(segments, terms)

    segments_b = [s for d in documents for s in d.segments]
    early = [parallel.early_corpus_findings(d.segments, terms) for d in documents]
    given = parallel.gathered_corpus_findings(lambda: early)
    given[parallel.ENTITY_CHECK] = lambda: None  # not run elsewhere: run last, here
    found = checks.run_checks(segments_b, terms, corpus_findings=given)
    assert found == expected
    assert [s.findings for s in segments_b] == [s.findings for s in segments]
    made = {f.check for f in found}
    assert set(parallel.DOCUMENT_CORPUS_CHECKS) <= made, made
    by_check = {name: [f for d in early for f in d[name]] for name in early[0]}
    assert any("norcoreano" in f.message for f in by_check["untranslated.pivot"])
    assert any(f.segment == french[5].id for f in by_check["untranslated"])


def test_a_word_alone_reads_the_same_whatever_words_are_asked_with_it(translated):
    """What the analysers know of each word does not depend on the words asked with it:
    a document's lookups, from the lt-proc kept running, answer as one corpus-wide
    lookup by a new lt-proc does."""
    from pipeline.checks import untranslated

    documents, _ = translated
    words = sorted(
        {w.casefold() for d in documents for s in d.segments for w in s.en.split() if w.isalpha()}
    )
    words += ["norcoreano", "mundialització", "parce", "que", "of", "course"]
    for language in ("english", "french", "pivot"):
        together = untranslated.analysed(words, language)
        alone = set()
        for start in range(0, len(words), 7):
            alone |= untranslated.analysed(words[start : start + 7], language)
        assert alone == together, language
        assert together, language


def test_the_engine_started_before_its_first_batch_translates_as_one_started_by_it():
    """parallel.start_engine starts Apertium's kept tools before any batch (they load while
    the run loads spaCy): they are running, and the first batch's English is the same.
    parallel.release_engine lets them end on their own once the run is done with them."""
    from pipeline.translate import apertium

    texts = ["Le ministre a quitté Pyongyang hier.", "Les deux pays ont signé un accord."]
    apertium.close_kept_pipelines()
    expected = ApertiumEngine("es").translate(texts)
    apertium.close_kept_pipelines()
    engine = ApertiumEngine("es")
    parallel.start_engine(engine)
    kept = apertium.kept_pipeline(engine.modes, "-n")
    assert kept.processes and all(p.poll() is None for p in kept.processes)
    assert engine.translate(texts) == expected
    parallel.release_engine(engine)  # the run has no more to translate: they end alone
    for process in kept.processes:
        assert process.wait(timeout=10) == 0
    assert engine.translate(texts) == expected  # a later batch: tools of its own
    assert apertium.kept_pipeline(engine.modes, "-n") is not kept
    apertium.close_kept_pipelines()


def test_tools_let_go_end_while_workers_forked_after_their_start_still_run(tmp_path):
    """Workers forked after the engine's tools started (parallel.fork_start_method) close
    their copies of the tools' pipes: released at the last English, the tools end while
    the workers still run the checks, not when the pool closes."""
    from pipeline.translate import apertium

    apertium.close_kept_pipelines()
    engine = ApertiumEngine("es")
    parallel.start_engine(engine)
    kept = apertium.kept_pipeline(engine.modes, "-n")
    with parallel.WorkerPool(2, [], tmp_path / "m.sqlite", checks.ner_model(), "fork") as pool:
        tasks = [pool.submit(parallel.default_jobs) for _ in range(4)]
        assert all(pool.result(task) >= 1 for task in tasks)  # both workers forked, alive
        assert engine.translate(["Bonjour."])  # the tools work with the workers forked
        parallel.release_engine(engine)
        for process in kept.processes:
            assert process.wait(timeout=10) == 0
        assert all(p.is_alive() for p in pool.executor._processes.values())
    apertium.close_kept_pipelines()
