"""The typography repairs, each measured alone: chrF and BLEU with and without it.

    python benchmarks/typography_repairs.py                 # tuning sets: per rule
    python benchmarks/typography_repairs.py --report        # report sets, once, at the end
    python benchmarks/typography_repairs.py --save-en DIR   # the English, for check_review.py
    python benchmarks/typography_repairs.py --save-en DIR --french hb.fr   # and of other files

Apertium's work (both pivots, unknown words resolved) is the slow part and does not
depend on the repairs, so it runs once per set and is kept in --cache (JSON, one file per
set); each rule is then applied to the cached output, as the engine applies its repairs
(to each pivot's English, before the English model chooses between them).

For each typography rule: the engine with every rule of the registry but the typography
ones (the baseline), then the baseline plus that rule alone ("added"), and the baseline
plus every kept typography rule. A rule is kept only if neither chrF nor BLEU drops on
either tuning set (flores101-dev, newstest2013). The report sets (flores200-devtest,
newstest2012) are scored only with --report, after the choice.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.quality import read_split, scores  # noqa: E402
from pipeline.translate import apertium_plus as plus  # noqa: E402
from pipeline.translate import repairs  # noqa: E402

TUNE_SPLITS = ("flores101-dev", "newstest2013")
REPORT_SPLITS = ("flores200-devtest", "newstest2012")
# The rules this benchmark measures (registered in pipeline/translate/repairs.py).
TYPOGRAPHY_RULES = repairs.TYPOGRAPHY_RULES


def french(split: str) -> list[str]:
    """A set's French lines: an evaluation set's name, or a file of French lines."""
    if Path(split).is_file():
        return Path(split).read_text(encoding="utf-8").splitlines()
    return read_split(split)[0]


def engine_output(split: str, cache: Path, lm) -> dict[str, list[str]]:
    """Both pivots' English of the split, unknown words resolved, before any repair."""
    path = cache / f"{Path(split).name}.pivots.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    fr = french(split)
    started = time.perf_counter()
    hyps = plus.resolve_unknown_words(plus.first_pass(fr), lm, plus.UNKNOWN_WORD_ROUTES)
    print(f"  ({split}: Apertium took {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    cache.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(hyps, ensure_ascii=False), encoding="utf-8")
    return hyps


def translations(split: str, hyps, rules: tuple[str, ...], lm) -> list[str]:
    fr = french(split)
    return [h.best for h in plus.finish(fr, hyps, plus.Steps(repairs=rules), lm)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/typography-cache"))
    parser.add_argument("--report", action="store_true", help="score the report sets, once")
    parser.add_argument(
        "--keep", nargs="*", default=None, help="the kept rules, for --report (default: all)"
    )
    parser.add_argument("--only-cache", action="store_true", help="fill the cache and stop")
    parser.add_argument(
        "--save-en",
        type=Path,
        help="write each set's English here, with every rule (SET.en) and without the "
        "typography ones (SET.no-typography.en), and stop",
    )
    parser.add_argument(
        "--french", nargs="*", default=[], help="more French files to --save-en (one line each)"
    )
    args = parser.parse_args()
    from pipeline.translate.english_lm import load_model

    lm = load_model()
    splits = REPORT_SPLITS if args.report else TUNE_SPLITS
    cached = {s: engine_output(s, args.cache, lm) for s in (*TUNE_SPLITS, *REPORT_SPLITS)}
    if args.only_cache:
        return
    others = tuple(r.name for r in repairs.RULES if r.name not in TYPOGRAPHY_RULES)
    kept = tuple(TYPOGRAPHY_RULES if args.keep is None else args.keep)
    if args.save_en:  # the English to check (benchmarks/check_review.py), not to score
        args.save_en.mkdir(parents=True, exist_ok=True)
        cached.update({f: engine_output(f, args.cache, lm) for f in args.french})
        for split in cached:
            for suffix, rules in (("en", others + kept), ("no-typography.en", others)):
                english = translations(split, cached[split], rules, lm)
                path = args.save_en / f"{Path(split).name}.{suffix}"
                path.write_text("\n".join(english) + "\n", encoding="utf-8")
        return

    print("| set | rules | lines changed | chrF | BLEU | chrF vs baseline | BLEU vs baseline |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    drops: dict[str, list[str]] = {name: [] for name in TYPOGRAPHY_RULES}
    for split in splits:
        _, reference = read_split(split)
        baseline = translations(split, cached[split], others, lm)
        base = scores(baseline, reference)
        print(f"| {split} | baseline (every other rule) | | {base[0]:.3f} | {base[1]:.3f} | | |")
        rows = [(name, (name,)) for name in TYPOGRAPHY_RULES] if not args.report else []
        rows.append(("the kept typography rules together", kept))
        for label, rules in rows:
            english = translations(split, cached[split], others + rules, lm)
            changed = sum(a != b for a, b in zip(english, baseline, strict=True))
            chrf, bleu = scores(english, reference)
            if chrf < base[0] or bleu < base[1]:
                drops.get(label, []).append(split)
            print(
                f"| {split} | + {label} | {changed} | {chrf:.3f} | {bleu:.3f} "
                f"| {chrf - base[0]:+.3f} | {bleu - base[1]:+.3f} |"
            )
    if not args.report:
        print(
            "\nkept (neither chrF nor BLEU drops on either tuning set): "
            + ", ".join(n for n in TYPOGRAPHY_RULES if not drops[n])
        )
        for name in TYPOGRAPHY_RULES:
            if drops[name]:
                print(f"dropped: {name} (a drop on {', '.join(drops[name])})")
    print(f"\nkept rules scored together: {', '.join(kept)}")


if __name__ == "__main__":
    main()
