"""`pipeline run --jobs N`: the stages of runner.py over every core of this machine.

Worker processes prepare the documents (clean, segment, glossary terms), find the named
entities of their French and run the per-segment checks, a document per task; the main
process keeps the translation memory and the engine, and feeds the engine from the
documents in their order as they come back (`MemoryFeeder`), so translation starts with
the first documents and goes on while the others are prepared. The corpus-wide checks
run once, in the main process, over everything gathered. Every stage function is the
one `--jobs 1` calls, with the same inputs in the same order, so the outputs are the
same bytes.

A worker that dies (killed, out of memory) breaks the pool: a new one is started and the
unfinished tasks are given to it (they only compute; nothing of theirs was stored). The
translations stored so far stay in the memory, as in a run of one process.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import multiprocessing
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent import futures
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from pipeline import checks, prepared_cache
from pipeline.checks.base import LengthRatios
from pipeline.errors import PipelineError
from pipeline.glossary import Term
from pipeline.memory import TranslationMemory, glossary_signature, normalise
from pipeline.records import Document, Finding, Segment
from pipeline.translate.engine import Progress

log = logging.getLogger(__name__)

POOL_RESTARTS = 3  # a pool broken more often than this is a fault, not bad luck


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


# --- in the worker processes --------------------------------------------------------------

_worker: dict[str, Any] = {}


def _start_worker(terms: list[Term], memory_path: str, ner_model: str) -> None:
    # Ctrl-C at a terminal reaches every process of the group: the main process decides.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if multiprocessing.get_start_method(allow_none=True) != "spawn":
        # forked: the run's display (its lock, its terminal line) stays the main process's
        from pipeline import progress

        progress._current = progress.Display(level=progress.QUIET, live=False)
        apertium = sys.modules.get("pipeline.translate.apertium")
        if apertium is not None:  # the engine's tools, started before the fork
            apertium.drop_inherited_pipelines()
        take_analysers()
    _die_with_parent()
    _worker["terms"] = terms
    _worker["entities"] = prepared_cache.EntityCache(Path(memory_path), ner_model)
    _die_if_asked()


def _die_with_parent() -> None:
    """A worker ends when the main process does, even killed with SIGKILL (Linux): left
    behind, it would finish its task for nothing and hold the run's stderr open."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return
    if os.getppid() == 1:  # the parent was already gone
        os._exit(1)


def _die_if_asked() -> None:
    """PIPELINE_TEST_KILL_WORKER=FILE: the first worker to start removes FILE and kills
    itself with SIGKILL at its third task (the fault tests' way to kill one mid-run)."""
    marker = os.environ.get("PIPELINE_TEST_KILL_WORKER")
    if marker:
        try:
            os.remove(marker)
        except FileNotFoundError:
            return
        _worker["kill_at"] = 3


def _count_task() -> None:
    if "kill_at" in _worker:
        _worker["kill_at"] -= 1
        if _worker["kill_at"] == 0:
            os.kill(os.getpid(), signal.SIGKILL)


def prepare_task(doc: Document):
    """Prepare one document. Its named entities are found by entities_task, given out
    after every document's preparation: which texts need them depends on the run's other
    documents (checks.EntitySelection), and the engine gets each document's texts as soon
    as it is cut into sentences, not after its entities too (the engine waited 0.3-1.1 s
    for the next chunk, 9 times in a run of 40 articles, when both came in one task)."""
    from pipeline.runner import prepare_document

    _count_task()
    return prepare_document(doc, _worker["terms"])


def entities_task(texts: Sequence[str]) -> int:
    """Find the entities of the texts the memory file's entity table does not hold yet,
    and keep them there."""
    _count_task()
    checks.french_entities(texts, _worker["entities"])
    return len(texts)


# The per-segment check that reads the whole corpus (its usual English/French length
# ratio): run at the end over every segment; the others run on each document as soon as
# its English is in (document_checks_task), while the engine translates the next ones.
CORPUS_RATIO_CHECK = "form.length-ratio"


def early_checks() -> list[str]:
    """The per-segment checks that need nothing beyond the document: all but the ratio."""
    return [name for name in checks.SEGMENT_CHECKS if name != CORPUS_RATIO_CHECK]


def document_checks_task(segments: list[Segment]):
    """One document's early findings: those of early_checks() and of the
    DOCUMENT_CORPUS_CHECKS (early_corpus_findings)."""
    _count_task()
    terms = _worker["terms"]
    return early_findings(segments, terms), early_corpus_findings(segments, terms)


def early_findings(segments: list[Segment], terms: list[Term]) -> list[Finding]:
    """One document's per-segment findings but the length ratio's, once its English is in:
    the quotations across its segments are its own (form.quotes_across_segments never
    pairs quotes of two documents), so they are what the corpus context would give it."""
    from pipeline.checks.form import quotes_across_segments

    quotes = quotes_across_segments(segments)
    return document_segment_findings(segments, None, quotes, early_checks(), terms)


# The corpus checks whose findings over the corpus are those over each document in turn:
# a segment's finding reads only its own words and what Apertium's lexicons say of each
# word alone. They run on each document as soon as its English is in, with the early
# checks, their word lookups asked of lt-proc processes kept running
# (untranslated.analyser_output): at the end of a run they took 1.1 s of wall for 0.6 s
# of CPU, eight lt-proc started one after the other, with every result in.
DOCUMENT_CORPUS_CHECKS = ("untranslated", "untranslated.pivot")
ENTITY_CHECK = "consistency.entity"  # needs every named entity: the last corpus check


def early_corpus_findings(
    segments: list[Segment], terms: list[Term]
) -> dict[str, list[Finding]] | None:
    """One document's findings of the DOCUMENT_CORPUS_CHECKS, by check; None where no
    English lexicon is installed (then they run over the corpus: its notice comes once)."""
    from dataclasses import replace

    from pipeline.checks import untranslated

    if untranslated.english_words(()) is None:
        return None
    context = checks.CheckContext(terms=terms, ratios=None)
    return {
        name: [replace(f, check=name) for f in checks.CORPUS_CHECKS[name](segments, context)]
        for name in DOCUMENT_CORPUS_CHECKS
    }


def gathered_corpus_findings(early: Callable[[], list[dict[str, list[Finding]] | None]]):
    """run_checks' `corpus_findings` from each document's early_corpus_findings (`early()`
    gives them in corpus order): each check's findings, document after document, as one
    pass over the corpus gives them; None for all when a document has none."""
    gathered: list = []

    def findings(name: str) -> list[Finding] | None:
        if not gathered:
            gathered.append(early())
        documents = gathered[0]
        if any(d is None for d in documents):
            return None
        return [f for d in documents for f in d[name]]

    return {name: functools.partial(findings, name) for name in DOCUMENT_CORPUS_CHECKS}


def with_early_findings(segments: list[Segment], early: Callable[[], list[Finding]]):
    """run_checks' `segment_findings` when the checks of early_checks() were run on each
    document already (`early()` gathers them): the length ratio's added over the corpus.
    run_checks sorts the findings by severity, segment and check (a stable sort), so they
    come out in the order of one pass over the corpus."""

    def segment_findings(context: checks.CheckContext, names: list[str]):
        if names != list(checks.SEGMENT_CHECKS):  # some checks only: all of them here
            return checks.per_segment_findings(segments, context, names)

        def gathered() -> list[Finding]:
            ratio = checks.per_segment_findings(segments, context, [CORPUS_RATIO_CHECK])
            return early() + ratio

        return gathered  # the corpus checks run while the last documents' are done

    return segment_findings


def document_segment_findings(
    segments: list[Segment],
    ratios: LengthRatios,
    quotes: dict[str, int],
    names: list[str],
    terms: list,
) -> list[Finding]:
    """One document's per-segment findings, with the corpus context gathered by the driver
    (length ratios, quotes across segments): a worker's task here, a Ray task in cluster."""
    context = checks.CheckContext(
        terms=terms,
        ratios=ratios,
        terms_by_source={t.source: t for t in terms},
        quotes_across=quotes,
    )
    return checks.per_segment_findings(segments, context, names)


# --- lt-proc analysers started before the fork, one set a worker -----------------------------


class InheritedServer(subprocess.Popen):
    """An `lt-proc -z -w` analyser started by the main process before the fork, for the
    worker that takes it (take_analysers). That worker is not its parent, so waitpid
    cannot tell it alive: it counts as alive there, and if it died, the next question
    fails and french_names starts a new one (french_names._ask_server)."""

    def __init__(self, analyser: str):
        self.parent = os.getpid()
        super().__init__(
            ["lt-proc", "-z", "-w", analyser],  # as french_names starts its servers
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )

    def poll(self):
        return super().poll() if os.getpid() == self.parent else None


_prestarted: list[dict[str, InheritedServer]] = []  # a set of analysers per worker to fork
_taken: list = []  # the count of sets taken (a multiprocessing.Value shared with the forks)


def worker_analysers() -> tuple[str, ...]:
    """The lt-proc analysers a worker asks (french_names' servers): the cleaner's French
    and English ones, the untranslated checks' English, French and pivot ones."""
    from pipeline import french_names
    from pipeline.checks import untranslated

    found = french_names.french_analysers() + french_names.english_analysers()
    found += tuple(
        a for language in ("english", "french", "pivot") for a in untranslated.analysers(language)
    )
    return tuple(dict.fromkeys(found))


class AnalyserStarter(threading.Thread):
    """Each worker's lt-proc analysers started in this process before the fork, one after
    the other, each asked an empty question (its dictionary loaded) before the next is
    started, while the run's thread loads spaCy and the lexicon (fork_start_method): they
    load (8 a worker, 0.2 CPU s) on the other core, beside Apertium's tools, rather than
    on first use in a worker (its first preparation, its first checks) while the engine
    needs both cores. One at a time, so the loading thread keeps a core to itself (16
    started at once took the cores from it). `stop()` once the loads are done: what is
    not started by then, a worker starts on first use, as before; the thread has ended,
    so the fork stays a fork."""

    def __init__(self, workers: int):
        super().__init__(name="analysers", daemon=True)
        self.workers = workers
        self.stopping = threading.Event()
        _taken[:] = [multiprocessing.get_context("fork").Value("i", 0)]
        _prestarted[:] = [{} for _ in range(workers)]

    def run(self) -> None:
        for analyser in worker_analysers():  # the cleaner's first: asked first
            for servers in _prestarted:
                if self.stopping.is_set():
                    return
                try:
                    server = InheritedServer(analyser)
                except OSError:  # no lt-proc after all: the workers start their own
                    return
                if _answers(server):
                    servers[analyser] = server
                else:
                    server.kill()
                    server.wait()
                    _close_pipes(server)

    def stop(self) -> None:
        self.stopping.set()
        self.join()


def _answers(server: subprocess.Popen, timeout: float = 30) -> bool:
    """Whether the lt-proc -z answers an empty question (once its dictionary is loaded)."""
    from pipeline import french_names

    try:
        return french_names.server_answer(server, b"\n\0", timeout) == b"\n\0"
    except (OSError, ValueError):
        return False


def prestart_analysers(workers: int) -> AnalyserStarter | None:
    """An AnalyserStarter started for `workers` workers, or None (none to start, or
    PIPELINE_PRESTART_ANALYSERS=0, for measuring)."""
    if os.environ.get("PIPELINE_PRESTART_ANALYSERS", "1") == "0" or not worker_analysers():
        return None
    starter = AnalyserStarter(workers)
    starter.start()
    return starter


def take_analysers() -> None:
    """In a forked worker: take the next set of prestarted analysers as french_names'
    servers, and close this process's copies of the other sets' pipes (an analyser sees
    the end of its input when the worker that took it ends)."""
    if not _prestarted or not _taken:
        return
    from pipeline import french_names

    with _taken[0].get_lock():
        mine = _taken[0].value
        _taken[0].value += 1
    for index, servers in enumerate(_prestarted):
        for analyser, server in servers.items():
            if index == mine:
                with french_names._servers_lock:
                    french_names._servers[analyser] = (os.getpid(), server)
            else:
                _close_pipes(server)
    _prestarted.clear()


def drop_analysers() -> None:
    """In the main process once the workers are forked: its copies of the analysers'
    pipes closed (those of a set no worker took: the analysers end)."""
    for servers in _prestarted:
        for server in servers.values():
            _close_pipes(server)


def reap_analysers() -> None:
    """In the main process once the workers have ended: wait for the analysers, which end
    with them (their CPU then counts in this process's children's, as a worker's own
    servers' did)."""
    for servers in _prestarted:
        for server in servers.values():
            try:
                server.wait(timeout=5)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    _prestarted.clear()


@contextlib.contextmanager
def analysers_let_go():
    """The prestarted analysers' pipes closed here and the analysers waited for, once the
    pool inside has ended (its workers, which took them, have)."""
    try:
        yield
    finally:
        drop_analysers()
        reap_analysers()


def _close_pipes(server: subprocess.Popen) -> None:
    for pipe in (server.stdin, server.stdout):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()


# --- in the main process -----------------------------------------------------------------


class Task:
    def __init__(self, function: Callable, args: tuple):
        self.function, self.args = function, args
        self.future: Future | None = None


def _succeeded(future: Future | None) -> bool:
    """A finished task whose value can be collected (cancelled, failed or unsent: no)."""
    return (
        future is not None
        and future.done()
        and not future.cancelled()
        and future.exception() is None
    )


class WorkerPool:
    """A process pool that survives a dead worker: `submit` gives a Task, `result(task)`
    its value; when the pool breaks, a new one takes every task not yet collected."""

    def __init__(
        self,
        jobs: int,
        terms: list[Term],
        memory_path: Path,
        ner_model: str,
        start_method: str = "spawn",
    ):
        self.jobs = jobs
        self.start_method = start_method
        self.initargs = (terms, str(memory_path), ner_model)
        self.pending: list[Task] = []
        self.restarts = 0
        self.executor = self._new_executor()

    def _new_executor(self) -> ProcessPoolExecutor:
        # spawn: a worker is a fresh interpreter (the main process may run engine
        # threads, which fork would copy half of), and a child of this process, so it
        # can end with it (_die_with_parent; a forkserver outlived a killed run). fork
        # only when the caller made sure no other thread runs (fork_start_method).
        context = multiprocessing.get_context(self.start_method)
        return ProcessPoolExecutor(
            self.jobs, mp_context=context, initializer=_start_worker, initargs=self.initargs
        )

    def submit(self, function: Callable, *args) -> Task:
        task = Task(function, args)
        self.pending.append(task)
        try:
            task.future = self.executor.submit(function, *args)
        except BrokenProcessPool:  # a worker died since the last result was collected
            self._restart()  # gives this task to the new pool with the others
        return task

    def done(self, task: Task) -> bool:
        return task.future is not None and task.future.done()

    def result(self, task: Task):
        while True:
            try:
                value = task.future.result()
            except BrokenProcessPool:
                self._restart()
                continue
            self.pending.remove(task)
            return value

    def _restart(self) -> None:
        self.restarts += 1
        self.start_method = "spawn"  # threads of the engine may run by now
        if self.restarts > POOL_RESTARTS:
            raise PipelineError(
                f"worker processes died {self.restarts} times; run with --jobs 1 to see why"
            )
        log.warning("a worker process died; its unfinished work goes to a new one")
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._new_executor()
        for task in self.pending:
            if not _succeeded(task.future):
                task.future = self.executor.submit(task.function, *task.args)

    def close(self, interrupted: bool = False) -> None:
        if interrupted:
            # Work in flight is of no use now; the memory holds what was stored.
            for process in list((self.executor._processes or {}).values()):
                process.terminate()
        self.executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, exc_type, *_):
        self.close(interrupted=exc_type is not None)


class MemoryFeeder:
    """The translation stage over documents that arrive one at a time.

    The same answers as runner.translate_segments over the whole corpus: a review or a
    stored translation answers first, each new (French, glossary terms) goes to the engine
    once, and its later copies in the run share the result (origin "engine", as when
    the whole corpus is looked up before anything is stored). The engine gets chunks
    through `submit(texts) -> handle` and `collect(handles, block) -> [(handle, english)]`,
    so a pool of engines (cluster.py) can have several in flight; each chunk is stored in
    the memory as soon as it returns, so a run that dies resumes where it stopped.
    """

    def __init__(
        self,
        engine_version: str,
        terms: list[Term],
        memory: TranslationMemory | None,
        submit: Callable[[list[str]], Any],
        collect: Callable[[list, bool], list[tuple[Any, list[str]]]],
        in_flight: int = 1,
        chunk: int | None = None,
        progress: Progress | None = None,
    ):
        from pipeline.runner import CHUNK_LIMITS, MEMORY_CHUNK

        self.engine_version, self.terms, self.memory = engine_version, terms, memory
        self._submit, self._collect = submit, collect
        self.max_in_flight = in_flight
        self.fixed_chunk = chunk
        self.size = chunk or MEMORY_CHUNK
        self.limits = CHUNK_LIMITS
        self.progress = progress
        self.groups: dict[tuple[str, str], list[Segment]] = {}
        self.queue: list[tuple[str, str]] = []  # groups not sent yet, in order
        self.in_flight: dict[Any, list[tuple[str, str]]] = {}
        self.translated = 0
        self.started = time.monotonic()

    def key(self, s: Segment) -> tuple[str, str]:
        return (normalise(s.fr), glossary_signature(s.terms, self.terms))

    def add(self, segments: Sequence[Segment]) -> None:
        """Take one document's segments (in document order)."""
        fresh = []
        for s in segments:
            if s.lang != "fr":
                s.en, s.origin = s.fr, "source"
            elif s.fr.strip():
                group = self.groups.get(self.key(s))
                if group is not None:
                    group.append(s)  # no review of this French: the group's first had none
                    if group[0].origin:  # translated already: the copy's English at once
                        s.en, s.engine, s.origin = group[0].en, group[0].engine, group[0].origin
                else:
                    fresh.append(s)
        misses = fresh
        if self.memory is not None:
            from pipeline import tm

            misses = self.memory.recall(fresh, self.engine_version, self.terms)
            # a translator's imported TM, after the reviews (as runner.translate_segments)
            misses = tm.answer_exact(self.memory, fresh, misses)
        for s in misses:
            key = self.key(s)
            if key in self.groups:
                self.groups[key].append(s)
            else:
                self.groups[key] = [s]
                self.queue.append(key)

    @property
    def waiting(self) -> int:
        return len(self.queue)

    @property
    def busy(self) -> bool:
        """Texts not translated yet: waiting or at the engine."""
        return bool(self.queue or self.in_flight)

    def pump(self, final: bool = False, least: int | None = None, block: bool = True) -> None:
        """Send chunks while the engine has room: full chunks, or at least `least` texts
        (the engine would otherwise wait), or everything when `final`. Collect what has
        returned; wait for a result only when no more can be sent (never when not
        `block`: the caller has other work, and calls again)."""
        while True:
            self._receive(block=False)
            enough = self.size if least is None else least
            if (
                self.queue
                and len(self.in_flight) < self.max_in_flight
                and (final or len(self.queue) >= max(1, enough))
            ):
                size = self.size
                # no small last chunk (each costs an engine call), unless the chunks are of
                # a fixed count: then the same whatever the timing (see engine_feeder)
                if final and self.fixed_chunk is None and len(self.queue) - size < size // 2:
                    size = len(self.queue)
                self._send(self.queue[:size])
                del self.queue[:size]
                continue
            if block and self.in_flight and (len(self.in_flight) >= self.max_in_flight or final):
                self._receive(block=True)
                continue
            return

    def finish(self) -> int:
        """Translate everything left; give each copy its group's English. Returns how many
        texts were sent to the engine."""
        self.pump(final=True)
        for group in self.groups.values():
            for s in group[1:]:
                s.en, s.engine, s.origin = group[0].en, group[0].engine, group[0].origin
        return len(self.groups)

    @staticmethod
    def has_english(segments: Sequence[Segment]) -> bool:
        """Whether every segment of a document has its English (engine, memory or source)."""
        return all(s.origin for s in segments if s.lang != "fr" or s.fr.strip())

    def _send(self, keys: list[tuple[str, str]]) -> None:
        handle = self._submit([self.groups[k][0].fr for k in keys])
        self.in_flight[handle] = keys

    def _receive(self, block: bool) -> None:
        if not self.in_flight:
            return
        for handle, english in self._collect(list(self.in_flight), block):
            keys = self.in_flight.pop(handle)
            chunk = [self.groups[k][0] for k in keys]
            for key, s, text in zip(keys, chunk, english, strict=True):
                s.en, s.engine, s.origin = text, self.engine_version, "engine"
                for copy in self.groups[key][1:]:  # a document is whole as soon as it can be
                    copy.en, copy.engine, copy.origin = text, self.engine_version, "engine"
            if self.memory is not None:
                self.memory.remember(chunk, self.engine_version, self.terms)
            self.translated += len(chunk)
            if self.progress is not None:
                self.progress(self.translated, len(self.groups))
            if self.fixed_chunk is None and self.memory is not None:
                rate = self.translated / max(time.monotonic() - self.started, 1e-3)
                self.size = min(max(int(rate * _chunk_seconds()), self.limits[0]), self.limits[1])


def _chunk_seconds() -> float:
    from pipeline.runner import CHUNK_SECONDS

    return CHUNK_SECONDS


def engine_feeder(engine, terms, memory, progress=None) -> MemoryFeeder:
    """A feeder for one engine in this process: a chunk is translated when it is sent."""
    from pipeline.runner import translate_batch

    results: dict[int, list[str]] = {}

    def submit(texts: list[str]) -> int:
        handle = len(results) + 1
        results[handle] = translate_batch(texts, engine, terms)
        return handle

    def collect(handles: list, block: bool) -> list[tuple[Any, list[str]]]:
        return [(h, results.pop(h)) for h in handles]

    from pipeline.runner import MEMORY_CHUNK

    # A fixed count in corpus order, whatever the timing: the same chunks in every run
    # and for any --jobs (an engine whose output depends on the batch, as Apertium's
    # Catalan modes do, then gives the same English; see translate/apertium.py).
    return MemoryFeeder(
        engine.version, terms, memory, submit, collect, chunk=MEMORY_CHUNK, progress=progress
    )


class EngineThread:
    """The engine in a thread of its own, given its chunks in order (a queue): this
    process takes prepared documents from the workers, stores the chunks that came back
    and hands out checks while a chunk is translated, and the next chunk is already
    waiting when the engine is done with one. A daemon: a run stopped mid-chunk (Ctrl-C,
    an error) does not wait for it; Apertium's kept tools are ended at exit
    (apertium.close_kept_pipelines)."""

    def __init__(self, engine, terms: list[Term], on_done: Callable[[], None] | None = None):
        self.engine, self.terms, self.on_done = engine, terms, on_done  # after each chunk
        self.todo: queue.SimpleQueue = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._work, name="engine", daemon=True)
        self.thread.start()

    def _work(self) -> None:
        from pipeline.runner import translate_batch

        while (item := self.todo.get()) is not None:
            future, texts = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(translate_batch(texts, self.engine, self.terms))
            except BaseException as err:  # given to the run's thread by collect
                future.set_exception(err)
            if self.on_done is not None:
                self.on_done()

    def submit(self, texts: list[str]) -> Future:
        future: Future = Future()
        self.todo.put((future, texts))
        return future

    def collect(self, handles: list, block: bool) -> list[tuple[Any, list[str]]]:
        """The chunks translated, in the order they were sent (the engine's order)."""
        if block and not any(h.done() for h in handles):
            futures.wait(handles, return_when=futures.FIRST_COMPLETED)
        done = []
        for handle in handles:  # in order: a later chunk is never stored before an earlier
            if not handle.done() or (done and handle.exception() is not None):
                break  # a failed chunk: raised at the next call, once those before are stored
            done.append((handle, handle.result()))
        return done

    def close(self) -> None:
        """No more chunks: the thread ends after the one under way (unsent ones dropped)."""
        while True:
            try:
                future, _ = self.todo.get_nowait()
            except queue.Empty:
                break
            future.cancel()
        self.todo.put(None)


def threaded_engine_feeder(engine, terms, memory, progress=None, on_done=None):
    """engine_feeder's chunks (a fixed count in corpus order, the same bytes), translated
    by an EngineThread with one chunk waiting behind the one under way; `on_done()` is
    called (in the engine's thread) as each chunk is done."""
    from pipeline.runner import MEMORY_CHUNK

    worker = EngineThread(engine, terms, on_done)
    feeder = MemoryFeeder(
        engine.version,
        terms,
        memory,
        worker.submit,
        worker.collect,
        in_flight=2,
        chunk=MEMORY_CHUNK,
        progress=progress,
    )
    return feeder, worker


def document_quotes(context: checks.CheckContext, segments) -> dict:
    """The corpus context's quotations that cross segments, those of one document's."""
    ids = {s.id for s in segments}
    return {k: v for k, v in context.quotes_across.items() if k in ids}


def start_engine(engine) -> None:
    """The engine's processes started now (Apertium's kept tools: 0.3 CPU s with --pivot
    es, 0.9 s with both), where the engine can (`start()`): they load their dictionaries
    on the other core while this process loads spaCy and the lexicon, not at the first
    chunk. Processes, no thread, so a fork may follow (fork_start_method); a worker
    forked after closes its copies of their pipes (apertium.drop_inherited_pipelines)."""
    start = getattr(engine, "start", None)
    if start is not None:
        start()


def release_engine(engine) -> None:
    """The engine's processes let go once the run has no more to translate, where the
    engine can (`release()`): Apertium's tools end on the other core while the run checks
    and writes its outputs, not at its exit."""
    release = getattr(engine, "release", None)
    if release is not None:
        release()


def fork_start_method(starter: AnalyserStarter | None = None) -> str:
    """Fork with spaCy, its French model and the cleaner's lexicon loaded here first,
    so that each worker starts with them (about 2 s of CPU a worker spawned pays to load
    them again, while the engine needs the same cores); "spawn" where fork is not to be
    had or another thread runs (a fork copies only this one: a lock another holds would
    stay held in the worker). `starter` (prestart_analysers) is stopped once they are
    loaded."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return "spawn"
    from pipeline import progress
    from pipeline.lexicon import french_frequencies, load_lexicon
    from pipeline.spacy_import import french_pipeline

    try:
        french_pipeline()
        load_lexicon()
        french_frequencies()
    finally:
        if starter is not None:
            starter.stop()
    ticker = progress.current()._ticker  # the live line's, ends once no stage is open
    if ticker is not None:
        ticker.join(timeout=2 * progress.current().interval + 1)
    import threading

    return "fork" if threading.active_count() == 1 else "spawn"


def run_parallel(
    documents: Sequence[Document],
    terms: list[Term],
    memory_path: Path,
    engine,
    jobs: int,
    translation_memory: TranslationMemory,
    progress: Progress | None = None,
):
    """Prepare, translate and check the documents with `jobs` worker processes.

    What keeps the engine and the cores busy: the workers prepare every document first
    (the engine gets each one's texts as it comes back), then find their named entities;
    the engine translates in a thread of this process (EngineThread), so this one takes
    prepared documents and stores chunks meanwhile; each document whose English is all
    in has its per-segment checks given to a worker at once. Left for the end: the
    corpus-wide checks and the length ratio, which read every segment.

    Returns (prepared documents, texts sent to the engine, findings of the check stage).
    """
    cache = prepared_cache.PreparedCache(memory_path)
    fingerprint = prepared_cache.code_fingerprint()
    keys = [prepared_cache.document_key(doc, terms, fingerprint) for doc in documents]
    stored = cache.load(keys)
    entities = prepared_cache.EntityCache(memory_path, checks.ner_model())
    start_method = "spawn"
    fresh = any(key not in stored for key in keys)  # else spaCy is not needed: no pool
    if fresh:  # documents to prepare: spaCy is needed, and the engine most likely
        start_engine(engine)
        starter = None
        if "fork" in multiprocessing.get_all_start_methods():
            starter = prestart_analysers(jobs)
        start_method = fork_start_method(starter)
    from pipeline import runner

    with (
        analysers_let_go(),
        WorkerPool(jobs, terms, memory_path, entities.model, start_method) as pool,
    ):
        tasks = [
            None if key in stored else pool.submit(prepare_task, doc)
            for doc, key in zip(documents, keys, strict=True)
        ]
        drop_analysers()  # the workers have theirs
        # only now a thread: the workers were forked from this process alone
        feeder, engine_thread = threaded_engine_feeder(engine, terms, translation_memory, progress)
        big = sum(len(doc.raw) for doc in documents) >= runner.RELEASE_MODELS_FROM
        try:
            prepared, sent, checked, entity_tasks = _feed_and_check(
                pool,
                documents,
                keys,
                tasks,
                stored,
                cache,
                entities,
                feeder,
                fresh,
                # the lexicon was for the workers; let go once the last is prepared
                runner.release_lexicon if start_method == "fork" and big else None,
            )
        finally:
            engine_thread.close()
        release_engine(engine)
        segments = [s for d in prepared for s in d.segments]
        runner.mark_terms(segments)

        results: list = []

        def early() -> list:  # the check tasks' results, collected once
            if not results:
                results.extend(pool.result(task) for task in checked)
            return results

        segment_findings = with_early_findings(
            segments, lambda: [f for found, _ in early() for f in found]
        )
        corpus_findings = gathered_corpus_findings(lambda: [by_check for _, by_check in early()])
        if not fresh:
            corpus_findings = {}

        def entities_found() -> None:
            """The entity check runs last, once the workers have every entity: the other
            corpus checks run while they finish."""
            for task in entity_tasks:
                pool.result(task)

        corpus_findings[ENTITY_CHECK] = entities_found
        document_findings = [f for d in prepared for f in d.findings]
        findings = runner.run_check_stage(
            segments,
            terms,
            document_findings,
            entities,
            segment_findings if fresh else None,
            corpus_findings,
        )
    return prepared, sent, findings


def _feed_and_check(
    pool, documents, keys, tasks, stored, cache, entities, feeder, fresh, prepared_all=None
):
    """Take the prepared documents in corpus order as the workers finish them, feed the
    engine, give out their entities, and their checks as each one's English is in;
    `prepared_all()` once the last document is in. Returns (prepared documents, texts
    sent, the check tasks in document order, the entity tasks).

    The lexicon (`runner.release_lexicon`, 0.1 CPU s) is let go there, if at all: let
    go as the workers were forked, it held this process's interpreter while the pool's
    threads waited to hand the workers their first documents (the first preparation
    began 0.15-0.3 s after the fork). Below runner.RELEASE_MODELS_FROM it is not let go:
    the run is short, and freeing it serves nothing the run writes."""
    from pipeline import runner

    prepared: list[runner.PreparedDocument] = []
    storing = runner.StoreEverySecond(cache)
    entity_tasks: list[Task] = []
    checked: list[Task] = []
    unchecked: list[runner.PreparedDocument] = []  # in corpus order
    selection = checks.EntitySelection()  # the entity pass skips what no finding uses

    def hand_out_checks(every: bool = False) -> None:
        while fresh and unchecked and (every or feeder.has_english(unchecked[0].segments)):
            document = unchecked.pop(0)
            runner.mark_terms(document.segments)  # the glossary checks read hit.ok
            checked.append(pool.submit(document_checks_task, document.segments))

    def wait_for(task: Task | None) -> None:
        """Until `task` is done (or the engine has no more to do), keep it busy: send
        what is ready, store what came back, give out the checks of whole documents."""
        while task is None and feeder.busy or task is not None and not pool.done(task):
            feeder.pump(final=task is None, block=False)
            hand_out_checks()
            waiting = list(feeder.in_flight)
            if task is not None and task.future is not None:
                waiting.append(task.future)
            if waiting:
                futures.wait(waiting, timeout=1.0, return_when=futures.FIRST_COMPLETED)
            elif task is None:
                break

    for doc, key, task in zip(documents, keys, tasks, strict=True):
        if task is None:
            hit = stored[key]
            document = runner.PreparedDocument(doc, hit.segments, hit.fixes, hit.findings)
        else:
            wait_for(task)
            document = pool.result(task)
            entry = prepared_cache.Prepared(document.segments, document.fixes, document.findings)
            storing.add((doc.name, key, entry))
        prepared.append(document)
        texts = selection.add(runner.entity_texts(document.segments))
        if task is None and texts:  # a run of cached documents may need no worker
            texts = [t for t in texts if t not in entities.get(texts)]
        if texts:  # after the preparations given out before it (the pool takes tasks in order)
            entity_tasks.append(pool.submit(entities_task, texts))
        feeder.add(document.segments)
        unchecked.append(document)
        feeder.pump(block=False)
        hand_out_checks()
    storing.flush()
    if prepared_all is not None:
        prepared_all()
    wait_for(None)  # everything to the engine and back
    sent = feeder.finish()
    hand_out_checks(every=True)
    return prepared, sent, checked, entity_tasks
