"""Real headings stay above their paragraph: the cleaner must not take a heading followed by a
paragraph that starts with a name for a sentence cut before that name (cut_paragraph).

    python benchmarks/clean_headings.py [--sets tune|report] [--per-heading 3] [--verbose]

The headings are the lines of the sets' news (newstest) that start with a capital and end
with no stop, comma or colon, 2 to 20 words long. Each is put between a sentence of the
sets that ends with a stop and a sentence of the sets that starts with a capitalised word
that is not a common French word (a name: `Spitzer montre ...`), `--per-heading` times with
different sentences. A heading joined to the sentence below is a false join (target: none);
clean_synthetic.py's cut_before_name class measures the other side, the cuts repaired.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.clean import clean_text  # noqa: E402
from pipeline.lexicon import load_lexicon  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
SETS = {"tune": ("flores101-dev", "newstest2013"), "report": ("flores200-devtest", "newstest2012")}
HEADING = re.compile(r"[A-ZÀ-ÖØ-ÞŒÆ\"«].*[^\s.!?…:;,)»\"”’]")


def lines_of(name: str) -> list[str]:
    path = EVAL / f"{name}.fr"
    if not path.exists():
        sys.exit(f"error: {path} is missing (the eval sets go in ../shared/eval)")
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]


def headings(lines: list[str]) -> list[str]:
    return [line for line in lines if HEADING.fullmatch(line) and 2 <= len(line.split()) <= 20]


def name_sentences(lines: list[str]) -> list[str]:
    """Sentences that start with a capitalised word no French dictionary has as a common
    word (its lower-case form unknown), followed by a lower-case word or a comma."""
    lexicon = load_lexicon()
    found = []
    for line in lines:
        m = re.match(r"([A-ZÀ-ÖØ-ÞŒÆ][a-zà-öø-ÿœæ]+)[ ,]", line)
        if (
            m
            and re.search(r"[.!?]$", line)
            and not lexicon.is_word(m.group(1).lower())
            and m.group(1).lower() not in lexicon.stop_words
        ):
            found.append(line)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", choices=sorted(SETS), default="tune")
    parser.add_argument("--per-heading", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--verbose", action="store_true", help="show the headings joined")
    args = parser.parse_args()
    load_lexicon()
    started = time.perf_counter()
    every_line = [line for name in SETS[args.sets] for line in lines_of(name)]
    news = [line for name in SETS[args.sets] if "newstest" in name for line in lines_of(name)]
    found = headings(news)
    names = name_sentences(every_line)
    stops = [line for line in every_line if re.search(r"[.!?]$", line) and len(line) < 300]
    rng = random.Random(args.seed)
    cases = joined = reported = 0
    for heading in found:
        for _ in range(args.per_heading):
            below = rng.choice(names)
            text = "\n\n".join((rng.choice(stops), heading, below))
            result = clean_text(text)
            cases += 1
            reported += any(f.check == "clean.cut_paragraph" for f in result.findings)
            if any(f.rule == "cut_paragraph" for f in result.fixes):
                joined += 1
                if args.verbose:
                    why = {f.note for f in result.fixes if f.rule == "cut_paragraph"}
                    print(f"  JOINED ({', '.join(sorted(why))}): {heading!r} / {below[:50]!r}")
    print(
        f"sets: {', '.join(SETS[args.sets])}: {len(found)} headings, {len(names)} sentences "
        "starting with a name"
    )
    print(
        f"headings kept: {cases - joined} of {cases} ({(cases - joined) / cases:.1%}); "
        f"joined (false joins): {joined}"
    )
    print(f"kept apart but reported to the reviewer as a possible cut (a finding): {reported}")
    print(f"time: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
