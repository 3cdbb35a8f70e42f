"""Benchmark of the translation memory: a first run, then a second run over the same corpus.

    python benchmarks/memory.py [--engine auto|argos|apertium] [--pivot es|ca]

For the project's corpus and for FLORES-200 devtest written as a corpus of 20 articles,
prints the wall time of a first `pipeline run` (empty memory), of a second run (nothing
changed: the memory answers everything) and their ratio. As a baseline measured in the
same process, it also times a whole run whose translation ignores the memory (one engine
batch, nothing looked up or stored), so the cost of storing as it goes is visible.

Runs here are in-process calls of `runner.run` (spaCy already loaded after the first):
this script isolates the memory's own cost. The reference for how long `pipeline run`
takes, as a user starts it (a fresh process, first run and unchanged corpus, against
the raw engine), is benchmarks/speed.py.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DEVTEST, flores_corpus  # noqa: E402

from pipeline import runner  # noqa: E402
from pipeline.translate.engine import open_engine  # noqa: E402

FLORES = DEVTEST


def timed_run(corpus_dir: Path, glossary_path: Path, out: Path, engine) -> tuple[float, object]:
    started = time.perf_counter()
    result = runner.run(corpus_dir, glossary_path, out, engine)
    return time.perf_counter() - started, result


def without_memory(corpus_dir: Path, glossary_path: Path, out: Path, engine) -> float:
    """A whole run whose translation ignores the memory: the cost before this feature."""
    from pipeline import parallel  # a run's engine is fed by parallel.engine_feeder

    with_memory = parallel.engine_feeder
    parallel.engine_feeder = lambda engine, terms, memory, progress=None: (
        with_memory(engine, terms, None, progress)
    )
    try:
        return timed_run(corpus_dir, glossary_path, out, engine)[0]
    finally:
        parallel.engine_feeder = with_memory


def bench(name: str, corpus_dir: Path, glossary_path: Path, engine, work: Path, repeat: int):
    """Best of `repeat` (the machine is shared: the minimum is the least disturbed figure)."""
    baselines, firsts, seconds = [], [], []
    for attempt in range(repeat):
        out = work / f"{name}-{attempt}"  # a fresh output folder and memory each time
        baselines.append(without_memory(corpus_dir, glossary_path, out / "baseline", engine))
        first_time, first = timed_run(corpus_dir, glossary_path, out, engine)
        second_time, second = timed_run(corpus_dir, glossary_path, out, engine)
        firsts.append(first_time)
        seconds.append(second_time)
    baseline, first_time, second_time = min(baselines), min(firsts), min(seconds)
    print(
        f"{name}: {len(first.segments)} segments in {len(first.documents)} articles "
        f"(best of {repeat})\n"
        f"  baseline, run ignoring the memory:     {baseline:7.2f} s\n"
        f"  first run  (empty memory, {first.engine_segments:>4} sent): {first_time:7.2f} s\n"
        f"  second run (unchanged,    {second.engine_segments:>4} sent): {second_time:7.2f} s\n"
        f"  first / second = {first_time / second_time:.1f}; "
        f"first run / baseline = {first_time / baseline:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="auto", choices=["auto", "argos", "apertium"])
    parser.add_argument("--pivot", default="es", choices=["es", "ca"])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measure")
    args = parser.parse_args()
    engine = open_engine(args.engine, args.pivot)
    print(f"engine: {engine.version}")
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        work = Path(tmp)
        glossary_path = REPO / "glossary" / "glossary.yaml"
        bench("corpus", REPO / "corpus", glossary_path, engine, work, args.repeat)
        if FLORES.exists():
            flores = flores_corpus(work / "flores-corpus")
            bench("flores200-devtest", flores, glossary_path, engine, work, args.repeat)
        else:
            print(f"flores200-devtest: skipped, {FLORES} not found")


if __name__ == "__main__":
    main()
