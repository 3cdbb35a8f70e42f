"""The cleaning rules on glitches they were not written from: FLORES French sentences, each
given one glitch of a kind the corpus shows, at a random place.

    python benchmarks/clean_synthetic.py [--sentences 400] [--seed 1]

For each kind: how many damaged sentences come back to what the cleaner makes of the intact
sentence (repaired), and how many do not (missed or repaired wrongly). Also: how many fixes
the cleaner makes on the intact FLORES sentences (clean, professionally typeset text; its own
slips, such as a missing space before `;`, are real fixes but show what "no glitch" gives).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.clean import clean_text  # noqa: E402
from pipeline.lexicon import load_lexicon  # noqa: E402

FLORES = Path("/work/shared/eval/flores200-devtest.fr")
WORD_THEN_SPACE = re.compile(r"(?<![\w'’-])([^\W\d_]+) (?=[^\W\d_])")


def glue_name(sentence: str, rng: random.Random) -> str | None:
    """`Reuters citant` -> `Reuterscitant`: a known name glued to the next word."""
    lexicon = load_lexicon()
    spots = [
        m
        for m in re.finditer(r"(?<=[a-zà-ÿ,] )([A-Z][a-zà-ÿ]+) (?=[a-zà-ÿ]{4,})", sentence)
        if lexicon.is_proper_name(m.group(1))
    ]
    if not spots:
        return None
    m = rng.choice(spots)
    return sentence[: m.end(1)] + sentence[m.end(1) + 1 :]


def glue_function_word(sentence: str, rng: random.Random) -> str | None:
    """`dans le` -> `dansle`."""
    spots = [
        m
        for m in re.finditer(
            r"(?<![\w'’-])(dans|les|des|avec|sans|pour|mais) (?=[a-zà-ÿ]{3,})", sentence
        )
    ]
    if not spots:
        return None
    m = rng.choice(spots)
    return sentence[: m.end(1)] + sentence[m.end(1) + 1 :]


def stray_period(sentence: str, rng: random.Random) -> str | None:
    """`pris dans` -> `pris. dans`."""
    spots = list(re.finditer(r"(?<=[a-zà-ÿ]{3}) (?=[a-zà-ÿ]{2,})", sentence))
    if not spots:
        return None
    at = rng.choice(spots).start()
    return sentence[:at] + "." + sentence[at:]


def space_before_comma(sentence: str, rng: random.Random) -> str | None:
    """`Kim Jong-un,` -> `Kim Jong-un ,`; `retard.` -> `retard .`."""
    spots = [m.start() for m in re.finditer(r"(?<=\w)[,.](?=\s|$)", sentence)]
    if not spots:
        return None
    at = rng.choice(spots)
    return sentence[:at] + " " + sentence[at:]


def repeated_word(sentence: str, rng: random.Random) -> str | None:
    """`années,` -> `années, années,`."""
    spots = list(re.finditer(r"(?<![\w'’-])([a-zà-ÿ]{3,})(,?) ", sentence))
    spots = [m for m in spots if m.group(1) not in {"nous", "vous", "très"}]
    if not spots:
        return None
    m = rng.choice(spots)
    return sentence[: m.end(2)] + " " + m.group(1) + sentence[m.end(2) :]


def markdown_link(sentence: str, rng: random.Random) -> str | None:
    """`la visite` -> `[la visite](#)`."""
    spots = list(re.finditer(r"(?<![\w'’-])[^\W\d_]+ [^\W\d_]+(?![\w'’-])", sentence))
    if not spots:
        return None
    m = rng.choice(spots)
    return f"{sentence[: m.start()]}[{m.group()}](#){sentence[m.end() :]}"


def emphasis(sentence: str, rng: random.Random) -> str | None:
    """`sanctuaire` -> `*sanctuaire*` or `**sanctuaire**`."""
    spots = list(re.finditer(r"(?<![\w'’-])[^\W\d_]{4,}(?![\w'’-])", sentence))
    if not spots:
        return None
    m = rng.choice(spots)
    mark = rng.choice(["*", "**"])
    return f"{sentence[: m.start()]}{mark}{m.group()}{mark}{sentence[m.end() :]}"


def cut_paragraph(sentence: str, rng: random.Random) -> str | None:
    """A blank line in the middle of the sentence, before a lower-case word."""
    spots = list(re.finditer(r"(?<=[^\W\d_]) (?=[a-zà-ÿ])", sentence))
    spots = [m for m in spots if 20 < m.start() < len(sentence) - 20]
    if not spots:
        return None
    at = rng.choice(spots).start()
    return sentence[:at] + "\n\n" + sentence[at + 1 :]


def doubled_period(sentence: str, rng: random.Random) -> str | None:
    """`fin.` -> `fin. .`."""
    if not re.search(r"\w\.$", sentence):
        return None
    return sentence + rng.choice([" .", ". ."[1:]])


def chrome(sentence: str, rng: random.Random) -> str | None:
    """Web chrome above and a trailer below the sentence."""
    above = rng.choice(["top of page", "5 min de lecture", "Haut de page"])
    below = rng.choice(["A lire également", "Commentaires", "© 2024 Le Journal"])
    return f"{above}\n{sentence}\n{below}"


GLITCHES = [
    glue_name,
    glue_function_word,
    stray_period,
    space_before_comma,
    repeated_word,
    markdown_link,
    emphasis,
    cut_paragraph,
    doubled_period,
    chrome,
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--verbose", action="store_true", help="show what was not repaired")
    args = parser.parse_args()
    if not FLORES.exists():
        print(f"{FLORES} not found", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    sentences = FLORES.read_text(encoding="utf-8").splitlines()[: args.sentences]
    fixes_on_intact = Counter()
    repaired, tried = Counter(), Counter()
    for sentence in sentences:
        intact = clean_text(sentence)
        fixes_on_intact.update(f.rule for f in intact.fixes)
        for glitch in GLITCHES:
            damaged = glitch(sentence, rng)
            if damaged is None:
                continue
            tried[glitch.__name__] += 1
            if clean_text(damaged).text == intact.text:
                repaired[glitch.__name__] += 1
            elif args.verbose:
                print(f"{glitch.__name__}: {damaged!r}\n    -> {clean_text(damaged).text!r}")
    print(f"{'glitch':<20} {'tried':>6} {'repaired':>9} {'not':>5}")
    for glitch in GLITCHES:
        name = glitch.__name__
        print(f"{name:<20} {tried[name]:>6} {repaired[name]:>9} {tried[name] - repaired[name]:>5}")
    total_tried, total_repaired = sum(tried.values()), sum(repaired.values())
    print(f"{'total':<20} {total_tried:>6} {total_repaired:>9} {total_tried - total_repaired:>5}")
    print(
        f"fixes on the {len(sentences)} intact sentences: {sum(fixes_on_intact.values())} "
        f"{dict(fixes_on_intact)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
