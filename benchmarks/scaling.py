"""First runs against the raw engine over FLORES corpora, with --jobs 1 and 2 and on a
local Ray instance with 1 and 2 CPUs (issue 19). Called by `speed.py --scaling`:

    python benchmarks/speed.py --scaling [--articles 40,200] [--modes ...] [--repeat 1]

Corpora: the 2,009 French lines of FLORES (flores200-devtest, then flores101-dev) as 40
articles of about 50 lines and as 200 articles of about 10 (the same sentences: 200 makes
the cost per document show). A line is a paragraph.

- raw: `apertium fr-es | apertium spa-eng` (and fra-cat | cat-eng) over the texts the
  pipeline sends, one a line, measured in the same round as the runs it is compared to.
- es: `pipeline run --pivot es` with an empty glossary; both: the default --pivot both
  with glossary/glossary.yaml, against the sum of the two raw pivots.
- jobs N: `python -m pipeline run --jobs N` as a fresh process into an empty folder.
- ray N: `runner.run(..., cluster="local")` in a fresh process pinned to N cores
  (os.sched_setaffinity, which Ray's processes, the engine actors and their Apertium
  processes inherit) on `ray.init(num_cpus=N)`: "N worker CPUs" is N cores for
  everything, the driver included (an Apertium pipeline is several processes, so an
  unpinned actor "with 1 CPU" used both cores, and 1 → 2 measured little). Ray's start
  is timed apart (a cluster is started once, not per run). Printed beside: where the
  driver's time went (cluster.timings: documents in, translated, checks, outputs, the
  wall time with a chunk at an actor), the run's CPU seconds (every process under the
  pinned one, from /proc), then the engine stage alone on the run's actors (every text
  the run sent, in its chunks, CALLS_PER_ACTOR in flight per actor: the pool's lines per
  second without the driver's stages), Ray's round trip of a call with no text and of a
  task doing nothing, and on 1 core the same chunks called directly (Ray's cost over the
  stage, and per batch). The driver's serial part is shown as when the first chunk went
  out and how long the run went on after the last chunk came back. The scaling from
  1 to 2 cores is given round by round, for the whole run and for the engine stage.
- the driver's timeline of each ray run: its steps before the first chunk and after the
  last chunk back (cluster.spans: waiting for entities, the check stage, ...; and the
  runner's after the stages: fuzzy matches, outputs), and the cores the run's processes
  used in the head, the engine's span and the tail (their CPU sampled every
  $SCALING_SAMPLE s, 0.25 by default, 0 off), with the idle core-seconds of each; the
  driver's CPU seconds inside each of its steps.
- the run's CPU by kind of process (KINDS: the driver, the raylet, the gcs_server, Ray's
  agents, the task workers, the engine actors with their Apertium processes), over the
  whole run, the head and the tail.

Modes: jobsN; rayN (this checkout on N pinned cores); raybN (the code of
$SCALING_BASELINE, a checkout, under this file's probes: before/after in one round);
rayN@SIZE (SIZE texts a call); rayN~K (cluster.PREPARE_AHEAD = K); rayN%NAME=VALUE[%...]
(cluster.NAME = VALUE, an int or a bool: `ray2%ONE_QUEUE=0`).

The machine is shared (other jobs run on its 2 cores): each table row gives the load
average beside it; ratios are measured within one round.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DEVTEST, EVAL, GLOSSARY, REPO, flores_lines, pipeline_env  # noqa: E402

sys.path.insert(0, str(REPO))

DEV = EVAL / "flores101-dev.fr"
# issue 19: a first run within 2x the raw engine (es), 1.5x the two raw pivots (both)
TARGETS = {"es": 2.0, "both": 1.5}
SENT = "texts sent to the engine"


def flores_articles(folder: Path, articles: int) -> Path:
    lines = flores_lines(DEVTEST) + flores_lines(DEV)
    per = -(-len(lines) // articles)
    folder.mkdir(parents=True)
    for number in range(articles):
        part = lines[number * per : (number + 1) * per]
        if part:
            (folder / f"flores_{number:03d}.txt").write_text("\n\n".join(part) + "\n", "utf-8")
    return folder


def load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def run_jobs(corpus: Path, glossary: Path, pivot: str, jobs: int, out: Path):
    """`pipeline run --jobs N`; jobs 0: the code of $SCALING_BASELINE (a checkout of the
    code before issue 19, which has no --jobs), for before/after in the same round."""
    from speed import pipeline_run

    args = ["run", "--corpus", str(corpus), "--glossary", str(glossary), "--out", str(out)]
    args += ["--engine", "apertium", "--pivot", pivot]
    if jobs == 0:
        from _common import run_process

        baseline = Path(os.environ["SCALING_BASELINE"]).resolve()
        env = pipeline_env()
        env["PYTHONPATH"] = str(baseline)
        # run from the baseline's folder: `python -m` puts its working directory first on
        # sys.path, before PYTHONPATH, so from this checkout's folder (run_process's
        # default) the "before" rows ran this checkout's pipeline, not the baseline's
        done = run_process([sys.executable, "-m", "pipeline", *args], env=env, cwd=baseline)
        if done.returncode != 0:
            sys.exit(f"pipeline {' '.join(args)} ($SCALING_BASELINE) failed:\n{done.stderr}")
        return done
    return pipeline_run([*args, "--jobs", str(jobs)], pipeline_env())


def run_ray(
    corpus: Path,
    glossary: Path,
    pivot: str,
    cpus: int,
    out: Path,
    work: Path,
    chunk: str = "",
    code: Path = REPO,
    settings: str = "",
):
    """`--cluster local` on N cores: a fresh process pinned to N of the machine's cores
    (sched_setaffinity, inherited by Ray's processes, its workers, the engine actors and
    their Apertium processes) starts Ray with num_cpus=N, so "N worker CPUs" means N
    cores for everything, the driver included. `code`: the checkout whose pipeline runs
    (under this file's probes, so a baseline's run is timed the same way).
    Returns (its ProcessRun, its figures)."""
    import json

    from _common import run_process

    figures = work / f"ray-{cpus}-{out.name}.json"
    # this checkout's child over `code`'s pipeline: the same probes for a baseline's code
    script = Path(__file__).resolve()
    command = [sys.executable, str(script), "--ray-child", str(cpus)]
    command += [str(corpus), str(glossary), pivot, str(out), str(figures), chunk]
    env = pipeline_env()
    env["PYTHONPATH"] = str(Path(code).resolve())
    env["SCALING_SET"] = settings  # mode rayN%NAME=VALUE: cluster.NAME = VALUE in the child
    done = run_process(command, env=env, cwd=Path(code).resolve())
    if done.returncode != 0:
        sys.exit(f"the --cluster local run on {cpus} cores failed:\n{done.stderr}")
    return done, json.loads(figures.read_text(encoding="utf-8"))


def tree_cpu_seconds() -> float:
    """CPU seconds of this process and every process under it (Ray's server, raylet,
    workers and actors), with what each has reaped (the actors' Apertium processes): read
    from /proc just before Ray stops them, since no one waits for them to end."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after the command's name
        parents[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = sum(int(v) for v in fields[11:15]) / ticks
    mine, frontier = {os.getpid()}, [os.getpid()]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in mine]
        mine.update(children)
        frontier.extend(children)
    return sum(used.get(pid, 0.0) for pid in mine)


# The runner's steps after the cluster's stages (in runner.run), timed as the driver's
# own: (module, function).
AFTER_STAGES = [
    ("pipeline.runner", "release_models"),
    ("pipeline.runner", "offer_fuzzy_matches"),
    ("pipeline.tm", "offer_suggestions"),
    ("pipeline.runner", "run_info"),
    ("pipeline.runner", "write_outputs"),
]


def timed_steps() -> list[tuple[str, float, float, float]]:
    """Wrap AFTER_STAGES so each call is recorded (name, start, end: perf_counter, the
    driver's CPU s); returns the list they go to."""
    import importlib

    steps: list[tuple[str, float, float, float]] = []

    def wrap(module, name: str) -> None:
        function = getattr(module, name)

        def timed(*args, **kwargs):
            began, cpu = time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                used = time.process_time() - cpu
                steps.append((name.replace("_", " "), began, time.perf_counter(), used))

        setattr(module, name, timed)

    for module_name, name in AFTER_STAGES:
        wrap(importlib.import_module(module_name), name)
    return steps


# What each process of the run is, from its command line (Ray titles its workers
# "ray::IDLE", "ray::stage", "ray::EngineWorker.translate"): the driver (the pinned
# process, with the Ray threads it runs), Ray's daemons, the task workers and the engine
# actors; a process under one of them (an actor's Apertium processes) is its parent's kind.
KINDS = ("driver", "raylet", "gcs_server", "ray agents", "task workers", "engine actors")


def process_kind(cmdline: bytes, comm: bytes) -> str | None:
    """The kind of a process of the run by its command line (None: its parent's kind)."""
    if b"raylet" in comm:
        return "raylet"
    if b"gcs_server" in comm:
        return "gcs_server"
    if cmdline.startswith((b"ray::DashboardAgent", b"ray::RuntimeEnvAgent")):
        return "ray agents"
    if cmdline.startswith(b"ray::"):
        if cmdline.startswith(b"ray::EngineWorker"):
            return "engine actors"
        return "task workers"  # ray::IDLE until it runs a task, then ray::stage ...
    if b"default_worker.py" in cmdline or b"setup_worker.py" in cmdline:
        return "task workers"  # a worker not titled yet: looked at again each sample
    if b"ray" in cmdline and b".py" in cmdline:  # log_monitor, dashboard and monitor.py
        return "ray agents"
    return None


class TreeCpu:
    """tree_cpu_seconds read cheaply, again and again: the stat of the processes known to
    be the run's, and of new ones only (the others' are not read twice). Each call also
    keeps each process's CPU (`per_pid`) and its kind (`kinds`, process_kind, the last
    one seen that is not "ray::IDLE"), for the CPU by kind of process."""

    def __init__(self):
        self.root = os.getpid()
        self.mine = {self.root}
        self.seen: set[int] = set()
        self.kinds: dict[int, str] = {self.root: "driver"}
        self.parent: dict[int, int] = {}
        self.per_pid: dict[int, float] = {}

    def kind_of(self, pid: int) -> str:
        while pid not in self.kinds and pid in self.parent:
            pid = self.parent[pid]
        return self.kinds.get(pid, "driver")

    def __call__(self) -> float:
        ticks = os.sysconf("SC_CLK_TCK")
        pids = {int(name) for name in os.listdir("/proc") if name.isdigit()}
        fresh = sorted(pids - self.seen)  # in pid order: a parent (mostly) before its child
        self.seen |= pids
        self.mine &= pids
        used = 0.0
        per_pid: dict[int, float] = {}
        for pid in sorted(self.mine) + fresh:
            try:
                with open(f"/proc/{pid}/stat", "rb") as file:
                    stat = file.read()
            except OSError:
                continue
            fields = stat[stat.rindex(b")") + 2 :].split()
            if pid not in self.mine:
                if int(fields[1]) not in self.mine:
                    continue
                self.mine.add(pid)
                self.parent[pid] = int(fields[1])
            if pid != self.root and (pid in fresh or self.kinds.get(pid) == "task workers"):
                self.classify(pid, stat)
            per_pid[pid] = sum(int(v) for v in fields[11:15]) / ticks
            used += per_pid[pid]
        self.per_pid = per_pid
        return used

    def classify(self, pid: int, stat: bytes) -> None:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as file:
                cmdline = file.read()
        except OSError:
            return
        kind = process_kind(cmdline, stat[stat.index(b"(") + 1 : stat.rindex(b")")])
        if kind is not None and not cmdline.startswith(b"ray::IDLE"):
            self.kinds[pid] = kind
        elif kind is not None:
            self.kinds.setdefault(pid, kind)


class CpuSampler:
    """The run's CPU (its process tree's, TreeCpu) every SAMPLE seconds in a thread, to
    tell how many cores the run's processes used in each phase: before the first chunk,
    with the engine busy, after the last chunk (a core the run leaves idle there is what
    1 -> 2 loses), and which of them used it (by_kind: the driver, Ray's daemons, the
    task workers, the engine actors). SCALING_SAMPLE=0 turns it off; its own CPU is
    given (own_cpu)."""

    def __init__(self):
        self.every = float(os.environ.get("SCALING_SAMPLE", "0.25"))
        self.samples: list[tuple[float, float]] = []
        self.pid_samples: list[dict[int, float]] = []
        self.own_cpu = 0.0
        self._stop = None
        self._thread = None
        self.tree = TreeCpu()

    def take(self) -> None:
        total = self.tree()
        self.samples.append((time.perf_counter(), total))
        self.pid_samples.append(self.tree.per_pid)

    def start(self) -> None:
        import threading

        if self.every <= 0:
            return
        self._stop = threading.Event()

        def sample() -> None:
            began = time.thread_time()
            while True:
                self.take()
                if self._stop.wait(self.every):
                    break
            self.own_cpu = time.thread_time() - began

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self.take()

    def cpu_at(self, moment: float, kind: str | None = None) -> float:
        """The run's CPU seconds at `moment` (perf_counter), between the two samples (of
        the processes of `kind` only, when given)."""
        import bisect

        times = [t for t, _ in self.samples]
        i = min(max(bisect.bisect_left(times, moment), 1), len(times) - 1)
        (t0, c0), (t1, c1) = self.samples[i - 1], self.samples[i]
        if kind is not None:
            c0, c1 = (
                sum(v for pid, v in self.pid_samples[j].items() if self.tree.kind_of(pid) == kind)
                for j in (i - 1, i)
            )
        return c0 + (c1 - c0) * (moment - t0) / max(t1 - t0, 1e-9)

    def cores_used(self, began: float, wall: float, phases: dict, offset: float) -> dict:
        """{phase: [wall s, CPU s]}: before the first chunk, first chunk to last chunk
        back, after it (seconds from the run's start)."""
        if len(self.samples) < 2 or "first chunk" not in phases:
            return {}
        return {
            name: [b - a, self.cpu_at(began + b) - self.cpu_at(began + a)]
            for name, a, b in self.phase_marks(wall, phases, offset)
        }

    @staticmethod
    def phase_marks(wall: float, phases: dict, offset: float) -> list[tuple[str, float, float]]:
        marks = [0.0, phases["first chunk"] + offset]
        marks += [phases.get("last chunk back", wall - offset) + offset, wall]
        names = ["head", "engine", "tail"]
        return list(zip(names, marks, marks[1:], strict=False))

    def by_kind(self, began: float, wall: float, phases: dict, offset: float) -> dict:
        """{kind: {phase: CPU s}} over the head, the engine's span, the tail and the whole
        run ("run"), for each kind of process (KINDS)."""
        if len(self.samples) < 2 or "first chunk" not in phases:
            return {}
        marks = [*self.phase_marks(wall, phases, offset), ("run", 0.0, wall)]
        return {
            kind: {
                name: self.cpu_at(began + b, kind) - self.cpu_at(began + a, kind)
                for name, a, b in marks
            }
            for kind in KINDS
        }


def ray_child(
    cpus: int, corpus: Path, glossary: Path, pivot: str, out: Path, figures: Path, chunk: str
):
    """The pinned process of run_ray: Ray's start, the run with the driver's phases
    (cluster.timings), then the engine stage alone on the same actors' kind: every text
    the run sent, in chunks of CLUSTER_CHUNK, CALLS_PER_ACTOR in flight per actor (its
    lines per second are the pool's throughput, without the driver's stages), and the
    round trip of an actor call with no text (Ray's own cost per batch)."""
    import json

    cores = sorted(os.sched_getaffinity(0))[:cpus]
    os.sched_setaffinity(0, cores)
    import ray

    from pipeline import cluster, runner
    from pipeline.translate.engine import open_engine

    chunk, _, ahead = chunk.partition("~")
    if chunk:  # mode rayN@SIZE: texts per actor call other than the code's
        cluster.CLUSTER_CHUNK = int(chunk)
    if ahead:  # mode rayN~K: K preparing tasks per CPU in flight (0: all at once)
        cluster.PREPARE_AHEAD = int(ahead)
    for setting in filter(None, os.environ.get("SCALING_SET", "").split("%")):
        name, _, value = setting.partition("=")
        setattr(cluster, name, type(getattr(cluster, name))(int(value)))
    written = [0.0]
    write_outputs = runner.write_outputs

    def timed_write_outputs(*args, **kwargs):
        began = time.perf_counter()
        try:
            return write_outputs(*args, **kwargs)
        finally:
            written[0] += time.perf_counter() - began

    runner.write_outputs = timed_write_outputs
    after_stages = timed_steps()
    sampler = CpuSampler()
    pools: list[list] = []  # the run's engine actors, kept alive: their CPU is read after
    engine_pool = cluster.engine_pool

    def kept_pool(ray, engine):
        pools.append(engine_pool(ray, engine))
        return pools[-1]

    cluster.engine_pool = kept_pool
    began = time.perf_counter()
    ray.init(num_cpus=cpus, include_dashboard=False, logging_level="ERROR")
    ray_start = time.perf_counter() - began
    engine = open_engine("apertium", pivot)
    cpu_before = tree_cpu_seconds()
    sampler.start()
    began = time.perf_counter()
    result = runner.run(corpus, glossary, out, engine, cluster="local")
    run_wall = time.perf_counter() - began
    sampler.stop()
    phases = dict(cluster.timings)
    cpu = tree_cpu_seconds() - cpu_before
    offset = phases["start"] - began  # the driver's steps from the run's start, not _run's
    spans = getattr(cluster, "spans", [])  # a baseline's code may not record them
    # a baseline's spans may have no CPU (3 items): None
    steps = [(name, a + offset, b + offset, (*cpu, None)[0]) for name, a, b, *cpu in spans]
    steps += [(name, a - began, b - began, cpu) for name, a, b, cpu in after_stages]
    steps.sort(key=lambda step: step[1])
    cores_used = sampler.cores_used(began, run_wall, phases, offset)
    cpu_by_kind = sampler.by_kind(began, run_wall, phases, offset)
    texts = list(dict.fromkeys(s.fr for s in result.segments if s.origin == "engine"))
    actors = pools[0] if pools else engine_pool(ray, engine)
    terms = [ray.put([])]
    for _ in range(5):
        ray.get([a.translate.remote([], terms) for a in actors])
    began = time.perf_counter()
    for _ in range(20):
        ray.get(actors[0].translate.remote([], terms))
    empty_ms = (time.perf_counter() - began) / 20 * 1000
    nothing = ray.remote(num_cpus=1)(lambda: None)  # a task's round trip, as the stages'
    ray.get([nothing.remote() for _ in range(5)])
    began = time.perf_counter()
    for _ in range(20):
        ray.get(nothing.remote())
    empty_task_ms = (time.perf_counter() - began) / 20 * 1000
    size = cluster.CLUSTER_CHUNK
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    pending: list = []
    began = time.perf_counter()
    for number, chunk in enumerate(chunks):
        if len(pending) >= cluster.CALLS_PER_ACTOR * len(actors):
            _, pending = ray.wait(pending, num_returns=1)
        pending.append(actors[number % len(actors)].translate.remote(chunk, terms))
    ray.get(pending)
    alone = time.perf_counter() - began
    ray.shutdown()
    direct = None
    if cpus == 1:  # the same chunks called in this process: the stage without Ray
        began = time.perf_counter()
        for chunk in chunks:
            runner.translate_batch(chunk, engine, [])
        direct = time.perf_counter() - began
    figures.write_text(
        json.dumps(
            {
                "cores": cores,
                "chunk": cluster.CLUSTER_CHUNK,
                "ahead": getattr(cluster, "PREPARE_AHEAD", None),
                "ray start": ray_start,
                "run": run_wall,
                "cpu": cpu,
                "outputs": written[0],
                "phases": phases,
                "steps": steps,
                "cores used": cores_used,
                "cpu by kind": cpu_by_kind,
                "sampler cpu": sampler.own_cpu,
                "engine alone": alone,
                "engine alone texts": len(texts),
                "engine direct": direct,
                "empty call ms": empty_ms,
                "empty task ms": empty_task_ms,
                "load": os.getloadavg()[0],
            }
        ),
        encoding="utf-8",
    )


def main(
    articles: list[int], modes: list[str], repeat: int, pivots: tuple[str, ...] = ("es", "both")
) -> None:
    from speed import engine_texts, raw_apertium

    with tempfile.TemporaryDirectory(prefix="bench-scaling-") as tmp:
        work = Path(tmp)
        empty = work / "empty.yaml"
        empty.write_text("terms: []\n", encoding="utf-8")
        for count in articles:
            corpus = flores_articles(work / f"flores-{count}", count)
            texts = engine_texts(corpus)
            raws = {p: raw_apertium(p, texts, work) for p in ("es", "ca")}
            ray_rows: list[tuple[str, int, dict]] = []
            print(f"\n### FLORES, {count} articles ({len(texts)} distinct texts)\n")
            print("| pivot | run | wall s | CPU s | raw s (same round) | ratio | target | load |")
            print("| --- | --- | ---: | ---: | ---: | ---: | --- | ---: |")
            for round_number in range(repeat):
                for pivot in pivots:
                    glossary = empty if pivot == "es" else GLOSSARY
                    for mode in modes:
                        raw = raws["es"]().seconds
                        if pivot == "both":
                            raw += raws["ca"]().seconds
                        out = work / f"out-{count}-{pivot}-{mode}-{round_number}"
                        # rayN@SIZE: chunks of SIZE; rayN~K: cluster.PREPARE_AHEAD = K;
                        # rayN%NAME=VALUE[%...]: cluster.NAME = VALUE (an int, or a bool)
                        plain, *settings = mode.split("%")
                        plain, _, ahead = plain.partition("~")
                        name, _, chunk = plain.partition("@")
                        kind, n = name[:-1], int(name[-1])
                        if kind == "jobs":
                            done = run_jobs(corpus, glossary, pivot, n, out)
                            wall, cpu = done.seconds, done.cpu_seconds
                        else:
                            # raybN: the code of $SCALING_BASELINE (before/after, one round)
                            code = Path(os.environ["SCALING_BASELINE"]) if kind == "rayb" else REPO
                            child = chunk + (f"~{ahead}" if ahead else "")
                            setting = "%".join(settings)
                            _, figures = run_ray(
                                corpus, glossary, pivot, n, out, work, child, code, setting
                            )
                            wall, cpu = figures["run"], figures["cpu"]
                            figures["code"] = "before" if kind == "rayb" else setting
                            ray_rows.append((pivot, n, figures))
                        label = f"--jobs {n}" if kind == "jobs" else f"--cluster local, {n} core"
                        label += f", chunks of {chunk}" if chunk else ""
                        label += f", {ahead} preparing tasks ahead a CPU" if ahead else ""
                        label += " ($SCALING_BASELINE)" if kind == "rayb" else ""
                        label += "".join(f", {x}" for x in settings)
                        if mode == "jobs0":
                            label = "before ($SCALING_BASELINE, its default --jobs)"
                        target = TARGETS[pivot]
                        met = "met" if wall / raw <= target else "missed"
                        print(
                            f"| {pivot} | {label} | {wall:.1f} | {cpu:.1f} | {raw:.1f} "
                            f"| {wall / raw:.2f} | ≤ {target} ({met}) | {load()} |",
                            flush=True,
                        )
            if ray_rows:
                print_ray_phases(ray_rows)


def print_ray_phases(rows: list[tuple[str, int, dict]]) -> None:
    """Where a --cluster local run's time went, by cores; then the scaling from the
    fewest cores to the most, of the whole run and of the engine stage alone."""
    print(
        "\n`--cluster local` on N cores (the process and Ray pinned to them; Ray's start "
        "apart; wall seconds from the run's start; the CPU column above is the run's, of "
        "the pinned process and every Ray process under it, read from /proc; before the "
        "first chunk and after the last chunk back, the driver's serial part, nothing "
        "overlaps the engine; empty call / task: the round trip of an actor call with no "
        "text and of a task doing nothing, Ray's own cost per batch):\n"
    )
    print(
        "| pivot | code | cores | texts a call | run | first chunk | documents in | translated "
        "| last chunk back | checks | outputs | after the last chunk | engine busy | calls "
        "| engine stage alone | lines/s alone | empty call ms | empty task ms | load |"
    )
    print("| --- | --- " + "| ---: " * 17 + "|")

    def seconds(value) -> str:  # "–": not recorded by that code (a baseline's)
        return "–" if value is None else f"{value:.1f}"

    for pivot, cores, f in rows:
        phases = f["phases"]
        rate = f["engine alone texts"] / f["engine alone"]
        back = phases.get("last chunk back")
        print(
            f"| {pivot} | {f.get('code') or 'this'} | {cores} | {f['chunk']} | {f['run']:.1f} "
            f"| {seconds(phases.get('first chunk'))} | {phases.get('documents in', 0):.1f} "
            f"| {phases.get('translated', 0):.1f} | {seconds(back)} "
            f"| {phases.get('checks', 0):.1f} | {f['outputs']:.1f} "
            f"| {seconds(None if back is None else f['run'] - back)} "
            f"| {phases.get('engine busy', 0):.1f} "
            f"| {phases.get('chunks', 0):.0f} | {f['engine alone']:.1f} | {rate:.0f} "
            f"| {f['empty call ms']:.1f} | {seconds(f.get('empty task ms'))} "
            f"| {seconds(f.get('load'))} |"
        )
    print_driver_timeline(rows)
    for pivot, cores, f in rows:
        if f.get("engine direct"):
            calls = -(-f["engine alone texts"] // f["chunk"])
            per_call = (f["engine alone"] - f["engine direct"]) / calls * 1000
            print(
                f"\n({pivot}, {cores} core, {f['chunk']} texts a call: the same chunks called "
                f"directly in the driver took {f['engine direct']:.1f} s against "
                f"{f['engine alone']:.1f} s through one actor: Ray's cost over the stage "
                f"{f['engine alone'] / f['engine direct']:.2f}x, {per_call:+.0f} ms a batch "
                f"of {calls})"
            )
    keys = dict.fromkeys((p, f["chunk"], f.get("code"), f.get("ahead")) for p, _, f in rows)
    for pivot, chunk, code, ahead in keys:
        mine = [
            (c, f)
            for p, c, f in rows
            if p == pivot
            and f["chunk"] == chunk
            and f.get("code") == code
            and f.get("ahead") == ahead
        ]
        low, high = min(c for c, _ in mine), max(c for c, _ in mine)
        if low == high:
            continue
        # Round by round (each round runs every mode once, one after the other): a ratio
        # is taken between runs minutes apart, not across the whole benchmark.
        lows = [f for c, f in mine if c == low]
        highs = [f for c, f in mine if c == high]
        whole = [a["run"] / b["run"] for a, b in zip(lows, highs, strict=False)]
        stage = [a["engine alone"] / b["engine alone"] for a, b in zip(lows, highs, strict=False)]
        print(
            f"\nscaling {low} → {high} cores, {pivot}, {chunk} texts a call"
            f"{f', {ahead} preparing tasks ahead a CPU' if ahead else ''}"
            f"{', code of $SCALING_BASELINE' if code == 'before' else ''}"
            f"{f', {code}' if code and code != 'before' else ''}, round by round: "
            f"whole run {', '.join(f'{r:.2f}x' for r in whole)} "
            f"(median {statistics.median(whole):.2f}x); engine stage alone "
            f"{', '.join(f'{r:.2f}x' for r in stage)} (median {statistics.median(stage):.2f}x); "
            "target ≥ 1.7x"
        )


def steps_inside(steps: list, low: float, high: float) -> str:
    """The driver's steps' seconds between `low` and `high` (those of 0.05 s or more)."""
    parts = []
    for name, a, b, *cpu in steps:
        seconds = min(b, high) - max(a, low)
        if seconds >= 0.05:
            # the driver's CPU in the step, when recorded and the step is wholly inside
            used = cpu[0] if cpu and cpu[0] is not None and low <= a and b <= high else None
            parts.append(f"{name} {seconds:.1f}" + ("" if used is None else f" ({used:.1f})"))
    return ", ".join(parts) or "–"


def phase(used: dict, name: str) -> str:
    """A phase's wall seconds and, in brackets, the cores the run used in it."""
    if name not in used:
        return "–"
    wall, cpu = used[name]
    return f"{wall:.1f} ({cpu / max(wall, 1e-9):.2f})"


def print_driver_timeline(rows: list[tuple[str, int, dict]]) -> None:
    """Where the driver's wall went before the first chunk and after the last chunk back
    (cluster.spans and the runner's steps after the stages, AFTER_STAGES), and how many
    cores the run's processes used in the head, the engine's span and the tail."""
    timed = [(p, c, f) for p, c, f in rows if f.get("steps")]
    if not timed:
        return
    print(
        "\nThe driver's timeline (seconds from the run's start; cores used: the CPU of the "
        "run's processes over the wall time, sampled every SCALING_SAMPLE s; idle: cores × "
        "wall − CPU): the head until the first chunk went out, the tail after the last "
        "chunk came back, the driver's steps in each (a step's seconds inside that phase):\n"
    )
    print(
        "| pivot | code | cores | first document in | head s (cores used) | engine span s "
        "(cores used) | tail s (cores used) | idle core-s head / engine / tail "
        "| the head's steps | the tail's steps |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    for pivot, cores, f in timed:
        phases, used = f["phases"], f.get("cores used") or {}
        first = phases.get("first chunk", 0.0)
        back = phases.get("last chunk back", f["run"])

        idle = " / ".join(
            f"{cores * used[n][0] - used[n][1]:.1f}" if n in used else "–"
            for n in ("head", "engine", "tail")
        )
        print(
            f"| {pivot} | {f.get('code') or 'this'} | {cores} "
            f"| {phases.get('first document in', 0):.1f} | {phase(used, 'head')} "
            f"| {phase(used, 'engine')} | {phase(used, 'tail')} | {idle} "
            f"| {steps_inside(f['steps'], 0, first)} | {steps_inside(f['steps'], back, f['run'])} |"
        )
    own = [f.get("sampler cpu", 0) for _, _, f in timed]
    print(f"\n(the sampler's own CPU: {min(own):.2f}–{max(own):.2f} s a run)")
    print_cpu_by_kind(rows)


def print_cpu_by_kind(rows: list[tuple[str, int, dict]]) -> None:
    """Who used the run's CPU: the driver (its process, with the Ray threads in it and the
    sampler's), Ray's daemons, the task workers, the engine actors (with their Apertium
    processes), over the whole run and in the head and the tail."""
    timed = [(p, c, f) for p, c, f in rows if f.get("cpu by kind")]
    if not timed:
        return
    print(
        "\nThe run's CPU seconds by kind of process (whole run / head / tail; the driver "
        "is the pinned process with Ray's threads in it and the sampler's; Ray agents: "
        "log monitor, dashboard and runtime-env agents):\n"
    )
    print(
        "| pivot | code | cores | run s | " + " | ".join(KINDS) + " | entity tasks | check tasks |"
    )
    print("| --- | --- | ---: | ---: | " + " | ".join("---:" for _ in KINDS) + " | ---: | ---: |")
    for pivot, cores, f in timed:
        kinds = f["cpu by kind"]
        cells = [
            " / ".join(f"{kinds[k].get(n, 0):.1f}" for n in ("run", "head", "tail")) for k in KINDS
        ]
        print(
            f"| {pivot} | {f.get('code') or 'this'} | {cores} | {f['run']:.1f} | "
            + " | ".join(cells)
            + "".join(f" | {f['phases'].get(n, 0):.0f}" for n in ("entity tasks", "check tasks"))
            + " |"
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--ray-child"]:
        # the pipeline of the checkout run_ray names (PYTHONPATH), not this file's checkout
        sys.path.insert(0, os.environ.get("PYTHONPATH", str(REPO)).split(os.pathsep)[0])
        cpus, corpus, glossary, pivot, out, figures, chunk = sys.argv[2:9]
        ray_child(int(cpus), Path(corpus), Path(glossary), pivot, Path(out), Path(figures), chunk)
    else:
        main([40], ["jobs1", "jobs2"], 1)
