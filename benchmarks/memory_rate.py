"""How fast one SQLite memory file on the driver stores and answers translations (issue 19:
the plan for the archive, BENCHMARKS.md "One million articles").

    python benchmarks/memory_rate.py [--rows 200000] [--chunk 100]

The driver of `pipeline run --cluster` stores each chunk that comes back from an engine
actor in one transaction (TranslationMemory.remember → store_translations), and looks up
each document's segments before sending them (recall). Both are measured here on a real
file in WAL mode, with the real code: sentences of FLORES's length (made unique with a
number), chunks of CLUSTER_CHUNK rows, until --rows rows are stored; then a recall of
the same number of segments (every one answered) and one of new segments (every one a
miss). The machine is shared: the load average is printed beside the figures.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DEVTEST, REPO, flores_lines, machine  # noqa: E402

sys.path.insert(0, str(REPO))

from pipeline.memory import TranslationMemory  # noqa: E402
from pipeline.records import Segment  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--chunk", type=int, default=100)
    args = parser.parse_args()
    lines = flores_lines(DEVTEST)
    print(f"machine: {machine()}")
    print(f"command: python benchmarks/memory_rate.py --rows {args.rows} --chunk {args.chunk}")
    with tempfile.TemporaryDirectory(prefix="memory-rate-") as tmp:
        path = Path(tmp) / "memory.sqlite"
        segments = [
            Segment("d", 1, n, f"{lines[n % len(lines)]} ({n})", (0, 1), en=f"English {n}")
            for n in range(args.rows)
        ]
        with TranslationMemory(path) as memory:
            start, cpu = time.perf_counter(), time.process_time()
            for at in range(0, len(segments), args.chunk):
                memory.remember(segments[at : at + args.chunk], "engine 1", [])
            stored = (time.perf_counter() - start, time.process_time() - cpu)
            start, cpu = time.perf_counter(), time.process_time()
            for at in range(0, len(segments), 1000):
                memory.recall(segments[at : at + 1000], "engine 1", [])
            hits = (time.perf_counter() - start, time.process_time() - cpu)
            new = [Segment("d", 2, s.sentence, s.fr + " new", (0, 1)) for s in segments]
            start, cpu = time.perf_counter(), time.process_time()
            for at in range(0, len(new), 1000):
                memory.recall(new[at : at + 1000], "engine 1", [])
            misses = (time.perf_counter() - start, time.process_time() - cpu)
        size = path.stat().st_size + sum(
            p.stat().st_size for p in path.parent.glob("memory.sqlite-*")
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}\n")
    print("| operation | rows | wall s | rows/s | CPU s | rows per CPU s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, seconds in (
        (f"store, {args.chunk} rows a transaction", stored),
        ("recall, every segment answered", hits),
        ("recall, every segment a miss", misses),
    ):
        wall, cpu = seconds
        print(
            f"| {name} | {args.rows:,} | {wall:.1f} | {args.rows / wall:,.0f} "
            f"| {cpu:.1f} | {args.rows / cpu:,.0f} |"
        )
    print(
        f"\nfile: {size / 1e6:.0f} MB for {args.rows:,} translations "
        f"({size / args.rows:.0f} bytes each)"
    )


if __name__ == "__main__":
    main()
