"""Fuzz the cleaner, the sentence splitter, the glossary matcher (and the JSONL outputs).

Runs the properties of tests/fuzz_properties.py with many examples each (10,000 by
default; `--examples N`) and prints, per property, the examples tried, the time taken and
the first falsifying example if one was found. Exit status 1 when a property failed.

    python benchmarks/fuzz.py [--examples 10000] [--only clean|segments|long|matcher|found|jsonl]
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fuzz_properties import (  # noqa: E402
    check_cleaning,
    check_jsonl_round_trip,
    check_matches,
    check_segments,
    findable,
    insertions,
    long_paragraphs,
    names,
    terms_lists,
    texts,
)
from hypothesis import HealthCheck, given, settings  # noqa: E402


def properties(examples: int):
    config = settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    # paragraphs of 10,000 to 60,000 characters: a tenth as many examples
    long_config = settings(config, max_examples=max(1, examples // 10))
    counted: dict[str, int] = {}

    def counting(name, check):
        def run(*args):
            counted[name] = counted.get(name, 0) + 1
            check(*args)

        return run

    clean = counting("clean", check_cleaning)
    segments = counting("segments", check_segments)
    long = counting("long", check_segments)
    matcher = counting("matcher", check_matches)
    found = counting("found", lambda case: check_matches(*case))
    jsonl = counting("jsonl", check_jsonl_round_trip)
    return counted, {
        "clean": config(given(texts, names)(lambda raw, known: clean(raw, known))),
        "segments": config(given(texts)(lambda text: segments(text))),
        "long": long_config(given(long_paragraphs)(lambda text: long(text))),
        "matcher": config(given(texts, terms_lists)(lambda text, terms: matcher(text, terms))),
        "found": config(given(insertions.filter(findable))(lambda case: found(case))),
        "jsonl": config(given(texts, texts)(lambda fr, en: jsonl(fr, en))),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10_000)
    counted, runs = properties(parser.parse_known_args()[0].examples)
    parser.add_argument("--only", choices=list(runs))
    args = parser.parse_args()
    from pipeline.segment import french_nlp

    french_nlp()  # loaded before the clock starts
    failed = 0
    print(f"{'property':10} {'examples':>9} {'seconds':>8}  result")
    for name, run in runs.items():
        if args.only and name != args.only:
            continue
        started = time.perf_counter()
        try:
            run()
            result = "ok"
        except Exception as err:  # a falsified property: hypothesis printed its example
            failed += 1
            result = f"FAILED: {type(err).__name__}: {str(err).splitlines()[0][:200]}"
            traceback.print_exc(limit=3)
        elapsed = time.perf_counter() - started
        print(f"{name:10} {counted.get(name, 0):>9} {elapsed:>8.1f}  {result}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
