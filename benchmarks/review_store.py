"""Benchmark of the review store's edit detection: what an unchanged corpus costs.

    python benchmarks/review_store.py [--rounds 3]

Makes a project in a temporary folder (the project's corpus/ and glossary), runs
`pipeline run --engine apertium --pivot es` once, then prints, each measured in the same
run of this script:

- `pipeline run` over the unchanged corpus, as a user starts it (a fresh process):
  wall time, median of the rounds (the target is under 2 s), and its CPU time (a figure
  the machine's load changes less), against the same run with the review store's work
  switched off, interleaved;
- `pipeline review status` (a fresh process);
- the edit detection alone (store.import_edited_outputs, in process) when nothing
  changed: a stat per output, no file read; against, as baselines, the same detection
  when every output's mtime changed (each file read and hashed, found unchanged) and
  an import of every output in full (what a detection without the stored hashes would
  cost), with their ratios;
- the bytes the detection read when nothing changed (0 expected).

Figures on a shared 2-core machine are noisy: compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.review import import_reviews, store  # noqa: E402

RUN = ["run", "--engine", "apertium", "--pivot", "es"]


# `pipeline run` with the review store's work on every run switched off (the detection,
# the fuzzy matches, the record of what was written): the baseline of the same run.
WITHOUT_STORE = (
    "import sys; from pipeline.review import store; from pipeline import runner, cli\n"
    "store.import_edited_outputs = lambda *a, **k: []\n"
    "store.record_outputs = lambda *a, **k: None\n"
    "runner.offer_fuzzy_matches = lambda *a, **k: 0\n"
    "sys.argv = ['pipeline', *sys.argv[1:]]; cli.main()\n"
)


CPU: list[float] = []  # CPU seconds (user + system) of each command, its children included


def pipeline(folder: Path, *args: str, baseline: bool = False) -> float:
    import resource

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = ["-c", WITHOUT_STORE] if baseline else ["-m", "pipeline"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, *command, *args],
        cwd=folder,
        env=env,
        check=True,
        capture_output=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall


def timed(function, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copytree(REPO / "corpus", folder / "corpus")
        shutil.copytree(REPO / "glossary", folder / "glossary")
        first = pipeline(folder, *RUN)
        out, memory = folder / "translations", folder / "translations" / "memory.sqlite"
        outputs = store.editable_outputs(out)
        size = sum(p.stat().st_size for p in outputs)
        print(f"corpus/: first run {first:.2f} s; {len(outputs)} editable outputs, {size:,} bytes")

        with_store, without, cpu_with, cpu_without = [], [], [], []
        for _ in range(rounds):  # interleaved, so the machine's load falls on both alike
            with_store.append(pipeline(folder, *RUN))
            cpu_with.append(CPU[-1])
            without.append(pipeline(folder, *RUN, baseline=True))
            cpu_without.append(CPU[-1])
        unchanged, baseline = statistics.median(with_store), statistics.median(without)
        status = statistics.median(pipeline(folder, "review", "status") for _ in range(rounds))
        print(
            f"pipeline run, unchanged corpus: {unchanged:.2f} s (target < 2 s); the same run "
            f"without the review store's work: {baseline:.2f} s (ratio {unchanged / baseline:.2f})"
        )
        print(
            f"  CPU seconds (user + system, children included): "
            f"{statistics.median(cpu_with):.2f} with, {statistics.median(cpu_without):.2f} without"
        )
        print(f"pipeline review status: {status:.2f} s")

        pipeline(folder, *RUN)  # the baseline's outputs were not recorded: record them
        read = []
        original = Path.read_bytes

        def counting(self):
            data = original(self)
            read.append(len(data))
            return data

        Path.read_bytes = counting
        try:
            nothing = timed(lambda: store.import_edited_outputs(out, memory), rounds)
        finally:
            Path.read_bytes = original
        print(f"detection, nothing changed: {nothing * 1000:.1f} ms, {sum(read)} bytes read")

        def touched():
            for path in outputs:
                os.utime(path, ns=(time.time_ns(), time.time_ns()))
            store.import_edited_outputs(out, memory)

        hashed = timed(touched, rounds)
        full = timed(lambda: [import_reviews([p], out, memory) for p in outputs], rounds)
        print(
            f"detection, every mtime changed (all read and hashed): {hashed * 1000:.1f} ms "
            f"({hashed / nothing:.1f}x)"
        )
        print(
            f"importing every output in full (no stored hashes): {full * 1000:.1f} ms "
            f"({full / nothing:.1f}x)"
        )


if __name__ == "__main__":
    main()
