"""When a first `pipeline run` keeps the engine and the cores busy: one run's timeline.

    python benchmarks/run_timeline.py                          # flores40, --pivot es, --jobs 1
    python benchmarks/run_timeline.py --jobs 2 --pivot both    # the project glossary with both
    python benchmarks/run_timeline.py --head-loads 3           # spaCy, lexicon: one, then both

The run is a real `python -m pipeline run` in a fresh process (the 40 FLORES articles of
speed.py --scaling, an empty glossary with es, glossary/glossary.yaml with both), with
probes wrapped around the stage functions of runner.py and parallel.py: each call's start
and end on the machine's monotonic clock, in whichever process (forked workers write to
the same file). Beside it, the CPU of the run's process tree (the pipeline, its workers,
every Apertium process) is read from /proc every SAMPLE seconds.

Printed:
- the serial head: from the interpreter's start to the engine's first text (the imports,
  spaCy, the first document), and its CPU;
- the engine's span (first text in to last English out), the gaps inside it longer than
  GAP seconds when the engine held no text, and the cores used in it;
- the serial tail: from the last English out to the process's exit (entities still being
  found, checks, fuzzy matches, outputs), and its CPU;
- each probed stage's first start and last end, relative to the interpreter's start.

The machine may be shared: the load average is printed, and the CPU seconds tell what a
wall time hides (a stage squeezed by other jobs takes longer, not more CPU).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import GLOSSARY, REPO  # noqa: E402

SAMPLE = 0.05
GAP = 0.05
TICK = os.sysconf("SC_CLK_TCK")

# (module, function) wrapped by the probe in the run's process: the stages in order.
PROBED = [
    ("pipeline.corpus", "read_corpus"),
    ("pipeline.spacy_import", "french_pipeline"),
    ("pipeline.lexicon", "load_lexicon"),
    ("pipeline.runner", "prepare_document"),
    ("pipeline.runner", "translate_batch"),
    ("pipeline.runner", "find_entities"),
    ("pipeline.checks", "french_entities"),
    ("pipeline.runner", "run_check_stage"),
    ("pipeline.parallel", "document_checks_task"),
    ("pipeline.runner", "offer_fuzzy_matches"),
    ("pipeline.runner", "write_outputs"),
    ("pipeline.runner", "write_files"),
    ("pipeline.parallel", "run_parallel"),
    ("pipeline.parallel", "start_engine"),
    ("pipeline.parallel", "fork_start_method"),
    ("pipeline.parallel", "_start_worker"),
    ("pipeline.runner", "release_lexicon"),
    ("pipeline.parallel", "prepare_task"),
    ("pipeline.parallel", "entities_task"),
    ("pipeline.checks", "build_context"),
    ("pipeline.checks", "per_segment_findings"),
    ("pipeline.checks.untranslated", "untranslated"),
    ("pipeline.checks.untranslated", "pivot_words"),
    ("pipeline.checks.consistency", "entity_consistency"),
    ("pipeline.review.store", "import_edited_outputs"),
    ("pipeline.review.store", "record_outputs"),
    ("pipeline.review.store", "apply_current_reviews"),
]

# The probe, run in the pipeline's process before the CLI: wraps each PROBED function
# (where the module has it) so that a call writes "name start end pid" to $TIMELINE.
PROBE = r"""
import functools, importlib, json, os, sys, time
sys.argv = ["pipeline"] + sys.argv[1:]
out = open(os.environ["TIMELINE"], "a", buffering=1)
def wrap(module, name):
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return
    function = getattr(mod, name, None)
    if function is None:
        return
    @functools.wraps(function)
    def probe(*args, **kwargs):
        start, cpu = time.clock_gettime(time.CLOCK_MONOTONIC), time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            end = time.clock_gettime(time.CLOCK_MONOTONIC)
            cpu = time.thread_time() - cpu
            out.write(f"{name} {start:.4f} {end:.4f} {os.getpid()} {cpu:.4f}\n")
    if hasattr(function, "cache_clear"):
        probe.cache_clear = function.cache_clear
        probe.cache_info = function.cache_info
    setattr(mod, name, probe)
    # the runner's own names for them (from pipeline.x import y), the checks' registry
    from pipeline import checks
    for registry in (checks.SEGMENT_CHECKS, checks.CORPUS_CHECKS):
        for key, value in registry.items():
            if value is function:
                registry[key] = probe
    for other in list(sys.modules.values()):
        if getattr(other, "__name__", "").startswith("pipeline") and other is not mod:
            if getattr(other, name, None) is function:
                setattr(other, name, probe)
out.write(f"cli {time.clock_gettime(time.CLOCK_MONOTONIC):.4f} 0 {os.getpid()} 0\n")
import pipeline.runner, pipeline.parallel, pipeline.checks, pipeline.corpus, pipeline.lexicon
import pipeline.spacy_import, pipeline.checks.untranslated, pipeline.review.store
for module, name in json.loads(os.environ["TIMELINE_PROBED"]):
    wrap(module, name)
from pipeline import cli
run_main = cli.main


def probed_main(*args, **kwargs):
    try:
        return run_main(*args, **kwargs)
    finally:
        record_exit()


def record_exit():
    # the CPU so far of this process, its reaped children and its living descendants
    import resource
    used = sum(getattr(resource.getrusage(who), f) for who in
               (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN) for f in ("ru_utime", "ru_stime"))
    tick, parents = os.sysconf("SC_CLK_TCK"), {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # with its reaped children's (cutime, cstime): the tools a kept chain's shell
        # reaped, and a shell ended but not reaped yet (released before the exit)
        cpu = sum(int(f) for f in fields[11:15]) / tick
        parents[int(entry)] = (int(fields[1]), cpu)
    living, stack = 0.0, [os.getpid()]
    while stack:
        pid = stack.pop()
        for child, (parent, cpu) in parents.items():
            if parent == pid:
                living += cpu
                stack.append(child)
    now = time.clock_gettime(time.CLOCK_MONOTONIC)
    out.write(f"exit {now:.4f} 0 {os.getpid()} {used + living:.4f}\n")
    if os.environ.get("TIMELINE_HARD_EXIT"):
        import atexit
        atexit._run_exitfuncs()
        out.write(f"atexit {now:.4f} {time.clock_gettime(time.CLOCK_MONOTONIC):.4f} 0 0\n")
        out.flush()
        sys.stdout.flush(); sys.stderr.flush()
        os._exit(0)


cli.main = probed_main  # cli.entry (the program's entry, where there is one) calls it
(getattr(cli, "entry", None) or cli.main)()
"""


def process_start(pid: int) -> float:
    """A process's start on the monotonic clock (its boot-relative start time)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[19]) / TICK  # starttime: ticks since boot (CLOCK_MONOTONIC's zero)


def tree_cpu(root: int, seen: dict[int, float]) -> float:
    """CPU seconds of the tree under `root` so far: the living processes read now, the
    ones that ended kept at their last reading (their CPU counted once)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            if int(entry) in seen or int(entry) == root:
                seen[int(entry)] = (int(fields[11]) + int(fields[12])) / TICK
    stack = [root]
    while stack:  # new descendants
        pid = stack.pop()
        for child in children.get(pid, []):
            if child not in seen:
                try:
                    fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
                    seen[child] = (int(fields[11]) + int(fields[12])) / TICK
                except OSError:
                    continue
            stack.append(child)
    return sum(seen.values())


def run(corpus: Path, glossary: Path, pivot: str, jobs: int, work: Path):
    timeline = work / "timeline.txt"
    env = dict(os.environ, TIMELINE=str(timeline), TIMELINE_PROBED=json.dumps(PROBED))
    env["PYTHONPATH"] = str(REPO)
    command = [sys.executable, "-c", PROBE, "run", "--corpus", str(corpus)]
    command += ["--glossary", str(glossary), "--out", str(work / "out"), "--engine", "apertium"]
    command += ["--pivot", pivot, "--jobs", str(jobs)]
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before = usage.ru_utime + usage.ru_stime
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    started = process_start(process.pid)
    seen: dict[int, float] = {}
    samples = [(started, 0.0)]
    while process.poll() is None:
        try:
            samples.append((time.clock_gettime(time.CLOCK_MONOTONIC), tree_cpu(process.pid, seen)))
        except OSError:
            pass
        time.sleep(SAMPLE)
    ended = time.clock_gettime(time.CLOCK_MONOTONIC)
    if process.returncode:
        raise SystemExit(f"pipeline run failed ({process.returncode})")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    total_cpu = after.ru_utime + after.ru_stime - before
    events = []
    for line in timeline.read_text().splitlines():
        name, start, end, pid, cpu = line.split()
        events.append((name, float(start), float(end), int(pid), float(cpu)))
    return started, ended, events, samples, total_cpu


def cpu_between(samples, start: float, end: float) -> float:
    """CPU seconds of the tree between two instants (sampled, interpolated)."""

    def at(t: float) -> float:
        previous = (samples[0][0], 0.0)
        for when, cpu in samples:
            if when >= t:
                span = when - previous[0]
                share = (t - previous[0]) / span if span > 0 else 1.0
                return previous[1] + share * (cpu - previous[1])
            previous = (when, cpu)
        return samples[-1][1]

    return at(end) - at(start)


def report(pivot: str, jobs: int, started, ended, events, samples, total_cpu) -> dict:
    engine = sorted((s, e) for name, s, e, *_ in events if name == "translate_batch")
    exit_at = next((s for name, s, *_ in events if name == "exit"), ended)
    first_in, last_out = engine[0][0], max(e for _, e in engine)
    gaps = [
        (engine[i][1], engine[i + 1][0])
        for i in range(len(engine) - 1)
        if engine[i + 1][0] - engine[i][1] > GAP
    ]
    head_cpu = cpu_between(samples, started, first_in)
    span_cpu = cpu_between(samples, first_in, last_out)
    tail_cpu = cpu_between(samples, last_out, ended)
    rows = {
        "pivot": pivot,
        "jobs": jobs,
        "wall": ended - started,
        "cpu": total_cpu,
        "head": first_in - started,
        "head cpu": head_cpu,
        "engine span": last_out - first_in,
        "engine calls": len(engine),
        "engine busy": sum(e - s for s, e in engine),
        "gaps": [(round(a - started, 2), round(b - a, 2)) for a, b in gaps],
        "span cores": span_cpu / max(last_out - first_in, 1e-6),
        "tail": ended - last_out,
        "tail in process": exit_at - last_out,
        "tail cpu": tail_cpu,
    }
    print(f"\n### --pivot {pivot} --jobs {jobs} (load {os.getloadavg()[0]:.1f})\n")
    cores = total_cpu / rows["wall"]
    print(f"- wall {rows['wall']:.2f} s, CPU {total_cpu:.2f} s ({cores:.2f} cores)")
    print(
        f"- serial head: {rows['head']:.2f} s to the engine's first text, {head_cpu:.2f} CPU s "
        f"({head_cpu / max(rows['head'], 1e-6):.2f} cores)"
    )
    print(
        f"- engine span: {rows['engine span']:.2f} s, {len(engine)} calls busy "
        f"{rows['engine busy']:.2f} s, {span_cpu:.2f} CPU s ({rows['span cores']:.2f} cores); "
        f"gaps > {GAP} s: {rows['gaps'] or 'none'}"
    )
    print(
        f"- serial tail: {rows['tail']:.2f} s after the last English "
        f"({rows['tail in process']:.2f} s to the interpreter's exit), {tail_cpu:.2f} CPU s "
        f"({tail_cpu / max(rows['tail'], 1e-6):.2f} cores)"
    )
    print("\n| stage | calls | first start s | last end s | summed s | thread CPU s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for _, name in PROBED:
        calls = [(s, e, c) for n, s, e, _, c in events if n == name]
        if calls:
            print(
                f"| {name} | {len(calls)} | {min(s for s, _, _ in calls) - started:.2f} | "
                f"{max(e for _, e, _ in calls) - started:.2f} | "
                f"{sum(e - s for s, e, _ in calls):.2f} | {sum(c for *_, c in calls):.2f} |"
            )
    cli = next((s for name, s, *_ in events if name == "cli"), started)
    print(f"| interpreter start to the CLI | | 0.00 | {cli - started:.2f} | |")
    exit_cpu = total_cpu - next((c for name, *_, c in events if name == "exit"), total_cpu)
    print(
        f"| exit (atexit, teardown; CPU of the tree) | | {exit_at - started:.2f} | "
        f"{ended - started:.2f} | {ended - exit_at:.2f} | {exit_cpu:.2f} |"
    )
    cores_n = os.cpu_count() or 2
    phases = [
        ("head", started, first_in, head_cpu),
        ("engine span", first_in, last_out, span_cpu),
        ("tail", last_out, ended, tail_cpu),
    ]
    print(f"\n| phase | wall s | CPU s | idle core-s (of {cores_n}) |")
    print("| --- | ---: | ---: | ---: |")
    idle_total = 0.0
    for name, a, b, cpu in phases:
        idle = max(cores_n * (b - a) - cpu, 0.0)
        idle_total += idle
        rows[f"{name} idle"] = idle
        print(f"| {name} | {b - a:.2f} | {cpu:.2f} | {idle:.2f} |")
    print(f"| whole run | {ended - started:.2f} | {total_cpu:.2f} | {idle_total:.2f} |")
    return rows


def print_events(started: float, events) -> None:
    """Every probed call of 5 ms or more: start and end from the interpreter's start, its
    process, its thread's CPU."""
    print("\n| call | start s | end s | pid | thread CPU s |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, start, end, pid, cpu in sorted(events, key=lambda e: e[1]):
        if name in ("cli", "exit", "atexit") or end - start < 0.005:
            continue  # the cached loaders' thousands of calls that find them loaded
        print(f"| {name} | {start - started:.2f} | {end - started:.2f} | {pid} | {cpu:.2f} |")


# The head's two loads, spaCy's French pipeline and the cleaner's lexicon, in a fresh
# process after the run's imports: one after the other (what --jobs 2 does before it forks
# its workers) or side by side in two processes (branch w19c's cleaner process, not merged:
# side by side cost more CPU).
HEAD_LOADS = r"""
import os, sys, time, resource
import pipeline.runner, pipeline.parallel  # the run's imports
start = time.perf_counter()
if sys.argv[1] == "serial":
    from pipeline.spacy_import import french_pipeline
    from pipeline.lexicon import load_lexicon, french_frequencies
    french_pipeline(); load_lexicon(); french_frequencies()
else:
    pid = os.fork()
    if pid == 0:
        from pipeline.lexicon import load_lexicon, french_frequencies
        load_lexicon(); french_frequencies(); os._exit(0)
    from pipeline.spacy_import import french_pipeline
    french_pipeline()
    os.waitpid(pid, 0)
wall = time.perf_counter() - start
usage = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
user, system = sum(u.ru_utime for u in usage), sum(u.ru_stime for u in usage)
faults = sum(u.ru_minflt for u in usage)
load = os.getloadavg()[0]
print(f"| {sys.argv[1]} | {wall:.2f} | {user:.2f} | {system:.2f} | {faults} | {load:.1f} |")
"""


def head_loads(rounds: int) -> None:
    """HEAD_LOADS, serial and side by side alternated: wall and CPU (user, system) of the
    two loads (the imports before them not counted in the wall), minor page faults."""
    print("| loads | wall s | user s | system s | minor faults | load |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    for _ in range(rounds):
        for mode in ("serial", "side-by-side"):
            subprocess.run([sys.executable, "-c", HEAD_LOADS, mode], env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=40)
    parser.add_argument("--pivot", default="es")
    parser.add_argument("--jobs", default="1", help="comma-separated: 1,2")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--events", action="store_true", help="print every probed call too, by its start"
    )
    parser.add_argument(
        "--head-loads",
        type=int,
        metavar="ROUNDS",
        help="only time the head's two loads, one after the other and side by side",
    )
    args = parser.parse_args()
    if args.head_loads:
        head_loads(args.head_loads)
        return
    from scaling import flores_articles

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        corpus = flores_articles(work / "corpus", args.articles)
        empty = work / "empty.yaml"
        empty.write_text("terms: []\n", encoding="utf-8")
        glossary = empty if args.pivot == "es" else GLOSSARY
        print(f"{args.articles} FLORES articles, --pivot {args.pivot}; load {os.getloadavg()}")
        for _ in range(args.repeat):
            for jobs in [int(j) for j in args.jobs.split(",")]:
                folder = Path(tempfile.mkdtemp(dir=work))
                outcome = run(corpus, glossary, args.pivot, jobs, folder)
                report(args.pivot, jobs, *outcome)
                if args.events:
                    print_events(outcome[0], outcome[2])


if __name__ == "__main__":
    main()
