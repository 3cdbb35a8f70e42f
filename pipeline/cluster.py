"""`pipeline run --cluster ADDRESS`: the run's stages on a Ray cluster.

The same stage functions as runner.py and parallel.py, shipped to Ray:

- the documents are prepared (clean, segment, glossary terms) by Ray tasks, and the
  named entities of their French are found by another task as each comes back; the
  per-segment checks run as tasks over consecutive documents;
- translation goes to a pool of Ray actors, started with the run, each holding its engine
  once (Apertium's processes, or a CTranslate2 translator with the threads of the actor's
  CPUs, on its GPU when the actor has one), fed chunks of CLUSTER_CHUNK texts in corpus
  order, two in flight per actor;
- the driver (this process) keeps the translation memory: only the texts it cannot answer
  are sent, and each chunk is stored as soon as it returns (parallel.MemoryFeeder), so a
  run that dies resumes where it stopped. The corpus-wide checks run here, once.

A worker that dies is Ray's to replace: tasks are retried, an actor is restarted and the
calls it had not answered are sent again; a result is stored once, when it arrives.

Ray is an optional extra (pip install 'pipeline[cluster]'): nothing imports it until
`--cluster` is given. The pipeline must be installed, at the same version, on every node.
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline import checks, prepared_cache
from pipeline.checks.base import LengthRatios
from pipeline.errors import PipelineError
from pipeline.glossary import Term
from pipeline.memory import TranslationMemory
from pipeline.records import Document, Finding, Segment
from pipeline.translate.engine import Progress

log = logging.getLogger(__name__)

# Texts per actor call, a fixed count in corpus order whatever the timing: the chunks of
# a local run (runner.MEMORY_CHUNK), so an engine whose English depends on the batch
# (Apertium's Catalan modes) gives the same bytes. Ray's own cost is a millisecond or two
# a call; an engine that starts its processes per call (Apertium before its chains were
# kept running) pays about a third of a CPU second, the work of some 100 texts: at 100
# texts a call that was half the engine's CPU (benchmarks/scaling.py, 1 core: 35.6 CPU s
# for the run at 100 a call, 24.3 at 250, 22.5-23.5 at 200).
CLUSTER_CHUNK = 200
CALLS_PER_ACTOR = 2  # one translating, one waiting: the actor never waits for the driver
RETRIES = 3  # times a task or an actor call is tried again after its worker died
# Ray's cost is a millisecond or two a call, on the driver and on the worker. Documents
# go to a preparing task until their text reaches PREPARE_TASK_CHARS (their named
# entities then go in one task too): 0, a document a task, because on the 200-article
# corpus (1,400 characters each) 5,000 (4 a task) was no faster and 4 s slower in two of
# three rounds on 2 cores (benchmarks/scaling.py, load 10-13; a cluster whose calls cost
# more may want it). The per-segment checks, which wait for the whole corpus, go out in
# TASKS_PER_CPU tasks per CPU of the cluster.
# (Tried and dropped: one preparing worker per 2 CPUs with the entities sent after the
# last document, to pay the lexicon and spaCy's load once: the entities then outlasted
# the engine's last chunk, 5 s after it at load 12-15; interleaved, they fill the CPU
# the engine leaves while it waits for documents.)
PREPARE_TASK_CHARS = 0
TASKS_PER_CPU = 2

# Where the driver's time went in the last run, in seconds from its start (benchmarks/
# scaling.py prints it; "start" is the perf_counter at the start): "engine busy" is the
# wall time with at least one chunk at an actor; "first chunk" when the first was sent,
# "last chunk back" when the last returned (what comes before and after is the driver's
# serial part: nothing else can overlap the engine there).
timings: dict[str, float] = {}


def require_ray():
    """Ray, or a one-line error naming the extra that installs it."""
    try:
        import ray
    except ImportError as err:
        raise PipelineError(
            "--cluster needs Ray, an optional extra: pip install 'pipeline[cluster]'"
        ) from err
    return ray


def connect(address: str, cpus: int | None = None) -> bool:
    """Join the cluster at `address`, or start a Ray instance here for "local" (with
    `cpus` CPUs when given). Returns whether this call started Ray (and should stop it)."""
    ray = require_ray()
    if ray.is_initialized():
        return False
    options: dict[str, Any] = {"include_dashboard": False, "logging_level": logging.WARNING}
    try:
        if address == "local":
            ray.init(num_cpus=cpus, **options)
        else:
            ray.init(address=address, **options)
    except (ConnectionError, RuntimeError, ValueError) as err:
        raise PipelineError(f"cannot reach the Ray cluster at {address}: {err}") from err
    return True


# --- what runs on the workers -----------------------------------------------------------


def _die_if_asked() -> None:
    """PIPELINE_TEST_KILL_WORKER=FILE: the first worker to find FILE removes it and kills
    itself with SIGKILL (the fault tests' way to kill a worker mid-run)."""
    marker = os.environ.get("PIPELINE_TEST_KILL_WORKER")
    if marker:
        try:
            os.remove(marker)
        except FileNotFoundError:
            return
        os.kill(os.getpid(), signal.SIGKILL)


def prepare(docs: list[Document], terms: list[Term]) -> list:
    from pipeline.runner import prepare_document

    return [prepare_document(doc, terms) for doc in docs]


def entities(texts: Sequence[str]) -> dict[str, list[tuple[int, int, str, str]]]:
    found = checks.french_entities(texts)
    return {text: [tuple(e) for e in ents] for text, ents in zip(texts, found, strict=True)}


def segment_checks(
    documents: list[tuple[list[Segment], dict[str, int]]],
    ratios: LengthRatios,
    names: list[str],
    terms: list[Term],
) -> list[Finding]:
    """The per-segment findings of some documents (their segments and quotes), in order."""
    from pipeline.parallel import document_segment_findings

    return [
        finding
        for segments, quotes in documents
        for finding in document_segment_findings(segments, ratios, quotes, names, terms)
    ]


def engine_recipe(engine) -> tuple:
    """What an actor needs to open the same engine as the driver's."""
    if engine.name == "argos":
        return ("argos", str(engine.package.package_path), engine.compute_type)
    return ("apertium", getattr(engine, "pivot", "es"))


def open_recipe(recipe: tuple, cpus: float, gpus: int):
    if recipe[0] == "argos":
        from argostranslate.package import Package

        from pipeline.translate.argos import ArgosEngine

        return ArgosEngine(
            Package(Path(recipe[1])),
            compute_type=recipe[2],
            threads=max(1, int(cpus)),
            inter_threads=1,
            device="cuda" if gpus else "cpu",
        )
    if recipe[1] == "both":
        from pipeline.translate.apertium_plus import BothPivotsEngine

        return BothPivotsEngine()
    from pipeline.translate.apertium import ApertiumEngine

    return ApertiumEngine(pivot=recipe[1])


class EngineWorker:
    """A Ray actor holding one engine, opened once."""

    def __init__(self, recipe: tuple, cpus: float):
        import ray

        gpus = len(ray.get_gpu_ids())
        self.engine = open_recipe(recipe, cpus, gpus)
        self.terms_ref, self.terms = None, []

    def version(self) -> str:
        return self.engine.version

    def translate(self, texts: list[str], terms_box: list) -> list[str]:
        """The chunk's English. The glossary comes boxed (a reference in a list, which Ray
        passes as it is): fetched on the first call, and again by a restarted actor."""
        import ray

        from pipeline.runner import translate_batch

        _die_if_asked()
        if self.terms_ref != terms_box[0]:
            self.terms, self.terms_ref = ray.get(terms_box[0]), terms_box[0]
        return translate_batch(texts, self.engine, self.terms)


@functools.cache
def remote_stages():
    """The stage functions as Ray tasks and the engine as a Ray actor class (made once)."""
    ray = require_ray()

    def task(function):
        return ray.remote(num_cpus=1, max_retries=RETRIES, scheduling_strategy="SPREAD")(function)

    # An actor declares no CPU, so the tasks can use the cores it waits on (as local
    # workers and the engine share them); there is one actor per CPU, a thread each.
    actor = ray.remote(
        num_cpus=0,
        max_restarts=RETRIES,
        max_task_retries=RETRIES,
        scheduling_strategy="SPREAD",
    )(EngineWorker)
    return task(prepare), task(entities), task(segment_checks), actor


# --- the driver --------------------------------------------------------------------------


def engine_count(ray) -> int:
    """One engine actor per CPU of the cluster, or per GPU when it has some."""
    resources = ray.cluster_resources()
    return int(resources.get("GPU", 0)) or max(1, int(resources.get("CPU", 1)))


def engine_pool(ray, engine) -> list:
    """The engine actors, started (their engines open while the driver goes on), and
    checked to run the driver's engine version before their first chunk (check_versions)."""
    *_, actor = remote_stages()
    count = engine_count(ray)
    options = {"num_gpus": 1} if ray.cluster_resources().get("GPU", 0) else {}
    recipe = engine_recipe(engine)
    return [actor.options(**options).remote(recipe, 1) for _ in range(count)]


def check_versions(ray, actors: list, engine) -> None:
    versions = set(ray.get([a.version.remote() for a in actors]))
    if versions != {engine.version}:
        raise PipelineError(
            f"the cluster's engines are {', '.join(sorted(versions))}, not {engine.version}: "
            "install the same engine and data on every node"
        )


def actor_feeder(ray, terms_ref, engine, terms, memory, progress, start_now: bool = False):
    """A MemoryFeeder over the engine actors. They are started now when `start_now` (there
    are documents to prepare, so most likely texts to translate: the actors' start, a
    process and an engine each, overlaps the preparation instead of holding back the
    first chunk), else with the first text to translate (a corpus the memory answers
    starts none). Their engine version is checked before the first chunk is sent."""
    from pipeline.parallel import MemoryFeeder

    actors: list = []
    load: dict[int, int] = {}
    owner: dict[Any, int] = {}

    busy_since: list[float] = []
    checked: list[bool] = []

    def start() -> None:
        actors.extend(engine_pool(ray, engine))
        load.update({i: 0 for i in range(len(actors))})

    if start_now:
        start()

    def submit(texts: list[str]):
        if not checked:  # the first chunk
            began = time.perf_counter()
            if not actors:
                start()
            check_versions(ray, actors, engine)
            checked.append(True)
            timings["engine pool start"] = time.perf_counter() - began
            timings["first chunk"] = time.perf_counter() - timings["start"]
        index = min(load, key=load.get)  # the actor with the fewest calls waiting
        ref = actors[index].translate.remote(texts, [terms_ref])
        if not owner:
            busy_since[:] = [time.perf_counter()]
        load[index] += 1
        owner[ref] = index
        timings["chunks"] = timings.get("chunks", 0) + 1
        return ref

    def collect(handles: list, block: bool):
        ready, _ = ray.wait(
            handles, num_returns=1 if block else len(handles), timeout=None if block else 0
        )
        out = []
        for ref in ready:
            load[owner.pop(ref)] -= 1
            if not owner:
                busy = time.perf_counter() - busy_since[0]
                timings["engine busy"] = timings.get("engine busy", 0.0) + busy
                timings["last chunk back"] = time.perf_counter() - timings["start"]
            try:
                out.append((ref, ray.get(ref)))
            except ray.exceptions.RayError as err:
                raise PipelineError(f"a translation worker failed: {err}") from err
        return out

    return MemoryFeeder(
        engine.version,
        terms,
        memory,
        submit,
        collect,
        in_flight=CALLS_PER_ACTOR * engine_count(ray),
        chunk=CLUSTER_CHUNK,
        progress=progress,
    )


def wait_for_document(ray, ref, feeder) -> None:
    """Keep the actors working until the document `ref` is prepared: full chunks are sent
    as they fill and results stored as they return; never a smaller chunk because an actor
    is idle (the chunks would then depend on the timing, and so might the English)."""
    while not ray.wait([ref], timeout=0)[0]:
        # the document, or a chunk coming back (an actor free again), whichever is first
        ray.wait([ref, *feeder.in_flight], num_returns=1)
        feeder.pump()


def run_on_cluster(
    documents: Sequence[Document],
    terms: list[Term],
    memory_path: Path,
    engine,
    translation_memory: TranslationMemory,
    progress: Progress | None = None,
    address: str = "local",
    cpus: int | None = None,
):
    """Prepare, translate and check the documents on Ray; the same results as run_parallel:
    (prepared documents, texts sent to the engine, findings of the check stage)."""
    ray = require_ray()
    started = connect(address, cpus)
    try:
        return _run(ray, documents, terms, memory_path, engine, translation_memory, progress)
    except ray.exceptions.RayError as err:
        raise PipelineError(f"the Ray cluster failed: {err}") from err
    finally:
        if started:
            ray.shutdown()


def _run(ray, documents, terms, memory_path, engine, translation_memory, progress):
    from pipeline import runner

    timings.clear()
    started = timings["start"] = time.perf_counter()
    prepare_task, entities_task, checks_task, _ = remote_stages()
    cache = prepared_cache.PreparedCache(memory_path)
    fingerprint = prepared_cache.code_fingerprint()
    keys = [prepared_cache.document_key(doc, terms, fingerprint) for doc in documents]
    stored = cache.load(keys)
    entity_cache = prepared_cache.EntityCache(memory_path, checks.ner_model())
    terms_ref = ray.put(terms)
    refs: list = [None] * len(documents)  # a document's preparing task, and its place there
    for group in preparing_groups(documents, [key in stored for key in keys]):
        ref = prepare_task.remote([documents[i] for i in group], terms_ref)
        for place, i in enumerate(group):
            refs[i] = (ref, place, len(group))
    fresh = any(ref is not None for ref in refs)
    feeder = actor_feeder(ray, terms_ref, engine, terms, translation_memory, progress, fresh)
    storing = runner.StoreEverySecond(cache)  # a commit a document was 17 ms of the driver's
    prepared: list = []
    returned: dict = {}  # the preparing tasks' documents, fetched once a task
    entity_refs: list = []
    unknown: list[str] = []  # texts of the documents in so far whose entities are wanted
    selection = checks.EntitySelection()  # the entity pass skips what no finding uses
    for doc, key, at in zip(documents, keys, refs, strict=True):
        if at is None:
            hit = stored[key]
            document = runner.PreparedDocument(doc, hit.segments, hit.fixes, hit.findings)
        else:
            ref, place, _ = at
            if ref not in returned:
                waited = time.perf_counter()
                wait_for_document(ray, ref, feeder)
                returned = {ref: ray.get(ref)}  # the tasks return in corpus order
                waited = time.perf_counter() - waited
                timings["waiting for documents"] = timings.get("waiting for documents", 0) + waited
            document = returned[ref][place]
            entry = prepared_cache.Prepared(document.segments, document.fixes, document.findings)
            storing.add((doc.name, key, entry))
        prepared.append(document)
        unknown += selection.add(runner.entity_texts(document.segments))
        if at is None or at[1] == at[2] - 1:  # a preparing task's documents all in
            known = entity_cache.get(unknown)
            missing = [t for t in dict.fromkeys(unknown) if t not in known]
            if missing:
                entity_refs.append(entities_task.remote(missing))
            unknown = []
        feeder.add(document.segments)
        feeder.pump()
    storing.flush()
    timings["documents in"] = time.perf_counter() - started
    sent = feeder.finish()
    timings["translated"] = time.perf_counter() - started
    for found in ray.get(entity_refs):
        entity_cache.put(found)
    segments = [s for d in prepared for s in d.segments]
    runner.mark_terms(segments)

    def segment_findings(context: checks.CheckContext, names: list[str]):
        """The per-segment checks as tasks over documents in corpus order; the corpus-wide
        checks run in the driver while they are under way, then the returned function
        gathers them."""
        from pipeline.parallel import document_quotes

        work = [(d.segments, document_quotes(context, d.segments)) for d in prepared]
        calls = [
            checks_task.remote(part, context.ratios, names, terms_ref)
            for part in parts(work, task_count(ray))
        ]
        return lambda: [f for found in ray.get(calls) for f in found]

    document_findings = [f for d in prepared for f in d.findings]
    checked = time.perf_counter()
    timings["entities in"] = checked - started
    findings = runner.run_check_stage(
        segments, terms, document_findings, entity_cache, segment_findings
    )
    timings["checks"] = time.perf_counter() - checked
    timings["engine texts"] = sent
    return prepared, sent, findings


def preparing_groups(documents: Sequence[Document], stored: Sequence[bool]) -> list[list[int]]:
    """The documents to prepare (not `stored`), by index, in corpus order, grouped a task
    each until the group's text reaches PREPARE_TASK_CHARS."""
    groups: list[list[int]] = []
    size = PREPARE_TASK_CHARS
    for i, (doc, done) in enumerate(zip(documents, stored, strict=True)):
        if done:
            continue
        if size >= PREPARE_TASK_CHARS:
            groups.append([])
            size = 0
        groups[-1].append(i)
        size += len(doc.raw)
    return groups


def task_count(ray) -> int:
    return TASKS_PER_CPU * max(1, int(ray.cluster_resources().get("CPU", 1)))


def parts(items: list, count: int) -> list[list]:
    """`items` in at most `count` consecutive parts of nearly equal length (none empty)."""
    count = max(1, min(count, len(items)))
    size, extra = divmod(len(items), count)
    out, start = [], 0
    for number in range(count):
        end = start + size + (number < extra)
        out.append(items[start:end])
        start = end
    return [part for part in out if part]
