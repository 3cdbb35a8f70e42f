"""Findings to review by hand: run the checks, print counts, and a sample per check.

    python benchmarks/check_review.py --out /tmp/run            # outputs of `pipeline run`
    python benchmarks/check_review.py --flores fr.txt en.txt    # human references as English
    python benchmarks/check_review.py --flores fr.txt en.txt --engine apertium --pivot both \
        --save-en engine.en                                     # and keep the engine's English
    python benchmarks/check_review.py --flores fr.txt engine.en # re-check it, no translating

The sample (seeded, so the same each time) is written with each finding's French and
English, to judge true or false positive; benchmarks/check_review.md holds the verdicts.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline import checks, glossary  # noqa: E402
from pipeline.formats import jsonl  # noqa: E402
from pipeline.records import Segment  # noqa: E402


def flores_segments(
    fr_path: Path, en_path: Path, engine: str | None, pivot: str = "es"
) -> list[Segment]:
    french = fr_path.read_text(encoding="utf-8").splitlines()
    english = en_path.read_text(encoding="utf-8").splitlines()
    segments = [
        Segment(doc="flores", paragraph=n, sentence=1, fr=fr, fr_raw=(0, len(fr)), en=en)
        for n, (fr, en) in enumerate(zip(french, english, strict=True), start=1)
    ]
    if engine:
        from pipeline.translate.engine import open_engine

        chosen = open_engine(engine, pivot)
        for s, hyps in zip(segments, chosen.translate([s.fr for s in segments]), strict=True):
            s.en = hyps[0] if hyps else ""
    return segments


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="output folder of `pipeline run`")
    parser.add_argument("--flores", nargs=2, type=Path, metavar=("FR", "EN"))
    parser.add_argument("--engine", help="translate the FLORES French with this engine")
    parser.add_argument("--pivot", default="es", help="Apertium's pivot: es, ca or both")
    parser.add_argument(
        "--save-en",
        type=Path,
        help="write the engine's English here, one line per sentence "
        "(then `--flores FR THIS-FILE` re-checks it without translating again)",
    )
    parser.add_argument("--glossary", type=Path, default=Path("glossary/glossary.yaml"))
    parser.add_argument("--sample", type=int, default=30, help="findings per check to show")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--checks", nargs="+", help="run only these checks (default: all)")
    parser.add_argument("--write", type=Path, help="write the sample here (default: stdout)")
    args = parser.parse_args()

    if args.out:
        segments = [s for p in sorted(args.out.glob("*.jsonl")) for s in jsonl.read_jsonl(p)]
    elif args.flores:
        segments = flores_segments(*args.flores, args.engine, args.pivot)
        if args.save_en:
            args.save_en.write_text("".join(s.en + "\n" for s in segments), encoding="utf-8")
    else:
        parser.error("give --out or --flores")
    terms = glossary.load_glossary(args.glossary)

    started = time.perf_counter()
    findings = checks.run_checks(segments, terms, only=args.checks)
    seconds = time.perf_counter() - started
    by_check = defaultdict(list)
    for f in findings:
        by_check[f.check].append(f)
    print(f"{len(segments)} segments, {len(findings)} findings, checks took {seconds:.1f} s")
    names = args.checks or list(checks.CHECKS)
    for name in names:
        print(f"  {name:26} {len(by_check[name]):4}")

    text = {s.id: s for s in segments}
    rng = random.Random(args.seed)
    lines = []
    for name in names:
        mine = by_check[name]
        sample = mine if len(mine) <= args.sample else rng.sample(mine, args.sample)
        lines.append(f"## {name}: {len(sample)} of {len(mine)}\n")
        for f in sorted(sample, key=lambda f: list(text).index(f.segment) if f.segment else -1):
            s = text.get(f.segment)
            lines.append(f"- [ ] {f.segment} {f.severity}: {f.message}")
            lines.append(f"      evidence: {f.evidence}")
            if s is not None:
                lines.append(f"      FR: {s.fr}")
                lines.append(f"      EN: {s.en}")
        lines.append("")
    report = "\n".join(lines)
    if args.write:
        args.write.write_text(report, encoding="utf-8")
        print(f"sample written to {args.write}")
    else:
        print(report)


if __name__ == "__main__":
    main()
