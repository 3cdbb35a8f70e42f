"""The CPU a `--jobs N` worker spends, part by part: preparing, the entity pass, the checks.

    python -m pipeline run --engine apertium --pivot es --corpus F --glossary G --out RUN
    python benchmarks/worker_parts.py --out RUN [--code /tmp/base11] [--rounds 3]

A worker is a process forked from the run's main process once spaCy, its French model, the
cleaner's lexicon and wordfreq's list are loaded (parallel.fork_start_method). This script
loads the same, then forks one child a round that does a whole worker's share of the
corpus in one process, as a run's workers do together: it prepares every document (the
cleaning, the sentences, the glossary's terms), finds the named entities of the texts the
entity check needs (checks.EntitySelection, no entity cache), then runs each document's
early checks and its document corpus checks (parallel.document_checks_task, on the
segments of RUN's .jsonl files, which hold the English). Each part is timed with the
child's thread CPU (time.thread_time, not a profiler: cProfile inflated the Python-heavy
parts 5-20x); the checks one by one (wrapped, in the order a worker runs them), so a
check's first call pays what it loads. The lt-proc servers the child started (the
cleaner's and the checks' word look-ups) are stopped at the end: their CPU is the last row.

With --code DIR, each round runs DIR's code first, then this checkout's (alternating, the
same fork point), so the two columns are measured under the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def measure(corpus: Path, glossary_file: Path, out: Path) -> dict[str, float]:
    """One child's parts, in thread CPU seconds (run in the child)."""
    from pipeline import checks, clean, glossary, parallel, runner
    from pipeline import corpus as corpus_module
    from pipeline.formats import jsonl

    parts: dict[str, float] = {}

    def timed(name, function, *args):
        start = time.thread_time()
        value = function(*args)
        parts[name] = parts.get(name, 0.0) + time.thread_time() - start
        return value

    documents = corpus_module.read_corpus(corpus)
    terms = glossary.load_glossary(glossary_file)
    names = runner.known_person_names(terms)
    prepared = []
    for doc in documents:
        cleaned = timed("prepare: cleaning", clean.clean_text, doc.raw, names)
        segments = timed("prepare: sentences", runner.segment_clean_text, doc, cleaned)
        for s in segments:
            s.terms = timed("prepare: glossary terms", glossary.find_terms, s.fr, terms)
        prepared.append(segments)
    parts["prepare (all)"] = sum(v for k, v in parts.items() if k.startswith("prepare:"))
    french = [s.fr for segments in prepared for s in segments if s.lang == "fr" and s.fr.strip()]
    with_capital = [t for t in french if checks.may_hold_entity(t)]
    asked = timed("entities: selection", lambda: checks.EntitySelection().add(with_capital))
    timed("entities: the recognizer", checks.french_entities, asked, None)
    parts["entity texts"] = len(asked)

    by_document = [jsonl.read_jsonl(p) for p in sorted(out.glob("*.jsonl"))]
    wrapped = {}
    for registry in (checks.SEGMENT_CHECKS, checks.CORPUS_CHECKS):
        for name, function in list(registry.items()):

            def probe(*args, _name=name, _function=function):
                start = time.thread_time()
                try:
                    return _function(*args)
                finally:
                    key = f"checks: {_name}"
                    parts[key] = parts.get(key, 0.0) + time.thread_time() - start

            wrapped[name] = function
            registry[name] = probe
    try:
        start = time.thread_time()
        for segments in by_document:
            parallel.early_findings(segments, terms)
            parallel.early_corpus_findings(segments, terms)
        parts["checks (all, document_checks_task's work)"] = time.thread_time() - start
    finally:
        for registry in (checks.SEGMENT_CHECKS, checks.CORPUS_CHECKS):
            for name in registry:
                registry[name] = wrapped[name]
    from pipeline import french_names

    french_names._stop_servers()
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    parts["lt-proc servers (children's CPU)"] = used.ru_utime + used.ru_stime
    return parts


def child_rounds(corpus: Path, glossary_file: Path, out: Path, rounds: int) -> None:
    """In a process of the code under test: the fork point's loads, then a child a round."""
    from pipeline.lexicon import french_frequencies, load_lexicon
    from pipeline.spacy_import import french_pipeline

    french_pipeline()
    load_lexicon()
    french_frequencies()
    for _ in range(rounds):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            try:
                parts = measure(corpus, glossary_file, out)
                os.write(write, json.dumps(parts).encode())
            finally:
                os._exit(0)
        os.close(write)
        with os.fdopen(read) as pipe:
            text = pipe.read()
        os.waitpid(pid, 0)
        print(text, flush=True)


def run_side(code: Path, args, rounds: int) -> list[dict[str, float]]:
    command = [
        sys.executable, str(HERE / "worker_parts.py"), "--child", "--out", str(args.out),
        "--corpus", str(args.corpus), "--glossary", str(args.glossary), "--rounds", str(rounds),
    ]  # fmt: skip
    env = dict(os.environ, PYTHONPATH=str(code))
    result = subprocess.run(command, cwd=code, env=env, capture_output=True, text=True, check=True)
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="a run's output folder")
    parser.add_argument("--corpus", type=Path, help="the run's corpus (default: flores40's)")
    parser.add_argument("--glossary", type=Path, help="default: an empty glossary")
    parser.add_argument("--code", type=Path, help="a baseline checkout, run alternately")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.out = args.out.resolve()
    if args.child:
        child_rounds(args.corpus, args.glossary, args.out, args.rounds)
        return
    import tempfile

    work = Path(tempfile.mkdtemp(prefix="worker-parts-"))
    if args.corpus is None:
        sys.path.insert(0, str(HERE))
        from scaling import flores_articles

        args.corpus = flores_articles(work / "f", 40)
    if args.glossary is None:
        args.glossary = work / "empty.yaml"
        args.glossary.write_text("terms: []\n", encoding="utf-8")
    args.corpus, args.glossary = args.corpus.resolve(), args.glossary.resolve()
    sides = [("baseline", args.code.resolve())] if args.code else []
    sides.append(("this checkout", REPO))
    columns: dict[str, list[dict[str, float]]] = {name: [] for name, _ in sides}
    for _ in range(args.rounds):
        for name, code in sides:
            columns[name] += run_side(code, args, 1)
    print(f"load average {os.getloadavg()[0]:.1f}; {args.rounds} rounds, thread CPU s")
    names = list(dict.fromkeys(k for rows in columns.values() for row in rows for k in row))
    header = " | ".join(
        f"{name} r{i + 1}" for name, rows in columns.items() for i in range(len(rows))
    )
    print(f"| part | {header} |")
    print("| --- |" + " ---: |" * sum(len(rows) for rows in columns.values()))
    for key in names:
        cells = [
            f"{row.get(key, 0.0):.0f}" if key == "entity texts" else f"{row.get(key, 0.0):.3f}"
            for rows in columns.values()
            for row in rows
        ]
        print(f"| {key} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
