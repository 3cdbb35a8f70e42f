"""Where `--pivot both` spends its CPU on top of the two raw pivots (issue 19).

    python benchmarks/pivot_both_parts.py                 # the 40 FLORES articles
    python benchmarks/pivot_both_parts.py --parts engine  # without the raw pivots' tools
    python benchmarks/pivot_both_parts.py --parts lookups # the skipped lookups, tuning sets
    python benchmarks/pivot_both_parts.py --parts flush   # what the NUL per segment costs
    python benchmarks/pivot_both_parts.py --parts scheduling  # the tools under SCHED_BATCH
    python benchmarks/pivot_both_parts.py --pivot es      # --pivot es against its raw pivot
    python benchmarks/pivot_both_parts.py --parts alone --against /tmp/base --pivot es
    python benchmarks/pivot_both_parts.py --parts tagger  # what a tagger start costs
    PIPELINE_CODE=/path/to/checkout python benchmarks/pivot_both_parts.py --parts engine

The texts are those a first run of the 40 articles of `speed.py --scaling` sends to the
engine (project glossary), in the chunks a first run makes (200, then 1,000, then the
rest: fixed here, where a run sizes them from its rate), each through
`runner.translate_batch` (the engine, then the glossary's second call) as the run does.

- raw: each pivot as `speed.py` times it (`apertium X | apertium Y`, text format), then
  the same chain with each tool timed alone (GNU time around every tool of the
  `apertium` script's pipeline: deformatter, its gawk wrappers, the mode's tools).
- engine: --pivot both's (or es's) CPU by part. Apertium's processes are read from /proc at each
  part's start and end (the kept tools by mode and tool; the taggers started for each
  batch, reaped, in their own row), this process's CPU (every thread) beside them.
  Parts: the first pass, the unknown-word lookups, the English model's scoring, the
  repairs, the rest of `finish`, and the same for the glossary's engine calls (with
  `--pivot es`: the engine's calls); the per-batch tools started (the taggers); the
  whole engine against the raw pivots of the same run.
- alone: the engine alone (12 chunks of 190 through ApertiumEngine or BothPivotsEngine,
  its kept chains started anew), in fresh processes, the checkout of `--against` and
  this one alternating; CPU of each process tree.
- tagger: fr-es's tagger on its real input for the texts (made once by the tools before
  it): started for each of 12 chunks against one for all, with and without -d.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import GLOSSARY, machine  # noqa: E402

# PIPELINE_CODE=<a checkout>: that code's engine, for a before/after in the same round
if os.environ.get("PIPELINE_CODE"):
    sys.path.insert(0, os.environ["PIPELINE_CODE"])
    # imported now: scaling.py, imported later, puts this checkout first on the path
    import pipeline  # noqa: F401, E402

TICK = os.sysconf("SC_CLK_TCK")
CHUNKS = (200, 1000)


def engine_texts_of_flores40(work: Path) -> list[str]:
    from scaling import flores_articles
    from speed import engine_texts

    return engine_texts(flores_articles(work / "f40", 40))


# --- the processes under this one, from /proc --------------------------------------------


def _stat(pid: int):
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[:-1]
    except OSError:
        return []


def descendants() -> dict[int, tuple[str, float]]:
    """pid → (label, CPU s) of every live process under this one. A tool under a kept
    mode's shell is labelled `mode tool file`."""
    parents, cpu = {}, {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (found := _stat(int(entry))):
            parents[int(entry)], cpu[int(entry)] = found
    me, out = os.getpid(), {}
    for pid in cpu:
        chain, p = [], pid
        while p in parents and p != me and p > 1:
            chain.append(p)
            p = parents[p]
        if p != me or pid == me:
            continue
        args = _cmdline(pid)
        label = " ".join(Path(a).name for a in args[:1])
        if args[:1] == ["bash"] and len(args) > 3:
            label = f"{args[3]} (shell)"
        elif len(chain) >= 2:  # a tool of a kept mode's shell
            shell = _cmdline(chain[1])
            mode = shell[3] if len(shell) > 3 else "?"
            files = [Path(a).name for a in args[1:] if "/" in a]
            label = f"{mode} {label} {files[-1] if files else ''}".strip()
        out[pid] = (label, cpu[pid])
    return out


def reaped() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


class Ledger:
    """CPU seconds by part: this process's, Apertium's by tool, the reaped children's."""

    def __init__(self) -> None:
        self.python: dict[str, float] = defaultdict(float)
        self.tools: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.reaped: dict[str, float] = defaultdict(float)
        self.local = threading.local()

    def part(self, name: str, function):
        @functools.wraps(function)
        def timed(*args, **kwargs):
            if getattr(self.local, "inside", None):  # a part inside a part: the outer counts
                return function(*args, **kwargs)
            self.local.inside = name
            before, cpu, dead = descendants(), time.process_time(), reaped()
            try:
                return function(*args, **kwargs)
            finally:
                self.python[name] += time.process_time() - cpu
                after = descendants()
                # a kept tool reaped in this part (a tagger started again): its CPU up to
                # the part's start was counted in the parts before
                counted = sum(used for pid, (_, used) in before.items() if pid not in after)
                self.reaped[name] += reaped() - dead - counted
                for pid, (label, used) in after.items():
                    self.tools[name][label] += used - before.get(pid, ("", 0.0))[1]
                self.local.inside = None

        return timed


class ThreadTimer:
    """Thread CPU of a function called inside a part (the English model, the repairs)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.lock = threading.Lock()

    def wrap(self, name: str, function):
        @functools.wraps(function)
        def timed(*args, **kwargs):
            start = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                with self.lock:
                    self.seconds[name] += time.thread_time() - start

        return timed


def part_engine(texts: list[str], pivot: str = "both", raw_cpu: float | None = None) -> None:
    from pipeline import glossary, runner
    from pipeline.translate import apertium, apertium_plus, english_lm, repairs
    from pipeline.translate.engine import open_engine

    terms = glossary.load_glossary(GLOSSARY)
    engine = open_engine("apertium", pivot)
    starts = defaultdict(int)  # per-batch tools started, by mode
    real_spawn = apertium.KeptPipeline._spawn

    def spawn(self, stage, stdin, err):
        if stage.per_batch:
            starts[stage.mode] += 1
        return real_spawn(self, stage, stdin, err)

    apertium.KeptPipeline._spawn = spawn
    _ = engine.version
    start_cpu, start_dead = time.process_time(), reaped()
    model_cpu = time.process_time()
    if pivot == "both":
        english_lm.load_model()
    model_cpu = time.process_time() - model_cpu

    ledger, inner = Ledger(), ThreadTimer()
    kind = threading.local()
    originals = {
        "first_pass": apertium_plus.first_pass,
        "resolve_unknown_words": apertium_plus.resolve_unknown_words,
        "finish": apertium_plus.finish,
        "choose_sentence": apertium_plus.choose_sentence,
        "_translate_words": apertium_plus._translate_words,
        "apply": repairs.apply,
    }

    def labelled(name):
        def call(*args, **kwargs):
            return ledger.part(f"{name} ({kind.call})", originals[name])(*args, **kwargs)

        return call

    apertium_plus.first_pass = labelled("first_pass")
    apertium_plus.resolve_unknown_words = labelled("resolve_unknown_words")
    apertium_plus.finish = labelled("finish")
    apertium_plus.choose_sentence = inner.wrap(
        "  English model: choose_sentence", originals["choose_sentence"]
    )
    apertium_plus._translate_words = inner.wrap(
        "  _translate_words (thread CPU)", originals["_translate_words"]
    )
    repairs.apply = inner.wrap("  repairs.apply", originals["apply"])
    translate = engine.translate

    if pivot != "both":  # a single pivot's engine: its calls are the parts

        def translate(batch, n_best=1, progress=None):
            part = ledger.part(f"translate ({kind.call})", type(engine).translate)
            return part(engine, batch, n_best, progress)

    def counted(batch, n_best=1, progress=None):
        kind.call = "engine" if kind.first else "glossary"
        kind.first = False
        return translate(batch, n_best, progress)

    engine.translate = counted
    sizes, start = [], 0
    while start < len(texts):
        size = CHUNKS[min(len(sizes), len(CHUNKS) - 1)]
        if len(texts) - (start + size) < size // 2:
            size = len(texts) - start
        sizes.append(size)
        kind.first = True
        runner.translate_batch(texts[start : start + size], engine, terms)
        start += size
    final = descendants()
    apertium.close_kept_pipelines()
    total_children = reaped() - start_dead
    total_python = time.process_time() - start_cpu
    for name, function in originals.items():
        setattr(repairs if name == "apply" else apertium_plus, name, function)
    apertium.KeptPipeline._spawn = real_spawn

    print(f"\n## --pivot {pivot}, {len(texts)} texts in chunks of {', '.join(map(str, sizes))}\n")
    print("| part | Python CPU s | Apertium CPU s (kept tools) | per-batch tools (reaped) |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| English model load | {model_cpu:.2f} | | |")
    for name in ledger.python:
        kept = sum(ledger.tools[name].values())
        print(f"| {name} | {ledger.python[name]:.2f} | {kept:.2f} | {ledger.reaped[name]:.2f} |")
    for name, seconds in inner.seconds.items():
        print(f"| {name} | {seconds:.2f} | | |")
    inside = sum(ledger.python.values()) + model_cpu
    print(
        f"| the rest of this process (enforce.py's markup, chunking) | "
        f"{total_python - inside:.2f} | | |"
    )
    print(
        f"| all (this process; every child, reaped at the end) | {total_python:.2f} "
        f"| {total_children:.2f} | |"
    )
    print(
        "\nper-batch tools started: "
        + (", ".join(f"{m} {n}" for m, n in sorted(starts.items())) or "none")
        + f" ({sum(starts.values())} in all)"
    )
    engine_cpu = total_python + total_children
    if raw_cpu:
        print(
            f"\n**engine {engine_cpu:.2f} CPU s against the raw pivots' {raw_cpu:.2f} "
            f"in the same run: {engine_cpu / raw_cpu:.2f}x, {engine_cpu - raw_cpu:+.2f} s**"
        )
    print("\nkept tools' CPU s by part (first pass and lookups):\n")
    names = list(ledger.tools)
    labels = sorted({label for name in names for label in ledger.tools[name]})
    print("| tool | " + " | ".join(names) + " |")
    print("| --- |" + " ---: |" * len(names))
    for label in labels:
        row = [ledger.tools[name].get(label, 0.0) for name in names]
        if sum(row) >= 0.02:
            print(f"| {label} | " + " | ".join(f"{v:.2f}" for v in row) + " |")
    by_mode = defaultdict(float)
    for label, (_, used) in ((lab, (0, c)) for lab, c in _labels_cpu(final)):
        by_mode[label.split()[0]] += used
    print(
        "\nkept tools' CPU s by mode over the run: "
        + ", ".join(f"{m} {s:.2f}" for m, s in sorted(by_mode.items()))
    )


def _labels_cpu(snapshot):
    return [(label, used) for label, used in snapshot.values()]


# --- the raw pivots, tool by tool ----------------------------------------------------------


def raw_tools(pivot: str, texts: list[str], work: Path) -> float:
    from pipeline.translate import apertium

    source = work / f"raw-{pivot}.txt"
    source.write_text("\n".join(texts) + "\n", encoding="utf-8")
    to_pivot, to_english = apertium.PIVOT_MODES[pivot]
    shell = f"apertium {to_pivot} | apertium {to_english}"
    start = reaped()
    with source.open("rb") as stdin:
        subprocess.run(["bash", "-c", shell], stdin=stdin, stdout=subprocess.DEVNULL, check=True)
    whole = reaped() - start

    log = work / f"times-{pivot}"
    log.unlink(missing_ok=True)

    def timed(label: str, command: str) -> str:
        return f"/usr/bin/time -a -o {log} -f '%U %S {label}' {command}"

    wrap = (
        'gawk -v var= \'BEGIN { RS="\\0|\\n"; } { printf "%s%s", $0, RT } RT=="\\0" { fflush() }\''
    )
    parts = []
    for mode in (to_pivot, to_english):
        datadir = apertium._script_datadir()
        done = subprocess.run(
            ["apertium-wblank-mode", f"{datadir}/modes/{mode}.mode"],
            capture_output=True,
            text=True,
            check=True,
        )
        tools = apertium.mode_tools(done.stdout.strip())
        tools = [t.replace("$1", "-g" if False else "-n").replace("$2", "") for t in tools]
        parts.append(timed(f"{mode} apertium-destxt", "apertium-destxt -n"))
        parts.append(timed(f"{mode} sed", "sed 's/[[:space:]]*\\[$/[][/'"))
        parts.append(timed(f"{mode} gawk-wrap", wrap))
        for n, tool in enumerate(tools):
            name = tool.split()[0]
            files = [Path(a.strip("'")).name for a in tool.split() if "/" in a]
            parts.append(timed(f"{mode} {n:02d} {name} {files[-1] if files else ''}", tool))
        parts.append(timed(f"{mode} gawk-unwrap", wrap))
        parts.append(timed(f"{mode} apertium-retxt", "apertium-retxt"))
    start = reaped()
    with source.open("rb") as stdin:
        subprocess.run(
            ["bash", "-c", " | ".join(parts)],
            stdin=stdin,
            stdout=subprocess.DEVNULL,
            check=True,
            env=apertium._utf8_environment(),
        )
    each = reaped() - start
    rows = []
    for line in log.read_text().splitlines():
        user, system, label = line.split(" ", 2)
        rows.append((label, float(user) + float(system)))
    print(f"\n## raw {pivot}: `{shell}` {whole:.2f} CPU s; each tool timed: {each:.2f} CPU s\n")
    print("| tool | CPU s |")
    print("| --- | ---: |")
    for label, seconds in sorted(rows):
        print(f"| {label} | {seconds:.2f} |")
    return whole


def part_lookups() -> None:
    """The unknown-word lookups apertium_plus skips (words the other pivot's own first
    pass left unknown, standing whole), asked anyway on the tuning sets: how many come
    back clean (each one a lookup the skip would lose)."""
    from _common import EVAL

    from pipeline.translate import apertium_plus as plus
    from pipeline.translate.english_lm import load_model

    texts = [
        line
        for name in ("flores101-dev.fr", "newstest2013.fr")
        for line in (EVAL / name).read_text(encoding="utf-8").splitlines()
    ]
    lm = load_model()
    size = 500  # as a run's chunks: what the other pivot lacked in the same chunk
    skipped, clean, examples = 0, 0, []
    for start in range(0, len(texts), size):
        hyps = plus.first_pass(texts[start : start + size])
        lacks = {p: {w for t in hyps[p] for w in plus._whole_unknown_words(t)} for p in plus.PIVOTS}
        for pivot in plus.PIVOTS:
            other = plus.OTHER[pivot]
            asked = {
                w
                for t in hyps[pivot]
                for mark, w in plus.MARKED_WORD.findall(t)
                if mark == "**" and not lm.is_english_word(w)
            }
            skip = asked & lacks[other]
            answers = plus._translate_words(skip, plus.PIVOT_MODES[other])
            skipped += len(skip)
            for word in skip:
                if plus._is_clean(answers.get(word, "")):
                    clean += 1
                    examples.append(f"{word} → {answers[word]}")
    print(
        f"\n## lookups skipped on the tuning sets ({len(texts)} texts, chunks of {size}): "
        f"{skipped} words the other pivot also left unknown; {clean} would have come back "
        f"clean {examples[:10]}"
    )


def part_flush(texts: list[str], rounds: int = 2) -> None:
    """Each pivot's chains as one shell pipeline (no Python between the tools, no
    per-batch tagger) over the engine's own stream: a NUL after each segment with `-z`
    (what the engine sends), newlines without `-z`, and one NUL at the end."""
    from pipeline.translate import apertium
    from pipeline.translate.apertium_plus import PIVOTS, protect_literals

    stream = apertium.build_stream([protect_literals(t) for t in texts]).encode("utf-8")
    inputs = {
        "a NUL after each segment, -z": (stream, True),
        "newline for NUL, no -z": (stream.replace(b"\0", b"\n"), False),
        "one NUL at the end, -z": (stream.replace(b"\0", b"") + b"\0", True),
    }
    print("\n## the chains as one shell pipeline over the engine's stream (CPU s a round)\n")
    print("| stream | " + " | ".join(PIVOTS) + " |")
    print("| --- |" + " ---: |" * len(PIVOTS))
    for name, (data, flush) in inputs.items():
        row = []
        for pivot in PIVOTS:
            command = chain_command(pivot, flush)
            seconds = []
            for _ in range(rounds):
                start = reaped()
                subprocess.run(
                    ["bash", "-c", command],
                    input=data,
                    stdout=subprocess.DEVNULL,
                    env=apertium._utf8_environment(),
                    check=True,
                )
                seconds.append(f"{reaped() - start:.2f}")
            row.append(" / ".join(seconds))
        print(f"| {name} | " + " | ".join(row) + " |")


def chain_command(pivot: str, flush: bool = True) -> str:
    """A pivot's two modes as one shell pipeline of their tools (`-z`: a NUL flushes)."""
    from pipeline.translate import apertium

    datadir = apertium._script_datadir()
    commands = []
    for mode in apertium.PIVOT_MODES[pivot]:
        done = subprocess.run(
            ["apertium-wblank-mode", *(["-z"] if flush else []), f"{datadir}/modes/{mode}.mode"],
            capture_output=True,
            text=True,
            check=True,
        )
        commands.append(done.stdout.strip().replace("$1", "-g").replace("$2", ""))
    return " | ".join(commands)


def part_scheduling(texts: list[str], rounds: int = 2) -> None:
    """The chains over the engine's own stream (a NUL after each segment) under the default
    scheduling policy and under SCHED_BATCH, as the engine starts its tools
    (apertium.batch_scheduling): CPU, wall, voluntary context switches, the same bytes."""
    from pipeline.translate import apertium
    from pipeline.translate.apertium_plus import PIVOTS, protect_literals

    stream = apertium.build_stream([protect_literals(t) for t in texts]).encode("utf-8")
    print("\n## the chains under the default policy and under SCHED_BATCH\n")
    print("| pivot | round | default: CPU s / wall s / switches | SCHED_BATCH | same bytes |")
    print("| --- | ---: | --- | --- | --- |")
    for pivot in PIVOTS:
        command = chain_command(pivot)
        for round_ in range(1, rounds + 1):
            cells, outputs = [], []
            for batch in (False, True):
                usage = resource.getrusage(resource.RUSAGE_CHILDREN)
                began = time.perf_counter()
                context = apertium.batch_scheduling() if batch else contextlib.nullcontext()
                with context:
                    done = subprocess.run(
                        ["bash", "-c", command],
                        input=stream,
                        capture_output=True,
                        env=apertium._utf8_environment(),
                        check=True,
                    )
                wall = time.perf_counter() - began
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
                switches = after.ru_nvcsw - usage.ru_nvcsw
                cells.append(f"{cpu:.2f} / {wall:.2f} / {switches:,}")
                outputs.append(done.stdout)
            same = "yes" if outputs[0] == outputs[1] else "NO"
            print(f"| {pivot} | {round_} | {cells[0]} | {cells[1]} | {same} |", flush=True)


_ALONE = r"""
import sys
from pipeline.translate import apertium as ap, apertium_plus
texts = open(sys.argv[2], encoding="utf-8").read().split("\0")
pivot = sys.argv[1]
engine = apertium_plus.BothPivotsEngine() if pivot == "both" else ap.ApertiumEngine(pivot)
for start in range(0, len(texts), 190):
    engine.translate(texts[start : start + 190])
ap.close_kept_pipelines()
"""


def part_alone(texts: list[str], pivot: str, against: str, work: Path, rounds: int = 2) -> None:
    source = work / "texts"
    source.write_text("\0".join(texts), encoding="utf-8")
    here = str(Path(__file__).resolve().parents[1])
    print(f"\n## the engine alone, --pivot {pivot}: {against} / this checkout (CPU s)\n")
    for number in range(rounds):
        row = []
        for code in (against, here):
            start = reaped()
            # run in the code's folder: `python -c` puts the working folder first on
            # sys.path, ahead of PYTHONPATH, so from this checkout both ran this code
            subprocess.run(
                [sys.executable, "-c", _ALONE, pivot, str(source)],
                env={**os.environ, "PYTHONPATH": code},
                cwd=code,
                check=True,
            )
            row.append(f"{reaped() - start:.2f}")
        print(f"round {number + 1}: {' / '.join(row)} (load {os.getloadavg()[0]:.1f})", flush=True)


def part_tagger(texts: list[str], rounds: int = 3) -> None:
    from pipeline.translate import apertium
    from pipeline.translate.apertium_plus import protect_literals

    tools = apertium.mode_tools(apertium._mode_command("fr-es"))
    at = next(i for i, tool in enumerate(tools) if tool.startswith("apertium-tagger"))
    before = " | ".join(tools[:at]).replace("$1", "-g").replace("$2", "")
    env = apertium._utf8_environment()
    stream = apertium.build_stream([protect_literals(t) for t in texts]).encode("utf-8")
    done = subprocess.run(["bash", "-c", before], input=stream, capture_output=True, env=env)
    segments = done.stdout.split(b"\0")[:-1]
    chunks = [b"\0".join(segments[i : i + 190]) + b"\0" for i in range(0, len(segments), 190)]
    print(f"\n## fr-es's tagger alone, {len(segments)} segments in {len(chunks)} chunks (CPU s)\n")
    for number in range(rounds):
        for debug in ("", "-d "):
            tagger = "exec " + tools[at].replace("$2 ", debug)
            start = reaped()
            for chunk in chunks:
                subprocess.run(["bash", "-c", tagger], input=chunk, capture_output=True, env=env)
            fresh = reaped() - start
            start = reaped()
            subprocess.run(
                ["bash", "-c", tagger], input=b"".join(chunks), capture_output=True, env=env
            )
            kept = reaped() - start
            print(
                f"round {number + 1} {debug or 'no -d'}: started for each chunk {fresh:.3f}, "
                f"one for all {kept:.3f}",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parts", default="raw,engine")
    parser.add_argument("--pivot", default="both", choices=("both", "es", "ca"))
    parser.add_argument("--against", help="another checkout, for --parts alone")
    args = parser.parse_args()
    parts = args.parts.split(",")
    print(f"machine: {machine()}")
    print(
        f"command: python benchmarks/pivot_both_parts.py --parts {args.parts} --pivot {args.pivot}"
    )
    with tempfile.TemporaryDirectory(prefix="pivot-both-parts-") as tmp:
        work = Path(tmp)
        wanted = {"raw", "engine", "flush", "scheduling", "alone", "tagger"}
        texts = engine_texts_of_flores40(work) if wanted & set(parts) else []
        raw_cpu = None
        if "raw" in parts:
            pivots = ("es", "ca") if args.pivot == "both" else (args.pivot,)
            raw_cpu = sum(raw_tools(pivot, texts, work) for pivot in pivots)
        if "engine" in parts:
            part_engine(texts, args.pivot, raw_cpu)
        if "flush" in parts:
            part_flush(texts)
        if "scheduling" in parts:
            part_scheduling(texts)
        if "alone" in parts:
            if not args.against:
                parser.error("--parts alone needs --against CHECKOUT")
            part_alone(texts, args.pivot, args.against, work)
        if "tagger" in parts:
            part_tagger(texts)
    if "lookups" in parts:
        part_lookups()


if __name__ == "__main__":
    main()
