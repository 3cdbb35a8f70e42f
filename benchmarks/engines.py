"""Segments per second of each engine: the raw engine call against our Engine layer.

Both are timed in the same run on the same segments (FLORES-200 devtest, French):

- apertium (pivots es and ca): raw = the plain shell pipeline
  `apertium fr-es | apertium spa-eng` (or fra-cat | cat-eng) over the file's lines in
  txt format; ours = ApertiumEngine.translate over the same lines.
- argos: a package of a published model's shape (6 layers, 512 wide, 8 heads, 2048 FFN,
  32k vocabulary, int8), built into a temporary folder by tests/argos_fixture.py with
  random weights; raw = ctranslate2 `translate_batch` on the already tokenized lines
  (same translator settings and decoding options as the engine, chunks of 64 sorted
  by length by CTranslate2 itself); ours = ArgosEngine.translate, which tokenizes,
  batches and detokenizes. Random weights say nothing of quality; hypotheses are made to
  end near the source's mean length in tokens, so the decoding work is realistic.

Each measure is the best of --repeat runs (--argos-repeat for argos, whose runs take
minutes on two cores), raw and ours alternating. Run from anywhere:

    python benchmarks/engines.py [--repeat 3] [--argos-repeat 2] [--limit N]
                                 [--engines apertium-es,apertium-ca,argos]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DEVTEST, REPO, alternate, build_real_shape_argosmodel  # noqa: E402

ENGINES = ("apertium-es", "apertium-ca", "argos")


def best_times(
    raw: Callable[[], object], ours: Callable[[], object], repeat: int
) -> tuple[float, object, float, object]:
    """Best wall time of raw and ours over `repeat` alternating rounds, and their results."""
    best, results = alternate({"raw": raw, "ours": ours}, repeat)
    return best["raw"], results["raw"], best["ours"], results["ours"]


def report(name: str, n: int, raw_seconds: float, ours_seconds: float, raw_what: str) -> None:
    raw_rate, ours_rate = n / raw_seconds, n / ours_seconds
    print(f"{name}: {n} segments")
    print(f"  raw   {raw_rate:8.1f} segments/s  ({raw_seconds:6.2f} s)  {raw_what}")
    print(f"  ours  {ours_rate:8.1f} segments/s  ({ours_seconds:6.2f} s)  Engine.translate")
    print(f"  ours/raw speed ratio: {ours_rate / raw_rate:.2f}")
    sys.stdout.flush()


def bench_apertium(pivot: str, lines: list[str], repeat: int) -> None:
    from pipeline.translate.apertium import PIVOT_MODES, ApertiumEngine

    to_pivot, to_english = PIVOT_MODES[pivot]
    text = "\n".join(lines) + "\n"
    shell = f"apertium {to_pivot} | apertium {to_english}"

    def raw() -> list[str]:
        done = subprocess.run(
            shell, shell=True, input=text, capture_output=True, text=True, check=True
        )
        return done.stdout.splitlines()

    engine = ApertiumEngine(pivot)
    engine.version  # noqa: B018 - dpkg-query once, outside the timing
    raw_seconds, raw_out, ours_seconds, ours_out = best_times(
        raw, lambda: engine.translate(lines), repeat
    )
    assert len(ours_out) == len(lines)
    if len(raw_out) != len(lines):
        print(f"  (note: the raw pipeline gave {len(raw_out)} lines for {len(lines)})")
    report(f"apertium pivot={pivot}", len(lines), raw_seconds, ours_seconds, shell)


def bench_argos(lines: list[str], repeat: int) -> None:
    from argostranslate.package import Package

    from pipeline import models
    from pipeline.translate import argos

    with tempfile.TemporaryDirectory(prefix="bench-argos-") as tmp:
        archive, about = build_real_shape_argosmodel(Path(tmp), lines)
        top, _ = models.read_archive_metadata(archive)
        package = Package(models.unpack(archive, top, Path(tmp) / "packages"))
        print(f"({about})")

        engine = argos.ArgosEngine(package)
        translator = engine.open_translator()  # its own instance, the engine's settings
        tokens = [package.tokenizer.encode(line) for line in lines]

        def raw():
            return translator.translate_batch(
                tokens, beam_size=argos.BEAM_SIZE, num_hypotheses=1, **argos.DECODING_OPTIONS
            )

        # load both models and warm the caches outside the timing
        engine.translate(lines[:8])
        translator.translate_batch(tokens[:8], beam_size=argos.BEAM_SIZE)
        raw_seconds, raw_out, ours_seconds, ours_out = best_times(
            raw, lambda: engine.translate(lines), repeat
        )
        assert len(raw_out) == len(ours_out) == len(lines)
        out_tokens = statistics.mean(len(r.hypotheses[0]) for r in raw_out)
        print(
            f"(mean hypothesis length {out_tokens:.1f} tokens; {engine.compute_type}, "
            f"{engine.inter_threads} batches at once x {engine.threads} threads)"
        )
        report(
            "argos (test-built model of real shape)",
            len(lines),
            raw_seconds,
            ours_seconds,
            "ctranslate2 translate_batch on pre-tokenized lines",
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--repeat", type=int, default=3, help="apertium: runs per measure; the best is kept"
    )
    parser.add_argument(
        "--argos-repeat", type=int, default=2, help="argos: runs per measure (minutes each)"
    )
    parser.add_argument("--limit", type=int, default=0, help="only the first N lines")
    parser.add_argument("--engines", default=",".join(ENGINES), help=", ".join(ENGINES))
    args = parser.parse_args()

    lines = DEVTEST.read_text(encoding="utf-8").splitlines()
    if args.limit:
        lines = lines[: args.limit]
    print(f"../{DEVTEST.relative_to(REPO.parent)}: {len(lines)} lines; {os.cpu_count()} CPUs")
    chosen = [name.strip() for name in args.engines.split(",") if name.strip()]
    for name in chosen:
        if name == "apertium-es":
            bench_apertium("es", lines, args.repeat)
        elif name == "apertium-ca":
            bench_apertium("ca", lines, args.repeat)
        elif name == "argos":
            bench_argos(lines, args.argos_repeat)
        else:
            parser.error(f"unknown engine {name!r}")


if __name__ == "__main__":
    main()
