"""Glossary benchmarks: term accuracy on the corpus, chrF on FLORES, matching speed.

    python benchmarks/terms.py [--engines apertium,argos] [--pivots es,ca]
                               [--flores-limit N] [--skip-flores] [--skip-speed]
    python benchmarks/terms.py --big 100000 [--baseline CHECKOUT]   # section 4 alone

1. Term accuracy on corpus/ for each engine, with enforcement off and with each
   method alone and all together: segments where every term is honoured / segments
   that hold a term (the honoured test of pipeline/glossary.py).
2. chrF (sacrebleu) on ../shared/eval/flores200-devtest: enforcement off, on with an
   empty glossary (must be equal: segments without terms are left alone), and on with
   the project glossary (FLORES is general news; few of its segments hold a term).
3. Matching speed with 10,000 terms: the one compiled trie against a regex per term
   per segment (the first loader's way), in the same run.
4. (--big N) A glossary of N made-up terms: `glossary validate` and a run the memory
   answers, each a fresh process, with the glossary cache empty and filled (issue 19).

The argos engine here is a tiny real package with random weights built by
tests/argos_fixture.py (no fr→en model can be had offline): its English is garbage, so
its figures measure enforcement that does not rely on the model, not translation.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from pipeline import corpus, glossary, runner  # noqa: E402
from pipeline.glossary import Term  # noqa: E402
from pipeline.translate.enforce import EnforcementReport, translate_with_glossary  # noqa: E402

CONFIGS = [
    ("off", None),
    ("repair", ("repair",)),
    ("repair+nbest", ("repair", "nbest")),
    ("protect", ("protect",)),
    ("split", ("split",)),
    ("all (default)", ("repair", "nbest", "protect", "split")),
]


def corpus_segments(terms: list[Term]):
    return [
        s
        for doc in corpus.read_corpus(REPO / "corpus")
        for s in runner.prepare_document(doc, terms).segments
        if s.lang == "fr" and s.fr.strip()
    ]


def accuracy(segments, english: list[str]) -> tuple[int, int]:
    with_terms = [(s, en) for s, en in zip(segments, english, strict=True) if s.terms]
    honoured = sum(all(glossary.hit_honoured(en, h) for h in s.terms) for s, en in with_terms)
    return honoured, len(with_terms)


def tiny_argos_engine(work: Path, texts: list[str]):
    """The tests' tiny real package (random weights), unpacked into `work`."""
    from argos_fixture import build_argosmodel
    from argostranslate.package import Package

    from pipeline import models
    from pipeline.translate.argos import ArgosEngine

    archive = build_argosmodel(work / "translate-fr_en-tiny.argosmodel", training_text=texts)
    top, _ = models.read_archive_metadata(archive)
    return ArgosEngine(Package(models.unpack(archive, top, work / "packages")))


def open_engines(names: list[str], pivots: list[str], work: Path, corpus_texts: list[str]):
    from pipeline.translate.apertium import ApertiumEngine

    engines = []
    for name in names:
        if name == "apertium":
            engines += [(f"apertium {p}", ApertiumEngine(p)) for p in pivots]
        elif name == "argos":
            engines.append(("argos tiny (random)", tiny_argos_engine(work, corpus_texts)))
        else:
            raise SystemExit(f"unknown engine {name}")
    return engines


def bench_accuracy(label: str, engine, segments, terms: list[Term]) -> None:
    texts = [s.fr for s in segments]
    engine.translate(["Bonjour."])  # warm up (model load, first processes) before timing
    print(f"\n== term accuracy on corpus/, {label}: {len(texts)} segments ==")
    base_time = None
    for name, methods in CONFIGS:
        if name == "repair+nbest" and engine.name != "argos":
            continue  # apertium has one hypothesis: the same as repair
        report = EnforcementReport()
        start = time.perf_counter()
        if methods is None:
            english = translate_with_glossary(texts, engine, [])
        else:
            english = translate_with_glossary(texts, engine, terms, methods=methods, report=report)
        seconds = time.perf_counter() - start
        base_time = base_time or seconds
        ok, total = accuracy(segments, english)
        chosen = ", ".join(f"{k} {v}" for k, v in sorted(report.chosen.items()) if v)
        print(
            f"  {name:<14} term accuracy {ok:3d}/{total} = {100 * ok / total:5.1f}%   "
            f"{seconds:6.2f} s (x{seconds / base_time:.2f} of off)"
            + (f"   [{chosen}]" if chosen else "")
        )


def bench_flores(label: str, engine, terms: list[Term], limit: int | None) -> None:
    from sacrebleu.metrics import CHRF

    shared = REPO.parent / "shared" / "eval"
    fr_path, en_path = shared / "flores200-devtest.fr", shared / "flores200-devtest.en"
    if not fr_path.exists():
        print(f"\n(no {fr_path}: FLORES chrF skipped)")
        return
    french = fr_path.read_text(encoding="utf-8").splitlines()[:limit]
    refs = en_path.read_text(encoding="utf-8").splitlines()[:limit]
    chrf = CHRF()
    print(f"\n== chrF on flores200-devtest ({len(french)} segments), {label} ==")
    start = time.perf_counter()
    off = translate_with_glossary(french, engine, [])
    off_s = time.perf_counter() - start
    start = time.perf_counter()
    empty = translate_with_glossary(
        french, engine, [], methods=("repair", "nbest", "protect", "split")
    )
    empty_s = time.perf_counter() - start
    start = time.perf_counter()
    report = EnforcementReport()
    full = translate_with_glossary(french, engine, terms, report=report)
    full_s = time.perf_counter() - start
    off_score = chrf.corpus_score(off, [refs]).score
    print(f"  enforcement off                    chrF {off_score:6.2f}   {off_s:6.1f} s")
    same = sum(a == b for a, b in zip(off, empty, strict=True))
    print(
        f"  on, empty glossary                 chrF {chrf.corpus_score(empty, [refs]).score:6.2f}"
        f"   {empty_s:6.1f} s   identical to off: {same}/{len(off)}"
    )
    changed = [i for i, (a, b) in enumerate(zip(off, full, strict=True)) if a != b]
    print(
        f"  on, project glossary               chrF {chrf.corpus_score(full, [refs]).score:6.2f}"
        f"   {full_s:6.1f} s   segments with a term: {report.segments_with_terms}, "
        f"changed: {len(changed)}"
    )
    if changed:
        sub_refs = [refs[i] for i in changed]
        print(
            f"    on the {len(changed)} changed segments: chrF off "
            f"{chrf.corpus_score([off[i] for i in changed], [sub_refs]).score:6.2f} → on "
            f"{chrf.corpus_score([full[i] for i in changed], [sub_refs]).score:6.2f}"
        )


def bench_speed(segments) -> None:
    texts = [s.fr for s in segments]
    words = sorted({w for t in texts for w in re.findall(r"[^\W\d_]{4,}", t)})
    # 10,000 terms: real corpus words and word pairs, so the trie has real branching.
    pairs = [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    fillers = [f"terme{n} spécial" for n in range(10_000)]
    sources = list(dict.fromkeys(words + pairs + fillers))[:10_000]
    terms = [Term(s, s.upper()) for s in sources]
    print(f"\n== matching speed: {len(terms)} terms, {len(texts)} corpus segments ==")
    start = time.perf_counter()
    matcher = glossary.compile_terms(terms)
    compile_s = time.perf_counter() - start
    start = time.perf_counter()
    hits = sum(len(glossary.find_terms(t, matcher)) for t in texts)
    trie_s = time.perf_counter() - start
    sample = texts[:10]
    patterns = [re.compile(rf"(?<!\w){re.escape(s)}(?!\w)", re.IGNORECASE) for s in sources]
    start = time.perf_counter()
    for t in sample:
        for p in patterns:
            p.search(t)
    per_segment_regex = (time.perf_counter() - start) / len(sample)
    per_segment_trie = trie_s / len(texts)
    print(f"  compile the trie once           {compile_s * 1000:8.1f} ms")
    print(
        f"  trie: all segments              {trie_s * 1000:8.1f} ms "
        f"({per_segment_trie * 1e6:.0f} µs/segment, {hits} hits)"
    )
    print(
        f"  baseline: a regex per term      {per_segment_regex * 1e6:8.0f} µs/segment "
        f"(measured on {len(sample)} segments)"
    )
    print(f"  ratio baseline / trie           x{per_segment_regex / per_segment_trie:.0f}")


def big_glossary(path: Path, count: int) -> Path:
    """The project's glossary and `count` made-up terms after it."""
    lines = [(REPO / "glossary" / "glossary.yaml").read_text(encoding="utf-8").rstrip()]
    for number in range(count):
        lines += [f"  - source: terme{number} inventé", f"    target: made-up term {number}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def bench_big(count: int, baseline: str | None) -> None:
    """4. A glossary of `count` terms, each command a fresh process (as a user runs it):
    `glossary validate`, and a `run` whose every segment the memory answers, with the
    glossary's cache empty (first time) and filled (every time after); with --baseline
    (a checkout of the code before issue 19), the same commands on that code."""
    import os

    sys.path.insert(0, str(REPO / "benchmarks"))
    from _common import run_process

    def timed(command: list[str], env: dict[str, str]) -> str:
        """Wall seconds (CPU seconds) of the command as a fresh process."""
        # cwd: `python -m` looks in the current folder first, so it must be the code's own
        tree = Path(env["PYTHONPATH"])
        done = run_process([sys.executable, "-m", "pipeline", *command], env=env, cwd=tree)
        if done.returncode != 0:
            sys.exit(f"{command} failed: {done.stderr}")
        return f"{done.seconds:.1f} ({done.cpu_seconds:.1f})"

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        path = big_glossary(work / "big.yaml", count)
        run = ["run", "--corpus", str(REPO / "corpus"), "--glossary", str(path)]
        run += ["--out", str(work / "out"), "--engine", "apertium", "--pivot", "es", "--jobs", "1"]
        validate = ["glossary", "validate", "--glossary", str(path)]
        codes = [("this code", str(REPO))] + ([("before (baseline)", baseline)] if baseline else [])
        print(
            f"\n4. a glossary of {count:,} terms ({path.stat().st_size / 1e6:.1f} MB), load "
            f"{os.getloadavg()[0]:.1f}\n"
        )
        print("| code | command | cache empty: wall s (CPU s) | cache filled: wall s (CPU s) |")
        print("| --- | --- | ---: | ---: |")
        for label, tree in codes:
            env = dict(os.environ, PYTHONPATH=tree, PIPELINE_CACHE_DIR=str(work / f"cache-{label}"))
            first_run = run[:-2] if label != "this code" else run  # the baseline has no --jobs
            timed(first_run, env)  # fills the memory (and the cache)
            for name, command in (
                ("glossary validate", validate),
                ("run, memory answers all", first_run),
            ):
                filled = timed(command, env)
                env_empty = dict(env, PIPELINE_CACHE_DIR=str(work / f"empty-{label}-{name}"))
                empty = timed(command, env_empty)
                print(f"| {label} | {name} | {empty} | {filled} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--big", type=int, default=0, help="only section 4, with N terms")
    parser.add_argument("--baseline", help="with --big: a checkout of the code to compare")
    parser.add_argument("--engines", default="apertium,argos")
    parser.add_argument("--pivots", default="es")
    parser.add_argument("--flores-limit", type=int, default=None)
    parser.add_argument("--skip-flores", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    if args.big:
        bench_big(args.big, args.baseline)
        return
    terms = glossary.load_glossary(REPO / "glossary" / "glossary.yaml")
    segments = corpus_segments(terms)
    print(
        f"glossary: {len(terms)} terms; corpus: {len(segments)} segments, "
        f"{sum(bool(s.terms) for s in segments)} with a term"
    )
    with tempfile.TemporaryDirectory() as work:
        engines = open_engines(
            args.engines.split(","), args.pivots.split(","), Path(work), [s.fr for s in segments]
        )
        for label, engine in engines:
            bench_accuracy(label, engine, segments, terms)
        if not args.skip_flores:
            for label, engine in engines:
                bench_flores(label, engine, terms, args.flores_limit)
    if not args.skip_speed:
        bench_speed(segments)


if __name__ == "__main__":
    main()
