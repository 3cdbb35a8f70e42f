"""Helpers the benchmark scripts share: FLORES as lines or as a corpus, alternating
best-of-N timing, timing a child process with its peak memory, the test-built Argos
package of a published model's shape, and a description of the machine.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for _path in (REPO, REPO / "tests"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

EVAL = REPO.parent / "shared" / "eval"
DEVTEST = EVAL / "flores200-devtest.fr"
GLOSSARY = REPO / "glossary" / "glossary.yaml"


def flores_lines(path: Path = DEVTEST) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def flores_corpus(folder: Path, articles: int = 20, path: Path = DEVTEST) -> Path:
    """FLORES written as a corpus: `articles` articles of consecutive lines, a line a paragraph."""
    lines = flores_lines(path)
    per_article = -(-len(lines) // articles)
    folder.mkdir(parents=True)
    for number in range(articles):
        part = lines[number * per_article : (number + 1) * per_article]
        (folder / f"flores_{number:02d}.txt").write_text("\n\n".join(part) + "\n", "utf-8")
    return folder


def alternate(
    runs: Mapping[str, Callable[[], object]], repeat: int
) -> tuple[dict[str, float], dict[str, object]]:
    """Shortest wall time of each run over `repeat` rounds, and each one's last result.

    The runs alternate within a round, so a change in the machine's load (it is shared)
    weighs on all of them alike; the minimum is the least disturbed figure.
    """
    times: dict[str, list[float]] = {name: [] for name in runs}
    results: dict[str, object] = {}
    for _ in range(repeat):
        for name, run in runs.items():
            start = time.perf_counter()
            results[name] = run()
            times[name].append(time.perf_counter() - start)
    return {name: min(values) for name, values in times.items()}, results


@dataclass
class ProcessRun:
    seconds: float  # wall time, from start to exit
    cpu_seconds: float  # user + system time of the process and the children it waited for
    peak_rss_mb: float  # the largest resident set of the process (or of a child it waited for)
    returncode: int
    stderr: str


# GNU time reports the peak RSS of the command alone. (wait4's own figure would not do:
# Linux counts in it the memory of this benchmark process, which the child is forked
# from before it executes the command.)
GNU_TIME = Path("/usr/bin/time")


def run_process(
    args: Sequence[str] | str,
    env: Mapping[str, str] | None = None,
    cwd: Path = REPO,
    stdin: Path | None = None,
    shell: bool = False,
) -> ProcessRun:
    """Run a command to its end: wall time, CPU time (the command's and its children's)
    and peak RSS (of the command or of its largest child), as GNU time reports them."""
    command = ["/bin/sh", "-c", args] if shell else list(args)
    with (
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r") as usage,
        open(stdin or os.devnull, "rb") as source,
    ):
        if not GNU_TIME.exists():
            sys.exit("benchmarks need GNU time (/usr/bin/time: apt-get install time)")
        start = time.perf_counter()
        process = subprocess.run(
            [str(GNU_TIME), "-f", "%M %U %S", "-o", usage.name, *command],
            cwd=cwd, env=dict(env) if env is not None else None,
            stdin=source, stdout=subprocess.DEVNULL, stderr=err, check=False,
        )  # fmt: skip
        seconds = time.perf_counter() - start
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
        fields = usage.read().split()[-3:]  # a failed command adds a line before them
    max_rss_kb, user, system = int(fields[0]), float(fields[1]), float(fields[2])
    return ProcessRun(seconds, user + system, max_rss_kb / 1024, process.returncode, stderr)


def pipeline_env(**extra: str) -> dict[str, str]:
    """Environment for `python -m pipeline` from this checkout (not an installed copy)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    env.update(extra)
    return env


def machine() -> str:
    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GiB"
    except (ValueError, OSError):
        pass
    load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    return (
        f"{os.cpu_count()} CPUs{memory}, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}{load}"
    )


# --- an Argos package of a published model's shape (random weights) -------------------

REAL_SHAPE = {"layers": 6, "width": 512, "heads": 8, "ffn_width": 2048, "vocab_size": 32000}


def argos_training_text() -> list[str]:
    from argos_fixture import corpus_lines

    return [
        *flores_lines(EVAL / "flores101-dev.fr"),
        *flores_lines(EVAL / "flores101-dev.en"),
        *corpus_lines(),
    ]


def build_real_shape_argosmodel(
    folder: Path, lines: Sequence[str], quantization: str = "int8"
) -> tuple[Path, str]:
    """A `.argosmodel` of the published fr→en shape (6 layers, 512 wide, 8 heads, FFN 2048,
    32k vocabulary) with random weights, built by tests/argos_fixture.py.

    Its hypotheses end near the mean length in tokens of `lines`, so the decoding work is
    realistic. Returns the archive and a one-line description.
    """
    import sentencepiece as spm
    from argos_fixture import build_argosmodel, train_sentencepiece

    training_text = argos_training_text()
    # The same training as the builder's, to learn the mean source length in tokens.
    probe = spm.SentencePieceProcessor(
        model_proto=train_sentencepiece(training_text, REAL_SHAPE["vocab_size"])
    )
    mean_tokens = statistics.mean(len(probe.encode(line)) for line in lines)
    start = time.perf_counter()
    archive = build_argosmodel(
        folder / "translate-fr_en-1_0.argosmodel",
        **REAL_SHAPE,
        training_text=training_text,
        output_length=round(mean_tokens),
        quantization=quantization,
    )
    about = (
        f"argos test package: 6 layers, 512 wide, 8 heads, FFN 2048, vocabulary 32000, "
        f"{quantization}, {archive.stat().st_size / 1e6:.0f} MB, random weights, built in "
        f"{time.perf_counter() - start:.0f} s; hypotheses end near {mean_tokens:.1f} tokens"
    )
    return archive, about
