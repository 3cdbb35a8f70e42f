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
- ray N: `runner.run(..., cluster="local")` in this process on `ray.init(num_cpus=N)`;
  Ray's start is timed apart (a cluster is started once, not per run). Ray's overhead
  per batch: the round trip of an actor call with no text, and the time of a chunk of
  CLUSTER_CHUNK texts in a call against the same engine call made directly.

The machine is shared (other jobs run on its 2 cores): each table row gives the load
average beside it; ratios are measured within one round.
"""

from __future__ import annotations

import os
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
        env = pipeline_env()
        env["PYTHONPATH"] = os.environ["SCALING_BASELINE"]
        return pipeline_run(args, env)
    return pipeline_run([*args, "--jobs", str(jobs)], pipeline_env())


def run_ray(corpus: Path, glossary: Path, pivot: str, cpus: int, out: Path) -> tuple[float, int]:
    import ray

    from pipeline import runner
    from pipeline.translate.engine import open_engine

    ray.init(num_cpus=cpus, include_dashboard=False, logging_level="ERROR")
    try:
        engine = open_engine("apertium", pivot)
        start = time.perf_counter()
        result = runner.run(corpus, glossary, out, engine, cluster="local")
        return time.perf_counter() - start, result.engine_segments
    finally:
        ray.shutdown()


def ray_overhead(pivot: str, texts: list[str], calls: int = 20) -> tuple[float, float, float]:
    """(ms per empty actor call, s per chunk through the actor, s per chunk directly)."""
    import ray

    from pipeline import cluster, runner
    from pipeline.translate.engine import open_engine

    ray.init(num_cpus=1, include_dashboard=False, logging_level="ERROR")
    try:
        engine = open_engine("apertium", pivot)
        *_, actor_class = cluster.remote_stages()
        actor = actor_class.remote(cluster.engine_recipe(engine), 1)
        terms = [ray.put([])]
        ray.get(actor.version.remote())
        start = time.perf_counter()
        for _ in range(calls):
            ray.get(actor.translate.remote([], terms))
        empty = (time.perf_counter() - start) / calls * 1000
        chunk = texts[: cluster.CLUSTER_CHUNK]
        start = time.perf_counter()
        ray.get(actor.translate.remote(chunk, terms))
        through = time.perf_counter() - start
        start = time.perf_counter()
        runner.translate_batch(chunk, engine, [])
        direct = time.perf_counter() - start
        return empty, through, direct
    finally:
        ray.shutdown()
        cluster.remote_stages.cache_clear()


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
                        kind, n = mode[:-1], int(mode[-1])
                        if kind == "jobs":
                            done = run_jobs(corpus, glossary, pivot, n, out)
                            wall, cpu = done.seconds, f"{done.cpu_seconds:.1f}"
                        else:
                            wall, _ = run_ray(corpus, glossary, pivot, n, out)
                            cpu = "–"
                        label = f"--jobs {n}" if kind == "jobs" else f"--cluster local, {n} CPU"
                        if mode == "jobs0":
                            label = "before ($SCALING_BASELINE, its default --jobs)"
                        target = TARGETS[pivot]
                        met = "met" if wall / raw <= target else "missed"
                        print(
                            f"| {pivot} | {label} | {wall:.1f} | {cpu} | {raw:.1f} "
                            f"| {wall / raw:.2f} | ≤ {target} ({met}) | {load()} |",
                            flush=True,
                        )
            if any(m.startswith("ray") for m in modes):
                empty_ms, through, direct = ray_overhead("es", texts)
                print(
                    f"\nRay's overhead per batch: {empty_ms:.1f} ms per empty actor call; a chunk "
                    f"of 100 texts {through:.2f} s through an actor against {direct:.2f} s "
                    f"called directly (load {load()})"
                )


if __name__ == "__main__":
    main([40], ["jobs1", "jobs2"], 1)
