"""How the pipeline copes with big inputs: times, and ratios against a baseline measured in
the same run.

1. A 20 MB article (FLORES French, and one paragraph of 1.2 MB): reading, cleaning, and
   sentence splitting, in MB/s, against the project's five articles (43 KB).
2. One paragraph of 1.2 MB against the same text cut in ordinary paragraphs.
3. 10,000 small files: reading and preparing (clean, sentences, terms), per file.
4. Writing their outputs (50,000 files) all together: one syncfs against an fsync per file.
5. Glossary: loading and matching the corpus with 10,000 terms against the project's
   glossary, and the memory's glossary signature of a segment.
6. A 5 MB article on ONE line, with its punctuation and without any: reading and preparing
   it (clean, sentences, terms; no translation) in a process of its own, CPU seconds and
   peak memory (RSS), against the same at 1.25 and 2.5 MB (linear time: equal s/MB) and
   against a process preparing a one-line article (spaCy and the lexicon loaded).
7. With --whole-run: the same one-line articles (1.25 and 5 MB, with and without
   punctuation) through a whole `pipeline run --engine apertium --pivot es` (translation,
   checks, every output), each a process of its own: CPU seconds (user + sys, the
   Apertium processes included), peak RSS of the run's process, s/MB at 5 over 1.25 MB.

    python benchmarks/limits.py [--quick] [--only glossary|big|many|oneline] [--whole-run]
    (--quick: 2 MB and 1,000 files; --only oneline --whole-run: item 7 alone)
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import clean, corpus, export, fileio, glossary, memory, runner, segment  # noqa: E402

FLORES = ROOT.parent / "shared" / "eval" / "flores200-devtest.fr"


def cpu(function, *args):
    """(result, CPU seconds) of one call."""
    started = time.process_time()
    result = function(*args)
    return result, time.process_time() - started


def french_lines() -> list[str]:
    return FLORES.read_text(encoding="utf-8").splitlines()


def big_article(size: int) -> str:
    lines = french_lines()
    block = "\n\n".join(" ".join(lines[i : i + 5]) for i in range(0, len(lines), 5)) + "\n\n"
    huge = " ".join(lines)
    huge = ((huge + " ") * (1_200_000 // len(huge) + 1))[:1_200_000]
    body = (block * (size // len(block) + 1))[: max(0, size - len(huge))]
    return body.rsplit("\n\n", 1)[0] + "\n\n" + huge.rsplit(" ", 1)[0] + ".\n"


def prepare(text: str, name: str = "doc"):
    cleaned, clean_s = cpu(clean.clean_text, text)
    segments, segment_s = cpu(segment.segment_document, name, cleaned.text)
    return segments, clean_s, segment_s


def report_big(size: int, work: Path) -> None:
    corpus_text = "\n\n".join(
        p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))
    )
    base_segments, base_clean, base_split = prepare(corpus_text)
    base_mb = len(corpus_text.encode()) / 1e6
    text = big_article(size)
    folder = work / "big"
    folder.mkdir()
    (folder / "article.txt").write_text(text, encoding="utf-8")
    docs, read_s = cpu(corpus.read_corpus, folder)
    segments, clean_s, split_s = prepare(docs[0].raw)
    mb = len(text.encode()) / 1e6
    print(f"\n1. one article of {mb:.1f} MB ({len(segments):,} segments)")
    print(f"   read    {read_s:7.2f} s")
    print(
        f"   clean   {clean_s:7.2f} s  {mb / clean_s:5.2f} MB/s  "
        f"(corpus of {base_mb * 1000:.0f} KB: {base_mb / base_clean:5.2f} MB/s; "
        f"ratio {(mb / clean_s) / (base_mb / base_clean):.2f})"
    )
    print(
        f"   split   {split_s:7.2f} s  {mb / split_s:5.2f} MB/s  "
        f"(corpus: {base_mb / base_split:5.2f} MB/s; "
        f"ratio {(mb / split_s) / (base_mb / base_split):.2f})"
    )
    paragraph = " ".join(french_lines())
    paragraph = ((paragraph + " ") * (1_200_000 // len(paragraph) + 1))[:1_200_000]
    _, long_s = cpu(segment.segment_document, "long", paragraph)
    cut = "\n\n".join(" ".join(paragraph.split(" ")[i : i + 120]) for i in range(0, 200_000, 120))
    cut = (cut + "\n\n") * (len(paragraph) // len(cut) + 1)
    _, short_s = cpu(segment.segment_document, "short", cut[: len(paragraph)])
    print(
        f"\n2. sentences of one 1.2 MB paragraph: {long_s:.2f} s; the same text in ordinary "
        f"paragraphs: {short_s:.2f} s (ratio {long_s / short_s:.2f})"
    )


def report_many(count: int, work: Path) -> None:
    lines = french_lines()
    folder = work / "many"
    folder.mkdir()
    for number in range(count):
        text = f"Dépêche {number}\n\n{lines[number % len(lines)]}\n"
        (folder / f"dépêche {number:05d}.txt").write_text(text, encoding="utf-8")
    terms = glossary.load_glossary(ROOT / "glossary" / "glossary.yaml")
    docs, read_s = cpu(corpus.read_corpus, folder)
    prepared, prepare_s = cpu(lambda: [runner.prepare_document(d, terms) for d in docs])
    segments = sum(len(p.segments) for p in prepared)
    print(f"\n3. {count:,} small files ({segments:,} segments)")
    print(f"   read     {read_s:7.2f} s  {read_s / count * 1000:.2f} ms a file")
    print(f"   prepare  {prepare_s:7.2f} s  {prepare_s / count * 1000:.2f} ms a file")
    for p in prepared:
        for s in p.segments:
            s.en, s.origin = s.fr, "engine"

    def write_all(out: Path) -> None:
        with fileio.writes_together():
            for p in prepared:
                export.write_document(out, p.doc, p.segments)

    def write_each_synced(out: Path) -> None:
        # the way before: every file written, fsync'd and renamed on its own
        for p in prepared:
            for suffix, data in export.render_document(p.doc, p.segments).items():
                tmp = fileio.write_temporary(out / f"{p.doc.name}{suffix}", data, sync=True)
                os.replace(tmp, out / f"{p.doc.name}{suffix}")

    timings = {}
    for name, write in (("together", write_all), ("each", write_each_synced)):
        out = work / f"out-{name}"
        out.mkdir()
        started = time.perf_counter()
        write(out)
        timings[name] = time.perf_counter() - started
    print(
        f"\n4. writing {count * 5:,} output files: together with one syncfs "
        f"{timings['together']:.1f} s; an fsync and a rename each {timings['each']:.1f} s "
        f"(ratio {timings['each'] / timings['together']:.2f})"
    )


def report_glossary(work: Path) -> None:
    real_path = ROOT / "glossary" / "glossary.yaml"
    real, real_load = cpu(glossary.load_glossary, real_path)
    lines = [real_path.read_text(encoding="utf-8").rstrip()]
    for number in range(10_000 - len(real)):
        lines += [f"  - source: terme{number} inventé", f"    target: made-up term {number}"]
    big_path = work / "glossary-10000.yaml"
    big_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    big, big_load = cpu(glossary.load_glossary, big_path)
    texts = []
    for path in sorted((ROOT / "corpus").glob("*.txt")):
        cleaned = clean.clean_text(path.read_text(encoding="utf-8"))
        texts += [s.fr for s in segment.segment_document(path.stem, cleaned.text)]
    rounds = 5

    def match(terms):
        for _ in range(rounds):
            hits = [glossary.find_terms(t, terms) for t in texts]
        return hits

    # the matcher is compiled once per run (and kept for the same list of terms)
    _, real_compile = cpu(glossary.compile_terms, real)
    real_hits, real_match = cpu(match, real)
    _, big_compile = cpu(glossary.compile_terms, big)
    big_hits, big_match = cpu(match, big)
    assert real_hits == big_hits, "the made-up terms must not change the hits"
    n = len(texts) * rounds
    print(f"\n5. glossary of {len(big):,} terms against the project's {len(real)}")
    print(
        f"   load    {big_load:6.2f} s against {real_load:.3f} s "
        f"(ratio {big_load / real_load:.0f}; {len(big) / len(real):.0f} times the terms)"
    )
    print(f"   compile {big_compile:6.2f} s against {real_compile:.3f} s (once a run)")
    print(
        f"   match   {big_match / n * 1e6:6.1f} µs a segment against "
        f"{real_match / n * 1e6:.1f} µs (ratio {big_match / real_match:.2f}; "
        f"{n:,} segments, same hits)"
    )
    with_hits = [s for s in real_hits if s][:200] or [[]]
    _, sig_real = cpu(lambda: [memory.glossary_signature(h, real) for h in with_hits * 10])
    _, sig_big = cpu(lambda: [memory.glossary_signature(h, big) for h in with_hits * 10])
    calls = len(with_hits) * 10
    print(
        f"   memory signature {sig_big / calls * 1e6:6.1f} µs a segment against "
        f"{sig_real / calls * 1e6:.1f} µs (ratio {sig_big / sig_real:.2f})"
    )


PREPARE_ONE = """
import resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from pipeline import clean, glossary, inputs, runner, segment
terms = glossary.load_glossary(Path(sys.argv[2]) / "glossary" / "glossary.yaml")
started = time.process_time()
doc = inputs.read_document(Path(sys.argv[1]))
prepared = runner.prepare_document(doc, terms)
seconds = time.process_time() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{seconds:.2f} {peak:.0f} {len(prepared.segments)}")
"""


def prepare_in_a_process(path: Path) -> tuple[float, float, int]:
    """(CPU seconds, peak RSS in MB, segments) of reading and preparing one article."""
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", PREPARE_ONE, str(path), str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds, peak, segments = done.stdout.split()
    return float(seconds), float(peak), int(segments)


def one_line_article(size: int, punctuation: bool) -> str:
    text = " ".join(french_lines())
    if not punctuation:  # letters, digits and spaces only: no sentence ends anywhere
        text = "".join(ch for ch in text if ch.isalnum() or ch == " ")
    text = ((text + " ") * (size // len(text) + 1))[:size]
    return text.rsplit(" ", 1)[0] + "\n"


def report_one_line(work: Path, sizes=(1_250_000, 2_500_000, 5_000_000)) -> None:
    (work / "tiny.txt").write_text("La Corée du Nord a tiré un missile.\n", encoding="utf-8")
    _, base_peak, _ = prepare_in_a_process(work / "tiny.txt")
    print(
        f"\n6. one article on one line: read and prepare (clean, sentences, terms), "
        f"each in a process of its own (a one-sentence article: peak {base_peak:.0f} MB)"
    )
    for punctuation in (True, False):
        rates = []
        for size in sizes:
            path = work / f"line-{size}-{punctuation}.txt"
            path.write_text(one_line_article(size, punctuation), encoding="utf-8")
            mb = path.stat().st_size / 1e6
            seconds, peak, segments = prepare_in_a_process(path)
            rates.append(seconds / mb)
            print_size_row(punctuation, mb, seconds, peak, segments)
        print_linearity(sizes, rates)


def print_size_row(punctuation: bool, mb: float, seconds: float, peak: float, segments: int):
    print(
        f"   {'with' if punctuation else 'without'} punctuation {mb:4.2f} MB: "
        f"{seconds:6.1f} s CPU ({seconds / mb:4.1f} s/MB), peak {peak:4.0f} MB, "
        f"{segments:,} segments"
    )


def print_linearity(sizes: list[int], rates: list[float]) -> None:
    print(
        f"   s/MB at {sizes[-1] / 1e6:.0f} MB over s/MB at {sizes[0] / 1e6:.2f} MB: "
        f"{rates[-1] / rates[0]:.2f} (1.00 = linear)"
    )


def run_in_a_process(corpus_dir: Path, out: Path, jobs: str = "") -> tuple[float, float, str]:
    """(CPU seconds, peak RSS in MB, last line printed) of a whole `pipeline run` over
    the folder, in a process of its own (os.wait4: that process's own figures, with the
    Apertium processes it waited for)."""
    import subprocess

    command = [sys.executable, "-m", "pipeline", "run", "--corpus", str(corpus_dir),
               "--out", str(out), "--engine", "apertium", "--pivot", "es", "--quiet"]  # fmt: skip
    if jobs:
        command += ["--jobs", jobs]
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=errors,
                                   stderr=errors)  # fmt: skip
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        printed = errors.read().decode("utf-8", "replace").strip()
    if process.returncode != 0:
        raise SystemExit(f"pipeline run failed ({process.returncode}): {printed[-2000:]}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, printed


def report_whole_run(work: Path, sizes=(1_250_000, 5_000_000), jobs: str = "") -> None:
    print(
        "\n7. one article on one line, a whole `pipeline run --engine apertium --pivot es"
        f"{' --jobs ' + jobs if jobs else ''}` (translation, checks, every output), "
        "each in a process of its own"
    )
    for punctuation in (True, False):
        rates = []
        for size in sizes:
            corpus_dir = work / f"run-{size}-{punctuation}"
            corpus_dir.mkdir()
            path = corpus_dir / "article.txt"
            path.write_text(one_line_article(size, punctuation), encoding="utf-8")
            mb = path.stat().st_size / 1e6
            seconds, peak, _ = run_in_a_process(corpus_dir, work / f"out-{size}-{punctuation}",
                                                jobs)  # fmt: skip
            segments = sum(1 for _ in (work / f"out-{size}-{punctuation}" / "article.jsonl")
                           .open(encoding="utf-8"))  # fmt: skip
            rates.append(seconds / mb)
            print_size_row(punctuation, mb, seconds, peak, segments)
        print_linearity(sizes, rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 MB and 1,000 files")
    parser.add_argument("--only", choices=["glossary", "big", "many", "oneline"])
    parser.add_argument(
        "--whole-run",
        action="store_true",
        help="also a whole pipeline run over the one-line articles (peak memory, CPU)",
    )
    parser.add_argument("--jobs", default="", help="--jobs for the whole runs (default: none)")
    args = parser.parse_args()
    if args.whole_run and args.only == "oneline":
        with tempfile.TemporaryDirectory(prefix="pipeline-limits-") as tmp:
            report_whole_run(Path(tmp), jobs=args.jobs)
        return
    size, count = (2_000_000, 1_000) if args.quick else (20 * 1024 * 1024, 10_000)
    segment.french_nlp()
    clean.clean_text("Chargement du lexique.")  # loaded before the clock starts
    print("CPU seconds of this process unless said otherwise (writing: wall clock)")
    with tempfile.TemporaryDirectory(prefix="pipeline-limits-") as tmp:
        work = Path(tmp)
        if args.only in (None, "glossary"):
            report_glossary(work)
        if args.only in (None, "big"):
            report_big(size, work)
        if args.only in (None, "many"):
            report_many(count, work)
        if args.only in (None, "oneline"):
            report_one_line(work)
        if args.whole_run:
            report_whole_run(work, jobs=args.jobs)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
