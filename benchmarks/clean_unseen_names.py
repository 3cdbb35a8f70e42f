"""Names that must stay whole, as if no list knew them: every capitalised name inside a
sentence of the tuning sets (flores101-dev, newstest2013; `--sets report` for the held-out
flores200-devtest and newstest2012), with the word that follows it, is given to the glued-word
rule (`pipeline.clean.glued_split`) with the name hidden from the lexicon, wordfreq, the
model's vocabulary and Apertium's French dictionaries (`clean.apertium_readings`). A cut
is a false split the rule would make on an article whose names are all new; the figure
complements `clean_synthetic.py`, whose names are those of the sets.

    python benchmarks/clean_unseen_names.py [--sets tune|report] [--verbose]
"""

from __future__ import annotations

import argparse
import inspect
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import clean  # noqa: E402
from pipeline.lexicon import french_frequencies, load_lexicon  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
SETS = {"tune": ("flores101-dev", "newstest2013"), "report": ("flores200-devtest", "newstest2012")}
NAME_THEN_WORD = re.compile(
    r"(?<=[\w,;] )([A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]{3,})(?![\w'’-])(?:[ \u00a0]+(\w+))?"
)


class Unseen:
    """The lexicon, with one token hidden from every list it consults."""

    def __init__(self, lexicon, endings: Counter):
        self._lexicon, self._endings, self.hidden = lexicon, endings, ""

    def __getattr__(self, name):
        return getattr(self._lexicon, name)

    def zipf(self, token):
        return 0.0 if token == self.hidden else self._lexicon.zipf(token)

    def is_known(self, token):
        return token != self.hidden and self._lexicon.is_known(token)

    def is_word(self, token):
        return token != self.hidden and self._lexicon.is_word(token)

    def is_proper_name(self, token):
        return token != self.hidden and self._lexicon.is_proper_name(token)

    def ends_some_word(self, ending):
        # The hidden name's own entry in wordfreq does not count.
        ending, hidden = ending.casefold(), self.hidden.casefold()
        own = hidden.endswith(ending) and len(hidden) >= 5 and hidden in _listed()
        return self._endings[ending] - own > 0


def _listed() -> set[str]:
    return {w for w, centibels in french_frequencies().items() if centibels <= 750}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", choices=sorted(SETS), default="tune")
    parser.add_argument("--verbose", action="store_true", help="list every cut")
    args = parser.parse_args()
    lexicon = load_lexicon()
    endings: Counter[str] = Counter()
    for word in _listed():
        if len(word) >= 5:
            endings.update((word[-4:], word[-5:]))
    unseen = Unseen(lexicon, endings)

    class UnseenContext(clean.Context):
        @property
        def lexicon(self):
            return unseen

    context = UnseenContext()
    # Apertium's dictionaries are a list too: the hidden name has no reading there either.
    readings = clean.apertium_readings

    def unseen_readings(word: str) -> list[str]:
        return [] if word == unseen.hidden else readings(word)

    clean.apertium_readings = unseen_readings
    started = time.perf_counter()
    pairs: Counter[tuple[str, str, str, str]] = Counter()
    for name in SETS[args.sets]:
        for line in (EVAL / f"{name}.fr").read_text(encoding="utf-8").splitlines():
            for m in NAME_THEN_WORD.finditer(line):
                if not lexicon.is_word(m.group(1)):  # a capitalised common word is no name
                    rest = line[m.end() : m.end() + 40].lstrip() if m.group(2) else ""
                    before = clean.PREVIOUS_WORD.search(line, max(0, m.start() - 40), m.start())
                    preceding = before.group(1) if before else ""
                    pairs[(m.group(1), m.group(2) or "", rest, preceding)] += 1
    cuts: Counter[str] = Counter()
    # The rules before issue 18's context evidence took no following word.
    parameters = inspect.signature(clean.glued_split).parameters
    with_next = "following" in parameters
    for (token, following, rest, preceding), n in pairs.items():
        unseen.hidden = token
        extra = {"following": following} if with_next else {}
        if "rest" in parameters:  # the words after the next (Karzaï|ne veut pas)
            extra["rest"] = rest
        if "preceding" in parameters:  # the words before (les Britanniques|ont)
            extra["preceding"] = preceding
        at = clean.glued_split(token, False, context, Counter(), **extra)
        if at:
            cuts[f"{token[:at]}|{token[at:]} {following}".rstrip()] += n
    total = sum(pairs.values())
    print(f"sets: {', '.join(SETS[args.sets])}")
    distinct = len({pair[:2] for pair in pairs})
    print(
        f"names inside sentences: {total} ({distinct} distinct with their next word); "
        f"cut if no list knew them: {sum(cuts.values())} ({sum(cuts.values()) / total:.1%})"
    )
    if args.verbose:
        for cut, n in cuts.most_common():
            print(f"  {n} {cut}")
    print(f"time: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
