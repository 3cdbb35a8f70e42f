"""Benchmark of an imported translation memory: `pipeline memory import` of a
50,000-unit TMX, then the lookups a run makes per segment.

    python benchmarks/tm.py [--units 50000] [--segments 500]

The TMX is generated: the 2,009 French/English pairs of FLORES-101 dev and FLORES-200
devtest, then news-like sentences made from templates (a speaker, a verb, an object, a
place, a day; every one different) until there are `--units` units, each with tuid,
changeid and changedate, as a CAT tool writes them. Prints:

- import: units per second (reading the TMX and storing it, one transaction);
- exact lookup per segment (the SQL lookup `pipeline run` makes for each segment);
- close-match lookup per segment with the word index (pipeline/tm.py TmIndex), and, as
  the baseline measured in the same run, scoring every TM unit (rapidfuzz's
  process.extractOne with the same word-level score), with their ratio and whether both
  found the same best match.

The segments looked up are a third exact TM French, a third TM French with one word
changed (a close match must be found), a third French of newstest2013 (mostly no match).
Figures on the shared 2-core machine are noisy: compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import EVAL  # noqa: E402

from pipeline import tm  # noqa: E402
from pipeline.memory import TranslationMemory  # noqa: E402

SPEAKERS = [
    ("Le ministre des Affaires étrangères", "The Foreign Minister"),
    ("La porte-parole du gouvernement", "The government spokeswoman"),
    ("Le président de la commission", "The chairman of the committee"),
    ("L'ambassadeur de France", "The French ambassador"),
    ("Le secrétaire général de l'ONU", "The UN Secretary-General"),
    ("La Première ministre", "The Prime Minister"),
    ("Le chef de l'armée", "The army chief"),
    ("Le maire de la capitale", "The mayor of the capital"),
    ("Un haut responsable nord-coréen", "A senior North Korean official"),
    ("Le porte-parole du Kremlin", "The Kremlin spokesman"),
]
VERBS = [
    ("a annoncé", "announced"), ("a démenti", "denied"), ("a confirmé", "confirmed"),
    ("a critiqué", "criticised"), ("a salué", "welcomed"), ("a rejeté", "rejected"),
    ("a évoqué", "mentioned"), ("a défendu", "defended"),
]  # fmt: skip
OBJECTS = [
    ("un nouvel accord commercial", "a new trade agreement"),
    ("les sanctions économiques", "the economic sanctions"),
    ("le projet de loi sur l'énergie", "the energy bill"),
    ("la reprise des négociations", "the resumption of negotiations"),
    ("le budget de la défense", "the defence budget"),
    ("un plan d'aide humanitaire", "a humanitarian aid plan"),
    ("la fermeture de la frontière", "the closure of the border"),
    ("les résultats des élections", "the election results"),
    ("un exercice militaire conjoint", "a joint military exercise"),
    ("la hausse des prix du blé", "the rise in wheat prices"),
]
PLACES = [
    ("à Paris", "in Paris"), ("à Moscou", "in Moscow"), ("à Pékin", "in Beijing"),
    ("à Séoul", "in Seoul"), ("à Pyongyang", "in Pyongyang"), ("à Genève", "in Geneva"),
    ("à Bruxelles", "in Brussels"), ("à Tokyo", "in Tokyo"), ("à Berlin", "in Berlin"),
    ("à Washington", "in Washington"), ("à New Delhi", "in New Delhi"), ("à Hanoï", "in Hanoi"),
]  # fmt: skip
DAYS = [
    ("lundi", "on Monday"), ("mardi", "on Tuesday"), ("mercredi", "on Wednesday"),
    ("jeudi", "on Thursday"), ("vendredi", "on Friday"), ("samedi", "on Saturday"),
    ("dimanche", "on Sunday"),
]  # fmt: skip
REASONS = [
    ("", ""), (", selon l'agence KCNA", ", according to the KCNA agency"),
    (", selon des sources diplomatiques", ", according to diplomatic sources"),
    (" lors d'une conférence de presse", " at a press conference"),
    (" dans un communiqué", " in a statement"),
]  # fmt: skip


def pairs(count: int) -> list[tuple[str, str]]:
    """`count` distinct French/English pairs: FLORES first, then template sentences."""
    out = []
    for name in ("flores101-dev", "flores200-devtest"):
        fr = (EVAL / f"{name}.fr").read_text(encoding="utf-8").splitlines()
        en = (EVAL / f"{name}.en").read_text(encoding="utf-8").splitlines()
        out += list(zip(fr, en, strict=True))
    rng = random.Random(16)
    seen = {f for f, _ in out}
    while len(out) < count:
        s, v, o, p, d, r = (rng.choice(x) for x in (SPEAKERS, VERBS, OBJECTS, PLACES, DAYS,
                                                     REASONS))  # fmt: skip
        number = rng.randrange(2, 400)
        fr = f"{s[0]} {v[0]} {d[0]} {p[0]} {o[0]}{r[0]}, {number} jours après le sommet."
        en = f"{s[1]} {v[1]} {o[1]} {p[1]} {d[1]}{r[1]}, {number} days after the summit."
        if fr not in seen:
            seen.add(fr)
            out.append((fr, en))
    return out[:count]


TMX_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n<header '
    'creationtool="benchmark" creationtoolversion="1" segtype="sentence" o-tmf="none" '
    'adminlang="en" srclang="fr-FR" datatype="plaintext"/>\n<body>\n'
)


def write_tmx(path: Path, units: list[tuple[str, str]]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(TMX_HEAD)
        for number, (fr, en) in enumerate(units):
            f.write(
                f'<tu tuid="{number}" changeid="translator{number % 7}" '
                f'changedate="2024{1 + number % 12:02d}{1 + number % 28:02d}T120000Z">'
                f'<tuv xml:lang="fr-FR"><seg>{escape(fr)}</seg></tuv>'
                f'<tuv xml:lang="en-GB"><seg>{escape(en)}</seg></tuv></tu>\n'
            )
        f.write("</body>\n</tmx>\n")


def changed_word(french: str, rng: random.Random) -> str:
    words = french.split()
    at = rng.randrange(len(words))
    words[at] = "autrement" if words[at] != "autrement" else "ainsi"
    return " ".join(words)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=50_000)
    parser.add_argument("--segments", type=int, default=500)
    args = parser.parse_args()
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    rng = random.Random(2026)
    units = pairs(args.units)
    with tempfile.TemporaryDirectory() as folder:
        tmx = Path(folder) / "translator.tmx"
        write_tmx(tmx, units)
        size = tmx.stat().st_size
        with TranslationMemory(Path(folder) / "memory.sqlite") as memory:
            result = tm.import_tmx(memory, tmx)
            print(f"TMX: {len(units):,} units, {size / 1e6:.1f} MB")
            print(f"import: {result.units:,} units in {result.seconds:.2f} s = "
                  f"{result.units / result.seconds:,.0f} units/s ({result.new:,} new)")  # fmt: skip
            third = args.segments // 3
            sample = rng.sample(units, 2 * third)
            news = (EVAL / "newstest2013.fr").read_text(encoding="utf-8").splitlines()
            segments = (
                [fr for fr, _ in sample[:third]]
                + [changed_word(fr, rng) for fr, _ in sample[third:]]
                + rng.sample(news, args.segments - 2 * third)
            )
            started = time.perf_counter()
            found = sum(tm.exact(memory, s) is not None for s in segments)
            exact_ms = 1000 * (time.perf_counter() - started) / len(segments)
            print(f"exact lookup: {exact_ms:.3f} ms per segment ({found} of {len(segments)} "
                  f"found; {third} are TM French)")  # fmt: skip
            started = time.perf_counter()
            index = tm.TmIndex.load(memory)
            load_s = time.perf_counter() - started
            print(
                f"close-match index: built in {load_s:.2f} s for {len(index):,} units "
                "(once per run)"
            )
            close = segments[third:]
            started = time.perf_counter()
            indexed = [index.best(s) for s in close]
            index_ms = 1000 * (time.perf_counter() - started) / len(close)
            started = time.perf_counter()
            brute = []
            for s in close:
                best = process.extractOne(
                    tm.words(s), index.words, scorer=Levenshtein.normalized_similarity,
                    score_cutoff=tm.FUZZY_THRESHOLD / 100,
                )  # fmt: skip
                brute.append(None if best is None or best[1] >= 1.0 else round(100 * best[1], 1))
            brute_ms = 1000 * (time.perf_counter() - started) / len(close)
            ours = [m.score if m else None for m in indexed]
            same = sum(a == b for a, b in zip(ours, brute, strict=True))
            offered = sum(m is not None for m in indexed)
            print(
                f"close match, word index: {index_ms:.2f} ms per segment ({offered} of "
                f"{len(close)} offered a match of at least {tm.FUZZY_THRESHOLD:.0f}%)"
            )
            print(f"close match, scoring every unit (baseline): {brute_ms:.2f} ms per segment")
            print(
                f"ratio baseline/index: {brute_ms / index_ms:.1f}x; same best score for "
                f"{same} of {len(close)} segments"
            )


if __name__ == "__main__":
    main()
