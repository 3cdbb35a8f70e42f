"""Real headings stay above their paragraph: the cleaner must not take a heading followed by a
paragraph that starts with a name for a sentence cut before that name (cut_paragraph).

    python benchmarks/clean_headings.py [--sets tune|report] [--per-heading 3] [--verbose]

The headings are the lines of the sets' news (newstest) that start with a capital and end
with no stop, comma or colon, 2 to 20 words long. Each is put between a sentence of the
sets that ends with a stop and a sentence of the sets that starts with a capitalised word
that is not a common French word (a name: `Spitzer montre ...`), `--per-heading` times with
different sentences. A heading joined to the sentence below is a false join (target: none);
clean_synthetic.py's cut_before_name class measures the other side, the cuts repaired.

    python benchmarks/clean_headings.py --material wikinews,web[,handbook --handbook DIR]

does the same with real French no rule was written from (benchmarks/french_material.py): the
sources' own headings between their own sentences, each half (dev, check) on its own
(`--material-half`).
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
sys.path.insert(0, str(ROOT / "benchmarks"))  # french_material, when imported

from french_material import HALVES, documents  # noqa: E402
from french_material import headings as source_headings  # noqa: E402
from french_material import sentences as source_sentences  # noqa: E402

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


def measure(
    found: list[str], names: list[str], stops: list[str], per_heading: int, seed: int, verbose: bool
) -> tuple[int, int, int]:
    """(cases, headings joined, headings reported): each heading between a sentence that ends
    with a stop and one that starts with a name, `per_heading` times."""
    rng = random.Random(seed)
    cases = joined = reported = 0
    for heading in found:
        for _ in range(per_heading):
            below = rng.choice(names)
            text = "\n\n".join((rng.choice(stops), heading, below))
            result = clean_text(text)
            cases += 1
            reported += any(f.check == "clean.cut_paragraph" for f in result.findings)
            if any(f.rule == "cut_paragraph" for f in result.fixes):
                joined += 1
                if verbose:
                    why = {f.note for f in result.fixes if f.rule == "cut_paragraph"}
                    print(f"  JOINED ({', '.join(sorted(why))}): {heading!r} / {below[:50]!r}")
    return cases, joined, reported


def print_figures(cases: int, joined: int, reported: int) -> None:
    print(
        f"headings kept: {cases - joined} of {cases} ({(cases - joined) / cases:.1%}); "
        f"joined (false joins): {joined}"
    )
    print(f"kept apart but reported to the reviewer as a possible cut (a finding): {reported}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", choices=sorted(SETS), default="tune")
    parser.add_argument("--material", help="new material instead: wikinews,web,handbook,sequoia")
    parser.add_argument("--handbook", type=Path, help="the handbook's html/ folder")
    parser.add_argument("--material-half", choices=(*HALVES, "both"), default="both")
    parser.add_argument("--per-heading", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--verbose", action="store_true", help="show the headings joined")
    args = parser.parse_args()
    load_lexicon()
    started = time.perf_counter()
    if args.material:
        docs = documents(args.material, args.handbook)
        for half in HALVES if args.material_half == "both" else (args.material_half,):
            mine = [d for d in docs if d.half == half]
            lines = source_sentences(mine)
            found, names = source_headings(mine), name_sentences(lines)
            stops = [line for line in lines if re.search(r"[.!?]$", line) and len(line) < 300]
            print(
                f"{args.material}, {half} half: {len(mine)} documents, {len(found)} headings, "
                f"{len(names)} sentences starting with a name"
            )
            print_figures(*measure(found, names, stops, args.per_heading, args.seed, args.verbose))
        print(f"time: {time.perf_counter() - started:.0f} s")
        return 0
    every_line = [line for name in SETS[args.sets] for line in lines_of(name)]
    news = [line for name in SETS[args.sets] if "newstest" in name for line in lines_of(name)]
    found = headings(news)
    names = name_sentences(every_line)
    stops = [line for line in every_line if re.search(r"[.!?]$", line) and len(line) < 300]
    figures = measure(found, names, stops, args.per_heading, args.seed, args.verbose)
    print(
        f"sets: {', '.join(SETS[args.sets])}: {len(found)} headings, {len(names)} sentences "
        "starting with a name"
    )
    print_figures(*figures)
    print(f"time: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
