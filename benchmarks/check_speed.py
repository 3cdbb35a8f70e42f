"""How long `pipeline check` takes, and where: per check, against reading and writing.

    python -m pipeline run --engine apertium --out /tmp/run
    python benchmarks/check_speed.py --out /tmp/run

Baseline (same run): reading the JSONL and writing every output and the report again,
which `pipeline check` does anyway. Figures are wall and CPU seconds; the machine may be
shared, so CPU time is the steadier one.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline import checks, export, glossary, report  # noqa: E402
from pipeline.formats import jsonl  # noqa: E402


class Clock:
    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def seconds(clock: Clock) -> str:
    return f"{clock.wall:.2f} s wall, {clock.cpu:.2f} s CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="output folder of a run")
    parser.add_argument("--glossary", type=Path, default=Path("glossary/glossary.yaml"))
    args = parser.parse_args()
    terms = glossary.load_glossary(args.glossary)
    paths = sorted(args.out.glob("*.jsonl"))
    if not paths:
        sys.exit(f"no .jsonl in {args.out}")

    with tempfile.TemporaryDirectory() as scratch, Clock() as baseline:
        documents = [(jsonl.jsonl_document(p), jsonl.read_jsonl(p)) for p in paths]
        segments = [s for _, segs in documents for s in segs]
        for doc, segs in documents:
            export.write_document(Path(scratch), doc, segs)
        report.write_report(Path(scratch), segments, [], [])
    print(f"{len(segments)} segments in {len(paths)} documents")
    print(f"baseline (read, write outputs and report): {seconds(baseline)}")

    with Clock() as spacy_load:
        checks.french_ner()
    print(f"spaCy NER model load (once per process):   {seconds(spacy_load)}")

    total_wall = total_cpu = 0.0
    for name in checks.CHECKS:
        with Clock() as one:
            found = checks.run_checks(segments, terms, only=[name])
        total_wall += one.wall
        total_cpu += one.cpu
        print(f"  {name:26} {one.wall:6.2f} s wall {one.cpu:6.2f} s CPU  {len(found):4} findings")
    print(
        f"all checks: {total_wall:.2f} s wall, {total_cpu:.2f} s CPU = "
        f"{total_cpu / max(baseline.cpu, 1e-9):.1f}× the baseline CPU "
        f"({(total_cpu + spacy_load.cpu) / max(baseline.cpu, 1e-9):.1f}× with the model load)"
    )

    # The whole command, as a user runs it, on a copy of the outputs.
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "out"
        shutil.copytree(args.out, copy)
        import subprocess

        with Clock() as command:
            subprocess.run(
                [sys.executable, "-m", "pipeline", "check", "--out", str(copy)],
                check=True,
                capture_output=True,
            )
        print(f"`pipeline check` end to end (new process): {command.wall:.2f} s wall")


if __name__ == "__main__":
    main()
