"""Translation quality: each engine on raw lines versus through the whole pipeline.

    python benchmarks/quality.py            # the table on flores200-devtest, term accuracy
    python benchmarks/quality.py --ideas    # what each improvement adds, on flores101-dev

chrF and BLEU are sacrebleu's defaults (chrF2, BLEU 13a). "raw" sends the FLORES
lines straight to the engine; "pipeline" writes them as one article (one paragraph
a line), runs `pipeline.runner.run` with an empty glossary, and reads the English
back from the JSONL, paragraph by paragraph. Term accuracy runs the project's
corpus with its glossary: segments whose every glossary target appears in the
English, over segments with a term.

FLORES lives in ../shared/eval beside the repository (tune on flores101-dev only;
report on flores200-devtest).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline import runner  # noqa: E402
from pipeline.errors import PipelineError  # noqa: E402
from pipeline.translate.engine import Engine, open_engine  # noqa: E402

EVAL_DIR = REPO.parent / "shared" / "eval"
REPORT_SPLIT = "flores200-devtest"
TUNE_SPLIT = "flores101-dev"
ENGINES = [("apertium", "es"), ("apertium", "ca"), ("apertium", "both"), ("argos", "")]


def read_split(name: str) -> tuple[list[str], list[str]]:
    paths = [EVAL_DIR / f"{name}.{lang}" for lang in ("fr", "en")]
    for path in paths:
        if not path.exists():
            sys.exit(f"error: {path} is missing (FLORES goes in ../shared/eval)")
    fr, en = (p.read_text(encoding="utf-8").splitlines() for p in paths)
    if len(fr) != len(en):
        sys.exit(f"error: {name}: {len(fr)} French lines but {len(en)} English ones")
    return fr, en


def scores(hypotheses: Sequence[str], references: Sequence[str]) -> tuple[float, float]:
    import sacrebleu

    return (
        sacrebleu.corpus_chrf(list(hypotheses), [list(references)]).score,
        sacrebleu.corpus_bleu(list(hypotheses), [list(references)]).score,
    )


def raw_lines(engine: Engine, lines: Sequence[str]) -> list[str]:
    return [hyps[0] if hyps else "" for hyps in engine.translate(list(lines))]


def through_pipeline(engine: Engine, lines: Sequence[str]) -> list[str]:
    """Each line a paragraph of one article, through every stage, English per line."""
    with tempfile.TemporaryDirectory() as tmp:
        corpus, out = Path(tmp, "corpus"), Path(tmp, "out")
        corpus.mkdir()
        (corpus / "flores.txt").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
        glossary = Path(tmp, "glossary.yaml")
        glossary.write_text("terms: []\n", encoding="utf-8")
        runner.run(corpus, glossary, out, engine)
        paragraphs: dict[int, list[str]] = {}
        for row in (out / "flores.jsonl").read_text(encoding="utf-8").splitlines():
            record = json.loads(row)
            paragraphs.setdefault(record["paragraph"], []).append(record["en"])
    if len(paragraphs) != len(lines):
        sys.exit(f"error: the pipeline made {len(paragraphs)} paragraphs of {len(lines)} lines")
    return [" ".join(p for p in paragraphs[n] if p) for n in sorted(paragraphs)]


def term_accuracy(engine: Engine) -> tuple[int, int]:
    """(segments whose every glossary target is in the English, segments with a term)."""
    with tempfile.TemporaryDirectory() as tmp:
        result = runner.run(REPO / "corpus", REPO / "glossary" / "glossary.yaml", Path(tmp), engine)
    with_terms = [s for s in result.segments if s.terms and s.lang == "fr"]
    # honoured as the run marks it (glossary.hit_honoured: the target in a form a reader
    # accepts, no forbidden rendering), the same test as the report and the glossary benchmark
    right = [s for s in with_terms if all(t.ok for t in s.terms)]
    return len(right), len(with_terms)


def engine_label(name: str, pivot: str) -> str:
    return f"{name} --pivot {pivot}" if pivot else name


def timed(work: Callable[[], list[str]]) -> tuple[list[str], float]:
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def quality_table(split: str) -> None:
    fr, en = read_split(split)
    print(f"## {split}: {len(fr)} lines, chrF2 / BLEU (sacrebleu defaults)\n")
    print("| engine | raw chrF | raw BLEU | pipeline chrF | pipeline BLEU | pipeline − raw chrF |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    raw_chrf: dict[str, float] = {}
    versions = []
    for name, pivot in ENGINES:
        label = engine_label(name, pivot)
        try:
            engine = open_engine(name, pivot or "both")
        except PipelineError as err:
            print(f"| {label} | not run: {str(err).split(';')[0]} | | | | |")
            continue
        versions.append(engine.version)
        raw, raw_seconds = timed(lambda e=engine: raw_lines(e, fr))
        piped, piped_seconds = timed(lambda e=engine: through_pipeline(e, fr))
        (rc, rb), (pc, pb) = scores(raw, en), scores(piped, en)
        raw_chrf[label] = rc
        print(f"| {label} | {rc:.2f} | {rb:.2f} | {pc:.2f} | {pb:.2f} | {pc - rc:+.2f} |")
        print(
            f"  ({label}: raw {raw_seconds:.0f} s, pipeline {piped_seconds:.0f} s)", file=sys.stderr
        )
    singles = [raw_chrf[k] for k in ("apertium --pivot es", "apertium --pivot ca") if k in raw_chrf]
    if singles and "apertium --pivot both" in raw_chrf:
        gain = raw_chrf["apertium --pivot both"] - max(singles)
        print(f"\napertium --pivot both vs the best single pivot (raw lines): {gain:+.2f} chrF")
    print("\nengines: " + " | ".join(versions))


def term_table() -> None:
    print("\n## Term accuracy on corpus/ with glossary/glossary.yaml\n")
    print("| engine | segments with every term right | segments with a term | accuracy |")
    print("| --- | ---: | ---: | ---: |")
    for name, pivot in ENGINES:
        label = engine_label(name, pivot)
        try:
            engine = open_engine(name, pivot or "both")
        except PipelineError as err:
            print(f"| {label} | not run: {str(err).split(';')[0]} | | |")
            continue
        right, total = term_accuracy(engine)
        share = f"{100 * right / total:.0f} %" if total else "n/a"
        print(f"| {label} | {right} | {total} | {share} |")


def ideas_table() -> None:
    """What each improvement of `apertium --pivot both` adds, on the tuning split."""
    from pipeline.translate import apertium_plus as plus
    from pipeline.translate import repairs
    from pipeline.translate.english_lm import load_model

    fr, en = read_split(TUNE_SPLIT)
    lm = load_model()
    first = plus.first_pass(fr)
    resolved = {
        routes: plus.resolve_unknown_words(first, lm, routes) if routes else first
        for routes in [(), ("other_pivot",), ("other_pivot", "cognate"), plus.UNKNOWN_WORD_ROUTES]
    }

    def run(routes=plus.UNKNOWN_WORD_ROUTES, rules=None, combine="sentences", pick="best"):
        steps = plus.Steps(unknown_words=routes, repairs=rules, combine=combine)
        return scores([getattr(h, pick) for h in plus.finish(fr, resolved[routes], steps, lm)], en)

    rows = [
        ("Spanish pivot, as Apertium gives it", run((), (), "none", "es")),
        ("Catalan pivot, as Apertium gives it", run((), (), "none", "ca")),
        ("both pivots, sentence chosen by the English model", run((), (), "sentences")),
        ("both pivots, each difference chosen by the model", run((), (), "words")),
        ("Spanish pivot + unknown words via the other pivot", run(("other_pivot",), (), "none")),
        ("  + French cognates", run(("other_pivot", "cognate"), (), "none")),
        ("  + pivot words back through French", run(plus.UNKNOWN_WORD_ROUTES, (), "none")),
        ("  + repairs (all rules)", run(combine="none")),
        ("  + both pivots, sentence chosen (the engine)", run()),
        ("  (or each difference chosen instead)", run(combine="words")),
    ]
    base_chrf = rows[0][1][0]
    print(f"## What each idea adds, on {TUNE_SPLIT} ({len(fr)} lines)\n")
    print("| step | chrF | BLEU | chrF vs Spanish pivot |")
    print("| --- | ---: | ---: | ---: |")
    for label, (chrf, bleu) in rows:
        print(f"| {label} | {chrf:.2f} | {bleu:.2f} | {chrf - base_chrf:+.2f} |")

    full = run()
    without_rules = run(rules=())
    print(f"\n## Repair rules on {TUNE_SPLIT}: alone (on the engine without rules), dropped\n")
    print("| rule | alone chrF | alone BLEU | dropped chrF | dropped BLEU |")
    print("| --- | ---: | ---: | ---: | ---: |")
    names = [r.name for r in repairs.RULES]
    for name in names:
        alone = run(rules=(name,))
        dropped = run(rules=tuple(n for n in names if n != name))
        print(
            f"| {name} | {alone[0] - without_rules[0]:+.2f} | {alone[1] - without_rules[1]:+.2f} "
            f"| {dropped[0] - full[0]:+.2f} | {dropped[1] - full[1]:+.2f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default=REPORT_SPLIT, help="FLORES split to score")
    parser.add_argument("--ideas", action="store_true", help=f"gains per idea on {TUNE_SPLIT}")
    parser.add_argument("--no-terms", action="store_true", help="skip the term accuracy")
    args = parser.parse_args()
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}, {date.today().isoformat()}\n"
    )
    if args.ideas:
        ideas_table()
        return
    quality_table(args.split)
    if not args.no_terms:
        term_table()


if __name__ == "__main__":
    main()
